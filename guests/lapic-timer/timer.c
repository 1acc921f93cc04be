/*
 * guests/lapic-timer/timer.c - the local APIC timer (SDM 11.5.4): divide configuration,
 * one-shot and periodic modes, the current count, the LVT mask, stopping with an initial count
 * of 0, waking HLT, and the TSC-deadline mode (SDM 11.5.4.1). Periods are computed from the
 * rate measured against the PIT, and checked against the PIT clock with generous bounds: a
 * timer must not fire early; late is tolerated up to a few milliseconds (a hypervisor's
 * timers run on the host's).
 */
#include "guests/lapic-timer/lt.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/wait.h"

#define DCR_DIV1 0xb /* SDM figure 11-10: bits 3, 1:0 */

static volatile uint32_t timer_count, deadline_count;

static void timer_irq(uint32_t vector)
{
    (void)vector;
    timer_count++;
    lapic_eoi();
}

static void deadline_irq(uint32_t vector)
{
    (void)vector;
    deadline_count++;
    lapic_eoi();
}

/* Timer counts (divide by 1) for us microseconds. */
static uint32_t counts(uint32_t us)
{
    uint64_t c = (uint64_t)lt_per_ms * us / 1000u;
    return c > 0xffffffffu ? 0xffffffffu : (uint32_t)(c ? c : 1);
}

/* Lets interrupts the APIC already holds come in before a "nothing comes" check. */
static void drain(void)
{
    irq_enable();
    pit_delay_us(200);
    irq_disable();
}

static void test_registers(void)
{
    static const uint8_t dcr[8] = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb};
    unsigned same = 0;
    for (unsigned i = 0; i < 8; i++) {
        lapic_write(LAPIC_TIMER_DCR, dcr[i]);
        if ((lapic_read(LAPIC_TIMER_DCR) & 0xb) == dcr[i])
            same++;
    }
    lapic_write(LAPIC_TIMER_DCR, DCR_DIV1);
    test_checkf(same == 8, "%s: the divide configuration reads back all 8 encodings (%u)", lt_mode,
                same);
    uint32_t lvt = LVT_MASKED | LVT_TIMER_PERIODIC | VEC_TIMER;
    lapic_write(LAPIC_LVT_TIMER, lvt);
    uint32_t back = lapic_read(LAPIC_LVT_TIMER);
    test_checkf((back & 0x700ff) == lvt, "%s: the LVT timer entry reads back (0x%x)", lt_mode,
                (unsigned)back);
}

static void test_oneshot(void)
{
    lapic_write(LAPIC_TIMER_DCR, DCR_DIV1);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_TIMER);
    timer_count = 0;
    uint32_t icr = counts(5000);
    uint32_t t0 = pit_clock_us();
    lapic_write(LAPIC_TIMER_ICR, icr);
    uint32_t c1 = lapic_read(LAPIC_TIMER_CCR);
    pit_delay_us(1000);
    uint32_t c2 = lapic_read(LAPIC_TIMER_CCR);
    bool came = wait_count(&timer_count, 1, 50000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(c1 <= icr && c2 < c1 && c2 > 0,
                "%s: the current count starts at the initial count and counts down "
                "(%u, %u after 1 ms, of %u)",
                lt_mode, (unsigned)c1, (unsigned)c2, (unsigned)icr);
    test_checkf(came && us >= 4000 && us <= 15000,
                "%s: one-shot: the interrupt comes 4-15 ms after 5 ms of counts (%u us)", lt_mode,
                (unsigned)us);
    wait_count(&timer_count, 2, 15000);
    test_checkf(timer_count == 1, "%s: one-shot: no second interrupt (%u)", lt_mode,
                (unsigned)timer_count);
    test_checkf(lapic_read(LAPIC_TIMER_CCR) == 0, "%s: one-shot: the current count stays 0",
                lt_mode);
}

