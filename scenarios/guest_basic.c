/*
 * scenarios/guest_basic.c - the first guest (book chapter 5): a 64-bit guest that exercises
 * CPUID, RDMSR/WRMSR, port I/O, CR access, HLT, VMCALL, INVD/WBINVD, XSETBV and a VMX
 * instruction, then triple-faults. Its console (port 0xE9) is printed with a prefix.
 * PASS when the guest reports all its checks passed, the VMM saw the triple fault, and every
 * exit reason the guest provokes was counted.
 */
#include "platform/console.h"
#include "platform/percpu.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_names.h"
#include "scenarios/scenario.h"
#include "scenarios/builtin_guest.h"

void guest_basic_main(void);

static const uint32_t expected_exits[] = {
    VM_EXIT_REASON_CPUID,          VM_EXIT_REASON_RDMSR,        VM_EXIT_REASON_WRMSR,
    VM_EXIT_REASON_IO_INSTRUCTION, VM_EXIT_REASON_CR_ACCESS,    VM_EXIT_REASON_HLT,
    VM_EXIT_REASON_VMCALL,         VM_EXIT_REASON_INVD,         VM_EXIT_REASON_XSETBV,
    VM_EXIT_REASON_VMXON,          VM_EXIT_REASON_TRIPLE_FAULT,
};

static bool run(void)
{
    static struct vcpu v;
    if (builtin_guest_run(&v, "guest0", guest_basic_main))
        return false;

    struct vmx_cpu *c = vmx_this_cpu();
    bool all_seen = true;
    for (size_t i = 0; i < sizeof(expected_exits) / sizeof(expected_exits[0]); i++) {
        if (!c->exits[expected_exits[i]].count) {
            kprintf("guest-basic: no %s exit was counted\n",
                    vmx_exit_reason_name(expected_exits[i]));
            all_seen = false;
        }
    }
    vmx_print_exit_stats(this_cpu_id());
    bool triple = (v.exit_reason & 0xffff) == VM_EXIT_REASON_TRIPLE_FAULT;
    kprintf("guest-basic: guest stopped by %s\n", triple ? "a triple fault" : v.stop_reason);
    return triple && all_seen;
}

const struct scenario scenario_guest_basic = {
    .name = "guest-basic",
    .book = "5",
    .summary = "a 64-bit guest: CPUID, MSRs, I/O, CRs, HLT, VMCALL, XSETBV, #UD, triple fault",
    .run = run,
};
