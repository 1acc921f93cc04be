/* Multiboot2 boot-information parser: walks the tag list of the info block (Multiboot2 3.6),
 * checks every size and string against the block's bounds, and copies out the command line,
 * loader name, basic memory info, memory map, modules, the ACPI RSDP copies and the EFI tags
 * (system table pointer, EFI memory map: platform/mb2_efi.c). Pure code. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform/mb2.h"
#include "platform/bytes.h"
#include "platform/mb2_efi.h"
#include "platform/fmt.h"

/* Multiboot2 3.6.2: fixed part and tag header are 8 bytes each */
#define MB2_HDR_SIZE      8u
#define MB2_TAG_ALIGN     8u
#define MB2_MMAP_HDR_SIZE 16u /* type, size, entry_size, entry_version: 3.6.8 */
#define MB2_MMAP_ENTRY    24u /* base u64, length u64, type u32, reserved u32: 3.6.8 */
#define MB2_MODULE_HDR    16u /* type, size, mod_start, mod_end: 3.6.6 */
#define MB2_MEMINFO_SIZE  16u /* type, size, mem_lower, mem_upper: 3.6.3 */
#define MB2_RSDP_V1_LEN   20u /* ACPI 6.4 5.2.5.3: ACPI 1.0 RSDP */
#define MB2_RSDP_V2_LEN   36u /* ACPI 6.4 5.2.5.3: ACPI 2.0+ RSDP */

static const char *const mb2_error_names[] = {
    [0] = "ok",
    [-MB2_ERR_BAD_ARG] = "bad argument",
    [-MB2_ERR_BAD_MAGIC] = "not loaded by a Multiboot2 loader (bad magic)",
    [-MB2_ERR_MISALIGNED] = "info block not 8-byte aligned",
    [-MB2_ERR_TOTAL_TOO_SMALL] = "total_size smaller than 8",
    [-MB2_ERR_TOTAL_TOO_LARGE] = "total_size larger than the readable bound",
    [-MB2_ERR_TAG_TOO_SMALL] = "tag size smaller than 8",
    [-MB2_ERR_TAG_OVERRUN] = "tag runs past total_size",
    [-MB2_ERR_TAG_PADDING] = "tag padding runs past total_size",
    [-MB2_ERR_NO_END_TAG] = "no end tag",
    [-MB2_ERR_END_TAG_SIZE] = "end tag size is not 8",
    [-MB2_ERR_END_NOT_LAST] = "end tag is not at the end",
    [-MB2_ERR_TAG_SHORT] = "tag shorter than its fixed fields",
    [-MB2_ERR_UNTERMINATED] = "string not NUL-terminated within its tag",
    [-MB2_ERR_MMAP_ENTRY_SIZE] = "memory map entry_size invalid",
    [-MB2_ERR_MMAP_VERSION] = "memory map entry_version not 0",
    [-MB2_ERR_MMAP_ENTRIES] = "memory map entries do not fit the tag",
    [-MB2_ERR_DUPLICATE_TAG] = "duplicate tag",
    [-MB2_ERR_MODULE_RANGE] = "module end before start",
    [-MB2_ERR_RSDP_SHORT] = "ACPI RSDP tag too short",
    [-MB2_ERR_NO_MMAP] = "no memory map tag (nor an EFI memory map tag)",
    [-MB2_ERR_EFI_DESC_SIZE] = "EFI memory map descriptor_size too small",
    [-MB2_ERR_EFI_ENTRIES] = "EFI memory map descriptors do not fit the tag",
    [-MB2_ERR_EFI_RANGE] = "EFI memory map descriptor misaligned or past 2^64",
};

const char *mb2_error_str(int err)
{
    if (err > 0 || -err >= (int)(sizeof(mb2_error_names) / sizeof(mb2_error_names[0])))
        return "unknown error";
    return mb2_error_names[-err];
}

int mb2_check_magic(uint32_t eax)
{
    return eax == MB2_BOOTLOADER_MAGIC ? MB2_OK : MB2_ERR_BAD_MAGIC; /* Multiboot2 3.3 */
}

