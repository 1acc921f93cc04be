/*
 * guests/lib/ap_tramp.S - the AP trampoline of the test guests (guests/lib/smp.h). These bytes
 * are copied to SMP_TRAMPOLINE (0x8000) and run there: a SIPI with vector 0x08 starts the AP
 * in real mode at 0800:0000 (SDM 8.4.3, 11.6.1). It loads a GDT of its own (flat code 0x08,
 * flat data 0x10, as guests/lib/trap.c), sets CR0.PE, far-jumps into 32-bit code and calls the
 * C entry with the stack and the CPU index the BSP left in the data words at the end.
 * Addresses are 0x8000 + offset from smp_tramp_start: the code is assembled here, runs there.
 */
#define TRAMP_BASE 0x8000
#define AT(sym) (TRAMP_BASE + (sym) - smp_tramp_start)

    .section .rodata
    .code16
    .balign 16
    .globl smp_tramp_start, smp_tramp_end, smp_tramp_stack, smp_tramp_idx, smp_tramp_entry
smp_tramp_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl (tramp_gdtr - smp_tramp_start)
    mov %cr0, %eax
    or $1, %eax                   /* CR0.PE (SDM 9.9.1) */
    mov %eax, %cr0
    ljmpl $0x08, $AT(tramp_pm)    /* loads CS with the 32-bit code segment */

    .code32
tramp_pm:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov AT(smp_tramp_stack), %esp
    pushl AT(smp_tramp_idx)
    call *AT(smp_tramp_entry)
1:  cli
    hlt
    jmp 1b

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff      /* 0x08: code, base 0, 4 GiB, 32-bit (SDM 3.4.5) */
    .quad 0x00cf92000000ffff      /* 0x10: data */
tramp_gdtr:
    .word 3 * 8 - 1
    .long AT(tramp_gdt)
    .balign 4
smp_tramp_stack: .long 0          /* written in the copy by smp_start_ap */
smp_tramp_idx:   .long 0
smp_tramp_entry: .long 0
smp_tramp_end:

    .section .note.GNU-stack, "", @progbits
