/*
 * guests/guestboot/kernel.c - GuestKernel's 64-bit part (the book's example 6-1): entered from
 * entry.S in IA-32e mode with the first 16 MiB mapped 1:1. It prints `GuestKernel: long mode`,
 * checks the mode it runs in and its page tables, then does CPU-bound work that takes no VM
 * exit: WORK_STEPS steps of a 64-bit linear congruential generator, whose result it checks
 * against the same steps computed by jump-ahead in O(log n) (under Vanderpool this loop is
 * where the VMX-preemption timer interrupts the guest). The summary counts GuestBoot's checks
 * too: GuestBoot printed them and only jumps here when all held.
 */
#include "guests/guestboot/guestboot.h"
#include "guests/lib/io.h"
#include "guests/lib/test.h"

#define IA32_EFER  0xc0000080
#define EFER_LME   (1ull << 8)  /* SDM 2.2.1 */
#define EFER_LMA   (1ull << 10) /* SDM 2.2.1 */
#define CR0_PE     (1ul << 0)
#define CR0_PG     (1ul << 31)
#define WORK_STEPS 20000000u
/* Knuth's MMIX generator: x' = a x + c mod 2^64 (TAOCP vol. 2, 3.3.4). */
#define LCG_A    6364136223846793005ull
#define LCG_C    1442695040888963407ull
#define LCG_SEED 0x6578616d706c6536ull /* "example6" */

extern const uint32_t gk_header[]; /* entry.S: the image starts with the header */

/* The loop count is read at run time, so the compiler cannot shorten the work. */
static volatile uint32_t work_steps = WORK_STEPS;
static uint32_t checks, failures;

void kernel_main(uint32_t magic, uint32_t boot_checks);

static bool counted(bool ok)
{
    checks++;
    if (!ok)
        failures++;
    return ok;
}
/* test_checkf, counted here as well: the summary adds GuestBoot's checks to the kernel's. */
#define CHECK(cond, ...) counted(test_checkf((cond), __VA_ARGS__))

static uint64_t lcg_steps(uint64_t x, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        x = x * LCG_A + LCG_C;
    return x;
}

/* n steps at once: the affine map x -> a x + c composed with itself by repeated squaring
 * (F. Brown, "Random number generation with arbitrary strides", 1994). */
static uint64_t lcg_jump(uint64_t x, uint64_t n)
{
    uint64_t a = LCG_A, c = LCG_C, acc_a = 1, acc_c = 0;
    for (; n; n >>= 1) {
        if (n & 1) {
            acc_a *= a;
            acc_c = acc_c * a + c;
        }
        c *= a + 1;
        a *= a;
    }
    return acc_a * x + acc_c;
}

/* Sum of the image's dwords, as many as its header says: 0 when it is as GuestBoot checked it
 * (mkimage.sh). */
static uint32_t image_sum(void)
{
    const volatile uint32_t *p = gk_header; /* read now, before anything writes the image */
    uint32_t sum = 0, n = p[GK_OFF_LENGTH / 4] / 4;
    for (uint32_t i = 0; i < n; i++)
        sum += p[i];
    return sum;
}

/* Writes an address-dependent value into the middle of every 2 MiB page of the 1:1 map above
 * the first, then reads them all back: a missing or aliased mapping fails it. */
static unsigned identity_map_errors(void)
{
    unsigned bad = 0;
    for (uint64_t a = 0x300000; a < GK_MAPPED_BYTES; a += 0x200000)
        *(volatile uint64_t *)a = a ^ LCG_SEED;
    for (uint64_t a = 0x300000; a < GK_MAPPED_BYTES; a += 0x200000)
        bad += *(volatile uint64_t *)a != (a ^ LCG_SEED);
    return bad;
}

void kernel_main(uint32_t magic, uint32_t boot_checks)
{
    uint32_t sum = image_sum(); /* before test_init writes the library's data */
    test_init("guestboot");
    test_printf("GuestKernel: long mode\n");
    checks = boot_checks;

    CHECK(magic == GB_MAGIC, "entered from GuestBoot (EAX 0x%08x), after its %u checks",
          (unsigned)magic, (unsigned)boot_checks);
    uint64_t efer = rdmsr(IA32_EFER);
    CHECK((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
          "IA32_EFER.LME and LMA set: IA-32e mode (EFER 0x%llx)", (unsigned long long)efer);
    unsigned long cr0 = read_cr0();
    CHECK((cr0 & (CR0_PG | CR0_PE)) == (CR0_PG | CR0_PE), "CR0.PG and CR0.PE set (CR0 0x%lx)", cr0);
    CHECK(sum == 0, "GuestKernel image 0x%x-0x%x read through the 1:1 map: dword sum 0x%x",
          (unsigned)(uintptr_t)gk_header,
          (unsigned)((uintptr_t)gk_header + gk_header[GK_OFF_LENGTH / 4] - 1), (unsigned)sum);
    unsigned bad = identity_map_errors();
    CHECK(bad == 0, "1:1 map of %u MiB: a value in each 2 MiB page read back (%u wrong)",
          (unsigned)(GK_MAPPED_BYTES >> 20), bad);

    uint32_t n = work_steps;
    test_printf("GuestKernel: working: %u LCG steps, no instruction in the loop causes a VM exit\n",
                (unsigned)n);
    uint64_t t0 = rdtsc();
    uint64_t x = lcg_steps(LCG_SEED, n);
    uint64_t t1 = rdtsc();
    uint64_t want = lcg_jump(LCG_SEED, n);
    test_printf("GuestKernel: result 0x%016llx after %llu TSC ticks\n", (unsigned long long)x,
                (unsigned long long)(t1 - t0));
    CHECK(x == want, "%u LCG steps give 0x%016llx, as the jump-ahead computes", (unsigned)n,
          (unsigned long long)want);

    test_printf("TEST guestboot: %u checks, %u failed\n", (unsigned)checks, (unsigned)failures);
    test_printf("TEST guestboot: %s\n", failures == 0 ? "PASS" : "FAIL");
    test_exit(failures == 0 ? 0 : 1);
}
