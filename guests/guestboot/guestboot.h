/*
 * guests/guestboot/guestboot.h - what GuestBoot (boot.S) and GuestKernel (entry.S, kernel.c)
 * agree on: the layout of the GuestKernel header, the limits GuestBoot checks, and the hand-over
 * from GuestBoot to the kernel's 32-bit entry. Included from assembly and from C.
 *
 * The image guestboot.bin is GuestBoot (one 512-byte sector, at 0x7c00) followed by GuestKernel
 * (whole sectors, at 0x7e00 in the image as loaded). GuestKernel starts with this header:
 *
 *   offset  0  GK_MAGIC
 *   offset  4  length of GuestKernel in bytes, header included (a multiple of 512)
 *   offset  8  checksum: the 32-bit sum of all of GuestKernel's dwords is 0 (mkimage.sh sets it)
 *   offset 12  load address (its link address, 16-byte aligned, below 1 MiB)
 *   offset 16  32-bit entry point (physical), entered in protected mode, paging off
 */
#ifndef GUESTBOOT_H
#define GUESTBOOT_H

#define GK_MAGIC       0x4e524b47 /* "GKRN" */
#define GK_OFF_MAGIC   0
#define GK_OFF_LENGTH  4
#define GK_OFF_CHKSUM  8
#define GK_OFF_LOAD    12
#define GK_OFF_ENTRY   16
#define GK_HEADER_SIZE 20

/* Where GuestBoot finds GuestKernel: right after itself, as the VMM loaded the image. */
#define GK_IMAGE_ADDR 0x7e00
/* GuestBoot's limits: the kernel fits in one real-mode segment and the whole image in 64 KiB
 * (the source then ends at 0x17c00 at most); it is copied to 0x20000-0x80000, clear of the
 * source and below the 0x9fc00-1 MiB reserved area. */
#define GK_MAX_LENGTH 0xfe00
#define GK_LOAD_MIN   0x20000
#define GK_LOAD_MAX   0x80000

/* The hand-over (GuestBoot -> the 32-bit entry): EAX = GB_MAGIC, EBX = GB_CHECKS, the number of
 * checks GuestBoot made (it only jumps when all of them held), flat 32-bit segments in DS, ES,
 * SS, paging off, interrupts off. */
#define GB_MAGIC  0x544f4247 /* "GBOT" */
#define GB_CHECKS 2          /* header, checksum */

/* GuestKernel's page tables map this much 1:1 with 2 MiB pages (the VM has 16 MiB). */
#define GK_MAPPED_BYTES 0x1000000

/* Selectors. GuestBoot's GDT: flat 32-bit code, flat data; GuestKernel's: 64-bit code, flat
 * data (SDM 3.4.5). */
#define GB_CODE32_SEL 0x08
#define GB_DATA32_SEL 0x10
#define GK_CODE64_SEL 0x08
#define GK_DATA_SEL   0x10

#endif
