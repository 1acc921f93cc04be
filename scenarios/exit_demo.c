/*
 * scenarios/exit_demo.c - what the VMM says when things go wrong (book chapter 5).
 *  unhandled:  RDTSC is made to exit ("RDTSC exiting", SDM 26.1.3) but exit reason 16 has no
 *              handler (the hypervisor never asks for it): the VMM reports the reason by name,
 *              the qualification, the guest RIP and a VMCS dump, stops that guest, and the
 *              system goes on.
 *  entry-fail: three guests whose VM entry fails (book example 5-1): one with RFLAGS bit 1
 *              clear (invalid guest state: exit reason 33 with bit 31 set, SDM 27.3.1.4), one
 *              whose VM-entry MSR-load list loads IA32_FS_BASE (exit reason 34, SDM 27.4), one
 *              with a CR3-target count above 4 (VMfailValid, VM-instruction error 7, SDM
 *              27.2.1.1); each failure is decoded, the VM-entry checker names the rule it
 *              breaks next to the CPU's answer (vmx/entry_explain.h), and the VMCS is dumped.
 */
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/x86.h"
#include "vmx/entry_explain.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_names.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_tiny_main(void);

static void rdtsc_exiting(void)
{
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
               vmcs_read(CPU_BASED_VM_EXEC_CONTROL) | PROC_BASED_RDTSC_EXITING);
}

static bool run_unhandled(void)
{
    static struct vcpu v;
    struct builtin_opts o = {.tweak = rdtsc_exiting};
    if (builtin_guest_run(&v, "tiny", guest_tiny_main, &o))
        return false;
    bool ok =
        (v.exit_reason & 0xffff) == VM_EXIT_REASON_RDTSC && v.exit_status == VCPU_STOP_UNHANDLED;
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

static void load_fs_base_msr(void)
{
    /* a VM-entry MSR-load list whose one entry loads IA32_FS_BASE, which the list may not
     * (SDM 27.4): the guest state is loaded, then the entry fails with exit reason 34 and the
     * number of the entry, 1, as qualification (SDM 27.8) */
    uint64_t list = mem_alloc_pages(1);
    uint64_t *e = phys_to_virt(list);
    e[0] = MSR_FS_BASE; /* bits 31:0 index, 63:32 reserved (SDM 25.8.2, table 25-15) */
    e[1] = 0;           /* the value */
    vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, list);
    vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, list ? 1 : 0);
}

static void too_many_cr3_targets(void)
{
    vmcs_write(CR3_TARGET_COUNT, 5); /* at most 4 on every CPU so far (SDM 27.2.1.1, A.6) */
}

/* The checker (vmx/entry_explain.h) ran on the failed entry, named rule, agreed with the CPU. */
static bool checker_named(enum entry_rule rule)
{
    struct vmx_entry_explained x;
    vmx_entry_last(&x);
    return x.valid && x.failed && x.first == rule && x.how == ENTRY_AGREE;
}

static bool run_entry_fail(void)
{
    static struct vcpu a, b, c;
    struct builtin_opts bad_state = {.tweak = clear_rflags_bit1};
    struct builtin_opts bad_msr = {.tweak = load_fs_base_msr};
    struct builtin_opts bad_ctl = {.tweak = too_many_cr3_targets};
    bool state_ok, msr_ok, ctl_ok;
    if (builtin_guest_run(&a, "badstate", guest_tiny_main, &bad_state))
        return false;
    state_ok =
        (a.exit_reason & 0x8000ffffu) == (0x80000000u | VM_EXIT_REASON_INVALID_GUEST_STATE) &&
        checker_named(ENTRY_RULE_G_RFLAGS_BIT1);
    if (builtin_guest_run(&b, "badmsr", guest_tiny_main, &bad_msr))
        return false;
    msr_ok = (b.exit_reason & 0x8000ffffu) == (0x80000000u | VM_EXIT_REASON_MSR_LOAD_FAIL) &&
             checker_named(ENTRY_RULE_M_FS_GS_BASE);
    if (builtin_guest_run(&c, "badctl", guest_tiny_main, &bad_ctl))
        return false;
    ctl_ok = c.exits == 0 && c.exit_status == VCPU_STOP_ENTRY_FAILED &&
             checker_named(ENTRY_RULE_C_CR3_COUNT);
    kprintf("entry-fail: invalid guest state %s; MSR loading %s; invalid control field %s\n",
            state_ok ? "reported as exit reason 33, rule guest.rflags.bit1" : "NOT seen",
            msr_ok ? "reported as exit reason 34, rule msr_load.fs_gs_base" : "NOT seen",
            ctl_ok ? "reported as VMfailValid 7, rule ctl.cr3_target_count.max" : "NOT seen");
    return state_ok && msr_ok && ctl_ok;
}

const struct scenario scenario_entry_fail = {
    .name = "entry-fail",
    .book = "5-1",
    .summary = "failed VM entries, each named by the VM-entry checker: invalid guest state (exit "
               "33), MSR loading (exit 34), a bad control (VMfailValid 7)",
    .run = run_entry_fail,
    .needs_vmx = true,
};
