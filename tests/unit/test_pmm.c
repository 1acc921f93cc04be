/* Unit tests for platform/pmm: free-range arithmetic, bitmap placement, page allocator.
 * All "physical" addresses are fake; the allocator only touches the bitmap arrays below. */
#include <criterion/criterion.h>
#include <string.h>

#include "platform/pmm.h"

#define KIB  1024ULL
#define MIB  (1024ULL * KIB)
#define GIB  (1024ULL * MIB)
#define PAGE PMM_PAGE_SIZE

static uint64_t bitmap_mem[64 * 1024]; /* 512 KiB: enough for 16 GiB spans */

/* ---- helpers ---------------------------------------------------------------------------- */

static void init_pmm(struct pmm *p, const struct pmm_range *free, size_t n)
{
    size_t bytes = pmm_bitmap_bytes(free, n);
    cr_assert_leq(bytes, sizeof(bitmap_mem));
    cr_assert_eq(pmm_init(p, bitmap_mem, bytes, free, n), PMM_OK);
}

static bool in_ranges(const struct pmm_range *r, size_t n, uint64_t a, uint64_t len)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].base <= a && a + len <= r[i].end)
            return true;
    return false;
}

static void expect_ranges(const struct pmm_range *got, size_t n_got, const struct pmm_range *want,
                          size_t n_want)
{
    cr_assert_eq(n_got, n_want, "got %zu ranges, want %zu", n_got, n_want);
    for (size_t i = 0; i < n_want; i++) {
        cr_expect_eq(got[i].base, want[i].base, "range %zu base %#llx want %#llx", i,
                     (unsigned long long)got[i].base, (unsigned long long)want[i].base);
        cr_expect_eq(got[i].end, want[i].end, "range %zu end %#llx want %#llx", i,
                     (unsigned long long)got[i].end, (unsigned long long)want[i].end);
    }
}

/* ---- range arithmetic ------------------------------------------------------------------ */

Test(pmm, ranges_unaligned_edges_are_trimmed_inward)
{
    struct pmm_range u[] = {{0x100123, 0x200fff}};
    struct pmm_range out[4];
    size_t n = 99;
    cr_assert_eq(pmm_build_free_list(u, 1, NULL, 0, out, 4, &n), PMM_OK);
    struct pmm_range want[] = {{0x101000, 0x200000}};
    expect_ranges(out, n, want, 1);
}

Test(pmm, ranges_unsorted_overlapping_are_merged_and_sorted)
{
    struct pmm_range u[] = {
        {0x800000, 0x900000}, {0x100000, 0x300000}, {0x200000, 0x400000},
        {0x880000, 0x880000}, {0x50000, 0x10000}, /* inverted: ignored */
    };
    struct pmm_range out[4];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 5, NULL, 0, out, 4, &n), PMM_OK);
    struct pmm_range want[] = {{0x100000, 0x400000}, {0x800000, 0x900000}};
    expect_ranges(out, n, want, 2);
}

Test(pmm, ranges_adjacent_usable_merge_even_when_unaligned)
{
    /* Two halves of one page, then two touching ranges: the union decides, not each entry. */
    struct pmm_range u[] = {
        {0x10800, 0x12000}, {0x10000, 0x10800}, {0x20000, 0x30000}, {0x30000, 0x40000}};
    struct pmm_range out[4];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 4, NULL, 0, out, 4, &n), PMM_OK);
    struct pmm_range want[] = {{0x10000, 0x12000}, {0x20000, 0x40000}};
    expect_ranges(out, n, want, 2);
}

Test(pmm, ranges_reserved_splits_and_widens_outward)
{
    struct pmm_range u[] = {{0x100000, 0x1000000}};
    struct pmm_range r[] = {{0x200800, 0x201001}, {0x0, 0x100000}, {0xfff000, 0x2000000}};
    struct pmm_range out[4];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 1, r, 3, out, 4, &n), PMM_OK);
    struct pmm_range want[] = {{0x100000, 0x200000}, {0x202000, 0xfff000}};
    expect_ranges(out, n, want, 2);
}

