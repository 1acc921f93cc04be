/*
 * vm/loader_linux.c - the Linux bzImage loader (Linux/x86 boot protocol,
 * Documentation/arch/x86/boot.rst): checks the setup header, places the protected-mode kernel,
 * boot_params with the command line, the initrd and the ACPI tables, and plans the e820 map;
 * loader_linux_boot.c writes them and gives the start state. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/loader_int.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

/* What the setup header says, once checked. */
struct lx_hdr {
    uint16_t version;
    uint64_t setup_len; /* boot sector + setup code: (setup_sects + 1) * 512 */
    uint64_t hdr_end;
    uint64_t sys_bytes; /* syssize * 16 */
    bool relocatable;
    uint32_t kernel_alignment, min_alignment; /* in bytes */
    uint32_t cmdline_size, initrd_addr_max;
    uint64_t pref, init_size;
};

#define LX_V(v) (unsigned)((v) >> 8), (unsigned)((v)&0xff) /* "%u.%02u" */

static int lx_header_bytes(const struct ld_ctx *c, const uint8_t *img, size_t len, struct lx_hdr *h)
{
    if (len < LX_VERSION + 2) {
        fmt_msg(c->err, c->errlen,
                "image of %lu bytes is too short for a Linux setup header (boot_flag at 0x1FE, "
                "\"HdrS\" at 0x202, version at 0x206)",
                LDX(len));
        return LOADER_ERR_SETUP_HEADER;
    }
    if (rd16(img + LX_BOOT_FLAG) != 0xAA55) { /* boot.rst: boot_flag */
        fmt_msg(c->err, c->errlen, "setup header: boot_flag at 0x1FE is 0x%04x, not 0xAA55",
                rd16(img + LX_BOOT_FLAG));
        return LOADER_ERR_SETUP_HEADER;
    }
    if (rd32(img + LOADER_LINUX_MAGIC_OFF) != LOADER_LINUX_MAGIC) { /* boot.rst: header */
        fmt_msg(c->err, c->errlen,
                "setup header: no \"HdrS\" at 0x202 (0x%08x): an old zImage, or not a Linux "
                "kernel",
                rd32(img + LOADER_LINUX_MAGIC_OFF));
        return LOADER_ERR_SETUP_HEADER;
    }
    h->version = rd16(img + LX_VERSION);
    if (h->version < 0x206) {
        fmt_msg(c->err, c->errlen,
                "setup header: protocol version %u.%02u is older than 2.06 (boot.rst: "
                "cmdline_size)",
                LX_V(h->version));
        return LOADER_ERR_PROTOCOL;
    }
    /* boot.rst "jump": 0xEB and an offset from 0x202 that ends the header */
    uint8_t op = img[LX_JUMP], rel = img[LX_JUMP + 1];
    h->hdr_end = LOADER_LINUX_MAGIC_OFF + (uint64_t)rel;
    uint64_t need = h->version >= 0x20A ? LX_HDR_END_210 : LX_HDR_END_206;
    if (op != 0xEB || rel >= 0x80 || h->hdr_end < need || h->hdr_end > LX_HDR_END_MAX) {
        fmt_msg(c->err, c->errlen,
                "setup header: jump at 0x200 is %02x %02x, which ends the header at 0x%lx; "
                "protocol %u.%02u needs a short jump (EB) to an end in [0x%lx, 0x%x]",
                op, rel, LDX(h->hdr_end), LX_V(h->version), LDX(need), LX_HDR_END_MAX);
        return LOADER_ERR_SETUP_HEADER;
    }
    unsigned sects = img[LX_SETUP_SECTS] != 0 ? img[LX_SETUP_SECTS] : 4; /* boot.rst: 0 is 4 */
    h->setup_len = (uint64_t)(sects + 1) * 512;
    if (h->setup_len >= len) {
        fmt_msg(c->err, c->errlen,
                "setup header: setup_sects %u: the boot sector and setup code take 0x%lx bytes, "
                "the image has 0x%lx: no protected-mode kernel follows",
                img[LX_SETUP_SECTS], LDX(h->setup_len), LDX(len));
        return LOADER_ERR_KERNEL_SIZE;
    }
    if (h->hdr_end > h->setup_len) {
        fmt_msg(c->err, c->errlen,
                "setup header: it ends at 0x%lx (jump), past the setup code's 0x%lx bytes "
                "(setup_sects %u)",
                LDX(h->hdr_end), LDX(h->setup_len), img[LX_SETUP_SECTS]);
        return LOADER_ERR_SETUP_HEADER;
    }
    return LOADER_OK;
}

