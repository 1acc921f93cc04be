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

/* The answers the table does not hold whole: those that depend on the vCPU (its APIC ID, its
 * CR4 from the VMCS) and those computed each time. Off the table's fast path. */
static __attribute__((noinline)) enum exit_action exit_cpuid_computed(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_leaf r;
    struct cpuid_vcpu g = {
        .apic_id = v->apic_id,
        .lapic = v->lapic,
        .cr4 = vcpu_guest_cr4(v),
        .xcr0 = v->hw.xcr0,
        .tsc_khz = (uint32_t)tsc_per_ms(),
    };
    if (cpuid_table_get(&table, leaf, &r) == CPUID_HIT_ADJUST)
        cpuid_vcpu_adjust(&g, leaf, sub, &r);
    else
        cpuid_guest(host_cpuid, NULL, &g, leaf, sub, VP_HC_VERSION_VALUE, &r);
    /* 32-bit results zero-extend into the 64-bit registers (SDM vol. 2A CPUID). */
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* The common case is a table look-up and four register stores, without a stack frame. */
enum exit_action exit_cpuid(struct vcpu *v)
{
    const struct cpuid_leaf *r = cpuid_table_answer(&table, (uint32_t)v->regs.rax);
    if (__builtin_expect(r == NULL, 0))
        return exit_cpuid_computed(v);
    v->regs.rax = r->eax; /* zero-extended, as above */
    v->regs.rbx = r->ebx;
    v->regs.rcx = r->ecx;
    v->regs.rdx = r->edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
