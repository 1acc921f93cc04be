/* guests/probe/msr.c - the MSR probes: the guest's own MTRRs, and WRMSR values a CPU refuses. */
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/probe/probe.h"

#define GP (13 + 1) /* what safe_* returns for #GP */

/* IA32_MTRRCAP's VCNT variable pairs exist, no more (SDM 12.11.1); CPUID.1:EDX.MTRR shows
 * them; writes keep their value; a reserved memory type faults. Under Vanderpool with Bochs
 * told to fault on MSRs it does not have, a read that reached the host would stop it. */
void probe_mtrr(void)
{
    uint32_t a, b, c, d;
    uint64_t cap = 0, v = 0;
    cpuid(1, &a, &b, &c, &d);
    test_check((d >> 12) & 1, "CPUID.1:EDX.MTRR is set");
    if (!test_check(safe_rdmsr(0xfe, &cap) == 0, "RDMSR IA32_MTRRCAP"))
        return;
    unsigned vcnt = cap & 0xff;
    test_note("IA32_MTRRCAP 0x%x: %u variable ranges", (unsigned)cap, vcnt);
    test_checkf(vcnt >= 1 && vcnt <= 16, "VCNT %u is between 1 and 16", vcnt);
    unsigned ok = 0, gp = 0;
    for (unsigned i = 0; i < 16; i++) { /* 0x200-0x21f: pairs 0-15 */
        uint32_t r1 = safe_rdmsr(0x200 + 2 * i, &v), r2 = safe_rdmsr(0x201 + 2 * i, &v);
        if (i < vcnt)
            ok += r1 == 0 && r2 == 0;
        else
            gp += r1 == GP && r2 == GP;
    }
    test_checkf(ok == vcnt, "the %u pairs below VCNT read (%u did)", vcnt, ok);
    test_checkf(gp == 16 - vcnt, "the %u pairs above VCNT raise #GP (%u did)", 16 - vcnt, gp);
    static const uint32_t fixed[] = {0x250, 0x258, 0x259, 0x268, 0x26f, 0x2ff};
    unsigned fixed_ok = 0;
    for (unsigned i = 0; i < 6; i++)
        fixed_ok += safe_rdmsr(fixed[i], &v) == 0;
    test_check(fixed_ok == 6, "the fixed-range MTRRs and IA32_MTRR_DEF_TYPE read");
    test_check(safe_wrmsr(0x200, 0x100006ull) == 0 && safe_wrmsr(0x201, 0xffff00800ull) == 0,
               "WRMSR of MTRR pair 0 (1 MiB WB)");
    test_check(safe_rdmsr(0x200, &v) == 0 && v == 0x100006ull, "pair 0's base reads back");
    test_check(safe_wrmsr(0x2ff, 0x802) == GP, "a reserved memory type (2) raises #GP");
    test_check(safe_wrmsr(0xfe, 0) == GP, "IA32_MTRRCAP is read-only (#GP)");
}

/* Each value below is one the CPU refuses (SDM vol. 2B WRMSR, vol. 4): the guest must get #GP
 * and go on, never a VM entry that fails on it. */
void probe_wrmsr(void)
{
    static const struct {
        uint32_t msr;
        uint64_t value;
        const char *what;
    } bad[] = {
        {0x277, 0x0007040600070402ull, "IA32_PAT with type 2 (reserved)"},
        {0x277, 0x0807040600070406ull, "IA32_PAT with type 8"},
        {0xc0000100, 0x0000800000000000ull, "IA32_FS_BASE non-canonical"},
        {0xc0000101, 0x0000800000000000ull, "IA32_GS_BASE non-canonical"},
        {0xc0000102, 0x0000800000000000ull, "IA32_KERNEL_GS_BASE non-canonical"},
        {0xc0000082, 0x0000800000000000ull, "IA32_LSTAR non-canonical"},
        {0x175, 0x0000800000000000ull, "IA32_SYSENTER_ESP non-canonical"},
        {0x176, 0x0000800000000000ull, "IA32_SYSENTER_EIP non-canonical"},
        {0xc0000080, 0x2ull, "IA32_EFER with reserved bit 1"},
        {0x1d9, 0x40ull, "IA32_DEBUGCTL bit 6 (no BTS on this CPU)"},
        {0x3a, 0x5ull, "the locked IA32_FEATURE_CONTROL"},
    };
    uint64_t pat = 0, fs = 0;
    safe_rdmsr(0x277, &pat);
    safe_rdmsr(0xc0000100, &fs);
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        test_checkf(safe_wrmsr(bad[i].msr, bad[i].value) == GP, "WRMSR %s raises #GP", bad[i].what);
    uint64_t v = 1;
    test_check(safe_rdmsr(0x277, &v) == 0 && v == pat, "IA32_PAT kept its value");
    test_check(safe_rdmsr(0xc0000100, &v) == 0 && v == fs, "IA32_FS_BASE kept its value");
    test_check(safe_wrmsr(0x277, 0x0007010600070406ull) == 0, "WRMSR IA32_PAT with type 1 (WC)");
    test_check(safe_rdmsr(0x277, &v) == 0 && v == 0x0007010600070406ull, "IA32_PAT reads back");
    test_check(safe_wrmsr(0xc0000100, 0xffff800000001000ull) == 0 &&
                   safe_rdmsr(0xc0000100, &v) == 0 && v == 0xffff800000001000ull,
               "a canonical IA32_FS_BASE is taken");
}
