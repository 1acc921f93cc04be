/*
 * scenarios/exc_reflect.c - the book's example 7-1: exceptions intercepted and reflected. The
 * VMs of vm= with an exception bitmap (exceptions=, the system test gives the exceptions test
 * guest) exit on those exceptions; the hypervisor prints each (vector, error code, CR2, the
 * event whose delivery it interrupted) and gives it back to the guest as the CPU would have
 * delivered it (vmx/exit_exception.c: SDM 27.6.1 injection, CR2 before the entry, #DF from a
 * contributory pair by SDM 6.15). With eptlazy= one page is kept out of the EPT until its first
 * touch, so an exception whose frame goes there exits during its delivery and is injected again
 * (SDM 28.2.4). PASS when the VMs pass and at least one exception was reflected.
 */
#include "platform/console.h"
#include "scenarios/scenario.h"
#include "scenarios/vms.h"
#include "vmx/vcpu.h"

static bool run(void)
{
    bool vms_ok = vms_run_described();
    uint64_t n = vcpu_exceptions_reflected();
    kprintf("ex7-1: %lu exception exit(s) reflected to the guest\n", n);
    if (!n)
        scenario_fail_reason("no exception intercepted (give a VM exceptions=pf,gp,...)");
    return vms_ok && n > 0;
}

const struct scenario scenario_exc_reflect = {
    .name = "ex7-1",
    .book = "7-1",
    .summary = "exceptions intercepted (exceptions=) and reflected: CR2, #DF, re-injection",
    .run = run,
    .needs_vmx = true,
};
