/*
 * vmx/mtrr.c - memory types from the MTRRs (pure). SDM 12.11: 12.11.2 (ranges), 12.11.2.2
 * (fixed ranges), 12.11.2.3 (variable ranges), 12.11.4.1 (precedences).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/mtrr.h"
#include "platform/fmt.h"

#define PAGE_MASK 0xfffULL
#define ONE_MIB   0x100000ULL

const uint32_t mtrr_fixed_msr[MTRR_FIXED_MSRS] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
                                                  0x26b, 0x26c, 0x26d, 0x26e, 0x26f};

static bool valid_type(unsigned t)
{
    return t == MTRR_UC || t == MTRR_WC || t == MTRR_WT || t == MTRR_WP || t == MTRR_WB;
}

void mtrr_set_def_type(struct mtrr_state *s, uint64_t msr)
{
    if (!s)
        return;
    s->enabled = msr & MTRR_DEF_TYPE_E;
    s->fixed_enabled = msr & MTRR_DEF_TYPE_FE;
    s->def_type = (uint8_t)(msr & MTRR_DEF_TYPE_TYPE);
}

static bool state_ok(const struct mtrr_state *s)
{
    return s && s->phys_bits >= 32 && s->phys_bits <= 52 && s->var_count <= MTRR_MAX_VAR;
}

static uint64_t phys_limit(const struct mtrr_state *s)
{
    return 1ULL << s->phys_bits;
}

/* ---- fixed ranges (SDM 12.11.2.2) ------------------------------------------------------ */

/* Type of the fixed sub-range holding a (< 1 MiB) and where that sub-range ends:
 * 8 x 64K from 0 (MSR 0x250), 16 x 16K from 0x80000 (0x258, 0x259), 64 x 4K from 0xC0000
 * (0x268-0x26f); byte i of each MSR covers its i-th sub-range. */
static uint8_t fixed_type(const struct mtrr_state *s, uint64_t a, uint64_t *end)
{
    unsigned first;
    uint64_t start, step;
    if (a < 0x80000) {
        first = 0, start = 0, step = 0x10000;
    } else if (a < 0xc0000) {
        first = 1, start = 0x80000, step = 0x4000;
    } else {
        first = 3, start = 0xc0000, step = 0x1000;
    }
    unsigned k = (unsigned)((a - start) / step);
    *end = start + (k + 1) * step;
    return (uint8_t)(s->fixed[first + k / 8] >> (8 * (k % 8)));
}

/* ---- variable ranges (SDM 12.11.2.3) --------------------------------------------------- */

/* An address a is in range i when (a & m) == b. The mask field covers bits
 * MAXPHYADDR-1:12; bits above MAXPHYADDR are part of m (and 0 in b) so that no address
 * beyond the physical-address space matches. */
static void var_match(const struct mtrr_state *s, unsigned i, uint64_t *m, uint64_t *b)
{
    uint64_t phys = phys_limit(s) - 1;
    *m = (s->var[i].mask & phys & ~PAGE_MASK) | ~phys;
    *b = s->var[i].base & *m & phys;
}

static unsigned highest_bit(uint64_t x)
{
    unsigned i = 0;
    while (x >>= 1)
        i++;
    return i;
}

/* The smallest x >= a with (x & m) == b; false when there is none. Masks need not be
 * contiguous: the SDM discourages but allows that. */
static bool next_match(uint64_t a, uint64_t m, uint64_t b, uint64_t *out)
{
    uint64_t diff = (a ^ b) & m;
    if (!diff) {
        *out = a;
        return true;
    }
    unsigned i = highest_bit(diff);
    uint64_t bit = 1ULL << i;
    uint64_t upto = bit | (bit - 1); /* bits i..0 */
    if (b & bit) {
        /* a has 0 where b has 1: keep a above i, take b's bits at and below i */
        *out = (a & ~upto) | (b & upto);
        return true;
    }
    /* a has 1 where b has 0: carry into the lowest free bit above i that is 0 in a */
    for (unsigned j = i + 1; j < 64; j++) {
        uint64_t bj = 1ULL << j;
        if (!(m & bj) && !(a & bj)) {
            *out = (a & ~(bj | (bj - 1))) | bj | (b & (bj - 1));
            return true;
        }
    }
    return false;
}

