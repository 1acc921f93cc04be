/*
 * platform/isr.S - interrupt and exception entry stubs.
 * One 16-byte stub per vector pushes a zero error code where the CPU does not
 * push one (SDM 6.13, table 6-1 lists the vectors with error codes), then the
 * vector, and joins isr_common, which saves the GPRs as a struct trap_frame
 * (platform/trap.h) and calls trap_dispatch(frame).
 */
        .text
        .code64

.macro ISR_STUB vec
        .align 16
        .if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
        .else
        pushq   $0
        .endif
        pushq   $\vec
        jmp     isr_common
.endm

        .altmacro
        .align 16
        .global isr_stubs
isr_stubs:
        .set    vec, 0
        .rept   256
        ISR_STUB %vec
        .set    vec, vec + 1
        .endr
        .noaltmacro

isr_common:
        push    %r15
        push    %r14
        push    %r13
        push    %r12
        push    %r11
        push    %r10
        push    %r9
        push    %r8
        push    %rbp
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rbx
        push    %rax
        cld
        mov     %rsp, %rdi
        mov     %rsp, %rbx
        and     $-16, %rsp              /* SysV ABI: 16-byte aligned stack at the call */
        call    trap_dispatch
        mov     %rbx, %rsp
        pop     %rax
        pop     %rbx
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        pop     %rbp
        pop     %r8
        pop     %r9
        pop     %r10
        pop     %r11
        pop     %r12
        pop     %r13
        pop     %r14
        pop     %r15
        add     $16, %rsp               /* vector and error code */
        iretq

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