static int lx_header(const struct ld_ctx *c, const uint8_t *img, size_t len, bool entry32,
                     struct lx_hdr *h)
{
    int rc = lx_header_bytes(c, img, len, h);
    if (rc != LOADER_OK)
        return rc;
    /* boot.rst "Loading The Rest of The Kernel": a bzImage has LOADED_HIGH */
    if (!(img[LX_LOADFLAGS] & LX_LOADED_HIGH)) {
        fmt_msg(c->err, c->errlen,
                "setup header: loadflags 0x%02x lack LOADED_HIGH (bit 0): a zImage for 0x10000, "
                "not a bzImage",
                img[LX_LOADFLAGS]);
        return LOADER_ERR_PROTOCOL;
    }
    uint64_t pm_len = len - h->setup_len;
    h->sys_bytes = (uint64_t)rd32(img + LX_SYSSIZE) * 16; /* 2.04+: 16-byte paragraphs */
    if (h->sys_bytes > pm_len) {
        fmt_msg(c->err, c->errlen,
                "image truncated: syssize 0x%x gives 0x%lx bytes of protected-mode kernel, "
                "only 0x%lx follow the 0x%lx bytes of setup code",
                rd32(img + LX_SYSSIZE), LDX(h->sys_bytes), LDX(pm_len), LDX(h->setup_len));
        return LOADER_ERR_KERNEL_SIZE;
    }
    if (!entry32) {
        uint16_t xlf = h->version >= 0x20C ? rd16(img + LX_XLOADFLAGS) : 0;
        if (h->version < 0x20C) {
            fmt_msg(c->err, c->errlen,
                    "setup header: protocol version %u.%02u is older than 2.12 (boot.rst: "
                    "xloadflags): no 64-bit entry (use the 32-bit entry)",
                    LX_V(h->version));
            return LOADER_ERR_PROTOCOL;
        }
        if (!(xlf & LX_XLF_KERNEL_64)) {
            fmt_msg(c->err, c->errlen,
                    "setup header: xloadflags 0x%04x lack XLF_KERNEL_64 (bit 0): no 64-bit "
                    "entry at +0x200",
                    xlf);
            return LOADER_ERR_PROTOCOL;
        }
        if (pm_len <= LX_ENTRY64) {
            fmt_msg(c->err, c->errlen,
                    "protected-mode kernel of 0x%lx bytes ends before its 64-bit entry at "
                    "+0x200",
                    LDX(pm_len));
            return LOADER_ERR_KERNEL_SIZE;
        }
    }
    h->relocatable = img[LX_RELOCATABLE] != 0; /* 2.05+ */
    h->kernel_alignment = rd32(img + LX_KERNEL_ALIGNMENT);
    if (h->relocatable &&
        (h->kernel_alignment == 0 || (h->kernel_alignment & (h->kernel_alignment - 1)) != 0)) {
        fmt_msg(c->err, c->errlen,
                "setup header: kernel_alignment 0x%x of a relocatable kernel is not a power of "
                "two",
                h->kernel_alignment);
        return LOADER_ERR_SETUP_HEADER;
    }
    if (h->kernel_alignment < LOADER_PAGE)
        h->kernel_alignment = LOADER_PAGE;
    h->min_alignment = h->kernel_alignment;
    if (h->version >= 0x20A && img[LX_MIN_ALIGNMENT] >= 12 && img[LX_MIN_ALIGNMENT] < 32 &&
        (1u << img[LX_MIN_ALIGNMENT]) < h->kernel_alignment)
        h->min_alignment = 1u << img[LX_MIN_ALIGNMENT];
    h->cmdline_size = rd32(img + LX_CMDLINE_SIZE);       /* 2.06+ */
    h->initrd_addr_max = rd32(img + LX_INITRD_ADDR_MAX); /* 2.03+ */
    if (h->version >= 0x20A) {
        h->pref = rd64(img + LX_PREF_ADDRESS);
        h->init_size = rd32(img + LX_INIT_SIZE);
        if (h->pref == 0)
            h->pref = LX_BZIMAGE_LOAD;
        if (h->init_size < h->sys_bytes) {
            fmt_msg(c->err, c->errlen,
                    "setup header: init_size 0x%lx is smaller than the 0x%lx-byte protected-mode "
                    "kernel (syssize)",
                    LDX(h->init_size), LDX(h->sys_bytes));
            return LOADER_ERR_KERNEL_SIZE;
        }
    } else {
        /* Before 2.10 there is no init_size: the kernel's own bytes are all the loader knows */
        h->pref = LX_BZIMAGE_LOAD;
        h->init_size = pm_len;
    }
    return LOADER_OK;
}

