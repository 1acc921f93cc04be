/*
 * scenarios/vmx_abort.c - a VMX abort (SDM 28.7), seen from another CPU.
 *
 * A problem the CPU meets while it completes a VM exit (saving guest MSRs, loading host state
 * or host MSRs) cannot be reported as an exit: it writes a nonzero VMX-abort indicator into
 * the 32 bits at offset 4 of the VMCS region (SDM 25.2) and enters the shutdown state. The
 * hypervisor on that CPU never runs again, so another CPU has to look. Here CPU 1 runs the
 * tiny built-in guest with a VM-exit MSR-load list that loads IA32_FS_BASE, which the CPU
 * refuses when loading host MSRs (SDM 28.6); the guest's first exit aborts. CPU 0 polls the
 * indicator in CPU 1's VMCS region, reports it and marks CPU 1 as failed, so nothing waits
 * for it at power-off. The VM entry itself succeeds: the exit MSR-load list's contents are
 * checked only at the exit (SDM 27.2.1.2 checks its address alone).
 *
 * Bochs writes 3 for this abort, where SDM 28.7 gives 4 ("there was a failure on loading host
 * MSRs"): its VMABORT_LOADING_HOST_MSRS counts from 0 (bochs/cpu/vmx.h, VMX_vmabort_code).
 * The scenario accepts either and says which.
 */
#include "platform/console.h"
#include "platform/lapic.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "platform/cpu.h"
#include "platform/x86.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_names.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_tiny_main(void);

#define ABORT_CPU        1
#define ABORT_WAIT_MS    5000
#define SDM_HOST_MSR     4 /* SDM 28.7: failure on loading host MSRs */
#define BOCHS_HOST_MSR   3 /* what Bochs writes for it */
#define VMCS_ABORT_FIELD 4 /* byte offset in the VMCS region (SDM 25.2) */

static struct vcpu victim;
static uint64_t exit_list;     /* the VM-exit MSR-load list: one entry */
static volatile bool returned; /* the guest run came back: no abort happened */

static void exit_loads_fs_base(void)
{
    uint64_t *e = phys_to_virt(exit_list);
    e[0] = MSR_FS_BASE; /* bits 31:0 the index, 63:32 reserved (SDM 25.8.2, table 25-15) */
    e[1] = 0;           /* the value */
    vmcs_write(VM_EXIT_MSR_LOAD_ADDR, exit_list);
    vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 1);
}

static void run_on_ap(void *arg)
{
    (void)arg;
    struct builtin_opts o = {.tweak = exit_loads_fs_base};
    builtin_guest_run(&victim, "aborter", guest_tiny_main, &o);
    returned = true;
}

static bool run(void)
{
    if (smp_online_count() <= ABORT_CPU) {
        kprintf("vmx-abort: needs a second CPU (cpus=2)\n");
        return false;
    }
    exit_list = mem_alloc_pages(1);
    if (!exit_list || xcall_post(ABORT_CPU, run_on_ap, NULL))
        return false;
    uint64_t start = rdtsc(), limit = ABORT_WAIT_MS * tsc_per_ms();
    uint32_t indicator = 0;
    while (!returned && rdtsc() - start < limit) {
        uint64_t vmcs = __atomic_load_n(&victim.vmcs_phys, __ATOMIC_ACQUIRE);
        if (vmcs) {
            const volatile uint32_t *field =
                (const volatile uint32_t *)((uint8_t *)phys_to_virt(vmcs) + VMCS_ABORT_FIELD);
            indicator = *field;
            if (indicator)
                break;
        }
        cpu_relax();
    }
    if (!indicator) {
        kprintf("vmx-abort: no VMX-abort indicator from CPU %u (%s)\n", ABORT_CPU,
                returned ? "its guest came back" : "timeout");
        return false;
    }
    cpus[ABORT_CPU].state = CPU_FAILED; /* in the shutdown state: no cross-CPU calls to it */
    kprintf("vmx-abort: CPU %u: VMX abort, indicator %u at offset 4 of VMCS 0x%lx; the CPU is in "
            "the shutdown state\n",
            ABORT_CPU, indicator, victim.vmcs_phys);
    if (indicator == BOCHS_HOST_MSR)
        kprintf("vmx-abort: %u is Bochs's indicator for a failed host-MSR load (its codes count "
                "from 0); SDM 28.7 says %u (%s) and reads %u as: %s\n",
                indicator, SDM_HOST_MSR, vmx_abort_indicator_name(SDM_HOST_MSR), indicator,
                vmx_abort_indicator_name(indicator));
    else
        kprintf("vmx-abort: indicator %u, SDM 28.7: %s\n", indicator,
                vmx_abort_indicator_name(indicator) ? vmx_abort_indicator_name(indicator)
                                                    : "undefined");
    return indicator == SDM_HOST_MSR || indicator == BOCHS_HOST_MSR;
}

const struct scenario scenario_vmx_abort = {
    .name = "vmx-abort",
    .book = "",
    .summary = "a VM exit that cannot load host MSRs: VMX abort, its indicator read from another "
               "CPU (SDM 28.7)",
    .run = run,
    .needs_vmx = true,
};
