/* Unit tests for vmx/ept: the EPT builder, walker, misconfiguration explanation and A/D
 * collection. Table pages come from a fake arena whose "host-physical" addresses differ
 * from the host pointers, so a mix-up of the two shows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vmx/ept.h"

#define KIB (1024ULL)
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)

#define ARENA_PAGES 64
#define ARENA_BASE  0x7000000ULL /* fake host-physical address of page 0 */

static uint8_t arena[ARENA_PAGES][4096] __attribute__((aligned(4096)));

struct fake {
    bool used[ARENA_PAGES];
    unsigned limit; /* most pages in use at once */
    unsigned in_use;
    bool misalign; /* hand out unaligned addresses */
};

static uint64_t fake_alloc(void *ctx)
{
    struct fake *f = ctx;
    if (f->in_use >= f->limit)
        return 0;
    for (unsigned i = 0; i < ARENA_PAGES; i++) {
        if (!f->used[i]) {
            f->used[i] = true;
            f->in_use++;
            memset(arena[i], 0xa5, sizeof(arena[i])); /* the builder must not rely on zeroes */
            memset(arena[i], 0, sizeof(arena[i]));
            return ARENA_BASE + i * 4096ULL + (f->misalign ? 8 : 0);
        }
    }
    return 0;
}

static unsigned page_index(uint64_t phys)
{
    cr_assert(phys >= ARENA_BASE && phys < ARENA_BASE + ARENA_PAGES * 4096ULL,
              "phys 0x%llx outside the arena", (unsigned long long)phys);
    return (unsigned)((phys - ARENA_BASE) / 4096);
}

static void fake_free(void *ctx, uint64_t phys)
{
    struct fake *f = ctx;
    unsigned i = page_index(phys);
    cr_assert(f->used[i], "double free of 0x%llx", (unsigned long long)phys);
    f->used[i] = false;
    f->in_use--;
}

static void *fake_ptr(void *ctx, uint64_t phys)
{
    struct fake *f = ctx;
    unsigned i = page_index(phys);
    cr_assert(f->used[i], "pointer to free page 0x%llx", (unsigned long long)phys);
    cr_assert_eq(phys & 0xfff, 0);
    return arena[i];
}

static struct fake fk;
static struct ept_mem mem = {fake_alloc, fake_free, fake_ptr, &fk};

static void setup(unsigned sizes, bool ad, bool xo, struct ept *e)
{
    memset(&fk, 0, sizeof(fk));
    fk.limit = ARENA_PAGES;
    cr_assert_eq(ept_init(e, &mem, sizes, ad, xo), EPT_OK);
    cr_assert_eq(e->tables, 1);
}

#define ALL_SIZES (EPT_PAGE_4K | EPT_PAGE_2M | EPT_PAGE_1G)
#define RWX       (EPT_R | EPT_W | EPT_X)

/* Walks gpa and checks it is mapped to hpa with the given page size, perm and type. */
static void expect_map(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t page_size,
                       unsigned perm, unsigned memtype)
{
    struct ept_walk w;
    cr_assert_eq(ept_walk(e, gpa, &w), EPT_WALK_MAPPED, "gpa 0x%llx not mapped (result %d)",
                 (unsigned long long)gpa, w.result);
    cr_expect_eq(w.hpa, hpa, "gpa 0x%llx -> 0x%llx, want 0x%llx", (unsigned long long)gpa,
                 (unsigned long long)w.hpa, (unsigned long long)hpa);
    cr_expect_eq(w.page_size, page_size, "gpa 0x%llx page size 0x%llx want 0x%llx",
                 (unsigned long long)gpa, (unsigned long long)w.page_size,
                 (unsigned long long)page_size);
    cr_expect_eq(w.perm, perm, "gpa 0x%llx perm %u want %u", (unsigned long long)gpa, w.perm, perm);
    cr_expect_eq(w.memtype, memtype, "gpa 0x%llx type %u want %u", (unsigned long long)gpa,
                 w.memtype, memtype);
}

static void expect_unmapped(const struct ept *e, uint64_t gpa, unsigned level)
{
    struct ept_walk w;
    cr_assert_eq(ept_walk(e, gpa, &w), EPT_WALK_NOT_PRESENT, "gpa 0x%llx is mapped",
                 (unsigned long long)gpa);
    cr_expect_eq(w.level, level, "gpa 0x%llx stops at level %u, want %u", (unsigned long long)gpa,
                 w.level, level);
}

