/*
 * vm/loader_mb2.c - the Multiboot2 (2.0) loader: header and tags (3.1), ELF or
 * address-tag kernel, the boot information (3.6: command line, loader name, modules, basic
 * memory information, memory map) and the protected-mode start (3.3). Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/loader_int.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

/* Multiboot2 3.1.1-3.1.3: header */
#define MB2_HDR_SIZE      16u /* magic, architecture, header_length, checksum */
#define MB2_ARCH_I386     0u
#define MB2_TAG_OPTIONAL  0x1u /* tag flags bit 0 */
#define MB2_HDR_END       0
#define MB2_HDR_INFO_REQ  1  /* 3.1.4 */
#define MB2_HDR_ADDRESS   2  /* 3.1.5 */
#define MB2_HDR_ENTRY     3  /* 3.1.6 */
#define MB2_HDR_EFI32     8  /* 3.1.7 */
#define MB2_HDR_EFI64     9  /* 3.1.8 */
#define MB2_HDR_CONSOLE   4  /* 3.1.9 */
#define MB2_HDR_FB        5  /* 3.1.10 */
#define MB2_HDR_MOD_ALIGN 6  /* 3.1.11 */
#define MB2_HDR_EFI_BS    7  /* 3.1.12 */
#define MB2_HDR_RELOC     10 /* 3.1.13 */

/* Multiboot2 3.6: boot information tags this loader gives */
#define MB2_INFO_CMDLINE 1 /* 3.6.5 */
#define MB2_INFO_NAME    2 /* 3.6.9 */
#define MB2_INFO_MODULE  3 /* 3.6.6 */
#define MB2_INFO_MEMINFO 4 /* 3.6.3 */
#define MB2_INFO_MMAP    6 /* 3.6.8 */
#define MB2_MMAP_ENTRY   24u

static const char *const mb2_info_names[] = {
    "end",
    "command line",
    "boot loader name",
    "modules",
    "basic memory info",
    "boot device",
    "memory map",
    "VBE info",
    "framebuffer",
    "ELF sections",
    "APM table",
    "EFI32 table",
    "EFI64 table",
    "SMBIOS",
    "ACPI old RSDP",
    "ACPI new RSDP",
    "network",
    "EFI memory map",
    "EFI boot services not terminated",
    "EFI32 image handle",
    "EFI64 image handle",
    "load base address",
};

static const char *mb2_info_name(uint32_t type)
{
    return type < sizeof(mb2_info_names) / sizeof(mb2_info_names[0]) ? mb2_info_names[type]
                                                                     : "unknown";
}

/* What the header tags ask for. */
struct mb2_req {
    bool has_addr, has_entry;
    struct ld_aout addr;
    uint32_t entry;
};

/* Smallest size of each header tag type this loader reads (3.1.4-3.1.13). */
static uint32_t mb2_tag_min(uint16_t type)
{
    switch (type) {
    case MB2_HDR_ADDRESS:
    case MB2_HDR_RELOC:
        return 24;
    case MB2_HDR_ENTRY:
    case MB2_HDR_EFI32:
    case MB2_HDR_EFI64:
    case MB2_HDR_CONSOLE:
        return 12;
    case MB2_HDR_FB:
        return 20;
    default:
        return 8;
    }
}

static int mb2_info_request(const struct ld_ctx *c, const uint8_t *t, uint32_t size, uint32_t at,
                            bool optional)
{
    if ((size - 8) % 4 != 0) {
        fmt_msg(c->err, c->errlen,
                "Multiboot2 information request tag at header offset 0x%x: size %u is not 8 + "
                "4n",
                at, size);
        return LOADER_ERR_TAG;
    }
    for (uint32_t i = 8; i < size && !optional; i += 4) {
        uint32_t type = rd32(t + i);
        if (type == MB2_INFO_CMDLINE || type == MB2_INFO_NAME || type == MB2_INFO_MODULE ||
            type == MB2_INFO_MEMINFO || type == MB2_INFO_MMAP)
            continue;
        fmt_msg(c->err, c->errlen,
                "Multiboot2 information request tag at header offset 0x%x requires tag type %u "
                "(%s), which this loader does not give (it gives 1, 2, 3, 4 and 6)",
                at, type, mb2_info_name(type));
        return LOADER_ERR_INFO_REQUEST;
    }
    return LOADER_OK;
}

