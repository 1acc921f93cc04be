/* tests/unit/test_i8254.c - the virtual 8254 PIT and port 0x61. */
#include <criterion/criterion.h>
#include "devices/i8254.h"

static struct i8254 pit;
static bool levels[64];
static int nlevels;

static void irq0(void *ctx, bool level)
{
    cr_assert_eq(ctx, &pit);
    levels[nlevels++ % 64] = level;
}

static int rises(void)
{
    int n = 0;
    for (int i = 0; i < nlevels && i < 64; i++)
        n += levels[i] && (i == 0 || !levels[i - 1]);
    return n;
}

static void setup(void)
{
    nlevels = 0;
    i8254_init(&pit, irq0, &pit, 0);
}

static void out8(uint16_t port, uint8_t v, uint64_t now)
{
    uint32_t value = v;
    cr_assert(i8254_io(&pit, port, 1, false, &value, now));
}

static uint8_t in8(uint16_t port, uint64_t now)
{
    uint32_t value = 0x12345678;
    cr_assert(i8254_io(&pit, port, 1, true, &value, now));
    cr_assert_leq(value, 0xff);
    return (uint8_t)value;
}

static uint16_t in16(uint16_t port, uint64_t now)
{
    uint16_t lo = in8(port, now);
    return (uint16_t)(lo | in8(port, now) << 8);
}

static void program(unsigned channel, uint8_t mode_rw, uint16_t count, uint64_t now)
{
    out8(I8254_PORT_CTRL, (uint8_t)(channel << 6 | mode_rw), now);
    out8((uint16_t)(I8254_PORT_CH0 + channel), (uint8_t)count, now);
    out8((uint16_t)(I8254_PORT_CH0 + channel), (uint8_t)(count >> 8), now);
}

#define T(k) i8254_clock_ns(k)

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(i8254, .init = setup);

Test(i8254, clock_conversions_are_exact)
{
    cr_assert_eq(i8254_clocks(999999999), 1193181);
    cr_assert_eq(i8254_clocks(1000000000), 1193182);
    cr_assert_eq(i8254_clock_ns(1193182), 1000000000);
    cr_assert_eq(i8254_clock_ns(1), 839); /* 838.095 ns */
    cr_assert_eq(i8254_clocks(838), 0);
    cr_assert_eq(i8254_clocks(839), 1);
    cr_assert_eq(i8254_clocks(1000000000000000000ull), 1193182000000000ull); /* no overflow */
    for (uint64_t k = 1; k < 3000000; k += 997) {
        cr_assert_eq(i8254_clocks(i8254_clock_ns(k)), k);
        cr_assert_eq(i8254_clocks(i8254_clock_ns(k) - 1), k - 1);
    }
    cr_assert_eq(i8254_clock_ns(UINT64_MAX), UINT64_MAX);
}

Test(i8254, reset_state_is_quiet)
{
    cr_assert_eq(i8254_next_event(&pit, 0), UINT64_MAX);
    i8254_advance(&pit, 1000000);
    cr_assert_eq(nlevels, 1);
    cr_assert(levels[0]); /* OUT0 high after the mode 3 control word of reset */
    out8(I8254_PORT_CTRL, 0xc2 | 0x20, 2000000); /* read back status of channel 0 */
    cr_assert_eq(in8(0x40, 2000000), 0x80 | 0x40 | 0x30 | 0x06);
    cr_assert_eq(in8(I8254_PORT_61, 2000000) & 0x21, 0x20); /* gate 2 low, OUT2 high */
}

