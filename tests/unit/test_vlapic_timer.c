/* tests/unit/test_vlapic_timer.c - the virtual local APIC timer: one-shot, periodic and
 * TSC-deadline modes against the guest TSC. The test APIC's timer input runs at a quarter of
 * the TSC unless a test sets another clock. */
#include "tests/unit/vlapic_test.h"

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(vlapic_timer, .init = t_setup);

#define PERIODIC (VLAPIC_TIMER_PERIODIC << VLAPIC_LVT_TIMER_SHIFT)
#define DEADLINE (VLAPIC_TIMER_TSCDEADLINE << VLAPIC_LVT_TIMER_SHIFT)

static void wrt(unsigned offset, uint32_t value, uint64_t now)
{
    cr_assert_eq(vlapic_mmio_write(&v, offset, 4, value, now), VLAPIC_OK);
}

static uint32_t current(uint64_t now)
{
    uint32_t value = 0xdeadbeef;
    cr_assert_eq(vlapic_mmio_read(&v, VLAPIC_REG_TMCCT, 4, now, &value), VLAPIC_OK);
    return value;
}

static void clock_setup(uint32_t tsc_ticks, uint32_t bus_ticks)
{
    struct vlapic_config cfg = {.apic_id = 0, .clock = {tsc_ticks, bus_ticks}};
    cr_assert_eq(vlapic_init(&v, page, &cfg, &t_ops, NULL), VLAPIC_OK);
    t_enable();
}

/* Takes the timer interrupt as the guest would: acknowledge, EOI. */
static void serve(unsigned vector)
{
    cr_assert_eq(vlapic_ack(&v, (uint8_t)vector), VLAPIC_OK);
    wr(VLAPIC_REG_EOI, 0);
}

Test(vlapic_timer, one_shot)
{
    t_enable();
    wr(VLAPIC_REG_TDCR, 0xb); /* divide by 1 */
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    wrt(VLAPIC_REG_TMICT, 100, 1000);
    cr_assert_eq(vlapic_timer_next(&v), 1400);
    cr_assert_eq(current(1000), 100);
    cr_assert_eq(current(1200), 50);
    cr_assert_eq(current(1203), 50);
    cr_assert_eq(current(1399), 1);
    cr_assert_eq(current(999), 100, "a stale now counts nothing");
    cr_assert_not(vlapic_timer_advance(&v, 1399));
    cr_assert_not(t_irr(0x20));
    cr_assert(vlapic_timer_advance(&v, 1400));
    cr_assert(t_irr(0x20));
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    cr_assert_eq(current(1500), 0);
    cr_assert_eq(rd(VLAPIC_REG_TMICT), 100);
    cr_assert_not(vlapic_timer_advance(&v, 5000), "one shot");
}

Test(vlapic_timer, divide_values)
{
    static const struct {
        uint32_t tdcr, div;
    } t[] = {{0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16}, {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    for (unsigned i = 0; i < 8; i++) {
        wr(VLAPIC_REG_TDCR, t[i].tdcr);
        wrt(VLAPIC_REG_TMICT, 10, 0);
        cr_assert_eq(vlapic_timer_next(&v), 10ull * t[i].div * 4, "TDCR 0x%x", t[i].tdcr);
    }
}

Test(vlapic_timer, periodic_rearms_on_its_grid)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, PERIODIC | 0x20); /* TDCR 0: divide by 2 */
    wrt(VLAPIC_REG_TMICT, 50, 0);              /* period 50 * 2 * 4 = 400 */
    cr_assert_eq(vlapic_timer_next(&v), 400);
    cr_assert(vlapic_timer_advance(&v, 400));
    cr_assert_eq(vlapic_timer_next(&v), 800);
    cr_assert_eq(current(400), 50, "reloaded");
    serve(0x20);
    cr_assert(vlapic_timer_advance(&v, 2050), "late: 800..2000 are due");
    cr_assert_eq(vlapic_highest_irr(&v), 0x20);
    cr_assert_eq(v.tmr_missed, 3, "four expiries gave one interrupt");
    cr_assert_eq(vlapic_timer_next(&v), 2400, "on the grid, not 2050 + 400");
    cr_assert_eq(current(2050), 44);
    cr_assert_not(vlapic_timer_advance(&v, 2399));
}

