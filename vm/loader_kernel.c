/*
 * vm/loader_kernel.c - the kernel side shared by the Multiboot and Multiboot2 loaders:
 * header search, a.out-style load addresses, ELF program headers, the load plan and its
 * checks, module layout, memory size and map for the boot information. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/elf.h"
#include "vm/loader_int.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

static uint32_t ld_sum(const uint8_t *p, unsigned nwords)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < nwords; i++)
        sum += rd32(p + 4 * i);
    return sum;
}

int ld_find_header(const struct ld_ctx *c, const uint8_t *img, size_t len, uint32_t magic,
                   size_t align, size_t search, size_t min_size, unsigned nwords, const char *name,
                   size_t *off)
{
    size_t area = len < search ? len : search;
    size_t bad = SIZE_MAX;
    for (size_t o = 0; o + min_size <= area; o += align) {
        if (rd32(img + o) != magic)
            continue;
        if (ld_sum(img + o, nwords) == 0) {
            *off = o;
            return LOADER_OK;
        }
        if (bad == SIZE_MAX)
            bad = o;
    }
    if (bad != SIZE_MAX) {
        fmt_msg(c->err, c->errlen,
                "%s header at offset 0x%lx: checksum 0x%x gives a sum of 0x%x over the %u "
                "magic fields, must be 0",
                name, LDX(bad), rd32(img + bad + 4 * (nwords - 1)), ld_sum(img + bad, nwords),
                nwords);
        return LOADER_ERR_CHECKSUM;
    }
    /* A valid header that starts too late, or runs past the search area. */
    for (size_t o = 0; o + min_size <= len; o += align) {
        if (rd32(img + o) == magic && ld_sum(img + o, nwords) == 0) {
            fmt_msg(c->err, c->errlen,
                    "%s header at offset 0x%lx does not lie within the first %lu bytes of the "
                    "image",
                    name, LDX(o), LDX(search));
            return LOADER_ERR_HEADER_TOO_FAR;
        }
    }
    fmt_msg(c->err, c->errlen,
            "no %s header: magic 0x%08x not found at any %lu-aligned offset of the first %lu "
            "bytes (image has %lu)",
            name, magic, LDX(align), LDX(search), LDX(len));
    return LOADER_ERR_NO_HEADER;
}

int ld_plan_aout(const struct ld_ctx *c, const uint8_t *img, size_t len, size_t hdr_off,
                 const struct ld_aout *a, const char *what, struct ld_plan *plan)
{
    if (a->load_addr > a->header_addr) {
        fmt_msg(c->err, c->errlen, "%s: load_addr 0x%x is above header_addr 0x%x", what,
                a->load_addr, a->header_addr);
        return LOADER_ERR_ADDR;
    }
    uint64_t delta = (uint64_t)a->header_addr - a->load_addr;
    if (delta > hdr_off) {
        fmt_msg(c->err, c->errlen,
                "%s: header_addr 0x%x - load_addr 0x%x = 0x%lx, but the header is at file "
                "offset 0x%lx: loading would start before the file",
                what, a->header_addr, a->load_addr, LDX(delta), LDX(hdr_off));
        return LOADER_ERR_FILE_RANGE;
    }
    uint64_t file_off = hdr_off - delta;
    uint64_t size;
    if (a->load_end_addr == 0) { /* the text and data are the rest of the file */
        size = len - file_off;
        if ((uint64_t)a->load_addr + size > LD_4GIB) {
            fmt_msg(c->err, c->errlen, "%s: 0x%lx bytes of file from load_addr 0x%x pass 4 GiB",
                    what, LDX(size), a->load_addr);
            return LOADER_ERR_ADDR;
        }
    } else {
        if (a->load_end_addr < a->load_addr) {
            fmt_msg(c->err, c->errlen, "%s: load_end_addr 0x%x is below load_addr 0x%x", what,
                    a->load_end_addr, a->load_addr);
            return LOADER_ERR_ADDR;
        }
        size = (uint64_t)a->load_end_addr - a->load_addr;
        if (size > len - file_off) {
            fmt_msg(c->err, c->errlen,
                    "%s: [load_addr 0x%x, load_end_addr 0x%x) needs file bytes [0x%lx, 0x%lx), "
                    "but the file has 0x%lx bytes",
                    what, a->load_addr, a->load_end_addr, LDX(file_off), LDX(file_off + size),
                    LDX(len));
            return LOADER_ERR_FILE_RANGE;
        }
    }
    if (delta >= size) {
        fmt_msg(c->err, c->errlen,
                "%s: header_addr 0x%x is not inside the loaded text and data [0x%x, 0x%lx)", what,
                a->header_addr, a->load_addr, LDX(a->load_addr + size));
        return LOADER_ERR_ADDR;
    }
    uint64_t memsz = size;
    if (a->bss_end_addr != 0) {
        if (a->bss_end_addr < a->load_addr + size) {
            fmt_msg(c->err, c->errlen, "%s: bss_end_addr 0x%x is below load_end_addr 0x%lx", what,
                    a->bss_end_addr, LDX(a->load_addr + size));
            return LOADER_ERR_ADDR;
        }
        memsz = (uint64_t)a->bss_end_addr - a->load_addr;
    }
    plan->n = 1;
    plan->seg[0].gpa = a->load_addr;
    plan->seg[0].src = img + file_off;
    plan->seg[0].filesz = size;
    plan->seg[0].memsz = memsz;
    plan->end = a->load_addr + memsz;
    return LOADER_OK;
}

