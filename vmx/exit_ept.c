/* vmx/exit_ept.c - EPT violations and misconfigurations (SDM 29.3.3). The qualification of a
 * violation is decoded and worded by vmx/ept_violation.c (pure), for every guest. */
#include "vmx/ept_violation.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

enum exit_action exit_ept_violation(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    v->exit_qualification = q;
    if (v->ops && v->ops->ept_violation)
        return v->ops->ept_violation(v, gpa, q);
    return exit_ept_violation_stop(v, gpa, q);
}

enum exit_action exit_ept_violation_stop(struct vcpu *v, uint64_t gpa, uint64_t q)
{
    struct ept_violation d;
    char msg[200];
    /* the guest linear-address field is valid only with bit 7 set (SDM 28.2.1) */
    uint64_t gla = (q & EPT_VQ_LINEAR_VALID) ? vmcs_read(GUEST_LINEAR_ADDRESS) : 0;
    ept_violation_decode(&d, q, gpa, gla, vmx.caps.ept.advanced_exit_info, false);
    ept_violation_format(&d, msg, sizeof(msg));
    return vcpu_stop(v, VCPU_STOP_MEMORY, "%s at RIP 0x%lx", msg, v->guest_rip);
}

enum exit_action exit_ept_misconfig(struct vcpu *v)
{
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    char why[160] = "no description of the EPT entry";
    if (v->ops && v->ops->explain_misconfig)
        v->ops->explain_misconfig(v, gpa, why, sizeof(why));
    return vcpu_stop(v, VCPU_STOP_MEMORY, "EPT misconfiguration at guest-physical 0x%lx: %s", gpa,
                     why);
}