/* The kernel at pref_address, else (relocatable) at the lowest address above 1 MiB aligned to
 * kernel_alignment, trying smaller powers of two down to min_alignment (boot.rst). */
static int lx_place_kernel(const struct ld_ctx *c, const struct lx_hdr *h, uint64_t top,
                           const struct gpa_range *avoid, size_t navoid, struct lx_plan *p)
{
    uint64_t base;
    p->kernel_alignment = h->kernel_alignment;
    if (h->pref < top && p->span <= top - h->pref &&
        ld_find(c, "kernel", h->pref, h->pref + p->span, p->span, 1, false, avoid, navoid, &base) ==
            LOADER_OK) {
        p->load = h->pref;
        return LOADER_OK;
    }
    if (!h->relocatable) {
        fmt_msg(c->err, c->errlen,
                "kernel not relocatable (relocatable_kernel 0): it needs [pref_address 0x%lx, + "
                "init_size 0x%lx) as free guest RAM below 0x%lx, clear of reserved ranges",
                LDX(h->pref), LDX(p->span), LDX(top));
        return LOADER_ERR_NO_SPACE;
    }
    for (uint64_t a = h->kernel_alignment; a >= h->min_alignment; a >>= 1) {
        int rc =
            ld_find(c, "kernel", LX_BZIMAGE_LOAD, top, p->span, a, false, avoid, navoid, &base);
        if (rc == LOADER_OK) {
            p->load = base;
            p->kernel_alignment = (uint32_t)a;
            p->alignment_lowered = a < h->kernel_alignment;
            return LOADER_OK;
        }
        if (rc != LOADER_ERR_NO_SPACE)
            return rc;
    }
    fmt_msg(c->err, c->errlen,
            "no room for the kernel: init_size 0x%lx bytes, aligned to kernel_alignment 0x%x "
            "(down to 0x%x), between 1 MiB and the end of usable RAM 0x%lx",
            LDX(p->span), h->kernel_alignment, h->min_alignment, LDX(top));
    return LOADER_ERR_NO_SPACE;
}

static int lx_args(const struct ld_ctx *c, const uint8_t *img, size_t len,
                   const struct load_linux_args *a, size_t nreserved)
{
    fmt_msg(c->err, c->errlen, "%s", "");
    if ((img == NULL && len > 0) || a == NULL || c->ram == NULL || c->ram->ptr == NULL ||
        (c->reserved == NULL && nreserved > 0) || (a->initrd == NULL && a->initrd_len > 0) ||
        (a->acpi == NULL && a->acpi_len > 0)) {
        fmt_msg(c->err, c->errlen,
                "NULL image, arguments, guest RAM, reserved list, initrd or ACPI tables");
        return LOADER_ERR_BAD_ARG;
    }
    if (nreserved > LOADER_LINUX_MAX_RESERVED) {
        fmt_msg(c->err, c->errlen, "%lu reserved ranges: the Linux loader takes at most %u",
                LDX(nreserved), LOADER_LINUX_MAX_RESERVED);
        return LOADER_ERR_BAD_ARG;
    }
    if (len == 0) {
        fmt_msg(c->err, c->errlen, "empty kernel image (0 bytes)");
        return LOADER_ERR_EMPTY;
    }
    if (a->initrd != NULL && a->initrd_len == 0) {
        fmt_msg(c->err, c->errlen, "initrd is empty (0 bytes)");
        return LOADER_ERR_INITRD;
    }
    return LOADER_OK;
}

