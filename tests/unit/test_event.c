/* tests/unit/test_event.c - pending events, exception merging and the injection plan. */
#include <criterion/criterion.h>
#include <string.h>
#include "platform/x86.h"
#include "vmx/event.h"

static struct vcpu_events e;
static struct entry_plan p;
static const struct entry_state open = {.rflags = RFLAGS_FIXED1 | RFLAGS_IF,
                                        .protected_mode = true,
                                        .virtual_nmis = true,
                                        .pending_interrupt = -1};

static void reset(void)
{
    memset(&e, 0, sizeof(e));
}

// cppcheck-suppress unknownMacro
TestSuite(event, .init = reset);

Test(event, classes_and_error_codes)
{
    cr_assert_eq(exception_class(X86_EXC_GP), EXC_CONTRIBUTORY);
    cr_assert_eq(exception_class(X86_EXC_DE), EXC_CONTRIBUTORY);
    cr_assert_eq(exception_class(X86_EXC_PF), EXC_PAGE_FAULT);
    cr_assert_eq(exception_class(X86_EXC_UD), EXC_BENIGN);
    cr_assert_eq(exception_class(X86_EXC_DF), EXC_DOUBLE_FAULT);
    cr_assert(exception_has_error_code(X86_EXC_GP));
    cr_assert(exception_has_error_code(X86_EXC_AC));
    cr_assert_not(exception_has_error_code(X86_EXC_UD));
    cr_assert(exception_is_fault(X86_EXC_GP));
    cr_assert_not(exception_is_fault(X86_EXC_BP));
    cr_assert_not(exception_is_fault(X86_EXC_DB));
}

Test(event, plain_exception_injected_with_rf)
{
    event_queue_exception(&e, X86_EXC_GP, true, 0x18);
    event_plan(&e, &open, &p);
    cr_assert(p.inject);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | (3u << 8) | INTR_INFO_ERROR_CODE | 13);
    cr_assert_eq(p.error, 0x18);
    cr_assert(p.set_rf, "a fault pushes RF = 1 (SDM 18.3.1.1)");
    cr_assert_not(event_pending(&e), "consumed");
}

Test(event, real_mode_drops_the_error_code)
{
    struct entry_state real = open;
    real.protected_mode = false;
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    event_plan(&e, &real, &p);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | (3u << 8) | 13);
}

Test(event, double_fault_table)
{
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    event_queue_exception(&e, X86_EXC_NP, true, 8);
    cr_assert_eq(e.exception.vector, X86_EXC_DF, "contributory + contributory");
    cr_assert_eq(e.exception.error, 0);
    reset();
    event_queue_exception(&e, X86_EXC_PF, true, 2);
    event_queue_exception(&e, X86_EXC_PF, true, 2);
    cr_assert_eq(e.exception.vector, X86_EXC_DF, "page fault + page fault");
    reset();
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    event_queue_exception(&e, X86_EXC_PF, true, 2);
    cr_assert_eq(e.exception.vector, X86_EXC_PF, "contributory then #PF: serial");
    reset();
    event_queue_exception(&e, X86_EXC_UD, false, 0);
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    cr_assert_eq(e.exception.vector, X86_EXC_GP, "benign then contributory: serial");
    event_queue_exception(&e, X86_EXC_PF, true, 0);
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    cr_assert_eq(e.exception.vector, X86_EXC_DF);
    event_queue_exception(&e, X86_EXC_GP, true, 0);
    cr_assert(e.triple_fault, "a contributory fault on #DF shuts down");
    event_plan(&e, &open, &p);
    cr_assert(p.shutdown);
    cr_assert_not(p.inject);
}

Test(event, vectoring_event_merges_with_a_new_fault)
{
    /* #GP was being delivered when the exit came; the hypervisor then raises #NP */
    event_record_vectoring(&e, INTR_INFO_VALID | (3u << 8) | INTR_INFO_ERROR_CODE | 13, 0x10, 0);
    event_queue_exception(&e, X86_EXC_NP, true, 0);
    event_plan(&e, &open, &p);
    cr_assert_eq(p.intr_info & 0xff, X86_EXC_DF);
    cr_assert_not(event_pending(&e));
}

