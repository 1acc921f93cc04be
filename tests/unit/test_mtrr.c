/* Unit tests for vmx/mtrr: memory types from the MTRRs (SDM 12.11), with the setups the
 * Bochs BIOS and SeaBIOS program, checked against a direct per-address reading of the
 * SDM's rules. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmx/mtrr.h"

#define KIB (1024ULL)
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

#define ALL_WB 0x0606060606060606ULL
#define ALL_WP 0x0505050505050505ULL

static uint64_t phys_mask(unsigned bits)
{
    return (1ULL << bits) - 1;
}

/* A variable range [base, base + size) of `type`; size a power of two, base aligned. */
static void set_var(struct mtrr_state *s, unsigned i, uint64_t base, uint64_t size, unsigned type)
{
    s->var[i].base = base | type;
    s->var[i].mask = (~(size - 1) & phys_mask(s->phys_bits) & ~0xfffULL) | MTRR_PHYSMASK_VALID;
}

/* What the Bochs BIOS (rombios32.c) programs: WB below 640K, UC 0xA0000-0xFFFFF,
 * UC hole 3G-4G, default WB. */
static struct mtrr_state bochs_bios(void)
{
    struct mtrr_state s = {.phys_bits = 40, .var_count = 8};
    mtrr_set_def_type(&s, 0xc00 | MTRR_WB);
    s.fixed[0] = ALL_WB;
    s.fixed[1] = ALL_WB;
    set_var(&s, 0, 0xc0000000, GIB, MTRR_UC);
    return s;
}

/* What SeaBIOS (src/fw/mtrr.c) programs: like the above but the ROM area 0xC0000-0xFFFFF
 * WP and the PCI hole from 3.5G. */
static struct mtrr_state seabios(void)
{
    struct mtrr_state s = {.phys_bits = 39, .var_count = 8};
    mtrr_set_def_type(&s, 0xc00 | MTRR_WB);
    s.fixed[0] = ALL_WB;
    s.fixed[1] = ALL_WB;
    for (unsigned i = 3; i < MTRR_FIXED_MSRS; i++)
        s.fixed[i] = ALL_WP;
    set_var(&s, 0, 0xe0000000, 512 * MIB, MTRR_UC);
    return s;
}

/* The SDM's rules read directly, one address at a time (SDM 12.11.4.1). */
static unsigned naive_type(const struct mtrr_state *s, uint64_t a)
{
    if (!s->enabled)
        return MTRR_UC;
    if (s->fixed_enabled && a < 0x100000) {
        unsigned msr, byte;
        if (a < 0x80000) {
            msr = 0, byte = (unsigned)(a >> 16);
        } else if (a < 0xc0000) {
            unsigned k = (unsigned)((a - 0x80000) >> 14);
            msr = 1 + k / 8, byte = k % 8;
        } else {
            unsigned k = (unsigned)((a - 0xc0000) >> 12);
            msr = 3 + k / 8, byte = k % 8;
        }
        return (unsigned)(s->fixed[msr] >> (8 * byte)) & 0xff;
    }
    unsigned n = 0, types[MTRR_MAX_VAR];
    for (unsigned i = 0; i < s->var_count; i++) {
        if (!(s->var[i].mask & MTRR_PHYSMASK_VALID))
            continue;
        uint64_t m = s->var[i].mask & phys_mask(s->phys_bits) & ~0xfffULL;
        if ((a & m) == (s->var[i].base & m))
            types[n++] = (unsigned)(s->var[i].base & 0xff);
    }
    if (n == 0)
        return s->def_type;
    bool same = true, uc = false, wtwb = true;
    for (unsigned i = 0; i < n; i++) {
        same = same && types[i] == types[0];
        uc = uc || types[i] == MTRR_UC;
        wtwb = wtwb && (types[i] == MTRR_WT || types[i] == MTRR_WB);
    }
    if (uc)
        return MTRR_UC;
    if (same)
        return types[0];
    return wtwb ? MTRR_WT : MTRR_TYPE_UNDEFINED;
}