/* A string field occupies tag bytes [start, size) and must hold a NUL there. */
static int mb2_string(const uint8_t *tag, uint32_t start, uint32_t size, uint32_t off,
                      const char *what, const char **out, char *msg, size_t msg_len)
{
    for (uint32_t i = start; i < size; i++) {
        if (tag[i] == '\0') {
            *out = (const char *)(tag + start);
            return MB2_OK;
        }
    }
    fmt_msg(msg, msg_len, "%s tag at offset %u: no NUL within its %u bytes", what, off, size);
    return MB2_ERR_UNTERMINATED;
}

static int mb2_duplicate(bool *seen, const char *what, uint32_t off, char *msg, size_t msg_len)
{
    if (*seen) {
        fmt_msg(msg, msg_len, "second %s tag at offset %u", what, off);
        return MB2_ERR_DUPLICATE_TAG;
    }
    *seen = true;
    return MB2_OK;
}

static int mb2_too_short(const char *what, uint32_t off, uint32_t size, uint32_t need, char *msg,
                         size_t msg_len)
{
    fmt_msg(msg, msg_len, "%s tag at offset %u: size %u, needs at least %u", what, off, size, need);
    return MB2_ERR_TAG_SHORT;
}

/* Multiboot2 3.6.8 */
static int mb2_mmap(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                    char *msg, size_t msg_len)
{
    if (size < MB2_MMAP_HDR_SIZE)
        return mb2_too_short("memory map", off, size, MB2_MMAP_HDR_SIZE, msg, msg_len);
    uint32_t esize = rd32(tag + 8);
    uint32_t version = rd32(tag + 12);
    if (esize < MB2_MMAP_ENTRY || esize % 8 != 0) {
        fmt_msg(msg, msg_len,
                "memory map tag at offset %u: entry_size %u (needs >= 24, multiple of 8)", off,
                esize);
        return MB2_ERR_MMAP_ENTRY_SIZE;
    }
    if (version != 0) {
        fmt_msg(msg, msg_len, "memory map tag at offset %u: entry_version %u, expected 0", off,
                version);
        return MB2_ERR_MMAP_VERSION;
    }
    uint32_t bytes = size - MB2_MMAP_HDR_SIZE;
    if (bytes % esize != 0) {
        fmt_msg(
            msg, msg_len,
            "memory map tag at offset %u: %u bytes of entries is not a multiple of entry_size %u",
            off, bytes, esize);
        return MB2_ERR_MMAP_ENTRIES;
    }
    out->mmap_total = bytes / esize;
    for (size_t i = 0; i < out->mmap_total; i++) {
        const uint8_t *e = tag + MB2_MMAP_HDR_SIZE + i * esize;
        if (out->mmap_count == out->mmap_cap || out->mmap == NULL) {
            out->mmap_overflow = true;
            break;
        }
        struct mb2_mmap_entry *m = &out->mmap[out->mmap_count++];
        m->base = rd64(e);
        m->length = rd64(e + 8);
        m->type = rd32(e + 16);
    }
    return MB2_OK;
}

/* Multiboot2 3.6.6 */
static int mb2_module(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                      char *msg, size_t msg_len)
{
    const char *cmdline;

    if (size < MB2_MODULE_HDR)
        return mb2_too_short("module", off, size, MB2_MODULE_HDR, msg, msg_len);
    uint32_t start = rd32(tag + 8);
    uint32_t end = rd32(tag + 12);
    if (end < start) {
        fmt_msg(msg, msg_len, "module tag at offset %u: end 0x%x before start 0x%x", off, end,
                start);
        return MB2_ERR_MODULE_RANGE;
    }
    int rc = mb2_string(tag, MB2_MODULE_HDR, size, off, "module", &cmdline, msg, msg_len);
    if (rc != MB2_OK)
        return rc;
    out->modules_total++;
    if (out->modules == NULL || out->modules_count == out->modules_cap) {
        out->modules_overflow = true;
        return MB2_OK;
    }
    struct mb2_module *m = &out->modules[out->modules_count++];
    m->start = start;
    m->end = end;
    m->cmdline = cmdline;
    return MB2_OK;
}

