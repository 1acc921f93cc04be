/*
 * guests/lib/mb.h - Multiboot information, v1 and v2, as the test guests see it (pure).
 *
 * mb_parse reads the information structure the boot loader (GRUB, or Vanderpool's loader)
 * left at info and copies what the guests use into a struct mb_info: the memory sizes, the
 * command line, the boot loader's name and the memory map. The structure's own pointers are
 * physical addresses, read as pointers: the guest runs identity-mapped (paging off, or the
 * longmode guest's 1:1 page tables).
 */
#ifndef GUEST_MB_H
#define GUEST_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB1_BOOTLOADER_MAGIC 0x2badb002 /* in EAX at entry (Multiboot 0.6.96 3.2) */
#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* in EAX at entry (Multiboot2 3.3) */

/* Memory map types, the same in v1 and v2 (Multiboot 0.6.96 3.3, Multiboot2 3.6.8). */
#define MB_MEMORY_AVAILABLE        1
#define MB_MEMORY_ACPI_RECLAIMABLE 3
#define MB_MEMORY_NVS              4
#define MB_MEMORY_BADRAM           5

#define MB_MMAP_MAX   64
#define MB_STRING_MAX 256

enum mb_err {
    MB_OK = 0,
    MB_ERR_MAGIC = -1,  /* EAX does not hold a boot loader magic */
    MB_ERR_NULL = -2,   /* no information structure */
    MB_ERR_FORMAT = -3, /* a size or length in the structure is impossible */
};

struct mb_mmap_entry {
    uint64_t addr, len;
    uint32_t type;
};

struct mb_info {
    unsigned version; /* 1 or 2 */
    uint32_t magic;
    uint32_t flags; /* v1: the flags word; v2: bit n set when a tag of type n was seen (n < 32) */
    bool has_meminfo;
    uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB from 1 MiB to the first hole */
    bool has_cmdline, has_loader;
    char cmdline[MB_STRING_MAX];
    char loader[MB_STRING_MAX];
    bool has_mmap;
    uint32_t mmap_count;   /* entries kept in mmap[] */
    uint32_t mmap_dropped; /* entries beyond MB_MMAP_MAX */
    struct mb_mmap_entry mmap[MB_MMAP_MAX];
};

/* Parses the information at info for the magic the loader put in EAX. Returns MB_OK, or an
 * mb_err with a message in msg naming what was wrong. */
int mb_parse(uint32_t magic, const void *info, struct mb_info *out, char *msg, size_t msglen);

const char *mb_mmap_type_name(uint32_t type);
/* Bytes of usable (available) RAM in the memory map. */
uint64_t mb_usable_bytes(const struct mb_info *mi);
/* Whether a usable entry of the memory map overlaps [lo, hi). */
bool mb_usable_overlaps(const struct mb_info *mi, uint64_t lo, uint64_t hi);

#endif
