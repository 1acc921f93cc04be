/*
 * guests/builtin/guest_ops.S - guest-side instructions with a recovery point.
 * Each instruction that may fault is listed in the table guest_fixups (pairs: address of the
 * instruction, address to resume at). The guest's exception handler (guest_lib.c) looks the
 * faulting RIP up there, puts vector + 1 in R11 and resumes; the function returns R11, so 0
 * means the instruction completed. No shared state: several CPUs may run guests at once.
 */
#include "platform/isr_stubs.inc"

        .text
        .code64

.macro SAFE_BEGIN
        xor     %r11d, %r11d
8:
.endm
.macro SAFE_END
9:      mov     %r11d, %eax
        ret
        .pushsection .rodata.guest_fixups, "a"
        .quad   8b, 9b
        .popsection
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

        .global guest_xgetbv_safe       /* (xcr, uint64_t *value) */
guest_xgetbv_safe:
        mov     %rsi, %r8
        mov     %edi, %ecx
        SAFE_BEGIN
        xgetbv
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, (%r8)
        SAFE_END

        .global guest_vmxon_safe        /* (phys) */
guest_vmxon_safe:
        push    %rdi
        xor     %r11d, %r11d
8:      vmxon   (%rsp)
9:      mov     %r11d, %eax
        pop     %rdi
        ret
        .pushsection .rodata.guest_fixups, "a"
        .quad   8b, 9b
        .popsection

        .global guest_write_cr4_safe    /* (value) */
guest_write_cr4_safe:
        SAFE_BEGIN
        mov     %rdi, %cr4
        SAFE_END

        .global guest_vmfunc_safe       /* (function, index) */
guest_vmfunc_safe:
        mov     %edi, %eax
        mov     %esi, %ecx
        SAFE_BEGIN
        vmfunc
        SAFE_END

        .global guest_vmcall            /* (nr, arg) -> RAX */
guest_vmcall:
        push    %rbx
        mov     %rdi, %rax
        mov     %rsi, %rbx
        vmcall
        pop     %rbx
        ret

        .global guest_vmcall_trap       /* (nr, arg) -> vector + 1 of an event after it */
guest_vmcall_trap:
        push    %rbx
        mov     %rdi, %rax
        mov     %rsi, %rbx
        xor     %r11d, %r11d
        vmcall
8:      nop
9:      mov     %r11d, %eax
        pop     %rbx
        ret
        .pushsection .rodata.guest_fixups, "a"
        .quad   8b, 9b
        .popsection

        .global guest_hypercall4        /* (nr, rbx, rcx, rdx, rsi) -> RAX */
guest_hypercall4:
        push    %rbx
        mov     %rdi, %rax
        mov     %rsi, %rbx
        mov     %rcx, %r9
        mov     %rdx, %rcx
        mov     %r9, %rdx
        mov     %r8, %rsi
        vmcall
        .global guest_hypercall4_ret
guest_hypercall4_ret:
        pop     %rbx
        ret

        /* guest_mtf_walk(on, off): VMCALL on (the VMM sets MTF), then single-steps: two NOPs,
         * POPF setting TF, a NOP after which both a single-step #DB and an MTF VM exit are
         * due, then VMCALL off. The labels let the VMM name each MTF exit's RIP. */
        .global guest_mtf_walk, guest_mtf_walk_nop1, guest_mtf_walk_popf
        .global guest_mtf_walk_tfnop, guest_mtf_walk_after, guest_mtf_walk_off
guest_mtf_walk:
        push    %rbx
        mov     %rdi, %rax
        vmcall
guest_mtf_walk_nop1:
        nop
        nop
        pushf
        orq     $0x100, (%rsp)
guest_mtf_walk_popf:
        popf
guest_mtf_walk_tfnop:
        nop
guest_mtf_walk_after:
        mov     %rsi, %rax
guest_mtf_walk_off:
        vmcall
        pop     %rbx
        ret

        /* guest_tf_cpuid(): CPUID (which always exits, SDM 26.1.2) with RFLAGS.TF = 1: the
         * single-step #DB comes after the VM exit, at guest_tf_cpuid_after. */
        .global guest_tf_cpuid, guest_tf_cpuid_after
guest_tf_cpuid:
        push    %rbx
        xor     %eax, %eax
        xor     %ecx, %ecx
        pushf
        orq     $0x100, (%rsp)
        popf
        cpuid
guest_tf_cpuid_after:
        nop
        pop     %rbx
        ret

        .global guest_lock_cpuid_safe   /* LOCK CPUID: #UD before any VM exit (SDM 26.1.1) */
guest_lock_cpuid_safe:
        push    %rbx
        xor     %eax, %eax
        xor     %r11d, %r11d
8:      .byte   0xf0, 0x0f, 0xa2
9:      mov     %r11d, %eax
        pop     %rbx
        ret
        .pushsection .rodata.guest_fixups, "a"
        .quad   8b, 9b
        .popsection

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
