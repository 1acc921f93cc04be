/* vmx/exit_cpuid.c - CPUID virtualisation (SDM 26.1.2: CPUID always exits in non-root mode).
 * The guest sees the host's CPUID with VMX and SMX hidden, the hypervisor-present bit set, and
 * Vanderpool's own leaves at 0x40000000 (the range hypervisors use for their identity). */
#include "platform/cpu.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

#define CPUID_1_ECX_VMX        (1u << 5)
#define CPUID_1_ECX_SMX        (1u << 6)
#define CPUID_1_ECX_OSXSAVE    (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

#define HV_LEAF_BASE 0x40000000u
#define HV_LEAF_LAST 0x40000001u

enum exit_action exit_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_regs r = {0, 0, 0, 0};

    if (leaf == HV_LEAF_BASE) {
        r.eax = HV_LEAF_LAST; /* highest hypervisor leaf; "VanderpoolVM" in EBX ECX EDX */
        r.ebx = 0x646e6156;   /* "Vand" */
        r.ecx = 0x6f707265;   /* "erpo" */
        r.edx = 0x4d566c6f;   /* "olVM" */
    } else if (leaf == HV_LEAF_LAST) {
        r.eax = VP_HC_VERSION_VALUE; /* hypercall interface version */
    } else if (leaf < HV_LEAF_BASE || leaf > 0x400000ffu) {
        r = cpuid(leaf, sub);
        if (leaf == 1) {
            r.ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX); /* no nested VMX, no GETSEC */
            r.ecx |= CPUID_1_ECX_HYPERVISOR;
            /* OSXSAVE mirrors the guest's CR4, not the host's (SDM vol. 2A CPUID). */
            r.ecx &= ~CPUID_1_ECX_OSXSAVE;
            if (vmcs_read(CR4_READ_SHADOW) & CR4_OSXSAVE)
                r.ecx |= CPUID_1_ECX_OSXSAVE;
        }
    }
    v->regs.rax = r.eax;
    v->regs.rbx = r.ebx;
    v->regs.rcx = r.ecx;
    v->regs.rdx = r.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