Test(pmm, ranges_adjacent_reserved_leave_no_sliver)
{
    struct pmm_range u[] = {{0, 0x100000}};
    struct pmm_range r[] = {{0x30000, 0x40000}, {0x20000, 0x30000}, {0x40000, 0x40001}};
    struct pmm_range out[4];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 1, r, 3, out, 4, &n), PMM_OK);
    struct pmm_range want[] = {{0, 0x20000}, {0x41000, 0x100000}};
    expect_ranges(out, n, want, 2);
}

Test(pmm, ranges_reserved_covering_everything_gives_empty_list)
{
    struct pmm_range u[] = {{0x100000, 0x200000}, {0x400000, 0x500000}};
    struct pmm_range r[] = {{0x80000, 0x600000}};
    struct pmm_range out[2];
    size_t n = 99;
    cr_assert_eq(pmm_build_free_list(u, 2, r, 1, out, 2, &n), PMM_OK);
    cr_assert_eq(n, 0);
    /* A reserved range running to the top of the address space. */
    struct pmm_range top[] = {{0x1000, UINT64_MAX}};
    cr_assert_eq(pmm_build_free_list(u, 2, top, 1, out, 2, &n), PMM_OK);
    cr_assert_eq(n, 0);
}

Test(pmm, ranges_capacity_overflow_reports_needed_count)
{
    struct pmm_range u[] = {{0, 0x100000}};
    struct pmm_range r[] = {{0x10000, 0x11000}, {0x20000, 0x21000}, {0x30000, 0x31000}};
    struct pmm_range out[3] = {{0}};
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 1, r, 3, out, 2, &n), PMM_ERR_CAPACITY);
    cr_assert_eq(n, 4);
    cr_assert_eq(out[0].base, 0);
    cr_assert_eq(out[1].base, 0x11000);
    cr_assert_eq(out[2].end, 0, "wrote past capacity");
    /* Counting only. */
    cr_assert_eq(pmm_build_free_list(u, 1, r, 3, NULL, 0, &n), PMM_ERR_CAPACITY);
    cr_assert_eq(n, 4);
    /* A later reserved range can remove earlier splits: only the final count matters. */
    struct pmm_range r2[] = {{0x10000, 0x11000}, {0x20000, 0x21000}, {0x8000, 0x100000}};
    cr_assert_eq(pmm_build_free_list(u, 1, r2, 3, out, 1, &n), PMM_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(out[0].end, 0x8000);
}

Test(pmm, ranges_firmware_map_with_overlapping_reserved_entries)
{
    /* Typical Bochs/QEMU-like map, with a bogus usable entry overlapping the ACPI area. */
    struct pmm_range usable[] = {
        {0x100000, 0xfff0000}, {0x0, 0x9fc00}, {0xffe0000, 0xfff8000}, /* overlaps ACPI */
    };
    struct pmm_range reserved[] = {
        {0x9fc00, 0xa0000},     {0xf0000, 0x100000}, {0xfff0000, 0x10000000}, /* firmware */
        {0x0, 0x100000},                                                      /* low 1 MiB */
        {0x100000, 0x1a3456},                                                 /* image */
        {0x1b0010, 0x1b0ff0},                                                 /* multiboot info */
        {0x2000000, 0x2345678},                                               /* a module */
    };
    struct pmm_range out[8];
    size_t n;
    cr_assert_eq(pmm_build_free_list(usable, 3, reserved, 7, out, 8, &n), PMM_OK);
    struct pmm_range want[] = {{0x1a4000, 0x1b0000}, {0x1b1000, 0x2000000}, {0x2346000, 0xfff0000}};
    expect_ranges(out, n, want, 3);
}

Test(pmm, ranges_invalid_arguments)
{
    struct pmm_range u[] = {{0, 0x1000}};
    struct pmm_range out[1];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 1, NULL, 0, out, 1, NULL), PMM_ERR_INVALID);
    cr_assert_eq(pmm_build_free_list(NULL, 1, NULL, 0, out, 1, &n), PMM_ERR_INVALID);
    cr_assert_eq(pmm_build_free_list(u, 1, NULL, 1, out, 1, &n), PMM_ERR_INVALID);
}

/* Randomised cross-check against a per-chunk reference: all endpoints are multiples of 512
 * bytes, so a page is free iff each of its 8 chunks is usable and none is reserved. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define CHUNK  512u
#define CHUNKS 512u /* 64 pages */

