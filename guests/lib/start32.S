/*
 * guests/lib/start32.S - the 32-bit entry of the ELF32 multiboot test guests (v1 and v2; the
 * header is guests/lib/mb1_header.S or the guest's own, e.g. guests/mb2hello/mb2_header.S).
 *
 * The loader (GRUB, or Vanderpool's multiboot loader) enters _start in 32-bit protected mode,
 * paging off, flat segments, EAX = the boot loader magic (0x2badb002 for v1, 0x36d76289 for v2),
 * EBX = the information structure (Multiboot 0.6.96 3.2, Multiboot2 3.3). The guest sets its
 * own stack and calls guest_main(magic, info); should that return, it halts.
 */
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
