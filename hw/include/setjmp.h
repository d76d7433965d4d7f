/* A longjmp across a scheduling point would leave the machine's context
 * stack behind, so target code may not use setjmp/longjmp. */
#error "smpfuzz: setjmp/longjmp cannot cross a scheduling point in target code; restructure with return codes"