static uint64_t lcg_state = 12345;

static uint64_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state >> 11;
}

/* Runs of [base, base+size): they tile the range, neighbours differ, and every sampled
 * address has the type naive_type gives it. */
static size_t check_runs(const struct mtrr_state *s, uint64_t base, uint64_t size)
{
    static struct mtrr_run r[256];
    size_t n = mtrr_runs(s, base, size, r, 256);
    cr_assert(n > 0 && n <= 256, "%zu runs", n);
    uint64_t at = base;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(r[i].base, at, "run %zu starts at 0x%llx, want 0x%llx", i,
                     (unsigned long long)r[i].base, (unsigned long long)at);
        cr_assert_gt(r[i].size, 0);
        if (i)
            cr_assert_neq(r[i].type, r[i - 1].type, "runs %zu and %zu both %u", i - 1, i,
                          r[i].type);
        uint64_t last = r[i].base + r[i].size - 1;
        cr_assert_eq(naive_type(s, r[i].base), r[i].type, "run %zu start 0x%llx", i,
                     (unsigned long long)r[i].base);
        cr_assert_eq(naive_type(s, last), r[i].type, "run %zu end 0x%llx", i,
                     (unsigned long long)last);
        cr_assert_eq(naive_type(s, r[i].base + r[i].size / 2), r[i].type, "run %zu middle", i);
        at += r[i].size;
    }
    cr_assert_eq(at, base + size);
    for (int k = 0; k < 2000; k++) {
        uint64_t a = base + lcg() % size;
        size_t i = 0;
        while (r[i].base + r[i].size <= a)
            i++;
        cr_assert_eq(naive_type(s, a), r[i].type, "address 0x%llx in run %zu",
                     (unsigned long long)a, i);
    }
    return n;
}

static void expect_run(const struct mtrr_run *r, uint64_t base, uint64_t size, unsigned type)
{
    cr_expect_eq(r->base, base, "base 0x%llx want 0x%llx", (unsigned long long)r->base,
                 (unsigned long long)base);
    cr_expect_eq(r->size, size, "size 0x%llx want 0x%llx", (unsigned long long)r->size,
                 (unsigned long long)size);
    cr_expect_eq(r->type, type, "type %u want %u", r->type, type);
}

static unsigned type_of(const struct mtrr_state *s, uint64_t base, uint64_t size)
{
    uint8_t t = 0xee;
    int rc = mtrr_type_of(s, base, size, &t);
    cr_assert_eq(rc, MTRR_OK, "0x%llx+0x%llx: %s", (unsigned long long)base,
                 (unsigned long long)size, mtrr_error_str(rc));
    return t;
}

/* ---- realistic setups ------------------------------------------------------------------ */

Test(mtrr, bochs_bios_layout)
{
    struct mtrr_state s = bochs_bios();
    cr_assert_eq(mtrr_check(&s, NULL, 0), MTRR_OK);
    cr_expect_eq(type_of(&s, 0, 640 * KIB), MTRR_WB);
    cr_expect_eq(type_of(&s, 0xa0000, 128 * KIB), MTRR_UC); /* VGA memory */
    cr_expect_eq(type_of(&s, 0xc0000, 256 * KIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0x100000, 0xc0000000 - 0x100000), MTRR_WB);
    cr_expect_eq(type_of(&s, 0xc0000000, GIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0xfee00000, 4 * KIB), MTRR_UC); /* local APIC */
    cr_expect_eq(type_of(&s, 4 * GIB, 4 * GIB), MTRR_WB);
    struct mtrr_run r[8];
    cr_assert_eq(mtrr_runs(&s, 0, 8 * GIB, r, 8), 5);
    expect_run(&r[0], 0, 0xa0000, MTRR_WB);
    expect_run(&r[1], 0xa0000, 0x60000, MTRR_UC);
    expect_run(&r[2], 0x100000, 0xc0000000 - 0x100000, MTRR_WB);
    expect_run(&r[3], 0xc0000000, GIB, MTRR_UC);
    expect_run(&r[4], 4 * GIB, 4 * GIB, MTRR_WB);
    check_runs(&s, 0, 1ULL << 40);
}