/* Linux's pit_calibrate_tsc: channel 2, mode 0, gate through port 0x61, wait for OUT2. */
Test(i8254, linux_calibration_in_mode_0_through_port_61)
{
    uint64_t t0 = 0;
    out8(I8254_PORT_61, (uint8_t)((in8(I8254_PORT_61, t0) & ~0x02) | 0x01), t0);
    out8(I8254_PORT_CTRL, 0xb0, t0);
    cr_assert_eq(in8(I8254_PORT_61, t0) & 0x20, 0); /* mode 0: OUT low */
    out8(0x42, 59659 & 0xff, t0);
    out8(0x42, 59659 >> 8, t0);
    /* loaded on the clock after the write (1), high 59659 clocks later */
    cr_assert_eq(in8(I8254_PORT_61, 49999916) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, 50000754) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, 50000755) & 0x20, 0x20);
    cr_assert_eq(in8(I8254_PORT_61, 90000000) & 0x20, 0x20); /* one-shot: stays high */
    cr_assert_eq(nlevels, 1);                                /* channel 2 never touches IRQ0 */
}

/* Linux's quick_pit_calibrate: mode 0 from 0xffff, reading the count without a latch. */
Test(i8254, quick_calibration_reads_a_falling_msb)
{
    out8(I8254_PORT_61, 0x01, 0);
    program(2, 0x30, 0xffff, 0);
    uint64_t now = T(1 + 256 * 3) + 10; /* 3 * 256 clocks after the load */
    cr_assert_eq(in16(0x42, now), 0xffff - 768);
    cr_assert_eq(in8(0x42, T(1 + 2000)), 0x2f); /* 0xffff - 2000 = 0xf82f */
    cr_assert_eq(in8(0x42, T(1 + 2000)), 0xf8);
    cr_assert_eq(in8(0x42, T(1 + 2100)), 0xcb); /* LSB then MSB, each of its own moment */
    cr_assert_eq(in8(0x42, T(1 + 2400)), 0xf6);
}

Test(i8254, mode_2_periodic_at_100_250_1000_hz)
{
    static const struct {
        unsigned hz;
        uint64_t first[3];
    } cases[] = {
        {100, {10000989, 20001140, 30001291}},
        {250, {4001067, 8001295, 12001522}},
        {1000, {1000686, 2000534, 3000381}},
    };
    for (unsigned i = 0; i < 3; i++) {
        setup();
        uint16_t latch = (uint16_t)((I8254_HZ + cases[i].hz / 2) / cases[i].hz);
        program(0, 0x34, latch, 0); /* Linux's init_pit_timer periodic */
        int before = rises();
        for (unsigned j = 0; j < 3; j++) {
            uint64_t at = i8254_next_event(&pit, cases[i].first[0] / 2);
            if (j)
                at = i8254_next_event(&pit, cases[i].first[j - 1]);
            cr_assert_eq(at, cases[i].first[j], "%u Hz, event %u: %lu", cases[i].hz, j,
                         (unsigned long)at);
            i8254_advance(&pit, at - 1);
            cr_assert_eq(rises(), before + (int)j);
            i8254_advance(&pit, at);
            cr_assert_eq(rises(), before + (int)j + 1);
        }
        /* a long run: the period stays exact, 100 periods later */
        uint64_t k = 1 + 103 * (uint64_t)latch;
        cr_assert_eq(i8254_next_event(&pit, cases[i].first[2]), T(1 + 4 * (uint64_t)latch));
        i8254_advance(&pit, T(k) - 1);
        cr_assert_eq(i8254_next_event(&pit, T(k) - 1), T(k));
    }
}

Test(i8254, mode_2_count_and_the_one_clock_low_pulse)
{
    program(0, 0x34, 100, 0);
    cr_assert_eq(in16(0x40, T(1)), 100);
    cr_assert_eq(in16(0x40, T(2)), 99);
    cr_assert_eq(in16(0x40, T(100)), 1);
    cr_assert_not(i8254_out(&pit, 0, T(100)));
    cr_assert(i8254_out(&pit, 0, T(101)));
    cr_assert_eq(in16(0x40, T(101)), 100);
    cr_assert_eq(in16(0x40, T(150)), 51);
}

