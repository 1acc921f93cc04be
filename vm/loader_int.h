/*
 * vm/loader_int.h - shared internals of the guest loaders (vm/loader*.c), not for other
 * users: checked guest-RAM ranges and writes, the load plan of a kernel, header search,
 * a.out-style load addresses, ELF segments, placement of the boot information. Pure.
 */
#ifndef VM_LOADER_INT_H
#define VM_LOADER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/loader.h"

/* Casts for the message formats (%lx / %lu). */
#define LDX(v) ((unsigned long)(v))

#define LD_4GIB 0x100000000ull

/* Where the loader may write, and where to describe errors. */
struct ld_ctx {
    const struct guest_ram *ram;
    const struct gpa_range *reserved;
    size_t nreserved;
    bool legacy_hole; /* Multiboot: [LOADER_LOW_END, LOADER_HIGH_BASE) is reserved too */
    char *err;
    size_t errlen;
};

/* One segment to load: filesz bytes from src, then zeroes up to memsz. */
struct ld_seg {
    uint64_t gpa;
    const uint8_t *src;
    uint64_t filesz, memsz;
};

struct ld_plan {
    struct ld_seg seg[LOADER_MAX_SEGMENTS];
    size_t n;
    uint64_t end; /* highest segment end */
};

/* The address fields of the Multiboot a.out kludge (Multiboot 3.1.3) and of the Multiboot2
 * address tag (Multiboot2 3.1.5), which mean the same. */
struct ld_aout {
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

/* ---- guest RAM (loader_mem.c) ---- */

/* 0 when [gpa, gpa + len) is guest RAM (every page maps) and clear of every reserved range;
 * else LOADER_ERR_NOT_RAM / LOADER_ERR_RESERVED with a message naming `what`. */
int ld_check_range(const struct ld_ctx *c, const char *what, uint64_t gpa, uint64_t len);
/* Writes to ranges already checked. */
void ld_copy(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len);
void ld_zero(const struct guest_ram *ram, uint64_t gpa, uint64_t len);
void ld_put32(const struct guest_ram *ram, uint64_t gpa, uint32_t v);
void ld_put64(const struct guest_ram *ram, uint64_t gpa, uint64_t v);
/* Lowest page-aligned base >= start such that [base, base + need) is below min(RAM size,
 * 4 GiB), clear of reserved ranges, and guest RAM. LOADER_ERR_NO_SPACE when none. */
int ld_place(const struct ld_ctx *c, uint64_t start, uint64_t need, uint64_t *base);
uint64_t ld_align(uint64_t v, uint64_t a);

/* ---- kernels (loader_kernel.c) ---- */

/* Find a header whose first u32 is `magic` at an `align`-aligned offset, lying in
 * [0, min(len, search)) with at least min_size bytes, and whose first nwords u32 sum to 0.
 * Reports a bad checksum, a header past the search area, or none. */
int ld_find_header(const struct ld_ctx *c, const uint8_t *img, size_t len, uint32_t magic,
                   size_t align, size_t search, size_t min_size, unsigned nwords, const char *name,
                   size_t *off);
/* One segment from a.out-style load addresses; `what` names the header part. */
int ld_plan_aout(const struct ld_ctx *c, const uint8_t *img, size_t len, size_t hdr_off,
                 const struct ld_aout *a, const char *what, struct ld_plan *plan);
/* Segments from the ELF program headers (below 4 GiB); *entry = e_entry's load address. */
int ld_plan_elf(const struct ld_ctx *c, const uint8_t *img, size_t len, struct ld_plan *plan,
                uint64_t *entry);
/* Every segment is RAM and clear of reserved ranges; the entry lies in a segment. */
int ld_plan_check(const struct ld_ctx *c, const struct ld_plan *plan, uint64_t entry);
/* Copy and zero the segments; record them in res. */
void ld_plan_commit(const struct guest_ram *ram, const struct ld_plan *plan,
                    struct load_result *res);

/* Modules go page-aligned after `info_size` bytes of boot information: module i at
 * base + rel[i]. Returns the bytes from base to the page-aligned end. */
uint64_t ld_module_layout(uint64_t info_size, const struct load_module *mods, size_t nmods,
                          uint64_t *rel);
void ld_copy_modules(const struct guest_ram *ram, uint64_t base, const struct load_module *mods,
                     size_t nmods, const uint64_t *rel);
/* What a Multiboot(2) boot-information builder needs. */
struct ld_boot {
    const char *cmdline;
    const struct load_module *mods;
    size_t nmods;
    const uint64_t *rel; /* module offsets from the base */
    uint64_t ram_size;
};

/* Lays out (and with ram != NULL writes) the boot information at base; returns its size. */
typedef uint64_t (*ld_info_fn)(const struct guest_ram *ram, uint64_t base, const struct ld_boot *b);

/* The common end of both Multiboot loaders, once the kernel's segments are planned and
 * checked: place the boot information and modules after the kernel, then write everything
 * and fill res (kind, the boot range, the initial CPU state with magic in EAX). */
int ld_mb_finish(const struct ld_ctx *c, const struct guest_ram *ram, const struct ld_plan *plan,
                 uint64_t entry, const char *cmdline, const struct load_module *mods, size_t nmods,
                 ld_info_fn info, int kind, uint32_t magic, struct load_result *res);

/* The common start of both Multiboot loaders: clear the message, check the arguments, and on
 * success zero *res. */
int ld_mb_begin(const struct ld_ctx *c, const uint8_t *img, size_t len,
                const struct load_module *mods, size_t nmods, struct load_result *res);

/* mem_lower / mem_upper in KiB (Multiboot 3.3, Multiboot2 3.6.3). */
void ld_mem_kb(uint64_t ram_size, uint32_t *lower, uint32_t *upper);

struct ld_mmap_entry {
    uint64_t base, length;
    uint32_t type; /* 1 available, 2 reserved */
};
#define LD_MMAP_MAX 3
/* The guest memory map: [0, 639 KiB) available, [639 KiB, 1 MiB) reserved, [1 MiB, size)
 * available (the parts that exist). Returns the entry count. */
size_t ld_mmap(uint64_t ram_size, struct ld_mmap_entry *e);

/* Protected-mode start state of a Multiboot kernel. */
void ld_mb_cpu(struct load_cpu *cpu, uint32_t entry, uint32_t magic, uint32_t info);

#endif
