/*
 * boot/entry.S - the first instructions of Vanderpool (book 1.2, "boot").
 *
 * GRUB enters here in 32-bit protected mode with paging off, EAX holding the
 * Multiboot2 magic and EBX the physical address of the boot information
 * (Multiboot2 spec 3.3 "I386 machine state"). GRUB-EFI does the same after
 * ExitBootServices: the header below asks neither for EFI boot services (3.1.11)
 * nor for an EFI entry point (3.1.6, 3.1.7). We build a temporary identity
 * map of the first 4 GiB with 2 MiB pages, enable PAE and long mode (SDM vol. 3
 * 10.8.5 "Initializing IA-32e Mode") and call kernel_main(magic, info) in
 * 64-bit mode. platform/paging.c replaces these tables with the final ones.
 */
#include "boot/boot_defs.h"

/* Multiboot2 header: magic, architecture 0 (i386), length, checksum, end tag
 * (Multiboot2 spec 3.1). It must lie 8-aligned in the first 32 KiB of the file. */
        .section .multiboot2, "a"
        .align 8
mb2_header:
        .long 0xe85250d6
        .long 0
        .long mb2_header_end - mb2_header
        .long -(0xe85250d6 + (mb2_header_end - mb2_header))
        .align 8
        .short 0, 0             /* end tag: type 0, flags 0, size 8 */
        .long 8
mb2_header_end:

        .section .boot.text, "ax"
        .code32
        .global _start
_start:
        cli
        cld
        mov     $boot_stack_top, %esp
        mov     %eax, %esi              /* keep magic and info out of the way */
        mov     %ebx, %ebp

        /* Zero .bss: the early page tables and the stack live there. */
        mov     $__bss_start, %edi
        mov     $__bss_end, %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb
        mov     %esi, boot_mb_magic
        mov     %ebp, boot_mb_info

        /* Long mode present? CPUID 0x80000001 EDX bit 29 (SDM vol. 2A CPUID). */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode
        mov     %edx, %ebx              /* bit 20: NX available */

        /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
        mov     $boot_pdpt, %eax
        or      $(PTE_P | PTE_W), %eax
        mov     %eax, boot_pml4
        mov     $boot_pd, %eax
        or      $(PTE_P | PTE_W), %eax
        xor     %ecx, %ecx
1:      mov     %eax, boot_pdpt(, %ecx, 8)
        add     $4096, %eax
        inc     %ecx
        cmp     $4, %ecx
        jne     1b
        xor     %ecx, %ecx              /* entry index 0..2047 covers 4 GiB */
2:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(PTE_P | PTE_W | PTE_PS), %eax
        mov     %eax, boot_pd(, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax
        mov     %eax, boot_pd+4(, %ecx, 8)  /* high dword: bits 32+ of the address */
        inc     %ecx
        cmp     $2048, %ecx
        jne     2b

        /* CR4.PAE, CR3, EFER.LME (+NXE when present), CR0.PG|WP (SDM 10.8.5). */
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_LME, %eax
        bt      $20, %ebx
        jnc     3f
        or      $EFER_NXE, %eax
3:      wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0
        lgdt    boot_gdt_ptr
        ljmp    $BOOT_CS64, $long_mode_entry

no_long_mode:
        /* COM1 at 115200 8N1 (16550: DLAB, divisor 1, LCR = 3) before the message. */
        mov     $0x3fb, %dx
        mov     $0x80, %al
        outb    %al, %dx
        mov     $0x3f8, %dx
        mov     $1, %al
        outb    %al, %dx
        mov     $0x3f9, %dx
        xor     %al, %al
        outb    %al, %dx
        mov     $0x3fb, %dx
        mov     $3, %al
        outb    %al, %dx
        mov     $no_lm_msg, %esi
4:      lodsb
        test    %al, %al
        jz      5f
        mov     %al, %bl
        mov     $0x3fd, %dx             /* wait for THRE in the 16550 LSR */
6:      inb     %dx, %al
        test    $0x20, %al
        jz      6b
        mov     $0x3f8, %dx
        mov     %bl, %al
        outb    %al, %dx
        jmp     4b
5:      hlt
        jmp     5b

        .code64
long_mode_entry:
        mov     $BOOT_DS, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        xor     %eax, %eax
        mov     %ax, %fs
        mov     %ax, %gs
        mov     $boot_stack_top, %rsp
        xor     %ebp, %ebp
        mov     boot_mb_magic(%rip), %edi
        mov     boot_mb_info(%rip), %esi
        call    kernel_main
7:      cli
        hlt
        jmp     7b

        .section .rodata
no_lm_msg:
        .asciz  "Vanderpool: halted: this CPU has no long mode (x86-64), which Vanderpool needs.\r\n"

        .align 16
        .global boot_gdt
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code, DPL 0 */
        .quad   0x00cf92000000ffff      /* 0x10: data, DPL 0 */
boot_gdt_end:
        .global boot_gdt_ptr
boot_gdt_ptr:
        .short  boot_gdt_end - boot_gdt - 1
        .quad   boot_gdt

        .section .bss
        .align 4096
        .global boot_pml4
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096
        .align 16
boot_stack:     .skip BOOT_STACK_SIZE
        .global boot_stack_top
boot_stack_top:
        .global boot_mb_magic, boot_mb_info
boot_mb_magic:  .long 0
boot_mb_info:   .long 0
        .section .note.GNU-stack, "", @progbits
