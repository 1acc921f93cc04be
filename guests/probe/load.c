/*
 * guests/probe/load.c - do=cpuid n=N: an exit-heavy guest. It executes CPUID N times (each a
 * VM exit, SDM 26.1.2), printing `probe: cpuid 25%` ... `100%`. Beside a guest that never
 * exits on the same host CPU, it shows whether the hypervisor charges time slices across
 * exits: if each entry restarted the slice, this guest would never be preempted.
 */
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/probe/probe.h"

void probe_cpuid(void)
{
    uint64_t n = probe_arg("n", 200000);
    uint32_t a = 0, b, c, d;
    unsigned quarter = 1;
    if (!test_check(n >= 4 && n <= 100000000, "n=N is from 4 to 100000000"))
        return;
    for (uint64_t i = 1; i <= n; i++) {
        cpuid(0, &a, &b, &c, &d);
        if (i == n * quarter / 4) {
            test_printf("probe: cpuid %u%%\n", quarter * 25);
            quarter++;
        }
    }
    test_checkf(a >= 1, "CPUID 0 gave the highest leaf (%u)", (unsigned)a);
}

/* do=singlestep: with RFLAGS.TF set, CPUID (which the hypervisor emulates: it exits) must be
 * followed by exactly one single-step #DB, at the instruction after it, with DR6.BS set, as on
 * a CPU (SDM 18.3.1.4); the hypervisor raises it as a pending debug exception when it skips
 * the instruction. Before, the emulated instruction was stepped over without a trap. */
void probe_singlestep(void)
{
    uint32_t before, after_cpuid;
    before = trap_info.count;
    __asm__ volatile("xor %%eax, %%eax\n\t"
                     "pushf\n\t"
                     "orl $0x100, (%%esp)\n\t"
                     "popf\n\t" /* TF takes effect after POPF's next instruction: CPUID */
                     "cpuid\n\t"
                     "2:\n\t"
                     "mov $2b, %0"
                     : "=r"(after_cpuid)
                     :
                     : "eax", "ebx", "ecx", "edx", "memory");
    test_checkf(trap_info.count - before == 1, "one #DB over the emulated CPUID (%u)",
                (unsigned)(trap_info.count - before));
    test_checkf(trap_info.vector == 1 && trap_info.eip == after_cpuid,
                "the #DB came after CPUID (vector %u at EIP 0x%x, CPUID ends at 0x%x)",
                (unsigned)trap_info.vector, (unsigned)trap_info.eip, (unsigned)after_cpuid);
    test_checkf(trap_info.error & (1u << 14), "DR6.BS is set (DR6 0x%x)",
                (unsigned)trap_info.error);
}
