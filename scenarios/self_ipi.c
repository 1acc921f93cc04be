/*
 * scenarios/self_ipi.c - the book's example 7-3: self-IPI virtualization. The VMs of vm= (the
 * system tests give the selfipi test guest, one VM sending through the SELF IPI MSR, one
 * through the ICR's self shorthand) run with APIC virtualization as the CPU offers it, or with
 * apicv=off the software local APIC: with virtual-interrupt delivery and virtualize-x2APIC
 * mode, a WRMSR to SELF IPI (0x83f) sets the vector in the virtual IRR and is delivered without
 * a VM exit (SDM 30.5, 30.1.4); an ICR write is a WRMSR exit (the MSR bitmap intercepts it,
 * vmx/apicv_policy.c); apicv=off makes both, and their EOIs, WRMSR exits. The exit statistics per
 * CPU give the counts (the tests pin each VM to a CPU).
 */
#include "scenarios/scenario.h"
#include "scenarios/vms.h"

static bool run(void)
{
    return vms_run_described();
}

const struct scenario scenario_self_ipi = {
    .name = "ex7-3",
    .book = "7-3",
    .summary = "self IPIs through the SELF IPI MSR and the ICR: VM exits with and without APICv",
    .run = run,
    .needs_vmx = true,
};
