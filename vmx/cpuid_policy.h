/*
 * vmx/cpuid_policy.h - the CPU a guest is shown (pure).
 *
 * CPUID always exits in VMX non-root operation (SDM 26.1.2), so every leaf a guest reads is
 * this policy applied to the host's answer: features the hypervisor does not give the guest
 * are hidden (VMX, SMX, MONITOR/MWAIT, the performance-monitoring unit and its MSRs, the
 * speculation-control MSRs, TSC_ADJUST, the TSC deadline until the virtual local APIC has
 * it, x2APIC likewise, machine-check reporting, thermal and power leaves, XSAVES), the
 * hypervisor-present bit is set, the APIC IDs are the vCPU's, OSXSAVE/OSPKE follow the
 * guest's own CR4, no feature is shown without its prerequisites (vmx/cpuid_deps.h: no FSRM
 * without ERMS, no AVX2 without AVX, no AVX-512 without its XSAVE state...), and the
 * XSAVE sizes of leaf 0DH are computed from the components actually offered, so they agree
 * with each other (Bochs's do not), and leaves 15H/16H give the TSC rate the guest really has. What
 * CPUID shows and what the MSRs do agree: docs/security.md.
 */
#ifndef VMX_CPUID_POLICY_H
#define VMX_CPUID_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpuid_leaf {
    uint32_t eax, ebx, ecx, edx;
};

/* The host's CPUID (the CPUID instruction in the kernel, a table in the tests). */
typedef void (*cpuid_host_fn)(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_leaf *out);

/* What of the vCPU the answer depends on. */
struct cpuid_vcpu {
    uint32_t apic_id;
    bool lapic;    /* it has the virtual local APIC: x2APIC and the TSC deadline are offered */
    uint64_t cr4;  /* as the guest sees it (OSXSAVE, PKE) */
    uint64_t xcr0; /* its XCR0 (the XSAVE size of leaf 0DH.0:EBX) */
    /* The rate its TSC runs at (the host's, measured; the VMCS only offsets it), shown in
     * leaves 15H and 16H so that the guest does not trust the model's nominal frequency
     * (Bochs's skylake says 3.5 GHz for a TSC of tens of MHz); 0: the host's leaves. */
    uint32_t tsc_khz;
};

/* The hypervisor's own leaves (the range hypervisors use): 0x40000000 gives the highest one
 * in EAX and "VanderpoolVM" in EBX, ECX, EDX; 0x40000001 EAX is the hypercall version. */
#define CPUID_HV_BASE 0x40000000u
#define CPUID_HV_LAST 0x40000001u

/* The guest's answer for (leaf, subleaf). */
void cpuid_guest(cpuid_host_fn host, void *ctx, const struct cpuid_vcpu *g, uint32_t leaf,
                 uint32_t subleaf, uint32_t hc_version, struct cpuid_leaf *out);

/* The vCPU's part of the answer (APIC IDs, OSXSAVE and OSPKE from its CR4, x2APIC and the
 * TSC deadline with its local APIC), applied to the rest of the policy's answer in *out. */
void cpuid_vcpu_adjust(const struct cpuid_vcpu *g, uint32_t leaf, uint32_t subleaf,
                       struct cpuid_leaf *out);

/* The answers computed once, so that the common CPUID exit is a table look-up: the basic
 * leaves up to 1FH that take no sub-leaf and the extended leaves 80000000H-80000008H, as far
 * as the host has them, after the policy's vCPU-independent part. */
#define CPUID_EXT_BASE    0x80000000u
#define CPUID_TABLE_BASIC 0x20
#define CPUID_TABLE_EXT   9
struct cpuid_table {
    uint32_t held;     /* bit n: basic leaf n is in the table */
    uint32_t per_vcpu; /* bit n: basic leaf n still needs cpuid_vcpu_adjust */
    uint32_t ready;    /* bit n: basic leaf n is held and needs no adjustment */
    uint32_t ext_held; /* bit n: leaf 80000000H + n is in the table */
    struct cpuid_leaf basic[CPUID_TABLE_BASIC];
    struct cpuid_leaf ext[CPUID_TABLE_EXT];
};

/* Fill *t from the host's CPUID (run on the CPU whose answers the guests get). */
void cpuid_table_build(cpuid_host_fn host, void *ctx, struct cpuid_table *t);

enum cpuid_hit {
    CPUID_MISS,      /* not in the table: cpuid_guest computes it */
    CPUID_HIT,       /* *out is the guest's answer */
    CPUID_HIT_ADJUST /* *out needs cpuid_vcpu_adjust for the vCPU */
};

/* The table's answer for leaf; the sub-leaf does not matter for any leaf it holds. */
static inline enum cpuid_hit cpuid_table_get(const struct cpuid_table *t, uint32_t leaf,
                                             struct cpuid_leaf *out)
{
    if (leaf < CPUID_TABLE_BASIC) {
        if (!(t->held >> leaf & 1))
            return CPUID_MISS;
        *out = t->basic[leaf];
        return (t->per_vcpu >> leaf & 1) ? CPUID_HIT_ADJUST : CPUID_HIT;
    }
    uint32_t e = leaf - CPUID_EXT_BASE;
    if (e >= CPUID_TABLE_EXT || !(t->ext_held >> e & 1))
        return CPUID_MISS;
    *out = t->ext[e];
    return CPUID_HIT;
}

/* The exit path's look-up: the guest's whole answer for leaf when the table has it and it
 * does not depend on the vCPU, else NULL (then cpuid_table_get and cpuid_vcpu_adjust, or
 * cpuid_guest). One bit test and an address for the common leaves. */
static inline const struct cpuid_leaf *cpuid_table_answer(const struct cpuid_table *t,
                                                          uint32_t leaf)
{
    if (__builtin_expect(leaf < CPUID_TABLE_BASIC, 1))
        return (t->ready >> leaf & 1) ? &t->basic[leaf] : NULL;
    uint32_t e = leaf - CPUID_EXT_BASE;
    return e < CPUID_TABLE_EXT && (t->ext_held >> e & 1) ? &t->ext[e] : NULL;
}

/* The XCR0 bits a guest may set: what the host supports (CPUID 0DH.0 EDX:EAX) less MPX
 * (bits 3-4: its BNDCFGS MSR is not virtualised) and AMX (17-18: its state is not saved). */
uint64_t cpuid_guest_xcr0_mask(cpuid_host_fn host, void *ctx);

/* XSETBV's rules for XCR0 (SDM vol. 1 13.3, vol. 2 XSETBV): bit 0 set; AVX (2) needs SSE (1);
 * the AVX-512 bits 7:5 all or none, and with AVX; MPX bits 3-4 both or neither; AMX bits
 * 17-18 both or neither; nothing outside `allowed`. */
bool xcr0_valid(uint64_t value, uint64_t allowed);

#endif
