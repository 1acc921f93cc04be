/*
 * guests/longmode/entry.S - multiboot v1 header, 32-bit entry and the switch to long mode of
 * the longmode test guest.
 *
 * Entered like any multiboot v1 kernel (32-bit protected mode, paging off, EAX = magic,
 * EBX = information; Multiboot 0.6.96 3.2). It checks that the CPU has long mode, builds page
 * tables that map the first 4 GiB 1:1 with 2 MiB pages, and enters IA-32e mode the way
 * SDM 10.8.5 (Initializing IA-32e Mode) describes: CR4.PAE, CR3, IA32_EFER.LME, then CR0.PG;
 * a far jump through its own GDT then lands in the 64-bit code segment, which calls
 * long_main(magic, info). Assembled into an x86-64 object: the 32-bit part is .code32.
 */
#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_HEADER_FLAGS 0x00000003 /* bit 0: modules page-aligned; bit 1: memory information */
#define IA32_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define PTE_P_RW 0x003
#define PDE_2M_P_RW 0x083 /* present, writable, page size (SDM 5.5.4 table 5-17) */
#define UART 0x3f8

    .section .multiboot, "a"
    .balign 4
mb1_header: /* Multiboot 0.6.96 3.1.1 */
    .long MB1_HEADER_MAGIC
    .long MB1_HEADER_FLAGS
    .long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    cld
    mov $stack_top, %esp
    mov %eax, boot_magic
    mov %ebx, boot_info

    /* Long mode present? CPUID 0x80000001 EDX bit 29 (SDM 10.8.5, CPUID in volume 2). */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, PDn[i] -> (n * 512 + i) * 2 MiB. */
    mov $page_tables, %edi
    mov $(6 * 4096 / 4), %ecx
    xor %eax, %eax
    rep stosl
    mov $pdpt + PTE_P_RW, %eax
    mov %eax, pml4
    mov $pdpt, %edi
    mov $pd + PTE_P_RW, %eax
    mov $4, %ecx
1:  mov %eax, (%edi)
    add $4096, %eax
    add $8, %edi
    loop 1b
    mov $pd, %edi
    mov $PDE_2M_P_RW, %eax
    mov $2048, %ecx
2:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 2b

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
    ljmp $0x08, $long_entry

/* No long mode: report it the test library's way, from 32-bit code, and stop. */
no_long_mode:
    mov $UART + 3, %dx /* LCR: DLAB, divisor 1 (115200), then 8N1 */
    mov $0x80, %al
    out %al, %dx
    mov $UART, %dx
    mov $1, %al
    out %al, %dx
    mov $UART + 1, %dx
    xor %al, %al
    out %al, %dx
    mov $UART + 3, %dx
    mov $3, %al
    out %al, %dx
    mov $no_lm_msg, %esi
3:  lodsb
    test %al, %al
    jz 5f
    mov %al, %bl
    mov $UART + 5, %dx
4:  in %dx, %al
    test $0x20, %al /* LSR.THRE */
    jz 4b
    mov $UART, %dx
    mov %bl, %al
    out %al, %dx
    jmp 3b
5:  mov $1, %al /* debug exit, failure */
    out %al, $0xf4
    mov $0x2000, %ax /* ACPI PM1a SLP_EN */
    mov $0xb004, %dx
    out %ax, %dx
    mov $shutdown_msg, %esi
    mov $0x8900, %dx
6:  lodsb
    test %al, %al
    jz 7f
    out %al, %dx
    jmp 6b
7:  cli
    hlt
    jmp 7b

    .code64
long_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $stack_top, %rsp
    mov boot_magic(%rip), %edi
    mov boot_info(%rip), %esi
    call long_main
8:  cli
    hlt
    jmp 8b

    .section .rodata
    .balign 8
gdt: /* SDM 3.4.5: null; 64-bit code (L=1, D=0); flat data */
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
no_lm_msg:
    .ascii "TEST longmode: FAIL CPU supports long mode (CPUID 0x80000001 EDX.LM)\r\n"
    .ascii "TEST longmode: 1 checks, 1 failed\r\n"
    .asciz "TEST longmode: FAIL\r\n"
shutdown_msg:
    .asciz "Shutdown"

    .data
    .balign 4
boot_magic:
    .long 0
boot_info:
    .long 0

    .bss
    .balign 4096
page_tables:
pml4:
    .space 4096
pdpt:
    .space 4096
pd:
    .space 4 * 4096
    .balign 16
stack:
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
