/*
 * guests/lib/pit.h - the 8254 PIT of a PC in the test guests: channel 0 (IRQ0) as the timer
 * under test, and channel 2 (gated by port 0x61) as a polled clock, the time reference the
 * guests measure against (82C54 datasheet; PIIX port 0x61). The input clock is 1.193182 MHz
 * on every PC, bare or virtual, unlike the TSC.
 *
 * The clock: channel 2 counts down from 65536 in mode 2 without end; pit_clock_ticks adds up
 * what it counted since the last call, so it must be called at least every 54 ms (one round of
 * the counter) to stay right. Only one CPU may use it.
 */
#ifndef GUEST_PIT_H
#define GUEST_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

/* Channel 0, LSB then MSB: mode 2 (rate generator) at hz, or mode 0 (interrupt on terminal
 * count) with count; pit_ch0_stop writes a mode 0 control word without a count: OUT0 goes
 * low and stays low (no interrupts). */
void pit_ch0_periodic(uint32_t hz);
void pit_ch0_oneshot(uint16_t count);
void pit_ch0_stop(void);
/* The divisor pit_ch0_periodic programs for hz. */
uint16_t pit_divisor(uint32_t hz);

/* The clock on channel 2. */
void pit_clock_start(void);
uint64_t pit_clock_ticks(void);
uint32_t pit_clock_us(void); /* since pit_clock_start; wraps after 71 minutes */
/* Busy waits us microseconds on the clock (interrupts as they are). */
void pit_delay_us(uint32_t us);

#endif
