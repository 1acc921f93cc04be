/*
 * guests/sibling/entry.S - multiboot v1 header and 32-bit entry of the sibling test guest.
 *
 * The loader (GRUB, or Vanderpool's multiboot loader) enters _start in 32-bit protected mode,
 * paging off, flat segments, EAX = 0x2badb002, EBX = the information structure
 * (Multiboot 0.6.96 3.2). The guest sets its own stack and calls guest_main(magic, info).
 */
#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_HEADER_FLAGS 0x00000003 /* bit 0: modules page-aligned; bit 1: memory information */

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

    .bss
    .balign 16
stack:
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
