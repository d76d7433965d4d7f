/* smp_pass must refuse longjmp as well as setjmp. */
typedef long jmp_buf[8];
void longjmp(jmp_buf, int);

jmp_buf env;

void bail(void) {
  longjmp(env, 1); /* EXPECT-ERROR */
}
