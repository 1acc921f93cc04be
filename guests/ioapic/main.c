/*
 * guests/ioapic/main.c - the ioapic test guest (multiboot v1): the I/O APIC as an OS finds and
 * programs it. The MADT (RSDP, RSDT, MADT, read with platform/acpi_tables.c) gives the I/O APIC,
 * its GSI base and the interrupt source override of ISA IRQ0 (GSI 2); the 8259s are
 * initialised and masked; the local APIC is enabled in xAPIC mode (SVR). Then the registers:
 * ID (against the MADT, writable), VER (version, number of entries), every entry masked as
 * after reset, an entry read back with its read-only bits (main.c); and the routes (routes.c):
 * the PIT edge-triggered on GSI 2 with masking and unmasking, logical destination, the RTC on
 * GSI 8 edge-triggered (an edge on a masked entry is lost) and level-triggered (TMR, remote IRR
 * cleared by the local APIC's EOI, unmasking with the line high). No command line.
 * Timing-dependent numbers are printed in parentheses; time is the PIT channel 2 clock.
 */
#include "guests/ioapic/ioapic.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/ioapic.h"
#include "guests/lib/lapic.h"
#include "guests/lib/madt.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

struct ioapic_setup io;
static struct mb_info mbi;
static struct acpi_madt madt;
static volatile uint32_t pic_stray;

static void pic_vector(uint32_t vector)
{
    pic_stray++;
    pic_eoi(vector - 0x20);
}

/* The MADT: the I/O APIC that holds GSI 2 and 8, the override of IRQ0. */
static void find_ioapic(void)
{
    char msg[128] = "";
    int err = madt_find(&madt, msg, sizeof(msg));
    if (!test_checkf(err == ACPI_OK, "MADT found and valid%s%s", err ? ": " : "", msg))
        test_finish();
    test_note("MADT: %u CPUs, %u I/O APICs, %u overrides, local APICs at 0x%x",
              (unsigned)madt.cpu_count, (unsigned)madt.ioapic_count, (unsigned)madt.iso_count,
              (unsigned)madt.lapic_address);
    if (!test_checkf(madt.ioapic_count >= 1, "the MADT lists an I/O APIC (%u)",
                     (unsigned)madt.ioapic_count))
        test_finish();
    uint16_t f0, f8;
    uint32_t gsi_pit = madt_isa_gsi(&madt, 0, &f0), gsi_rtc = madt_isa_gsi(&madt, 8, &f8);
    test_checkf(gsi_pit == 2, "the MADT overrides ISA IRQ0 (the PIT) to GSI 2 (flags 0x%x)",
                (unsigned)f0);
    test_checkf(gsi_rtc == 8 && (f8 & 0xf) == 0,
                "ISA IRQ8 (the RTC) is GSI 8, edge-triggered and active high as the ISA bus");
    const struct acpi_ioapic *a = &madt.ioapics[0];
    for (uint32_t i = 0; i < madt.ioapic_count; i++)
        if (madt.ioapics[i].gsi_base <= gsi_pit && madt.ioapics[i].gsi_base + 16 > gsi_rtc)
            a = &madt.ioapics[i];
    io.base = a->address;
    io.pit_pin = gsi_pit - a->gsi_base;
    io.rtc_pin = gsi_rtc - a->gsi_base;
    test_note("I/O APIC id %u at 0x%x, GSI base %u: the PIT on pin %u, the RTC on pin %u",
              (unsigned)a->id, (unsigned)a->address, (unsigned)a->gsi_base, io.pit_pin, io.rtc_pin);

    uint32_t id = ioapic_read(io.base, IOAPIC_REG_ID);
    test_checkf(((id >> 24) & 0xf) == (a->id & 0xfu),
                "ID register holds the MADT's I/O APIC ID in bits 27:24 (0x%08x)", (unsigned)id);
    uint32_t new_id = ((a->id + 5u) & 0xfu) << 24;
    ioapic_write(io.base, IOAPIC_REG_ID, new_id);
    uint32_t id2 = ioapic_read(io.base, IOAPIC_REG_ID);
    ioapic_write(io.base, IOAPIC_REG_ID, id);
    test_checkf((id2 & 0x0f000000u) == new_id, "ID register is writable (0x%08x)", (unsigned)id2);
}

