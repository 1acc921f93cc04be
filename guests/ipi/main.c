/*
 * guests/ipi/main.c - the ipi test guest (multiboot v1): interrupts between CPUs through the
 * local APICs' ICRs in xAPIC mode (SDM 11.6). The APs of the MADT are started with
 * INIT-SIPI-SIPI (guests/lib/smp.c) and sleep in STI; HLT; every command the BSP gives them
 * comes with an IPI that wakes them. Checked: self IPIs (shorthand and own APIC ID), a fixed IPI
 * to each AP and no other, from each AP to the BSP, 100 ping-pong round trips (their TSC ticks
 * are a note), and (bcast.c) the all-excluding-self and all-including-self shorthands, logical
 * destinations in the flat model, NMI IPIs, an IPI that waits in an AP's IRR while its IF=0,
 * and the ICR's delivery status returning to idle after every send.
 *
 * Command line: cpus=N (optional): the number of CPUs the MADT must list. With one CPU only
 * the self IPIs are checked, the rest is skipped with a note.
 */
#include "guests/ipi/ipi.h"
#include "guests/lib/args.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/madt.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

#define START_TIMEOUT_US 200000
#define WAIT_US          50000
#define ROUND_TRIPS      100

volatile uint32_t ipi_got[S_SLOTS][SMP_MAX_CPUS];
volatile uint32_t ipi_stuck;
static volatile uint32_t pongs;
static struct mb_info mbi;
static struct acpi_madt madt;

void ipi_send(uint32_t dest, uint32_t icr_lo)
{
    if (!lapic_send_ipi(dest, icr_lo))
        __atomic_fetch_add(&ipi_stuck, 1, __ATOMIC_SEQ_CST);
}

bool ipi_wait(enum ipi_slot slot, uint32_t cpu, uint32_t n, uint32_t timeout_us)
{
    uint32_t start = pit_clock_us();
    irq_enable();
    while (ipi_got[slot][cpu] < n) {
        if (pit_clock_us() - start >= timeout_us) {
            irq_disable();
            return false;
        }
        cpu_relax();
    }
    irq_disable();
    return true;
}

void ipi_snapshot(enum ipi_slot slot, uint32_t *out)
{
    for (uint32_t i = 0; i < smp_ncpus; i++)
        out[i] = ipi_got[slot][i];
}

void ipi_drain(void)
{
    irq_enable();
    pit_delay_us(1000);
    irq_disable();
}

/* The handler of every counted vector: the slot from the vector, the CPU from its APIC ID. */
static void counted(uint32_t vector)
{
    uint32_t cpu = smp_self();
    uint32_t slot = vector == 2 ? S_NMI : vector - VEC_BASE;
    if (cpu < SMP_MAX_CPUS && slot < S_SLOTS)
        ipi_got[slot][cpu]++;
    if (vector != 2)
        lapic_eoi();
}

static void ping(uint32_t vector)
{
    (void)vector;
    lapic_eoi();
    ipi_send(smp_cpus[0].apic_id, ICR_FIXED | VEC_PONG);
}

static void pong(uint32_t vector)
{
    (void)vector;
    pongs++;
    lapic_eoi();
}

static void send_to_bsp(uint32_t idx)
{
    (void)idx;
    ipi_send(smp_cpus[0].apic_id, ICR_FIXED | (VEC_BASE + S_TO_BSP));
}

static void test_self(void)
{
    uint32_t me = lapic_id();
    ipi_send(0, ICR_DEST_SELF | ICR_FIXED | (VEC_BASE + S_SELF));
    test_check(ipi_wait(S_SELF, 0, 1, WAIT_US), "a self IPI (shorthand self) arrives");
    ipi_send(me, ICR_FIXED | (VEC_BASE + S_SELF));
    test_check(ipi_wait(S_SELF, 0, 2, WAIT_US), "a fixed IPI to its own APIC ID arrives");
}