struct mb2_seen {
    bool cmdline, loader, meminfo, mmap, rsdp_old, rsdp_new, efi32, efi64, efi_mmap, efi_bs;
    const void *rsdp_old_p, *rsdp_new_p;
    size_t rsdp_old_len, rsdp_new_len;
    const uint8_t *efi_mmap_tag; /* converted after the walk when there is no tag 6 */
    uint32_t efi_mmap_size;
    uint64_t efi32_p;
};

/* Multiboot2 3.6.16 / 3.6.17: the tag holds a copy of the RSDP after its 8-byte header */
static int mb2_rsdp(const uint8_t *tag, uint32_t size, uint32_t off, bool is_new,
                    struct mb2_seen *seen, char *msg, size_t msg_len)
{
    uint32_t need = is_new ? MB2_RSDP_V2_LEN : MB2_RSDP_V1_LEN;
    const char *what = is_new ? "ACPI new RSDP" : "ACPI old RSDP";

    int rc = mb2_duplicate(is_new ? &seen->rsdp_new : &seen->rsdp_old, what, off, msg, msg_len);
    if (rc != MB2_OK)
        return rc;
    if (size - MB2_HDR_SIZE < need) {
        fmt_msg(msg, msg_len, "%s tag at offset %u: %u bytes of RSDP, needs %u", what, off,
                size - MB2_HDR_SIZE, need);
        return MB2_ERR_RSDP_SHORT;
    }
    if (is_new) {
        seen->rsdp_new_p = tag + MB2_HDR_SIZE;
        seen->rsdp_new_len = size - MB2_HDR_SIZE;
    } else {
        seen->rsdp_old_p = tag + MB2_HDR_SIZE;
        seen->rsdp_old_len = size - MB2_HDR_SIZE;
    }
    return MB2_OK;
}

/* Multiboot2 3.6.13 / 3.6.14: the physical address of the EFI system table, 32 or 64 bits */
static int mb2_efi_systab(const uint8_t *tag, uint32_t size, uint32_t off, bool is_64,
                          struct mb2_seen *seen, struct mb2_info *out, char *msg, size_t msg_len)
{
    const char *what = is_64 ? "EFI 64-bit system table" : "EFI 32-bit system table";
    uint32_t need = MB2_HDR_SIZE + (is_64 ? 8u : 4u);

    int rc = mb2_duplicate(is_64 ? &seen->efi64 : &seen->efi32, what, off, msg, msg_len);
    if (rc != MB2_OK)
        return rc;
    if (size < need)
        return mb2_too_short(what, off, size, need, msg, msg_len);
    if (is_64) {
        out->efi_systab = rd64(tag + MB2_HDR_SIZE);
        out->efi_systab_is_64 = true;
    } else {
        seen->efi32_p = rd32(tag + MB2_HDR_SIZE);
    }
    return MB2_OK;
}

static int mb2_tag_efi(const uint8_t *tag, uint32_t type, uint32_t size, uint32_t off,
                       struct mb2_seen *seen, struct mb2_info *out, char *msg, size_t msg_len)
{
    int rc;

    switch (type) {
    case MB2_TAG_EFI32:
    case MB2_TAG_EFI64:
        return mb2_efi_systab(tag, size, off, type == MB2_TAG_EFI64, seen, out, msg, msg_len);
    case MB2_TAG_EFI_MMAP: /* Multiboot2 3.6.19 */
        rc = mb2_duplicate(&seen->efi_mmap, "EFI memory map", off, msg, msg_len);
        if (rc == MB2_OK)
            rc = mb2_efi_mmap_check(tag, size, off, out, msg, msg_len);
        seen->efi_mmap_tag = tag;
        seen->efi_mmap_size = size;
        return rc;
    default: /* MB2_TAG_EFI_BS, Multiboot2 3.6.20: no fields */
        rc = mb2_duplicate(&seen->efi_bs, "EFI boot services", off, msg, msg_len);
        out->efi_boot_services = true;
        return rc;
    }
}

static int mb2_tag(const uint8_t *tag, uint32_t type, uint32_t size, uint32_t off,
                   struct mb2_seen *seen, struct mb2_info *out, char *msg, size_t msg_len)
{
    int rc;

