/*
 * scenarios/int_realmode.c - the book's example 7-4: INT n of a real-mode guest intercepted
 * and its delivery completed by the hypervisor (vmx/exit_rm_int.c): the VMs of vm= with
 * rmint=on (the system test gives the rmint test guest) run with IDTR limit 0 in their VMCS and
 * #GP intercepted; each INT n, INT3, exception and external interrupt they take exits, and the
 * hypervisor reads the IVT entry against the guest's own IDTR limit (#GP, #DF beyond it),
 * pushes FLAGS, CS and IP and enters the handler (SDM 20.1.4; SDM vol. 2A INT n). PASS when
 * the VMs pass and at least one delivery was the hypervisor's.
 */
#include "platform/console.h"
#include "scenarios/scenario.h"
#include "scenarios/vms.h"
#include "vmx/vcpu.h"

static bool run(void)
{
    bool vms_ok = vms_run_described();
    uint64_t n = vcpu_rm_int_delivered();
    kprintf("int-realmode: %lu interrupt(s) and exception(s) delivered by the hypervisor\n", n);
    if (!n)
        scenario_fail_reason("no real-mode delivery by the hypervisor (give a VM rmint=on)");
    return vms_ok && n > 0;
}

const struct scenario scenario_int_realmode = {
    .name = "int-realmode",
    .book = "7-4",
    .summary = "INT n of a real-mode guest (rmint=on) delivered by the hypervisor: IVT, limit, #GP",
    .run = run,
    .needs_vmx = true,
};