int ld_plan_elf(const struct ld_ctx *c, const uint8_t *img, size_t len, struct ld_plan *plan,
                uint64_t *entry)
{
    struct elf_info info;
    struct elf_segment segs[LOADER_MAX_SEGMENTS];
    /* Multiboot 3.2, Multiboot2 3.3: the kernel starts with paging off: 32-bit addresses */
    int rc = elf_parse(img, len, LD_4GIB, &info, segs, LOADER_MAX_SEGMENTS, c->err, c->errlen);
    if (rc != ELF_OK)
        return rc;
    plan->n = info.nsegs;
    plan->end = 0;
    for (size_t i = 0; i < info.nsegs; i++) {
        plan->seg[i].gpa = segs[i].lma;
        plan->seg[i].src = img + segs[i].offset;
        plan->seg[i].filesz = segs[i].filesz;
        plan->seg[i].memsz = segs[i].memsz;
        if (segs[i].lma + segs[i].memsz > plan->end)
            plan->end = segs[i].lma + segs[i].memsz;
    }
    if (entry == NULL)
        return LOADER_OK;
    if (elf_entry_lma(&info, segs, entry, c->err, c->errlen) != ELF_OK)
        return LOADER_ERR_ENTRY;
    return LOADER_OK;
}

int ld_plan_check(const struct ld_ctx *c, const struct ld_plan *plan, uint64_t entry)
{
    for (size_t i = 0; i < plan->n; i++) {
        char what[32];
        fmt_snprintf(what, sizeof(what), "kernel segment %lu", LDX(i));
        int rc = ld_check_range(c, what, plan->seg[i].gpa, plan->seg[i].memsz);
        if (rc != LOADER_OK)
            return rc;
    }
    for (size_t i = 0; i < plan->n; i++) {
        if (entry >= plan->seg[i].gpa && entry - plan->seg[i].gpa < plan->seg[i].memsz)
            return LOADER_OK;
    }
    fmt_msg(c->err, c->errlen, "entry point 0x%lx lies outside every loaded segment", LDX(entry));
    for (size_t i = 0; i < plan->n && c->err != NULL && c->errlen > 0; i++) {
        size_t used = strlen(c->err);
        fmt_msg(c->err + used, c->errlen - used, "%s[0x%lx, 0x%lx)", i == 0 ? " " : ", ",
                LDX(plan->seg[i].gpa), LDX(plan->seg[i].gpa + plan->seg[i].memsz));
    }
    return LOADER_ERR_ENTRY;
}

void ld_plan_commit(const struct guest_ram *ram, const struct ld_plan *plan,
                    struct load_result *res)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct ld_seg *s = &plan->seg[i];
        ld_copy(ram, s->gpa, s->src, s->filesz);
        ld_zero(ram, s->gpa + s->filesz, s->memsz - s->filesz); /* bss */
        res->segs[i].gpa = s->gpa;
        res->segs[i].filesz = s->filesz;
        res->segs[i].memsz = s->memsz;
    }
    res->nsegs = plan->n;
    res->image_end = plan->end;
}

uint64_t ld_module_layout(uint64_t info_size, const struct load_module *mods, size_t nmods,
                          uint64_t *rel)
{
    uint64_t at = ld_align(info_size, LOADER_PAGE);
    for (size_t i = 0; i < nmods; i++) {
        rel[i] = at; /* Multiboot 3.1.2 flags bit 0, Multiboot2 3.1.11: page-aligned */
        at = ld_align(at + mods[i].len, LOADER_PAGE);
    }
    return at;
}

void ld_copy_modules(const struct guest_ram *ram, uint64_t base, const struct load_module *mods,
                     size_t nmods, const uint64_t *rel)
{
    for (size_t i = 0; i < nmods; i++)
        ld_copy(ram, base + rel[i], mods[i].data, mods[i].len);
}