/* One header tag other than the end tag. */
static int mb2_tag(const struct ld_ctx *c, const uint8_t *t, uint32_t at, struct mb2_req *req)
{
    uint16_t type = rd16(t), flags = rd16(t + 2);
    uint32_t size = rd32(t + 4);
    bool optional = (flags & MB2_TAG_OPTIONAL) != 0;
    const char *need = NULL;
    switch (type) {
    case MB2_HDR_INFO_REQ:
        return mb2_info_request(c, t, size, at, optional);
    case MB2_HDR_ADDRESS:
        req->has_addr = true;
        req->addr.header_addr = rd32(t + 8);
        req->addr.load_addr = rd32(t + 12);
        req->addr.load_end_addr = rd32(t + 16);
        req->addr.bss_end_addr = rd32(t + 20);
        return LOADER_OK;
    case MB2_HDR_ENTRY:
        req->has_entry = true;
        req->entry = rd32(t + 8);
        return LOADER_OK;
    case MB2_HDR_CONSOLE:
        if ((rd32(t + 8) & 1) && !optional)
            need = "console flags tag requires a console described in the boot information "
                   "(console_flags bit 0); this loader describes none";
        break;
    case MB2_HDR_FB:
        if (!optional)
            need = "framebuffer tag is required; this loader sets no video mode";
        break;
    case MB2_HDR_MOD_ALIGN: /* modules are always page-aligned */
    case MB2_HDR_RELOC:     /* loaded at the addresses in the image */
        return LOADER_OK;
    case MB2_HDR_EFI_BS:
    case MB2_HDR_EFI32:
    case MB2_HDR_EFI64:
        if (!optional)
            need = "EFI tag is required; this loader boots without EFI";
        break;
    default:
        if (!optional)
            need = "tag type is unknown to this loader and not marked optional";
        break;
    }
    if (need != NULL) {
        fmt_msg(c->err, c->errlen, "Multiboot2 header tag type %u at header offset 0x%x: %s", type,
                at, need);
        return LOADER_ERR_TAG_UNSUPPORTED;
    }
    return LOADER_OK;
}

/* Walk the tags of the header at img + off (header_length already checked). */
static int mb2_tags(const struct ld_ctx *c, const uint8_t *h, uint32_t hlen, struct mb2_req *req)
{
    uint32_t at = MB2_HDR_SIZE;
    while (at + 8 <= hlen) {
        const uint8_t *t = h + at;
        uint16_t type = rd16(t);
        uint32_t size = rd32(t + 4);
        if (size < 8 || size > hlen - at) {
            fmt_msg(c->err, c->errlen,
                    "Multiboot2 header tag type %u at header offset 0x%x: size %u %s", type, at,
                    size, size < 8 ? "is below 8" : "runs past header_length");
            return LOADER_ERR_TAG;
        }
        if (type == MB2_HDR_END) {
            if (size != 8) {
                fmt_msg(c->err, c->errlen,
                        "Multiboot2 end tag at header offset 0x%x: size %u, must be 8", at, size);
                return LOADER_ERR_TAG;
            }
            return LOADER_OK;
        }
        if (size < mb2_tag_min(type)) {
            fmt_msg(c->err, c->errlen,
                    "Multiboot2 header tag type %u at header offset 0x%x: size %u, needs %u", type,
                    at, size, mb2_tag_min(type));
            return LOADER_ERR_TAG;
        }
        int rc = mb2_tag(c, t, at, req);
        if (rc != LOADER_OK)
            return rc;
        at += (size + 7) & ~7u; /* 3.1.3: tags are 8-byte aligned */
    }
    fmt_msg(c->err, c->errlen, "Multiboot2 header: no end tag within header_length %u", hlen);
    return LOADER_ERR_TAG;
}

