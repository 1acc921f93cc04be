/* vmx/event.c - pending events and the injection decision (pure; see event.h). */
#include "vmx/event.h"

#include <string.h>

#include "platform/x86.h"

enum exception_class exception_class(uint8_t vector)
{
    switch (vector) { /* SDM 6.15 table 6-4 */
    case X86_EXC_DE:
    case X86_EXC_TS:
    case X86_EXC_NP:
    case X86_EXC_SS:
    case X86_EXC_GP:
    case X86_EXC_CP:
        return EXC_CONTRIBUTORY;
    case X86_EXC_PF:
    case X86_EXC_VE:
        return EXC_PAGE_FAULT;
    case X86_EXC_DF:
        return EXC_DOUBLE_FAULT;
    default:
        return EXC_BENIGN;
    }
}

bool exception_has_error_code(uint8_t vector)
{
    switch (vector) {
    case X86_EXC_DF:
    case X86_EXC_TS:
    case X86_EXC_NP:
    case X86_EXC_SS:
    case X86_EXC_GP:
    case X86_EXC_PF:
    case X86_EXC_AC:
    case X86_EXC_CP:
        return true;
    default:
        return false;
    }
}

bool exception_is_fault(uint8_t vector)
{
    switch (vector) {
    case X86_EXC_DB: /* a trap unless it is an instruction breakpoint: injected as a trap */
    case X86_EXC_NMI:
    case X86_EXC_BP:
    case X86_EXC_OF:
    case X86_EXC_DF:
    case X86_EXC_MC:
        return false;
    default:
        return vector < 32;
    }
}

static struct event hw_exception(uint8_t vector, bool has_error, uint32_t error)
{
    return (struct event){.valid = true,
                          .type = EVENT_HARDWARE_EXCEPTION,
                          .vector = vector,
                          .has_error = has_error,
                          .error = has_error ? error : 0};
}

void event_queue_exception(struct vcpu_events *e, uint8_t vector, bool has_error, uint32_t error)
{
    /* The first event: a queued exception, or the hardware exception being delivered. */
    const struct event *first = e->exception.valid ? &e->exception
                                : e->reinject.valid && e->reinject.type == EVENT_HARDWARE_EXCEPTION
                                    ? &e->reinject
                                    : NULL;
    struct event next = hw_exception(vector, has_error, error);
    if (first) {
        enum exception_class c1 = exception_class(first->vector), c2 = exception_class(vector);
        if (c1 == EXC_DOUBLE_FAULT && c2 != EXC_BENIGN) {
            e->triple_fault = true; /* SDM 6.15: a fault while delivering #DF: shutdown */
            e->exception.valid = e->reinject.valid = false;
            return;
        }
        if ((c1 == EXC_CONTRIBUTORY && c2 == EXC_CONTRIBUTORY) ||
            (c1 == EXC_PAGE_FAULT && c2 != EXC_BENIGN))
            next = hw_exception(X86_EXC_DF, true, 0); /* SDM 6.15 table 6-5 */
        if (first == &e->reinject)
            e->reinject.valid = false; /* the new (or double) fault is delivered instead */
    }
    e->exception = next;
}

void event_record_vectoring(struct vcpu_events *e, uint32_t info, uint32_t error, uint32_t insn_len)
{
    if (!(info & INTR_INFO_VALID))
        return;
    uint8_t type = (uint8_t)((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT);
    e->reinject = (struct event){
        .valid = true,
        .type = type,
        .vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK),
        .has_error = (info & INTR_INFO_ERROR_CODE) != 0,
        .error = (info & INTR_INFO_ERROR_CODE) ? error : 0,
        /* software events are re-executed from their instruction (SDM 27.6.1.1) */
        .insn_len = (type == EVENT_SOFTWARE_INTERRUPT || type == EVENT_PRIV_SOFTWARE_EXCEPTION ||
                     type == EVENT_SOFTWARE_EXCEPTION)
                        ? insn_len
                        : 0,
    };
}

void event_queue_nmi(struct vcpu_events *e)
{
    e->nmi = true;
}

