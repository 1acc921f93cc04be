/*
 * vmx/event.h - a vCPU's pending events and the decision, before each VM entry, of what to
 * inject now and which window to open for the rest (book chapter 4; SDM 27.6 event injection,
 * 28.2.4 IDT-vectoring information, 6.15 double faults, 26.7.5-26.7.6 interrupt and NMI
 * windows). Pure: the VMX glue (vmx/event_inject.c) reads the guest's blocking state from the
 * VMCS, calls event_plan, and writes the plan back. Exit handlers and device models only
 * *raise* events (event_queue_exception, event_queue_nmi, an interrupt line); the plan is the
 * only writer of the VM-entry interruption-information field (docs/events.md).
 */
#ifndef VMX_EVENT_H
#define VMX_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Interruption types (SDM 25.8.3, table 25-17). */
enum event_type {
    EVENT_EXTERNAL_INTERRUPT = 0,
    EVENT_NMI = 2,
    EVENT_HARDWARE_EXCEPTION = 3,
    EVENT_SOFTWARE_INTERRUPT = 4,
    EVENT_PRIV_SOFTWARE_EXCEPTION = 5, /* INT1 (ICEBP) */
    EVENT_SOFTWARE_EXCEPTION = 6,      /* INT3, INTO */
    EVENT_OTHER = 7,                   /* vector 0: pending MTF VM exit */
};

/* Interruption-information bits (SDM 25.8.3, 25.9.2, 25.9.3). */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_SHIFT  8
#define INTR_INFO_TYPE_MASK   (7u << 8)
#define INTR_INFO_ERROR_CODE  (1u << 11) /* deliver / has an error code */
#define INTR_INFO_NMI_UNBLOCK (1u << 12) /* exit information: NMI unblocking due to IRET */
#define INTR_INFO_VALID       (1u << 31)

/* Interruptibility state (SDM 25.4.2, table 25-3) and activity states. */
#define BLOCKING_BY_STI    (1u << 0)
#define BLOCKING_BY_MOV_SS (1u << 1)
#define BLOCKING_BY_SMI    (1u << 2)
#define BLOCKING_BY_NMI    (1u << 3)
enum activity_state { ACTIVITY_ACTIVE, ACTIVITY_HLT, ACTIVITY_SHUTDOWN, ACTIVITY_WAIT_SIPI };

struct event {
    bool valid;
    uint8_t type; /* enum event_type */
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint32_t insn_len; /* types 4, 5, 6: the length of the INT n / INT3 / INTO / INT1 */
};

struct vcpu_events {
    struct event reinject;  /* interrupted by the VM exit: from IDT-vectoring information */
    struct event exception; /* raised by the hypervisor (merged, SDM 6.15) */
    bool nmi;               /* an NMI waits for the guest to unblock NMIs */
    bool triple_fault;      /* merging made a triple fault: the guest shuts down */
};

/* The exception class of SDM 6.15 table 6-4. */
enum exception_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };
enum exception_class exception_class(uint8_t vector);

/* Whether the hardware exception pushes an error code (SDM 6.13, table 6-1): #DF, #TS, #NP,
 * #SS, #GP, #PF, #AC, #CP. */
bool exception_has_error_code(uint8_t vector);

/* Whether the exception is a fault (the pushed RIP is the faulting instruction's, and RF is
 * set in the pushed RFLAGS, SDM 6.5 and 18.3.1.1): all but #DB traps, #BP, #OF, #DF, #MC. */
bool exception_is_fault(uint8_t vector);

/* Queue a hardware exception. With an event already pending (the one being delivered when
 * the exit happened, or one queued before), the pair is combined as the CPU would (SDM 6.15
 * table 6-5): contributory on contributory, or page fault then contributory or page fault,
 * give #DF(0); anything on #DF (but a benign one) gives a triple fault; otherwise the new
 * exception replaces the old, which the re-executed instruction raises again. */
void event_queue_exception(struct vcpu_events *e, uint8_t vector, bool has_error, uint32_t error);

/* The event the VM exit interrupted (IDT-vectoring information field and its error code,
 * SDM 25.9.3, and the VM-exit instruction length for software events): it will be injected
 * again, ahead of anything else. Ignored when the valid bit is clear. */
void event_record_vectoring(struct vcpu_events *e, uint32_t idt_vectoring_info, uint32_t error,
                            uint32_t insn_len);

void event_queue_nmi(struct vcpu_events *e);

/* A request for an event (VP_HC_INJECT: RBX type, RCX vector, RDX error code, RSI instruction
 * length), as the guest gave it: full register width, unchecked. */
struct event_request {
    uint64_t type, vector, error, len;
};

/* Check a request by the rules VM entry applies to the VM-entry interruption-information,
 * exception error-code and instruction-length fields (SDM 27.2.1.3), so that a bad request is
 * refused rather than failing the entry. protected_mode: the guest's CR0.PE, which decides
 * whether an error code is delivered at all; mtf: the CPU has the monitor trap flag (the
 * "other event" of vector 0 needs it). Returns NULL when the request is valid, else the rule it
 * breaks. Besides the SDM's rules it refuses external interrupts below 16 (the exception
 * vectors, SDM 6.2) and software exceptions that are not INT1 (vector 1), INT3 or INTO (3, 4). */
const char *event_request_check(const struct event_request *r, bool protected_mode, bool mtf);

/* Anything for the next entry to look at (besides external interrupts, asked separately). */
static inline bool event_pending(const struct vcpu_events *e)
{
    return e->reinject.valid || e->exception.valid || e->nmi || e->triple_fault;
}

/* What the guest looks like at this entry. */
struct entry_state {
    uint64_t rflags;
    uint32_t interruptibility;
    uint32_t activity;
    bool protected_mode;   /* CR0.PE: error codes exist (SDM 27.2.1.3) */
    bool virtual_nmis;     /* the "virtual NMIs" control is on: NMI windows exist */
    int pending_interrupt; /* highest pending external interrupt vector, or -1 */
};

struct entry_plan {
    bool inject;
    uint32_t intr_info; /* VM-entry interruption information (SDM 25.8.3) */
    uint32_t error;     /* VM-entry exception error code */
    uint32_t insn_len;  /* VM-entry instruction length */
    bool set_rf;        /* set RFLAGS.RF: a fault is injected (SDM 18.3.1.1) */
    bool ack_interrupt; /* the pending external interrupt is injected: acknowledge it */
    bool wake;          /* activity HLT -> active: an event is delivered (SDM 27.6.3) */
    bool interrupt_window, nmi_window; /* open these windows (SDM 26.7.5, 26.7.6) */
    bool shutdown;                     /* a triple fault: the guest cannot go on */
};

/*
 * Decide the next entry (DESIGN §6, in this order): a triple fault; a queued exception (an
 * interrupted interrupt or NMI waits behind it); the event the exit interrupted; an NMI
 * unless NMIs are blocked (then an NMI window); an external interrupt when RFLAGS.IF = 1 and
 * no STI/MOV SS blocking (then it is acknowledged), else an interrupt window.
 * One event per entry: whatever waits behind the injected one gets its window. Consumes what
 * it injects from e.
 */
void event_plan(struct vcpu_events *e, const struct entry_state *s, struct entry_plan *p);

#endif