Test(vlapic_timer, periodic_does_not_drift_with_fractional_ticks)
{
    clock_setup(3, 2); /* one input tick every 1.5 TSC ticks */
    wr(VLAPIC_REG_TDCR, 0xb);
    wr(VLAPIC_REG_LVT_TIMER, PERIODIC | 0x21);
    wrt(VLAPIC_REG_TMICT, 3, 0); /* period 4.5 TSC ticks */
    for (uint64_t n = 1; n <= 1000; n++) {
        uint64_t expect = (9 * n + 1) / 2; /* ceil(4.5 n) */
        cr_assert_eq(vlapic_timer_next(&v), expect, "expiry %llu", (unsigned long long)n);
        cr_assert_not(vlapic_timer_advance(&v, expect - 1));
        cr_assert(vlapic_timer_advance(&v, expect));
        serve(0x21);
    }
    cr_assert_eq(v.tmr_missed, 0);
}

Test(vlapic_timer, masked_timer_counts_without_interrupting)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_MASKED | 0x20);
    wrt(VLAPIC_REG_TMICT, 10, 0);
    cr_assert_eq(vlapic_timer_next(&v), 80);
    cr_assert_eq(current(40), 5);
    cr_assert_not(vlapic_timer_advance(&v, 80));
    cr_assert_not(t_irr(0x20));
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    cr_assert_not(vlapic_timer_advance(&v, 1000), "the expiry is gone, not pending");
}

Test(vlapic_timer, software_disabled_apic_timer_interrupts_nothing)
{
    wr(VLAPIC_REG_LVT_TIMER, 0x20); /* stays masked */
    wrt(VLAPIC_REG_TMICT, 10, 0);
    cr_assert_not(vlapic_timer_advance(&v, 80));
    cr_assert_eq(vlapic_highest_irr(&v), -1);
}

Test(vlapic_timer, initial_count_writes)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0);
    wrt(VLAPIC_REG_TMICT, 100, 200);
    cr_assert_eq(vlapic_timer_next(&v), 200 + 800, "a write restarts counting");
    wrt(VLAPIC_REG_TMICT, 0, 300);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX, "0 stops the timer (SDM 11.5.4)");
    cr_assert_eq(current(300), 0);
}

Test(vlapic_timer, divide_change_keeps_the_count)
{
    t_enable();
    wr(VLAPIC_REG_TDCR, 0xb);
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 1000, 0);
    wrt(VLAPIC_REG_TDCR, 0x0, 400); /* 100 counts done; now divide by 2 */
    cr_assert_eq(current(400), 900);
    cr_assert_eq(current(408), 899);
    cr_assert_eq(vlapic_timer_next(&v), 400 + 900 * 2 * 4);
    wrt(VLAPIC_REG_TDCR, 0x0, 500); /* same value: nothing changes */
    cr_assert_eq(vlapic_timer_next(&v), 400 + 900 * 2 * 4);
}

Test(vlapic_timer, events_due_before_an_lvt_write_use_the_old_entry)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0); /* due at 800 */
    wrt(VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_MASKED | 0x20, 900);
    cr_assert(t_irr(0x20), "expired before the guest masked it");
}

Test(vlapic_timer, tsc_deadline_mode)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, DEADLINE | 0x22);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    cr_assert_eq(vlapic_msr_write(&v, VLAPIC_MSR_TSC_DEADLINE, 5000, 10), VLAPIC_OK);
    cr_assert_eq(rdmsr(VLAPIC_MSR_TSC_DEADLINE), 5000);
    cr_assert_eq(vlapic_timer_next(&v), 5000);
    cr_assert_not(vlapic_timer_advance(&v, 4999));
    cr_assert(vlapic_timer_advance(&v, 5000));
    cr_assert(t_irr(0x22));
    cr_assert_eq(rdmsr(VLAPIC_MSR_TSC_DEADLINE), 0, "cleared when it fires (SDM 11.5.4.1)");
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    wrt(VLAPIC_REG_TMICT, 77, 6000);
    cr_assert_eq(rd(VLAPIC_REG_TMICT), 0, "initial count writes are ignored");
    cr_assert_eq(current(6000), 0, "current count reads 0");
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
}