const char *event_request_check(const struct event_request *r, bool protected_mode, bool mtf)
{
    if (r->vector > 255)
        return "the vector is above 255";
    switch (r->type) {
    case EVENT_EXTERNAL_INTERRUPT:
        return r->vector < 16 ? "external interrupt vectors start at 16" : NULL;
    case EVENT_NMI: /* SDM 27.2.1.3: an NMI has vector 2 */
        return r->vector != X86_EXC_NMI ? "an NMI has vector 2" : NULL;
    case EVENT_HARDWARE_EXCEPTION:
        if (r->vector > 31) /* SDM 27.2.1.3 */
            return "a hardware exception has a vector of 0-31";
        if (r->vector == X86_EXC_NMI)
            return "vector 2 is the NMI, not a hardware exception";
        /* SDM 27.2.1.3: a delivered error code has bits 31:16 clear; it is delivered only in
         * protected mode, for the exceptions that push one. */
        if (protected_mode && exception_has_error_code((uint8_t)r->vector) && r->error > 0xffff)
            return "the error code has bits above 15 set";
        return NULL;
    case EVENT_SOFTWARE_INTERRUPT:
    case EVENT_PRIV_SOFTWARE_EXCEPTION:
    case EVENT_SOFTWARE_EXCEPTION:
        /* SDM 27.2.1.3: the length of the INT n / INT1 / INT3 / INTO is 1-15 (0 only with
         * IA32_VMX_MISC bit 30, not used here) */
        if (r->len < 1 || r->len > 15)
            return "the instruction length is not 1-15";
        if (r->type == EVENT_PRIV_SOFTWARE_EXCEPTION && r->vector != X86_EXC_DB)
            return "a privileged software exception is INT1, vector 1";
        if (r->type == EVENT_SOFTWARE_EXCEPTION && r->vector != X86_EXC_BP &&
            r->vector != X86_EXC_OF)
            return "a software exception is INT3 or INTO, vector 3 or 4";
        return NULL;
    case EVENT_OTHER: /* SDM 27.2.1.3: vector 0, the pending MTF VM exit, with MTF only */
        if (!mtf)
            return "the CPU has no monitor trap flag for the \"other event\"";
        return r->vector != 0 ? "the \"other event\" has vector 0" : NULL;
    default: /* SDM 25.8.3: type 1 is reserved */
        return "interruption type 1 is reserved and types go up to 7";
    }
}

static void inject(struct entry_plan *p, const struct event *ev, const struct entry_state *s)
{
    p->inject = true;
    p->intr_info = INTR_INFO_VALID | ((uint32_t)ev->type << INTR_INFO_TYPE_SHIFT) | ev->vector;
    /* No error code in real-address mode (SDM 27.2.1.3: "deliver error code" must be 0 when
     * unrestricted guest and CR0.PE = 0; the real-mode IVT has no room for one). */
    if (ev->has_error && s->protected_mode) {
        p->intr_info |= INTR_INFO_ERROR_CODE;
        p->error = ev->error;
    }
    p->insn_len = ev->insn_len;
    p->set_rf = ev->type == EVENT_HARDWARE_EXCEPTION && exception_is_fault(ev->vector);
    p->wake = s->activity == ACTIVITY_HLT;
}

void event_plan(struct vcpu_events *e, const struct entry_state *s, struct entry_plan *p)
{
    memset(p, 0, sizeof(*p));
    bool irq_blocked =
        !(s->rflags & RFLAGS_IF) || (s->interruptibility & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS));
    /* NMIs: blocked by NMI blocking, and not injected under STI or MOV SS blocking (SDM
     * 27.3.1.5: some processors refuse NMI injection with blocking by STI). */
    bool nmi_blocked =
        (s->interruptibility & (BLOCKING_BY_NMI | BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)) != 0;
    if (e->triple_fault) {
        p->shutdown = true;
        return;
    }
    if (e->exception.valid) {
        /* A fault raised while another event was being delivered (an interrupt, an NMI):
         * the fault goes first, the interrupted event waits for its window; a software
         * interrupt is re-executed from its instruction after the fault (SDM 6.15). */
        inject(p, &e->exception, s);
        e->exception.valid = false;
        if (e->reinject.valid && e->reinject.type != EVENT_EXTERNAL_INTERRUPT &&
            e->reinject.type != EVENT_NMI)
            e->reinject.valid = false;
    } else if (e->reinject.valid) {
        inject(p, &e->reinject, s);
        e->reinject.valid = false;
    } else if (e->nmi && !nmi_blocked) {
        struct event nmi = {.valid = true, .type = EVENT_NMI, .vector = X86_EXC_NMI};
        inject(p, &nmi, s);
        e->nmi = false;
    } else if (s->pending_interrupt >= 0 && !irq_blocked) {
        struct event irq = {.valid = true,
                            .type = EVENT_EXTERNAL_INTERRUPT,
                            .vector = (uint8_t)s->pending_interrupt};
        inject(p, &irq, s);
        p->ack_interrupt = true;
    }
    /* What still waits gets its window: an exit as soon as it can be delivered. NMI-window
     * exiting needs virtual NMIs (SDM 27.2.1.1); without them the NMI waits for a later exit. */
    if (e->nmi || (e->reinject.valid && e->reinject.type == EVENT_NMI))
        p->nmi_window = s->virtual_nmis;
    if ((s->pending_interrupt >= 0 && !p->ack_interrupt) ||
        (e->reinject.valid && e->reinject.type == EVENT_EXTERNAL_INTERRUPT))
        p->interrupt_window = true;
}
