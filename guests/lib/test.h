/*
 * guests/lib/test.h - the test library of the stand-alone test guests.
 *
 * A test guest is a small kernel that runs both bare (GRUB boots it directly) and under
 * Vanderpool, and prints the same lines either way, on the UART at 0x3f8:
 *   TEST <guest>: ok <what>          a check that held
 *   TEST <guest>: FAIL <what>        a check that did not
 *   TEST <guest>: <n> checks, <m> failed
 *   TEST <guest>: PASS | FAIL        the verdict, the last line
 * then it stops the machine it runs on (test_exit).
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdbool.h>
#include <stdint.h>

/* I/O ports the guests use to stop. */
#define TEST_DEBUG_EXIT_PORT     0xf4   /* QEMU isa-debug-exit; Vanderpool: status (v << 1) | 1 */
#define TEST_BOCHS_SHUTDOWN_PORT 0x8900 /* Bochs: the string "Shutdown" powers off */
#define TEST_ACPI_PM1A_CNT_PORT  0xb004 /* Bochs/QEMU i440fx PIIX4 PM1a control (Bochs BIOS) */
#define TEST_ACPI_SLP_EN         0x2000 /* PM1 control SLP_EN, SLP_TYP 0 (ACPI 6.4 4.8.3.2.1) */

/* Sets up the UART and remembers the guest's name for the TEST lines. */
void test_init(const char *name);
const char *test_name(void);

void test_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints `<guest>: <text>` and a newline: an informational line. */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a check: prints `TEST <guest>: ok <what>` or `TEST <guest>: FAIL <what>`; returns
 * cond. test_checkf formats what. */
bool test_check(bool cond, const char *what);
bool test_checkf(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the summary and the verdict, then stops with test_exit(failed ? 1 : 0). */
__attribute__((noreturn)) void test_finish(void);

/* Stops the machine: writes value to the debug-exit port (ends the VM under Vanderpool), then,
 * still running (bare Bochs has nothing at 0xf4), powers off through ACPI PM1a and the Bochs
 * shutdown port, and at last halts with interrupts off. */
__attribute__((noreturn)) void test_exit(uint8_t value);

#endif
