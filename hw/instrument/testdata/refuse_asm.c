/* smp_pass must refuse inline asm that touches memory. */
int flag;

void spin_hint(void) {
  __asm__ volatile("" ::: "memory"); /* pure compiler barrier: allowed */
  __asm__ volatile("pause");         /* no memory: allowed */
}

void set_flag(void) {
  __asm__ volatile("movl $1, %0" : "=m"(flag)); /* EXPECT-ERROR */
}