/* Host pointer to the entry at `level` on the walk of gpa (the walk must reach it). */
static uint64_t *entry_ptr(const struct ept *e, uint64_t gpa, unsigned level)
{
    struct ept_walk w;
    ept_walk(e, gpa, &w);
    cr_assert_geq(level, w.level, "walk of 0x%llx stopped at level %u", (unsigned long long)gpa,
                  w.level);
    uint64_t *t = fake_ptr(&fk, w.table[level]);
    return &t[w.index[level]];
}

static void expect_tables(const struct ept *e, uint32_t n)
{
    cr_expect_eq(e->tables, n, "tables %u, want %u", e->tables, n);
    cr_expect_eq(fk.in_use, e->tables, "allocator has %u pages out, ept counts %u", fk.in_use,
                 e->tables);
}

/* ---- layouts ------------------------------------------------------------------------- */

Test(ept, identity_4g_uses_1g_pages_when_allowed)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * GIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 2); /* PML4 + one PDPT */
    expect_map(&e, 0x12345678, 0x12345678, GIB, RWX, EPT_MT_WB);
    expect_map(&e, 4 * GIB - 1, 4 * GIB - 1, GIB, RWX, EPT_MT_WB);
    expect_unmapped(&e, 4 * GIB, EPT_PDPTE);
    struct ept_walk w;
    ept_walk(&e, 0x12345678, &w);
    cr_expect_eq(w.level, EPT_PDPTE);
    ept_destroy(&e);
    cr_expect_eq(fk.in_use, 0);
}

Test(ept, identity_4g_uses_2m_pages_without_1g)
{
    struct ept e;
    setup(EPT_PAGE_4K | EPT_PAGE_2M, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * GIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 6); /* PML4 + PDPT + 4 PDs */
    expect_map(&e, 0xfee00123, 0xfee00123, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 3 * GIB + 5, 3 * GIB + 5, 2 * MIB, RWX, EPT_MT_WB);
    ept_destroy(&e);
    cr_expect_eq(fk.in_use, 0);
}

Test(ept, only_4k_pages_when_only_4k_allowed)
{
    struct ept e;
    setup(EPT_PAGE_4K, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 8 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 7); /* PML4 + PDPT + PD + 4 PTs */
    expect_map(&e, 0x7ff001, 0x7ff001, 4 * KIB, RWX, EPT_MT_WB);
}

Test(ept, non_identity_layout_walks_to_the_right_hpa)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    /* guest 0-64 MiB -> host 0x40000000.. : 2M pages (the range is smaller than 1G) */
    cr_assert_eq(ept_map(&e, 0, 0x40000000, 64 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    expect_map(&e, 0, 0x40000000, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x123456, 0x40123456, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 64 * MIB - 1, 0x40000000 + 64 * MIB - 1, 2 * MIB, RWX, EPT_MT_WB);
    expect_unmapped(&e, 64 * MIB, EPT_PDE);
    /* guest 1G-3G -> host 4G-6G: 1G pages */
    cr_assert_eq(ept_map(&e, GIB, 4 * GIB, 2 * GIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    expect_map(&e, 2 * GIB + 0x1234, 5 * GIB + 0x1234, GIB, RWX, EPT_MT_WB);
    /* far up in the 48-bit space: a second PDPT */
    cr_assert_eq(ept_map(&e, 0x7f0000000000ULL, 0x200000, 4 * KIB, EPT_R, EPT_MT_UC, false),
                 EPT_OK);
    expect_tables(&e, 6);
    expect_map(&e, 0x7f0000000fffULL, 0x200fff, 4 * KIB, EPT_R, EPT_MT_UC);
}

Test(ept, mixed_alignment_falls_back_to_4k)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    /* gpa 2M-aligned but hpa only 4K-aligned: no large page can be used */
    cr_assert_eq(ept_map(&e, 0x200000, 0x201000, 4 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 5); /* PML4 + PDPT + PD + 2 PTs */
    expect_map(&e, 0x200000, 0x201000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x5ff123, 0x600123, 4 * KIB, RWX, EPT_MT_WB);
    expect_unmapped(&e, 0x600000, EPT_PDE);
}

Test(ept, unaligned_edges_use_4k_and_the_middle_2m)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0x1ff000, 0x1ff000, 0x402000, RWX, EPT_MT_WB, false), EPT_OK);
    expect_map(&e, 0x1ff000, 0x1ff000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x200000, 0x200000, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x400000, 0x400000, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x600000, 0x600000, 4 * KIB, RWX, EPT_MT_WB);
    expect_unmapped(&e, 0x601000, EPT_PTE);
    expect_unmapped(&e, 0x1fe000, EPT_PTE);
    expect_tables(&e, 5);
}