/* End of the aligned block around a (which matches) over which the match holds: the block
 * size is given by the lowest bit of the mask. */
static uint64_t match_end(uint64_t a, uint64_t m)
{
    uint64_t low = m & (~m + 1);
    return (a | (low - 1)) + 1;
}

/* ---- the type at an address ------------------------------------------------------------ */

/* Type at a and the end of the stretch from a where nothing changes (SDM 12.11.4.1). */
static uint8_t type_at(const struct mtrr_state *s, uint64_t a, uint64_t *end)
{
    uint64_t lim = phys_limit(s);
    if (!s->enabled) {
        *end = lim;
        return MTRR_UC; /* MTRRs disabled: all of physical memory is UC */
    }
    if (s->fixed_enabled && a < ONE_MIB)
        return fixed_type(s, a, end); /* fixed ranges take precedence below 1 MiB */
    uint64_t stop = lim;
    unsigned matched = 0;
    bool any_uc = false, same = true, wt_wb = true;
    uint8_t first = 0;
    for (unsigned i = 0; i < s->var_count; i++) {
        if (!(s->var[i].mask & MTRR_PHYSMASK_VALID))
            continue;
        uint64_t m, b, x;
        var_match(s, i, &m, &b);
        if ((a & m) == b) {
            uint8_t t = (uint8_t)s->var[i].base;
            x = match_end(a, m);
            if (matched++ == 0)
                first = t;
            same = same && t == first;
            any_uc = any_uc || t == MTRR_UC;
            wt_wb = wt_wb && (t == MTRR_WT || t == MTRR_WB);
        } else if (!next_match(a, m, b, &x)) {
            continue;
        }
        if (x < stop)
            stop = x;
    }
    *end = stop;
    if (!matched)
        return s->def_type;
    if (any_uc)
        return MTRR_UC; /* one of them UC: UC */
    if (same)
        return first; /* all the same type */
    if (wt_wb)
        return MTRR_WT; /* WT and WB only: WT */
    return MTRR_TYPE_UNDEFINED;
}

static size_t walk_runs(const struct mtrr_state *s, uint64_t base, uint64_t size,
                        struct mtrr_run *out, size_t cap, size_t stop_after)
{
    uint64_t end = base + size;
    size_t n = 0;
    struct mtrr_run cur = {0, 0, 0};
    for (uint64_t a = base; a < end;) {
        uint64_t next;
        uint8_t t = type_at(s, a, &next);
        if (next > end)
            next = end;
        if (n && cur.type == t) {
            cur.size += next - a;
        } else {
            if (n && n <= cap)
                out[n - 1] = cur;
            if (n == stop_after)
                return n + 1;
            n++;
            cur.base = a;
            cur.size = next - a;
            cur.type = t;
        }
        a = next;
    }
    if (n && n <= cap)
        out[n - 1] = cur;
    return n;
}

static int check_args(const struct mtrr_state *s, uint64_t base, uint64_t size)
{
    if (!state_ok(s) || size == 0)
        return MTRR_EINVAL;
    uint64_t lim = phys_limit(s);
    if (base >= lim || size > lim - base)
        return MTRR_ERANGE;
    return MTRR_OK;
}

size_t mtrr_runs(const struct mtrr_state *s, uint64_t base, uint64_t size, struct mtrr_run *out,
                 size_t cap)
{
    if (check_args(s, base, size) || (!out && cap))
        return 0;
    return walk_runs(s, base, size, out, cap, SIZE_MAX);
}

