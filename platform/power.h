/* platform/power.h - turning the machine off. */
#ifndef PLATFORM_POWER_H
#define PLATFORM_POWER_H

#include <stdint.h>

/* The ACPI S5 (soft-off) registers and sleep types, from the FADT and the DSDT's \_S5. */
void power_set_acpi_s5(uint16_t pm1a_cnt, uint16_t pm1b_cnt, uint8_t slp_typa, uint8_t slp_typb);

/* Functions run before the power goes (e.g. VMXOFF on every CPU); at most 4. */
void power_on_shutdown(void (*fn)(void));

/* Flush the console and power off: ACPI S5 when known, then the Bochs/QEMU shutdown
 * ports. If everything fails, says so and halts. */
void power_off(const char *why) __attribute__((noreturn));

#endif
