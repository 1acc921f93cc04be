/* tests/unit/test_rtc.c - the virtual MC146818 RTC and CMOS. */
#include <criterion/criterion.h>
#include "devices/rtc.h"

#define S  1000000000ull
#define MS 1000000ull

static struct rtc rtc;
static bool irq_level;
static int irq_rises;

static void irq8(void *ctx, bool level)
{
    cr_assert_eq(ctx, &rtc);
    irq_rises += level && !irq_level;
    irq_level = level;
}

/* 2023-11-14 22:13:20 UTC, a Tuesday. */
#define EPOCH 1700000000ll

static void setup(void)
{
    irq_level = false;
    irq_rises = 0;
    rtc_init(&rtc, EPOCH, 0, irq8, &rtc);
}

static uint8_t rd(uint8_t index, uint64_t now)
{
    uint32_t v = index;
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 1, false, &v, now));
    v = 0x12345678;
    cr_assert(rtc_io(&rtc, RTC_PORT_DATA, 1, true, &v, now));
    cr_assert_leq(v, 0xff);
    return (uint8_t)v;
}

static void wr(uint8_t index, uint8_t value, uint64_t now)
{
    uint32_t v = index;
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 1, false, &v, now));
    v = value;
    cr_assert(rtc_io(&rtc, RTC_PORT_DATA, 1, false, &v, now));
}

static void expect_time(uint64_t now, uint8_t sec, uint8_t min, uint8_t hour, uint8_t wday,
                        uint8_t mday, uint8_t mon, uint8_t year, uint8_t century)
{
    cr_assert_eq(rd(RTC_SECONDS, now), sec);
    cr_assert_eq(rd(RTC_MINUTES, now), min);
    cr_assert_eq(rd(RTC_HOURS, now), hour);
    cr_assert_eq(rd(RTC_DAY_OF_WEEK, now), wday);
    cr_assert_eq(rd(RTC_DAY_OF_MONTH, now), mday);
    cr_assert_eq(rd(RTC_MONTH, now), mon);
    cr_assert_eq(rd(RTC_YEAR, now), year);
    cr_assert_eq(rd(RTC_CENTURY, now), century);
}

