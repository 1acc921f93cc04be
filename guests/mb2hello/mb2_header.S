/*
 * guests/mb2hello/mb2_header.S - the multiboot2 header of the mb2hello test guest (its entry is
 * the shared guests/lib/start32.S).
 *
 * The loader enters _start in 32-bit protected mode, paging off, EAX = 0x36d76289, EBX = the
 * information structure (Multiboot2 3.3). The header asks for the command line, the basic
 * memory information and the memory map (information request tag, Multiboot2 3.1.4).
 */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_TAG_INFO_REQUEST 1
#define MB2_TAG_END 0

    .section .multiboot, "a"
    .balign 8
mb2_header: /* Multiboot2 3.1.1: within the first 32 KiB of the image, 8-byte aligned */
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    .balign 8
info_request: /* Multiboot2 3.1.4: type, flags (0: required), size, requested tag types */
    .short MB2_TAG_INFO_REQUEST
    .short 0
    .long info_request_end - info_request
    .long 1 /* boot command line */
    .long 4 /* basic memory information */
    .long 6 /* memory map */
info_request_end:
    .balign 8
    .short MB2_TAG_END
    .short 0
    .long 8
mb2_header_end:

    .section .note.GNU-stack, "", @progbits
