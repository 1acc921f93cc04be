/*
 * guests/lib/mb.c - Multiboot v1 and v2 information parser of the test guests (pure).
 * Layouts: Multiboot Specification 0.6.96 section 3.3 (v1), Multiboot2 Specification 1.0
 * section 3.6 (v2).
 */
#include "guests/lib/mb.h"
#include "platform/fmt.h"

#include <string.h>

/* Multiboot 0.6.96 3.3: offsets in the v1 information structure and its flag bits. */
#define MB1_FLAG_MEM        (1u << 0)
#define MB1_FLAG_CMDLINE    (1u << 2)
#define MB1_FLAG_MMAP       (1u << 6)
#define MB1_FLAG_LOADER     (1u << 9)
#define MB1_OFF_MEM_LOWER   4
#define MB1_OFF_MEM_UPPER   8
#define MB1_OFF_CMDLINE     16
#define MB1_OFF_MMAP_LENGTH 44
#define MB1_OFF_MMAP_ADDR   48
#define MB1_OFF_LOADER      64
#define MB1_MMAP_ENTRY_MIN  20 /* size field excluded: base 8, length 8, type 4 */

/* Multiboot2 3.6: tag types and layouts. */
#define MB2_TAG_END        0
#define MB2_TAG_CMDLINE    1
#define MB2_TAG_LOADER     2
#define MB2_TAG_MEMINFO    4
#define MB2_TAG_MMAP       6
#define MB2_HEADER_SIZE    8  /* total_size, reserved */
#define MB2_TAG_HEADER     8  /* type, size */
#define MB2_MMAP_HEADER    16 /* type, size, entry_size, entry_version */
#define MB2_MMAP_ENTRY_MIN 20

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static const uint8_t *phys(uint32_t addr)
{
    return (const uint8_t *)(uintptr_t)addr;
}

/* Copies a NUL-terminated string of at most max bytes (the terminator included) into dst. */
static void copy_string(char *dst, const uint8_t *src, size_t max)
{
    size_t n = 0;
    while (n < max && n + 1 < MB_STRING_MAX && src[n] != '\0') {
        dst[n] = (char)src[n];
        n++;
    }
    dst[n] = '\0';
}

static void add_mmap(struct mb_info *mi, uint64_t addr, uint64_t len, uint32_t type)
{
    if (mi->mmap_count >= MB_MMAP_MAX) {
        mi->mmap_dropped++;
        return;
    }
    mi->mmap[mi->mmap_count].addr = addr;
    mi->mmap[mi->mmap_count].len = len;
    mi->mmap[mi->mmap_count].type = type;
    mi->mmap_count++;
}

static int mb1_parse(const uint8_t *p, struct mb_info *mi, char *msg, size_t msglen)
{
    mi->flags = rd32(p);
    if (mi->flags & MB1_FLAG_MEM) {
        mi->has_meminfo = true;
        mi->mem_lower = rd32(p + MB1_OFF_MEM_LOWER);
        mi->mem_upper = rd32(p + MB1_OFF_MEM_UPPER);
    }
    if ((mi->flags & MB1_FLAG_CMDLINE) && rd32(p + MB1_OFF_CMDLINE)) {
        mi->has_cmdline = true;
        copy_string(mi->cmdline, phys(rd32(p + MB1_OFF_CMDLINE)), MB_STRING_MAX);
    }
    if ((mi->flags & MB1_FLAG_LOADER) && rd32(p + MB1_OFF_LOADER)) {
        mi->has_loader = true;
        copy_string(mi->loader, phys(rd32(p + MB1_OFF_LOADER)), MB_STRING_MAX);
    }
    if (mi->flags & MB1_FLAG_MMAP) {
        uint32_t len = rd32(p + MB1_OFF_MMAP_LENGTH);
        const uint8_t *e = phys(rd32(p + MB1_OFF_MMAP_ADDR));
        mi->has_mmap = true;
        /* Each entry: size (of the rest), base_addr, length, type; the next follows size + 4
         * bytes further (Multiboot 0.6.96 3.3). */
        for (uint32_t off = 0; off + 4 <= len;) {
            uint32_t size = rd32(e + off);
            if (size < MB1_MMAP_ENTRY_MIN || off + 4 + size > len) {
                fmt_msg(msg, msglen, "multiboot1 memory map entry at offset %u: size %u", off,
                        size);
                return MB_ERR_FORMAT;
            }
            add_mmap(mi, rd64(e + off + 4), rd64(e + off + 12), rd32(e + off + 20));
            off += 4 + size;
        }
    }
    return MB_OK;
}

