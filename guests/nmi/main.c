/*
 * guests/nmi/main.c - the nmi test guest (multiboot v1): NMIs as the local APIC delivers them.
 * An NMI IPI to the CPU's own APIC ID (delivery mode NMI; the "self" shorthand is not valid for
 * NMIs, SDM 11.6.1) arrives with IF=0; NMI blocking (SDM 6.7.1): a second NMI sent inside the
 * handler arrives only after its IRET, not nested; two sent inside arrive as one (one NMI is
 * latched); an IRET from a #BP inside the handler already ends the blocking; the RTC index port's
 * bit 7 (the chipset's NMI mask on a PC) does not stop an NMI IPI; LVT LINT1 in NMI mode (its
 * register only: nothing drives LINT1 here); an NMI from the I/O APIC (the PIT on GSI 2,
 * delivery mode NMI) arrives and wakes HLT. No command line.
 * Inside the NMI handler nothing uses the PIT clock (the main program may be reading it): the
 * handler waits with local APIC reads and the TSC, a bound only.
 */
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/lapic.h"
#include "guests/lib/madt.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/rtc.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/wait.h"

enum nmi_mode { NMI_PLAIN, NMI_SEND_ONE, NMI_SEND_TWO, NMI_IRET_BP };

static struct mb_info mbi;
static struct acpi_madt madt;
static uint32_t self_id;
static uint64_t tsc_per_ms;
static volatile enum nmi_mode nmi_mode;
static volatile uint32_t nmi_count, nmi_depth, nmi_max_depth, nmi_done;
static volatile uint32_t held_inside, nested_after_bp, bp_count;

static bool send_nmi(void)
{
    return lapic_send_ipi(self_id, ICR_NMI); /* physical destination, vector ignored */
}

/* About 1 ms (TSC) and at least 200 local APIC reads (each one an exit under a hypervisor,
 * a chance to deliver an NMI that is not blocked), or until nmi_count moves on from seen. */
static void nmi_spin(uint32_t seen)
{
    uint64_t end = rdtsc() + tsc_per_ms;
    for (int i = 0; (i < 200 || rdtsc() < end) && nmi_count == seen; i++)
        (void)lapic_read(LAPIC_ID);
}

static void bp_handler(uint32_t vector)
{
    (void)vector;
    bp_count++;
}

static void nmi_handler(uint32_t vector)
{
    (void)vector;
    uint32_t depth = ++nmi_depth;
    if (depth > nmi_max_depth)
        nmi_max_depth = depth;
    uint32_t n = ++nmi_count;
    enum nmi_mode mode = nmi_mode;
    nmi_mode = NMI_PLAIN;
    if (mode == NMI_SEND_ONE || mode == NMI_SEND_TWO) {
        send_nmi();
        if (mode == NMI_SEND_TWO)
            send_nmi();
        nmi_spin(n);
        held_inside = nmi_count == n;
    } else if (mode == NMI_IRET_BP) {
        send_nmi();
        nmi_spin(n);
        held_inside = nmi_count == n;
        __asm__ volatile("int3"); /* its IRET unblocks NMIs (SDM 6.7.1) */
        nmi_spin(n);
        nested_after_bp = nmi_count > n;
    }
    nmi_depth--;
    nmi_done++;
}

/* Runs one NMI experiment in mode: the first NMI is a self IPI from here. */
static uint32_t run_mode(enum nmi_mode mode)
{
    nmi_max_depth = 0;
    held_inside = 0;
    uint32_t n0 = nmi_count, d0 = nmi_done;
    nmi_mode = mode;
    send_nmi();
    wait_count_noirq(&nmi_done, d0 + 1, 50000);
    wait_count_noirq(&nmi_count, n0 + 3, 5000); /* room for one NMI too many */
    return nmi_count - n0;
}

