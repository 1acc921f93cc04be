/* tests/unit/test_rtc_clock.c - the calendar of the virtual RTC's clock. */
#include <criterion/criterion.h>
#include "devices/rtc_clock.h"

static struct rtc_clock date(unsigned y, unsigned mon, unsigned mday, unsigned h, unsigned m,
                             unsigned s)
{
    return (struct rtc_clock){.sec = (uint8_t)s,
                              .min = (uint8_t)m,
                              .hour = (uint8_t)h,
                              .wday = 1,
                              .mday = (uint8_t)mday,
                              .mon = (uint8_t)mon,
                              .year = (uint8_t)(y % 100),
                              .century = (uint8_t)(y / 100)};
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(rtc_clock);

Test(rtc_clock, floor_division)
{
    cr_assert_eq(rtc_floor_div(7, 2), 3);
    cr_assert_eq(rtc_floor_div(-7, 2), -4);
    cr_assert_eq(rtc_floor_div(-8, 2), -4);
    cr_assert_eq(rtc_floor_div(0, 5), 0);
}

Test(rtc_clock, known_dates)
{
    struct rtc_clock c = date(1970, 1, 1, 0, 0, 0);
    cr_assert_eq(rtc_clock_secs(&c), 0);
    c = date(2023, 11, 14, 22, 13, 20);
    cr_assert_eq(rtc_clock_secs(&c), 1700000000);
    c = date(2000, 2, 29, 0, 0, 0);
    cr_assert_eq(rtc_clock_secs(&c), 951782400);
    c = date(2038, 1, 19, 3, 14, 8);
    cr_assert_eq(rtc_clock_secs(&c), 2147483648ll);
    c = date(1900, 3, 1, 0, 0, 0);
    cr_assert_eq(rtc_clock_secs(&c), -2203891200ll);
    c = date(2024, 2, 31, 0, 0, 0); /* runs on into March */
    struct rtc_clock d = date(2024, 3, 2, 0, 0, 0);
    cr_assert_eq(rtc_clock_secs(&c), rtc_clock_secs(&d));
}

Test(rtc_clock, round_trip_over_four_centuries)
{
    for (int64_t day = -25567; day < 146097 + 25567; day += 13) { /* 1900 to 2470 */
        struct rtc_clock c = {.wday = 1};
        rtc_clock_from_secs(&c, day * 86400 + 3723);
        cr_assert_eq(c.hour, 1);
        cr_assert_eq(c.min, 2);
        cr_assert_eq(c.sec, 3);
        cr_assert(c.mon >= 1 && c.mon <= 12);
        cr_assert(c.mday >= 1 && c.mday <= 31);
        cr_assert_eq(rtc_clock_secs(&c), day * 86400 + 3723, "day %ld", (long)day);
    }
}

Test(rtc_clock, add_counts_midnights_into_the_day_of_week)
{
    struct rtc_clock c = date(2099, 12, 31, 23, 59, 59);
    c.wday = 7;
    rtc_clock_add(&c, 1);
    cr_assert_eq(c.wday, 1);
    cr_assert_eq(c.century, 21);
    cr_assert_eq(c.year, 0);
    cr_assert_eq(c.mon, 1);
    cr_assert_eq(c.mday, 1);
    rtc_clock_add(&c, 86400 * 13 + 5);
    cr_assert_eq(c.wday, 7);
    cr_assert_eq(c.mday, 14);
    cr_assert_eq(c.sec, 5);
    rtc_clock_add(&c, 0);
    rtc_clock_add(&c, -100);
    cr_assert_eq(c.sec, 5);
    c = date(9999, 12, 31, 23, 59, 59);
    rtc_clock_add(&c, 1);
    cr_assert_eq(c.century, 0); /* year 10000 wraps to 00 00 */
    cr_assert_eq(c.year, 0);
    rtc_clock_from_secs(&c, -62167219200ll - 86400); /* 31 December of year -1 */
    cr_assert_eq(c.century, 0);
    cr_assert_eq(c.year, 0);
}
