/*
 * guests/builtin/guest_ops.S - guest-side instructions with a recovery point.
 * Before the instruction, guest_fixup holds the address to resume at and guest_fault is 0;
 * if it faults, the guest's exception handler (guest_lib.c) stores vector + 1 in guest_fault
 * and resumes at guest_fixup. Each function returns guest_fault.
 */
#include "platform/isr_stubs.inc"

        .text
        .code64

.macro SAFE_BEGIN
        lea     9f(%rip), %r11
        mov     %r11, guest_fixup(%rip)
        movl    $0, guest_fault(%rip)
.endm
.macro SAFE_END
9:      movq    $0, guest_fixup(%rip)
        mov     guest_fault(%rip), %eax
        ret
.endm

        .global guest_rdmsr_safe        /* (msr, uint64_t *value) */
guest_rdmsr_safe:
        mov     %rsi, %r8
        mov     %edi, %ecx
        SAFE_BEGIN
        rdmsr
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, (%r8)
        SAFE_END

        .global guest_wrmsr_safe        /* (msr, value) */
guest_wrmsr_safe:
        mov     %edi, %ecx
        mov     %esi, %eax
        mov     %rsi, %rdx
        shr     $32, %rdx
        SAFE_BEGIN
        wrmsr
        SAFE_END

        .global guest_xsetbv_safe       /* (xcr, value) */
guest_xsetbv_safe:
        mov     %edi, %ecx
        mov     %esi, %eax
        mov     %rsi, %rdx
        shr     $32, %rdx
        SAFE_BEGIN
        xsetbv
        SAFE_END

        .global guest_vmxon_safe        /* (phys) */
guest_vmxon_safe:
        push    %rdi
        SAFE_BEGIN
        vmxon   (%rsp)
9:      movq    $0, guest_fixup(%rip)
        mov     guest_fault(%rip), %eax
        pop     %rdi
        ret

        .global guest_write_cr4_safe    /* (value) */
guest_write_cr4_safe:
        SAFE_BEGIN
        mov     %rdi, %cr4
        SAFE_END

        .global guest_vmcall            /* (nr, arg) -> RAX */
guest_vmcall:
        push    %rbx
        mov     %rdi, %rax
        mov     %rsi, %rbx
        vmcall
        pop     %rbx
        ret

        .global guest_invd
guest_invd:
        invd
        ret

        .global guest_triple_fault
guest_triple_fault:                     /* no IDT: #UD -> #GP -> #DF -> shutdown */
        lidt    empty_idtr(%rip)
        ud2
1:      jmp     1b

        DEFINE_ISR_STUBS guest_isr_stubs, 32, guest_trap

        .section .rodata
        .align 16
empty_idtr:
        .short  0
        .quad   0
        .section .note.GNU-stack, "", @progbits