Test(event, vectoring_event_reinjected_first)
{
    event_record_vectoring(&e, INTR_INFO_VALID | (4u << 8) | 0x80, 0, 2); /* INT 0x80 */
    struct entry_state s = open;
    s.pending_interrupt = 0x30;
    event_plan(&e, &s, &p);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | (4u << 8) | 0x80);
    cr_assert_eq(p.insn_len, 2, "a software interrupt needs its length");
    cr_assert_not(p.set_rf);
    cr_assert_not(p.ack_interrupt);
    cr_assert(p.interrupt_window, "the interrupt waits for a window");
    event_record_vectoring(&e, 0, 0, 0);
    cr_assert_not(e.reinject.valid, "an invalid field records nothing");
}

Test(event, fault_during_interrupt_delivery_keeps_the_interrupt)
{
    event_record_vectoring(&e, INTR_INFO_VALID | 0x41, 0, 0); /* external interrupt 0x41 */
    event_queue_exception(&e, X86_EXC_PF, true, 2);
    event_plan(&e, &open, &p);
    cr_assert_eq(p.intr_info & 0xff, X86_EXC_PF, "the fault first");
    cr_assert(e.reinject.valid, "the acknowledged interrupt is not lost");
    cr_assert(p.interrupt_window);
    event_plan(&e, &open, &p);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | 0x41);
}

Test(event, nmi_and_blocking)
{
    struct entry_state s = open;
    event_queue_nmi(&e);
    s.interruptibility = BLOCKING_BY_NMI;
    event_plan(&e, &s, &p);
    cr_assert_not(p.inject);
    cr_assert(p.nmi_window, "blocked: an NMI window");
    s.interruptibility = BLOCKING_BY_STI;
    event_plan(&e, &s, &p);
    cr_assert_not(p.inject, "not under STI blocking (SDM 27.3.1.5)");
    s.interruptibility = 0;
    event_plan(&e, &s, &p);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | (2u << 8) | 2);
    cr_assert_not(p.nmi_window);
}

Test(event, external_interrupt_when_open)
{
    struct entry_state s = open;
    s.pending_interrupt = 0x20;
    s.activity = ACTIVITY_HLT;
    event_plan(&e, &s, &p);
    cr_assert(p.inject);
    cr_assert(p.ack_interrupt);
    cr_assert(p.wake, "a halted guest wakes for the interrupt");
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | 0x20);
    s.rflags = RFLAGS_FIXED1;
    event_plan(&e, &s, &p);
    cr_assert_not(p.inject, "IF = 0");
    cr_assert(p.interrupt_window);
    s.rflags |= RFLAGS_IF;
    s.interruptibility = BLOCKING_BY_MOV_SS;
    event_plan(&e, &s, &p);
    cr_assert_not(p.inject, "MOV SS blocking");
    cr_assert(p.interrupt_window);
}

Test(event, exception_beats_nmi_and_interrupt)
{
    struct entry_state s = open;
    s.pending_interrupt = 0x30;
    event_queue_nmi(&e);
    event_queue_exception(&e, X86_EXC_UD, false, 0);
    event_plan(&e, &s, &p);
    cr_assert_eq(p.intr_info & 0xff, X86_EXC_UD);
    cr_assert(p.nmi_window);
    cr_assert(p.interrupt_window);
    cr_assert(e.nmi, "the NMI still waits");
}

