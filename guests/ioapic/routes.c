/*
 * guests/ioapic/routes.c - the ioapic guest's interrupts through the redirection table: the
 * PIT on its pin (edge), a logical destination, the RTC on its pin edge- and level-triggered.
 * Every entry goes to the BSP's local APIC with fixed delivery; handlers end with its EOI.
 */
#include "guests/ioapic/ioapic.h"
#include "guests/lib/io.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/lapic.h"
#include "guests/lib/pit.h"
#include "guests/lib/rtc.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/wait.h"

#define WAIT_FIRST_US 200000

static volatile uint32_t pit_count, pit_checked, pit_isr_ok, pit_tmr_clear;
static volatile uint32_t logical_count;
static volatile uint32_t rtc_count, rtc_level_checked, rtc_tmr_set, rtc_rirr_before,
    rtc_rirr_after_clear;

/* Lets what the local APIC already accepted come in (IF=1 for us microseconds): an interrupt
 * delivered just before an entry was masked is no failure of the mask. */
static void drain(uint32_t us)
{
    irq_enable();
    pit_delay_us(us);
    irq_disable();
}

static uint64_t rte(uint8_t vector, uint32_t flags, uint32_t dest)
{
    return ((uint64_t)dest << 56) | flags | vector;
}

static void pit_irq(uint32_t vector)
{
    pit_count++;
    pit_checked++;
    if (lapic_vector_bit(LAPIC_ISR, (uint8_t)vector))
        pit_isr_ok++;
    if (!lapic_vector_bit(LAPIC_TMR, (uint8_t)vector))
        pit_tmr_clear++;
    lapic_eoi();
}

static void logical_irq(uint32_t vector)
{
    (void)vector;
    logical_count++;
    lapic_eoi();
}

static void rtc_edge_irq(uint32_t vector)
{
    (void)vector;
    rtc_count++;
    (void)rtc_read(RTC_REG_C);
    lapic_eoi();
}

/* Level-triggered: the line stays high until register C is read; the EOI of a vector whose
 * TMR bit is set goes to the I/O APICs and clears the entry's remote IRR (SDM 11.8.5;
 * 82093AA 3.2.4). */
static void rtc_level_irq(uint32_t vector)
{
    rtc_count++;
    rtc_level_checked++;
    if (lapic_vector_bit(LAPIC_TMR, (uint8_t)vector))
        rtc_tmr_set++;
    if (ioapic_rte_read(io.base, io.rtc_pin) & RTE_REMOTE_IRR)
        rtc_rirr_before++;
    (void)rtc_read(RTC_REG_C);
    lapic_eoi();
    if (!(ioapic_rte_read(io.base, io.rtc_pin) & RTE_REMOTE_IRR))
        rtc_rirr_after_clear++;
}

