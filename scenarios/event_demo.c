/*
 * scenarios/event_demo.c - events as the SDM orders them (book chapters 4 and 5), each shown
 * by a built-in guest (guests/builtin/event_demo.c) that checks from inside what arrived:
 *  pending-dbg (4-1): the pending-debug-exceptions field (SDM 25.4.2) written by the VMM is
 *     delivered as a #DB right after VM entry with those bits in DR6 when BS or the
 *     enabled-breakpoint bit (12) is set, not for B0 alone (SDM 27.7.3), and not when the
 *     entry injects an NMI; TF over an emulated CPUID gives the #DB the
 *     VMM made pending (vcpu_skip_instruction).
 *  mtf (4-2): monitor-trap-flag single-stepping: an MTF VM exit after each instruction
 *     (SDM 26.5.2); when a single-step #DB is due at the same boundary the MTF exit comes
 *     first and the #DB waits in the pending-debug-exceptions field (SDM 26.5.2, 28.3.4); an
 *     injected event with MTF on gives an MTF exit before the handler's first instruction,
 *     the "other event" one before any instruction (SDM 27.7.4).
 *  priority (5-2): an exception and an NMI raised at once: the exception is delivered, the NMI
 *     at the first instruction of its handler (SDM 6.9); LOCK CPUID raises #UD before the
 *     CPUID exit (SDM 26.1.1); TF over CPUID: the VM exit first, the #DB after it.
 */
#include "platform/console.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_msr.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_pending_dbg_main(void);
void guest_mtf_main(void);
void guest_priority_main(void);
extern char guest_isr_stubs[], guest_hypercall4_ret[], guest_mtf_walk_nop1[], guest_mtf_walk_popf[],
    guest_mtf_walk_tfnop[], guest_mtf_walk_after[], guest_mtf_walk_off[];

#define HC_PENDING_DBG 0x120
#define HC_DBG_AND_NMI 0x121
#define HC_MTF_ON      0x122
#define HC_MTF_OFF     0x123
#define HC_MTF_UD      0x124
#define HC_UD_AND_NMI  0x125
#define PDE_BS         DR6_BS /* the same bit in the field: SDM 25.4.2, table 25-4 */

static void set_mtf(bool on)
{
    uint64_t proc = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);
    proc =
        on ? proc | PROC_BASED_MONITOR_TRAP_FLAG : proc & ~(uint64_t)PROC_BASED_MONITOR_TRAP_FLAG;
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
}

static bool demo_hypercall(struct vcpu *v)
{
    uint64_t arg = vcpu_get_gpr(v, 3);
    switch (vcpu_get_gpr(v, 0)) {
    case HC_PENDING_DBG: /* delivered after the entry that resumes the guest (SDM 27.7.3) */
        kprintf("pending-dbg: VMM: pending debug exceptions = 0x%lx at the next entry\n", arg);
        vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, arg);
        break;
    case HC_DBG_AND_NMI: /* a vectoring entry: no pending debug exceptions after it (27.7.3) */
        kprintf("pending-dbg: VMM: pending debug exceptions BS and an injected NMI\n");
        vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, PDE_BS);
        vcpu_inject_nmi(v);
        break;
    case HC_MTF_ON:
    case HC_MTF_OFF:
        set_mtf(vcpu_get_gpr(v, 0) == HC_MTF_ON);
        break;
    case HC_MTF_UD:
        kprintf("mtf: VMM: MTF on and #UD injected at the same entry\n");
        set_mtf(true);
        vcpu_inject_exception(v, 6, false, 0);
        break;
    case HC_UD_AND_NMI:
        kprintf("priority: VMM: #UD and an NMI raised by the same exit\n");
        vcpu_inject_exception(v, 6, false, 0);
        vcpu_inject_nmi(v);
        break;
    default:
        return false;
    }
    vcpu_set_result(v, 0);
    return true;
}

static bool run_pending_dbg(void)
{
    static struct vcpu v;
    struct builtin_opts o = {.hypercall = demo_hypercall};
    if (builtin_guest_run(&v, "pdbg", guest_pending_dbg_main, &o))
        return false;
    return v.exit_status == 0;
}