static void test_one_to_one(void)
{
    uint32_t aps = smp_ncpus - 1, reached = 0, alone = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++) {
        uint32_t before[SMP_MAX_CPUS];
        ipi_snapshot(S_FIXED, before);
        ipi_send(smp_cpus[i].apic_id, ICR_FIXED | (VEC_BASE + S_FIXED));
        bool ok = ipi_wait(S_FIXED, i, before[i] + 1, WAIT_US);
        ipi_drain();
        reached += ok;
        uint32_t others = 0;
        for (uint32_t j = 0; j < smp_ncpus; j++)
            if (j != i)
                others += ipi_got[S_FIXED][j] - before[j];
        alone += ok && others == 0 && ipi_got[S_FIXED][i] == before[i] + 1;
    }
    test_checkf(reached == aps, "a fixed IPI to each AP's APIC ID wakes it from HLT (%u of %u)",
                (unsigned)reached, (unsigned)aps);
    test_checkf(alone == aps, "each reaches that AP once and no other CPU (%u of %u)",
                (unsigned)alone, (unsigned)aps);

    /* One AP at a time: the BSP waits with IF=0 for the command to finish, and one IRR bit
     * holds one request of a vector. */
    uint32_t got = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++) {
        uint32_t n = ipi_got[S_TO_BSP][0];
        got += smp_call(i, send_to_bsp, WAIT_US) && ipi_wait(S_TO_BSP, 0, n + 1, WAIT_US);
    }
    test_checkf(got == aps, "a fixed IPI from each AP reaches the BSP (%u of %u)", (unsigned)got,
                (unsigned)aps);
}

static void test_ping_pong(void)
{
    uint32_t done = 0;
    uint64_t ticks = 0;
    for (uint32_t r = 0; r < ROUND_TRIPS; r++) {
        uint32_t p0 = pongs;
        uint32_t start = pit_clock_us();
        uint64_t t0 = rdtsc();
        ipi_send(smp_cpus[1].apic_id, ICR_FIXED | VEC_PING);
        irq_enable();
        while (pongs == p0 && pit_clock_us() - start < WAIT_US)
            cpu_relax();
        irq_disable();
        if (pongs == p0)
            break;
        ticks += rdtsc() - t0;
        done++;
    }
    test_checkf(done == ROUND_TRIPS, "%u round trips BSP -> AP -> BSP with fixed IPIs (%u)",
                ROUND_TRIPS, (unsigned)done);
    if (done)
        test_note("a round trip takes %u TSC ticks on average", (unsigned)(ticks / done));
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("ipi");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    uint64_t want_cpus = 0;
    char arg[24];
    if (mbi.has_cmdline && args_get(mbi.cmdline, "cpus", arg, sizeof(arg)) &&
        (!args_parse_u64(arg, &want_cpus) || want_cpus < 1)) {
        test_checkf(false, "cpus=%s is a number of CPUs", arg);
        test_finish();
    }
    trap_init();
    for (unsigned s = 0; s < S_NMI; s++)
        trap_set_handler((uint8_t)(VEC_BASE + s), counted);
    trap_set_handler(2, counted);
    trap_set_handler(VEC_PING, ping);
    trap_set_handler(VEC_PONG, pong);
    pit_clock_start();
    pit_ch0_stop();
    pic_init(0x20, 0x28);
    if (!test_check(lapic_present(), "CPUID reports a local APIC"))
        test_finish();
    lapic_init();
    lapic_enable();
    err = madt_find(&madt, msg, sizeof(msg));
    if (!test_checkf(err == ACPI_OK, "MADT found and valid%s%s", err ? ": " : "", msg))
        test_finish();
    msg[0] = 0;
    if (!test_checkf(smp_init(&madt, msg, sizeof(msg)) == 0, "%s",
                     msg[0] ? msg : "the BSP is an enabled CPU of the MADT"))
        test_finish();
    if (want_cpus)
        test_checkf(smp_ncpus == want_cpus, "the MADT lists cpus=%u CPUs (%u)", (unsigned)want_cpus,
                    (unsigned)smp_ncpus);

    test_self();
    if (smp_ncpus < 2) {
        test_note("one CPU: the IPIs between CPUs are skipped");
    } else {
        smp_ap_hlt = true;
        uint32_t up = 0;
        for (uint32_t i = 1; i < smp_ncpus; i++)
            up += smp_start_ap(i, START_TIMEOUT_US);
        test_checkf(up == smp_ncpus - 1, "every AP started and sleeps in HLT (%u of %u)",
                    (unsigned)up, (unsigned)(smp_ncpus - 1));
        if (up == smp_ncpus - 1) {
            test_one_to_one();
            test_ping_pong();
            ipi_test_shorthands();
            ipi_test_logical();
            ipi_test_nmi();
            ipi_test_pending();
        }
    }
    test_checkf(ipi_stuck == 0, "the ICR's delivery status was idle again after every IPI (%u)",
                (unsigned)ipi_stuck);
    test_note("spurious local APIC interrupts: %u", (unsigned)lapic_spurious_count);
    test_finish();
}
