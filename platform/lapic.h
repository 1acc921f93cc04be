/* platform/lapic.h - local APIC driver, xAPIC (MMIO) and x2APIC (MSR) modes (SDM 11). */
#ifndef PLATFORM_LAPIC_H
#define PLATFORM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets in the xAPIC page (SDM 11.4.1, table 11-1). */
#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ESR       0x280
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

enum lapic_mode { LAPIC_AUTO, LAPIC_XAPIC, LAPIC_X2APIC };

/* ICR delivery modes (SDM 11.6.1). */
#define ICR_FIXED   0x000
#define ICR_NMI     0x400
#define ICR_INIT    0x500
#define ICR_STARTUP 0x600
#define ICR_ASSERT  0x4000
#define ICR_LEVEL   0x8000
#define ICR_PENDING 0x1000

void lapic_set_mode(enum lapic_mode m); /* before lapic_init on the BSP */
void lapic_init(void);                  /* on every CPU */
bool lapic_x2apic(void);
uint32_t lapic_id(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
/* Send an IPI; returns false if the xAPIC never accepted it. */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

/* Timer calibration (against the PIT, or the ACPI PM timer when pm_port != 0). */
struct timer_calibration {
    uint64_t tsc_per_ms;
    uint32_t lapic_ticks_per_ms; /* divide by 16 */
    const char *reference;
};
int lapic_calibrate(struct timer_calibration *out, uint16_t pm_port, bool pm_32bit);

/* Busy-wait using the calibrated TSC. */
void udelay(uint64_t us);
uint64_t tsc_per_ms(void);

#endif