static void random_range(struct pmm_range *r)
{
    uint64_t a = rng() % (CHUNKS + 1), b = rng() % (CHUNKS + 1);
    if (rng() % 8 == 0)
        b = a + rng() % 16; /* short ones, sometimes empty */
    r->base = (a < b ? a : b) * CHUNK;
    r->end = (a < b ? b : a) * CHUNK;
}

Test(pmm, ranges_match_reference_on_random_maps)
{
    for (int iter = 0; iter < 3000; iter++) {
        struct pmm_range u[6], r[6], out[40];
        size_t nu = 1 + rng() % 6, nr = rng() % 7, n;
        for (size_t i = 0; i < nu; i++)
            random_range(&u[i]);
        for (size_t i = 0; i < nr; i++)
            random_range(&r[i]);
        bool chunk_ok[CHUNKS + 8];
        for (uint64_t c = 0; c < CHUNKS + 8; c++) {
            uint64_t a = c * CHUNK;
            bool usable = false, reserved = false;
            for (size_t i = 0; i < nu; i++)
                usable |= u[i].base <= a && a < u[i].end;
            for (size_t i = 0; i < nr; i++)
                reserved |= r[i].base <= a && a < r[i].end;
            chunk_ok[c] = usable && !reserved;
        }
        struct pmm_range want[40] = {{0}};
        size_t nw = 0;
        for (uint64_t pg = 0; pg < (CHUNKS + 8) / 8; pg++) {
            bool ok = true;
            for (int k = 0; k < 8; k++)
                ok &= chunk_ok[pg * 8 + k];
            if (!ok)
                continue;
            if (nw && want[nw - 1].end == pg * PAGE)
                want[nw - 1].end += PAGE;
            else
                want[nw++] = (struct pmm_range){pg * PAGE, (pg + 1) * PAGE};
        }
        cr_assert_eq(pmm_build_free_list(u, nu, r, nr, out, 40, &n), PMM_OK);
        expect_ranges(out, n, want, nw);
    }
}

/* ---- bitmap sizing and placement ------------------------------------------------------- */

Test(pmm, bitmap_bytes_covers_span_and_range_copy)
{
    struct pmm_range f[] = {{1 * MIB, 2 * MIB}, {4 * MIB, 4 * MIB + 64 * PAGE + PAGE}};
    /* span 1 MiB .. 4 MiB + 65 pages = 768 + 65 = 833 pages -> 14 words */
    cr_assert_eq(pmm_bitmap_bytes(f, 2), 14 * 8 + 2 * sizeof(struct pmm_range));
    cr_assert_eq(pmm_bitmap_bytes(f, 0), 0);
}

Test(pmm, place_bitmap_takes_first_fitting_range)
{
    struct pmm_range f[] = {{0x100000, 0x102000}, {0x200000, 0x300000}, {0x400000, 0x500000}};
    size_t n = 3;
    uint64_t phys = 0;
    cr_assert_eq(pmm_place_bitmap(f, &n, 3 * PAGE - 5, &phys), PMM_OK);
    cr_assert_eq(phys, 0x200000);
    cr_assert_eq(n, 3);
    cr_assert_eq(f[1].base, 0x203000);
    cr_assert_eq(f[0].end, 0x102000, "first range must be untouched");
    /* Exactly consuming a range removes it from the list. */
    cr_assert_eq(pmm_place_bitmap(f, &n, 2 * PAGE, &phys), PMM_OK);
    cr_assert_eq(phys, 0x100000);
    cr_assert_eq(n, 2);
    cr_assert_eq(f[0].base, 0x203000);
    cr_assert_eq(f[1].base, 0x400000);
    cr_assert_eq(pmm_place_bitmap(f, &n, 2 * MIB, &phys), PMM_ERR_NO_SPACE);
    cr_assert_eq(n, 2);
}

