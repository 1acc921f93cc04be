/*
 * guests/attack/main.c - the attack test guest (multiboot v1): writes to physical memory
 * outside its own RAM, the attacker of the VM isolation test. Under Vanderpool the write is
 * an EPT violation and the hypervisor stops this VM; the guest never gets past it. Should the
 * write return, it prints `attack: SURVIVED (isolation broken)` and fails.
 *
 * Command line: `mode=beyond|high|host [addr=N] [delay=N]`:
 *   beyond  the first byte past the end of its RAM (the highest usable end in the memory map)
 *   high    addr, default 0xc0000000 (3 GiB, where a PC has device memory)
 *   host    addr, required: an absolute address, e.g. another VM's RAM in host memory, which
 *           for this guest is just a guest-physical address outside its RAM
 * delay: TSC ticks to wait before the write (default 0), so that the victim is mid-run when it
 * comes. N is decimal or 0x hexadecimal. An address inside the guest's own RAM is refused (the
 * write would prove nothing). Paging is off: below 4 GiB the write goes straight to the address;
 * from 4 GiB on the guest turns on PAE paging and writes through a 2 MiB window at the last
 * 2 MiB of the linear address space (addresses up to MAXPHYADDR).
 */
#include <string.h>
#include "guests/lib/args.h"
#include "guests/lib/io.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"

#define HIGH_DEFAULT  0xc0000000ull
#define ATTACK_VALUE  0xa77ac4edu
#define SZ_2M         0x200000u
#define SZ_1G         0x40000000u
#define LOW_LIMIT     0x100000000ull /* reached without paging */
#define WINDOW        0xffe00000u    /* linear: PDPT entry 3, PD entry 511 */
#define PAE_PRESENT   0x001ull       /* PDPTE: P; bits 1-2 and 5-8 reserved (SDM 4.4.1) */
#define PAE_PDE_2M    0x083ull       /* PDE: P, R/W, PS: maps a 2 MiB page (SDM 4.4.2) */
#define CPUID_EXT_MAX 0x80000000u
#define CPUID_ADDRESS 0x80000008u /* EAX[7:0]: MAXPHYADDR */

static struct mb_info mbi;

/* PAE paging structures (SDM 4.4.2): the 4-entry PDPT (32-byte aligned), the page directory
 * that maps the first GiB 1:1, and the one that holds the window. */
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_high[512] __attribute__((aligned(4096)));

void pae_enable(uint32_t pdpt_addr); /* guests/attack/pae.S */

/* The end of the highest usable memory-map entry: where the guest's RAM ends. */
static uint64_t ram_end(void)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < mbi.mmap_count; i++) {
        const struct mb_mmap_entry *e = &mbi.mmap[i];
        if (e->type == MB_MEMORY_AVAILABLE && e->len && e->addr + e->len > end)
            end = e->addr + e->len;
    }
    return end;
}

static unsigned maxphyaddr(void)
{
    uint32_t a, b, c, d;
    cpuid(CPUID_EXT_MAX, &a, &b, &c, &d);
    if (a < CPUID_ADDRESS)
        return 36; /* SDM 4.1.4: without leaf 0x80000008, 36 bits when PAE is supported */
    cpuid(CPUID_ADDRESS, &a, &b, &c, &d);
    return a & 0xff;
}

/* The pointer through which to write addr: the address itself below 4 GiB; above, PAE paging
 * on with the 2 MiB window over addr's page, or NULL when addr is beyond MAXPHYADDR. */
static volatile uint32_t *target_pointer(uint64_t addr)
{
    if (addr + 4 <= LOW_LIMIT)
        return (volatile uint32_t *)(uintptr_t)addr;
    unsigned bits = maxphyaddr();
    if (!test_checkf(bits < 64 && addr < (1ull << bits),
                     "0x%llx is below MAXPHYADDR (%u bits), so PAE paging can reach it",
                     (unsigned long long)addr, bits))
        return NULL;
    for (uint32_t i = 0; i < 512; i++)
        pd_low[i] = (uint64_t)i * SZ_2M | PAE_PDE_2M;
    pd_high[511] = (addr & ~(uint64_t)(SZ_2M - 1)) | PAE_PDE_2M;
    pdpt[0] = (uint32_t)(uintptr_t)pd_low | PAE_PRESENT;
    pdpt[3] = (uint32_t)(uintptr_t)pd_high | PAE_PRESENT;
    test_note("PAE paging on: linear 0x%08x -> physical 0x%llx (2 MiB page)", WINDOW,
              (unsigned long long)(addr & ~(uint64_t)(SZ_2M - 1)));
    pae_enable((uint32_t)(uintptr_t)pdpt);
    return (volatile uint32_t *)(uintptr_t)(WINDOW + (uint32_t)(addr & (SZ_2M - 1)));
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "", mode[16] = "", arg[32];
    test_init("attack");
    test_checkf(magic == MB1_BOOTLOADER_MAGIC, "EAX holds the multiboot1 magic (0x%08x)",
                (unsigned)magic);
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (!test_check(mbi.has_cmdline && args_get(mbi.cmdline, "mode", mode, sizeof(mode)),
                    "command line gives mode=beyond|high|host"))
        test_finish();
    test_note("command line '%s'", mbi.cmdline);
    uint64_t end = ram_end(), addr = HIGH_DEFAULT;
    bool has_addr = args_get(mbi.cmdline, "addr", arg, sizeof(arg));
    if (has_addr && !test_checkf(args_parse_u64(arg, &addr), "addr=%s is a number", arg))
        test_finish();
    if (!test_checkf(end > 0, "memory map gives the end of RAM (0x%llx)", (unsigned long long)end))
        test_finish();

    if (strncmp(mode, "beyond", sizeof("beyond")) == 0) {
        addr = end;
    } else if (strncmp(mode, "host", sizeof("host")) == 0) {
        if (!test_check(has_addr, "mode=host comes with addr="))
            test_finish();
    } else if (strncmp(mode, "high", sizeof("high")) != 0) {
        test_checkf(false, "mode '%s' is beyond, high or host", mode);
        test_finish();
    }
    /* Inside its own RAM (all of 0 .. end, the holes of the map included) the write would
     * succeed and prove nothing: a mistake in the test. */
    if (!test_checkf(addr >= end, "0x%llx lies outside this guest's RAM (which ends at 0x%llx)",
                     (unsigned long long)addr, (unsigned long long)end))
        test_finish();

    uint64_t delay = 0;
    if (args_get(mbi.cmdline, "delay", arg, sizeof(arg)) &&
        !test_checkf(args_parse_u64(arg, &delay), "delay=%s is a number", arg))
        test_finish();
    if (delay) {
        test_note("waiting %llu TSC ticks", (unsigned long long)delay);
        for (uint64_t t0 = rdtsc(); rdtsc() - t0 < delay;)
            cpu_relax();
    }

    volatile uint32_t *p = target_pointer(addr);
    if (p == NULL)
        test_finish();
    test_note("writing to 0x%llx (mode %s)", (unsigned long long)addr, mode);
    *p = ATTACK_VALUE;
    /* Still running: the write went somewhere. */
    test_note("SURVIVED (isolation broken): wrote 0x%08x to 0x%llx, read back 0x%08x", ATTACK_VALUE,
              (unsigned long long)addr, (unsigned)*p);
    test_checkf(false, "the write to 0x%llx outside this guest's RAM was stopped",
                (unsigned long long)addr);
    test_finish();
}
