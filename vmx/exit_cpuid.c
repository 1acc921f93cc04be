/* vmx/exit_cpuid.c - CPUID virtualisation (SDM 26.1.2: CPUID always exits in non-root mode).
 * The guest sees the CPU of vmx/cpuid_policy.c: the host's, with what the hypervisor does not
 * give it hidden, its own APIC ID and CR4 reflected, and Vanderpool's leaves at 0x40000000. */
#include "platform/cpu.h"
#include "platform/lapic.h"
#include "vmx/cpuid_policy.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

static void host_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_leaf *out)
{
    (void)ctx;
    struct cpuid_regs r = cpuid(leaf, sub);
    *out = (struct cpuid_leaf){r.eax, r.ebx, r.ecx, r.edx};
}

uint64_t vcpu_xcr0_allowed(void)
{
    return cpuid_guest_xcr0_mask(host_cpuid, NULL);
}

/* The policy's answers computed once, on the boot CPU (cpuid_policy.h). */
static struct cpuid_table table;

void exit_cpuid_setup(void)
{
    cpuid_table_build(host_cpuid, NULL, &table);
}

/* The answers that depend on the vCPU (its CR4 from the VMCS): off the table's fast path. */
static __attribute__((noinline)) void answer_for_vcpu(struct vcpu *v, enum cpuid_hit hit,
                                                      uint32_t leaf, uint32_t sub,
                                                      struct cpuid_leaf *r)
{
    struct cpuid_vcpu g = {
        .apic_id = v->apic_id,
        .lapic = v->lapic,
        .cr4 = vcpu_guest_cr4(v),
        .xcr0 = v->hw.xcr0,
        .tsc_khz = (uint32_t)tsc_per_ms(),
    };
    if (hit == CPUID_HIT_ADJUST)
        cpuid_vcpu_adjust(&g, leaf, sub, r);
    else
        cpuid_guest(host_cpuid, NULL, &g, leaf, sub, VP_HC_VERSION_VALUE, r);
}

enum exit_action exit_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax;
    struct cpuid_leaf r;
    enum cpuid_hit hit = cpuid_table_get(&table, leaf, &r);
    if (__builtin_expect(hit != CPUID_HIT, 0))
        answer_for_vcpu(v, hit, leaf, (uint32_t)v->regs.rcx, &r);
    /* 32-bit results zero-extend into the 64-bit registers (SDM vol. 2A CPUID). */
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