Test(ept, remap_middle_of_2m_page_splits_and_keeps_neighbours)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    cr_assert_eq(ept_map(&e, 0x100000, 0x9000000, 4 * KIB, EPT_R, EPT_MT_UC, true), EPT_OK);
    expect_tables(&e, 4);
    expect_map(&e, 0x100000, 0x9000000, 4 * KIB, EPT_R, EPT_MT_UC);
    struct ept_walk w;
    ept_walk(&e, 0x100000, &w);
    cr_expect(w.ignore_pat);
    cr_expect_eq(w.level, EPT_PTE);
    expect_map(&e, 0xff000, 0xff000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x101abc, 0x101abc, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x1fffff, 0x1fffff, 4 * KIB, RWX, EPT_MT_WB);
    ept_walk(&e, 0x101000, &w);
    cr_expect_not(w.ignore_pat);
}

Test(ept, remap_inside_1g_page_splits_into_2m_pages)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, GIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 2);
    cr_assert_eq(ept_map(&e, 0x200000, 0x80000000, 2 * MIB, EPT_R | EPT_W, EPT_MT_WT, false),
                 EPT_OK);
    expect_tables(&e, 3); /* only a PD: the 1G page became 512 2M pages */
    expect_map(&e, 0x1fffff, 0x1fffff, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x200000, 0x80000000, 2 * MIB, EPT_R | EPT_W, EPT_MT_WT);
    expect_map(&e, GIB - 1, GIB - 1, 2 * MIB, RWX, EPT_MT_WB);
}

Test(ept, mapping_the_same_translation_again_does_not_split)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    cr_assert_eq(ept_map(&e, 0x1000, 0x1000, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    expect_map(&e, 0x1000, 0x1000, 2 * MIB, RWX, EPT_MT_WB);
    /* same hpa but another type: must split */
    cr_assert_eq(ept_map(&e, 0x1000, 0x1000, 4 * KIB, RWX, EPT_MT_UC, false), EPT_OK);
    expect_tables(&e, 4);
}

Test(ept, large_mapping_over_small_pages_frees_their_table)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0x3000, 0x3000, 8 * KIB, EPT_R, EPT_MT_UC, false), EPT_OK);
    expect_tables(&e, 4);
    cr_assert_eq(ept_map(&e, 0, 0x40000000, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    expect_map(&e, 0x3000, 0x40003000, 2 * MIB, RWX, EPT_MT_WB);
    /* and a 1G mapping over that frees the PD */
    cr_assert_eq(ept_map(&e, 0, 0, GIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 2);
}

Test(ept, permissions_and_types_per_region)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 16 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    cr_assert_eq(ept_map(&e, 0xa0000, 0xa0000, 128 * KIB, EPT_R | EPT_W, EPT_MT_UC, false),
                 EPT_OK); /* VGA window */
    cr_assert_eq(ept_map(&e, 0xf0000, 0x5000000, 64 * KIB, EPT_R | EPT_X, EPT_MT_WP, false),
                 EPT_OK); /* BIOS ROM copy */
    cr_assert_eq(ept_map(&e, 0xfec00000, 0xfec00000, 4 * KIB, EPT_R | EPT_W, EPT_MT_UC, true),
                 EPT_OK); /* IOAPIC */
    cr_assert_eq(ept_map(&e, 0xd0000000, 0xd0000000, 8 * MIB, EPT_R | EPT_W, EPT_MT_WC, false),
                 EPT_OK); /* frame buffer */
    expect_map(&e, 0x9ffff, 0x9ffff, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0xa0000, 0xa0000, 4 * KIB, EPT_R | EPT_W, EPT_MT_UC);
    expect_map(&e, 0xbffff, 0xbffff, 4 * KIB, EPT_R | EPT_W, EPT_MT_UC);
    expect_map(&e, 0xc0000, 0xc0000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0xf1234, 0x5001234, 4 * KIB, EPT_R | EPT_X, EPT_MT_WP);
    expect_map(&e, 0x100000, 0x100000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x200000, 0x200000, 2 * MIB, RWX, EPT_MT_WB);
    expect_map(&e, 0xfec00010, 0xfec00010, 4 * KIB, EPT_R | EPT_W, EPT_MT_UC);
    expect_map(&e, 0xd0700000, 0xd0700000, 2 * MIB, EPT_R | EPT_W, EPT_MT_WC);
    expect_unmapped(&e, 0xfec01000, EPT_PTE);
}

Test(ept, protect_changes_permissions_only)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0x10000000, 4 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    cr_assert_eq(ept_protect(&e, 0x1000, 8 * KIB, EPT_R), EPT_OK);
    expect_map(&e, 0x1000, 0x10001000, 4 * KIB, EPT_R, EPT_MT_WB);
    expect_map(&e, 0x2fff, 0x10002fff, 4 * KIB, EPT_R, EPT_MT_WB);
    expect_map(&e, 0x3000, 0x10003000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x0, 0x10000000, 4 * KIB, RWX, EPT_MT_WB);
    /* a whole 2M page stays a 2M page */
    cr_assert_eq(ept_protect(&e, 2 * MIB, 2 * MIB, EPT_R | EPT_X), EPT_OK);
    expect_map(&e, 3 * MIB, 0x10300000, 2 * MIB, EPT_R | EPT_X, EPT_MT_WB);
    expect_tables(&e, 4);
    /* a range with a hole is refused, and nothing changes */
    cr_assert_eq(ept_protect(&e, 3 * MIB, 2 * MIB, EPT_R), EPT_ENOTMAPPED);
    expect_map(&e, 3 * MIB, 0x10300000, 2 * MIB, EPT_R | EPT_X, EPT_MT_WB);
    cr_assert_eq(ept_protect(&e, 0, 4 * KIB, EPT_W), EPT_EWRITE_NO_READ);
}