Test(mtrr, seabios_layout)
{
    struct mtrr_state s = seabios();
    cr_assert_eq(mtrr_check(&s, NULL, 0), MTRR_OK);
    struct mtrr_run r[8];
    cr_assert_eq(mtrr_runs(&s, 0, 4 * GIB, r, 8), 5);
    expect_run(&r[0], 0, 0xa0000, MTRR_WB);
    expect_run(&r[1], 0xa0000, 0x20000, MTRR_UC);
    expect_run(&r[2], 0xc0000, 0x40000, MTRR_WP); /* option ROMs and the BIOS */
    expect_run(&r[3], 0x100000, 0xe0000000 - 0x100000, MTRR_WB);
    expect_run(&r[4], 0xe0000000, 512 * MIB, MTRR_UC);
    cr_expect_eq(type_of(&s, 0xd0000000, 256 * MIB), MTRR_WB);
    check_runs(&s, 0, 1ULL << 39);
}

Test(mtrr, typical_firmware_default_uc_with_wb_ranges)
{
    /* default UC; WB 0-4G and 4G-8G; UC hole 3G-4G inside the first WB range */
    struct mtrr_state s = {.phys_bits = 46, .var_count = 10};
    mtrr_set_def_type(&s, 0xc00 | MTRR_UC);
    s.fixed[0] = s.fixed[1] = ALL_WB;
    set_var(&s, 0, 0, 4 * GIB, MTRR_WB);
    set_var(&s, 1, 4 * GIB, 4 * GIB, MTRR_WB);
    set_var(&s, 2, 3 * GIB, GIB, MTRR_UC);
    cr_expect_eq(type_of(&s, 2 * GIB, GIB), MTRR_WB);
    cr_expect_eq(type_of(&s, 0xd0000000, 4 * KIB), MTRR_UC); /* UC wins an overlap */
    cr_expect_eq(type_of(&s, 5 * GIB, GIB), MTRR_WB);
    cr_expect_eq(type_of(&s, 8 * GIB, GIB), MTRR_UC);     /* the default */
    cr_expect_eq(type_of(&s, 0xa0000, 4 * KIB), MTRR_UC); /* fixed byte 0 of 0x259 */
    check_runs(&s, 0, 16 * GIB);
}

/* ---- rules ----------------------------------------------------------------------------- */

Test(mtrr, disabled_means_uc_everywhere)
{
    struct mtrr_state s = bochs_bios();
    mtrr_set_def_type(&s, MTRR_WB | MTRR_DEF_TYPE_FE); /* E clear */
    cr_expect_not(s.enabled);
    cr_expect_eq(type_of(&s, 0, 4 * GIB), MTRR_UC);
    struct mtrr_run r[2];
    cr_expect_eq(mtrr_runs(&s, 0, 16 * GIB, r, 2), 1);
    expect_run(&r[0], 0, 16 * GIB, MTRR_UC);
}

Test(mtrr, fixed_ranges_disabled_leave_low_memory_to_variable_ranges)
{
    struct mtrr_state s = bochs_bios();
    mtrr_set_def_type(&s, MTRR_DEF_TYPE_E | MTRR_WB);
    cr_expect(s.enabled && !s.fixed_enabled);
    cr_expect_eq(type_of(&s, 0xa0000, 128 * KIB), MTRR_WB);
    set_var(&s, 1, 0, 1 * MIB, MTRR_WT);
    cr_expect_eq(type_of(&s, 0xa0000, 128 * KIB), MTRR_WT);
    check_runs(&s, 0, 8 * GIB);
}

