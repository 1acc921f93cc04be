/* Physical memory manager (pure): free-range arithmetic (usable minus reserved, page-aligned),
 * bitmap placement, and a bitmap page allocator with next-fit single pages and first-fit
 * aligned contiguous runs. Only the caller's bitmap memory is ever touched. */
#include "platform/pmm.h"

#include <stdbool.h>
#include <string.h>

#define PAGE_MASK    (PMM_PAGE_SIZE - 1)
#define NO_ADDR      UINT64_MAX /* "no such point" in the range sweep */
#define WORD_BITS    64u
#define FULL_WORD    UINT64_MAX
#define PAGES_PER_MB 256u /* 1 MiB / 4 KiB */

/* ---- range arithmetic ------------------------------------------------------------------ */

static bool range_empty(const struct pmm_range *r)
{
    return r->base >= r->end;
}

/* Smallest point >= x inside the union of u[], or NO_ADDR. */
static uint64_t usable_next_start(const struct pmm_range *u, size_t n, uint64_t x)
{
    uint64_t best = NO_ADDR;
    for (size_t i = 0; i < n; i++) {
        if (range_empty(&u[i]) || u[i].end <= x)
            continue;
        if (u[i].base <= x)
            return x;
        if (u[i].base < best)
            best = u[i].base;
    }
    return best;
}

/* End of the maximal merged interval of u[] that contains x (touching ranges merge). */
static uint64_t usable_extent_end(const struct pmm_range *u, size_t n, uint64_t x)
{
    uint64_t e = x;
    bool grew = true;
    while (grew) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            if (!range_empty(&u[i]) && u[i].base <= e && u[i].end > e) {
                e = u[i].end;
                grew = true;
            }
        }
    }
    return e;
}

/* Reserved ranges widen outward to whole pages; an end in the last page means "to the top". */
static void reserved_aligned(const struct pmm_range *r, uint64_t *b, uint64_t *e)
{
    *b = r->base & ~PAGE_MASK;
    *e = r->end > (UINT64_MAX & ~PAGE_MASK) ? UINT64_MAX : (r->end + PAGE_MASK) & ~PAGE_MASK;
}

/* Finds the next free run at or after x. Returns false when there is none. Each step moves x
 * strictly upward, so the loop ends. */
static bool next_free_run(const struct pmm_range *u, size_t nu, const struct pmm_range *r,
                          size_t nr, uint64_t x, struct pmm_range *run)
{
    for (;;) {
        uint64_t s = usable_next_start(u, nu, x);
        if (s == NO_ADDR)
            return false;
        uint64_t e = usable_extent_end(u, nu, s);
        if (s > (UINT64_MAX & ~PAGE_MASK) || ((s + PAGE_MASK) & ~PAGE_MASK) >= (e & ~PAGE_MASK)) {
            x = e; /* no whole page in this interval */
            continue;
        }
        uint64_t sa = (s + PAGE_MASK) & ~PAGE_MASK;
        uint64_t ea = e & ~PAGE_MASK;
        bool blocked = false;
        for (size_t i = 0; i < nr && !blocked; i++) {
            uint64_t rb, re;
            if (range_empty(&r[i]))
                continue;
            reserved_aligned(&r[i], &rb, &re);
            if (rb <= sa && sa < re) {
                x = re;
                blocked = true;
            } else if (rb > sa && rb < ea) {
                ea = rb; /* run stops at the next reserved range */
            }
        }
        if (blocked)
            continue;
        run->base = sa;
        run->end = ea;
        return true;
    }
}

/* A sweep from address 0 upward: needs no scratch memory, and the result comes out sorted and
 * merged (runs are separated by a reserved page or by a gap in the usable union). */
int pmm_build_free_list(const struct pmm_range *usable, size_t n_usable,
                        const struct pmm_range *reserved, size_t n_reserved, struct pmm_range *out,
                        size_t cap, size_t *n_out)
{
    if (!n_out || (n_usable && !usable) || (n_reserved && !reserved) || (cap && !out))
        return PMM_ERR_INVALID;
    size_t count = 0;
    struct pmm_range run;
    uint64_t x = 0;
    while (next_free_run(usable, n_usable, reserved, n_reserved, x, &run)) {
        if (count < cap)
            out[count] = run;
        count++;
        x = run.end;
    }
    *n_out = count;
    return count > cap ? PMM_ERR_CAPACITY : PMM_OK;
}