Test(ept, unmap_splits_and_frees_empty_tables)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    cr_assert_eq(ept_unmap(&e, 0x200000, 4 * KIB), EPT_OK);
    expect_tables(&e, 4);
    expect_unmapped(&e, 0x200000, EPT_PTE);
    expect_map(&e, 0x201000, 0x201000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x1fffff, 0x1fffff, 2 * MIB, RWX, EPT_MT_WB);
    /* a whole 2M page goes without splitting */
    cr_assert_eq(ept_unmap(&e, 0, 2 * MIB), EPT_OK);
    expect_unmapped(&e, 0x1000, EPT_PDE);
    expect_tables(&e, 4);
    /* the rest of the split page: its PT becomes empty and is freed, then the PD, PDPT */
    cr_assert_eq(ept_unmap(&e, 0x201000, 2 * MIB - 4 * KIB), EPT_OK);
    expect_tables(&e, 1);
    expect_unmapped(&e, 0x300000, EPT_PML4E);
    /* unmapping what is not mapped is fine */
    cr_assert_eq(ept_unmap(&e, 0, GIB), EPT_OK);
    expect_tables(&e, 1);
}

Test(ept, effective_permission_is_the_and_over_all_levels)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pde = entry_ptr(&e, 0, EPT_PDE);
    *pde = (*pde & ~EPT_E_PERM) | EPT_R | EPT_X; /* the PDE forbids writes */
    expect_map(&e, 0, 0, 4 * KIB, EPT_R | EPT_X, EPT_MT_WB);
    uint64_t *pml4e = entry_ptr(&e, 0, EPT_PML4E);
    *pml4e = (*pml4e & ~EPT_E_PERM) | EPT_R | EPT_W; /* the PML4E forbids fetches */
    expect_map(&e, 0, 0, 4 * KIB, EPT_R, EPT_MT_WB);
}

/* ---- argument checks ------------------------------------------------------------------- */