Test(mtrr, fixed_range_granularity_and_byte_order)
{
    struct mtrr_state s = bochs_bios();
    s.fixed[0] = ALL_WB & ~(0xffULL << 56);             /* 0x70000-0x7ffff UC */
    s.fixed[2] = (uint64_t)MTRR_WC << 24;               /* 0xac000-0xaffff WC */
    s.fixed[10] = ALL_WP & ~(0xffULL << 56) & ~0xffULL; /* 0xf8000 UC, 0xf9000.. WP */
    cr_expect_eq(type_of(&s, 0x60000, 64 * KIB), MTRR_WB);
    cr_expect_eq(type_of(&s, 0x70000, 64 * KIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0xa8000, 16 * KIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0xac000, 16 * KIB), MTRR_WC);
    cr_expect_eq(type_of(&s, 0xb0000, 16 * KIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0xf8000, 4 * KIB), MTRR_UC);
    cr_expect_eq(type_of(&s, 0xf9000, 24 * KIB), MTRR_WP);
    cr_expect_eq(type_of(&s, 0xff000, 4 * KIB), MTRR_UC);
    for (uint64_t a = 0; a < 0x100000; a += 4 * KIB)
        cr_assert_eq(type_of(&s, a, 4 * KIB), naive_type(&s, a), "page 0x%llx",
                     (unsigned long long)a);
    check_runs(&s, 0, 2 * MIB);
}

Test(mtrr, overlap_precedence)
{
    struct mtrr_state s = {.phys_bits = 36, .var_count = 4};
    mtrr_set_def_type(&s, MTRR_DEF_TYPE_E | MTRR_UC);
    set_var(&s, 0, 0, 2 * GIB, MTRR_WB);
    set_var(&s, 1, GIB, GIB, MTRR_WT);
    cr_expect_eq(type_of(&s, GIB + 0x1000, 4 * KIB), MTRR_WT, "WT and WB: WT");
    set_var(&s, 2, GIB, 256 * MIB, MTRR_WB);
    cr_expect_eq(type_of(&s, GIB, 4 * KIB), MTRR_WT, "WT, WB, WB: WT");
    set_var(&s, 3, 0, 256 * MIB, MTRR_WB);
    cr_expect_eq(type_of(&s, 0, 256 * MIB), MTRR_WB, "the same type twice");
    set_var(&s, 3, 0, 256 * MIB, MTRR_WC);
    uint8_t t;
    cr_expect_eq(mtrr_type_of(&s, 0, 4 * KIB, &t), MTRR_EUNDEFINED, "WC and WB");
    struct mtrr_run r[4];
    cr_assert_eq(mtrr_runs(&s, 0, 512 * MIB, r, 4), 2);
    expect_run(&r[0], 0, 256 * MIB, MTRR_TYPE_UNDEFINED);
    expect_run(&r[1], 256 * MIB, 256 * MIB, MTRR_WB);
    s.var[3].mask &= ~MTRR_PHYSMASK_VALID; /* an invalid range counts for nothing */
    cr_expect_eq(type_of(&s, 0, 4 * KIB), MTRR_WB);
    set_var(&s, 3, 0, 2 * GIB, MTRR_UC);
    cr_expect_eq(type_of(&s, GIB, 4 * KIB), MTRR_UC, "UC wins");
    check_runs(&s, 0, 64 * GIB);
}

Test(mtrr, non_contiguous_mask)
{
    /* base 0, mask bits 35:31 and 29: matches [0,512M) and [1G,1.5G) below 2G */
    struct mtrr_state s = {.phys_bits = 36, .var_count = 1};
    mtrr_set_def_type(&s, MTRR_DEF_TYPE_E | MTRR_WB);
    s.var[0].base = MTRR_UC;
    s.var[0].mask = (phys_mask(36) & ~(GIB * 2 - 1)) | (1ULL << 29) | MTRR_PHYSMASK_VALID;
    struct mtrr_run r[8];
    cr_assert_eq(mtrr_runs(&s, 0, 4 * GIB, r, 8), 4);
    expect_run(&r[0], 0, 512 * MIB, MTRR_UC);
    expect_run(&r[1], 512 * MIB, 512 * MIB, MTRR_WB);
    expect_run(&r[2], GIB, 512 * MIB, MTRR_UC);
    expect_run(&r[3], GIB + 512 * MIB, 2 * GIB + 512 * MIB, MTRR_WB);
    check_runs(&s, 0, 1ULL << 36);
    check_runs(&s, 700 * MIB, 3 * GIB);
}

