/*
 * platform/isr.S - the hypervisor's interrupt and exception entry stubs: one per vector,
 * leading to trap_dispatch (platform/trap.c). The stub layout is in platform/isr_stubs.inc.
 */
#include "platform/isr_stubs.inc"

        .text
        .code64
        DEFINE_ISR_STUBS isr_stubs, 256, trap_dispatch

/* void cpu_load_segments(uint16_t cs, uint16_t ds): far-return into the new CS. */
        .global cpu_load_segments
cpu_load_segments:
        mov     %si, %ds
        mov     %si, %es
        mov     %si, %ss
        movzwl  %di, %edi
        pushq   %rdi
        lea     1f(%rip), %rax
        pushq   %rax
        lretq
1:      ret
        .section .note.GNU-stack, "", @progbits
