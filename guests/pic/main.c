/*
 * guests/pic/main.c - the pic test guest (multiboot v1): the 8259A pair as an OS programs it.
 * ICW1-ICW4 like Linux (vector bases 0x20/0x28, slave on IR2), OCW1 masks read back; the PIT
 * (channel 0, mode 2, 1000 Hz) on IRQ0 taken with STI; HLT, the ISR read with OCW3 inside the
 * handler, specific and non-specific EOI, auto-EOI; the RTC's periodic interrupt on IRQ8 through
 * the slave (register A rate, register B PIE, register C read to acknowledge); the rate of the
 * one against the other; priority (IRQ8 waits while IRQ0 is in service, IRQ0 nests in IRQ8);
 * the ELCR, edge against level triggering and the spurious IRQ7 (level.c). No command line.
 *
 * Time is the PIT channel 2 clock (guests/lib/pit.h), never the TSC; printed numbers that depend
 * on timing are in parentheses (same_as_bare drops them). With a local APIC, its LINT0 is set
 * to ExtINT (virtual wire, so the 8259's INTR reaches the CPU) and its timer is the watchdog
 * that bounds every HLT.
 */
#include "guests/pic/pic.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/rtc.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/wait.h"

#define PIT_TEST_HZ   1000
#define HLT_TICKS     100
#define RTC_TICKS     64
#define WAIT_FIRST_US 200000 /* the first interrupt of a source: 0.2 s at most */

volatile uint32_t pic_count[16];
volatile uint32_t pic_spurious7, pic_spurious15;
static struct mb_info mbi;

/* What the IRQ0 and IRQ8 handlers check and do (one test at a time). */
enum pit_mode { PIT_PLAIN, PIT_CHECK_ISR, PIT_AEOI, PIT_HOLD_RTC };
static volatile enum pit_mode pit_mode;
static volatile uint32_t pit_isr_set, pit_isr_clear_after_eoi, pit_checked, pit_aeoi_isr_clear;
static volatile uint32_t pit_wrong_seoi_tries, pit_wrong_seoi_kept;
static volatile bool rtc_held, rtc_nested_after_eoi;
static volatile uint32_t hold_done, nest_done;

enum rtc_mode { RTC_PLAIN, RTC_CHECK, RTC_NEST_PIT };
static volatile enum rtc_mode rtc_mode;
static volatile uint32_t rtc_regc_ok, rtc_isr_ok, rtc_checked;
static volatile bool pit_nested_in_rtc;
static volatile uint16_t rtc_isr_seen, pit_irr_seen;

static void pit_irq(uint32_t vector)
{
    (void)vector;
    uint32_t n = ++pic_count[PIC_IRQ_PIT];
    enum pit_mode mode = pit_mode;
    if (mode == PIT_CHECK_ISR) {
        uint16_t isr = pic_read_isr();
        pit_irr_seen = pic_read_irr();
        pit_checked++;
        if (isr == 0x0001)
            pit_isr_set++;
        if (n % 8 == 0) { /* a specific EOI for a level not in service changes nothing */
            pit_wrong_seoi_tries++;
            pic_specific_eoi(3);
            if (pic_read_isr() == 0x0001)
                pit_wrong_seoi_kept++;
        }
        if (n & 1)
            pic_specific_eoi(PIC_IRQ_PIT);
        else
            pic_eoi(PIC_IRQ_PIT);
        if (pic_read_isr() == 0)
            pit_isr_clear_after_eoi++;
        return;
    }
    if (mode == PIT_AEOI) { /* ICW4 AEOI: the acknowledge itself ends the interrupt */
        if ((pic_read_isr() & 1) == 0)
            pit_aeoi_isr_clear++;
        return;
    }
    if (mode == PIT_HOLD_RTC) { /* once: IR0 in service holds back IR2 (the slave's IRQ8) */
        pit_mode = PIT_PLAIN;
        uint32_t rtc = pic_count[PIC_IRQ_RTC];
        wait_count(&pic_count[PIC_IRQ_RTC], rtc + 1, 3000); /* RTC at 1024 Hz: 1 ms apart */
        rtc_held = pic_count[PIC_IRQ_RTC] == rtc;
        pic_eoi(PIC_IRQ_PIT);
        rtc_nested_after_eoi = wait_count(&pic_count[PIC_IRQ_RTC], rtc + 1, 3000);
        hold_done = 1;
        return;
    }
    pic_eoi(PIC_IRQ_PIT);
}

