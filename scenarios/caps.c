/* scenarios/caps.c - book example 2-1: every VMX capability MSR, read only when it exists,
 * printed raw (`VMXMSR <name> 0x<msr> = 0x<value>`, the input of tools/vmxcap and of the unit
 * test fixtures) and decoded into named features. */
#include "platform/console.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "scenarios/scenario.h"

static void emit(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("%s\n", line);
}

static bool run(void)
{
    if (!vmx.cpu_has_vmx || vmx.firmware_locked_off) {
        kprintf("caps: no VMX capability MSRs to read on this CPU\n");
        return false;
    }
    console_lock();
    for (uint32_t msr = IA32_VMX_BASIC; msr <= IA32_VMX_EXIT_CTLS2; msr++) {
        uint64_t v;
        if (vmx_msr_get(&vmx.msr, msr, &v))
            kprintf("VMXMSR %s 0x%x = 0x%016lx\n", vmx_msr_name(msr), msr, v);
    }
    vmx_caps_report(&vmx.msr, emit, NULL);
    console_unlock();
    return vmx.caps.revision_id != 0;
}

const struct scenario scenario_caps = {
    .name = "caps",
    .book = "2-1",
    .summary = "VMX capability report: every capability MSR decoded into named features",
    .run = run,
};