/* Linux's mc146818_set_time: SET and the divider reset around the writes, BCD values. */
static void set_time(uint64_t now, uint8_t sec, uint8_t min, uint8_t hour, uint8_t mday,
                     uint8_t mon, uint8_t year, uint8_t century)
{
    uint8_t b = rd(RTC_REG_B, now), a = rd(RTC_REG_A, now);
    wr(RTC_REG_B, b | RTC_B_SET, now);
    wr(RTC_REG_A, a | 0x70, now);
    wr(RTC_YEAR, year, now);
    wr(RTC_MONTH, mon, now);
    wr(RTC_DAY_OF_MONTH, mday, now);
    wr(RTC_HOURS, hour, now);
    wr(RTC_MINUTES, min, now);
    wr(RTC_SECONDS, sec, now);
    wr(RTC_CENTURY, century, now);
    wr(RTC_REG_B, b, now);
    wr(RTC_REG_A, a & 0x7f, now);
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(rtc, .init = setup);

Test(rtc, initial_time_in_bcd_24h)
{
    expect_time(0, 0x20, 0x13, 0x22, 3, 0x14, 0x11, 0x23, 0x20);
    cr_assert_eq(rd(RTC_REG_A, 0), 0x26);
    cr_assert_eq(rd(RTC_REG_B, 0), 0x02);
    cr_assert_eq(rd(RTC_REG_C, 0), 0x00);
    cr_assert_eq(rd(RTC_REG_D, 0), 0x80);
    struct rtc_clock c = rtc_time(&rtc, 0);
    cr_assert_eq(c.hour, 22);
    cr_assert_eq(c.century, 20);
}

Test(rtc, binary_and_12_hour_modes)
{
    wr(RTC_REG_B, RTC_B_24H | RTC_B_DM, 0);
    expect_time(0, 20, 13, 22, 3, 14, 11, 23, 20);
    wr(RTC_REG_B, 0, 0); /* BCD, 12-hour: 10 PM */
    cr_assert_eq(rd(RTC_HOURS, 0), 0x90);
    wr(RTC_REG_B, RTC_B_DM, 0); /* binary, 12-hour */
    cr_assert_eq(rd(RTC_HOURS, 0), 0x8a);
    wr(RTC_HOURS, 0x0c, 0); /* 12 AM */
    wr(RTC_REG_B, RTC_B_DM | RTC_B_24H, 0);
    cr_assert_eq(rd(RTC_HOURS, 0), 0);
    wr(RTC_REG_B, 0, 0);
    wr(RTC_HOURS, 0x92, 0); /* 12 PM, BCD */
    cr_assert_eq(rd(RTC_HOURS, 0), 0x92);
    wr(RTC_REG_B, RTC_B_24H, 0);
    cr_assert_eq(rd(RTC_HOURS, 0), 0x12);
    wr(RTC_REG_B, 0, 0);
    wr(RTC_HOURS, 0x81, 0); /* 1 PM */
    wr(RTC_REG_B, RTC_B_24H, 0);
    cr_assert_eq(rd(RTC_HOURS, 0), 0x13);
}

Test(rtc, time_advances_with_virtual_time)
{
    cr_assert_eq(rd(RTC_SECONDS, S - 1), 0x20);
    cr_assert_eq(rd(RTC_SECONDS, S), 0x21);
    cr_assert_eq(rd(RTC_SECONDS, 40 * S), 0x00);
    cr_assert_eq(rd(RTC_MINUTES, 40 * S), 0x14);
    cr_assert_eq(rd(RTC_HOURS, (40 + 46 * 60) * S), 0x23);
    expect_time((40 + 106 * 60) * S, 0x00, 0x00, 0x00, 4, 0x15, 0x11, 0x23, 0x20);
    expect_time(48 * 86400 * S, 0x20, 0x13, 0x22, 2, 0x01, 0x01, 0x24, 0x20); /* 1 Jan 2024 */
}

Test(rtc, carries_through_leap_day_and_century)
{
    set_time(0, 0x59, 0x59, 0x23, 0x28, 0x02, 0x00, 0x20);
    wr(RTC_DAY_OF_WEEK, 2, 0);
    uint64_t first = 500 * MS; /* the divider was released at 0: first update 500 ms later */
    cr_assert_eq(rd(RTC_SECONDS, first - 1), 0x59);
    expect_time(first, 0x00, 0x00, 0x00, 3, 0x29, 0x02, 0x00, 0x20); /* 2000 is a leap year */
    set_time(S, 0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x20);
    wr(RTC_DAY_OF_WEEK, 7, S);
    expect_time(S + 500 * MS, 0x00, 0x00, 0x00, 1, 0x01, 0x01, 0x00, 0x21);
    set_time(3 * S, 0x59, 0x59, 0x23, 0x28, 0x02, 0x00, 0x21); /* 2100 is not */
    expect_time(3 * S + 500 * MS, 0x00, 0x00, 0x00, 2, 0x01, 0x03, 0x00, 0x21);
}

Test(rtc, uip_is_set_244_us_before_each_update)
{
    cr_assert_eq(rd(RTC_REG_A, 999755859) & RTC_A_UIP, 0);
    cr_assert_eq(rd(RTC_REG_A, 999755860) & RTC_A_UIP, RTC_A_UIP);
    cr_assert_eq(rd(RTC_SECONDS, S - 1), 0x20); /* the old time until the update */
    cr_assert_eq(rd(RTC_REG_A, S - 1) & RTC_A_UIP, RTC_A_UIP);
    cr_assert_eq(rd(RTC_REG_A, S) & RTC_A_UIP, 0);
    cr_assert_eq(rd(RTC_SECONDS, S), 0x21);
    cr_assert_eq(rd(RTC_REG_A, 5 * S + 999800000) & RTC_A_UIP, RTC_A_UIP);
    wr(RTC_REG_B, RTC_B_24H | RTC_B_SET, 5 * S + 999800000);
    cr_assert_eq(rd(RTC_REG_A, 5 * S + 999900000) & RTC_A_UIP, 0); /* SET clears UIP */
}

/* Linux's mc146818_get_time: wait for UIP to clear, read, check nothing changed. */
Test(rtc, linux_style_read_around_uip)
{
    uint64_t now = 2 * S + 999900000;
    while (rd(RTC_REG_A, now) & RTC_A_UIP)
        now += 10000;
    cr_assert_geq(now, 3 * S);
    cr_assert_lt(now, 3 * S + 10000);
    cr_assert_eq(rd(RTC_SECONDS, now), 0x23);
}

Test(rtc, set_freezes_the_clock_and_clears_uie)
{
    wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE, 0);
    wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET, 300 * MS);
    cr_assert_eq(rd(RTC_REG_B, 300 * MS), RTC_B_24H | RTC_B_SET);
    cr_assert_eq(rd(RTC_SECONDS, 10 * S), 0x20);
    wr(RTC_SECONDS, 0x45, 10 * S + 700 * MS);
    wr(RTC_REG_B, RTC_B_24H, 10 * S + 700 * MS);
    cr_assert_eq(rd(RTC_SECONDS, 10 * S + 999 * MS), 0x45);
    cr_assert_eq(rd(RTC_SECONDS, 11 * S), 0x46); /* the phase of updates is kept */
    cr_assert_eq(rd(RTC_REG_C, 11 * S) & RTC_C_UF, RTC_C_UF);
}