Test(i8254, late_advance_reports_one_edge)
{
    program(0, 0x34, 100, 0);
    i8254_advance(&pit, 0);
    nlevels = 0;
    i8254_advance(&pit, T(1005) + 5); /* 10 periods late, OUT high again */
    cr_assert_eq(nlevels, 2);
    cr_assert_not(levels[0]);
    cr_assert(levels[1]);
    nlevels = 0;
    i8254_advance(&pit, T(1100)); /* in the low clock, no rise since: just low */
    cr_assert_eq(nlevels, 1);
    cr_assert_not(levels[0]);
    i8254_advance(&pit, T(1101));
    nlevels = 0;
    i8254_advance(&pit, T(1200)); /* the low clock again, no rise since 1101: just low */
    cr_assert_eq(nlevels, 1);
    nlevels = 0;
    i8254_advance(&pit, T(1300)); /* rose at 1201, low again at 1300: high, then low */
    cr_assert_eq(nlevels, 2);
    cr_assert(levels[0] && !levels[1]);
    cr_assert_eq(i8254_next_event(&pit, T(1300)), T(1301));
    cr_assert_eq(i8254_next_event(&pit, T(2000)), T(2000)); /* overdue: now */
}

Test(i8254, counter_latch_command)
{
    program(0, 0x34, 1000, 0);
    out8(I8254_PORT_CTRL, 0x00, T(11)); /* latch channel 0: count 990 */
    out8(I8254_PORT_CTRL, 0x00, T(21)); /* ignored: already latched */
    cr_assert_eq(in8(0x40, T(500)), 990 & 0xff);
    cr_assert_eq(in8(0x40, T(600)), 990 >> 8);
    cr_assert_eq(in16(0x40, T(601)), 400); /* unlatched again */
    out8(I8254_PORT_CTRL, 0x00, T(701));
    cr_assert_eq(in16(0x40, T(900)), 300);
}

Test(i8254, read_back_status_then_count)
{
    program(0, 0x34, 1000, T(5));
    out8(I8254_PORT_CTRL, 0xc2, T(5)); /* count and status of channel 0, in the write's clock */
    cr_assert_eq(in8(0x40, T(5)), 0x80 | 0x40 | 0x34); /* OUT high, NULL COUNT: not loaded */
    in16(0x40, T(5));
    out8(I8254_PORT_CTRL, 0xc2, T(16));
    out8(I8254_PORT_CTRL, 0xc2, T(17)); /* both latches taken: ignored */
    cr_assert_eq(in8(0x40, T(30)), 0x80 | 0x34);
    cr_assert_eq(in16(0x40, T(40)), 990);
    out8(I8254_PORT_CTRL, 0xea, T(50)); /* status only, of channels 0 and 2 */
    cr_assert_eq(in8(0x40, T(60)), 0x80 | 0x34);
    cr_assert_eq(in16(0x40, T(60)), 946);
    cr_assert_eq(in8(0x42, T(60)), 0x80 | 0x40 | 0x36); /* reset state of channel 2 */
    out8(I8254_PORT_CTRL, 0xd4, T(70));                 /* count only, channel 1 */
    cr_assert_eq(pit.ch[1].count_latched, true);
    cr_assert_eq(pit.ch[1].status_latched, false);
}

Test(i8254, mode_3_square_wave_even_and_odd)
{
    program(0, 0x36, 4, 0);
    bool expect[] = {true, true, false, false, true, true, false, false};
    for (unsigned k = 0; k < 8; k++)
        cr_assert_eq(i8254_out(&pit, 0, T(1 + k)), expect[k], "clock %u", k);
    cr_assert_eq(in16(0x40, T(1)), 4);
    cr_assert_eq(in16(0x40, T(2)), 2);
    cr_assert_eq(in16(0x40, T(3)), 4);
    cr_assert_eq(i8254_next_event(&pit, T(3)), T(5));
    program(2, 0xb6, 5, T(100));         /* odd: high 3, low 2 */
    out8(I8254_PORT_61, 0x01, T(100));   /* gate rises: reload on the next clock */
    cr_assert_eq(in16(0x42, T(101)), 4); /* odd counts read even, down by two */
    cr_assert_eq(in16(0x42, T(102)), 2);
    bool expect5[] = {true, true, true, false, false, true};
    for (unsigned k = 0; k < 6; k++)
        cr_assert_eq(i8254_out(&pit, 2, T(101 + k)), expect5[k], "clock %u", k);
}