void ioapic_test_pit(void)
{
    trap_set_handler(VEC_PIT, pit_irq);
    ioapic_rte_write(io.base, io.pit_pin, rte(VEC_PIT, RTE_DM_FIXED, io.bsp_apic_id));
    pit_ch0_periodic(1000);
    bool came = wait_count(&pit_count, 1, WAIT_FIRST_US);
    if (!test_check(came, "the PIT (1000 Hz) interrupts through its pin as vector 0x30")) {
        test_note("entry 0x%016llx", (unsigned long long)ioapic_rte_read(io.base, io.pit_pin));
        ioapic_rte_write(io.base, io.pit_pin, RTE_MASKED);
        pit_ch0_stop();
        return;
    }
    uint32_t n0 = pit_count, t0 = pit_clock_us();
    bool all = hlt_count(&pit_count, n0 + 50, 1000000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(all && us >= 45000 && us <= 55000,
                "50 interrupts woke HLT in 45-55 ms on the PIT clock (%u us)", (unsigned)us);
    test_checkf(pit_checked > 0 && pit_isr_ok == pit_checked && pit_tmr_clear == pit_checked,
                "in the handler: ISR bit of 0x30 set, TMR bit clear (edge) (%u of %u)",
                (unsigned)pit_isr_ok, (unsigned)pit_checked);

    /* Masking (82093AA 3.2.4: edges on a masked pin are ignored) and unmasking. */
    ioapic_rte_write(io.base, io.pit_pin, rte(VEC_PIT, RTE_MASKED, io.bsp_apic_id));
    drain(500);
    uint32_t m0 = pit_count;
    wait_count(&pit_count, m0 + 1, 10000);
    uint32_t during = pit_count - m0;
    test_checkf(during == 0, "masked: no interrupt in 10 ms (%u)", (unsigned)during);
    ioapic_rte_write(io.base, io.pit_pin, rte(VEC_PIT, RTE_DM_FIXED, io.bsp_apic_id));
    test_check(wait_count(&pit_count, pit_count + 5, 50000), "unmasked: the interrupts come again");
    ioapic_rte_write(io.base, io.pit_pin, RTE_MASKED);
    pit_ch0_stop();
}

void ioapic_test_logical(void)
{
    /* Flat model: the BSP's logical ID is bit 0; a destination with bit 0 reaches it, one
     * without reaches no one (SDM 11.6.2.2). */
    trap_set_handler(VEC_LOGICAL, logical_irq);
    lapic_write(LAPIC_DFR, 0xffffffffu);
    lapic_write(LAPIC_LDR, 1u << 24);
    ioapic_rte_write(io.base, io.pit_pin, rte(VEC_LOGICAL, RTE_LOGICAL, 0x01));
    pit_ch0_periodic(1000);
    test_check(wait_count(&logical_count, 5, WAIT_FIRST_US),
               "logical destination 0x01 (flat, the BSP's LDR bit 0) delivers");
    ioapic_rte_write(io.base, io.pit_pin, rte(VEC_LOGICAL, RTE_LOGICAL, 0x02));
    drain(1500);
    uint32_t l0 = logical_count;
    wait_count(&logical_count, l0 + 1, 10000);
    test_checkf(logical_count == l0,
                "logical destination 0x02 (no CPU's LDR) delivers nowhere (%u)",
                (unsigned)(logical_count - l0));
    ioapic_rte_write(io.base, io.pit_pin, RTE_MASKED);
    pit_ch0_stop();
    lapic_write(LAPIC_LDR, 0);
}

void ioapic_test_rtc_edge(void)
{
    trap_set_handler(VEC_RTC_EDGE, rtc_edge_irq);
    ioapic_rte_write(io.base, io.rtc_pin, rte(VEC_RTC_EDGE, RTE_DM_FIXED, io.bsp_apic_id));
    rtc_count = 0;
    rtc_periodic_start(RTC_RATE_1024HZ);
    bool came = wait_count(&rtc_count, 1, WAIT_FIRST_US);
    if (!test_check(came,
                    "the RTC (periodic, 1024 Hz) interrupts through its pin as vector 0x38")) {
        ioapic_rte_write(io.base, io.rtc_pin, RTE_MASKED);
        rtc_periodic_stop();
        return;
    }
    uint32_t n0 = rtc_count, t0 = pit_clock_us();
    bool all = hlt_count(&rtc_count, n0 + 32, 1000000);
    uint32_t us = pit_clock_us() - t0;
    test_checkf(all && us >= 28125 && us <= 34375,
                "32 interrupts woke HLT in 28-34 ms on the PIT clock (%u us)", (unsigned)us);

    /* Masked, the handler cannot read register C: IRQ8 rises once and stays high. Its edge
     * came while masked and is lost: unmasking brings nothing, until register C is read. */
    ioapic_rte_write(io.base, io.rtc_pin, rte(VEC_RTC_EDGE, RTE_MASKED, io.bsp_apic_id));
    drain(500);
    (void)rtc_read(RTC_REG_C);
    pit_delay_us(3000);
    uint32_t m0 = rtc_count;
    ioapic_rte_write(io.base, io.rtc_pin, rte(VEC_RTC_EDGE, RTE_DM_FIXED, io.bsp_apic_id));
    wait_count(&rtc_count, m0 + 1, 5000);
    test_checkf(rtc_count == m0,
                "an edge that came while the entry was masked is lost: nothing on unmasking (%u)",
                (unsigned)(rtc_count - m0));
    (void)rtc_read(RTC_REG_C);
    test_check(wait_count(&rtc_count, m0 + 3, 50000),
               "once register C is read (IRQ8 falls) the interrupts come again");
    ioapic_rte_write(io.base, io.rtc_pin, RTE_MASKED);
    rtc_periodic_stop();
}

void ioapic_test_rtc_level(void)
{
    trap_set_handler(VEC_RTC_LEVEL, rtc_level_irq);
    rtc_count = 0;
    ioapic_rte_write(io.base, io.rtc_pin,
                     rte(VEC_RTC_LEVEL, RTE_DM_FIXED | RTE_LEVEL, io.bsp_apic_id));
    rtc_periodic_start(RTC_RATE_1024HZ);
    bool all = wait_count(&rtc_count, 32, WAIT_FIRST_US);
    test_checkf(all, "level-triggered: 32 interrupts, each ended by register C and the EOI (%u)",
                (unsigned)rtc_count);
    uint32_t n = rtc_level_checked;
    test_checkf(n > 0 && rtc_tmr_set == n,
                "level-triggered: TMR bit of 0x39 set in the handler "
                "(%u of %u)",
                (unsigned)rtc_tmr_set, (unsigned)n);
    test_checkf(n > 0 && rtc_rirr_after_clear == n,
                "level-triggered: remote IRR clear after the EOI (%u of %u)",
                (unsigned)rtc_rirr_after_clear, (unsigned)n);
    test_note("remote IRR set in the handler before the EOI: %u of %u (the 82093AA sets it on "
              "delivery; Bochs 2.7 does not model it)",
              (unsigned)rtc_rirr_before, (unsigned)n);

    /* Masked with the line high (register C unread), then unmasked: a level is still there
     * and is delivered (Linux's mask/unmask of level interrupts relies on it). */
    ioapic_rte_write(io.base, io.rtc_pin,
                     rte(VEC_RTC_LEVEL, RTE_MASKED | RTE_LEVEL, io.bsp_apic_id));
    drain(500);
    (void)rtc_read(RTC_REG_C);
    pit_delay_us(3000);
    uint32_t m0 = rtc_count;
    ioapic_rte_write(io.base, io.rtc_pin,
                     rte(VEC_RTC_LEVEL, RTE_DM_FIXED | RTE_LEVEL, io.bsp_apic_id));
    test_check(wait_count(&rtc_count, m0 + 1, 5000),
               "level-triggered: unmasking with the line high delivers at once");
    ioapic_rte_write(io.base, io.rtc_pin, RTE_MASKED);
    rtc_periodic_stop();
    uint64_t last = ioapic_rte_read(io.base, io.rtc_pin);
    test_checkf(!(last & (RTE_REMOTE_IRR | RTE_DELIVS)),
                "the RTC's entry idle at the end: no remote IRR, no delivery pending "
                "(0x%016llx)",
                (unsigned long long)last);
}