Test(rtc, writes_while_running_take_effect_at_once)
{
    wr(RTC_MINUTES, 0x58, 2 * S + 300 * MS);
    cr_assert_eq(rd(RTC_MINUTES, 2 * S + 300 * MS), 0x58);
    cr_assert_eq(rd(RTC_SECONDS, 2 * S + 300 * MS), 0x22);
    cr_assert_eq(rd(RTC_SECONDS, 3 * S), 0x23);
    cr_assert_eq(rd(RTC_HOURS, 60 * S), 0x22);
    cr_assert_eq(rd(RTC_MINUTES, 60 * S), 0x59);
}

Test(rtc, divider_reset_holds_the_clock)
{
    wr(RTC_REG_A, 0x76, 200 * MS);
    cr_assert_eq(rd(RTC_REG_A, 49 * S + 999900000) & RTC_A_UIP, 0); /* no updates, no UIP */
    cr_assert_eq(rd(RTC_SECONDS, 50 * S), 0x20);
    wr(RTC_REG_A, 0x26, 50 * S + 100 * MS);
    cr_assert_eq(rd(RTC_SECONDS, 50 * S + 599 * MS), 0x20);
    cr_assert_eq(rd(RTC_SECONDS, 50 * S + 600 * MS), 0x21);
    cr_assert_eq(rd(RTC_SECONDS, 51 * S + 600 * MS), 0x22);
    wr(RTC_REG_A, 0x06, 52 * S); /* DV 000: another time base, stopped here */
    cr_assert_eq(rd(RTC_SECONDS, 60 * S), 0x22);
}

Test(rtc, periodic_rates)
{
    static const struct {
        uint8_t rs;
        uint64_t period;
    } cases[] = {
        {1, 3906250}, {2, 7812500}, {3, 122071}, {6, 976563}, {15, 500000000},
    };
    for (unsigned i = 0; i < 5; i++) {
        setup();
        wr(RTC_REG_A, (uint8_t)(0x20 | cases[i].rs), 0);
        wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE, 0);
        cr_assert_eq(rtc_next_event(&rtc, 0), cases[i].period, "RS %u: %lu", cases[i].rs,
                     (unsigned long)rtc_next_event(&rtc, 0));
        rtc_advance(&rtc, cases[i].period - 1);
        cr_assert_not(irq_level);
        rtc_advance(&rtc, cases[i].period);
        cr_assert(irq_level);
        cr_assert_eq(rtc_next_event(&rtc, cases[i].period), UINT64_MAX); /* until C is read */
        cr_assert_eq(rd(RTC_REG_C, cases[i].period), RTC_C_IRQF | RTC_C_PF);
        cr_assert_not(irq_level);
        cr_assert_eq(irq_rises, 1);
    }
}

