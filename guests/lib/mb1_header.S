/*
 * guests/lib/mb1_header.S - the multiboot v1 header of the ELF32 test guests (all but
 * mb2hello): it asks for page-aligned modules and the memory information. The entry is
 * guests/lib/start32.S; guests/lib/guest32.ld puts the header first in the image.
 */
#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_HEADER_FLAGS 0x00000003 /* bit 0: modules page-aligned; bit 1: memory information */

    .section .multiboot, "a"
    .balign 4
mb1_header: /* Multiboot 0.6.96 3.1.1: within the first 8 KiB of the image, 4-byte aligned */
    .long MB1_HEADER_MAGIC
    .long MB1_HEADER_FLAGS
    .long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

    .section .note.GNU-stack, "", @progbits