/* ---- bitmap sizing and placement ------------------------------------------------------- */

size_t pmm_bitmap_bytes(const struct pmm_range *free, size_t n)
{
    if (!free || n == 0)
        return 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (free[i].base < lo)
            lo = free[i].base;
        if (free[i].end > hi)
            hi = free[i].end;
    }
    if (hi <= lo)
        return 0;
    uint64_t pages = ((hi + PAGE_MASK) >> PMM_PAGE_SHIFT) - (lo >> PMM_PAGE_SHIFT);
    uint64_t words = (pages + WORD_BITS - 1) / WORD_BITS;
    return (size_t)(words * sizeof(uint64_t) + n * sizeof(struct pmm_range));
}

int pmm_place_bitmap(struct pmm_range *free, size_t *n, size_t bytes, uint64_t *phys_out)
{
    if (!free || !n || !phys_out || bytes == 0)
        return PMM_ERR_INVALID;
    uint64_t need = ((uint64_t)bytes + PAGE_MASK) & ~PAGE_MASK;
    for (size_t i = 0; i < *n; i++) {
        uint64_t base = (free[i].base + PAGE_MASK) & ~PAGE_MASK;
        uint64_t end = free[i].end & ~PAGE_MASK;
        if (base >= end || end - base < need)
            continue;
        *phys_out = base;
        free[i].base = base + need;
        if (free[i].base >= free[i].end) {
            memmove(&free[i], &free[i + 1], (*n - i - 1) * sizeof(*free));
            (*n)--;
        }
        return PMM_OK;
    }
    return PMM_ERR_NO_SPACE;
}

/* ---- bitmap primitives ----------------------------------------------------------------- */

static bool bit_test(const struct pmm *p, uint64_t i)
{
    return (p->bitmap[i / WORD_BITS] >> (i % WORD_BITS)) & 1u;
}

/* Sets (used) or clears (free) bits [from, from + count). */
static void bits_assign(struct pmm *p, uint64_t from, uint64_t count, bool used)
{
    uint64_t i = from, to = from + count;
    while (i < to) {
        uint64_t w = i / WORD_BITS;
        if (i % WORD_BITS == 0 && to - i >= WORD_BITS) {
            p->bitmap[w] = used ? FULL_WORD : 0;
            i += WORD_BITS;
            continue;
        }
        uint64_t bit = 1ULL << (i % WORD_BITS);
        p->bitmap[w] = used ? (p->bitmap[w] | bit) : (p->bitmap[w] & ~bit);
        i++;
    }
}

/* First used bit in [from, to), or `to` if all are free. */
static uint64_t find_used(const struct pmm *p, uint64_t from, uint64_t to)
{
    uint64_t i = from;
    while (i < to) {
        if (i % WORD_BITS == 0 && to - i >= WORD_BITS && p->bitmap[i / WORD_BITS] == 0) {
            i += WORD_BITS;
            continue;
        }
        if (bit_test(p, i))
            return i;
        i++;
    }
    return to;
}

/* ---- init ------------------------------------------------------------------------------ */

/* Checks the list: sorted, disjoint, non-adjacent, page-aligned, non-empty ranges. */
static int check_free_list(const struct pmm_range *free, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (((free[i].base | free[i].end) & PAGE_MASK) || free[i].base >= free[i].end)
            return PMM_ERR_INVALID;
        if (i > 0 && free[i].base <= free[i - 1].end)
            return PMM_ERR_INVALID; /* unsorted, overlapping or adjacent */
    }
    return PMM_OK;
}