Test(rtc, periodic_at_1024_hz_stays_on_the_divider_grid)
{
    wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE, 0);
    uint64_t now = 0;
    for (unsigned k = 1; k <= 2048; k++) {
        now = rtc_next_event(&rtc, now);
        cr_assert_eq(now, (k * S + 1023) / 1024);
        rtc_advance(&rtc, now);
        cr_assert_eq(rd(RTC_REG_C, now), RTC_C_IRQF | RTC_C_PF | (k % 1024 ? 0 : RTC_C_UF));
    }
    cr_assert_eq(irq_rises, 2048);
}

Test(rtc, flags_are_set_without_their_enables)
{
    cr_assert_eq(rtc_next_event(&rtc, 0), UINT64_MAX); /* nothing enabled */
    rtc_advance(&rtc, 2 * S);
    cr_assert_not(irq_level);
    cr_assert_eq(rd(RTC_REG_C, 2 * S), RTC_C_PF | RTC_C_UF);
    cr_assert_eq(rd(RTC_REG_C, 2 * S), 0); /* read clears */
    rtc_advance(&rtc, 3 * S);
    wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE, 3 * S); /* enabling a set flag raises IRQ8 at once */
    cr_assert(irq_level);
    cr_assert_eq(rd(RTC_REG_C, 3 * S), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
    cr_assert_not(irq_level);
    wr(RTC_REG_A, 0x20, 3 * S); /* RS 0: no periodic flag */
    rtc_advance(&rtc, 3 * S + 900 * MS);
    cr_assert_eq(rd(RTC_REG_C, 3 * S + 900 * MS), 0);
}

Test(rtc, update_ended_interrupt)
{
    wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE, 100 * MS);
    cr_assert_eq(rtc_next_event(&rtc, 100 * MS), S);
    rtc_advance(&rtc, S);
    cr_assert(irq_level);
    cr_assert_eq(rd(RTC_REG_C, S + 1), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
    cr_assert_eq(rtc_next_event(&rtc, S + 1), 2 * S);
    cr_assert_eq(rtc_next_event(&rtc, 5 * S), 5 * S); /* overdue: now */
}

Test(rtc, alarm_interrupt)
{
    wr(RTC_SECONDS_ALARM, 0x25, 0);
    wr(RTC_MINUTES_ALARM, 0x13, 0);
    wr(RTC_HOURS_ALARM, 0x22, 0);
    wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE, 0);
    cr_assert_eq(rtc_next_event(&rtc, 0), 5 * S);
    rtc_advance(&rtc, 5 * S - 1);
    cr_assert_not(irq_level);
    rtc_advance(&rtc, 5 * S);
    cr_assert(irq_level);
    cr_assert_eq(rd(RTC_REG_C, 5 * S) & (RTC_C_IRQF | RTC_C_AF), RTC_C_IRQF | RTC_C_AF);
    cr_assert_eq(rtc_next_event(&rtc, 5 * S), (5 + 86400) * S); /* tomorrow */
}

/* The alarm bytes are compared at the updates only: an alarm equal to the time shown since
 * the last update does not match in between, however often the board syncs (at every VM
 * exit), and the one for the next second matches at that update, with AIE off too (AF only). */
Test(rtc, alarm_flag_only_at_an_update)
{
    wr(RTC_SECONDS_ALARM, 0x20, 0); /* 22:13:20: what the clock shows from 0 to 1 s */
    wr(RTC_MINUTES_ALARM, 0x13, 0);
    wr(RTC_HOURS_ALARM, 0x22, 0);
    for (uint64_t t = MS; t < S; t += MS)
        rtc_advance(&rtc, t);
    cr_assert_eq(rd(RTC_REG_C, S - 1) & RTC_C_AF, 0);
    wr(RTC_SECONDS_ALARM, 0x21, S - 1); /* 22:13:21: the update at 1 s shows it */
    rtc_advance(&rtc, S - 1);
    cr_assert_eq(rd(RTC_REG_C, S - 1) & RTC_C_AF, 0);
    rtc_advance(&rtc, S);
    cr_assert_not(irq_level); /* AIE off: the flag without the interrupt */
    cr_assert_eq(rd(RTC_REG_C, S) & (RTC_C_AF | RTC_C_UF), RTC_C_AF | RTC_C_UF);
    for (uint64_t t = S + MS; t <= 3 * S; t += MS)
        rtc_advance(&rtc, t);
    cr_assert_eq(rd(RTC_REG_C, 3 * S) & (RTC_C_AF | RTC_C_UF), RTC_C_UF); /* not again today */
}