static void rtc_irq(uint32_t vector)
{
    (void)vector;
    pic_count[PIC_IRQ_RTC]++;
    if (rtc_mode == RTC_CHECK) {
        uint16_t isr = pic_read_isr();
        rtc_isr_seen = isr;
        rtc_checked++;
        if (isr == 0x0104) /* slave IR0, master IR2 */
            rtc_isr_ok++;
    } else if (rtc_mode == RTC_NEST_PIT) { /* once: the higher-priority IR0 may nest */
        rtc_mode = RTC_PLAIN;
        uint32_t pit = pic_count[PIC_IRQ_PIT];
        pit_nested_in_rtc = wait_count(&pic_count[PIC_IRQ_PIT], pit + 1, 3000);
        nest_done = 1;
    }
    uint8_t c = rtc_read(RTC_REG_C); /* acknowledges: IRQ8 falls */
    if (rtc_mode == RTC_CHECK && (c & (RTC_C_IRQF | RTC_C_PF)) == (RTC_C_IRQF | RTC_C_PF))
        rtc_regc_ok++;
    pic_eoi(PIC_IRQ_RTC);
}

/* IRQ7 and IRQ15 come also as the 8259's spurious vectors: the ISR bit tells (Linux's
 * arch/x86/kernel/i8259.c does the same). A spurious IRQ15 is in service on the master's IR2. */
static void irq7_or_15(uint32_t vector)
{
    uint16_t isr = pic_read_isr();
    if (vector == PIC_VEC_MASTER + 7) {
        if (isr & 0x80) {
            pic_count[7]++;
            pic_eoi(7);
        } else {
            pic_spurious7++;
        }
    } else {
        if (isr & 0x8000) {
            pic_count[15]++;
            pic_eoi(15);
        } else {
            pic_spurious15++;
            pic_eoi(PIC_CASCADE_IRQ);
        }
    }
}

static void other_irq(uint32_t vector)
{
    unsigned irq = vector - PIC_VEC_MASTER;
    pic_count[irq]++;
    pic_eoi(irq);
}

static void setup_lapic(void)
{
    if (!lapic_present()) {
        test_note("no local APIC (CPUID.1:EDX.APIC clear): the 8259 drives INTR directly, "
                  "HLT waits have no watchdog");
        return;
    }
    lapic_init();
    lapic_enable();
    /* Virtual wire mode (MP spec 3.6.2.2; SDM 11.5.1): LINT0 ExtINT, LINT1 NMI */
    lapic_write(LAPIC_LVT_LINT0, LVT_DM_EXTINT);
    lapic_write(LAPIC_LVT_LINT1, LVT_DM_NMI);
    uint32_t per_ms = lapic_timer_calibrate();
    test_note("local APIC %u: LINT0 ExtINT, LINT1 NMI; watchdog on its timer (%u counts/ms)",
              (unsigned)lapic_id(), (unsigned)per_ms);
    if (per_ms)
        lapic_watchdog_start(per_ms, 20000);
}

static void test_init_state(void)
{
    pic_init(PIC_VEC_MASTER, PIC_VEC_SLAVE);
    test_checkf(pic_get_mask() == 0xffff, "OCW1 masked every IRQ: IMRs read 0xff 0xff (0x%04x)",
                (unsigned)pic_get_mask());
    pic_set_mask(0xa55a);
    uint16_t m = pic_get_mask();
    pic_set_mask(0xffff);
    test_checkf(m == 0xa55a, "IMRs read back what OCW1 wrote (0x%04x)", (unsigned)m);
    uint16_t isr = pic_read_isr(), irr = pic_read_irr();
    test_checkf(isr == 0, "ISR empty after ICW1-ICW4 (0x%04x)", (unsigned)isr);
    test_note("after initialisation: IMR 0x%04x IRR 0x%04x ISR 0x%04x", (unsigned)pic_get_mask(),
              (unsigned)irr, (unsigned)isr);
}

