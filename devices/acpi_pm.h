/*
 * devices/acpi_pm.h - the ACPI power-management timer and PM1a event block of a PC (pure),
 * where the guest's FADT puts them (vm/acpi_build.h): PM1a_EVT_BLK at 0x600 (PM1_STS, PM1_EN:
 * two 16-bit registers) and PM_TMR_BLK at 0x608, a 24-bit counter of the 3.579545 MHz ACPI
 * clock (ACPI 6.4 4.8.3.3) that Linux uses as a clocksource and to calibrate its TSC. The
 * counter is derived from time (nanoseconds of VM time), never ticked. Nothing here raises
 * the SCI: the only fixed event would be the timer's carry, whose enable Linux leaves off.
 * PM1a_CNT (0x604, soft-off) is devices/shutdown_port.c.
 */
#ifndef DEVICES_ACPI_PM_H
#define DEVICES_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_EVT_PORT 0x600
#define ACPI_PM_TMR_PORT 0x608
#define ACPI_PM_TMR_HZ   3579545u /* ACPI 6.4 4.8.3.3 */

struct acpi_pm {
    uint16_t sts, en; /* PM1_STS (write 1 to clear), PM1_EN */
};

void acpi_pm_init(struct acpi_pm *pm);
/* The timer's value at now_ns: 24 bits (TMR_VAL_EXT is 0 in the FADT). */
uint32_t acpi_pm_timer(uint64_t now_ns);
/* A port access; false when port is not PM1a_EVT (0x600-0x603) or PM_TMR (0x608-0x60b). */
bool acpi_pm_io(struct acpi_pm *pm, uint16_t port, unsigned size, bool in, uint32_t *value,
                uint64_t now_ns);

#endif