Test(rtc, alarm_dont_care_bytes)
{
    wr(RTC_SECONDS_ALARM, 0x30, 0);
    wr(RTC_MINUTES_ALARM, 0xc0, 0);
    wr(RTC_HOURS_ALARM, 0xff, 0);
    wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE, 0);
    cr_assert_eq(rtc_next_event(&rtc, 0), 10 * S); /* 22:13:30 */
    rtc_advance(&rtc, 10 * S);
    rd(RTC_REG_C, 10 * S);
    cr_assert_eq(rtc_next_event(&rtc, 10 * S), 70 * S); /* every minute */
    wr(RTC_SECONDS_ALARM, 0xc5, 10 * S);                /* every second */
    cr_assert_eq(rtc_next_event(&rtc, 10 * S), 11 * S);
    wr(RTC_SECONDS_ALARM, 0x60, 10 * S); /* no second is 60: never */
    cr_assert_eq(rtc_next_event(&rtc, 10 * S), UINT64_MAX);
    rtc_advance(&rtc, 200000 * S);
    cr_assert_eq(rd(RTC_REG_C, 200000 * S) & RTC_C_AF, 0);
}

Test(rtc, alarm_in_12_hour_mode)
{
    wr(RTC_REG_B, 0, 0); /* BCD, 12-hour */
    wr(RTC_SECONDS_ALARM, 0x00, 0);
    wr(RTC_MINUTES_ALARM, 0x00, 0);
    wr(RTC_HOURS_ALARM, 0x81, 0); /* 1 PM */
    wr(RTC_REG_B, RTC_B_AIE, 0);
    /* from 22:13:20 to 13:00:00 the next day */
    cr_assert_eq(rtc_next_event(&rtc, 0),
                 (uint64_t)(86400 - (22 * 3600 + 13 * 60 + 20) + 13 * 3600) * S);
}

Test(rtc, register_c_d_are_read_only_and_nmi_bit)
{
    wr(RTC_REG_C, 0xff, 0);
    wr(RTC_REG_D, 0x00, 0);
    cr_assert_eq(rd(RTC_REG_C, 0), 0);
    cr_assert_eq(rd(RTC_REG_D, 0), RTC_D_VRT);
    cr_assert_not(rtc_nmi_disabled(&rtc));
    uint32_t v = RTC_NMI_DISABLE | RTC_REG_B;
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 1, false, &v, 0));
    cr_assert(rtc_nmi_disabled(&rtc));
    cr_assert(rtc_io(&rtc, RTC_PORT_DATA, 1, true, &v, 0));
    cr_assert_eq(v, RTC_B_24H); /* index 0x0b, the NMI bit aside */
    wr(RTC_REG_A, 0xa6, 0);     /* UIP is read-only */
    cr_assert_eq(rtc.cmos[RTC_REG_A], 0x26);
}

Test(rtc, cmos_ram_and_board_helpers)
{
    wr(0x40, 0x5a, 0);
    cr_assert_eq(rd(0x40, 0), 0x5a);
    cr_assert_eq(rd(0x7f, 0), 0);
    cr_assert(rtc_cmos_set(&rtc, RTC_CMOS_EQUIPMENT, 0x06));
    cr_assert_not(rtc_cmos_set(&rtc, RTC_REG_B, 0));
    cr_assert_not(rtc_cmos_set(&rtc, RTC_CENTURY, 0));
    cr_assert_not(rtc_cmos_set(&rtc, 128, 0));
    rtc_cmos_set_memory(&rtc, 512ull << 20, 2ull << 30);
    cr_assert_eq(rd(0x15, 0) | rd(0x16, 0) << 8, 640);
    cr_assert_eq(rd(0x17, 0) | rd(0x18, 0) << 8, 0xffff); /* 511 MiB in KiB: saturated */
    cr_assert_eq(rd(0x30, 0) | rd(0x31, 0) << 8, 0xffff);
    cr_assert_eq(rd(0x34, 0) | rd(0x35, 0) << 8, (512 - 16) * 16);
    cr_assert_eq(rd(0x5b, 0) | rd(0x5c, 0) << 8 | rd(0x5d, 0) << 16, 2 * 16384);
    rtc_cmos_set_memory(&rtc, 32ull << 20, 0);
    cr_assert_eq(rd(0x17, 0) | rd(0x18, 0) << 8, 31 * 1024);
    rtc_cmos_set_memory(&rtc, 512 << 10, 0);
    cr_assert_eq(rd(0x15, 0) | rd(0x16, 0) << 8, 512);
    cr_assert_eq(rd(0x17, 0), 0);
    cr_assert_eq(rd(0x34, 0), 0);
    rtc_cmos_checksum(&rtc);
    unsigned sum = 0;
    for (uint8_t i = 0x10; i <= 0x2d; i++)
        sum += rd(i, 0);
    cr_assert_eq(rd(0x2e, 0) << 8 | rd(0x2f, 0), sum);
    cr_assert_eq(sum, 0x06 + 0x02 + 0x00); /* equipment + 512 KiB base memory (0x0200) */
}