Test(pmm, boot_flow_keeps_bitmap_out_of_the_pool)
{
    struct pmm_range u[] = {{0, 0x9fc00}, {0x100000, 256 * MIB}};
    struct pmm_range r[] = {{0, 1 * MIB}, {1 * MIB, 3 * MIB}};
    struct pmm_range f[4];
    size_t n;
    cr_assert_eq(pmm_build_free_list(u, 2, r, 2, f, 4, &n), PMM_OK);
    size_t bytes = pmm_bitmap_bytes(f, n);
    uint64_t phys;
    cr_assert_eq(pmm_place_bitmap(f, &n, bytes, &phys), PMM_OK);
    cr_assert_eq(phys, 3 * MIB);
    struct pmm p;
    cr_assert_eq(pmm_init(&p, bitmap_mem, bytes, f, n), PMM_OK);
    uint64_t bm_pages = (bytes + PAGE - 1) / PAGE;
    cr_assert_eq(p.managed_pages, (253 * MIB) / PAGE - bm_pages);
    for (uint64_t a; (a = pmm_alloc_page(&p)) != 0;)
        cr_assert(a >= phys + bm_pages * PAGE, "handed out bitmap page %#llx",
                  (unsigned long long)a);
}

/* ---- init ------------------------------------------------------------------------------ */

Test(pmm, init_rejects_bad_lists_and_small_bitmaps)
{
    struct pmm p;
    struct pmm_range unsorted[] = {{0x200000, 0x300000}, {0x100000, 0x180000}};
    struct pmm_range adjacent[] = {{0x100000, 0x200000}, {0x200000, 0x300000}};
    struct pmm_range unaligned[] = {{0x100800, 0x200000}};
    struct pmm_range ok[] = {{0x100000, 0x200000}};
    cr_assert_eq(pmm_init(&p, bitmap_mem, sizeof(bitmap_mem), unsorted, 2), PMM_ERR_INVALID);
    cr_assert_eq(pmm_init(&p, bitmap_mem, sizeof(bitmap_mem), adjacent, 2), PMM_ERR_INVALID);
    cr_assert_eq(pmm_init(&p, bitmap_mem, sizeof(bitmap_mem), unaligned, 1), PMM_ERR_INVALID);
    cr_assert_eq(pmm_init(&p, bitmap_mem, sizeof(bitmap_mem), ok, 0), PMM_ERR_INVALID);
    cr_assert_eq(pmm_init(&p, (char *)bitmap_mem + 4, 4096, ok, 1), PMM_ERR_INVALID);
    size_t need = pmm_bitmap_bytes(ok, 1);
    cr_assert_eq(pmm_init(&p, bitmap_mem, need - 1, ok, 1), PMM_ERR_CAPACITY);
    cr_assert_eq(pmm_init(&p, bitmap_mem, need, ok, 1), PMM_OK);
}

