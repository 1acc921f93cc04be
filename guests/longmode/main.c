/*
 * guests/longmode/main.c - the longmode test guest, 64-bit part: checks that it runs in
 * IA-32e mode, then runs a CPU- and memory-bound workload, a sieve of Eratosthenes over
 * SIEVE_N bytes, timed with RDTSC: `BENCH sieve_ticks <n>`. The same image is run bare and
 * under Vanderpool to compare (the guest_throughput_ratio benchmark). In Bochs the TSC counts
 * instructions, so there the figure is an instruction count.
 */
#include "guests/lib/io.h"
#include "guests/lib/mb.h"
#include "guests/lib/mb_print.h"
#include "guests/lib/test.h"

#define IA32_EFER    0xc0000080
#define EFER_LMA     (1ull << 10) /* SDM 2.2.1 */
#define SIEVE_N      (4u << 20)   /* 4 MiB: the primes below 4,194,304 */
#define SIEVE_PRIMES 295947u      /* pi(4194304) */

extern char image_start[], image_end[]; /* guests/longmode/linker.ld */

static struct mb_info mbi;
static uint8_t sieve[SIEVE_N] __attribute__((aligned(4096)));

/* Counts the primes below n: s[i] ends up 1 exactly when i is prime. */
static uint64_t sieve_count(uint8_t *s, uint64_t n)
{
    uint64_t *q = (uint64_t *)s, count = 0;
    for (uint64_t i = 0; i < n / 8; i++)
        q[i] = 0x0101010101010101ull;
    s[0] = s[1] = 0;
    for (uint64_t p = 2; p * p < n; p++)
        if (s[p])
            for (uint64_t m = p * p; m < n; m += p)
                s[m] = 0;
    for (uint64_t i = 0; i < n; i++)
        count += s[i];
    return count;
}

void long_main(uint32_t magic, uint32_t info);

void long_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("longmode");
    test_note("hello from 64-bit C, entered through multiboot v1");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    test_check(rdmsr(IA32_EFER) & EFER_LMA, "IA32_EFER.LMA set: running in IA-32e mode");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    mb_print(&mbi);
    uint64_t lo = (uintptr_t)image_start, hi = (uintptr_t)image_end;
    bool inside = false;
    for (uint32_t i = 0; i < mbi.mmap_count; i++) {
        const struct mb_mmap_entry *e = &mbi.mmap[i];
        if (e->type == MB_MEMORY_AVAILABLE && e->addr <= lo && e->addr + e->len >= hi)
            inside = true;
    }
    test_checkf(inside, "image 0x%llx-0x%llx lies in usable RAM", (unsigned long long)lo,
                (unsigned long long)hi - 1);

    uint64_t t0 = rdtsc();
    uint64_t primes = sieve_count(sieve, SIEVE_N);
    uint64_t t1 = rdtsc();
    test_checkf(primes == SIEVE_PRIMES, "sieve of %u bytes: %llu primes (expected %u)", SIEVE_N,
                (unsigned long long)primes, SIEVE_PRIMES);
    test_printf("BENCH sieve_ticks %llu\n", (unsigned long long)(t1 - t0));
    test_finish();
}