static void test_self_nmi(void)
{
    uint32_t n = run_mode(NMI_PLAIN);
    test_checkf(n == 1, "an NMI IPI to its own APIC ID arrives, IF=0 (%u)", (unsigned)n);
    n = run_mode(NMI_SEND_ONE);
    test_check(held_inside, "an NMI sent inside the NMI handler is not delivered before IRET");
    test_checkf(n == 2 && nmi_max_depth == 1,
                "it arrives after the IRET, not nested (%u NMIs, depth %u)", (unsigned)n,
                (unsigned)nmi_max_depth);
    n = run_mode(NMI_SEND_TWO);
    test_checkf(held_inside && n == 2 && nmi_max_depth == 1,
                "two NMIs sent inside the handler arrive as one after the IRET (%u NMIs)",
                (unsigned)n);
    bp_count = 0;
    n = run_mode(NMI_IRET_BP);
    test_checkf(n == 2 && held_inside && bp_count == 1 && nested_after_bp && nmi_max_depth == 2,
                "an IRET from a #BP inside the handler ends the blocking: the NMI nests "
                "(depth %u)",
                (unsigned)nmi_max_depth);

    /* Port 0x70 bit 7 masks the NMI input of a PC's chipset, not the CPU's NMIs. */
    outb(RTC_INDEX, 0x80 | RTC_REG_D);
    uint8_t idx = inb(RTC_INDEX);
    n = run_mode(NMI_PLAIN);
    outb(RTC_INDEX, RTC_REG_D);
    test_checkf(n == 1, "with port 0x70 bit 7 set an NMI IPI still arrives: no CPU NMI mask (%u)",
                (unsigned)n);
    test_note("port 0x70 reads 0x%02x after writing 0x8d (write-only on most chipsets)",
              (unsigned)idx);
}

static void test_lint1(void)
{
    lapic_write(LAPIC_LVT_LINT1, LVT_DM_NMI);
    uint32_t v = lapic_read(LAPIC_LVT_LINT1);
    test_checkf((v & 0x1f7ff) == LVT_DM_NMI, "LVT LINT1 takes NMI delivery, unmasked (0x%x)",
                (unsigned)v);
    test_note("LINT1: nothing drives it on this board, only the register is checked");
}

static void test_ioapic_nmi(void)
{
    char msg[128] = "";
    int err = madt_find(&madt, msg, sizeof(msg));
    if (!test_checkf(err == ACPI_OK && madt.ioapic_count > 0, "MADT with an I/O APIC%s%s",
                     err ? ": " : "", msg))
        return;
    uint16_t flags;
    uint32_t gsi = madt_isa_gsi(&madt, 0, &flags);
    uint32_t base = madt.ioapics[0].address;
    unsigned pin = gsi - madt.ioapics[0].gsi_base;
    /* Delivery mode NMI: edge-triggered, the vector ignored (82093AA 3.2.4). */
    ioapic_rte_write(base, pin, ((uint64_t)self_id << 56) | RTE_DM_NMI);
    uint32_t n0 = nmi_count;
    pit_ch0_oneshot(1193); /* mode 0: OUT0 rises once, after 1 ms */
    bool came = wait_count_noirq(&nmi_count, n0 + 1, 50000);
    test_checkf(came, "the PIT through the I/O APIC (GSI %u, delivery mode NMI) gives an NMI",
                (unsigned)gsi);
    if (came) {
        uint32_t n1 = nmi_count, t0 = pit_clock_us();
        pit_ch0_oneshot(1193);
        bool woke = hlt_count(&nmi_count, n1 + 1, 100000);
        uint32_t us = pit_clock_us() - t0;
        test_checkf(woke && us < 10000,
                    "that NMI wakes STI; HLT before the 20 ms watchdog (%u us for a 1 ms one-shot)",
                    (unsigned)us);
    }
    ioapic_rte_write(base, pin, RTE_MASKED);
    pit_ch0_stop();
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("nmi");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    trap_init();
    trap_set_handler(2, nmi_handler);
    trap_set_handler(3, bp_handler);
    pit_clock_start();
    pit_ch0_stop();
    pic_init(0x20, 0x28);
    if (!test_check(lapic_present(), "CPUID reports a local APIC"))
        test_finish();
    lapic_init();
    lapic_enable();
    self_id = lapic_id();
    uint32_t t0 = pit_clock_us();
    uint64_t c0 = rdtsc();
    pit_delay_us(5000);
    tsc_per_ms = (rdtsc() - c0) * 1000u / (pit_clock_us() - t0);
    uint32_t per_ms = lapic_timer_calibrate();
    if (per_ms)
        lapic_watchdog_start(per_ms, 20000);
    test_note("local APIC %u; the TSC runs at %u kHz, the APIC timer at %u kHz (the watchdog)",
              (unsigned)self_id, (unsigned)tsc_per_ms, (unsigned)per_ms);

    test_self_nmi();
    test_lint1();
    test_ioapic_nmi();

    irq_disable();
    lapic_watchdog_stop();
    test_note("NMIs taken: %u", (unsigned)nmi_count);
    test_finish();
}