    switch (type) {
    case MB2_TAG_CMDLINE: /* Multiboot2 3.6.5 */
        rc = mb2_duplicate(&seen->cmdline, "command line", off, msg, msg_len);
        if (rc == MB2_OK)
            rc = mb2_string(tag, MB2_HDR_SIZE, size, off, "command line", &out->cmdline, msg,
                            msg_len);
        return rc;
    case MB2_TAG_LOADER_NAME: /* Multiboot2 3.6.9 */
        rc = mb2_duplicate(&seen->loader, "boot loader name", off, msg, msg_len);
        if (rc == MB2_OK)
            rc = mb2_string(tag, MB2_HDR_SIZE, size, off, "boot loader name", &out->loader_name,
                            msg, msg_len);
        return rc;
    case MB2_TAG_MODULE:
        return mb2_module(tag, size, off, out, msg, msg_len);
    case MB2_TAG_MEMINFO: /* Multiboot2 3.6.3 */
        rc = mb2_duplicate(&seen->meminfo, "basic memory info", off, msg, msg_len);
        if (rc != MB2_OK)
            return rc;
        if (size < MB2_MEMINFO_SIZE)
            return mb2_too_short("basic memory info", off, size, MB2_MEMINFO_SIZE, msg, msg_len);
        out->has_meminfo = true;
        out->mem_lower_kb = rd32(tag + 8);
        out->mem_upper_kb = rd32(tag + 12);
        return MB2_OK;
    case MB2_TAG_MMAP:
        rc = mb2_duplicate(&seen->mmap, "memory map", off, msg, msg_len);
        return rc == MB2_OK ? mb2_mmap(tag, size, off, out, msg, msg_len) : rc;
    case MB2_TAG_FRAMEBUFFER: /* Multiboot2 3.6.12: recognised, not used */
        out->has_framebuffer = true;
        return MB2_OK;
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        return mb2_rsdp(tag, size, off, type == MB2_TAG_ACPI_NEW, seen, msg, msg_len);
    case MB2_TAG_EFI32:
    case MB2_TAG_EFI64:
    case MB2_TAG_EFI_MMAP:
    case MB2_TAG_EFI_BS:
        return mb2_tag_efi(tag, type, size, off, seen, out, msg, msg_len);
    default: /* Multiboot2 3.6.2: the OS skips tags it does not understand */
        out->unknown_tags++;
        return MB2_OK;
    }
}

static void mb2_reset(struct mb2_info *out)
{
    struct mb2_mmap_entry *mmap = out->mmap;
    size_t mmap_cap = out->mmap_cap;
    struct mb2_module *modules = out->modules;
    size_t modules_cap = out->modules_cap;

    memset(out, 0, sizeof(*out));
    out->mmap = mmap;
    out->mmap_cap = mmap_cap;
    out->modules = modules;
    out->modules_cap = modules_cap;
}