static void test_pit(void)
{
    pit_mode = PIT_CHECK_ISR;
    pit_ch0_periodic(PIT_TEST_HZ);
    pic_set_mask((uint16_t) ~(1u << PIC_IRQ_PIT));
    bool came = wait_count(&pic_count[PIC_IRQ_PIT], 1, WAIT_FIRST_US);
    if (!test_check(came, "IRQ0 from the PIT (mode 2, 1000 Hz) arrives on vector 0x20")) {
        test_note("IRR 0x%04x ISR 0x%04x IMR 0x%04x", (unsigned)pic_read_irr(),
                  (unsigned)pic_read_isr(), (unsigned)pic_get_mask());
        pic_set_mask(0xffff);
        return;
    }
    uint32_t n0 = pic_count[PIC_IRQ_PIT];
    uint32_t t0 = pit_clock_us();
    bool all = hlt_count(&pic_count[PIC_IRQ_PIT], n0 + HLT_TICKS, 1000000);
    uint32_t us = pit_clock_us() - t0;
    uint32_t got = pic_count[PIC_IRQ_PIT] - n0;
    test_checkf(all, "STI; HLT woke for %u PIT interrupts (%u)", HLT_TICKS, (unsigned)got);
    test_checkf(us >= 90000 && us <= 110000,
                "%u interrupts at 1000 Hz took 90-110 ms on the PIT clock (%u us)", HLT_TICKS,
                (unsigned)us);
    pit_mode = PIT_PLAIN;
    uint32_t checked = pit_checked;
    test_checkf(checked > 0 && pit_isr_set == checked,
                "OCW3 in the handler: ISR holds IR0 alone (%u of %u)", (unsigned)pit_isr_set,
                (unsigned)checked);
    test_checkf(checked > 0 && pit_isr_clear_after_eoi == checked,
                "ISR empty after each specific or non-specific EOI (%u of %u)",
                (unsigned)pit_isr_clear_after_eoi, (unsigned)checked);
    test_checkf(pit_wrong_seoi_tries > 0 && pit_wrong_seoi_kept == pit_wrong_seoi_tries,
                "a specific EOI of IR3 leaves IR0 in service (%u)", (unsigned)pit_wrong_seoi_kept);
    test_note("IRR in the last IRQ0 handler: 0x%04x", (unsigned)pit_irr_seen);
}

static void test_aeoi(void)
{
    /* ICW4 with AEOI on the master: no EOI needed, the ISR bit never stays (8259A datasheet,
     * automatic end of interrupt) */
    uint16_t mask = pic_get_mask();
    outb(PIC_MASTER_CMD, 0x11);
    outb(PIC_MASTER_DATA, PIC_VEC_MASTER);
    outb(PIC_MASTER_DATA, 1u << PIC_CASCADE_IRQ);
    outb(PIC_MASTER_DATA, 0x03); /* 8086 mode, AEOI */
    outb(PIC_MASTER_DATA, (uint8_t) ~(1u << PIC_IRQ_PIT));
    pit_mode = PIT_AEOI;
    uint32_t n0 = pic_count[PIC_IRQ_PIT], a0 = pit_aeoi_isr_clear;
    bool ok = wait_count(&pic_count[PIC_IRQ_PIT], n0 + 10, WAIT_FIRST_US);
    pit_mode = PIT_PLAIN;
    test_checkf(ok && pit_aeoi_isr_clear - a0 >= 10,
                "auto-EOI: IRQ0 keeps coming without EOI, its ISR bit clear in the handler (%u)",
                (unsigned)(pit_aeoi_isr_clear - a0));
    pic_init(PIC_VEC_MASTER, PIC_VEC_SLAVE);
    pic_set_mask(mask);
}

