/*
 * guests/attack/entry.S - multiboot v1 header and 32-bit entry of the attack test guest.
 *
 * The loader (GRUB, or Vanderpool's multiboot loader) enters _start in 32-bit protected mode,
 * paging off, flat segments, EAX = 0x2badb002, EBX = the information structure
 * (Multiboot 0.6.96 3.2). The guest sets its own stack and calls guest_main(magic, info).
 * pae_enable turns on PAE paging, for the writes at physical addresses of 4 GiB and above.
 */
#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_HEADER_FLAGS 0x00000003 /* bit 0: modules page-aligned; bit 1: memory information */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

    .section .multiboot, "a"
    .balign 4
mb1_header: /* Multiboot 0.6.96 3.1.1: within the first 8 KiB of the image, 4-byte aligned */
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
    push %ebx /* info */
    push %eax /* magic */
    call guest_main
1:  cli
    hlt
    jmp 1b

/* void pae_enable(uint32_t pdpt): CR4.PAE, CR3 = the page-directory-pointer table, then
 * CR0.PG (SDM 4.4: PAE paging is CR0.PG = 1, CR4.PAE = 1, IA32_EFER.LME = 0). The code runs
 * from memory the tables map 1:1, so the next instruction is fetched at the same address. */
    .globl pae_enable
pae_enable:
    mov 4(%esp), %eax
    mov %cr4, %ecx
    or $CR4_PAE, %ecx
    mov %ecx, %cr4
    mov %eax, %cr3
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0
    ret

    .bss
    .balign 16
stack:
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