static void test_registers(void)
{
    uint32_t ver = ioapic_read(io.base, IOAPIC_REG_VER);
    uint32_t version = ver & 0xff;
    io.pins = ((ver >> 16) & 0xff) + 1; /* VER bits 23:16: the highest entry (82093AA 3.2.2) */
    test_note("VER 0x%08x: version 0x%02x, %u redirection entries%s", (unsigned)ver,
              (unsigned)version, (unsigned)io.pins, version >= 0x20 ? ", EOI register (ICH)" : "");
    test_checkf((version & 0xf0) == 0x10 || (version & 0xf0) == 0x20,
                "VER holds an I/O APIC version, 0x1X or 0x2X (0x%02x)", (unsigned)version);
    if (!test_checkf(io.pins >= 16 && io.pins > io.rtc_pin && io.pins > io.pit_pin,
                     "VER: at least 16 redirection entries (%u)", (unsigned)io.pins))
        test_finish();
    uint32_t masked = 0;
    for (unsigned p = 0; p < io.pins; p++)
        if (ioapic_rte_read(io.base, p) & RTE_MASKED)
            masked++;
    test_checkf(masked == io.pins, "every redirection entry masked, as after reset (%u of %u)",
                (unsigned)masked, (unsigned)io.pins);

    /* The last pin (a PCI line nothing here drives): a masked entry with every writable field
     * set, and the read-only delivery status and remote IRR written as 1 (82093AA 3.2.4). */
    unsigned pin = io.pins - 1;
    uint64_t old = ioapic_rte_read(io.base, pin);
    uint32_t lo = 0x9a | (1u << 8) | RTE_LOGICAL | RTE_DELIVS | RTE_ACTIVE_LOW | RTE_REMOTE_IRR |
                  RTE_LEVEL | RTE_MASKED;
    ioapic_rte_write(io.base, pin, ((uint64_t)0x0f << 56) | lo);
    uint64_t back = ioapic_rte_read(io.base, pin);
    ioapic_rte_write(io.base, pin, old);
    uint64_t want = ((uint64_t)0x0f << 56) | (lo & ~(RTE_DELIVS | RTE_REMOTE_IRR));
    test_checkf(back == want,
                "an entry reads back as written, delivery status and remote IRR read-only "
                "(0x%016llx)",
                (unsigned long long)back);
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("ioapic");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    trap_init();
    for (unsigned v = 0x20; v < 0x30; v++)
        trap_set_handler((uint8_t)v, pic_vector);
    pit_clock_start();
    pit_ch0_stop();
    pic_init(0x20, 0x28);
    test_checkf(pic_get_mask() == 0xffff, "8259s initialised and masked (IMR 0x%04x)",
                (unsigned)pic_get_mask());
    if (!test_check(lapic_present(), "CPUID reports a local APIC"))
        test_finish();
    lapic_init();
    lapic_enable();
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED | LVT_DM_EXTINT); /* the 8259 stays away */
    io.bsp_apic_id = lapic_id();
    uint32_t per_ms = lapic_timer_calibrate();
    test_note("local APIC %u enabled (SVR 0x%x), timer %u counts/ms: the HLT watchdog",
              (unsigned)io.bsp_apic_id, (unsigned)lapic_read(LAPIC_SVR), (unsigned)per_ms);
    if (per_ms)
        lapic_watchdog_start(per_ms, 20000);

    find_ioapic();
    test_registers();
    ioapic_test_pit();
    ioapic_test_logical();
    ioapic_test_rtc_edge();
    ioapic_test_rtc_level();

    irq_disable();
    lapic_watchdog_stop();
    test_checkf(pic_stray == 0, "no interrupt came from the masked 8259s (%u)",
                (unsigned)pic_stray);
    test_note("spurious local APIC interrupts: %u", (unsigned)lapic_spurious_count);
    test_finish();
}