static void test_periodic(void)
{
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
    timer_count = 0;
    uint32_t icr = counts(1000);
    lapic_write(LAPIC_TIMER_ICR, icr);
    if (!test_checkf(wait_count(&timer_count, 1, 50000), "%s: periodic: the first interrupt comes",
                     lt_mode)) {
        lapic_write(LAPIC_TIMER_ICR, 0);
        return;
    }
    uint32_t n0 = timer_count, t0 = pit_clock_us();
    bool all = wait_count(&timer_count, n0 + 50, 200000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(all && us >= 45000 && us <= 55000,
                "%s: periodic: 50 interrupts of 1 ms took 45-55 ms (%u us)", lt_mode, (unsigned)us);
    uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
    test_checkf(ccr > 0 && ccr <= icr,
                "%s: periodic: the current count reloads from the initial count (%u of %u)",
                lt_mode, (unsigned)ccr, (unsigned)icr);

    /* The LVT mask stops the interrupts, not the counting (SDM 11.5.1). */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_PERIODIC | VEC_TIMER);
    drain();
    uint32_t m0 = timer_count;
    uint32_t a = lapic_read(LAPIC_TIMER_CCR);
    wait_count(&timer_count, m0 + 1, 5000);
    uint32_t b = lapic_read(LAPIC_TIMER_CCR);
    test_checkf(timer_count == m0 && a != b,
                "%s: masked: no interrupt in 5 ms, the count goes on (%u, %u)", lt_mode,
                (unsigned)a, (unsigned)b);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
    test_checkf(wait_count(&timer_count, m0 + 3, 50000),
                "%s: unmasked: the interrupts come again without reprogramming", lt_mode);

    /* An initial count of 0 stops the timer (SDM 11.5.4). */
    lapic_write(LAPIC_TIMER_ICR, 0);
    drain();
    uint32_t s0 = timer_count;
    wait_count(&timer_count, s0 + 1, 5000);
    test_checkf(timer_count == s0 && lapic_read(LAPIC_TIMER_CCR) == 0,
                "%s: an initial count of 0 stops it: no interrupt, current count 0", lt_mode);
}

/* The count's rate with DCR value dcr, per ms of the PIT clock. */
static uint32_t rate_with(uint8_t dcr)
{
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VEC_TIMER);
    lapic_write(LAPIC_TIMER_DCR, dcr);
    lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
    uint32_t t0 = pit_clock_us(), c0 = lapic_read(LAPIC_TIMER_CCR);
    pit_delay_us(5000);
    uint32_t c1 = lapic_read(LAPIC_TIMER_CCR), t1 = pit_clock_us();
    lapic_write(LAPIC_TIMER_ICR, 0);
    return t1 > t0 ? (uint32_t)((uint64_t)(c0 - c1) * 1000u / (t1 - t0)) : 0;
}

static void test_divide(void)
{
    static const struct {
        uint8_t dcr;
        uint32_t div;
    } d[3] = {{0x0, 2}, {0x3, 16}, {0xa, 128}}; /* SDM figure 11-10 */
    uint32_t ratio[3];
    bool ok = true;
    for (unsigned i = 0; i < 3; i++) {
        uint32_t r = rate_with(d[i].dcr);
        ratio[i] = r ? (uint32_t)((uint64_t)lt_per_ms * 100u / r) : 0;
        if (ratio[i] < d[i].div * 90 || ratio[i] > d[i].div * 110)
            ok = false;
    }
    lapic_write(LAPIC_TIMER_DCR, DCR_DIV1);
    test_checkf(ok, "%s: divide by 2, 16, 128 slow the count by 2, 16, 128 (x100: %u %u %u)",
                lt_mode, (unsigned)ratio[0], (unsigned)ratio[1], (unsigned)ratio[2]);
}

static void test_hlt(void)
{
    pit_ch0_periodic(50); /* the watchdog: ends a HLT the timer does not end */
    pic_set_mask((uint16_t)~1u);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
    timer_count = 0;
    lapic_write(LAPIC_TIMER_ICR, counts(1000));
    wait_count(&timer_count, 1, 50000);
    uint32_t n0 = timer_count, t0 = pit_clock_us();
    bool all = hlt_count(&timer_count, n0 + 20, 200000);
    uint32_t us = pit_clock_us() - t0;
    lapic_write(LAPIC_TIMER_ICR, 0);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    pic_set_mask(0xffff);
    pit_ch0_stop();
    test_checkf(all && us >= 18000 && us <= 25000,
                "%s: STI; HLT woke for 20 periodic interrupts in 18-25 ms (%u us)", lt_mode,
                (unsigned)us);
}

