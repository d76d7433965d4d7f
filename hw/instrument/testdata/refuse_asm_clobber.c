/* smp_pass must refuse inline asm with a "memory" clobber and a body. */
void barrier(void) {
  __asm__ volatile("mfence" ::: "memory"); /* EXPECT-ERROR */
}
