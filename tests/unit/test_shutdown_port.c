/* tests/unit/test_shutdown_port.c - the Bochs shutdown port and ACPI soft-off. */
#include <criterion/criterion.h>
#include "devices/shutdown_port.h"

static struct shutdown_port sp;
static struct vm_stop_request stop;

static void setup(void)
{
    shutdown_port_init(&sp, BOCHS_SHUTDOWN_PORT, QEMU_PM1A_CNT_PORT);
    stop = (struct vm_stop_request){0};
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(shutdown_port, .init = setup);

static void say(const char *s)
{
    for (; *s; s++) {
        uint32_t v = (uint8_t)*s;
        cr_assert(shutdown_port_io(&sp, 0x8900, 1, false, &v, &stop));
    }
}

Test(shutdown_port, shutdown_word)
{
    say("Shutdow");
    cr_assert_not(stop.stop);
    say("n");
    cr_assert(stop.stop);
    cr_assert_eq(stop.status, 0);
    cr_assert_str_eq(stop.why, "Bochs shutdown port (\"Shutdown\" written to port 0x8900)");
}

Test(shutdown_port, split_in_two)
{
    say("Shut");
    cr_assert_not(stop.stop);
    say("down");
    cr_assert(stop.stop);
}

Test(shutdown_port, other_byte_resets)
{
    say("Shut");
    say("X");
    say("down");
    cr_assert_not(stop.stop, "Shut X down");
    say("Shutdow\nn");
    cr_assert_not(stop.stop, "a newline in the middle");
    say("Shutdown");
    cr_assert(stop.stop, "a whole word after the failed ones");
}

Test(shutdown_port, out_of_order_letters_are_ignored_as_in_bochs)
{
    say("ShutShutdown"); /* the second "Shut" are letters of the word: no effect */
    cr_assert(stop.stop);
}

Test(shutdown_port, match_restarts_after_a_stop)
{
    say("Shutdown");
    cr_assert(stop.stop);
    stop = (struct vm_stop_request){0};
    say("down");
    cr_assert_not(stop.stop);
}

Test(shutdown_port, wide_values_do_not_match)
{
    uint32_t v = 0x4153; /* 'S' with a high byte */
    say("Shutdow");
    cr_assert(shutdown_port_io(&sp, 0x8900, 2, false, &v, &stop));
    say("n");
    cr_assert_not(stop.stop);
    v = 0;
    cr_assert(shutdown_port_io(&sp, 0x8900, 1, true, &v, &stop));
    cr_assert_eq(v, 0xff);
}

Test(shutdown_port, acpi_soft_off)
{
    uint32_t v = 0x0001; /* SCI_EN only */
    cr_assert(shutdown_port_io(&sp, 0x604, 2, false, &v, &stop));
    cr_assert_not(stop.stop);
    cr_assert(shutdown_port_io(&sp, 0x604, 2, true, &v, &stop));
    cr_assert_eq(v, 0x0001);
    v = ACPI_PM1_CNT_SLP_EN | (5u << 10) | 1;
    cr_assert(shutdown_port_io(&sp, 0x604, 2, false, &v, &stop));
    cr_assert(stop.stop);
    cr_assert_eq(stop.status, 0);
    cr_assert_str_eq(stop.why, "ACPI soft-off (SLP_EN written to PM1a_CNT)");
    cr_assert(shutdown_port_io(&sp, 0x604, 2, true, &v, &stop));
    cr_assert_eq(v, (5u << 10) | 1, "SLP_EN reads back as 0");
}

Test(shutdown_port, acpi_byte_accesses)
{
    uint32_t v = 0x20; /* bit 13 is bit 5 of the high byte */
    cr_assert(shutdown_port_io(&sp, 0x604, 1, false, &v, &stop));
    cr_assert_not(stop.stop, "the low byte holds no SLP_EN");
    cr_assert(shutdown_port_io(&sp, 0x605, 1, false, &v, &stop));
    cr_assert(stop.stop);
    cr_assert(shutdown_port_io(&sp, 0x604, 4, true, &v, &stop));
    cr_assert_eq(v, 0xffff0020, "bytes beyond the register read all ones");
    cr_assert(shutdown_port_io(&sp, 0x605, 1, true, &v, &stop));
    cr_assert_eq(v, 0x00);
    cr_assert_not(shutdown_port_io(&sp, 0x603, 2, false, &v, &stop));
    cr_assert_not(shutdown_port_io(&sp, 0x606, 2, false, &v, &stop));
}

Test(shutdown_port, ports_can_be_moved_or_left_out)
{
    uint32_t v = ACPI_PM1_CNT_SLP_EN;
    shutdown_port_init(&sp, 0, BOCHS_PM1A_CNT_PORT);
    cr_assert_not(shutdown_port_io(&sp, 0x8900, 1, false, &v, &stop));
    cr_assert_not(shutdown_port_io(&sp, 0x604, 2, false, &v, &stop));
    cr_assert_not(stop.stop);
    cr_assert(shutdown_port_io(&sp, 0xb004, 2, false, &v, &stop));
    cr_assert(stop.stop);
    shutdown_port_init(&sp, BOCHS_SHUTDOWN_PORT, 0);
    cr_assert_not(shutdown_port_io(&sp, 0, 2, false, &v, &stop));
    cr_assert_not(shutdown_port_io(&sp, 1, 2, false, &v, &stop));
}