const struct scenario scenario_pending_dbg = {
    .name = "pending-dbg",
    .book = "4-1",
    .summary = "pending debug exceptions and #DB: the field delivered after VM entry, or not",
    .run = run_pending_dbg,
    .needs_vmx = true,
};

/* Where an MTF exit stopped the guest, by the labels of guest_mtf_walk. */
static const char *mtf_where(uint64_t rip)
{
    static const struct {
        const char *at, *what;
    } labels[] = {
        {guest_mtf_walk_nop1, "after the VMCALL that set MTF (no exit for it)"},
        {guest_mtf_walk_nop1 + 1, "after the 1st NOP"},
        {guest_mtf_walk_nop1 + 2, "after the 2nd NOP"},
        {guest_mtf_walk_popf, "after PUSHF; OR"},
        {guest_mtf_walk_tfnop, "after POPF (TF = 1)"},
        {guest_mtf_walk_after, "after the NOP with TF = 1: a single-step #DB is due too"},
        {guest_mtf_walk_off, "after MOV"},
        {guest_isr_stubs + 16 * 1, "at the #DB handler's first instruction"},
        {guest_isr_stubs + 16 * 6, "at the #UD handler's first instruction"},
        {guest_hypercall4_ret, "right after the VMCALL that injected the other event"},
    };
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if ((uint64_t)labels[i].at == rip)
            return labels[i].what;
    return 0;
}

static unsigned mtf_in_handler; /* MTF exits inside the guest's handlers, not named */
static unsigned mtf_stepped;    /* MTF exits caused by the control (not the injected one) */

/* Each MTF exit: where, and the pending debug exceptions the exit saved (SDM 28.3.4). Inside
 * a handler's C code the guest is stepped on silently; at the #UD handler's first instruction
 * (the injected #UD) MTF is turned off. */
static enum exit_action demo_mtf(struct vcpu *v)
{
    const char *what = mtf_where(v->guest_rip);
    if (!what) {
        if (v->guest_rip >= (uint64_t)guest_isr_stubs + 16 * 32 ||
            v->guest_rip < (uint64_t)guest_isr_stubs)
            mtf_in_handler++;
        return EXIT_RESUME;
    }
    kprintf("mtf: VMM: MTF exit %s, pending debug exceptions 0x%lx\n", what,
            vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS));
    if (v->guest_rip != (uint64_t)guest_hypercall4_ret)
        mtf_stepped++;
    if (v->guest_rip == (uint64_t)guest_isr_stubs + 16 * 6)
        set_mtf(false);
    return EXIT_RESUME;
}

static bool run_mtf(void)
{
    static struct vcpu v;
    if (!vmx_caps_has(&vmx.caps, VMX_FEATURE_MTF)) {
        kprintf("mtf: this CPU has no monitor trap flag (IA32_VMX_PROCBASED_CTLS bit 59 is 0, "
                "SDM A.3.2): nothing to show\n");
        return true;
    }
    struct builtin_opts o = {.hypercall = demo_hypercall, .mtf = demo_mtf};
    mtf_in_handler = mtf_stepped = 0;
    if (builtin_guest_run(&v, "mtf", guest_mtf_main, &o))
        return false;
    kprintf("mtf: %lu MTF exits, %u of them inside the guest's handler code\n", v.mtf_exits,
            mtf_in_handler);
    if (!mtf_stepped) /* Bochs implements the control's MTF exits from its 2022 sources on */
        kprintf("mtf: the CPU says it has MTF but took no MTF exit while the control was set: "
                "only the injected other event gave one (Bochs 2.7 behaves so)\n");
    return v.exit_status == 0 && v.mtf_exits >= 1;
}

const struct scenario scenario_mtf = {
    .name = "mtf",
    .book = "4-2",
    .summary = "monitor-trap-flag single-stepping and its priority over a single-step #DB",
    .run = run_mtf,
    .needs_vmx = true,
};

static bool run_priority(void)
{
    static struct vcpu v;
    struct builtin_opts o = {.hypercall = demo_hypercall};
    if (builtin_guest_run(&v, "prio", guest_priority_main, &o))
        return false;
    return v.exit_status == 0;
}

const struct scenario scenario_priority = {
    .name = "priority",
    .book = "5-2",
    .summary = "priority of exceptions, NMIs and VM exits, seen from inside a guest",
    .run = run_priority,
    .needs_vmx = true,
};
