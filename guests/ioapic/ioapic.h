/* guests/ioapic/ioapic.h - what the parts of the ioapic test guest share (see main.c). */
#ifndef GUEST_IOAPIC_IOAPIC_H
#define GUEST_IOAPIC_IOAPIC_H

#include <stdint.h>

#define VEC_PIT       0x30
#define VEC_LOGICAL   0x31
#define VEC_RTC_EDGE  0x38
#define VEC_RTC_LEVEL 0x39

/* The I/O APIC under test and the pins of the PIT and the RTC (GSI minus its GSI base). */
struct ioapic_setup {
    uint32_t base;
    uint32_t pins;
    unsigned pit_pin, rtc_pin;
    uint32_t bsp_apic_id;
};
extern struct ioapic_setup io;

/* routes.c: interrupts through the redirection table */
void ioapic_test_pit(void);
void ioapic_test_logical(void);
void ioapic_test_rtc_edge(void);
void ioapic_test_rtc_level(void);

#endif
