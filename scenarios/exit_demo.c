/*
 * scenarios/exit_demo.c - what the VMM says when things go wrong (book chapter 5).
 *  unhandled:  #BP is made to exit (exception bitmap) but no handler is registered for exit
 *              reason 0: the VMM reports the reason by name, the qualification, the guest RIP
 *              and a VMCS dump, stops that guest, and the system goes on.
 *  entry-fail: two guests whose VM entry fails: one with RFLAGS bit 1 clear (invalid guest
 *              state: exit reason 33 with bit 31 set, SDM 27.3.1.4), one with a CR3-target
 *              count above 4 (VMfailValid, VM-instruction error 7, SDM 27.2.1.1); each failure
 *              is decoded and the VMCS dumped.
 */
#include "platform/console.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_names.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_tiny_main(void);

static bool run_unhandled(void)
{
    static struct vcpu v;
    struct builtin_opts o = {.exception_bitmap = 1u << 3}; /* #BP */
    if (builtin_guest_run(&v, "tiny", guest_tiny_main, &o))
        return false;
    bool ok = (v.exit_reason & 0xffff) == VM_EXIT_REASON_EXCEPTION_NMI &&
              v.exit_status == VCPU_STOP_UNHANDLED;
    kprintf("unhandled: the guest was stopped (%s); the hypervisor goes on\n", v.stop_reason);
    return ok;
}

const struct scenario scenario_unhandled = {
    .name = "unhandled",
    .book = "5",
    .summary = "an exit with no handler: named, dumped, that guest stopped, the rest goes on",
    .run = run_unhandled,
    .needs_vmx = true,
};

static void clear_rflags_bit1(void)
{
    vmcs_write(GUEST_RFLAGS, 0); /* bit 1 is reserved as 1 (SDM 27.3.1.4) */
}

static void too_many_cr3_targets(void)
{
    vmcs_write(CR3_TARGET_COUNT, 5); /* at most 4 on every CPU so far (SDM 27.2.1.1, A.6) */
}

static bool run_entry_fail(void)
{
    static struct vcpu a, b;
    struct builtin_opts bad_state = {.tweak = clear_rflags_bit1};
    struct builtin_opts bad_ctl = {.tweak = too_many_cr3_targets};
    if (builtin_guest_run(&a, "badstate", guest_tiny_main, &bad_state) ||
        builtin_guest_run(&b, "badctl", guest_tiny_main, &bad_ctl))
        return false;
    bool state_ok =
        (a.exit_reason & 0x8000ffffu) == (0x80000000u | VM_EXIT_REASON_INVALID_GUEST_STATE);
    bool ctl_ok = b.exits == 0 && b.exit_status == VCPU_STOP_ENTRY_FAILED;
    kprintf("entry-fail: invalid guest state %s; invalid control field %s\n",
            state_ok ? "reported as exit reason 33" : "NOT seen",
            ctl_ok ? "reported as VMfailValid" : "NOT seen");
    return state_ok && ctl_ok;
}

const struct scenario scenario_entry_fail = {
    .name = "entry-fail",
    .book = "5",
    .summary = "failed VM entries: invalid guest state (exit 33) and a bad control (VMfailValid)",
    .run = run_entry_fail,
    .needs_vmx = true,
};
