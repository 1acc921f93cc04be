/*
 * vmx/exit_exception.c - exception exits (reason 0) and their reflection to the guest (book
 * example 7-1). The VM's exception bitmap (exceptions=, SDM 25.6.3) selects the exceptions
 * that exit instead of being delivered; a #PF exits when its error code matches pfmatch under
 * pfmask and bit 14 is set, or does not match and bit 14 is clear (SDM 26.2). Each one is
 * given back to the guest as the CPU would have delivered it: the event whose delivery it
 * interrupted (IDT-vectoring information, SDM 28.2.4) first, the pair combined into #DF or a
 * triple fault by the rules of SDM 6.15 table 6-5 (vmx/event.c), CR2 written for a #PF before
 * the entry (a #PF that exits leaves CR2 alone, SDM 28.1), injected at the next entry (SDM
 * 27.6.1). A real-mode #GP of a VM with rmint=on goes to vmx/exit_rm_int.c (example 7-4).
 */
#include "platform/console.h"
#include "platform/fmt.h"
#include "platform/x86.h"
#include "vmx/event.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vcpu_state.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"

#define EXC_SHOWN 32 /* reflections printed per vCPU */

static uint64_t reflected; /* by all vCPUs, for the scenario's verdict */

uint64_t vcpu_exceptions_reflected(void)
{
    return __atomic_load_n(&reflected, __ATOMIC_RELAXED);
}

static const char *exc_name(uint8_t vector)
{
    const char *n = vmcs_exception_name(vector);
    return n ? n : "#?";
}

/* "#PF(0x2)" or "#UD" into buf. */
static const char *exc_event(char *buf, size_t n, uint8_t vector, bool has_error, uint32_t error)
{
    if (has_error)
        fmt_snprintf(buf, n, "%s(0x%x)", exc_name(vector), error);
    else
        fmt_snprintf(buf, n, "%s", exc_name(vector));
    return buf;
}

/* One line per reflection while the VM asked for interception (exceptions=): what exited,
 * CR2 for a #PF, the event it interrupted, what the guest gets. */
static void exc_log(struct vcpu *v, uint32_t info, uint32_t error, uint32_t idt, uint32_t idt_err)
{
    char got[24], during[64] = "", result[32];
    uint8_t vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
    if (!v->exc.bitmap || v->exc.shown >= EXC_SHOWN)
        return;
    v->exc.shown++;
    exc_event(got, sizeof(got), vector, info & INTR_INFO_ERROR_CODE, error);
    if (idt & INTR_INFO_VALID) {
        char first[24];
        uint8_t type = (uint8_t)((idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT);
        if (type == EVENT_HARDWARE_EXCEPTION)
            exc_event(first, sizeof(first), (uint8_t)(idt & 0xff), idt & INTR_INFO_ERROR_CODE,
                      idt_err);
        else
            fmt_snprintf(first, sizeof(first), "event type %u vector 0x%x", type, idt & 0xff);
        fmt_snprintf(during, sizeof(during), " during delivery of %s (IDT-vectoring)", first);
    }
    const struct vcpu_events *e = &v->events;
    if (e->triple_fault)
        fmt_snprintf(result, sizeof(result), "a triple fault");
    else if (e->exception.valid)
        exc_event(result, sizeof(result), e->exception.vector, e->exception.has_error,
                  e->exception.error);
    else
        fmt_snprintf(result, sizeof(result), "nothing");
    if (vector == X86_EXC_PF)
        pr_info("vm %s: exception %s CR2 0x%lx at RIP 0x%lx%s: reflected as %s\n", v->name, got,
                vmcs_read(VM_EXIT_QUALIFICATION), v->guest_rip, during, result);
    else
        pr_info("vm %s: exception %s at RIP 0x%lx%s: reflected as %s\n", v->name, got, v->guest_rip,
                during, result);
}

enum exit_action exit_exception(struct vcpu *v)
{
    uint32_t info = (uint32_t)vmcs_read(VM_EXIT_INTR_INFO);
    uint8_t vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
    /* An NMI with NMI exiting is the host's (SDM 26.2): a kick, never the guest's */
    if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == EVENT_NMI)
        return vcpu_nmi_exit(v);
    if (vcpu_rm_int_owns(v, vector))
        return exit_rm_int_gp(v);
    uint32_t idt = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    uint32_t idt_err =
        (idt & INTR_INFO_ERROR_CODE) ? (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE) : 0;
    uint32_t error =
        (info & INTR_INFO_ERROR_CODE) ? (uint32_t)vmcs_read(VM_EXIT_INTR_ERROR_CODE) : 0;
    /* Reflect it (SDM 27.6): the event it interrupted first, then the exception. */
    vcpu_record_vectoring(v);
    __atomic_add_fetch(&reflected, 1, __ATOMIC_RELAXED);
    if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == EVENT_SOFTWARE_EXCEPTION) {
        /* INT3 or INTO: delivered again as the software exception it was, with the
         * instruction's length, so the guest's handler returns past it (SDM 25.9.2 and
         * 27.6.1.1; bit 12 of the exit's field is not part of an injection) */
        event_record_vectoring(&v->events, info & ~(1u << 12), 0,
                               (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN));
        v->attention = true;
        if (v->exc.bitmap && v->exc.shown < EXC_SHOWN) {
            v->exc.shown++;
            pr_info("vm %s: exception %s at RIP 0x%lx: reflected as %s\n", v->name,
                    exc_name(vector), v->guest_rip, exc_name(vector));
        }
        return EXIT_RESUME;
    }
    if (vector == X86_EXC_PF) /* SDM 28.1: the exit left CR2 alone; the guest's is written */
        vcpu_set_cr2(v, vmcs_read(VM_EXIT_QUALIFICATION));
    vcpu_inject_exception(v, vector, info & INTR_INFO_ERROR_CODE, error);
    exc_log(v, info, error, idt, idt_err);
    return EXIT_RESUME;
}
