/*
 * vm/loader_mem.c - the guest-RAM side of the loaders: range checks against RAM and the
 * reserved ranges, writes page by page, and placement of the boot information. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/loader_int.h"
#include "platform/fmt.h"

uint64_t ld_align(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static bool ld_overlaps(uint64_t base, uint64_t end, uint64_t rbase, uint64_t rend)
{
    return base < rend && rbase < end;
}

/* Bytes of [gpa, gpa + len) that lie in gpa's page. */
static uint64_t ld_chunk(uint64_t gpa, uint64_t len)
{
    uint64_t room = LOADER_PAGE - (gpa & (LOADER_PAGE - 1));
    return len < room ? len : room;
}

/* Reserved range (caller's or the legacy hole) overlapping [gpa, end); false if none. */
static bool ld_blocker(const struct ld_ctx *c, uint64_t gpa, uint64_t end, struct gpa_range *r,
                       size_t *index)
{
    for (size_t i = 0; i < c->nreserved; i++) {
        if (ld_overlaps(gpa, end, c->reserved[i].base, c->reserved[i].end)) {
            *r = c->reserved[i];
            *index = i;
            return true;
        }
    }
    if (c->legacy_hole && ld_overlaps(gpa, end, LOADER_LOW_END, LOADER_HIGH_BASE)) {
        r->base = LOADER_LOW_END;
        r->end = LOADER_HIGH_BASE;
        *index = c->nreserved;
        return true;
    }
    return false;
}

int ld_check_range(const struct ld_ctx *c, const char *what, uint64_t gpa, uint64_t len)
{
    uint64_t end = gpa + len;
    if (len == 0)
        return LOADER_OK;
    if (end < gpa || end > c->ram->size) {
        fmt_msg(c->err, c->errlen, "%s [0x%lx, 0x%lx) is outside guest RAM [0, 0x%lx)", what,
                LDX(gpa), LDX(gpa + len), LDX(c->ram->size));
        return LOADER_ERR_NOT_RAM;
    }
    for (uint64_t p = gpa; p < end; p += ld_chunk(p, end - p)) {
        if (c->ram->ptr(c->ram->ctx, p, ld_chunk(p, end - p)) == NULL) {
            fmt_msg(c->err, c->errlen, "%s [0x%lx, 0x%lx): guest RAM at 0x%lx is not mapped", what,
                    LDX(gpa), LDX(end), LDX(p));
            return LOADER_ERR_NOT_RAM;
        }
    }
    struct gpa_range r;
    size_t i;
    if (ld_blocker(c, gpa, end, &r, &i)) {
        if (i == c->nreserved)
            fmt_msg(c->err, c->errlen,
                    "%s [0x%lx, 0x%lx) overlaps [0x%lx, 0x%lx), the legacy video/BIOS area "
                    "reserved in the memory map",
                    what, LDX(gpa), LDX(end), LDX(r.base), LDX(r.end));
        else
            fmt_msg(c->err, c->errlen,
                    "%s [0x%lx, 0x%lx) overlaps reserved range %lu [0x%lx, 0x%lx)", what, LDX(gpa),
                    LDX(end), LDX(i), LDX(r.base), LDX(r.end));
        return LOADER_ERR_RESERVED;
    }
    return LOADER_OK;
}

void ld_copy(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len)
{
    const uint8_t *s = src;
    while (len > 0) {
        uint64_t n = ld_chunk(gpa, len);
        memcpy(ram->ptr(ram->ctx, gpa, n), s, n);
        gpa += n;
        s += n;
        len -= n;
    }
}

void ld_zero(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
    while (len > 0) {
        uint64_t n = ld_chunk(gpa, len);
        memset(ram->ptr(ram->ctx, gpa, n), 0, n);
        gpa += n;
        len -= n;
    }
}

/* Guest fields are little-endian, as on the x86 hosts this code runs on. */
void ld_put32(const struct guest_ram *ram, uint64_t gpa, uint32_t v)
{
    ld_copy(ram, gpa, &v, sizeof(v));
}

void ld_put64(const struct guest_ram *ram, uint64_t gpa, uint64_t v)
{
    ld_copy(ram, gpa, &v, sizeof(v));
}

int ld_place(const struct ld_ctx *c, uint64_t start, uint64_t need, uint64_t *base)
{
    uint64_t limit = c->ram->size < LD_4GIB ? c->ram->size : LD_4GIB;
    uint64_t b = ld_align(start, LOADER_PAGE);
    /* Each step moves past one blocking range for good: at most nreserved + 2 steps. */
    for (size_t step = 0; step < c->nreserved + 2; step++) {
        if (b > limit || need > limit - b) {
            fmt_msg(c->err, c->errlen,
                    "boot information and modules need 0x%lx bytes from 0x%lx (page-aligned "
                    "above the kernel, past reserved ranges), beyond the end of usable RAM 0x%lx",
                    LDX(need), LDX(b), LDX(limit));
            return LOADER_ERR_NO_SPACE;
        }
        struct gpa_range r;
        size_t i;
        if (!ld_blocker(c, b, b + need, &r, &i)) {
            *base = b;
            return ld_check_range(c, "boot information and modules", b, need);
        }
        b = r.end >= limit ? limit : ld_align(r.end, LOADER_PAGE); /* need > 0: fails next */
    }
    fmt_msg(c->err, c->errlen, "no room for 0x%lx bytes of boot information and modules",
            LDX(need));
    return LOADER_ERR_NO_SPACE;
}

/* A range of the reserved list, the legacy hole or avoid[] overlapping [b, e); false if none. */
static bool ld_find_blocker(const struct ld_ctx *c, const struct gpa_range *avoid, size_t navoid,
                            uint64_t b, uint64_t e, struct gpa_range *r)
{
    size_t index;
    if (ld_blocker(c, b, e, r, &index))
        return true;
    for (size_t i = 0; i < navoid; i++) {
        if (ld_overlaps(b, e, avoid[i].base, avoid[i].end)) {
            *r = avoid[i];
            return true;
        }
    }
    return false;
}

int ld_find(const struct ld_ctx *c, const char *what, uint64_t lo, uint64_t hi, uint64_t need,
            uint64_t align, bool top_down, const struct gpa_range *avoid, size_t navoid,
            uint64_t *base)
{
    uint64_t b = 0;
    bool ok = need > 0 && hi > lo && need <= hi - lo;
    if (ok && top_down) {
        b = (hi - need) & ~(align - 1);
        ok = b >= lo;
    } else if (ok) {
        b = ld_align(lo, align);
        ok = b >= lo && b <= hi - need;
    }
    /* Each step moves past one blocking range for good (up, or down with top_down), so the
     * search ends after at most one step per range. */
    for (size_t step = 0; ok && step < c->nreserved + navoid + 2; step++) {
        struct gpa_range r;
        if (!ld_find_blocker(c, avoid, navoid, b, b + need, &r)) {
            *base = b;
            return ld_check_range(c, what, b, need);
        }
        if (top_down) {
            ok = r.base >= lo + need;
            b = ok ? (r.base - need) & ~(align - 1) : 0;
            ok = ok && b >= lo;
        } else {
            b = ld_align(r.end, align);
            ok = b >= r.end && b <= hi - need;
        }
    }
    fmt_msg(c->err, c->errlen,
            "%s: no room for 0x%lx bytes, 0x%lx-aligned, in [0x%lx, 0x%lx) clear of reserved "
            "ranges",
            what, LDX(need), LDX(align), LDX(lo), LDX(hi));
    return LOADER_ERR_NO_SPACE;
}
