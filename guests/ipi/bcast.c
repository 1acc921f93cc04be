/*
 * guests/ipi/bcast.c - the ipi guest's IPIs to several CPUs at once: the destination shorthands
 * all-excluding-self and all-including-self (SDM 11.6.1), logical destinations in the flat
 * model (SDM 11.6.2.2: DFR model 1111b, the LDR's bits 31:24 ANDed with the destination), NMI
 * IPIs, and an IPI that has to wait in an AP's IRR while that AP runs with IF=0.
 */
#include "guests/ipi/ipi.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"

#define WAIT_US  50000
#define SPIN_MAX 10000000 /* a bound for an AP spinning on the BSP, not a time */
#define MAX_FLAT 8        /* the flat model has 8 logical IDs */

static volatile uint32_t ldr_seen[SMP_MAX_CPUS];
static volatile uint32_t pend_ready, pend_step, pend_looked, pend_release;
static volatile uint32_t pend_irr, pend_irr2, pend_before, pend_after, pend_after2;

/* Sends to dest and checks that exactly the CPUs in want (bit i: CPU i) got one more in slot. */
static bool exactly(enum ipi_slot slot, uint32_t dest, uint32_t icr_lo, uint32_t want)
{
    uint32_t before[SMP_MAX_CPUS];
    ipi_snapshot(slot, before);
    ipi_send(dest, icr_lo);
    for (uint32_t i = 0; i < smp_ncpus; i++)
        if (want & (1u << i))
            ipi_wait(slot, i, before[i] + 1, WAIT_US);
    ipi_drain();
    bool ok = true;
    for (uint32_t i = 0; i < smp_ncpus; i++)
        if (ipi_got[slot][i] != before[i] + ((want >> i) & 1))
            ok = false;
    return ok;
}

static uint32_t all_cpus(void)
{
    return (1u << smp_ncpus) - 1;
}

void ipi_test_shorthands(void)
{
    test_check(
        exactly(S_OTHERS, 0, ICR_DEST_OTHERS | ICR_FIXED | (VEC_BASE + S_OTHERS), all_cpus() & ~1u),
        "all-excluding-self reaches every AP once, not the sender");
    test_check(exactly(S_ALL, 0, ICR_DEST_ALL | ICR_FIXED | (VEC_BASE + S_ALL), all_cpus()),
               "all-including-self reaches every CPU once, the sender too");
}

static void set_flat_ldr(uint32_t idx)
{
    lapic_write(LAPIC_DFR, 0xffffffffu); /* flat model */
    lapic_write(LAPIC_LDR, idx < MAX_FLAT ? (1u << idx) << 24 : 0);
    ldr_seen[idx] = lapic_read(LAPIC_LDR);
}

void ipi_test_logical(void)
{
    uint32_t n = smp_ncpus < MAX_FLAT ? smp_ncpus : MAX_FLAT, right = 0;
    set_flat_ldr(0);
    for (uint32_t i = 1; i < smp_ncpus; i++)
        smp_call(i, set_flat_ldr, WAIT_US);
    for (uint32_t i = 0; i < n; i++) /* cppcheck-suppress knownConditionTrueFalse */
        right += ldr_seen[i] == (1u << i) << 24;
    test_checkf(right == n, "each CPU's LDR holds its flat logical ID (%u of %u)", (unsigned)right,
                (unsigned)n);
    uint32_t mask = 0; /* the odd CPUs: some APs, not the BSP */
    for (uint32_t i = 1; i < n; i += 2)
        mask |= 1u << i;
    test_checkf(exactly(S_LOGICAL, mask, ICR_LOGICAL | ICR_FIXED | (VEC_BASE + S_LOGICAL), mask),
                "a logical destination reaches exactly the CPUs whose LDR bit it holds (0x%02x)",
                (unsigned)mask);
    test_check(
        exactly(S_LOGICAL, 0xff, ICR_LOGICAL | ICR_FIXED | (VEC_BASE + S_LOGICAL), (1u << n) - 1),
        "logical destination 0xff reaches every CPU, the sender too");
}

void ipi_test_nmi(void)
{
    uint32_t aps = smp_ncpus - 1, ok = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++)
        ok += exactly(S_NMI, smp_cpus[i].apic_id, ICR_NMI, 1u << i);
    test_checkf(ok == aps, "an NMI IPI reaches each AP and no other CPU (%u of %u)", (unsigned)ok,
                (unsigned)aps);
    test_check(exactly(S_NMI, 0, ICR_DEST_OTHERS | ICR_NMI, all_cpus() & ~1u),
               "an NMI to all-excluding-self reaches every AP, not the sender");
}

/* On the AP, IF=0 (a command): tells the BSP it is ready, looks after the first IPI and again
 * after a second one (each may end in a VM exit and entry of the AP: the first leaves a pending
 * virtual interrupt that IF=0 must hold back when the second comes, SDM 30.2.2), then sets IF. */
static void hold(uint32_t idx)
{
    pend_before = ipi_got[S_PENDING][idx];
    pend_ready = 1;
    for (uint32_t i = 0; !pend_step && i < SPIN_MAX; i++)
        cpu_relax();
    pend_irr =
        lapic_vector_bit(LAPIC_IRR, VEC_BASE + S_PENDING) && ipi_got[S_PENDING][idx] == pend_before;
    pend_looked = 1;
    for (uint32_t i = 0; !pend_release && i < SPIN_MAX; i++)
        cpu_relax();
    pend_irr2 = lapic_vector_bit(LAPIC_IRR, VEC_BASE + S_PENDING) &&
                lapic_vector_bit(LAPIC_IRR, VEC_BASE + S_SELF) &&
                ipi_got[S_PENDING][idx] == pend_before;
    uint32_t self_before = ipi_got[S_SELF][idx];
    irq_enable();
    for (uint32_t i = 0;
         (ipi_got[S_PENDING][idx] == pend_before || ipi_got[S_SELF][idx] == self_before) &&
         i < SPIN_MAX;
         i++)
        cpu_relax();
    irq_disable();
    pend_after = ipi_got[S_PENDING][idx];
    pend_after2 = ipi_got[S_SELF][idx] - self_before;
}

void ipi_test_pending(void)
{
    pend_ready = pend_step = pend_looked = pend_release = 0;
    smp_post(1, hold);
    uint32_t start = pit_clock_us();
    while (!pend_ready && pit_clock_us() - start < WAIT_US)
        cpu_relax();
    ipi_send(smp_cpus[1].apic_id, ICR_FIXED | (VEC_BASE + S_PENDING));
    pit_delay_us(2000);
    pend_step = 1;
    start = pit_clock_us();
    while (!pend_looked && pit_clock_us() - start < WAIT_US)
        cpu_relax();
    /* a second IPI (another vector, lower: the first stays the one to deliver) */
    ipi_send(smp_cpus[1].apic_id, ICR_FIXED | (VEC_BASE + S_SELF));
    pit_delay_us(2000);
    pend_release = 1;
    bool done = smp_wait_done(1, 1000000);
    test_check(done && pend_irr, "an IPI to an AP with IF=0 waits in its IRR");
    test_check(done && pend_irr2,
               "a second IPI to it does not bring the first in while IF=0: both wait in its IRR");
    test_checkf(done && pend_after == pend_before + 1 && pend_after2 == 1,
                "they come as soon as the AP sets IF (%u and %u)",
                (unsigned)(pend_after - pend_before), (unsigned)pend_after2);
}
