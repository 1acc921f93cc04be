/*
 * guests/lapic-timer/prio.c - priorities and errors of the local APIC: TPR and PPR (SDM
 * 11.8.3.1: an interrupt is delivered only when its class, vector[7:4], is above the PPR's),
 * nesting of two vectors in the ISR and the EOI of the highest one (SDM 11.8.4, 11.8.5), the
 * ESR (SDM 11.5.3), and the x2APIC registers (SDM 11.12). The interrupts are self IPIs
 * (destination shorthand "self", fixed), which need no timing.
 */
#include <stddef.h>
#include "guests/lapic-timer/lt.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/wait.h"

#define GP_FAULT (13 + 1) /* a safe_* result: #GP */

static volatile uint32_t tpr_count, tpr_ppr, tpr_isr;
static volatile uint32_t low_done, low_isr, high_count, high_both, high_ppr, after_high_ok;
static volatile uint32_t low2_count, low2_held, low2_after_eoi;
static volatile uint32_t vec2_count, self_msr_count;

static void self_ipi(uint8_t vector)
{
    lapic_send_ipi(0, ICR_DEST_SELF | ICR_FIXED | vector);
}

static void tpr_irq(uint32_t vector)
{
    tpr_count++;
    tpr_ppr = lapic_read(LAPIC_PPR) & 0xff;
    tpr_isr = lapic_vector_bit(LAPIC_ISR, (uint8_t)vector);
    lapic_eoi();
}

void lt_test_priority(void)
{
    trap_set_handler(VEC_TPR, tpr_irq);
    lapic_write(LAPIC_TPR, 0x50);
    uint32_t tpr = lapic_read(LAPIC_TPR) & 0xff, ppr = lapic_read(LAPIC_PPR) & 0xff;
    test_checkf(tpr == 0x50, "%s: TPR reads back 0x50 (0x%x)", lt_mode, (unsigned)tpr);
    test_checkf(ppr == 0x50, "%s: PPR equals the TPR with nothing in service (0x%x)", lt_mode,
                (unsigned)ppr);
    tpr_count = 0;
    self_ipi(VEC_TPR);
    wait_count(&tpr_count, 1, 2000);
    test_checkf(tpr_count == 0 && lapic_vector_bit(LAPIC_IRR, VEC_TPR),
                "%s: TPR 0x50 holds vector 0x45 (class 4) in the IRR", lt_mode);
    lapic_write(LAPIC_TPR, 0x40);
    wait_count(&tpr_count, 1, 2000);
    test_checkf(tpr_count == 0, "%s: TPR 0x40 still holds it (class 4 is not above 4)", lt_mode);
    lapic_write(LAPIC_TPR, 0x30);
    test_checkf(wait_count(&tpr_count, 1, 2000), "%s: TPR 0x30 lets it in", lt_mode);
    test_checkf(tpr_ppr == 0x40 && tpr_isr,
                "%s: in its handler the ISR holds it and PPR is its class (0x%x)", lt_mode,
                (unsigned)tpr_ppr);
    lapic_write(LAPIC_TPR, 0);
}

static void high_irq(uint32_t vector)
{
    high_count++;
    high_both =
        lapic_vector_bit(LAPIC_ISR, VEC_LOW) && lapic_vector_bit(LAPIC_ISR, (uint8_t)vector);
    high_ppr = lapic_read(LAPIC_PPR) & 0xff;
    lapic_eoi();
}

static void low2_irq(uint32_t vector)
{
    (void)vector;
    low2_count++;
    lapic_eoi();
}

/* Vector 0x61 in service; with IF=1 a higher class nests, the same class waits. */
static void low_irq(uint32_t vector)
{
    low_isr = lapic_vector_bit(LAPIC_ISR, (uint8_t)vector);
    self_ipi(VEC_HIGH);
    wait_count(&high_count, 1, 2000);
    after_high_ok =
        lapic_vector_bit(LAPIC_ISR, (uint8_t)vector) && !lapic_vector_bit(LAPIC_ISR, VEC_HIGH);
    self_ipi(VEC_LOW2);
    wait_count(&low2_count, 1, 2000);
    low2_held = low2_count == 0 && lapic_vector_bit(LAPIC_IRR, VEC_LOW2);
    lapic_eoi(); /* clears 0x61, the highest bit in service */
    low2_after_eoi = wait_count(&low2_count, 1, 2000);
    low_done = 1;
}