/* Lay out (and with ram != NULL write) a tag at *at of `size` bytes; returns its address. */
static uint64_t mb2_put_tag(const struct guest_ram *ram, uint64_t *at, uint32_t type, uint32_t size)
{
    uint64_t t = *at;
    if (ram != NULL) {
        ld_put32(ram, t, type);
        ld_put32(ram, t + 4, size);
    }
    *at = ld_align(t + size, 8); /* 3.6.2: tags 8-byte aligned */
    return t;
}

static void mb2_put_str(const struct guest_ram *ram, uint64_t *at, uint32_t type, uint32_t head,
                        const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    uint64_t t = mb2_put_tag(ram, at, type, 8 + head + n);
    if (ram != NULL)
        ld_copy(ram, t + 8 + head, s, n);
}

/* Lay out (and with ram != NULL write) the boot information at base; returns its size. */
static uint64_t mb2_info(const struct guest_ram *ram, uint64_t base, const struct ld_boot *b)
{
    uint64_t at = base + 8; /* 3.6.1: total_size, reserved */
    mb2_put_str(ram, &at, MB2_INFO_CMDLINE, 0, b->cmdline);
    mb2_put_str(ram, &at, MB2_INFO_NAME, 0, LOADER_NAME);
    for (size_t i = 0; i < b->nmods; i++) {
        uint64_t t = at;
        mb2_put_str(ram, &at, MB2_INFO_MODULE, 8,
                    b->mods[i].cmdline != NULL ? b->mods[i].cmdline : "");
        if (ram != NULL) {
            uint64_t start = base + b->rel[i];
            ld_put32(ram, t + 8, (uint32_t)start);
            ld_put32(ram, t + 12, (uint32_t)(start + b->mods[i].len));
        }
    }
    uint64_t t = mb2_put_tag(ram, &at, MB2_INFO_MEMINFO, 16);
    if (ram != NULL) {
        uint32_t lower, upper;
        ld_mem_kb(b->ram_size, &lower, &upper);
        ld_put32(ram, t + 8, lower);
        ld_put32(ram, t + 12, upper);
    }
    struct ld_mmap_entry map[LD_MMAP_MAX];
    size_t nmap = ld_mmap(b->ram_size, map);
    t = mb2_put_tag(ram, &at, MB2_INFO_MMAP, (uint32_t)(16 + MB2_MMAP_ENTRY * nmap));
    if (ram != NULL) {
        ld_put32(ram, t + 8, MB2_MMAP_ENTRY); /* entry_size */
        ld_put32(ram, t + 12, 0);             /* entry_version */
        for (size_t i = 0; i < nmap; i++) {
            uint64_t e = t + 16 + MB2_MMAP_ENTRY * i;
            ld_put64(ram, e, map[i].base);
            ld_put64(ram, e + 8, map[i].length);
            ld_put32(ram, e + 16, map[i].type);
            ld_put32(ram, e + 20, 0);
        }
    }
    mb2_put_tag(ram, &at, 0, 8); /* end tag */
    if (ram != NULL) {
        ld_put32(ram, base, (uint32_t)(at - base));
        ld_put32(ram, base + 4, 0);
    }
    return at - base;
}