Test(ept, map_rejects_bad_arguments_with_distinct_errors)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_expect_eq(ept_map(&e, 0x800, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_EALIGN);
    cr_expect_eq(ept_map(&e, 0, 0x800, 4 * KIB, RWX, EPT_MT_WB, false), EPT_EALIGN);
    cr_expect_eq(ept_map(&e, 0, 0, 0x1800, RWX, EPT_MT_WB, false), EPT_EALIGN);
    cr_expect_eq(ept_map(&e, 0, 0, 0, RWX, EPT_MT_WB, false), EPT_ESIZE);
    cr_expect_eq(ept_map(&e, (1ULL << 48) - 4 * KIB, 0, 8 * KIB, RWX, EPT_MT_WB, false),
                 EPT_EGPA_RANGE);
    cr_expect_eq(ept_map(&e, ~0xfffULL, 0, 8 * KIB, RWX, EPT_MT_WB, false), EPT_EGPA_RANGE);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, EPT_W, EPT_MT_WB, false), EPT_EWRITE_NO_READ);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, EPT_W | EPT_X, EPT_MT_WB, false), EPT_EWRITE_NO_READ);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, EPT_X, EPT_MT_WB, false), EPT_EEXEC_ONLY);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, 0, EPT_MT_WB, false), EPT_ENOPERM);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, 8, EPT_MT_WB, false), EPT_ENOPERM);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, 2, false), EPT_EMEMTYPE);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, 3, false), EPT_EMEMTYPE);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, 7, false), EPT_EMEMTYPE);
    cr_expect_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, 8, false), EPT_EMEMTYPE);
    cr_expect_eq(ept_map(NULL, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_EINVAL);
    cr_assert_eq(ept_set_phys_bits(&e, 39), EPT_OK);
    cr_expect_eq(ept_map(&e, 0, (1ULL << 39) - 4 * KIB, 8 * KIB, RWX, EPT_MT_WB, false),
                 EPT_EHPA_RANGE);
    cr_expect_eq(ept_set_phys_bits(&e, 53), EPT_EPHYS_BITS);
    expect_tables(&e, 1); /* nothing was built */
    cr_expect_str_eq(ept_error_str(EPT_EWRITE_NO_READ),
                     "write access without read access (EPT misconfiguration)");
    cr_expect_str_eq(ept_error_str(-99), "unknown error");
    /* every error has its own text */
    for (int a = EPT_EPHYS_BITS; a < 0; a++)
        for (int b = a + 1; b < 0; b++)
            cr_expect_str_neq(ept_error_str(a), ept_error_str(b), "%d and %d", a, b);
}

Test(ept, execute_only_allowed_when_supported)
{
    struct ept e;
    setup(ALL_SIZES, false, true, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, EPT_X, EPT_MT_WB, false), EPT_OK);
    expect_map(&e, 0, 0, 4 * KIB, EPT_X, EPT_MT_WB);
}

Test(ept, init_checks_page_sizes_and_callbacks)
{
    struct ept e;
    memset(&fk, 0, sizeof(fk));
    fk.limit = ARENA_PAGES;
    cr_expect_eq(ept_init(&e, &mem, EPT_PAGE_2M, false, false), EPT_EPAGE_SIZES);
    cr_expect_eq(ept_init(&e, &mem, EPT_PAGE_4K | EPT_PAGE_1G, false, false), EPT_EPAGE_SIZES);
    cr_expect_eq(ept_init(&e, &mem, EPT_PAGE_4K | 8, false, false), EPT_EPAGE_SIZES);
    struct ept_mem no_alloc = mem;
    no_alloc.alloc_page = NULL;
    cr_expect_eq(ept_init(&e, &no_alloc, EPT_PAGE_4K, false, false), EPT_EINVAL);
    cr_expect_eq(ept_init(NULL, &mem, EPT_PAGE_4K, false, false), EPT_EINVAL);
    cr_expect_eq(fk.in_use, 0);
    fk.misalign = true;
    cr_expect_eq(ept_init(&e, &mem, EPT_PAGE_4K, false, false), EPT_EBADPAGE);
}

/* ---- out of memory --------------------------------------------------------------------- */

Test(ept, out_of_memory_is_reported_and_leaves_no_garbage)
{
    struct ept e;
    memset(&fk, 0, sizeof(fk));
    fk.limit = 0;
    cr_expect_eq(ept_init(&e, &mem, ALL_SIZES, false, false), EPT_ENOMEM);

    setup(ALL_SIZES, false, false, &e);
    fk.limit = 3; /* PML4 + PDPT + PD, no PT */
    cr_expect_eq(ept_map(&e, 0x1000, 0x1000, 4 * KIB, RWX, EPT_MT_WB, false), EPT_ENOMEM);
    expect_tables(&e, 1); /* the empty PDPT and PD were given back */
    expect_unmapped(&e, 0x1000, EPT_PML4E);

    /* a 2M page that cannot be split stays whole */
    fk.limit = ARENA_PAGES;
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    expect_tables(&e, 3);
    fk.limit = 3;
    cr_expect_eq(ept_map(&e, 0x1000, 0x5000, 4 * KIB, EPT_R, EPT_MT_UC, false), EPT_ENOMEM);
    cr_expect_eq(ept_unmap(&e, 0x1000, 4 * KIB), EPT_ENOMEM);
    cr_expect_eq(ept_protect(&e, 0x1000, 4 * KIB, EPT_R), EPT_ENOMEM);
    expect_map(&e, 0x1000, 0x1000, 2 * MIB, RWX, EPT_MT_WB);
    expect_tables(&e, 3);

    /* part of a range done before memory ran out: consistent, the rest unmapped */
    fk.limit = 4; /* one PT more */
    cr_expect_eq(ept_map(&e, 0x7ff000, 0x7ff000, 0x402000, RWX, EPT_MT_WB, false), EPT_ENOMEM);
    expect_map(&e, 0x7ff000, 0x7ff000, 4 * KIB, RWX, EPT_MT_WB);
    expect_map(&e, 0x800000, 0x800000, 2 * MIB, RWX, EPT_MT_WB);
    expect_unmapped(&e, 0xc00000, EPT_PDE);
    expect_tables(&e, 4);
    ept_destroy(&e);
    cr_expect_eq(fk.in_use, 0);
}

