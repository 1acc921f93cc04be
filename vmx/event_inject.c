/*
 * vmx/event_inject.c - the one place that writes the VM-entry interruption information: before
 * each VM entry, when the vCPU has events pending (or an interrupt source to ask), the guest's
 * blocking state is read from the VMCS, vmx/event.c decides, and the decision is written back
 * (SDM 27.6: event injection; 26.7.5/26.7.6: interrupt- and NMI-window exiting; 27.6.3: an
 * injected event wakes a halted guest). Handlers never write VM_ENTRY_INTR_INFO_FIELD
 * themselves: they call vcpu_inject_exception (which only queues) and return.
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "vmx/event.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    event_queue_exception(&v->events, vector, has_error, error);
    v->attention = true;
}

void vcpu_inject_nmi(struct vcpu *v)
{
    event_queue_nmi(&v->events);
    v->attention = true;
}

void vcpu_record_vectoring(struct vcpu *v)
{
    uint32_t info = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    if (!(info & INTR_INFO_VALID))
        return;
    event_record_vectoring(&v->events, info, (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE),
                           (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN));
    v->attention = true;
}

static void set_proc_control(uint32_t bit, bool on)
{
    uint64_t proc = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);
    if (!!(proc & bit) != on)
        vmcs_write(CPU_BASED_VM_EXEC_CONTROL, on ? proc | bit : proc & ~(uint64_t)bit);
}

enum exit_action vcpu_prepare_entry(struct vcpu *v)
{
    if (__atomic_load_n(&v->reset_request, __ATOMIC_ACQUIRE))
        return EXIT_YIELD; /* an INIT: no entry; the scheduler restarts it (vcpu.h) */
    /* Take the request before looking at what is pending, never after: another CPU that
     * raises an interrupt for this vCPU (vm_kick) sets its line or IRR bit first, then
     * attention, then sends the kick. A kick that comes while this runs leaves attention set
     * for the exit it causes right after the entry; clearing attention at the end instead
     * would drop it, and a vCPU entering the HLT state would sleep through its interrupt.
     * The full barrier keeps the clear ahead of the reads below. */
    __atomic_store_n(&v->attention, false, __ATOMIC_SEQ_CST);
    /* An event already chosen for this entry: a second look before the same entry (a kick came
     * after the first, vmx/vcpu_kick.c; a yield between the look and the entry). A VM exit
     * clears the field's valid bit (SDM 28.2, updating the VM-entry control fields), so only a look
     * since the last exit set it. The event stays; what came since waits for the exit of the
     * interrupt window, which opens when the guest can take another interrupt (SDM 26.7.5).
     * Planning again would replace an interrupt already taken from its controller (intr_ack): it
     * would be lost. */
    if (vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) {
        set_proc_control(PROC_BASED_INTERRUPT_WINDOW_EXITING, true);
        v->windows_open = true;
        v->attention = true;
        return EXIT_RESUME;
    }
    /* VP_HC_INJECT's test line first: a line of its own beside the VM's interrupt
     * controllers, which would otherwise hide it (docs/events.md) */
    bool test_line = v->test_irq >= 0;
    int irq = test_line ? v->test_irq : v->ops && v->ops->intr_peek ? v->ops->intr_peek(v) : -1;
    if (v->apicv.plan.tpr_shadow) /* after the peek brought the devices' time up to now */
        apicv_prepare_entry(v);
    if (!event_pending(&v->events) && irq < 0 && !v->windows_open && !v->halted)
        return EXIT_RESUME;
    struct entry_state s = {
        .rflags = vmcs_read(GUEST_RFLAGS),
        .interruptibility = (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY_INFO),
        .activity = (uint32_t)vmcs_read(GUEST_ACTIVITY_STATE),
        .protected_mode = (vmcs_read(GUEST_CR0) & CR0_PE) != 0,
        .virtual_nmis = (vmcs_read(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS) != 0,
        .pending_interrupt = irq,
    };
    struct entry_plan p;
    event_plan(&v->events, &s, &p);
    if (p.shutdown) /* SDM 6.15: a fault during #DF delivery shuts the processor down */
        return vcpu_stop(v, VCPU_STOP_TRIPLE_FAULT,
                         "triple fault at RIP 0x%lx (exceptions "
                         "merged into one while delivering a double fault)",
                         v->guest_rip);
    if (p.inject) {
        if (p.intr_info & INTR_INFO_ERROR_CODE)
            vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, p.error);
        if (p.insn_len)
            vmcs_write(VM_ENTRY_INSTRUCTION_LEN, p.insn_len);
        if (p.set_rf) /* a fault pushes RF = 1; VM entry does not set it (SDM 18.3.1.1) */
            vmcs_write(GUEST_RFLAGS, s.rflags | RFLAGS_RF);
        if (p.wake)
            vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
        if (p.ack_interrupt && test_line)
            v->test_irq = -1;
        else if (p.ack_interrupt && v->ops && v->ops->intr_ack)
            v->ops->intr_ack(v, irq);
        vmcs_write(VM_ENTRY_INTR_INFO_FIELD, p.intr_info);
        uint32_t type = (p.intr_info >> 8) & 7; /* SDM 25.8.3: 0 external interrupt, 2 NMI */
        if (v->watchdog.period && (type == 0 || type == 2))
            watchdog_progress(&v->watchdog, rdtsc()); /* an interrupt delivered */
    }
    if (v->halted && !p.inject && !p.interrupt_window && !p.nmi_window) {
        /* HLT with nothing to deliver: the guest waits in the HLT activity state, where the
         * preemption timer and the interrupts it is kicked with end the wait (SDM 25.4.2). */
        vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    }
    v->halted = false;
    set_proc_control(PROC_BASED_INTERRUPT_WINDOW_EXITING, p.interrupt_window);
    set_proc_control(PROC_BASED_NMI_WINDOW_EXITING, p.nmi_window);
    v->windows_open = p.interrupt_window || p.nmi_window;
    if (event_pending(&v->events) || v->windows_open)
        v->attention = true; /* set only: a kick's attention stays (above) */
    return EXIT_RESUME;
}

/* Interrupt window (reason 7) and NMI window (reason 8): the guest can now take what waited;
 * the entry that follows injects it (SDM 26.7.5, 26.7.6). */
enum exit_action exit_event_window(struct vcpu *v)
{
    v->attention = true;
    return EXIT_RESUME;
}
