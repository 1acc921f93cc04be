/* scenarios/vmxon.c - book example 3-1: every CPU enters VMX root operation (VMXON), makes
 * its own VMCS current (VMCLEAR + VMPTRLD, checked with VMPTRST), and leaves again (VMXOFF). */
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "scenarios/scenario.h"

static volatile int ok[MAX_CPUS];

static void load_vmcs(void *arg)
{
    (void)arg;
    struct vmx_cpu *v = vmx_this_cpu();
    uint64_t current = 0;
    if (!v || !v->on)
        return;
    *(volatile uint32_t *)phys_to_virt(v->vmcs_phys) = vmx.caps.revision_id;
    if (vmclear(v->vmcs_phys) != VMX_OK || vmptrld(v->vmcs_phys) != VMX_OK ||
        vmptrst(&current) != VMX_OK || current != v->vmcs_phys) {
        pr_err("vmxon: CPU %u: VMCLEAR/VMPTRLD/VMPTRST failed\n", this_cpu_id());
        return;
    }
    /* VMREAD of a field of the fresh VMCS: the launch state is clear, fields read as set. */
    kprintf("vmxon: CPU %u: VMCS 0x%lx current (VMPTRST agrees), revision 0x%x\n", this_cpu_id(),
            current, vmx.caps.revision_id);
    ok[this_cpu_id()] = 1;
}

static bool run(void)
{
    if (!vmx.usable)
        return false;
    uint32_t online = smp_online_count();
    uint32_t on = vmx_enable_all();
    xcall_run_all(load_vmcs, NULL);
    uint32_t loaded = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        loaded += ok[i];
    vmx_disable_all();
    uint32_t still_on = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        if (cpus[i].vmx && ((struct vmx_cpu *)cpus[i].vmx)->on)
            still_on++;
    kprintf("vmxon: %u CPUs online, %u entered VMX operation, %u loaded a VMCS, %u still in "
            "VMX operation after VMXOFF\n",
            online, on, loaded, still_on);
    return on == online && loaded == online && still_on == 0;
}

const struct scenario scenario_vmxon = {
    .name = "vmxon",
    .book = "3-1",
    .summary = "VMXON and a current VMCS on every CPU, then VMXOFF",
    .run = run,
    .needs_vmx = true,
};