void lt_test_nesting(void)
{
    trap_set_handler(VEC_LOW, low_irq);
    trap_set_handler(VEC_LOW2, low2_irq);
    trap_set_handler(VEC_HIGH, high_irq);
    low_done = high_count = low2_count = 0;
    self_ipi(VEC_LOW);
    bool done = wait_count(&low_done, 1, 50000);
    test_checkf(done && low_isr, "%s: a self IPI of 0x61 comes, its ISR bit set", lt_mode);
    test_checkf(high_count == 1, "%s: 0x81 (a higher class) nests in the handler of 0x61", lt_mode);
    test_checkf(high_both && high_ppr == 0x80,
                "%s: in the nested handler the ISR holds 0x61 and 0x81, PPR 0x80 (0x%x)", lt_mode,
                (unsigned)high_ppr);
    test_checkf(after_high_ok, "%s: the nested EOI ended 0x81 only, 0x61 stays in service",
                lt_mode);
    test_checkf(low2_held, "%s: 0x62 (the same class) waits in the IRR while 0x61 is in service",
                lt_mode);
    test_checkf(low2_after_eoi, "%s: 0x62 comes once 0x61 gets its EOI", lt_mode);
}

static void vec2_irq(uint32_t vector)
{
    (void)vector;
    vec2_count++;
}

void lt_test_esr(void)
{
    trap_set_handler(2, vec2_irq);
    (void)lapic_read_esr();
    uint32_t e0 = lapic_read_esr();
    test_checkf(e0 == 0, "%s: the ESR reads 0 once cleared (0x%x)", lt_mode, (unsigned)e0);
    vec2_count = 0;
    self_ipi(2);
    irq_enable();
    pit_delay_us(1000);
    irq_disable();
    uint32_t e1 = lapic_read_esr();
    test_checkf(e1 & (ESR_SEND_ILLEGAL_VECTOR | ESR_RECV_ILLEGAL_VECTOR),
                "%s: a self IPI with the illegal vector 2 sets an illegal-vector bit (0x%x)",
                lt_mode, (unsigned)e1);
    test_checkf(vec2_count == 0, "%s: and nothing is delivered (%u)", lt_mode,
                (unsigned)vec2_count);
    uint32_t e2 = lapic_read_esr();
    test_checkf(e2 == 0, "%s: the next write clears the ESR (0x%x)", lt_mode, (unsigned)e2);
    trap_set_handler(2, NULL);
}

static void self_msr_irq(uint32_t vector)
{
    (void)vector;
    self_msr_count++;
    lapic_eoi();
}

void lt_test_x2apic_regs(uint32_t xapic_id)
{
    uint32_t id = lapic_read(LAPIC_ID);
    test_checkf(id == xapic_id, "x2APIC: the ID MSR (0x802) holds the xAPIC ID (%u)", (unsigned)id);
    /* SDM 11.12.10.2: the LDR is derived from the ID in x2APIC mode. Bochs 2.7 computes it
     * only when IA32_APIC_BASE is written in x2APIC mode; writing the same value again is a
     * legal no-op, after which every correct APIC shows the derived LDR. */
    uint32_t ldr_first = lapic_read(LAPIC_LDR);
    uint64_t base = 0;
    if (safe_rdmsr(IA32_APIC_BASE, &base) == 0)
        safe_wrmsr(IA32_APIC_BASE, base);
    uint32_t ldr = lapic_read(LAPIC_LDR);
    uint32_t want = ((id >> 4) << 16) | (1u << (id & 15));
    test_note("x2APIC: LDR right after the switch 0x%x, after rewriting IA32_APIC_BASE 0x%x",
              (unsigned)ldr_first, (unsigned)ldr);
    test_checkf(ldr == want, "x2APIC: the LDR (0x80d) is derived from the ID (0x%x)",
                (unsigned)ldr);
    uint64_t v;
    test_check(safe_rdmsr(0x801, &v) == GP_FAULT, "x2APIC: RDMSR of the reserved MSR 0x801 "
                                                  "raises #GP");
    test_check(safe_rdmsr(0x80e, &v) == GP_FAULT, "x2APIC: RDMSR of 0x80e (no DFR in x2APIC "
                                                  "mode) raises #GP");
    test_check(safe_rdmsr(0x80b, &v) == GP_FAULT, "x2APIC: RDMSR of the write-only EOI (0x80b) "
                                                  "raises #GP");
    test_check(safe_wrmsr(0x802, 0) == GP_FAULT, "x2APIC: WRMSR to the read-only ID (0x802) "
                                                 "raises #GP");
    test_check(safe_wrmsr(0x80b, 1) == GP_FAULT, "x2APIC: WRMSR of a non-zero value to the EOI "
                                                 "raises #GP");
    trap_set_handler(VEC_SELF_MSR, self_msr_irq);
    lapic_write(LAPIC_SELF_IPI, VEC_SELF_MSR); /* SDM 11.12.11 */
    test_check(wait_count(&self_msr_count, 1, 2000), "x2APIC: the SELF IPI MSR (0x83f) delivers "
                                                     "vector 0x46");
}
