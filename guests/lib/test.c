/* guests/lib/test.c - checks, summary and exit of the test guests (see test.h). */
#include <stdarg.h>
#include "guests/lib/test.h"
#include "guests/lib/io.h"
#include "guests/lib/uart.h"
#include "platform/fmt.h"

static const char *guest_name = "guest";
static uint32_t checks, failures;

void test_init(const char *name)
{
    guest_name = name;
    uart_init();
}

const char *test_name(void)
{
    return guest_name;
}

static void test_putc(void *ctx, char c)
{
    (void)ctx;
    uart_putc(c);
}

void test_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(test_putc, NULL, fmt, ap);
    va_end(ap);
}

void test_note(const char *fmt, ...)
{
    va_list ap;
    test_printf("%s: ", guest_name);
    va_start(ap, fmt);
    fmt_vformat(test_putc, NULL, fmt, ap);
    va_end(ap);
    uart_putc('\n');
}

static bool test_record(bool cond)
{
    checks++;
    if (!cond)
        failures++;
    test_printf("TEST %s: %s ", guest_name, cond ? "ok" : "FAIL");
    return cond;
}

bool test_check(bool cond, const char *what)
{
    test_record(cond);
    test_printf("%s\n", what);
    return cond;
}

bool test_checkf(bool cond, const char *fmt, ...)
{
    va_list ap;
    test_record(cond);
    va_start(ap, fmt);
    fmt_vformat(test_putc, NULL, fmt, ap);
    va_end(ap);
    uart_putc('\n');
    return cond;
}

void test_finish(void)
{
    test_printf("TEST %s: %u checks, %u failed\n", guest_name, (unsigned)checks,
                (unsigned)failures);
    test_printf("TEST %s: %s\n", guest_name, failures == 0 && checks > 0 ? "PASS" : "FAIL");
    test_exit(failures == 0 && checks > 0 ? 0 : 1);
}

void test_exit(uint8_t value)
{
    uart_flush();
    outb(TEST_DEBUG_EXIT_PORT, value);
    /* Still here: no debug-exit device (bare Bochs). Power off the machine instead. */
    outw(TEST_ACPI_PM1A_CNT_PORT, TEST_ACPI_SLP_EN);
    for (const char *s = "Shutdown"; *s; s++)
        outb(TEST_BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    cpu_halt_forever();
}