/* ---- EPTP ------------------------------------------------------------------------------ */

Test(ept, eptp_bits)
{
    struct ept e;
    setup(ALL_SIZES, true, false, &e);
    cr_expect_eq(ept_eptp(&e, EPT_MT_WB), e.pml4 | 6 | (3 << 3) | (1 << 6));
    cr_expect_eq(ept_eptp(&e, EPT_MT_WB) & 0xfff, 0x5e);
    e.ad = false;
    cr_expect_eq(ept_eptp(&e, EPT_MT_UC), e.pml4 | 0x18);
    cr_expect_eq(ept_eptp(&e, EPT_MT_WT), 0);
    cr_expect_eq(ept_eptp(NULL, EPT_MT_WB), 0);
}

/* ---- misconfigurations ----------------------------------------------------------------- */

static void expect_misconfig(const struct ept *e, uint64_t gpa, unsigned level,
                             enum ept_misconfig why, const char *text)
{
    struct ept_walk w;
    cr_assert_eq(ept_walk(e, gpa, &w), EPT_WALK_MISCONFIG);
    cr_expect_eq(w.level, level, "level %u want %u", w.level, level);
    cr_expect_eq(w.misconfig, why, "reason %d want %d", w.misconfig, why);
    char buf[160];
    cr_expect_eq(ept_explain_misconfig(e, gpa, buf, sizeof(buf)), EPT_WALK_MISCONFIG);
    cr_expect(strstr(buf, ept_level_name(level)) == buf, "message: %s", buf);
    cr_expect(strstr(buf, text) != NULL, "message '%s' lacks '%s'", buf, text);
    char val[32];
    snprintf(val, sizeof(val), "0x%016llx", (unsigned long long)w.entry[level]);
    cr_expect(strstr(buf, val) != NULL, "message '%s' lacks the entry value %s", buf, val);
}

Test(ept, misconfig_write_without_read_in_a_pde)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pde = entry_ptr(&e, 0, EPT_PDE);
    *pde = (*pde & ~EPT_E_PERM) | EPT_W;
    expect_misconfig(&e, 0, EPT_PDE, EPT_MC_WRITE_NO_READ, "write access without read access");
}

Test(ept, misconfig_execute_only_unsupported)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pte = entry_ptr(&e, 0, EPT_PTE);
    *pte = (*pte & ~EPT_E_PERM) | EPT_X;
    expect_misconfig(&e, 0, EPT_PTE, EPT_MC_EXEC_ONLY, "execute-only");
    e.exec_only_ok = true;
    expect_map(&e, 0, 0, 4 * KIB, EPT_X, EPT_MT_WB);
}

Test(ept, misconfig_reserved_bits_in_pml4e)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pml4e = entry_ptr(&e, 0, EPT_PML4E);
    *pml4e |= EPT_E_PAGE_SIZE; /* bit 7 of a PML4E is reserved */
    expect_misconfig(&e, 0, EPT_PML4E, EPT_MC_RESERVED, "reserved bits set, bits 0x80");
    struct ept_walk w;
    ept_walk(&e, 0, &w);
    cr_expect_eq(w.bad_bits, 0x80);
}

Test(ept, misconfig_reserved_memory_type_in_leaf)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pde = entry_ptr(&e, 0, EPT_PDE);
    *pde = (*pde & ~EPT_E_MEMTYPE) | (7ULL << 3);
    expect_misconfig(&e, 0x1000, EPT_PDE, EPT_MC_MEMTYPE, "reserved memory type");
    *pde = (*pde & ~EPT_E_MEMTYPE) | (2ULL << 3);
    expect_misconfig(&e, 0x1000, EPT_PDE, EPT_MC_MEMTYPE, "reserved memory type");
}

