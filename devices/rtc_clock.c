/*
 * devices/rtc_clock.c - the calendar of the RTC's clock (see rtc_clock.h): days since 1970 from
 * a proleptic Gregorian date and back, by the era (400-year cycle) method of H. Hinnant's
 * "chrono-compatible low-level date algorithms".
 */
#include "devices/rtc_clock.h"

#define SECS_PER_DAY 86400

int64_t rtc_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* Days since 1970-01-01 of a Gregorian date (month 1-12; days beyond the month run on). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = rtc_floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* 0-399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* from March 1 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = rtc_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t rtc_clock_secs(const struct rtc_clock *c)
{
    int64_t y = c->century * 100 + c->year;
    return days_from_civil(y, c->mon, c->mday) * SECS_PER_DAY + c->hour * 3600 + c->min * 60 +
           c->sec;
}

void rtc_clock_from_secs(struct rtc_clock *c, int64_t s)
{
    int64_t days = rtc_floor_div(s, SECS_PER_DAY), sod = s - days * SECS_PER_DAY, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    y = y < 0 ? 0 : y;
    c->century = (uint8_t)(y / 100 % 100);
    c->year = (uint8_t)(y % 100);
    c->mon = (uint8_t)m;
    c->mday = (uint8_t)d;
    c->hour = (uint8_t)(sod / 3600);
    c->min = (uint8_t)(sod / 60 % 60);
    c->sec = (uint8_t)(sod % 60);
}

void rtc_clock_add(struct rtc_clock *c, int64_t n)
{
    if (n <= 0)
        return;
    int64_t s = rtc_clock_secs(c);
    int64_t days = rtc_floor_div(s + n, SECS_PER_DAY) - rtc_floor_div(s, SECS_PER_DAY);
    c->wday = (uint8_t)((c->wday - 1 + days % 7) % 7 + 1);
    rtc_clock_from_secs(c, s + n);
}