static void test_rtc(void)
{
    pic_set_mask((uint16_t) ~((1u << PIC_IRQ_RTC) | (1u << PIC_CASCADE_IRQ)));
    rtc_mode = RTC_CHECK;
    rtc_periodic_start(RTC_RATE_1024HZ);
    bool came = wait_count(&pic_count[PIC_IRQ_RTC], 1, WAIT_FIRST_US);
    if (!test_check(came, "IRQ8 from the RTC (periodic, 1024 Hz) arrives through the slave on "
                          "vector 0x28")) {
        test_note("IRR 0x%04x ISR 0x%04x register C 0x%02x", (unsigned)pic_read_irr(),
                  (unsigned)pic_read_isr(), (unsigned)rtc_read(RTC_REG_C));
        rtc_periodic_stop();
        pic_set_mask(0xffff);
        return;
    }
    uint32_t n0 = pic_count[PIC_IRQ_RTC];
    uint32_t t0 = pit_clock_us();
    bool all = hlt_count(&pic_count[PIC_IRQ_RTC], n0 + RTC_TICKS, 1000000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(all, "STI; HLT woke for %u RTC interrupts", RTC_TICKS);
    test_checkf(us >= 56250 && us <= 68750,
                "%u RTC interrupts at 1024 Hz took 56-69 ms on the PIT clock (%u us)", RTC_TICKS,
                (unsigned)us);
    rtc_mode = RTC_PLAIN;
    test_checkf(rtc_checked > 0 && rtc_isr_ok == rtc_checked,
                "ISR in the handler: slave IR0 and master IR2 (%u of %u, last 0x%04x)",
                (unsigned)rtc_isr_ok, (unsigned)rtc_checked, (unsigned)rtc_isr_seen);
    test_checkf(rtc_checked > 0 && rtc_regc_ok == rtc_checked,
                "register C reads IRQF and PF in the handler (%u of %u)", (unsigned)rtc_regc_ok,
                (unsigned)rtc_checked);

    /* The PIT against the RTC: two clocks, two interrupt lines, one count each. */
    pit_ch0_periodic(PIT_TEST_HZ);
    pic_set_mask((uint16_t) ~((1u << PIC_IRQ_RTC) | (1u << PIC_CASCADE_IRQ) | 1u));
    wait_count(&pic_count[PIC_IRQ_PIT], pic_count[PIC_IRQ_PIT] + 1, WAIT_FIRST_US);
    uint32_t r0 = pic_count[PIC_IRQ_RTC], p0 = pic_count[PIC_IRQ_PIT];
    hlt_count(&pic_count[PIC_IRQ_RTC], r0 + 128, 1000000);
    uint32_t pits = pic_count[PIC_IRQ_PIT] - p0;
    test_checkf(pits >= 113 && pits <= 137,
                "during 128 RTC interrupts (125 ms) the 1000 Hz PIT interrupted 113-137 times "
                "(%u)",
                (unsigned)pits);

    /* Fully nested mode: IR0 outranks IR2 (8259A datasheet, priority resolver) */
    pit_mode = PIT_HOLD_RTC;
    bool done = wait_count(&hold_done, 1, WAIT_FIRST_US);
    test_check(done && rtc_held, "IRQ8 waits while IRQ0 is in service (no EOI yet)");
    test_check(done && rtc_nested_after_eoi,
               "IRQ8 comes inside the IRQ0 handler once it sends the EOI");
    rtc_mode = RTC_NEST_PIT;
    done = wait_count(&nest_done, 1, WAIT_FIRST_US);
    test_check(done && pit_nested_in_rtc,
               "IRQ0 nests inside the IRQ8 handler (STI, higher priority)");

    pic_set_mask(0xffff);
    pit_ch0_stop();
    rtc_periodic_stop();
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("pic");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    trap_init();
    for (unsigned v = PIC_VEC_MASTER; v < PIC_VEC_MASTER + 16; v++)
        trap_set_handler((uint8_t)v, other_irq);
    trap_set_handler(PIC_VEC_MASTER + PIC_IRQ_PIT, pit_irq);
    trap_set_handler(PIC_VEC_SLAVE, rtc_irq);
    trap_set_handler(PIC_VEC_MASTER + 7, irq7_or_15);
    trap_set_handler(PIC_VEC_SLAVE + 7, irq7_or_15);
    pit_clock_start();
    pic_init(PIC_VEC_MASTER, PIC_VEC_SLAVE); /* quiet before the LAPIC goes to virtual wire */
    setup_lapic();

    test_init_state();
    pic_test_elcr();
    test_pit();
    test_aeoi();
    test_rtc();
    pic_test_level();

    irq_disable();
    pit_ch0_stop();
    if (lapic_present())
        lapic_watchdog_stop();
    uint32_t stray = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != PIC_IRQ_PIT && i != PIC_IRQ_RTC && i != PIC_IRQ_UART)
            stray += pic_count[i];
    test_checkf(stray == 0 && pic_spurious15 == 0, "no other IRQ came (%u, spurious IRQ15 %u)",
                (unsigned)stray, (unsigned)pic_spurious15);
    test_note("at the end: IMR 0x%04x IRR 0x%04x ISR 0x%04x ELCR 0x%04x; IRQ0 %u, IRQ8 %u, "
              "IRQ4 %u, spurious IRQ7 %u",
              (unsigned)pic_get_mask(), (unsigned)pic_read_irr(), (unsigned)pic_read_isr(),
              (unsigned)pic_read_elcr(), (unsigned)pic_count[0], (unsigned)pic_count[8],
              (unsigned)pic_count[4], (unsigned)pic_spurious7);
    test_finish();
}
