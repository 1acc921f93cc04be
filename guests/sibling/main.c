/*
 * guests/sibling/main.c - the sibling test guest (multiboot v1): the victim of the VM
 * isolation test. It fills a block of its RAM above its image with a pattern derived from a
 * seed, checksums it (`sibling: checksum before 0x...`), then stays busy for a number of
 * rounds, each re-reading the next slice of the block and comparing it with the pattern, to
 * give other VMs time to try to write into it. At the end it checksums the block again
 * (`sibling: checksum after 0x...`) and checks that nothing changed.
 *
 * Command line (all optional): `seed=N` (pattern seed, default 0x5eed), `rounds=N` (busy
 * rounds, default 2000), `mib=N` (size of the block in MiB, default 8; less when the RAM above
 * the image is smaller). Numbers are decimal or 0x hexadecimal. Paging is off: the block lies
 * below 4 GiB.
 */
#include "guests/lib/args.h"
#include "guests/lib/mb.h"
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

#define PAGE_SIZE      4096u
#define MIB            (1024u * 1024u)
#define DEFAULT_SEED   0x5eedu
#define DEFAULT_ROUNDS 2000u
#define DEFAULT_MIB    8u
#define SLICE_BYTES    (16u * 1024u) /* read back per busy round */
#define MAX_REPORTED   8             /* changed words printed one by one */

extern char image_start[], image_end[]; /* guests/sibling/linker.ld */

static struct mb_info mbi;

/* A numeric argument: absent leaves *v alone; present and bad (or above max) is a failed
 * check, which ends the guest. */
static void number_arg(const char *key, uint64_t *v, uint64_t max)
{
    char arg[32];
    if (!mbi.has_cmdline || !args_get(mbi.cmdline, key, arg, sizeof(arg)))
        return;
    uint64_t n = 0;
    if (!test_checkf(args_parse_u64(arg, &n) && n <= max, "%s=%s is a number up to %llu", key, arg,
                     (unsigned long long)max))
        test_finish();
    *v = n;
}

static uint32_t seed;

/* The word at addr: the address and the seed through a 32-bit mixing function (the finaliser
 * of MurmurHash3), so every word differs and a word moved or copied elsewhere is caught. */
static uint32_t pattern(uint32_t addr)
{
    uint32_t h = addr ^ seed;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static void fill(uint32_t lo, uint32_t hi)
{
    for (uint32_t a = lo; a < hi; a += 4)
        *(volatile uint32_t *)(uintptr_t)a = pattern(a);
}

/* Fletcher-style checksum of the words in [lo, hi): the running sum and the sum of sums, so
 * a changed, swapped or moved word changes it. */
static uint64_t checksum(uint32_t lo, uint32_t hi)
{
    uint32_t s1 = 0, s2 = 0;
    for (uint32_t a = lo; a < hi; a += 4) {
        s1 += *(volatile uint32_t *)(uintptr_t)a;
        s2 += s1;
    }
    return (uint64_t)s2 << 32 | s1;
}

/* Compares [lo, hi) with the pattern; returns the number of words that differ, printing the
 * first ones (*reported counts them across calls). */
static uint32_t compare(uint32_t lo, uint32_t hi, uint32_t *reported)
{
    uint32_t bad = 0;
    for (uint32_t a = lo; a < hi; a += 4) {
        uint32_t got = *(volatile uint32_t *)(uintptr_t)a, want = pattern(a);
        if (got == want)
            continue;
        if (*reported < MAX_REPORTED) {
            test_note("word at 0x%08x: read 0x%08x, wrote 0x%08x", (unsigned)a, (unsigned)got,
                      (unsigned)want);
            (*reported)++;
        }
        bad++;
    }
    return bad;
}

/* The end of the usable memory-map entry that holds addr (0 when none does), at most 4 GiB
 * minus a page: paging is off. */
static uint32_t usable_end(uint32_t addr)
{
    for (uint32_t i = 0; i < mbi.mmap_count; i++) {
        const struct mb_mmap_entry *e = &mbi.mmap[i];
        if (e->type != MB_MEMORY_AVAILABLE || addr < e->addr || addr >= e->addr + e->len)
            continue;
        uint64_t end = e->addr + e->len;
        if (end > 0xfffff000ull)
            end = 0xfffff000ull;
        return (uint32_t)end & ~(PAGE_SIZE - 1);
    }
    return 0;
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("sibling");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    /* Copied into the image first: the block may cover the loader's structures. */
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (mbi.has_cmdline)
        test_note("command line '%s'", mbi.cmdline);
    uint64_t seed_arg = DEFAULT_SEED, rounds = DEFAULT_ROUNDS, mib = DEFAULT_MIB;
    number_arg("seed", &seed_arg, UINT32_MAX);
    number_arg("rounds", &rounds, UINT32_MAX);
    number_arg("mib", &mib, 4095);
    seed = (uint32_t)seed_arg;

    uint32_t lo = ((uint32_t)(uintptr_t)image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint32_t end = usable_end(lo), hi = lo + (uint32_t)mib * MIB;
    if (!test_checkf(end > lo, "usable RAM above the image at 0x%08x", (unsigned)lo))
        test_finish();
    if (hi > end || hi < lo) {
        test_note("only %u KiB usable above the image: the block is smaller than %u MiB",
                  (unsigned)((end - lo) >> 10), (unsigned)mib);
        hi = end;
    }
    test_note("block 0x%08x-0x%08x (%u KiB), seed 0x%08x, %u rounds", (unsigned)lo,
              (unsigned)(hi - 1), (unsigned)((hi - lo) >> 10), (unsigned)seed, (unsigned)rounds);

    fill(lo, hi);
    uint64_t before = checksum(lo, hi);
    test_note("checksum before 0x%016llx", (unsigned long long)before);

    /* Busy: round r re-reads the r-th slice of the block (wrapping around) against the
     * pattern. */
    uint32_t slices = (hi - lo + SLICE_BYTES - 1) / SLICE_BYTES, bad = 0, reported = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t s = lo + (r % slices) * SLICE_BYTES, e = s + SLICE_BYTES;
        bad += compare(s, e < hi ? e : hi, &reported);
        if (rounds >= 4 && (r + 1) % (rounds / 4) == 0 && (r + 1) / (rounds / 4) <= 4)
            test_note("round %u of %u", (unsigned)(r + 1), (unsigned)rounds);
    }
    test_checkf(bad == 0, "the block held its pattern in every busy round (%u words changed)",
                (unsigned)bad);

    uint64_t after = checksum(lo, hi);
    test_note("checksum after 0x%016llx", (unsigned long long)after);
    test_checkf(after == before, "checksum after equals checksum before (0x%016llx)",
                (unsigned long long)before);
    bad = compare(lo, hi, &reported);
    test_checkf(bad == 0, "every word of the block holds its pattern (%u of %u changed)",
                (unsigned)bad, (unsigned)((hi - lo) / 4));
    test_finish();
}
