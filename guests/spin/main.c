/*
 * guests/spin/main.c - the spin test guest (multiboot v1): a CPU-bound loop for time-slicing
 * tests. Command line `name=NAME n=COUNT` (both optional): counts from 1 to COUNT, adding
 * every value up and printing `spin NAME: 25%` ... `spin NAME: 100%` as it goes, then checks
 * the sum against n(n+1)/2 and the counter against COUNT. It makes no exits while it counts,
 * so only a preemption timer (or an interrupt) can take its CPU away from it.
 */
#include <string.h>
#include "guests/lib/mb.h"
#include "guests/lib/test.h"

#define DEFAULT_COUNT 1000000u
#define NAME_MAX      24

static struct mb_info mbi;

/* The value of `key=` in the blank-separated command line, copied into val (at most n bytes
 * with the terminator); false when the key is absent. */
static bool cmdline_arg(const char *cmdline, const char *key, char *val, size_t n)
{
    size_t klen = strlen(key);
    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t len = (size_t)(end - p) - klen - 1, i;
            for (i = 0; i < len && i + 1 < n; i++)
                val[i] = p[klen + 1 + i];
            val[i] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

/* Decimal or 0x hexadecimal, nothing after it; false on anything else or on overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

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
        cmdline_arg(mbi.cmdline, "name", name, sizeof(name));
        if (cmdline_arg(mbi.cmdline, "n", arg, sizeof(arg)) &&
            !test_checkf(parse_u64(arg, &count) && count >= 4 && count <= UINT32_MAX,
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
