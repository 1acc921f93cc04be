/*
 * scenarios/guest_basic.c - the first guest (book chapter 5): a 64-bit guest that exercises
 * CPUID, RDMSR/WRMSR, port I/O, CR access, HLT, VMCALL, INVD/WBINVD, XSETBV and a VMX
 * instruction, then triple-faults. Its console (port 0xE9) is printed with a prefix.
 * PASS when the guest reports all its checks passed, the VMM saw the triple fault, and every
 * exit reason the guest provokes was counted (XSETBV only on a CPU with XSAVE).
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/config.h"
#include "platform/percpu.h"
#include "platform/smp.h"
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

/* CPUID.1:ECX.XSAVE (SDM vol. 2A CPUID, table 3-10). Without it the guest's XSETBV raises #UD
 * before any VM exit (SDM vol. 2C XSETBV, SDM 26.1.1), so no XSETBV exit is expected. */
#define CPUID_1_ECX_XSAVE (1u << 26)

static bool exit_expected(uint32_t reason)
{
    return reason != VM_EXIT_REASON_XSETBV || (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE);
}

static struct vcpu guests[MAX_CPUS];
static volatile int ran[MAX_CPUS];

static void run_here(void *arg)
{
    (void)arg;
    static const char *const names[] = {"guest0", "guest1", "guest2", "guest3",
                                        "guest4", "guest5", "guest6", "guest7"};
    uint32_t me = this_cpu_id();
    ran[me] = !builtin_guest_run(&guests[me], me < 8 ? names[me] : "guest", guest_basic_main, NULL);
}

static bool check_cpu(uint32_t cpu)
{
    struct vmx_cpu *c = cpus[cpu].vmx;
    struct vcpu *v = &guests[cpu];
    bool ok = ran[cpu] && c;
    for (size_t i = 0; ok && i < sizeof(expected_exits) / sizeof(expected_exits[0]); i++) {
        if (exit_expected(expected_exits[i]) && !c->exits.count[expected_exits[i]]) {
            kprintf("guest-basic: CPU %u: no %s exit was counted\n", cpu,
                    vmx_exit_reason_name(expected_exits[i]));
            ok = false;
        }
    }
    bool triple = (v->exit_reason & 0xffff) == VM_EXIT_REASON_TRIPLE_FAULT;
    kprintf("guest-basic: %s on CPU %u stopped by %s\n", v->name ? v->name : "guest", cpu,
            triple ? "a triple fault" : v->stop_reason);
    return ok && triple;
}

static bool run(void)
{
    bool ok = true;
    if (config.allcpus)
        xcall_run_all(run_here, NULL);
    else
        run_here(NULL);
    for (uint32_t i = 0; i < cpu_count; i++)
        if (cpus[i].state == CPU_ONLINE && (i == 0 || config.allcpus))
            ok &= check_cpu(i);
    return ok;
}

const struct scenario scenario_guest_basic = {
    .name = "guest-basic",
    .book = "5",
    .summary = "a 64-bit guest: CPUID, MSRs, I/O, CRs, HLT, VMCALL, XSETBV, #UD, triple fault",
    .run = run,
    .needs_vmx = true,
};