Test(ept, misconfig_1g_page_where_unsupported)
{
    struct ept e;
    setup(EPT_PAGE_4K | EPT_PAGE_2M, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pdpte = entry_ptr(&e, 0, EPT_PDPTE);
    uint64_t pd = *pdpte & EPT_E_ADDR;
    *pdpte = RWX | (EPT_MT_WB << 3) | EPT_E_PAGE_SIZE; /* a 1G page at 0 */
    expect_misconfig(&e, 0x1000, EPT_PDPTE, EPT_MC_PAGE_SIZE, "unsupported page size");
    e.page_sizes |= EPT_PAGE_1G;
    expect_map(&e, 0x1000, 0x1000, GIB, RWX, EPT_MT_WB);
    /* 1G page with bits 29:12 set */
    *pdpte |= 0x200000;
    expect_misconfig(&e, 0x1000, EPT_PDPTE, EPT_MC_RESERVED, "reserved bits");
    *pdpte = pd | RWX; /* restore so destroy finds the PD */
    ept_destroy(&e);
    cr_expect_eq(fk.in_use, 0);
}

Test(ept, misconfig_2m_page_reserved_bits_and_address_width)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pde = entry_ptr(&e, 0, EPT_PDE);
    *pde |= 0x1000; /* bit 12 of a 2M page */
    expect_misconfig(&e, 0, EPT_PDE, EPT_MC_RESERVED, "reserved bits set, bits 0x1000");
    *pde &= ~0x1000ULL;
    *pde |= 1ULL << 45;
    expect_map(&e, 0, 1ULL << 45, 2 * MIB, RWX, EPT_MT_WB); /* fine with 52-bit addresses */
    cr_assert_eq(ept_set_phys_bits(&e, 39), EPT_OK);
    expect_misconfig(&e, 0, EPT_PDE, EPT_MC_ADDR_WIDTH, "physical-address width");
}

Test(ept, misconfig_non_leaf_reserved_bits)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    uint64_t *pde = entry_ptr(&e, 0, EPT_PDE);
    *pde |= EPT_MT_WB << 3; /* a memory type in a PDE that references a PT */
    expect_misconfig(&e, 0, EPT_PDE, EPT_MC_RESERVED, "reserved bits set, bits 0x30");
}

Test(ept, explain_says_when_there_is_no_misconfiguration)
{
    struct ept e;
    setup(ALL_SIZES, false, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0x40000000, 2 * MIB, EPT_R | EPT_X, EPT_MT_WB, false), EPT_OK);
    char buf[160];
    cr_expect_eq(ept_explain_misconfig(&e, 0x1234, buf, sizeof(buf)), EPT_WALK_MAPPED);
    cr_expect_str_eq(buf, "no misconfiguration: GPA 0x1234 maps to HPA 0x40001234 (2M page, R-X, "
                          "WB)");
    cr_expect_eq(ept_explain_misconfig(&e, 0x200000, buf, sizeof(buf)), EPT_WALK_NOT_PRESENT);
    cr_expect(strstr(buf, "PDE 0x0000000000000000 (index 1 of table 0x") == buf + 21, "%s", buf);
    cr_expect(strstr(buf, "is not present") != NULL, "%s", buf);
    cr_expect_eq(ept_explain_misconfig(&e, 1ULL << 48, buf, sizeof(buf)), EPT_EGPA_RANGE);
}

/* ---- accessed and dirty flags ----------------------------------------------------------- */

struct seen {
    uint64_t gpa[8], size[8];
    size_t n;
};

static void note(void *ctx, uint64_t gpa, uint64_t size)
{
    struct seen *s = ctx;
    if (s->n < 8) {
        s->gpa[s->n] = gpa;
        s->size[s->n] = size;
    }
    s->n++;
}