Test(i8254, mode_4_strobe_is_a_one_shot)
{
    program(0, 0x38, 50, 0); /* Linux's oneshot clockevent */
    cr_assert_eq(i8254_next_event(&pit, 0), T(52));
    cr_assert_not(i8254_out(&pit, 0, T(51)));
    cr_assert(i8254_out(&pit, 0, T(50)));
    i8254_advance(&pit, T(52));
    cr_assert_eq(rises(), 2); /* the first report of OUT0 (high), then the strobe */
    cr_assert_eq(i8254_next_event(&pit, T(52)), UINT64_MAX);
    out8(0x40, 10, T(60)); /* Linux's pit_next_event: a new count re-arms */
    out8(0x40, 0, T(60));
    cr_assert_eq(i8254_next_event(&pit, T(60)), T(72));
}

Test(i8254, mode_0_interrupt_on_terminal_count)
{
    i8254_advance(&pit, 0);
    program(0, 0x30, 20, 0);
    cr_assert_not(levels[(nlevels - 1) % 64]); /* OUT0 low at the control word */
    cr_assert_eq(i8254_next_event(&pit, 0), T(21));
    i8254_advance(&pit, T(21));
    cr_assert(levels[(nlevels - 1) % 64]);
    cr_assert_eq(i8254_next_event(&pit, T(21)), UINT64_MAX);
    cr_assert_eq(in16(0x40, T(25)), 0xfffc); /* counts on past zero */
}

Test(i8254, mode_0_first_byte_stops_the_count)
{
    program(0, 0x30, 100, 0);
    i8254_advance(&pit, T(200));
    cr_assert(i8254_out(&pit, 0, T(200)));
    out8(0x40, 0x10, T(201));
    cr_assert_not(i8254_out(&pit, 0, T(201))); /* low at once */
    cr_assert_eq(i8254_next_event(&pit, T(201)), UINT64_MAX);
    out8(0x40, 0x00, T(300));
    cr_assert_eq(i8254_next_event(&pit, T(300)), T(301 + 16));
}

Test(i8254, mode_0_gate_suspends_counting)
{
    out8(I8254_PORT_61, 0x01, 0);
    program(2, 0xb0, 1000, 0);
    cr_assert_eq(in16(0x42, T(101)), 900);
    out8(I8254_PORT_61, 0x00, T(101));
    cr_assert_eq(in16(0x42, T(5000)), 900);
    out8(I8254_PORT_61, 0x01, T(5000));
    cr_assert_eq(in16(0x42, T(5100)), 800);
    cr_assert_eq(in8(I8254_PORT_61, T(5899)) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(5900)) & 0x20, 0x20);
}

Test(i8254, mode_1_gate_triggered_one_shot)
{
    program(2, 0xb2, 10, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(50)) & 0x20, 0x20); /* high, waiting for a trigger */
    out8(I8254_PORT_61, 0x01, T(100));
    cr_assert_eq(in8(I8254_PORT_61, T(101)) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(110)) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(111)) & 0x20, 0x20);
    out8(I8254_PORT_61, 0x00, T(120));
    out8(I8254_PORT_61, 0x01, T(130)); /* retrigger */
    cr_assert_eq(in8(I8254_PORT_61, T(140)) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(141)) & 0x20, 0x20);
}

Test(i8254, mode_5_gate_triggered_strobe)
{
    program(2, 0xba, 10, 0);
    out8(I8254_PORT_61, 0x01, T(100));
    cr_assert_eq(in8(I8254_PORT_61, T(110)) & 0x20, 0x20);
    cr_assert_eq(in8(I8254_PORT_61, T(111)) & 0x20, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(112)) & 0x20, 0x20);
}

