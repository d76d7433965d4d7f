/* smp_pass must refuse setjmp/longjmp. */
typedef long jmp_buf[8];
int setjmp(jmp_buf);
void longjmp(jmp_buf, int);

static jmp_buf env;

int try_it(void) {
  if (setjmp(env) != 0) return 1; /* EXPECT-ERROR */
  return 0;
}