Test(ept, collect_dirty_reports_and_clears_leaves)
{
    struct ept e;
    setup(ALL_SIZES, true, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 4 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    cr_assert_eq(ept_map(&e, 4 * MIB, 4 * MIB, 8 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    *entry_ptr(&e, 0x200000, EPT_PDE) |= EPT_E_ACCESSED | EPT_E_DIRTY;
    *entry_ptr(&e, 0x401000, EPT_PTE) |= EPT_E_ACCESSED | EPT_E_DIRTY;
    *entry_ptr(&e, 0x400000, EPT_PTE) |= EPT_E_ACCESSED; /* read, not written */

    struct ept_walk w;
    ept_walk(&e, 0x401000, &w);
    cr_expect(w.accessed && w.dirty);
    ept_walk(&e, 0x400000, &w);
    cr_expect(w.accessed && !w.dirty);

    struct seen s = {0};
    cr_assert_eq(ept_collect_dirty(&e, 0, 8 * MIB, note, &s, false), 2);
    cr_assert_eq(s.n, 2);
    cr_expect_eq(s.gpa[0], 0x200000);
    cr_expect_eq(s.size[0], 2 * MIB);
    cr_expect_eq(s.gpa[1], 0x401000);
    cr_expect_eq(s.size[1], 4 * KIB);
    /* without clear nothing changed */
    cr_expect_eq(ept_collect_dirty(&e, 0, 8 * MIB, NULL, NULL, false), 2);
    /* a large page partly in the range is reported with its extent but keeps its flags */
    memset(&s, 0, sizeof(s));
    cr_expect_eq(ept_collect_dirty(&e, 0x201000, 4 * KIB, note, &s, true), 1);
    cr_expect_eq(s.gpa[0], 0x200000);
    ept_walk(&e, 0x200000, &w);
    cr_expect(w.dirty);
    /* clear: both reported once, then clean; A goes with D */
    cr_expect_eq(ept_collect_dirty(&e, 0, 8 * MIB, NULL, NULL, true), 2);
    cr_expect_eq(ept_collect_dirty(&e, 0, 8 * MIB, NULL, NULL, false), 0);
    ept_walk(&e, 0x200000, &w);
    cr_expect(!w.accessed && !w.dirty);
    ept_walk(&e, 0x400000, &w);
    cr_expect(w.accessed, "a clean page keeps its accessed flag");
}

Test(ept, clear_ad_clears_leaves_and_tables_inside_the_range)
{
    struct ept e;
    setup(ALL_SIZES, true, false, &e);
    cr_assert_eq(ept_map(&e, 0, 0, 8 * KIB, RWX, EPT_MT_WB, false), EPT_OK);
    cr_assert_eq(ept_map(&e, GIB, GIB, 2 * MIB, RWX, EPT_MT_WB, false), EPT_OK);
    *entry_ptr(&e, 0, EPT_PTE) |= EPT_E_ACCESSED | EPT_E_DIRTY;
    *entry_ptr(&e, 0x1000, EPT_PTE) |= EPT_E_ACCESSED;
    *entry_ptr(&e, 0, EPT_PDE) |= EPT_E_ACCESSED;
    *entry_ptr(&e, 0, EPT_PML4E) |= EPT_E_ACCESSED;
    *entry_ptr(&e, GIB, EPT_PDE) |= EPT_E_ACCESSED;
    /* [0, 1G): the two PTEs and the PDE (span 2M, inside); the PML4E spans 512G: kept */
    cr_expect_eq(ept_clear_ad(&e, 0, GIB), 3);
    cr_expect_eq(*entry_ptr(&e, 0, EPT_PTE) & (EPT_E_ACCESSED | EPT_E_DIRTY), 0);
    cr_expect_eq(*entry_ptr(&e, 0x1000, EPT_PTE) & EPT_E_ACCESSED, 0);
    cr_expect_eq(*entry_ptr(&e, 0, EPT_PDE) & EPT_E_ACCESSED, 0);
    cr_expect_neq(*entry_ptr(&e, 0, EPT_PML4E) & EPT_E_ACCESSED, 0);
    cr_expect_neq(*entry_ptr(&e, GIB, EPT_PDE) & EPT_E_ACCESSED, 0);
    cr_expect_eq(ept_clear_ad(&e, 0, 512 * GIB), 2);
    cr_expect_eq(*entry_ptr(&e, GIB, EPT_PDE) & EPT_E_ACCESSED, 0);
    cr_expect_eq(ept_clear_ad(&e, 0, 512 * GIB), 0);
}

Test(ept, names)
{
    cr_expect_str_eq(ept_level_name(EPT_PML4E), "PML4E");
    cr_expect_str_eq(ept_level_name(EPT_PDPTE), "PDPTE");
    cr_expect_str_eq(ept_level_name(EPT_PDE), "PDE");
    cr_expect_str_eq(ept_level_name(EPT_PTE), "PTE");
    cr_expect_str_eq(ept_level_name(5), "?");
    cr_expect_str_eq(ept_memtype_name(EPT_MT_WP), "WP");
    cr_expect_str_eq(ept_memtype_name(3), "reserved");
    cr_expect_str_eq(ept_misconfig_str(EPT_MC_MEMTYPE), "reserved memory type in a leaf");
}
