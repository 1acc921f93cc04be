/*
 * vm/loader_mb1.c - the Multiboot (0.6.96) loader: header (3.1), ELF or a.out-kludge
 * kernel, the Multiboot information structure (3.3) with memory sizes, command line,
 * modules, memory map and loader name, and the protected-mode start (3.2). Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/loader_int.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

/* Multiboot 3.1.2: header flags; bits 0-15 are requirements */
#define MB1_HDR_PAGE_ALIGN 0x00000001u /* modules page-aligned: always done */
#define MB1_HDR_MEMINFO    0x00000002u /* mem_* fields: always given */
#define MB1_HDR_VIDEO      0x00000004u /* video mode table: not given */
#define MB1_HDR_AOUT       0x00010000u /* address fields valid (3.1.3) */
#define MB1_HDR_REQUIRED   0x0000ffffu
#define MB1_HDR_SIZE       12u /* magic, flags, checksum */
#define MB1_HDR_AOUT_SIZE  32u /* + header_addr .. entry_addr */

/* Multiboot 3.3: information structure */
#define MB1_INFO_MEM         0x001u /* flags bit 0: mem_lower, mem_upper */
#define MB1_INFO_CMDLINE     0x004u /* bit 2 */
#define MB1_INFO_MODS        0x008u /* bit 3 */
#define MB1_INFO_MMAP        0x040u /* bit 6 */
#define MB1_INFO_LOADER_NAME 0x200u /* bit 9 */
#define MB1_INFO_SIZE        120u   /* 116 bytes up to the framebuffer fields, 8-aligned */
#define MB1_MOD_SIZE         16u    /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_ENTRY       24u    /* size (= 20), base_addr, length, type */

/* Lay out (and with ram != NULL write) the information structure at base; returns its
 * size. Order: info, module structures, memory map, strings. */
static uint64_t mb1_info(const struct guest_ram *ram, uint64_t base, const struct ld_boot *b)
{
    struct ld_mmap_entry map[LD_MMAP_MAX];
    size_t nmap = ld_mmap(b->ram_size, map);
    uint64_t mods_at = base + MB1_INFO_SIZE;
    uint64_t mmap_at = mods_at + (uint64_t)MB1_MOD_SIZE * b->nmods;
    uint64_t str = mmap_at + (uint64_t)MB1_MMAP_ENTRY * nmap;
    uint64_t cmdline_at = str;
    str += strlen(b->cmdline) + 1;
    uint64_t name_at = str;
    str += sizeof(LOADER_NAME);
    uint64_t size = ld_align(str - base, 8);
    for (size_t i = 0; i < b->nmods; i++) {
        const char *s = b->mods[i].cmdline != NULL ? b->mods[i].cmdline : "";
        size_t n = strlen(s) + 1;
        if (ram != NULL) {
            uint64_t m = mods_at + (uint64_t)MB1_MOD_SIZE * i, start = base + b->rel[i];
            ld_zero(ram, m, MB1_MOD_SIZE);
            ld_put32(ram, m, (uint32_t)start);                        /* mod_start */
            ld_put32(ram, m + 4, (uint32_t)(start + b->mods[i].len)); /* mod_end */
            ld_put32(ram, m + 8, (uint32_t)str);                      /* string */
            ld_copy(ram, str, s, n);
        }
        str += n;
        size = ld_align(str - base, 8);
    }
    if (ram == NULL)
        return size;

    ld_zero(ram, base, MB1_INFO_SIZE);
    uint32_t lower, upper;
    ld_mem_kb(b->ram_size, &lower, &upper);
    ld_put32(ram, base + 0,
             MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
                 MB1_INFO_LOADER_NAME);
    ld_put32(ram, base + 4, lower);
    ld_put32(ram, base + 8, upper);
    ld_put32(ram, base + 16, (uint32_t)cmdline_at);
    ld_put32(ram, base + 20, (uint32_t)b->nmods);
    ld_put32(ram, base + 24, (uint32_t)mods_at);
    ld_put32(ram, base + 44, (uint32_t)(MB1_MMAP_ENTRY * nmap)); /* mmap_length */
    ld_put32(ram, base + 48, (uint32_t)mmap_at);                 /* mmap_addr: a size field */
    ld_put32(ram, base + 64, (uint32_t)name_at);
    for (size_t i = 0; i < nmap; i++) {
        uint64_t e = mmap_at + (uint64_t)MB1_MMAP_ENTRY * i;
        ld_put32(ram, e, MB1_MMAP_ENTRY - 4); /* size excludes itself */
        ld_put64(ram, e + 4, map[i].base);
        ld_put64(ram, e + 12, map[i].length);
        ld_put32(ram, e + 20, map[i].type);
    }
    ld_copy(ram, cmdline_at, b->cmdline, strlen(b->cmdline) + 1);
    ld_copy(ram, name_at, LOADER_NAME, sizeof(LOADER_NAME));
    return size;
}