Test(mtrr, random_configurations_agree_with_the_rules)
{
    static const unsigned types[] = {MTRR_UC, MTRR_WC, MTRR_WT, MTRR_WP, MTRR_WB};
    for (int cfg = 0; cfg < 40; cfg++) {
        struct mtrr_state s = {.phys_bits = 36, .var_count = 1 + (unsigned)(lcg() % 8)};
        mtrr_set_def_type(&s,
                          MTRR_DEF_TYPE_E | (cfg % 3 ? MTRR_DEF_TYPE_FE : 0) | types[lcg() % 5]);
        for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++)
            for (unsigned k = 0; k < 8; k++)
                s.fixed[i] |= (uint64_t)types[lcg() % 5] << (8 * k);
        for (unsigned i = 0; i < s.var_count; i++) {
            unsigned order = 12 + (unsigned)(lcg() % 22); /* 4K .. 8G */
            uint64_t size = 1ULL << order;
            uint64_t base = (lcg() % (1ULL << 35)) & ~(size - 1);
            set_var(&s, i, base, size, types[lcg() % 5]);
            if (lcg() % 6 == 0)
                s.var[i].mask &= ~MTRR_PHYSMASK_VALID;
            if (lcg() % 8 == 0) /* now and then a hole in the mask */
                s.var[i].mask &= ~(1ULL << (order + (unsigned)(lcg() % (36 - order))));
        }
        cr_assert_eq(mtrr_check(&s, NULL, 0), MTRR_OK);
        check_runs(&s, 0, 1ULL << 36);
        check_runs(&s, 0, 2 * MIB);
    }
}

/* ---- interface ------------------------------------------------------------------------- */

Test(mtrr, mixed_range_and_run_capacity)
{
    struct mtrr_state s = bochs_bios();
    uint8_t t = 0xee;
    cr_expect_eq(mtrr_type_of(&s, 0x9f000, 8 * KIB, &t), MTRR_EMIXED);
    cr_expect_eq(t, MTRR_WB, "the type at the base");
    struct mtrr_run r[3];
    memset(r, 0x5a, sizeof(r));
    cr_expect_eq(mtrr_runs(&s, 0, 8 * GIB, r, 2), 5);
    expect_run(&r[1], 0xa0000, 0x60000, MTRR_UC);
    cr_expect_eq(r[2].base, 0x5a5a5a5a5a5a5a5aULL, "nothing written past cap");
    cr_expect_eq(mtrr_runs(&s, 0, 8 * GIB, NULL, 0), 5);
    /* a range not starting at 0 */
    struct mtrr_run q[4];
    cr_assert_eq(mtrr_runs(&s, 0x80000, 0xbff80000 + GIB, q, 4), 4);
    expect_run(&q[0], 0x80000, 0x20000, MTRR_WB);
    expect_run(&q[1], 0xa0000, 0x60000, MTRR_UC);
    expect_run(&q[2], 0x100000, 0xc0000000 - 0x100000, MTRR_WB);
    expect_run(&q[3], 0xc0000000, GIB, MTRR_UC);
}

