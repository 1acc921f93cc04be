/* tests/unit/test_port_policy.c - the policy for ports no device claims. */
#include <criterion/criterion.h>
#include <string.h>
#include "devices/port_policy.h"

Test(port_policy, reads_all_ones_writes_dropped)
{
    uint32_t v = 0x1234;
    cr_assert_eq(port_policy_ones(1), 0xff);
    cr_assert_eq(port_policy_ones(2), 0xffff);
    cr_assert_eq(port_policy_ones(4), 0xffffffff);
    port_policy_access(2, true, &v);
    cr_assert_eq(v, 0xffff);
    v = 0x1234;
    port_policy_access(1, false, &v);
    cr_assert_eq(v, 0x1234, "a write leaves the value alone");
}

Test(port_policy, each_port_once)
{
    struct port_log log;
    port_log_init(&log);
    cr_assert(port_policy_note(&log, 0x61));
    cr_assert_not(port_policy_note(&log, 0x61));
    cr_assert(port_policy_note(&log, 0x0));
    cr_assert_not(port_policy_note(&log, 0x0));
    cr_assert(port_policy_note(&log, 0xffff));
    cr_assert_not(port_policy_note(&log, 0x61));
    cr_assert_eq(log.count, 3);
}

Test(port_policy, and_more_after_the_set_fills)
{
    struct port_log log;
    char buf[160];
    port_log_init(&log);
    for (unsigned i = 0; i < PORT_LOG_MAX; i++)
        cr_assert(port_policy_note(&log, (uint16_t)(0x100 + i)));
    cr_assert(port_policy_note(&log, 0x200), "the first port that does not fit: and more");
    port_policy_message(&log, 0x200, 1, false, buf, sizeof(buf));
    cr_assert_str_eq(buf, "OUT to port 0x200 (1 byte): no device there (reads all ones, writes "
                          "ignored); more such ports are not reported");
    cr_assert_not(port_policy_note(&log, 0x201));
    cr_assert_not(port_policy_note(&log, 0x200));
    cr_assert_not(port_policy_note(&log, 0x100), "known ports stay quiet");
}

Test(port_policy, message)
{
    struct port_log log;
    char buf[160];
    port_log_init(&log);
    cr_assert(port_policy_note(&log, 0x61));
    int n = port_policy_message(&log, 0x61, 1, true, buf, sizeof(buf));
    cr_assert_str_eq(buf, "IN from port 0x61 (1 byte): no device there (reads all ones, writes "
                          "ignored)");
    cr_assert_eq(n, (int)strlen(buf));
    port_policy_message(&log, 0x61, 4, false, buf, 30);
    cr_assert_str_eq(buf, "OUT to port 0x61 (4 bytes): n");
}