static int mb1_check_flags(const struct ld_ctx *c, size_t off, uint32_t flags)
{
    uint32_t unmet = flags & MB1_HDR_REQUIRED & ~(MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMINFO);
    if (unmet & MB1_HDR_VIDEO) {
        fmt_msg(c->err, c->errlen,
                "Multiboot header at offset 0x%lx: flags 0x%08x require a video mode (bit 2), "
                "which this loader does not set",
                LDX(off), flags);
        return LOADER_ERR_FLAGS;
    }
    if (unmet != 0) {
        fmt_msg(c->err, c->errlen,
                "Multiboot header at offset 0x%lx: flags 0x%08x have required bits 0x%04x this "
                "loader does not know (it supports bits 0, 1 and 16)",
                LDX(off), flags, unmet);
        return LOADER_ERR_FLAGS;
    }
    return LOADER_OK;
}

int loader_load_multiboot1(const uint8_t *img, size_t len, const char *cmdline,
                           const struct load_module *mods, size_t nmods,
                           const struct guest_ram *ram, const struct gpa_range *reserved,
                           size_t nreserved, struct load_result *res, char *err, size_t errlen)
{
    struct ld_ctx c = {ram, reserved, nreserved, true, err, errlen};
    int rc = ld_mb_begin(&c, img, len, mods, nmods, res);
    if (rc != LOADER_OK)
        return rc;

    size_t off;
    rc = ld_find_header(&c, img, len, LOADER_MB1_HEADER_MAGIC, 4, LOADER_MB1_SEARCH, MB1_HDR_SIZE,
                        3, "Multiboot", &off);
    if (rc != LOADER_OK)
        return rc;
    uint32_t flags = rd32(img + off + 4);
    rc = mb1_check_flags(&c, off, flags);
    if (rc != LOADER_OK)
        return rc;

    struct ld_plan plan;
    uint64_t entry;
    if (flags & MB1_HDR_AOUT) {
        if (off + MB1_HDR_AOUT_SIZE > len) {
            fmt_msg(err, errlen,
                    "Multiboot header at offset 0x%lx: flags bit 16 needs %u header bytes, the "
                    "image ends after %lu",
                    LDX(off), MB1_HDR_AOUT_SIZE, LDX(len - off));
            return LOADER_ERR_HEADER_TRUNCATED;
        }
        if (off + MB1_HDR_AOUT_SIZE > LOADER_MB1_SEARCH) { /* Multiboot 3.1.1 */
            fmt_msg(err, errlen,
                    "Multiboot header at offset 0x%lx with address fields ends at 0x%lx, past "
                    "the first %u bytes of the image",
                    LDX(off), LDX(off + MB1_HDR_AOUT_SIZE), LOADER_MB1_SEARCH);
            return LOADER_ERR_HEADER_TOO_FAR;
        }
        const uint8_t *h = img + off;
        struct ld_aout a = {rd32(h + 12), rd32(h + 16), rd32(h + 20), rd32(h + 24)};
        entry = rd32(h + 28);
        rc = ld_plan_aout(&c, img, len, off, &a, "Multiboot a.out kludge (flags bit 16)", &plan);
    } else {
        rc = ld_plan_elf(&c, img, len, &plan, &entry); /* Multiboot 3.1.2: ELF unless bit 16 */
    }
    if (rc == LOADER_OK)
        rc = ld_plan_check(&c, &plan, entry);
    if (rc != LOADER_OK)
        return rc;

    return ld_mb_finish(&c, ram, &plan, entry, cmdline, mods, nmods, mb1_info, LOAD_MULTIBOOT1,
                        LOADER_MB1_BOOT_MAGIC, res);
}