Test(event, no_nmi_window_without_virtual_nmis)
{
    struct entry_state s = open;
    s.virtual_nmis = false;
    s.interruptibility = BLOCKING_BY_NMI;
    event_queue_nmi(&e);
    event_plan(&e, &s, &p);
    cr_assert_not(p.inject);
    cr_assert_not(p.nmi_window, "NMI-window exiting needs virtual NMIs (SDM 27.2.1.1)");
    cr_assert(e.nmi, "the NMI waits for a later entry");
    s.interruptibility = 0;
    event_plan(&e, &s, &p);
    cr_assert_eq(p.intr_info, INTR_INFO_VALID | (2u << 8) | 2);
}

static const char *check(uint64_t type, uint64_t vector, uint64_t error, uint64_t len)
{
    struct event_request r = {type, vector, error, len};
    return event_request_check(&r, true, true);
}

Test(event, request_check_accepts_every_type)
{
    cr_assert_null(check(EVENT_EXTERNAL_INTERRUPT, 0x40, 0, 0));
    cr_assert_null(check(EVENT_NMI, 2, 0, 0));
    cr_assert_null(check(EVENT_HARDWARE_EXCEPTION, X86_EXC_GP, 0xfffc, 0));
    cr_assert_null(check(EVENT_HARDWARE_EXCEPTION, X86_EXC_UD, 0xdeadbeef, 0),
                   "no error code is delivered for #UD: its value does not matter");
    cr_assert_null(check(EVENT_SOFTWARE_INTERRUPT, 0x80, 0, 2));
    cr_assert_null(check(EVENT_SOFTWARE_INTERRUPT, 13, 0, 15));
    cr_assert_null(check(EVENT_PRIV_SOFTWARE_EXCEPTION, 1, 0, 1));
    cr_assert_null(check(EVENT_SOFTWARE_EXCEPTION, 3, 0, 1));
    cr_assert_null(check(EVENT_SOFTWARE_EXCEPTION, 4, 0, 1));
    cr_assert_null(check(EVENT_OTHER, 0, 0, 0));
}

Test(event, request_check_refuses_what_vm_entry_refuses)
{
    cr_assert_not_null(check(1, 0x40, 0, 0), "type 1 is reserved");
    cr_assert_not_null(check(8, 0, 0, 0));
    cr_assert_not_null(check(EVENT_EXTERNAL_INTERRUPT, 256, 0, 0));
    cr_assert_not_null(check(EVENT_EXTERNAL_INTERRUPT, 15, 0, 0));
    cr_assert_not_null(check(EVENT_NMI, 5, 0, 0), "an NMI has vector 2");
    cr_assert_not_null(check(EVENT_HARDWARE_EXCEPTION, 32, 0, 0));
    cr_assert_not_null(check(EVENT_HARDWARE_EXCEPTION, 2, 0, 0));
    cr_assert_not_null(check(EVENT_HARDWARE_EXCEPTION, X86_EXC_GP, 0x10000, 0),
                       "error code bits 31:16 must be 0 (SDM 27.2.1.3)");
    cr_assert_not_null(check(EVENT_SOFTWARE_INTERRUPT, 0x80, 0, 0), "length 0");
    cr_assert_not_null(check(EVENT_SOFTWARE_INTERRUPT, 0x80, 0, 16), "length 16");
    cr_assert_not_null(check(EVENT_PRIV_SOFTWARE_EXCEPTION, 3, 0, 1));
    cr_assert_not_null(check(EVENT_SOFTWARE_EXCEPTION, 5, 0, 1));
    cr_assert_not_null(check(EVENT_OTHER, 1, 0, 0));
    struct event_request other = {EVENT_OTHER, 0, 0, 0};
    cr_assert_not_null(event_request_check(&other, true, false), "no MTF, no other event");
}

Test(event, request_check_error_code_only_when_delivered)
{
    struct event_request gp = {EVENT_HARDWARE_EXCEPTION, X86_EXC_GP, 0x12345, 0};
    cr_assert_not_null(event_request_check(&gp, true, false));
    cr_assert_null(event_request_check(&gp, false, false),
                   "real mode: no error code is delivered, so its value cannot fail the entry");
}
