/*
 * guests/lib/wait.h - bounded waits of the test guests: under a hypervisor still being built
 * an interrupt that never comes must end in a FAIL with a message, never in a hang. Time is
 * the PIT clock (guests/lib/pit.h), started by the caller with pit_clock_start, on one CPU.
 */
#ifndef GUEST_WAIT_H
#define GUEST_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/* Spins with interrupts enabled until *count >= target, or timeout_us passed. Interrupts are
 * disabled again on return if they were before. */
bool wait_count(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us);
/* The same with EFLAGS.IF left alone (NMIs, or IF=0 on purpose). */
bool wait_count_noirq(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us);
/* The same with STI; HLT: the CPU sleeps until an interrupt. A HLT ends only with an
 * interrupt, so the caller keeps a watchdog interrupt running, at most every 50 ms (for the PIT
 * clock), e.g. lapic_watchdog_start. Returns with interrupts disabled if they were before. */
bool hlt_count(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us);

#endif