/* The ACPI tables where the caller built them to lie: RAM below `top`, clear of the reserved
 * ranges (the legacy area is allowed: that is where a BIOS keeps them). */
static int lx_acpi(const struct ld_ctx *c, const struct load_linux_args *a, uint64_t top)
{
    if (a->acpi_len == 0)
        return LOADER_OK;
    struct ld_ctx any = *c;
    any.legacy_hole = false;
    if (a->acpi_gpa >= top || a->acpi_len > top - a->acpi_gpa) {
        fmt_msg(c->err, c->errlen,
                "ACPI tables [0x%lx, 0x%lx) are not below the end of usable RAM 0x%lx",
                LDX(a->acpi_gpa), LDX(a->acpi_gpa + a->acpi_len), LDX(top));
        return LOADER_ERR_NOT_RAM;
    }
    return ld_check_range(&any, "ACPI tables", a->acpi_gpa, a->acpi_len);
}

int loader_load_linux(const uint8_t *img, size_t len, const struct load_linux_args *args,
                      const struct guest_ram *ram, const struct gpa_range *reserved,
                      size_t nreserved, struct load_result *res, char *err, size_t errlen)
{
    struct ld_ctx c = {ram, reserved, nreserved, true, err, errlen};
    if (res == NULL) {
        fmt_msg(err, errlen, "NULL result");
        return LOADER_ERR_BAD_ARG;
    }
    int rc = lx_args(&c, img, len, args, nreserved);
    if (rc != LOADER_OK)
        return rc;
    memset(res, 0, sizeof(*res));

    struct lx_hdr h;
    rc = lx_header(&c, img, len, args->entry32, &h);
    if (rc != LOADER_OK)
        return rc;
    struct lx_plan p; /* about 1.3 KiB, most of it the e820 table */
    memset(&p, 0, sizeof(p));
    p.img = img;
    p.hdr_end = h.hdr_end;
    p.pm = img + h.setup_len;
    p.pm_len = len - h.setup_len;
    p.span = h.init_size > p.pm_len ? h.init_size : p.pm_len;
    p.entry32 = args->entry32;
    p.cmdline = args->cmdline != NULL ? args->cmdline : "";
    p.cmdline_len = strlen(p.cmdline);
    p.initrd = args->initrd;
    p.initrd_len = args->initrd_len;
    p.acpi = args->acpi;
    p.acpi_len = args->acpi_len;
    p.acpi_gpa = args->acpi_gpa;
    p.rsdp_gpa = args->rsdp_gpa;
    if (p.cmdline_len > h.cmdline_size) { /* boot.rst: cmdline_size excludes the NUL */
        fmt_msg(err, errlen,
                "command line of %lu bytes is longer than the kernel's cmdline_size %u (setup "
                "header, 2.06+)",
                LDX(p.cmdline_len), h.cmdline_size);
        return LOADER_ERR_CMDLINE;
    }

    /* Usable RAM ends where the e820 map stops reporting it: the end of RAM, or the APIC
     * pages when RAM reaches them. */
    uint64_t top = ram->size < LOADER_MMIO_BASE ? ram->size : LOADER_MMIO_BASE;
    struct gpa_range avoid[3];
    size_t navoid = 0;
    rc = lx_acpi(&c, args, top);
    if (rc != LOADER_OK)
        return rc;
    if (p.acpi_len > 0)
        avoid[navoid++] = (struct gpa_range){p.acpi_gpa & ~(uint64_t)(LOADER_PAGE - 1),
                                             ld_align(p.acpi_gpa + p.acpi_len, LOADER_PAGE)};

    p.boot_size = LX_OFF_CMDLINE + ld_align(p.cmdline_len + 1, LOADER_PAGE);
    rc = ld_find(&c, "boot parameters, GDT, page tables and command line", LOADER_PAGE, top,
                 p.boot_size, LOADER_PAGE, false, avoid, navoid, &p.boot);
    if (rc != LOADER_OK)
        return rc;
    avoid[navoid++] = (struct gpa_range){p.boot, p.boot + p.boot_size};

    rc = lx_place_kernel(&c, &h, top, avoid, navoid, &p);
    if (rc != LOADER_OK)
        return rc;
    avoid[navoid++] = (struct gpa_range){p.load, p.load + p.span};

    if (p.initrd_len > 0) {
        /* boot.rst: initrd_addr_max is the highest byte the initrd may occupy */
        uint64_t hi = (uint64_t)h.initrd_addr_max + 1;
        if (hi > top)
            hi = top;
        rc = ld_find(&c, "initrd", LX_BZIMAGE_LOAD, hi, p.initrd_len, LOADER_PAGE, true, avoid,
                     navoid, &p.initrd_gpa);
        if (rc == LOADER_ERR_NO_SPACE) {
            fmt_msg(err, errlen,
                    "initrd of 0x%lx bytes does not fit between 1 MiB and min(initrd_addr_max "
                    "0x%x + 1, end of usable RAM 0x%lx) outside the kernel's [0x%lx, 0x%lx) "
                    "(init_size)",
                    LDX(p.initrd_len), h.initrd_addr_max, LDX(top), LDX(p.load),
                    LDX(p.load + p.span));
            return LOADER_ERR_INITRD;
        }
        if (rc != LOADER_OK)
            return rc;
    }
    p.ne820 = lx_e820_build(ram->size, reserved, nreserved, p.acpi_len > 0 ? avoid[0].base : 0,
                            p.acpi_len > 0 ? avoid[0].end : 0, p.e820);

    /* Everything checked: write. */
    lx_write(ram, &p);
    res->kind = LOAD_LINUX;
    res->nsegs = 1;
    res->segs[0] = (struct load_segment){p.load, p.pm_len, p.pm_len};
    res->image_end = p.load + p.span;
    res->info_gpa = p.boot + LX_OFF_BOOT_PARAMS;
    res->info_size = LOADER_PAGE;
    res->boot_base = p.boot;
    res->boot_end = p.boot + p.boot_size;
    res->nmods = p.initrd_len > 0;
    res->cmdline_gpa = p.boot + LX_OFF_CMDLINE;
    res->initrd_gpa = p.initrd_gpa;
    res->initrd_size = p.initrd_len;
    res->acpi_gpa = p.acpi_len > 0 ? p.acpi_gpa : 0;
    res->acpi_size = p.acpi_len;
    lx_cpu(&res->cpu, &p);
    return LOADER_OK;
}

int loader_linux_version(const uint8_t *img, size_t len, char *buf, size_t size)
{
    if (img == NULL || buf == NULL || size == 0 || len < LX_SETUP_SECTS + 1 ||
        len < LOADER_LINUX_MAGIC_OFF + 4 ||
        rd32(img + LOADER_LINUX_MAGIC_OFF) != LOADER_LINUX_MAGIC)
        return -1;
    unsigned sects = img[LX_SETUP_SECTS] != 0 ? img[LX_SETUP_SECTS] : 4;
    uint64_t setup_len = (uint64_t)(sects + 1) * 512;
    uint64_t off = (uint64_t)rd16(img + LX_KERNEL_VERSION) + 0x200; /* boot.rst */
    if (setup_len > len)
        setup_len = len;
    if (rd16(img + LX_KERNEL_VERSION) == 0 || off >= setup_len)
        return -1;
    const uint8_t *s = img + off;
    size_t n = 0;
    while (off + n < setup_len && s[n] != 0)
        n++;
    if (off + n == setup_len)
        return -1; /* no NUL within the setup code */
    size_t copy = n < size - 1 ? n : size - 1;
    memcpy(buf, s, copy);
    buf[copy] = '\0';
    return (int)n;
}