Test(vlapic_timer, tsc_deadline_in_the_past_and_disarm)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, DEADLINE | 0x22);
    cr_assert_eq(vlapic_msr_write(&v, VLAPIC_MSR_TSC_DEADLINE, 100, 500), VLAPIC_OK);
    cr_assert_eq(vlapic_timer_next(&v), 100);
    cr_assert(vlapic_timer_advance(&v, 500), "a past deadline fires at once");
    serve(0x22);
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 900);
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 0);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX, "0 disarms");
    cr_assert_not(vlapic_timer_advance(&v, 1000));
}

Test(vlapic_timer, new_deadline_after_a_missed_one_fires_the_old_first)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, DEADLINE | 0x22);
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 100);
    cr_assert_eq(vlapic_msr_write(&v, VLAPIC_MSR_TSC_DEADLINE, 900, 200), VLAPIC_OK);
    cr_assert(t_irr(0x22));
    cr_assert_eq(vlapic_timer_next(&v), 900);
}

Test(vlapic_timer, masked_deadline_disarms_silently)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_MASKED | DEADLINE | 0x22);
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 100);
    cr_assert_not(vlapic_timer_advance(&v, 100));
    cr_assert_eq(rdmsr(VLAPIC_MSR_TSC_DEADLINE), 0);
    cr_assert_not(t_irr(0x22));
}

Test(vlapic_timer, mode_change_disarms)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0);
    wrt(VLAPIC_REG_LVT_TIMER, PERIODIC | 0x20, 10);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX, "SDM 11.5.4.1");
    cr_assert_eq(current(20), 0);
    wrt(VLAPIC_REG_LVT_TIMER, PERIODIC | 0x21, 30);
    wrt(VLAPIC_REG_TMICT, 100, 30);
    wrt(VLAPIC_REG_LVT_TIMER, PERIODIC | 0x22, 40);
    cr_assert_eq(vlapic_timer_next(&v), 830, "same mode: still armed");
    wrt(VLAPIC_REG_LVT_TIMER, DEADLINE | 0x20, 50);
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 5000);
    wrt(VLAPIC_REG_LVT_TIMER, 0x20, 60);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    wrt(VLAPIC_REG_LVT_TIMER, DEADLINE | 0x20, 70);
    cr_assert_eq(rdmsr(VLAPIC_MSR_TSC_DEADLINE), 0, "the deadline did not survive");
}

Test(vlapic_timer, reserved_mode_is_idle)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, VLAPIC_LVT_TIMER_MASK | 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0);
    cr_assert_eq(rd(VLAPIC_REG_TMICT), 100);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    cr_assert_eq(current(10), 0);
}

Test(vlapic_timer, largest_count_and_saturation)
{
    t_enable();
    wr(VLAPIC_REG_TDCR, 0xa); /* 128 */
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 0xffffffff, 5);
    cr_assert_eq(vlapic_timer_next(&v), 5 + 0xffffffffull * 128 * 4);
    cr_assert_eq(current(5 + 0xffffffffull * 128 * 4 - 1), 1);
    clock_setup(0xffffffff, 1);
    wr(VLAPIC_REG_TDCR, 0xa);
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 0xffffffff, 5);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX, "beyond 2^64: never");
    cr_assert_not(vlapic_timer_advance(&v, UINT64_MAX - 1));
    cr_assert_eq(current(UINT64_MAX - 1), 0xffffffff - (UINT64_MAX - 6) / 0xffffffff / 128);
}

Test(vlapic_timer, init_signal_and_disable_stop_the_timer)
{
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0);
    vlapic_init_signal(&v);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
    t_enable();
    wr(VLAPIC_REG_LVT_TIMER, 0x20);
    wrt(VLAPIC_REG_TMICT, 100, 0);
    wrmsr(VLAPIC_MSR_APIC_BASE, 0xfee00000);
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
}

Test(vlapic_timer, x2apic_timer_msrs)
{
    t_enable();
    t_to_x2apic();
    wrmsr(0x83e, 0xb);
    wrmsr(0x832, 0x30);
    wrmsr(0x838, 1000);
    uint64_t value;
    cr_assert_eq(vlapic_msr_read(&v, 0x839, 2000, &value), VLAPIC_OK);
    cr_assert_eq(value, 500);
    cr_assert(vlapic_timer_advance(&v, 4000));
    cr_assert(t_irr(0x30));
}
