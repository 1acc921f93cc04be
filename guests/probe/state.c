/*
 * guests/probe/state.c - do=state seed=S [ticks=T]: the registers a VM exit leaves in the CPU
 * stay this VM's own when VMs share a host CPU. At the start every one must hold its power-up
 * value (so nothing of a neighbour that ran before shows), then the guest writes values made
 * from its seed and checks them again and again while the hypervisor time-slices it with its
 * neighbours, for T of its TSC ticks (default 40,000,000): the syscall MSRs, KERNEL_GS_BASE,
 * TSC_AUX, DR0-DR3 and DR7, CR2, XMM0, the x87 control word, MXCSR, IA32_PAT, an MTRR and the
 * TSC itself (WRMSR: it must run on from the value written, and the neighbour's must not move).
 */
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/probe/probe.h"
#include "platform/fmt.h"

#define PAT_POWER_UP 0x0007040600070406ull

struct state {
    uint64_t star, lstar, cstar, fmask, kgs, tsc_aux, pat, mtrr0;
    uint32_t dr[4], dr7, cr2, xmm[4], mxcsr;
    uint16_t fcw;
};

static bool has_rdtscp(void)
{
    uint32_t a, b, c, d;
    cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000001)
        return false;
    cpuid(0x80000001, &a, &b, &c, &d);
    return (d >> 27) & 1;
}

static uint64_t msr(uint32_t n)
{
    uint64_t v = 0;
    if (safe_rdmsr(n, &v))
        test_checkf(false, "RDMSR 0x%x", (unsigned)n);
    return v;
}

