/* guests/lapic-timer/lt.h - what the parts of the lapic-timer test guest share (main.c). */
#ifndef GUEST_LAPIC_TIMER_LT_H
#define GUEST_LAPIC_TIMER_LT_H

#include <stdbool.h>
#include <stdint.h>

#define VEC_TIMER    0x40
#define VEC_DEADLINE 0x42
#define VEC_TPR      0x45
#define VEC_SELF_MSR 0x46
#define VEC_LOW      0x61
#define VEC_LOW2     0x62
#define VEC_HIGH     0x81
#define VEC_WATCHDOG 0x20 /* the PIT through the 8259 and LINT0 (ExtINT) */

/* The mode under test, "xAPIC" or "x2APIC": every TEST line starts with it. */
extern const char *lt_mode;
/* Timer counts per millisecond with divide-by-1, measured in this mode. */
extern uint32_t lt_per_ms;
/* tscdeadline=: test TSC-deadline mode if CPUID offers it (auto), never (no), or require it
 * (yes). */
enum lt_want { LT_AUTO, LT_NO, LT_YES };
extern enum lt_want lt_want_deadline;

/* timer.c */
void lt_test_timer(void);
/* idle.c: the idle=N benchmark mode (never returns). */
__attribute__((noreturn)) void lt_idle(uint32_t n);
void lt_test_deadline(void);
/* prio.c */
void lt_test_priority(void);
void lt_test_nesting(void);
void lt_test_esr(void);
void lt_test_x2apic_regs(uint32_t xapic_id);

#endif