void lt_test_timer(void)
{
    trap_set_handler(VEC_TIMER, timer_irq);
    test_registers();
    test_oneshot();
    test_periodic();
    test_divide();
    test_hlt();
}

/* TSC ticks per ms of the PIT clock: only to place deadlines, never printed in a TEST line. */
static uint64_t tsc_per_ms(void)
{
    uint32_t t0 = pit_clock_us();
    uint64_t a = rdtsc();
    pit_delay_us(5000);
    uint64_t b = rdtsc();
    uint32_t t1 = pit_clock_us();
    return t1 > t0 ? (b - a) * 1000u / (t1 - t0) : 0;
}

void lt_test_deadline(void)
{
    bool offered = lapic_tsc_deadline_offered();
    if (lt_want_deadline == LT_NO) {
        test_note("%s: TSC-deadline mode %s by CPUID, skipped (tscdeadline=no)", lt_mode,
                  offered ? "offered" : "not offered");
        return;
    }
    if (!offered) {
        if (lt_want_deadline == LT_YES)
            test_checkf(false, "%s: TSC-deadline mode offered by CPUID (tscdeadline=yes)", lt_mode);
        else
            test_note("%s: TSC-deadline mode not offered by CPUID (CPUID.1:ECX[24] clear), "
                      "skipped",
                      lt_mode);
        return;
    }
    trap_set_handler(VEC_DEADLINE, deadline_irq);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_TSC_DEADL | VEC_DEADLINE);
    uint32_t lvt = lapic_read(LAPIC_LVT_TIMER);
    test_checkf(((lvt >> 17) & 3) == 2, "%s: TSC-deadline: the LVT timer mode takes 10b (0x%x)",
                lt_mode, (unsigned)lvt);
    uint64_t per_ms = tsc_per_ms();
    test_note("%s: TSC-deadline: the TSC runs at %u kHz on the PIT clock", lt_mode,
              (unsigned)per_ms);
    deadline_count = 0;
    uint32_t t0 = pit_clock_us();
    uint32_t err = safe_wrmsr(IA32_TSC_DEADLINE, rdtsc() + 3 * per_ms);
    bool came = wait_count(&deadline_count, 1, 50000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(!err && came && us >= 2400 && us <= 15000,
                "%s: TSC-deadline: the interrupt comes 2.4-15 ms after a deadline 3 ms ahead "
                "(%u us)",
                lt_mode, (unsigned)us);
    test_checkf(lapic_read(LAPIC_TIMER_CCR) == 0,
                "%s: TSC-deadline: the current count reads 0 (SDM 11.5.4.1)", lt_mode);
    uint64_t after = 0;
    safe_rdmsr(IA32_TSC_DEADLINE, &after);
    test_note("%s: TSC-deadline: IA32_TSC_DEADLINE after the interrupt 0x%llx (the SDM says 0; "
              "Bochs 2.7 keeps the deadline)",
              lt_mode, (unsigned long long)after);
    safe_wrmsr(IA32_TSC_DEADLINE, rdtsc() - 1);
    test_checkf(wait_count(&deadline_count, 2, 2000),
                "%s: TSC-deadline: a deadline already passed fires at once", lt_mode);
    safe_wrmsr(IA32_TSC_DEADLINE, rdtsc() + 3 * per_ms);
    safe_wrmsr(IA32_TSC_DEADLINE, 0);
    drain();
    uint32_t d0 = deadline_count;
    wait_count(&deadline_count, d0 + 1, 10000);
    test_checkf(deadline_count == d0, "%s: TSC-deadline: writing 0 disarms it (%u)", lt_mode,
                (unsigned)(deadline_count - d0));
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VEC_TIMER);
}