static void read_state(struct state *s, bool rdtscp)
{
    s->star = msr(0xc0000081);
    s->lstar = msr(0xc0000082);
    s->cstar = msr(0xc0000083);
    s->fmask = msr(0xc0000084);
    s->kgs = msr(0xc0000102);
    s->tsc_aux = rdtscp ? msr(0xc0000103) : 0;
    s->pat = msr(0x277);
    s->mtrr0 = msr(0x200);
    __asm__ volatile("mov %%db0, %0" : "=r"(s->dr[0]));
    __asm__ volatile("mov %%db1, %0" : "=r"(s->dr[1]));
    __asm__ volatile("mov %%db2, %0" : "=r"(s->dr[2]));
    __asm__ volatile("mov %%db3, %0" : "=r"(s->dr[3]));
    __asm__ volatile("mov %%db7, %0" : "=r"(s->dr7));
    __asm__ volatile("mov %%cr2, %0" : "=r"(s->cr2));
    __asm__ volatile("movups %%xmm0, %0" : "=m"(s->xmm));
    __asm__ volatile("stmxcsr %0" : "=m"(s->mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(s->fcw));
}

static void write_state(const struct state *s, bool rdtscp)
{
    safe_wrmsr(0xc0000081, s->star);
    safe_wrmsr(0xc0000082, s->lstar);
    safe_wrmsr(0xc0000083, s->cstar);
    safe_wrmsr(0xc0000084, s->fmask);
    safe_wrmsr(0xc0000102, s->kgs);
    if (rdtscp)
        safe_wrmsr(0xc0000103, s->tsc_aux);
    safe_wrmsr(0x277, s->pat);
    safe_wrmsr(0x200, s->mtrr0);
    __asm__ volatile("mov %0, %%db0" : : "r"(s->dr[0]));
    __asm__ volatile("mov %0, %%db1" : : "r"(s->dr[1]));
    __asm__ volatile("mov %0, %%db2" : : "r"(s->dr[2]));
    __asm__ volatile("mov %0, %%db3" : : "r"(s->dr[3]));
    __asm__ volatile("mov %0, %%db7" : : "r"(s->dr7));
    __asm__ volatile("mov %0, %%cr2" : : "r"(s->cr2));
    __asm__ volatile("movups %0, %%xmm0" : : "m"(s->xmm));
    __asm__ volatile("ldmxcsr %0" : : "m"(s->mxcsr));
    __asm__ volatile("fldcw %0" : : "m"(s->fcw));
}

/* Which fields of a and b differ, by name, into out (empty when none). */
static void differences(const struct state *a, const struct state *b, char *out, unsigned n)
{
    static const char *const names[] = {"STAR",           "LSTAR",   "CSTAR", "FMASK",
                                        "KERNEL_GS_BASE", "TSC_AUX", "PAT",   "MTRR_PHYSBASE0"};
    const uint64_t *x = &a->star, *y = &b->star;
    unsigned len = 0;
    out[0] = 0;
    for (unsigned i = 0; i < 8; i++)
        if (x[i] != y[i] && len + 20 < n)
            len += (unsigned)fmt_snprintf(out + len, n - len, "%s ", names[i]);
    for (unsigned i = 0; i < 4; i++)
        if (a->dr[i] != b->dr[i] && len + 8 < n)
            len += (unsigned)fmt_snprintf(out + len, n - len, "DR%u ", i);
    if (a->dr7 != b->dr7 && len + 8 < n)
        len += (unsigned)fmt_snprintf(out + len, n - len, "DR7 ");
    if (a->cr2 != b->cr2 && len + 8 < n)
        len += (unsigned)fmt_snprintf(out + len, n - len, "CR2 ");
    for (unsigned i = 0; i < 4; i++)
        if (a->xmm[i] != b->xmm[i] && len + 8 < n) {
            len += (unsigned)fmt_snprintf(out + len, n - len, "XMM0 ");
            break;
        }
    if (a->mxcsr != b->mxcsr && len + 8 < n)
        len += (unsigned)fmt_snprintf(out + len, n - len, "MXCSR ");
    if (a->fcw != b->fcw && len + 8 < n)
        fmt_snprintf(out + len, n - len, "FCW ");
}

void probe_state(void)
{
    uint64_t seed = probe_arg("seed", 1), span = probe_arg("ticks", 40000000);
    bool rdtscp = has_rdtscp();
    char diff[160];
    if (!test_check(seed >= 1 && seed <= 255, "seed=S is from 1 to 255"))
        return;
    uint32_t s = (uint32_t)seed;
    /* SSE and x87 on: CR4.OSFXSR and OSXMMEXCPT, CR0.MP set and EM clear (SDM 13.1.3) */
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    safe_write_cr4(cr4 | (1u << 9) | (1u << 10));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    safe_write_cr0((cr0 & ~(1u << 2)) | (1u << 1));

    /* Power-up values (SDM 10.1.1 table 10-1): what a CPU of its own would hold. */
    struct state now, want = {.pat = PAT_POWER_UP, .dr7 = 0x400, .mxcsr = 0x1f80, .fcw = 0x37f};
    read_state(&now, rdtscp);
    differences(&now, &want, diff, sizeof(diff));
    test_checkf(!diff[0], "at the start every register holds its power-up value%s%s",
                diff[0] ? ", not: " : "", diff);
    uint64_t tsc0 = rdtsc();
    test_checkf(tsc0 < (1ull << 36), "its TSC starts near 0, not at a neighbour's (0x%llx)",
                (unsigned long long)tsc0);

    want = (struct state){
        .star = (0x23ull << 48) | (0x10ull << 32) | s,
        .lstar = 0xffffffff81000000ull + s * 0x1000,
        .cstar = 0xffffffff82000000ull + s,
        .fmask = 0x4700 | s,
        .kgs = 0xffff888000000000ull + s * 0x10000,
        .tsc_aux = rdtscp ? s : 0,
        .pat = PAT_POWER_UP | (s == 1 ? 1ull : 5ull) << 56,
        .mtrr0 = ((uint64_t)s << 20) | 6,
        .dr = {0x100000u * s, 0x100000u * s + 8, 0x100000u * s + 16, 0x100000u * s + 24},
        .dr7 = 0x400 | (s & 1 ? 1u << 9 : 1u << 8), /* GE or LE: no breakpoint enabled */
        .cr2 = s << 20,
        .xmm = {s, s * 3, s * 5, s * 7},
        .mxcsr = 0x1f80 | ((s & 3) << 13),        /* rounding control */
        .fcw = (uint16_t)(s & 1 ? 0x27f : 0x07f), /* precision control */
    };
    write_state(&want, rdtscp);
    uint64_t tsc_set = (uint64_t)s << 40;
    test_check(safe_wrmsr(0x10, tsc_set) == 0, "WRMSR IA32_TIME_STAMP_COUNTER");
    uint64_t t = rdtsc();
    test_checkf(t >= tsc_set && t - tsc_set < (1ull << 32),
                "its TSC runs on from the value written (0x%llx)", (unsigned long long)t);

    unsigned checks = 0, bad = 0;
    uint64_t start = rdtsc(), last = start;
    while (rdtsc() - start < span) {
        for (volatile unsigned i = 0; i < 20000; i++) /* work between checks */
            ;
        read_state(&now, rdtscp);
        differences(&now, &want, diff, sizeof(diff));
        uint64_t tsc = rdtsc();
        checks++;
        if (diff[0] || tsc < last || tsc < tsc_set || tsc - tsc_set > (1ull << 36)) {
            if (bad++ < 3)
                test_note("check %u: changed: %s TSC 0x%llx", checks, diff,
                          (unsigned long long)tsc);
        }
        last = tsc;
    }
    test_note("state of seed %u checked %u times over %llu TSC ticks", s, checks,
              (unsigned long long)(rdtsc() - start));
    test_checkf(checks >= 10, "it checked many times (%u)", checks);
    test_checkf(bad == 0, "every register kept its value through every time slice (%u bad)", bad);
}