Test(pmm, page_zero_is_never_managed)
{
    struct pmm p;
    struct pmm_range f[] = {{0, 4 * PAGE}, {0x100000, 0x100000 + 2 * PAGE}};
    init_pmm(&p, f, 2);
    cr_assert_eq(p.managed_pages, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_neq(pmm_alloc_page(&p), 0);
    cr_assert_eq(pmm_alloc_page(&p), 0);
    cr_assert_eq(pmm_free(&p, 0, 1), PMM_ERR_OUT_OF_SPAN);
    struct pmm_range only0[] = {{0, PAGE}};
    cr_assert_eq(pmm_init(&p, bitmap_mem, sizeof(bitmap_mem), only0, 1), PMM_ERR_INVALID);
}

/* ---- single pages ---------------------------------------------------------------------- */

static const struct pmm_range three[] = {
    {0x40000000000ULL, 0x40000000000ULL + 100 * PAGE}, /* fake addresses far above RAM */
    {0x40000200000ULL, 0x40000200000ULL + 1 * PAGE},
    {0x40000400000ULL, 0x40000400000ULL + 333 * PAGE},
};

Test(pmm, alloc_until_exhaustion_hands_out_each_managed_page_once)
{
    struct pmm p;
    init_pmm(&p, three, 3);
    cr_assert_eq(p.managed_pages, 434);
    uint64_t seen[434];
    size_t count = 0;
    for (uint64_t a; (a = pmm_alloc_page(&p)) != 0;) {
        cr_assert_lt(count, 434, "more pages than managed");
        cr_assert_eq(a % PAGE, 0);
        cr_assert(in_ranges(three, 3, a, PAGE), "page %#llx not free", (unsigned long long)a);
        for (size_t i = 0; i < count; i++)
            cr_assert_neq(seen[i], a, "page handed out twice");
        seen[count++] = a;
    }
    cr_assert_eq(count, 434);
    cr_assert_eq(p.free_pages, 0);
    cr_assert_eq(pmm_alloc_page(&p), 0);
    struct pmm_stats s;
    pmm_stats(&p, &s);
    cr_assert_eq(s.failed_allocs, 2);
    cr_assert_eq(s.allocs, 434);
}

Test(pmm, large_span_exhaustion_count_matches)
{
    struct pmm p;
    struct pmm_range f[] = {{1 * MIB, 255 * MIB}, {512 * MIB, 1 * GIB + 12345 * PAGE}};
    init_pmm(&p, f, 2);
    uint64_t want = (254 * MIB + 512 * MIB) / PAGE + 12345, count = 0;
    cr_assert_eq(p.managed_pages, want);
    while (pmm_alloc_page(&p))
        count++;
    cr_assert_eq(count, want);
}

Test(pmm, free_then_reuse_after_exhaustion)
{
    struct pmm p;
    init_pmm(&p, three, 3);
    while (pmm_alloc_page(&p))
        ;
    uint64_t victim = three[2].base + 77 * PAGE;
    cr_assert_eq(pmm_free(&p, victim, 1), PMM_OK);
    cr_assert_eq(p.free_pages, 1);
    cr_assert_eq(pmm_alloc_page(&p), victim);
    cr_assert_eq(pmm_alloc_page(&p), 0);
}

Test(pmm, next_fit_does_not_rescan_from_the_start)
{
    struct pmm p;
    struct pmm_range f[] = {{0x100000, 0x100000 + 1024 * PAGE}};
    init_pmm(&p, f, 1);
    for (int i = 0; i < 128; i++)
        cr_assert_eq(pmm_alloc_page(&p), 0x100000 + (uint64_t)i * PAGE);
    cr_assert_eq(pmm_free(&p, 0x100000, 1), PMM_OK);
    /* The freed page lies behind the hint: the next page comes from further on. */
    cr_assert_eq(pmm_alloc_page(&p), 0x100000 + 128 * PAGE);
}

/* ---- free errors ----------------------------------------------------------------------- */

Test(pmm, double_free_is_detected_and_changes_nothing)
{
    struct pmm p;
    init_pmm(&p, three, 3);
    uint64_t a = pmm_alloc_contig(&p, 4, PAGE, 0);
    cr_assert_neq(a, 0);
    cr_assert_eq(pmm_free(&p, a + PAGE, 1), PMM_OK);
    uint64_t before = p.free_pages;
    cr_assert_eq(pmm_free(&p, a + PAGE, 1), PMM_ERR_DOUBLE_FREE);
    /* A multi-page free overlapping a free page frees nothing (all-or-nothing). */
    cr_assert_eq(pmm_free(&p, a, 4), PMM_ERR_DOUBLE_FREE);
    cr_assert_eq(p.free_pages, before);
    cr_assert_eq(pmm_free(&p, a, 1), PMM_OK);
    cr_assert_eq(pmm_free(&p, a + 2 * PAGE, 2), PMM_OK);
    /* Never-allocated managed pages are free, so freeing them is a double free too. */
    cr_assert_eq(pmm_free(&p, three[2].end - PAGE, 1), PMM_ERR_DOUBLE_FREE);
    struct pmm_stats s;
    pmm_stats(&p, &s);
    cr_assert_eq(s.failed_frees, 3);
    cr_assert_eq(s.frees, 3);
    cr_assert_eq(s.used_pages, 0);
}

Test(pmm, free_errors_are_distinct)
{
    struct pmm p;
    init_pmm(&p, three, 3);
    while (pmm_alloc_page(&p))
        ;
    uint64_t lo = three[0].base, hi = three[2].end;
    cr_assert_eq(pmm_free(&p, lo + 12, 1), PMM_ERR_UNALIGNED);
    cr_assert_eq(pmm_free(&p, lo - PAGE, 1), PMM_ERR_OUT_OF_SPAN);
    cr_assert_eq(pmm_free(&p, hi, 1), PMM_ERR_OUT_OF_SPAN);
    cr_assert_eq(pmm_free(&p, hi - PAGE, 2), PMM_ERR_OUT_OF_SPAN);
    cr_assert_eq(pmm_free(&p, hi - PAGE, SIZE_MAX), PMM_ERR_OUT_OF_SPAN);
    cr_assert_eq(pmm_free(&p, 0x1000, 1), PMM_ERR_OUT_OF_SPAN);
    /* Inside the span, in the hole between ranges, or straddling a range's end. */
    cr_assert_eq(pmm_free(&p, three[0].end, 1), PMM_ERR_NOT_MANAGED);
    cr_assert_eq(pmm_free(&p, three[0].end - PAGE, 2), PMM_ERR_NOT_MANAGED);
    cr_assert_eq(pmm_free(&p, lo, 0), PMM_ERR_INVALID);
    cr_assert_eq(p.free_pages, 0, "a failed free released pages");
    cr_assert_eq(pmm_free(&p, lo, 100), PMM_OK);
    cr_assert_str_eq(pmm_strerror(PMM_ERR_DOUBLE_FREE), "double free");
    cr_assert_str_neq(pmm_strerror(PMM_ERR_NOT_MANAGED), pmm_strerror(PMM_ERR_OUT_OF_SPAN));
}

/* ---- contiguous ------------------------------------------------------------------------ */

Test(pmm, contig_honours_2mib_alignment)
{
    struct pmm p;
    struct pmm_range f[] = {{0x101000, 0x1000000}};
    init_pmm(&p, f, 1);
    uint64_t a = pmm_alloc_contig(&p, 512, 2 * MIB, 0);
    cr_assert_eq(a, 2 * MIB);
    uint64_t b = pmm_alloc_contig(&p, 512, 2 * MIB, 0);
    cr_assert_eq(b, 4 * MIB);
    /* The pages are taken: single allocations never land inside. */
    while (true) {
        uint64_t x = pmm_alloc_page(&p);
        if (!x)
            break;
        cr_assert(x < a || x >= b + 2 * MIB, "page %#llx inside a contig block",
                  (unsigned long long)x);
    }
    /* Only [2 MiB, 6 MiB) is free now: 4 MiB alignment must skip the 2 MiB start. */
    cr_assert_eq(pmm_free(&p, a, 1024), PMM_OK);
    cr_assert_eq(pmm_alloc_contig(&p, 1024, 4 * MIB, 0), 0);
    cr_assert_eq(pmm_alloc_contig(&p, 512, 4 * MIB, 0), 4 * MIB);
    cr_assert_eq(pmm_alloc_contig(&p, 512, 2 * MIB, 0), 2 * MIB);
}

Test(pmm, contig_below_1mib_for_the_trampoline)
{
    struct pmm p;
    struct pmm_range f[] = {{0x8000, 0x9f000}, {0x100000, 64 * MIB}};
    init_pmm(&p, f, 2);
    uint64_t t = pmm_alloc_contig(&p, 1, PAGE, 1 * MIB);
    cr_assert_eq(t, 0x8000);
    /* 150 pages remain below 1 MiB: 151 must fail although plenty is free above. */
    cr_assert_eq(pmm_alloc_contig(&p, 151, PAGE, 1 * MIB), 0);
    uint64_t big = pmm_alloc_contig(&p, 150, PAGE, 1 * MIB);
    cr_assert_eq(big, 0x9000);
    cr_assert_leq(big + 150 * PAGE, 1 * MIB);
    cr_assert_eq(pmm_alloc_contig(&p, 1, PAGE, 1 * MIB), 0);
    cr_assert_neq(pmm_alloc_contig(&p, 1, PAGE, 0), 0);
    /* max_phys bounds the end: a limit one page past a range's start allows that page. */
    cr_assert_eq(pmm_alloc_contig(&p, 1, PAGE, 0x100000 + 2 * PAGE), 0x100000 + PAGE);
}

Test(pmm, contig_rejects_bad_requests)
{
    struct pmm p;
    init_pmm(&p, three, 3);
    cr_assert_eq(pmm_alloc_contig(&p, 0, PAGE, 0), 0);
    cr_assert_eq(pmm_alloc_contig(&p, 1, 2048, 0), 0);
    cr_assert_eq(pmm_alloc_contig(&p, 1, 3 * PAGE, 0), 0);
    cr_assert_eq(pmm_alloc_contig(&p, 435, PAGE, 0), 0);
    cr_assert_eq(pmm_alloc_contig(&p, 334, PAGE, 0), 0, "no range holds 334 pages");
    cr_assert_eq(pmm_alloc_contig(&p, 1, 1ULL << 63, 0), 0);
    cr_assert_eq(p.failed_allocs, 6);
    cr_assert_eq(pmm_alloc_contig(&p, 333, PAGE, 0), three[2].base);
}

Test(pmm, fragmentation_blocks_contig_until_frees)
{
    struct pmm p;
    struct pmm_range f[] = {{0x100000, 0x100000 + 256 * PAGE}};
    init_pmm(&p, f, 1);
    while (pmm_alloc_page(&p))
        ;
    for (uint64_t i = 0; i < 256; i += 2)
        cr_assert_eq(pmm_free(&p, 0x100000 + i * PAGE, 1), PMM_OK);
    cr_assert_eq(p.free_pages, 128);
    cr_assert_eq(pmm_alloc_contig(&p, 2, PAGE, 0), 0, "only scattered pages remain");
    cr_assert_eq(pmm_free(&p, 0x100000 + 101 * PAGE, 1), PMM_OK);
    cr_assert_eq(pmm_alloc_contig(&p, 3, PAGE, 0), 0x100000 + 100 * PAGE);
    cr_assert_eq(pmm_alloc_contig(&p, 2, PAGE, 0), 0);
}

/* ---- statistics ------------------------------------------------------------------------ */

static const struct pmm_range stats_ranges[] = {
    {1 * MIB, 2 * MIB}, {4 * MIB, 8 * MIB}, {16 * MIB, 16 * MIB + 512 * KIB}};

Test(pmm, stats_track_use_and_peak)
{
    struct pmm p;
    init_pmm(&p, stats_ranges, 3);
    uint64_t a = pmm_alloc_contig(&p, 10, PAGE, 0);
    uint64_t b = pmm_alloc_page(&p);
    cr_assert_eq(pmm_free(&p, a, 10), PMM_OK);
    cr_assert_neq(pmm_alloc_page(&p), 0);
    cr_assert_eq(pmm_free(&p, b, 1), PMM_OK);
    cr_assert_eq(pmm_free(&p, b, 1), PMM_ERR_DOUBLE_FREE);
    struct pmm_stats s;
    pmm_stats(&p, &s);
    cr_assert_eq(s.managed_pages, 1408);
    cr_assert_eq(s.free_pages, 1407);
    cr_assert_eq(s.used_pages, 1);
    cr_assert_eq(s.peak_used_pages, 11);
    cr_assert_eq(s.allocs, 3);
    cr_assert_eq(s.frees, 2);
    cr_assert_eq(s.failed_frees, 1);
    cr_assert_eq(s.failed_allocs, 0);
    cr_assert_eq(s.ranges, 3);
}

Test(pmm, format_stats_line)
{
    struct pmm p;
    init_pmm(&p, stats_ranges, 3);
    char buf[96];
    int len = pmm_format_stats(buf, sizeof(buf), &p);
    cr_assert_str_eq(buf, "pmm: 5.5 MiB free of 5.5 MiB managed in 3 ranges, 0 allocated");
    cr_assert_eq(len, (int)strlen(buf));
    cr_assert_neq(pmm_alloc_contig(&p, 26, PAGE, 0), 0); /* 0.1016 MiB */
    pmm_format_stats(buf, sizeof(buf), &p);
    cr_assert_str_eq(buf, "pmm: 5.4 MiB free of 5.5 MiB managed in 3 ranges, 26 allocated");

    struct pmm_range one[] = {{1 * MIB, 1 * MIB + 65510 * PAGE}}; /* 255.9 MiB */
    init_pmm(&p, one, 1);
    for (int i = 0; i < 154; i++)
        pmm_alloc_page(&p);
    pmm_format_stats(buf, sizeof(buf), &p);
    cr_assert_str_eq(buf, "pmm: 255.3 MiB free of 255.9 MiB managed in 1 range, 154 allocated");
}

Test(pmm, format_stats_truncates_safely)
{
    struct pmm p;
    init_pmm(&p, stats_ranges, 3);
    char buf[12];
    memset(buf, 'x', sizeof(buf));
    cr_assert_eq(pmm_format_stats(buf, 10, &p), PMM_ERR_CAPACITY);
    cr_assert_str_eq(buf, "pmm: 5.5 ");
    cr_assert_eq(buf[10], 'x', "wrote past size");
    cr_assert_eq(pmm_format_stats(NULL, 0, &p), PMM_ERR_CAPACITY);
}