int mb2_parse(const void *info, size_t avail, struct mb2_info *out, char *msg, size_t msg_len)
{
    const uint8_t *p = info;
    struct mb2_seen seen = {0};

    fmt_msg(msg, msg_len, "%s", "");
    if (info == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL info block or output");
        return MB2_ERR_BAD_ARG;
    }
    mb2_reset(out);
    if ((uintptr_t)info % MB2_TAG_ALIGN != 0) { /* Multiboot2 3.6.2: start is 8-byte aligned */
        fmt_msg(msg, msg_len, "info block at 0x%lx is not 8-byte aligned",
                (unsigned long)(uintptr_t)info);
        return MB2_ERR_MISALIGNED;
    }
    if (avail < MB2_HDR_SIZE) {
        fmt_msg(msg, msg_len, "only %lu readable bytes, the fixed part needs 8",
                (unsigned long)avail);
        return MB2_ERR_BAD_ARG;
    }
    uint32_t total = rd32(p); /* reserved field at +4 is ignored (3.6.2) */
    if (total < MB2_HDR_SIZE) {
        fmt_msg(msg, msg_len, "total_size %u is smaller than the 8-byte fixed part", total);
        return MB2_ERR_TOTAL_TOO_SMALL;
    }
    if (total > avail) {
        fmt_msg(msg, msg_len, "total_size %u exceeds the %lu readable bytes", total,
                (unsigned long)avail);
        return MB2_ERR_TOTAL_TOO_LARGE;
    }
    out->total_size = total;

    uint32_t off = MB2_HDR_SIZE;
    for (;;) {
        if (total - off < MB2_HDR_SIZE) {
            fmt_msg(msg, msg_len, "tags end at offset %u of total_size %u without an end tag", off,
                    total);
            return MB2_ERR_NO_END_TAG;
        }
        uint32_t type = rd32(p + off);
        uint32_t size = rd32(p + off + 4);
        if (size < MB2_HDR_SIZE) {
            fmt_msg(msg, msg_len, "tag type %u at offset %u: size %u is smaller than 8", type, off,
                    size);
            return MB2_ERR_TAG_TOO_SMALL;
        }
        if (size > total - off) {
            fmt_msg(msg, msg_len, "tag type %u at offset %u: size %u runs past total_size %u", type,
                    off, size, total);
            return MB2_ERR_TAG_OVERRUN;
        }
        if (type == MB2_TAG_END) { /* Multiboot2 3.6.2: type 0, size 8 terminates the list */
            if (size != MB2_HDR_SIZE) {
                fmt_msg(msg, msg_len, "end tag at offset %u: size %u, expected 8", off, size);
                return MB2_ERR_END_TAG_SIZE;
            }
            if (off + MB2_HDR_SIZE != total) {
                fmt_msg(msg, msg_len, "end tag at offset %u, but total_size is %u", off, total);
                return MB2_ERR_END_NOT_LAST;
            }
            break;
        }
        int rc = mb2_tag(p + off, type, size, off, &seen, out, msg, msg_len);
        if (rc != MB2_OK)
            return rc;
        /* Multiboot2 3.6.2: tags are padded so that each starts 8-byte aligned */
        uint64_t padded = ((uint64_t)size + MB2_TAG_ALIGN - 1) & ~(uint64_t)(MB2_TAG_ALIGN - 1);
        if (padded > total - off) {
            fmt_msg(msg, msg_len,
                    "tag type %u at offset %u: size %u padded to %u runs past total_size %u", type,
                    off, size, (unsigned)padded, total);
            return MB2_ERR_TAG_PADDING;
        }
        off += (uint32_t)padded;
    }

    /* Multiboot2 3.6.8 / 3.6.19: the memory-map tag when there is one (GRUB-EFI derives it from
     * the EFI map), else the EFI memory map, converted */
    if (seen.efi_mmap) {
        out->efi_mmap = seen.efi_mmap_tag;
        out->efi_mmap_size = seen.efi_mmap_size;
    }
    if (!seen.mmap && seen.efi_mmap) {
        mb2_efi_mmap_convert(out->efi_mmap, out->efi_mmap_size, out);
    } else if (!seen.mmap) {
        fmt_msg(msg, msg_len,
                "no memory map tag (type 6) nor EFI memory map tag (type 17) in %u bytes of boot "
                "information",
                total);
        return MB2_ERR_NO_MMAP;
    }
    if (!seen.efi64 && seen.efi32) { /* a 64-bit table pointer wins over a 32-bit one */
        out->efi_systab = seen.efi32_p;
        out->efi_systab_is_64 = false;
    }
    if (seen.rsdp_old) {
        out->rsdp_old = seen.rsdp_old_p;
        out->rsdp_old_len = seen.rsdp_old_len;
    }
    if (seen.rsdp_new) {
        out->rsdp = seen.rsdp_new_p;
        out->rsdp_len = seen.rsdp_new_len;
        out->rsdp_is_new = true;
    } else if (seen.rsdp_old) {
        out->rsdp = seen.rsdp_old_p;
        out->rsdp_len = seen.rsdp_old_len;
    }
    return MB2_OK;
}

bool mb2_booted_by_efi(const struct mb2_info *mb)
{
    return mb->efi_systab != 0 || mb->has_efi_mmap || mb->efi_boot_services;
}
