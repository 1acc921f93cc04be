/* vmx/exit_ept.c - EPT violations and misconfigurations (SDM 29.3.3), the VMX-preemption
 * timer (SDM 26.5.1) and VMFUNC failures (SDM 26.5.6). */
#include "platform/console.h"
#include "platform/fmt.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

/* The timer ran out: a device event is due (the step before the entry injects it), or the
 * time slice is over (vcpu_timer_recharge then gives the CPU to the next vCPU, vm/sched.c). */
enum exit_action exit_preemption_timer(struct vcpu *v)
{
    if (v->device_time)
        v->attention = true;
    else if (v->time_slice) {
        v->timer_exits++;
        return EXIT_YIELD;
    }
    return EXIT_RESUME;
}

/* The qualification (SDM 28.2.1, "Exit Qualification for EPT Violations"): what the access
 * was, what the EPT allowed, and whether a linear address is known. */
static void describe_violation(char *buf, unsigned n, uint64_t q, uint64_t gpa, uint64_t gla)
{
    const char *access = (q & 4) ? "instruction fetch" : (q & 2) ? "write" : "read";
    fmt_snprintf(buf, n,
                 "EPT violation: %s at guest-physical 0x%lx%s%lx (page %s%s%s; "
                 "qualification 0x%lx)",
                 access, gpa, (q & (1u << 7)) ? ", linear 0x" : "", (q & (1u << 7)) ? gla : 0,
                 (q & 0x38) ? "" : "not mapped", (q & 8) ? "readable " : "",
                 (q & 0x30) ? ((q & 0x10) ? "writable " : "executable") : "", q);
}

enum exit_action exit_ept_violation(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
    v->exit_qualification = q;
    if (v->ops && v->ops->ept_violation)
        return v->ops->ept_violation(v, gpa, q);
    char msg[160];
    describe_violation(msg, sizeof(msg), q, gpa,
                       (q & (1u << 7)) ? vmcs_read(GUEST_LINEAR_ADDRESS) : 0);
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

/* VMFUNC with a function or EPTP index the VMM did not enable: #UD, as on a CPU without the
 * function (SDM 26.5.6.3 leaves the response to the VMM). */
enum exit_action exit_vmfunc(struct vcpu *v)
{
    vcpu_inject_exception(v, 6, false, 0);
    return EXIT_RESUME;
}
