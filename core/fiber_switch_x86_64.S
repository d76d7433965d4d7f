// Fiber context switch for x86-64 System V.
//
// void smp_fiber_switch(void** save_sp, void* new_sp)
//   Pushes the callee-saved registers on the current stack, stores the stack
//   pointer in *save_sp, loads new_sp and pops the same frame from it. The
//   MXCSR and x87 control words are not switched: nothing in smpfuzz
//   changes rounding or exception masks, and saving them costs more than
//   the rest of the switch.
// void smp_fiber_trampoline(void)
//   Where a fresh fiber's first switch "returns" to: calls r13(r12).
#if defined(__x86_64__)
    .text
    .globl  smp_fiber_switch
    .type   smp_fiber_switch, @function
    .p2align 4
smp_fiber_switch:
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
    .size   smp_fiber_switch, .-smp_fiber_switch

    .globl  smp_fiber_trampoline
    .type   smp_fiber_trampoline, @function
    .p2align 4
smp_fiber_trampoline:
    movq    %r12, %rdi
    callq   *%r13
    ud2
    .size   smp_fiber_trampoline, .-smp_fiber_trampoline
#endif
    .section .note.GNU-stack,"",@progbits
