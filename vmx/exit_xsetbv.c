/* vmx/exit_xsetbv.c - XSETBV (exit 55; it exits unconditionally, SDM 26.1.2): the guest's
 * XCR0, checked before the host writes it. */
#include "platform/cpu.h"
#include "vmx/cpuid_policy.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

/* XSETBV: only XCR0 (ECX = 0), with the rules of SDM vol. 1 13.3, and only bits the guest is
 * offered (vmx/cpuid_policy.h), which the host's XSAVE area for the vCPU covers; checked
 * before the host executes XSETBV with the value, so a bad value is the guest's #GP, never
 * the host's. XSETBV needs CPL 0 (SDM vol. 2C XSETBV). */
enum exit_action exit_xsetbv(struct vcpu *v)
{
    uint64_t value = ((v->regs.rdx & 0xffffffff) << 32) | (uint32_t)v->regs.rax;
    bool ok = (uint32_t)v->regs.rcx == 0 && ((vmcs_read(GUEST_SS_AR_BYTES) & AR_DPL_MASK) == 0) &&
              xcr0_valid(value, vcpu_xcr0_allowed());
    if (!ok) {
        vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return EXIT_RESUME;
    }
    xsetbv(0, value);
    vcpu_state_set_xcr0(v, value);
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