Test(i8254, mode_2_gate_low_forces_out_high_and_reloads)
{
    out8(I8254_PORT_61, 0x01, 0);
    program(2, 0xb4, 10, 0);
    cr_assert_not(i8254_out(&pit, 2, T(10)));
    out8(I8254_PORT_61, 0x00, T(10));
    cr_assert(i8254_out(&pit, 2, T(10)));
    cr_assert_eq(in16(0x42, T(500)), 1);
    out8(I8254_PORT_61, 0x01, T(600));
    cr_assert_eq(in16(0x42, T(601)), 10);
    cr_assert_not(i8254_out(&pit, 2, T(610)));
}

Test(i8254, mode_2_new_count_waits_for_the_period_end)
{
    program(0, 0x34, 100, 0);
    cr_assert_eq(in16(0x40, T(31)), 70);
    out8(0x40, 50, T(31));
    out8(0x40, 0, T(31));
    out8(I8254_PORT_CTRL, 0xe2, T(31));
    cr_assert_eq(in8(0x40, T(31)) & 0x40, 0x40); /* NULL COUNT until the reload */
    cr_assert_eq(in16(0x40, T(60)), 41);         /* still the old count */
    cr_assert_eq(i8254_next_event(&pit, T(60)), T(101));
    i8254_advance(&pit, T(101));
    cr_assert_eq(in16(0x40, T(101)), 50);
    cr_assert_eq(i8254_next_event(&pit, T(101)), T(151));
    out8(I8254_PORT_CTRL, 0xe2, T(102));
    cr_assert_eq(in8(0x40, T(102)) & 0x40, 0);
}

Test(i8254, mode_3_new_count_at_the_half_cycle)
{
    program(0, 0x36, 100, 0);
    out8(0x40, 20, T(11)); /* high half ends at clock 51 */
    out8(0x40, 0, T(11));
    cr_assert(i8254_out(&pit, 0, T(50)));
    cr_assert_not(i8254_out(&pit, 0, T(51))); /* new count's low half: 10 clocks */
    cr_assert_eq(i8254_next_event(&pit, T(11)), T(61));
    cr_assert(i8254_out(&pit, 0, T(61)));
    cr_assert_not(i8254_out(&pit, 0, T(71)));
    cr_assert_eq(i8254_next_event(&pit, T(70)), T(70)); /* the rise at 61 is due */
    i8254_advance(&pit, T(70));
    cr_assert_eq(i8254_next_event(&pit, T(70)), T(81));
}

Test(i8254, bcd_counting)
{
    program(0, 0x35, 0x1000, 0); /* mode 2, BCD, 1000 */
    cr_assert_eq(in16(0x40, T(1)), 0x1000);
    cr_assert_eq(in16(0x40, T(2)), 0x0999);
    cr_assert_eq(i8254_next_event(&pit, 0), T(1001));
    program(0, 0x31, 0x0000, T(2000)); /* mode 0, BCD, 0 = 10000 */
    cr_assert_eq(in16(0x40, T(2002)), 0x9999);
    cr_assert_eq(i8254_next_event(&pit, T(2000)), T(2001 + 10000));
    program(0, 0x31, 0x00ff, T(30000)); /* undefined digits count as 9: 99 */
    cr_assert_eq(i8254_next_event(&pit, T(30000)), T(30001 + 99));
}

Test(i8254, lsb_only_and_msb_only_access)
{
    out8(I8254_PORT_CTRL, 0x14, 0); /* channel 0, LSB only, mode 2 */
    out8(0x40, 200, 0);
    cr_assert_eq(i8254_next_event(&pit, 0), T(201));
    cr_assert_eq(in8(0x40, T(51)), 150);
    cr_assert_eq(in8(0x40, T(52)), 149); /* each read is the LSB */
    out8(I8254_PORT_CTRL, 0x24, T(300)); /* MSB only */
    out8(0x40, 0x02, T(300));
    cr_assert_eq(i8254_next_event(&pit, T(300)), T(301 + 512));
    cr_assert_eq(in8(0x40, T(301)), 0x02);
    cr_assert_eq(in8(0x40, T(302)), 0x01);
}

