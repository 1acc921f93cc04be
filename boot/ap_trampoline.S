/*
 * boot/ap_trampoline.S - where an application processor starts (book 1.5, "AP start-up").
 *
 * The BSP copies this blob to AP_TRAMPOLINE_PHYS and sends INIT-SIPI-SIPI with
 * vector AP_TRAMPOLINE_PHYS >> 12 (SDM 9.4.4, MP initialisation protocol). The AP
 * begins in real mode at CS:IP = 0x0800:0000, goes to protected mode, enables
 * PAE and long mode with the kernel's CR3 (SDM 10.8.5), and jumps to ap_entry
 * with the stack and CPU index the BSP left in the data block at the end.
 * Everything is addressed relative to the blob's load address.
 */
#include "boot/boot_defs.h"

#define REL(x) ((x) - ap_trampoline_start + AP_TRAMPOLINE_PHYS)

        .section .rodata
        .global ap_trampoline_start, ap_trampoline_end, ap_trampoline_data
        .align 16
        .code16
ap_trampoline_start:
        cli
        cld
        xor     %ax, %ax
        mov     %ax, %ds
        lgdtl   REL(tramp_gdt_ptr)
        mov     %cr0, %eax
        or      $CR0_PE, %eax
        mov     %eax, %cr0
        ljmpl   $0x08, $REL(tramp32)

        .code32
tramp32:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     REL(tramp_cr3), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      REL(tramp_efer), %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP), %eax
        mov     %eax, %cr0
        ljmp    $0x18, $REL(tramp64)

        .code64
tramp64:
        xor     %eax, %eax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     REL(tramp_stack), %rsp
        mov     REL(tramp_cpu), %edi
        mov     REL(tramp_entry), %rax
        xor     %ebp, %ebp
        call    *%rax
1:      cli
        hlt
        jmp     1b

        .align 16
tramp_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: 32-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
        .quad   0x00af9a000000ffff      /* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_ptr:
        .short  tramp_gdt_end - tramp_gdt - 1
        .long   REL(tramp_gdt)

        .align 8
ap_trampoline_data:             /* filled by platform/smp.c, see struct ap_boot_data */
tramp_cr3:      .long 0
tramp_efer:     .long 0
tramp_stack:    .quad 0
tramp_entry:    .quad 0
tramp_cpu:      .long 0
                .long 0
ap_trampoline_end:
        .section .note.GNU-stack, "", @progbits