Test(rtc, date_beyond_the_month_runs_on_after_an_update)
{
    set_time(0, 0x00, 0x00, 0x12, 0x31, 0x02, 0x24, 0x20); /* 31 February 2024 */
    cr_assert_eq(rd(RTC_DAY_OF_MONTH, 0), 0x31);           /* as written */
    cr_assert_eq(rd(RTC_DAY_OF_MONTH, 500 * MS), 0x02);    /* 2 March (leap year) */
    cr_assert_eq(rd(RTC_MONTH, 500 * MS), 0x03);
}

Test(rtc, malformed_input_is_contained)
{
    uint32_t v = 0;
    cr_assert_not(rtc_io(&rtc, 0x72, 1, true, &v, 0));
    cr_assert_not(rtc_io(&rtc, 0x6f, 2, true, &v, 0));
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 1, true, &v, 0));
    cr_assert_eq(v, 0xff);       /* the index port is write-only */
    v = 0x30 << 8 | RTC_SECONDS; /* a word write: index, then data */
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 2, false, &v, 0));
    cr_assert_eq(rd(RTC_SECONDS, 0), 0x30);
    v = RTC_MINUTES;
    cr_assert(rtc_io(&rtc, RTC_PORT_INDEX, 1, false, &v, 0));
    cr_assert(rtc_io(&rtc, RTC_PORT_DATA, 4, true, &v, 0));
    cr_assert_eq(v, 0xffffff13);
    v = 0xdead;
    cr_assert(rtc_io(&rtc, RTC_PORT_DATA, 0, true, &v, 0));
    cr_assert_eq(v, 0);
    wr(RTC_SECONDS, 0x7f, 0); /* not BCD: clamped */
    cr_assert_eq(rd(RTC_SECONDS, 0), 0x59);
    wr(RTC_MONTH, 0x00, 0);
    cr_assert_eq(rd(RTC_MONTH, 0), 0x01);
    wr(RTC_HOURS, 0x99, 0);
    cr_assert_eq(rd(RTC_HOURS, 0), 0x23);
    wr(RTC_DAY_OF_WEEK, 0x09, 0);
    cr_assert_eq(rd(RTC_DAY_OF_WEEK, 0), 0x07);
    wr(RTC_REG_B, 0, 0);
    wr(RTC_HOURS, 0x00, 0); /* hour 0 does not exist in 12-hour mode: 1 AM */
    wr(RTC_REG_B, RTC_B_24H, 0);
    cr_assert_eq(rd(RTC_HOURS, 0), 0x01);
    cr_assert_eq(rd(RTC_SECONDS, 5 * S), 0x04);
    cr_assert_eq(rd(RTC_SECONDS, 1 * S), 0x04); /* time going backwards counts as the latest */
    rtc_init(&rtc, -5, 0, NULL, NULL);          /* before 1970: 1970 */
    cr_assert_eq(rd(RTC_YEAR, 0), 0x70);
    cr_assert_eq(rd(RTC_CENTURY, 0), 0x19);
    cr_assert_eq(rd(RTC_DAY_OF_WEEK, 0), 5);
}