/* The header at img + off: architecture, header_length, tags. */
static int mb2_header(const struct ld_ctx *c, const uint8_t *img, size_t len, size_t off,
                      struct mb2_req *req)
{
    const uint8_t *h = img + off;
    uint32_t arch = rd32(h + 4), hlen = rd32(h + 8);
    if (arch != MB2_ARCH_I386) {
        fmt_msg(c->err, c->errlen,
                "Multiboot2 header at offset 0x%lx: architecture %u, only 0 (i386 protected "
                "mode) can be loaded",
                LDX(off), arch);
        return LOADER_ERR_ARCH;
    }
    if (hlen < MB2_HDR_SIZE + 8) {
        fmt_msg(c->err, c->errlen,
                "Multiboot2 header at offset 0x%lx: header_length %u is below %u (magic fields "
                "and end tag)",
                LDX(off), hlen, MB2_HDR_SIZE + 8);
        return LOADER_ERR_HEADER_LENGTH;
    }
    if (hlen > len - off) {
        fmt_msg(c->err, c->errlen,
                "Multiboot2 header at offset 0x%lx: header_length %u runs past the end of the "
                "image (%lu bytes after the header start)",
                LDX(off), hlen, LDX(len - off));
        return LOADER_ERR_HEADER_TRUNCATED;
    }
    if (off + hlen > LOADER_MB2_SEARCH) { /* 3.1.1 */
        fmt_msg(c->err, c->errlen,
                "Multiboot2 header at offset 0x%lx with header_length %u ends at 0x%lx, past "
                "the first %u bytes of the image",
                LDX(off), hlen, LDX(off + hlen), LOADER_MB2_SEARCH);
        return LOADER_ERR_HEADER_TOO_FAR;
    }
    memset(req, 0, sizeof(*req));
    return mb2_tags(c, h, hlen, req);
}

static int mb2_plan(const struct ld_ctx *c, const uint8_t *img, size_t len, size_t off,
                    const struct mb2_req *req, struct ld_plan *plan, uint64_t *entry)
{
    int rc;
    if (req->has_addr) {
        struct ld_aout a = req->addr;
        if (a.load_addr == UINT32_MAX) { /* 3.1.5: -1 = load from the start of the file */
            if (a.header_addr < off) {
                fmt_msg(c->err, c->errlen,
                        "Multiboot2 address tag: load_addr -1 puts the file start at "
                        "header_addr 0x%x - header offset 0x%lx, below 0",
                        a.header_addr, LDX(off));
                return LOADER_ERR_ADDR;
            }
            a.load_addr = a.header_addr - (uint32_t)off;
        }
        rc = ld_plan_aout(c, img, len, off, &a, "Multiboot2 address tag", plan);
        if (rc != LOADER_OK)
            return rc;
        if (!req->has_entry) {
            fmt_msg(c->err, c->errlen,
                    "Multiboot2 header has an address tag but no entry address tag (type 3)");
            return LOADER_ERR_ENTRY;
        }
    } else {
        rc = ld_plan_elf(c, img, len, plan, req->has_entry ? NULL : entry);
        if (rc != LOADER_OK)
            return rc;
    }
    if (req->has_entry)
        *entry = req->entry; /* 3.1.6: overrides the ELF entry point */
    return LOADER_OK;
}

int loader_load_multiboot2(const uint8_t *img, size_t len, const char *cmdline,
                           const struct load_module *mods, size_t nmods,
                           const struct guest_ram *ram, const struct gpa_range *reserved,
                           size_t nreserved, struct load_result *res, char *err, size_t errlen)
{
    struct ld_ctx c = {ram, reserved, nreserved, true, err, errlen};
    int rc = ld_mb_begin(&c, img, len, mods, nmods, res);
    if (rc != LOADER_OK)
        return rc;

    size_t off;
    struct mb2_req req;
    struct ld_plan plan;
    uint64_t entry = 0;
    rc = ld_find_header(&c, img, len, LOADER_MB2_HEADER_MAGIC, 8, LOADER_MB2_SEARCH, MB2_HDR_SIZE,
                        4, "Multiboot2", &off);
    if (rc == LOADER_OK)
        rc = mb2_header(&c, img, len, off, &req);
    if (rc == LOADER_OK)
        rc = mb2_plan(&c, img, len, off, &req, &plan, &entry);
    if (rc == LOADER_OK)
        rc = ld_plan_check(&c, &plan, entry);
    if (rc != LOADER_OK)
        return rc;

    return ld_mb_finish(&c, ram, &plan, entry, cmdline, mods, nmods, mb2_info, LOAD_MULTIBOOT2,
                        LOADER_MB2_BOOT_MAGIC, res);
}