int ld_mb_begin(const struct ld_ctx *c, const uint8_t *img, size_t len,
                const struct load_module *mods, size_t nmods, struct load_result *res)
{
    fmt_msg(c->err, c->errlen, "%s", "");
    if (img == NULL && len > 0) {
        fmt_msg(c->err, c->errlen, "NULL image");
        return LOADER_ERR_BAD_ARG;
    }
    if (c->ram == NULL || c->ram->ptr == NULL || res == NULL ||
        (c->reserved == NULL && c->nreserved > 0) || (mods == NULL && nmods > 0)) {
        fmt_msg(c->err, c->errlen, "NULL guest RAM, result, reserved list or module list");
        return LOADER_ERR_BAD_ARG;
    }
    if (nmods > LOADER_MAX_MODULES) {
        fmt_msg(c->err, c->errlen, "%lu modules: at most %u", LDX(nmods), LOADER_MAX_MODULES);
        return LOADER_ERR_BAD_ARG;
    }
    for (size_t i = 0; i < nmods; i++) {
        if (mods[i].data == NULL && mods[i].len > 0) {
            fmt_msg(c->err, c->errlen, "module %lu: NULL data of %lu bytes", LDX(i),
                    LDX(mods[i].len));
            return LOADER_ERR_BAD_ARG;
        }
    }
    if (len == 0) {
        fmt_msg(c->err, c->errlen, "empty kernel image (0 bytes)");
        return LOADER_ERR_EMPTY;
    }
    memset(res, 0, sizeof(*res));
    return LOADER_OK;
}

void ld_mem_kb(uint64_t ram_size, uint32_t *lower, uint32_t *upper)
{
    /* Multiboot 3.3: lower memory from 0, at most 640 KiB; upper memory from 1 MiB up to
     * the first hole, which is the end of RAM here (guest RAM is one range from 0). */
    uint64_t low = ram_size < LOADER_LOW_END ? ram_size : LOADER_LOW_END;
    uint64_t up = ram_size > LOADER_HIGH_BASE ? (ram_size - LOADER_HIGH_BASE) >> 10 : 0;
    *lower = (uint32_t)(low >> 10);
    *upper = up > UINT32_MAX ? UINT32_MAX : (uint32_t)up;
}

size_t ld_mmap(uint64_t ram_size, struct ld_mmap_entry *e)
{
    size_t n = 0;
    if (ram_size > 0) {
        e[n].base = 0;
        e[n].length = ram_size < LOADER_LOW_END ? ram_size : LOADER_LOW_END;
        e[n++].type = 1; /* available RAM */
    }
    e[n].base = LOADER_LOW_END;
    e[n].length = LOADER_HIGH_BASE - LOADER_LOW_END;
    e[n++].type = 2; /* reserved: EBDA, video memory, BIOS ROM */
    if (ram_size > LOADER_HIGH_BASE) {
        e[n].base = LOADER_HIGH_BASE;
        e[n].length = ram_size - LOADER_HIGH_BASE;
        e[n++].type = 1;
    }
    return n;
}

void ld_mb_cpu(struct load_cpu *cpu, uint32_t entry, uint32_t magic, uint32_t info)
{
    /* Multiboot 3.2 / Multiboot2 3.3: 32-bit protected mode, flat segments, paging off,
     * interrupts off; EAX the magic, EBX the boot information; the OS sets up its stack. */
    memset(cpu, 0, sizeof(*cpu));
    cpu->protected_mode = true;
    cpu->cs = LOADER_FLAT_CS;
    cpu->ds = LOADER_FLAT_DS;
    cpu->ss = LOADER_FLAT_DS;
    cpu->eip = entry;
    cpu->eax = magic;
    cpu->ebx = info;
    cpu->cr0 = LOADER_CR0_PE;
    cpu->eflags = LOADER_EFLAGS;
}

int ld_mb_finish(const struct ld_ctx *c, const struct guest_ram *ram, const struct ld_plan *plan,
                 uint64_t entry, const char *cmdline, const struct load_module *mods, size_t nmods,
                 ld_info_fn info, int kind, uint32_t magic, struct load_result *res)
{
    struct ld_boot b = {cmdline != NULL ? cmdline : "", mods, nmods, NULL, ram->size};
    uint64_t rel[LOADER_MAX_MODULES];
    uint64_t info_size = info(NULL, 0, &b);
    uint64_t need = ld_module_layout(info_size, mods, nmods, rel);
    uint64_t base;
    int rc = ld_place(c, plan->end, need, &base);
    if (rc != LOADER_OK)
        return rc;

    /* Everything checked: write. */
    b.rel = rel;
    ld_plan_commit(ram, plan, res);
    info(ram, base, &b);
    ld_copy_modules(ram, base, mods, nmods, rel);
    res->kind = kind;
    res->info_gpa = base;
    res->info_size = info_size;
    res->boot_base = base;
    res->boot_end = base + need;
    res->nmods = nmods;
    ld_mb_cpu(&res->cpu, (uint32_t)entry, magic, (uint32_t)base);
    return LOADER_OK;
}