static int mb2_mmap(const uint8_t *t, uint32_t size, struct mb_info *mi, char *msg, size_t msglen)
{
    uint32_t esize = size >= MB2_MMAP_HEADER ? rd32(t + 8) : 0;
    if (esize < MB2_MMAP_ENTRY_MIN) {
        fmt_msg(msg, msglen, "multiboot2 memory map: entry size %u", esize);
        return MB_ERR_FORMAT;
    }
    mi->has_mmap = true;
    for (uint32_t off = MB2_MMAP_HEADER; off + esize <= size; off += esize)
        add_mmap(mi, rd64(t + off), rd64(t + off + 8), rd32(t + off + 16));
    return MB_OK;
}

static int mb2_parse(const uint8_t *p, struct mb_info *mi, char *msg, size_t msglen)
{
    uint32_t total = rd32(p);
    if (total < MB2_HEADER_SIZE + MB2_TAG_HEADER) {
        fmt_msg(msg, msglen, "multiboot2 information: total size %u", total);
        return MB_ERR_FORMAT;
    }
    /* Tags follow the 8-byte header, each 8-byte aligned, until the end tag (Multiboot2 3.6). */
    for (uint32_t off = MB2_HEADER_SIZE; off + MB2_TAG_HEADER <= total;) {
        const uint8_t *t = p + off;
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (size < MB2_TAG_HEADER || size > total - off) {
            fmt_msg(msg, msglen, "multiboot2 tag type %u at offset %u: size %u", type, off, size);
            return MB_ERR_FORMAT;
        }
        if (type == MB2_TAG_END)
            return MB_OK;
        if (type < 32)
            mi->flags |= 1u << type;
        switch (type) {
        case MB2_TAG_CMDLINE:
            mi->has_cmdline = true;
            copy_string(mi->cmdline, t + MB2_TAG_HEADER, size - MB2_TAG_HEADER);
            break;
        case MB2_TAG_LOADER:
            mi->has_loader = true;
            copy_string(mi->loader, t + MB2_TAG_HEADER, size - MB2_TAG_HEADER);
            break;
        case MB2_TAG_MEMINFO:
            if (size >= MB2_TAG_HEADER + 8) {
                mi->has_meminfo = true;
                mi->mem_lower = rd32(t + 8);
                mi->mem_upper = rd32(t + 12);
            }
            break;
        case MB2_TAG_MMAP: {
            int err = mb2_mmap(t, size, mi, msg, msglen);
            if (err)
                return err;
            break;
        }
        default:
            break;
        }
        off += (size + 7) & ~7u;
    }
    fmt_msg(msg, msglen, "multiboot2 information: no end tag within %u bytes", total);
    return MB_ERR_FORMAT;
}

int mb_parse(uint32_t magic, const void *info, struct mb_info *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof(*out));
    out->magic = magic;
    if (magic != MB1_BOOTLOADER_MAGIC && magic != MB2_BOOTLOADER_MAGIC) {
        fmt_msg(msg, msglen, "magic 0x%08x is neither multiboot1 (0x%08x) nor multiboot2 (0x%08x)",
                (unsigned)magic, MB1_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
        return MB_ERR_MAGIC;
    }
    out->version = magic == MB1_BOOTLOADER_MAGIC ? 1 : 2;
    if (info == NULL) {
        fmt_msg(msg, msglen, "multiboot%u information pointer is 0", out->version);
        return MB_ERR_NULL;
    }
    return out->version == 1 ? mb1_parse(info, out, msg, msglen)
                             : mb2_parse(info, out, msg, msglen);
}

const char *mb_mmap_type_name(uint32_t type)
{
    switch (type) {
    case MB_MEMORY_AVAILABLE:
        return "usable";
    case MB_MEMORY_ACPI_RECLAIMABLE:
        return "ACPI";
    case MB_MEMORY_NVS:
        return "ACPI NVS";
    case MB_MEMORY_BADRAM:
        return "bad";
    default:
        return "reserved";
    }
}

uint64_t mb_usable_bytes(const struct mb_info *mi)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < mi->mmap_count; i++)
        if (mi->mmap[i].type == MB_MEMORY_AVAILABLE)
            sum += mi->mmap[i].len;
    return sum;
}

bool mb_usable_overlaps(const struct mb_info *mi, uint64_t lo, uint64_t hi)
{
    for (uint32_t i = 0; i < mi->mmap_count; i++) {
        const struct mb_mmap_entry *e = &mi->mmap[i];
        if (e->type == MB_MEMORY_AVAILABLE && e->len && e->addr < hi && e->addr + e->len > lo)
            return true;
    }
    return false;
}
