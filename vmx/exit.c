/* vmx/exit.c - the exit table: basic exit reason -> handler (SDM appendix C). */
#include "platform/console.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_names.h"

const exit_handler_fn exit_table[VM_EXIT_REASONS] = {
    [VM_EXIT_REASON_EXCEPTION_NMI] = exit_exception,
    [VM_EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
    [VM_EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
    [VM_EXIT_REASON_INTERRUPT_WINDOW] = exit_event_window,
    [VM_EXIT_REASON_NMI_WINDOW] = exit_event_window,
    [VM_EXIT_REASON_TASK_SWITCH] = exit_task_switch,
    [VM_EXIT_REASON_CPUID] = exit_cpuid,
    [VM_EXIT_REASON_GETSEC] = exit_vmx_instruction,
    [VM_EXIT_REASON_HLT] = exit_hlt,
    [VM_EXIT_REASON_RDPMC] = exit_rdpmc,
    [VM_EXIT_REASON_MWAIT] = exit_monitor_mwait,
    [VM_EXIT_REASON_MONITOR_TRAP_FLAG] = exit_mtf,
    [VM_EXIT_REASON_MONITOR] = exit_monitor_mwait,
    [VM_EXIT_REASON_INVD] = exit_invd,
    [VM_EXIT_REASON_VMCALL] = exit_vmcall,
    [VM_EXIT_REASON_VMCLEAR] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMLAUNCH] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMPTRLD] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMPTRST] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMREAD] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMRESUME] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMWRITE] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMXOFF] = exit_vmx_instruction,
    [VM_EXIT_REASON_VMXON] = exit_vmx_instruction,
    [VM_EXIT_REASON_CR_ACCESS] = exit_cr_access,
    [VM_EXIT_REASON_IO_INSTRUCTION] = exit_io,
    [VM_EXIT_REASON_RDMSR] = exit_rdmsr,
    [VM_EXIT_REASON_WRMSR] = exit_wrmsr,
    [VM_EXIT_REASON_INVALID_GUEST_STATE] = exit_entry_failure,
    [VM_EXIT_REASON_MSR_LOAD_FAIL] = exit_entry_failure,
    [VM_EXIT_REASON_MCE_DURING_ENTRY] = exit_entry_failure,
    [VM_EXIT_REASON_INVEPT] = exit_vmx_instruction,
    [VM_EXIT_REASON_INVVPID] = exit_vmx_instruction,
    [VM_EXIT_REASON_WBINVD] = exit_wbinvd,
    [VM_EXIT_REASON_XSETBV] = exit_xsetbv,
    [VM_EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
    [VM_EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
    [VM_EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
    [VM_EXIT_REASON_VMFUNC] = exit_vmfunc,
    [VM_EXIT_REASON_TPR_BELOW_THRESHOLD] = exit_tpr_below_threshold,
    [VM_EXIT_REASON_APIC_ACCESS] = exit_apic_access,
    [VM_EXIT_REASON_VIRTUALIZED_EOI] = exit_virtualized_eoi,
    [VM_EXIT_REASON_APIC_WRITE] = exit_apic_write,
};

exit_handler_fn exit_handler_for(uint32_t basic_reason)
{
    return basic_reason < VM_EXIT_REASONS ? exit_table[basic_reason] : NULL;
}

static enum exit_action exit_unhandled(struct vcpu *v, uint32_t basic)
{
    const char *name = vmx_exit_reason_name(basic);
    v->exit_qualification = vmcs_read(VM_EXIT_QUALIFICATION);
    console_lock();
    kprintf("vmx: %s: VM exit %u (%s) has no handler: qualification 0x%lx, guest RIP 0x%lx\n",
            v->name, basic, name ? name : "unknown reason", v->exit_qualification, v->guest_rip);
    vmcs_dump_current();
    console_unlock();
    return vcpu_stop(v, VCPU_STOP_UNHANDLED, "unhandled VM exit %u (%s) at RIP 0x%lx", basic,
                     name ? name : "unknown", v->guest_rip);
}

enum exit_action exit_dispatch(struct vcpu *v, uint32_t basic)
{
    /* SDM 28.2.1: bit 31 set means the VM entry failed (reasons 33, 34, 41). */
    if (__builtin_expect(v->exit_reason & (1u << 31), 0))
        return exit_entry_failure(v);
    exit_handler_fn fn = exit_handler_for(basic);
    if (__builtin_expect(!fn, 0))
        return exit_unhandled(v, basic);
    return fn(v);
}