int pmm_init(struct pmm *p, void *bitmap, size_t bitmap_bytes, const struct pmm_range *free,
             size_t n)
{
    if (!p || !bitmap || !free || n == 0 || ((uintptr_t)bitmap & (sizeof(uint64_t) - 1)))
        return PMM_ERR_INVALID;
    int rc = check_free_list(free, n);
    if (rc)
        return rc;
    /* Page 0 is never managed, so that 0 can mean "no memory". */
    size_t skip = free[0].base == 0 && free[0].end == PMM_PAGE_SIZE ? 1 : 0;
    size_t kept = n - skip;
    if (kept == 0)
        return PMM_ERR_INVALID;
    uint64_t lo = free[skip].base == 0 ? PMM_PAGE_SIZE : free[skip].base;
    uint64_t pages = (free[n - 1].end - lo) >> PMM_PAGE_SHIFT;
    uint64_t words = (pages + WORD_BITS - 1) / WORD_BITS;
    if (words > (SIZE_MAX - kept * sizeof(struct pmm_range)) / sizeof(uint64_t) ||
        bitmap_bytes < words * sizeof(uint64_t) + kept * sizeof(struct pmm_range))
        return PMM_ERR_CAPACITY;

    memset(p, 0, sizeof(*p));
    p->bitmap = bitmap;
    p->bitmap_words = (size_t)words;
    p->ranges = (struct pmm_range *)(p->bitmap + words);
    p->range_count = kept;
    p->base_page = lo >> PMM_PAGE_SHIFT;
    p->page_count = pages;
    memcpy(p->ranges, free + skip, kept * sizeof(*free));
    p->ranges[0].base = lo;

    /* Everything used (including tail bits past page_count), then open the free ranges. */
    memset(p->bitmap, 0xff, (size_t)words * sizeof(uint64_t));
    for (size_t i = 0; i < kept; i++) {
        uint64_t first = (p->ranges[i].base >> PMM_PAGE_SHIFT) - p->base_page;
        uint64_t count = (p->ranges[i].end - p->ranges[i].base) >> PMM_PAGE_SHIFT;
        bits_assign(p, first, count, false);
        p->free_pages += count;
    }
    p->managed_pages = p->free_pages;
    return PMM_OK;
}

/* ---- allocation ------------------------------------------------------------------------ */

static void note_alloc(struct pmm *p, uint64_t pages)
{
    p->free_pages -= pages;
    p->allocs++;
    uint64_t used = p->managed_pages - p->free_pages;
    if (used > p->peak_used_pages)
        p->peak_used_pages = used;
}

uint64_t pmm_alloc_page(struct pmm *p)
{
    if (!p || p->free_pages == 0) {
        if (p)
            p->failed_allocs++;
        return 0;
    }
    /* Next-fit: resume at the word of the last hit; full words are skipped whole. */
    for (size_t k = 0; k < p->bitmap_words; k++) {
        size_t w = (p->hint + k) % p->bitmap_words;
        if (p->bitmap[w] == FULL_WORD)
            continue;
        unsigned bit = (unsigned)__builtin_ctzll(~p->bitmap[w]);
        p->bitmap[w] |= 1ULL << bit;
        p->hint = w;
        note_alloc(p, 1);
        return (p->base_page + (uint64_t)w * WORD_BITS + bit) << PMM_PAGE_SHIFT;
    }
    p->failed_allocs++; /* unreachable while free_pages is exact */
    return 0;
}

uint64_t pmm_alloc_contig(struct pmm *p, size_t pages, uint64_t align, uint64_t max_phys)
{
    if (!p)
        return 0;
    if (pages == 0 || pages > p->free_pages || align < PMM_PAGE_SIZE || (align & (align - 1))) {
        p->failed_allocs++;
        return 0;
    }
    uint64_t align_pages = align >> PMM_PAGE_SHIFT;
    uint64_t limit = p->base_page + p->page_count; /* page numbers, exclusive */
    if (max_phys && (max_phys >> PMM_PAGE_SHIFT) < limit)
        limit = max_phys >> PMM_PAGE_SHIFT;
    uint64_t cand = (p->base_page + align_pages - 1) & ~(align_pages - 1);
    while (cand >= p->base_page && cand <= limit && limit - cand >= pages) {
        uint64_t first = cand - p->base_page;
        uint64_t used = find_used(p, first, first + pages);
        if (used == first + pages) {
            bits_assign(p, first, pages, true);
            note_alloc(p, pages);
            return cand << PMM_PAGE_SHIFT;
        }
        uint64_t next = (p->base_page + used + 1 + align_pages - 1) & ~(align_pages - 1);
        if (next <= cand)
            break; /* wrapped */
        cand = next;
    }
    p->failed_allocs++;
    return 0;
}

/* ---- free ------------------------------------------------------------------------------ */

