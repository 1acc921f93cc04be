/*
 * guests/memcheck/main.c - the memcheck test guest (multiboot v1): the guest's view of its
 * memory. Sizes RAM from the memory map, writes an address-dependent pattern to one qword of
 * every usable 4 KiB page above its own image and reads it all back, then the complement.
 * A page that reads back wrong (absent, read-only, or aliased with another page, as a faulty
 * EPT would make it) is reported. Also checks that the VGA/BIOS hole is not reported usable.
 *
 * The guest runs with paging off, so it reaches physical memory below 4 GiB only; usable RAM
 * above 4 GiB is counted but not tested.
 */
#include "guests/lib/mb.h"
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

#define PAGE_SIZE      4096u
#define MIB            (1024u * 1024u)
#define LOW_HOLE_START 0xa0000u /* VGA memory, option ROMs, system BIOS: 640 KiB - 1 MiB */
#define LOW_HOLE_END   0x100000u
#define ADDR_LIMIT     0x100000000ull /* reachable without paging */
#define PATTERN        0x5aa5c33c96696996ull
#define MAX_REPORTED   8 /* bad pages printed one by one */

extern char image_start[], image_end[]; /* guests/memcheck/linker.ld */

static struct mb_info mbi;

struct range {
    uint32_t lo, hi; /* [lo, hi), page aligned */
};
static struct range ranges[MB_MMAP_MAX];
static uint32_t nranges;

static uint64_t pattern(uint32_t addr, bool invert)
{
    uint64_t v = ((uint64_t)addr << 32 | addr) ^ PATTERN;
    return invert ? ~v : v;
}

/* The usable parts of the memory map above the image and below 4 GiB, page aligned. */
static uint64_t collect_ranges(uint32_t floor)
{
    uint64_t pages = 0;
    for (uint32_t i = 0; i < mbi.mmap_count; i++) {
        const struct mb_mmap_entry *e = &mbi.mmap[i];
        uint64_t lo = e->addr, hi = e->addr + e->len;
        if (e->type != MB_MEMORY_AVAILABLE)
            continue;
        if (lo < floor)
            lo = floor;
        if (hi > ADDR_LIMIT)
            hi = ADDR_LIMIT;
        lo = (lo + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
        hi &= ~(uint64_t)(PAGE_SIZE - 1);
        if (lo >= hi)
            continue;
        ranges[nranges].lo = (uint32_t)lo;
        ranges[nranges].hi = (uint32_t)(hi - 1) + 1; /* hi may be 4 GiB: wraps to 0 */
        nranges++;
        pages += (hi - lo) / PAGE_SIZE;
    }
    return pages;
}

static void fill(bool invert)
{
    for (uint32_t r = 0; r < nranges; r++)
        for (uint32_t a = ranges[r].lo; a != ranges[r].hi; a += PAGE_SIZE)
            *(volatile uint64_t *)(uintptr_t)a = pattern(a, invert);
}

/* Reads every page back; returns the number of pages that did not hold their pattern. */
static uint64_t verify(bool invert)
{
    uint64_t bad = 0;
    for (uint32_t r = 0; r < nranges; r++) {
        for (uint32_t a = ranges[r].lo; a != ranges[r].hi; a += PAGE_SIZE) {
            uint64_t got = *(volatile uint64_t *)(uintptr_t)a, want = pattern(a, invert);
            if (got == want)
                continue;
            if (bad < MAX_REPORTED)
                test_note("page 0x%08x: read 0x%016llx, wrote 0x%016llx", (unsigned)a,
                          (unsigned long long)got, (unsigned long long)want);
            bad++;
        }
    }
    return bad;
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("memcheck");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    /* Everything needed from the boot information is copied into the image first: the test
     * below overwrites all usable RAM above the image, the loader's structures included. */
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (!test_checkf(mbi.has_mmap && mbi.mmap_count > 0, "memory map present (%u entries)",
                     (unsigned)mbi.mmap_count))
        test_finish();
    mb_print(&mbi);

    uint64_t usable = mb_usable_bytes(&mbi);
    test_checkf(usable >= 2 * MIB, "at least 2 MiB usable RAM (%llu KiB)",
                (unsigned long long)(usable >> 10));
    test_check(!mb_usable_overlaps(&mbi, LOW_HOLE_START, LOW_HOLE_END),
               "VGA/BIOS hole 0xa0000-0xfffff not reported usable");
    if (mbi.has_meminfo) {
        /* Multiboot 0.6.96 3.3: mem_upper is the memory from 1 MiB to the first hole. */
        uint64_t at_1m = 0;
        for (uint32_t i = 0; i < mbi.mmap_count; i++)
            if (mbi.mmap[i].type == MB_MEMORY_AVAILABLE && mbi.mmap[i].addr == LOW_HOLE_END)
                at_1m = mbi.mmap[i].len;
        test_checkf(at_1m >> 10 == mbi.mem_upper,
                    "mem_upper (%u KiB) matches the map entry at 1 MiB (%llu KiB)",
                    (unsigned)mbi.mem_upper, (unsigned long long)(at_1m >> 10));
    }

    uint32_t floor = ((uint32_t)(uintptr_t)image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t pages = collect_ranges(floor);
    test_note("image 0x%08x-0x%08x; testing %llu pages (%llu MiB) from 0x%08x in %u ranges",
              (unsigned)(uintptr_t)image_start, (unsigned)(uintptr_t)image_end - 1,
              (unsigned long long)pages, (unsigned long long)(pages * PAGE_SIZE / MIB),
              (unsigned)floor, (unsigned)nranges);
    if (!test_check(pages > 0, "usable RAM above the image"))
        test_finish();

    fill(false);
    uint64_t bad = verify(false);
    test_checkf(bad == 0, "pattern read back from every page (%llu of %llu bad)",
                (unsigned long long)bad, (unsigned long long)pages);
    fill(true);
    bad = verify(true);
    test_checkf(bad == 0, "inverted pattern read back from every page (%llu of %llu bad)",
                (unsigned long long)bad, (unsigned long long)pages);
    test_note("tested %llu MiB of RAM, %llu MiB usable in the memory map",
              (unsigned long long)(pages * PAGE_SIZE / MIB), (unsigned long long)(usable / MIB));
    test_finish();
}
