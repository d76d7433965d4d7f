/* What kern_dfly's files share and targets do not see. */
#ifndef SMPFUZZ_KERN_DFLY_DFLY_PRIVATE_H_
#define SMPFUZZ_KERN_DFLY_DFLY_PRIVATE_H_

/* The hardware line of register_int's vector `vec` (set-up data, read
 * without a scheduling point). */
int dfly_intr_line(int vec);

#endif /* SMPFUZZ_KERN_DFLY_DFLY_PRIVATE_H_ */
