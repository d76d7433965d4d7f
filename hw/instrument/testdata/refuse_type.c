/* smp_pass must refuse accesses the runtime ABI cannot carry. */
__int128 wide;

void set_wide(void) {
  wide = 1; /* EXPECT-ERROR */
}
