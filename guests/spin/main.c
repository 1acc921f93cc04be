/*
 * guests/spin/main.c - the spin test guest (multiboot v1): a CPU-bound loop for time-slicing
 * tests. Command line `name=NAME n=COUNT` (both optional): counts from 1 to COUNT, adding
 * every value up and printing `spin NAME: 25%` ... `spin NAME: 100%` as it goes, then checks
 * the sum against n(n+1)/2 and the counter against COUNT. It makes no exits while it counts,
 * so only a preemption timer (or an interrupt) can take its CPU away from it.
 */
#include "guests/lib/args.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"

#define DEFAULT_COUNT 1000000u
#define NAME_MAX      24

static struct mb_info mbi;

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "", name[NAME_MAX] = "spin";
    uint64_t count = DEFAULT_COUNT;
    test_init("spin");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (mbi.has_cmdline) {
        char arg[32];
        args_get(mbi.cmdline, "name", name, sizeof(name));
        if (args_get(mbi.cmdline, "n", arg, sizeof(arg)) &&
            !test_checkf(args_parse_u64(arg, &count) && count >= 4 && count <= UINT32_MAX,
                         "n=%s is a number from 4 to %u", arg, (unsigned)UINT32_MAX))
            test_finish();
    }
    test_note("%s counts to %u", name, (unsigned)count);

    /* The counter lives in memory (volatile), so the compiler can neither drop the loop nor
     * replace the sum by its closed form. */
    volatile uint32_t i = 0;
    unsigned quarter = 1;
    uint32_t next = (uint32_t)(count / 4);
    uint64_t sum = 0;
    while (i < count) {
        i = i + 1;
        sum += i;
        if (i == next) {
            test_printf("spin %s: %u%%\n", name, quarter * 25);
            quarter++;
            next = (uint32_t)(count * quarter / 4);
        }
    }
    uint64_t want = count * (count + 1) / 2;
    test_checkf(i == count, "counter reached %u (%u)", (unsigned)count, (unsigned)i);
    test_checkf(sum == want, "sum 1..%u is %llu (%llu)", (unsigned)count, (unsigned long long)want,
                (unsigned long long)sum);
    test_finish();
}