Test(mtrr, invalid_arguments)
{
    struct mtrr_state s = bochs_bios();
    uint8_t t;
    struct mtrr_run r[2];
    cr_expect_eq(mtrr_type_of(&s, 0, 0, &t), MTRR_EINVAL);
    cr_expect_eq(mtrr_type_of(&s, 0, 4 * KIB, NULL), MTRR_EINVAL);
    cr_expect_eq(mtrr_type_of(NULL, 0, 4 * KIB, &t), MTRR_EINVAL);
    cr_expect_eq(mtrr_type_of(&s, (1ULL << 40) - 4 * KIB, 8 * KIB, &t), MTRR_ERANGE);
    cr_expect_eq(mtrr_type_of(&s, ~0ULL, 2, &t), MTRR_ERANGE);
    cr_expect_eq(mtrr_runs(&s, 0, 0, r, 2), 0);
    cr_expect_eq(mtrr_runs(&s, 0, 1ULL << 41, r, 2), 0);
    cr_expect_eq(mtrr_runs(&s, 0, 4 * KIB, NULL, 2), 0);
    s.phys_bits = 0;
    cr_expect_eq(mtrr_type_of(&s, 0, 4 * KIB, &t), MTRR_EINVAL);
    s = bochs_bios();
    s.var_count = MTRR_MAX_VAR + 1;
    cr_expect_eq(mtrr_type_of(&s, 0, 4 * KIB, &t), MTRR_EINVAL);
    s = bochs_bios();
    s.var[0].base = 0xc0000000 | 2; /* reserved type in a range */
    cr_expect_eq(mtrr_type_of(&s, 0xc0000000, 4 * KIB, &t), MTRR_EBADTYPE);
    cr_expect_eq(t, 2);
}

Test(mtrr, check_names_the_bad_msr)
{
    char msg[120];
    struct mtrr_state s = bochs_bios();
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_OK);
    s.def_type = 7;
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_EBADTYPE);
    cr_expect_str_eq(msg, "IA32_MTRR_DEF_TYPE: reserved memory type 7");

    s = bochs_bios();
    s.fixed[4] = ALL_WB & ~(0xffULL << 16); /* byte 2 of 0x269: type 0 is fine */
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_OK);
    s.fixed[4] |= 3ULL << 16;
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_EBADTYPE);
    cr_expect_str_eq(msg, "fixed-range MTRR 0x269 byte 2: reserved memory type 3");
    s.fixed_enabled = false; /* not in use: not checked */
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_OK);

    s = bochs_bios();
    s.var[0].base |= 0x100;
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_ERESERVED);
    cr_expect_str_eq(msg, "IA32_MTRR_PHYSBASE0 0xc0000100: reserved bits 0x100 set");
    s = bochs_bios();
    s.var[0].mask |= 1ULL << 45;
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_ERESERVED);
    cr_expect(strstr(msg, "IA32_MTRR_PHYSMASK0") == msg, "%s", msg);
    s = bochs_bios();
    s.var[3].base = 0x7; /* type 7, but the range is not valid */
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_OK);
    s.var[3].mask = MTRR_PHYSMASK_VALID | 0xfffff000ULL;
    cr_expect_eq(mtrr_check(&s, msg, sizeof(msg)), MTRR_EBADTYPE);
    cr_expect_str_eq(msg, "IA32_MTRR_PHYSBASE3: reserved memory type 7");
}

Test(mtrr, def_type_decoding_and_names)
{
    struct mtrr_state s = {0};
    mtrr_set_def_type(&s, 0xc06);
    cr_expect(s.enabled && s.fixed_enabled);
    cr_expect_eq(s.def_type, MTRR_WB);
    mtrr_set_def_type(&s, 0x800);
    cr_expect(s.enabled && !s.fixed_enabled);
    cr_expect_eq(s.def_type, MTRR_UC);
    cr_expect_eq(mtrr_fixed_msr[0], 0x250);
    cr_expect_eq(mtrr_fixed_msr[2], 0x259);
    cr_expect_eq(mtrr_fixed_msr[10], 0x26f);
    cr_expect_eq(MTRR_MSR_PHYSMASK(3), 0x207);
    cr_expect_str_eq(mtrr_type_name(MTRR_WP), "WP");
    cr_expect_str_eq(mtrr_type_name(MTRR_TYPE_UNDEFINED), "undefined");
    cr_expect_str_eq(mtrr_type_name(2), "reserved");
    cr_expect_str_eq(mtrr_error_str(MTRR_EMIXED), "range has more than one memory type");
}
