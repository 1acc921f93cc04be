/* Physical memory manager: free-range arithmetic and a bitmap page allocator (pure).
 *
 * Boot flow (kernel side):
 *   1. build the usable list (multiboot2 mmap type 1) and the reserved list (image, mbi,
 *      modules, low 1 MiB, every non-usable mmap entry) and call pmm_build_free_list();
 *   2. bytes = pmm_bitmap_bytes(free, n); pmm_place_bitmap(free, &n, bytes, &phys);
 *   3. pmm_init(&pmm, bitmap_virt(phys), bytes, free, n).
 *
 * The allocator never dereferences the physical addresses it hands out: it touches only the
 * bitmap memory given to pmm_init. Page 0 is never managed (pmm_init drops it even if the
 * caller lists it as free; the kernel reserves the low 1 MiB anyway), so 0 means "no memory".
 *
 * Not thread-safe: the caller serialises all calls on one struct pmm (the kernel holds a
 * spinlock around them).
 */
#ifndef PLATFORM_PMM_H
#define PLATFORM_PMM_H

#include <stddef.h>
#include <stdint.h>

#define PMM_PAGE_SHIFT 12
#define PMM_PAGE_SIZE  (1ULL << PMM_PAGE_SHIFT)

enum pmm_status {
    PMM_OK = 0,
    PMM_ERR_INVALID = -1,     /* bad argument: NULL, unsorted/unaligned list, bad request */
    PMM_ERR_CAPACITY = -2,    /* output array, bitmap or text buffer too small */
    PMM_ERR_NO_SPACE = -3,    /* no free range can hold the bitmap */
    PMM_ERR_UNALIGNED = -4,   /* free of an address that is not page-aligned */
    PMM_ERR_OUT_OF_SPAN = -5, /* free of pages outside [lowest free base, highest free end) */
    PMM_ERR_NOT_MANAGED = -6, /* free of pages inside the span but in a hole (never free) */
    PMM_ERR_DOUBLE_FREE = -7, /* free of a page that is already free */
};

/* A physical range [base, end), end exclusive. */
struct pmm_range {
    uint64_t base, end;
};

struct pmm_stats {
    uint64_t managed_pages;   /* pages free at init */
    uint64_t free_pages;      /* pages free now */
    uint64_t used_pages;      /* managed_pages - free_pages */
    uint64_t peak_used_pages; /* highest used_pages seen */
    uint64_t allocs;          /* successful allocation calls */
    uint64_t frees;           /* successful pmm_free calls */
    uint64_t failed_allocs;   /* allocation calls that returned 0 */
    uint64_t failed_frees;    /* pmm_free calls that returned an error */
    size_t ranges;            /* free ranges at init */
};

struct pmm {
    uint64_t *bitmap;         /* one bit per page of the span, 1 = used or not managed */
    size_t bitmap_words;      /* 64-bit words in bitmap */
    struct pmm_range *ranges; /* copy of the free list, stored after the bitmap words */
    size_t range_count;       /* entries in ranges */
    uint64_t base_page;       /* page number of bit 0 */
    uint64_t page_count;      /* pages in the span */
    uint64_t free_pages;      /* pages free now */
    uint64_t managed_pages;   /* pages free at init */
    size_t hint;              /* next-fit: word where the next single-page search starts */
    uint64_t allocs, frees, failed_allocs, failed_frees, peak_used_pages;
};

/* free = pages wholly inside the union of `usable` and touching no byte of any `reserved`
 * range. Inputs may be unsorted, overlapping, unaligned or empty. out[] receives the result
 * sorted, merged and page-aligned; *n_out its length. Returns PMM_ERR_CAPACITY when more than
 * `cap` ranges result (out holds the first cap, *n_out the number needed). */
int pmm_build_free_list(const struct pmm_range *usable, size_t n_usable,
                        const struct pmm_range *reserved, size_t n_reserved, struct pmm_range *out,
                        size_t cap, size_t *n_out);

/* Bytes of bitmap memory pmm_init needs for this free list (sorted list from
 * pmm_build_free_list); a multiple of 8. Covers the bitmap and a copy of the list. */
size_t pmm_bitmap_bytes(const struct pmm_range *free, size_t n);

/* Takes `bytes` (rounded up to whole pages) from the start of the first free range large
 * enough, removes them from free[] (shrinking *n if that range empties), sets *phys_out.
 * Returns PMM_ERR_NO_SPACE if no range fits. The list never grows, so the byte count
 * computed before the call still suffices for pmm_init. */
int pmm_place_bitmap(struct pmm_range *free, size_t *n, size_t bytes, uint64_t *phys_out);

/* Sets up p over free[] (sorted, disjoint, page-aligned, non-adjacent: as produced by
 * pmm_build_free_list). bitmap: 8-byte aligned, bitmap_bytes >= pmm_bitmap_bytes(free, n).
 * Every page of the span not in a free range starts as used. */
int pmm_init(struct pmm *p, void *bitmap, size_t bitmap_bytes, const struct pmm_range *free,
             size_t n);

/* One page; returns its physical address, 0 when out of memory. Next-fit, O(1) amortised. */
uint64_t pmm_alloc_page(struct pmm *p);

/* `pages` contiguous pages starting at a multiple of `align` (power of two, >= 4 KiB), ending
 * at or below max_phys when max_phys != 0. Returns the physical address, 0 on failure.
 * Linear first-fit search. */
uint64_t pmm_alloc_contig(struct pmm *p, size_t pages, uint64_t align, uint64_t max_phys);

/* Frees `pages` pages at phys. All-or-nothing: on error nothing is freed. Errors:
 * PMM_ERR_INVALID (pages == 0), PMM_ERR_UNALIGNED, PMM_ERR_OUT_OF_SPAN, PMM_ERR_NOT_MANAGED,
 * PMM_ERR_DOUBLE_FREE. */
int pmm_free(struct pmm *p, uint64_t phys, size_t pages);

void pmm_stats(const struct pmm *p, struct pmm_stats *out);

/* One line without newline, e.g.
 * "pmm: 255.3 MiB free of 255.9 MiB managed in 3 ranges, 0 allocated" (MiB rounded to 0.1,
 * "allocated" counts pages in use). Returns its length, or PMM_ERR_CAPACITY if it did not fit
 * (buf then holds a NUL-terminated prefix when size > 0). */
int pmm_format_stats(char *buf, size_t size, const struct pmm *p);

/* Short constant name of a pmm_status value ("double free", ...). */
const char *pmm_strerror(int status);

#endif
