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
/* A base, a multiple of align (a power of two), with [base, base + need) inside [lo, hi),
 * guest RAM, and clear of the reserved ranges, the legacy hole (if c->legacy_hole) and the
 * `navoid` ranges of `avoid`: the lowest such base, or with top_down the highest.
 * LOADER_ERR_NO_SPACE with a message naming `what` when there is none. */
int ld_find(const struct ld_ctx *c, const char *what, uint64_t lo, uint64_t hi, uint64_t need,
            uint64_t align, bool top_down, const struct gpa_range *avoid, size_t navoid,
            uint64_t *base);

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

/* ---- Linux (loader_linux.c, loader_linux_boot.c) ---- */

/* Setup header fields, at the same offsets in the bzImage and in boot_params (boot.rst, "The
 * Real-Mode Kernel Header"; the protocol version that brought each one in brackets). */
#define LX_SETUP_SECTS      0x1F1 /* u8  ALL: 0 means 4 */
#define LX_SYSSIZE          0x1F4 /* u32 2.04+: protected-mode code in 16-byte units */
#define LX_BOOT_FLAG        0x1FE /* u16 ALL: 0xAA55 */
#define LX_JUMP             0x200 /* u16 2.00+: 0xEB, then the header length - 2 */
#define LX_VERSION          0x206 /* u16 2.00+ */
#define LX_KERNEL_VERSION   0x20E /* u16 2.00+: version string offset - 0x200 */
#define LX_TYPE_OF_LOADER   0x210 /* u8  2.00+ (write) */
#define LX_LOADFLAGS        0x211 /* u8  2.00+ */
#define LX_CODE32_START     0x214 /* u32 2.00+ (write when relocated) */
#define LX_RAMDISK_IMAGE    0x218 /* u32 2.00+ (write) */
#define LX_RAMDISK_SIZE     0x21C /* u32 2.00+ (write) */
#define LX_CMD_LINE_PTR     0x228 /* u32 2.02+ (write) */
#define LX_INITRD_ADDR_MAX  0x22C /* u32 2.03+: highest byte the initrd may occupy */
#define LX_KERNEL_ALIGNMENT 0x230 /* u32 2.05+ (2.10+: may be lowered by the loader) */
#define LX_RELOCATABLE      0x234 /* u8  2.05+ */
#define LX_MIN_ALIGNMENT    0x235 /* u8  2.10+: log2 of the least alignment */
#define LX_XLOADFLAGS       0x236 /* u16 2.12+ */
#define LX_CMDLINE_SIZE     0x238 /* u32 2.06+: most command-line bytes, without the NUL */
#define LX_PREF_ADDRESS     0x258 /* u64 2.10+ */
#define LX_INIT_SIZE        0x260 /* u32 2.10+: bytes needed from the load address */
#define LX_HDR_END_206      0x23C /* the header must reach past cmdline_size (2.06) */
#define LX_HDR_END_210      0x264 /* ... and past init_size (2.10) */
#define LX_HDR_END_MAX      0x290 /* boot_params: edd_mbr_sig_buffer follows the header */

#define LX_LOADED_HIGH    0x01u   /* loadflags bit 0: protected-mode code at 0x100000 */
#define LX_XLF_KERNEL_64  0x0001u /* xloadflags bit 0: 64-bit entry at +0x200 */
#define LX_ENTRY64        0x200u
#define LX_TYPE_UNDEFINED 0xFFu       /* type_of_loader: no assigned id */
#define LX_INITRD_MAX_OLD 0x37FFFFFFu /* initrd_addr_max before 2.03 */
#define LX_BZIMAGE_LOAD   0x100000ull /* boot.rst "Loading The Rest of The Kernel" */

/* boot_params fields (Documentation/arch/x86/zero-page.rst). */
#define BP_ACPI_RSDP_ADDR    0x070 /* u64 */
#define BP_EXT_RAMDISK_IMAGE 0x0C0 /* u32: ramdisk_image high 32 bits */
#define BP_EXT_RAMDISK_SIZE  0x0C4 /* u32 */
#define BP_EXT_CMD_LINE_PTR  0x0C8 /* u32 */
#define BP_E820_ENTRIES      0x1E8 /* u8 */
#define BP_E820_TABLE        0x2D0 /* 128 entries of {u64 addr, u64 size, u32 type} */
#define BP_E820_MAX          128
#define BP_E820_ENTRY        20u

/* The boot area: boot_params, the GDT, the page tables (PML4, PDPT, four page directories of
 * 2 MiB pages: the first 4 GiB identity-mapped), then the command line. */
#define LX_OFF_BOOT_PARAMS 0x0000u
#define LX_OFF_GDT         0x1000u
#define LX_OFF_PML4        0x2000u
#define LX_OFF_PDPT        0x3000u
#define LX_OFF_PD          0x4000u
#define LX_OFF_CMDLINE     0x8000u
#define LX_PD_COUNT        4u
#define LX_GDT_ENTRIES     4u

/* e820 types (ACPI 6.4 15.1, Table 15.1: address range types) */
#define LX_E820_RAM      1u
#define LX_E820_RESERVED 2u
#define LX_E820_ACPI     3u
#define LX_E820_SLOTS    (2u * (LOADER_LINUX_MAX_RESERVED + 6u))

struct lx_e820 {
    uint64_t addr, size;
    uint32_t type;
};

/* Everything the Linux loader decided, before it writes anything. */
struct lx_plan {
    const uint8_t *img;
    uint64_t hdr_end;  /* the setup header is [0x1F1, hdr_end) of the image */
    const uint8_t *pm; /* the protected-mode kernel: image bytes after the setup code */
    uint64_t pm_len;
    uint64_t load, span;       /* the kernel at [load, load + span): span covers init_size */
    uint32_t kernel_alignment; /* the alignment it was placed with */
    bool alignment_lowered;    /* smaller than the header's: written back (2.10+) */
    uint64_t boot, boot_size;  /* the boot area */
    const char *cmdline;
    uint64_t cmdline_len;
    const uint8_t *initrd;
    uint64_t initrd_gpa, initrd_len;
    const uint8_t *acpi;
    uint64_t acpi_gpa, acpi_len, rsdp_gpa;
    bool entry32;
    struct lx_e820 e820[LX_E820_SLOTS];
    size_t ne820;
};

/* The e820 map of a guest: [0, 0x9FC00) and [1 MiB, min(ram_size, LOADER_MMIO_BASE)) RAM,
 * [0x9FC00, 1 MiB), every reserved range and the IOAPIC and LAPIC pages reserved, the ACPI
 * range [acpi_base, acpi_end) (if not empty) ACPI data; sorted, adjacent entries of one type
 * merged. Returns the entry count (at most LX_E820_SLOTS). */
size_t lx_e820_build(uint64_t ram_size, const struct gpa_range *reserved, size_t nreserved,
                     uint64_t acpi_base, uint64_t acpi_end, struct lx_e820 *out);
/* Writes the boot area (boot_params, GDT, page tables, command line), the kernel, the initrd
 * and the ACPI tables of a checked plan. */
void lx_write(const struct guest_ram *ram, const struct lx_plan *p);
/* The start state of a written plan. */
void lx_cpu(struct load_cpu *cpu, const struct lx_plan *p);

#endif