static int check_free(const struct pmm *p, uint64_t phys, size_t pages)
{
    if (pages == 0)
        return PMM_ERR_INVALID;
    if (phys & PAGE_MASK)
        return PMM_ERR_UNALIGNED;
    uint64_t page = phys >> PMM_PAGE_SHIFT;
    if (page < p->base_page || page - p->base_page >= p->page_count ||
        pages > p->page_count - (page - p->base_page))
        return PMM_ERR_OUT_OF_SPAN;
    /* Free ranges are non-adjacent, so every allocation lies within one of them. */
    uint64_t end = phys + ((uint64_t)pages << PMM_PAGE_SHIFT);
    bool managed = false;
    for (size_t i = 0; i < p->range_count && !managed; i++)
        managed = p->ranges[i].base <= phys && end <= p->ranges[i].end;
    if (!managed)
        return PMM_ERR_NOT_MANAGED;
    uint64_t first = page - p->base_page;
    for (uint64_t i = first; i < first + pages; i++)
        if (!bit_test(p, i))
            return PMM_ERR_DOUBLE_FREE;
    return PMM_OK;
}

int pmm_free(struct pmm *p, uint64_t phys, size_t pages)
{
    if (!p)
        return PMM_ERR_INVALID;
    int rc = check_free(p, phys, pages);
    if (rc) {
        p->failed_frees++;
        return rc;
    }
    bits_assign(p, (phys >> PMM_PAGE_SHIFT) - p->base_page, pages, false);
    p->free_pages += pages;
    p->frees++;
    return PMM_OK;
}

/* ---- statistics ------------------------------------------------------------------------ */

void pmm_stats(const struct pmm *p, struct pmm_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    if (!p)
        return;
    out->managed_pages = p->managed_pages;
    out->free_pages = p->free_pages;
    out->used_pages = p->managed_pages - p->free_pages;
    out->peak_used_pages = p->peak_used_pages;
    out->allocs = p->allocs;
    out->frees = p->frees;
    out->failed_allocs = p->failed_allocs;
    out->failed_frees = p->failed_frees;
    out->ranges = p->range_count;
}

/* Tiny appender: keeps the text NUL-terminated, counts what did not fit. */
struct text {
    char *buf;
    size_t size, len;
};

static void put_char(struct text *t, char c)
{
    if (t->len + 1 < t->size) {
        t->buf[t->len] = c;
        t->buf[t->len + 1] = '\0';
    }
    t->len++;
}

static void put_str(struct text *t, const char *s)
{
    while (*s)
        put_char(t, *s++);
}

static void put_u64(struct text *t, uint64_t v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(t, digits[--n]);
}

/* Pages as MiB with one decimal, rounded to nearest. */
static void put_mib(struct text *t, uint64_t pages)
{
    uint64_t tenths = (pages * 10 + PAGES_PER_MB / 2) / PAGES_PER_MB;
    put_u64(t, tenths / 10);
    put_char(t, '.');
    put_char(t, (char)('0' + tenths % 10));
}

int pmm_format_stats(char *buf, size_t size, const struct pmm *p)
{
    if (!p || (size && !buf))
        return PMM_ERR_INVALID;
    struct text t = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    put_str(&t, "pmm: ");
    put_mib(&t, p->free_pages);
    put_str(&t, " MiB free of ");
    put_mib(&t, p->managed_pages);
    put_str(&t, " MiB managed in ");
    put_u64(&t, p->range_count);
    put_str(&t, p->range_count == 1 ? " range, " : " ranges, ");
    put_u64(&t, p->managed_pages - p->free_pages);
    put_str(&t, " allocated");
    if (t.len >= size || t.len > INT32_MAX)
        return PMM_ERR_CAPACITY;
    return (int)t.len;
}

const char *pmm_strerror(int status)
{
    switch (status) {
    case PMM_OK:
        return "ok";
    case PMM_ERR_INVALID:
        return "invalid argument";
    case PMM_ERR_CAPACITY:
        return "buffer too small";
    case PMM_ERR_NO_SPACE:
        return "no free range large enough";
    case PMM_ERR_UNALIGNED:
        return "address not page-aligned";
    case PMM_ERR_OUT_OF_SPAN:
        return "pages outside the managed span";
    case PMM_ERR_NOT_MANAGED:
        return "pages in a hole of the span";
    case PMM_ERR_DOUBLE_FREE:
        return "double free";
    default:
        return "unknown pmm error";
    }
}
