/*
 * guests/guestboot/entry.S - GuestKernel's header, 32-bit entry and switch to long mode.
 *
 * GuestBoot copied the kernel to its load address (0x20000), checked it and jumps here in
 * 32-bit protected mode, paging off, flat segments, EAX = GB_MAGIC, EBX = its check count
 * (guestboot.h). The entry clears the bss, prints `GuestKernel: protected mode`, checks that
 * the CPU has long mode, maps the first 16 MiB 1:1 with 2 MiB pages and enters IA-32e mode the
 * way SDM 10.8.5 (Initializing IA-32e Mode) describes: CR4.PAE, CR3, IA32_EFER.LME (WRMSR),
 * then CR0.PG; a far jump through its own GDT lands in the 64-bit code segment, which calls
 * kernel_main(magic, boot_checks) (kernel.c). Assembled into an x86-64 object: the 32-bit part
 * is .code32.
 */
#include "guests/guestboot/guestboot.h"

#define IA32_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define PTE_P_RW 0x003
#define PDE_2M_P_RW 0x083 /* present, writable, page size (SDM 5.5.4 table 5-17) */
#define UART 0x3f8

    .section .gk_header, "a" /* first in the image: kernel.ld */
    .globl gk_header
gk_header:
    .long GK_MAGIC
    .long gk_image_size /* kernel.ld: whole sectors */
    .long 0             /* checksum, written by mkimage.sh */
    .long gk_header     /* load address: where this header is linked */
    .long _start

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov %eax, %ebp /* EBP, EBX: kept while the bss is cleared */
    mov $gk_bss_start, %edi
    mov $gk_bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
    mov %ebp, boot_magic /* in the bss: the image stays as GuestBoot checked it */
    mov %ebx, boot_checks
    mov $stack_top, %esp

    mov $msg_prot, %esi
    call puts32

    /* Long mode present? CPUID 0x80000001 EDX bit 29 (SDM 10.8.5, CPUID in volume 2). */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] -> i * 2 MiB (the bss is zero: the rest absent). */
    movl $pdpt + PTE_P_RW, pml4
    movl $pd + PTE_P_RW, pdpt
    mov $pd, %edi
    mov $PDE_2M_P_RW, %eax
    mov $GK_MAPPED_BYTES >> 21, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b

    /* Let the UART send the line before the C code re-initialises it (its FIFO reset would drop
     * what is still queued on real hardware). */
    mov $UART + 5, %dx
    mov $1000000, %ecx
2:  in %dx, %al
    test $0x40, %al /* LSR.TEMT */
    loopz 2b

    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $IA32_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_PE), %eax
    mov %eax, %cr0 /* IA32_EFER.LMA is now 1: compatibility mode until CS is reloaded */
    lgdt gdt_desc
    ljmp $GK_CODE64_SEL, $long_entry

/* No long mode: report it the test library's way (the summary counts GuestBoot's checks, all
 * passed, and this failed one) and stop like test_exit. */
no_long_mode:
    mov boot_checks, %eax
    add $'1', %al
    mov %al, no_lm_digit
    mov $no_lm_msg, %esi
    call puts32
    mov $1, %al /* debug exit, failure */
    out %al, $0xf4
    mov $0x2000, %ax /* ACPI PM1a SLP_EN */
    mov $0xb004, %dx
    out %ax, %dx
    mov $shutdown_msg, %esi
    mov $0x8900, %dx
3:  lodsb
    out %al, %dx /* Bochs: "Shutdown" */
    test %al, %al
    jnz 3b
4:  cli
    hlt
    jmp 4b

/* Prints the string at ESI on the UART (set up by GuestBoot). Clobbers EAX, EDX, ESI. */
puts32:
1:  lodsb
    test %al, %al
    jz 3f
    mov %al, %ah
    mov $UART + 5, %dx
2:  in %dx, %al
    test $0x20, %al /* LSR.THRE */
    jz 2b
    mov $UART, %dx
    mov %ah, %al
    out %al, %dx
    jmp 1b
3:  ret

    .code64
long_entry:
    mov $GK_DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $stack_top, %rsp
    mov boot_magic(%rip), %edi
    mov boot_checks(%rip), %esi
    call kernel_main
5:  cli
    hlt
    jmp 5b

    .section .rodata
    .balign 8
gdt: /* SDM 3.4.5: null; 64-bit code (L=1, D=0); flat data. The accessed bits are preset, so
      * loading a selector does not write the descriptor (SDM 3.4.5.1): the image stays as its
      * checksum says. */
    .quad 0
    .quad 0x00af9b000000ffff
    .quad 0x00cf93000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
msg_prot:
    .asciz "GuestKernel: protected mode\r\n"
shutdown_msg:
    .asciz "Shutdown"

    .data
no_lm_msg:
    .ascii "TEST guestboot: FAIL CPU supports long mode (CPUID 0x80000001 EDX.LM)\r\n"
    .ascii "TEST guestboot: "
no_lm_digit:
    .ascii "? checks, 1 failed\r\n"
    .asciz "TEST guestboot: FAIL\r\n"

    .bss
    .balign 4
boot_magic:
    .long 0
boot_checks:
    .long 0
    .balign 4096
pml4:
    .space 4096
pdpt:
    .space 4096
pd:
    .space 4096
    .balign 16
stack:
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
