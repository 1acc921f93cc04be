/*
 * vmx/exit_task_switch.c - task-switch exits (reason 9). VMX non-root operation makes no task
 * switch: CALL, JMP and IRET to another task, and events through a task gate in the IDT, exit
 * after the CPU checked the gate and the new TSS descriptor (SDM 26.4.2). This file decodes
 * the exit - the qualification (SDM 28.2.1 table 28-2), the event being delivered through the
 * gate (IDT-vectoring information, 28.2.4) and the instruction length (28.2.5) - and hands it
 * to the VM layer (vcpu_ops.task_switch, vm/vm_task_switch.c), which makes the switch.
 */
#include "vmx/exit.h"
#include "vmx/vmcs.h"

enum exit_action exit_task_switch(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    uint32_t idt = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    v->exit_qualification = q;
    struct vcpu_task_switch ts = {
        .selector = (uint16_t)q,
        .source = (unsigned)(q >> 30) & 3,
        .saved_rip = v->guest_rip,
    };
    if (ts.source == 3 && (idt & INTR_INFO_VALID)) {
        /* The event that reached the task gate is delivered by the switch itself: it is not
         * injected again. */
        unsigned type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
        switch (type) {
        case EVENT_SOFTWARE_INTERRUPT:
        case EVENT_PRIV_SOFTWARE_EXCEPTION:
        case EVENT_SOFTWARE_EXCEPTION:
            /* INT n, INT1, INT3, INTO: the old task resumes after the instruction (the
             * exit's instruction length, SDM 28.2.5). */
            ts.saved_rip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
            break;
        case EVENT_HARDWARE_EXCEPTION:
            ts.ext = true;
            ts.exception = true;
            if (idt & INTR_INFO_ERROR_CODE) {
                ts.has_error = true;
                ts.error = (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE);
            }
            break;
        case EVENT_NMI:
            ts.nmi = true;
            ts.ext = true;
            break;
        default: /* an external interrupt */
            ts.ext = true;
            break;
        }
    } else {
        /* CALL, JMP, IRET: the old task resumes after the instruction. Nothing was being
         * delivered; should the field say otherwise, that event is injected again. */
        vcpu_record_vectoring(v);
        if (ts.source != 3)
            ts.saved_rip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
    }
    if (v->ops && v->ops->task_switch)
        return v->ops->task_switch(v, &ts);
    return vcpu_stop(v, VCPU_STOP_UNHANDLED, "task switch (selector 0x%x) at RIP 0x%lx",
                     ts.selector, v->guest_rip);
}