int mtrr_type_of(const struct mtrr_state *s, uint64_t base, uint64_t size, uint8_t *type)
{
    int rc = check_args(s, base, size);
    if (rc)
        return rc;
    if (!type)
        return MTRR_EINVAL;
    struct mtrr_run r;
    size_t n = walk_runs(s, base, size, &r, 1, 1);
    *type = r.type;
    if (n > 1)
        return MTRR_EMIXED;
    if (r.type == MTRR_TYPE_UNDEFINED)
        return MTRR_EUNDEFINED;
    if (!valid_type(r.type))
        return MTRR_EBADTYPE;
    return MTRR_OK;
}

/* ---- checks ---------------------------------------------------------------------------- */

int mtrr_check(const struct mtrr_state *s, char *msg, size_t len)
{
    if (!state_ok(s)) {
        fmt_msg(msg, len, "MTRR state: phys_bits must be 32..52 and at most %d ranges",
                MTRR_MAX_VAR);
        return MTRR_EINVAL;
    }
    if (!valid_type(s->def_type)) {
        fmt_msg(msg, len, "IA32_MTRR_DEF_TYPE: reserved memory type %u", s->def_type);
        return MTRR_EBADTYPE;
    }
    for (unsigned i = 0; s->fixed_enabled && i < MTRR_FIXED_MSRS; i++) {
        for (unsigned k = 0; k < 8; k++) {
            unsigned t = (unsigned)(s->fixed[i] >> (8 * k)) & 0xff;
            if (!valid_type(t)) {
                fmt_msg(msg, len, "fixed-range MTRR 0x%x byte %u: reserved memory type %u",
                        mtrr_fixed_msr[i], k, t);
                return MTRR_EBADTYPE;
            }
        }
    }
    uint64_t beyond = ~(phys_limit(s) - 1);
    for (unsigned i = 0; i < s->var_count; i++) {
        uint64_t base = s->var[i].base, mask = s->var[i].mask;
        if (!(mask & MTRR_PHYSMASK_VALID))
            continue;
        if (!valid_type(base & 0xff)) {
            fmt_msg(msg, len, "IA32_MTRR_PHYSBASE%u: reserved memory type %u", i,
                    (unsigned)(base & 0xff));
            return MTRR_EBADTYPE;
        }
        if (base & (beyond | 0xf00)) { /* bits 11:8 and MAXPHYADDR and up */
            fmt_msg(msg, len, "IA32_MTRR_PHYSBASE%u 0x%llx: reserved bits 0x%llx set", i,
                    (unsigned long long)base, (unsigned long long)(base & (beyond | 0xf00)));
            return MTRR_ERESERVED;
        }
        if (mask & (beyond | 0x7ff)) { /* bits 10:0 and MAXPHYADDR and up */
            fmt_msg(msg, len, "IA32_MTRR_PHYSMASK%u 0x%llx: reserved bits 0x%llx set", i,
                    (unsigned long long)mask, (unsigned long long)(mask & (beyond | 0x7ff)));
            return MTRR_ERESERVED;
        }
    }
    fmt_msg(msg, len, "MTRRs valid");
    return MTRR_OK;
}

const char *mtrr_type_name(unsigned type)
{
    switch (type) {
    case MTRR_UC:
        return "UC";
    case MTRR_WC:
        return "WC";
    case MTRR_WT:
        return "WT";
    case MTRR_WP:
        return "WP";
    case MTRR_WB:
        return "WB";
    case MTRR_TYPE_UNDEFINED:
        return "undefined";
    default:
        return "reserved";
    }
}

const char *mtrr_error_str(int err)
{
    switch (err) {
    case MTRR_OK:
        return "success";
    case MTRR_EINVAL:
        return "invalid argument";
    case MTRR_ERANGE:
        return "range beyond the physical-address width";
    case MTRR_EMIXED:
        return "range has more than one memory type";
    case MTRR_EUNDEFINED:
        return "overlapping variable MTRRs with an undefined combination";
    case MTRR_EBADTYPE:
        return "reserved memory type in an MTRR";
    case MTRR_ERESERVED:
        return "reserved bits set in an MTRR";
    default:
        return "unknown error";
    }
}