Test(i8254, port_61_bits)
{
    out8(I8254_PORT_61, 0xff, 0);
    cr_assert_eq(in8(I8254_PORT_61, 0) & 0xcf, 0x0f); /* bits 7:6 read 0 */
    cr_assert_eq(in8(I8254_PORT_61, T(17)) & 0x10, 0);
    cr_assert_eq(in8(I8254_PORT_61, T(18)) & 0x10, 0x10);
    cr_assert_eq(in8(I8254_PORT_61, T(35)) & 0x10, 0x10);
    cr_assert_eq(in8(I8254_PORT_61, T(36)) & 0x10, 0);
    int flips = 0;
    uint8_t last = in8(I8254_PORT_61, T(36)) & 0x10;
    for (uint64_t ns = T(36); ns < T(36) + 1000000; ns += 1000) { /* a BIOS wait loop: 1 ms */
        uint8_t v = in8(I8254_PORT_61, ns) & 0x10;
        flips += v != last;
        last = v;
    }
    cr_assert(flips >= 65 && flips <= 67, "%d flips in 1 ms", flips);
}

Test(i8254, illegal_counts_give_no_events)
{
    program(0, 0x34, 1, 0); /* mode 2 with 1: illegal */
    cr_assert_eq(i8254_next_event(&pit, 0), UINT64_MAX);
    program(0, 0x36, 1, T(10)); /* mode 3 with 1 */
    cr_assert_eq(i8254_next_event(&pit, T(10)), UINT64_MAX);
    i8254_advance(&pit, T(100000));
    cr_assert(i8254_out(&pit, 0, T(100000)));
    program(0, 0x36, 2, T(200000)); /* the smallest square wave */
    cr_assert_eq(i8254_next_event(&pit, T(200000)), T(200003));
}

Test(i8254, modes_6_and_7_are_2_and_3)
{
    out8(I8254_PORT_CTRL, 0x3c, 0); /* mode 6 */
    out8(0x40, 10, 0);
    out8(0x40, 0, 0);
    cr_assert_eq(pit.ch[0].mode, 2);
    cr_assert_eq(i8254_next_event(&pit, 0), T(11));
    out8(I8254_PORT_CTRL, 0xe2, T(3));
    cr_assert_eq(in8(0x40, T(3)) & 0x0e, 0x0c); /* status shows the bits as written */
    out8(I8254_PORT_CTRL, 0x3e, T(3));          /* mode 7 */
    cr_assert_eq(pit.ch[0].mode, 3);
}

Test(i8254, malformed_accesses_are_contained)
{
    uint32_t v = 0;
    cr_assert_not(i8254_io(&pit, 0x44, 1, true, &v, 0));
    cr_assert_not(i8254_io(&pit, 0x60, 1, true, &v, 0));
    cr_assert_not(i8254_io(&pit, 0x3f, 2, false, &v, 0));
    cr_assert_eq(in8(I8254_PORT_CTRL, 0), 0xff);
    v = 0x1234;
    cr_assert(i8254_io(&pit, 0x61, 4, true, &v, 0));
    cr_assert_eq(v & 0xffffff00, 0xffffff00);
    v = 0xdead;
    cr_assert(i8254_io(&pit, 0x40, 0, true, &v, 0));
    cr_assert_eq(v, 0);
    v = 0x3412; /* 0x42 <- 0x12 (LSB), 0x43 <- 0x34 (control: channel 0, mode 2) */
    cr_assert(i8254_io(&pit, 0x42, 2, false, &v, 0));
    cr_assert_eq(pit.ch[0].mode, 2);
    cr_assert(pit.ch[2].write_msb);
    out8(I8254_PORT_CTRL, 0xc3, T(5)); /* read-back with the reserved bit 0 set */
    cr_assert_eq(in8(0x40, T(5)) & 0x3f, 0x34);
    program(0, 0x34, 100, T(1000));
    i8254_advance(&pit, T(1001));
    i8254_advance(&pit, T(900)); /* time going backwards counts as the latest */
    cr_assert_eq(in16(0x40, T(10)), 100);
    cr_assert_not(i8254_out(&pit, 3, 0));
}
