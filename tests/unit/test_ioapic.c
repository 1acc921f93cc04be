/* tests/unit/test_ioapic.c - the virtual I/O APIC. */
#include <criterion/criterion.h>
#include "devices/ioapic.h"

static struct vioapic io;
static struct vioapic_msg msgs[16];
static int nmsgs;

static void deliver(void *ctx, const struct vioapic_msg *m)
{
    cr_assert_eq(ctx, &io);
    msgs[nmsgs++ % 16] = *m;
}

static void setup(void)
{
    nmsgs = 0;
    vioapic_init(&io, 1, VIOAPIC_VERSION_20, deliver, &io);
}

static void wr32(uint64_t offset, uint32_t v)
{
    cr_assert(vioapic_mmio(&io, offset, 4, true, &v));
}

static uint32_t rd32(uint64_t offset)
{
    uint32_t v = 0xdeadbeef;
    cr_assert(vioapic_mmio(&io, offset, 4, false, &v));
    return v;
}

static uint32_t reg_read(uint8_t index)
{
    wr32(VIOAPIC_IOREGSEL, index);
    return rd32(VIOAPIC_IOWIN);
}

static void reg_write(uint8_t index, uint32_t v)
{
    wr32(VIOAPIC_IOREGSEL, index);
    wr32(VIOAPIC_IOWIN, v);
}

/* Linux's __ioapic_write_entry: the high dword first, then the low one. */
static void write_entry(unsigned pin, uint64_t rte)
{
    reg_write((uint8_t)(0x11 + 2 * pin), (uint32_t)(rte >> 32));
    reg_write((uint8_t)(0x10 + 2 * pin), (uint32_t)rte);
}

#define LEVEL_LOW (VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_POLARITY)

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(ioapic, .init = setup);

Test(ioapic, reset_registers)
{
    cr_assert_eq(reg_read(VIOAPIC_REG_ID), 0x01000000);
    cr_assert_eq(reg_read(VIOAPIC_REG_VER), 0x00170020);
    cr_assert_eq(reg_read(VIOAPIC_REG_ARB), 0x01000000);
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        cr_assert_eq(reg_read((uint8_t)(0x10 + 2 * pin)), 0x00010000);
        cr_assert_eq(reg_read((uint8_t)(0x11 + 2 * pin)), 0);
    }
    cr_assert_eq(rd32(VIOAPIC_IOREGSEL), 0x11 + 2 * 23);
    vioapic_init(&io, 0x1f, VIOAPIC_VERSION_82093AA, deliver, &io);
    cr_assert_eq(reg_read(VIOAPIC_REG_VER), 0x00170011);
    cr_assert_eq(reg_read(VIOAPIC_REG_ID), 0x0f000000);
    vioapic_init(&io, 0, 0x42, deliver, &io);
    cr_assert_eq(reg_read(VIOAPIC_REG_VER) & 0xff, 0x20);
}

Test(ioapic, id_write_loads_arb_and_ver_is_read_only)
{
    reg_write(VIOAPIC_REG_ID, 0xf5ffffff);
    cr_assert_eq(reg_read(VIOAPIC_REG_ID), 0x05000000);
    cr_assert_eq(reg_read(VIOAPIC_REG_ARB), 0x05000000);
    reg_write(VIOAPIC_REG_VER, 0);
    reg_write(VIOAPIC_REG_ARB, 0);
    cr_assert_eq(reg_read(VIOAPIC_REG_VER), 0x00170020);
    cr_assert_eq(reg_read(VIOAPIC_REG_ARB), 0x05000000);
    cr_assert_eq(reg_read(0x03), 0);
    cr_assert_eq(reg_read(0x40), 0); /* beyond the table */
    reg_write(0x40, 0xffffffff);
    cr_assert_eq(reg_read(0x0f), 0);
}

Test(ioapic, entry_bits_read_back_without_reserved_and_read_only_ones)
{
    write_entry(5, 0xffffffffffffffffull);
    cr_assert_eq(vioapic_rte(&io, 5), 0xff0000000001afffull);
    cr_assert_eq(reg_read(0x1a), 0x0001afff);
    cr_assert_eq(reg_read(0x1b), 0xff000000);
    cr_assert_eq(vioapic_rte(&io, 24), 0);
    cr_assert_eq(nmsgs, 0); /* made level with the pin low: nothing */
}

Test(ioapic, edge_delivers_on_the_asserting_edge)
{
    write_entry(2, 0x0300000000000030ull); /* the PIT: vector 0x30, fixed, physical, APIC 3 */
    vioapic_set_irq(&io, 2, true);
    cr_assert_eq(nmsgs, 1);
    cr_assert_eq(msgs[0].vector, 0x30);
    cr_assert_eq(msgs[0].delivery_mode, VIOAPIC_DM_FIXED);
    cr_assert_eq(msgs[0].dest, 3);
    cr_assert_not(msgs[0].dest_logical);
    cr_assert_not(msgs[0].level);
    cr_assert_eq(msgs[0].pin, 2);
    vioapic_set_irq(&io, 2, true);
    cr_assert_eq(nmsgs, 1);
    vioapic_set_irq(&io, 2, false);
    cr_assert_eq(nmsgs, 1);
    vioapic_set_irq(&io, 2, true);
    cr_assert_eq(nmsgs, 2);
    cr_assert_eq(vioapic_rte(&io, 2) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

Test(ioapic, masked_edge_is_lost)
{
    write_entry(4, VIOAPIC_RTE_MASK | 0x24);
    vioapic_set_irq(&io, 4, true);
    write_entry(4, 0x24);
    cr_assert_eq(nmsgs, 0);
    vioapic_set_irq(&io, 4, false);
    vioapic_set_irq(&io, 4, true);
    cr_assert_eq(nmsgs, 1);
}

Test(ioapic, level_sets_remote_irr_until_eoi)
{
    write_entry(9, VIOAPIC_RTE_LEVEL | 0x41); /* active high level (ACPI SCI style) */
    vioapic_set_irq(&io, 9, true);
    cr_assert_eq(nmsgs, 1);
    cr_assert(msgs[0].level);
    cr_assert_eq(msgs[0].vector, 0x41);
    cr_assert(reg_read(0x22) & VIOAPIC_RTE_REMOTE_IRR);
    vioapic_set_irq(&io, 9, false);
    vioapic_set_irq(&io, 9, true);
    cr_assert_eq(nmsgs, 1); /* remote IRR holds it */
    vioapic_eoi(&io, 0x42);
    cr_assert_eq(nmsgs, 1);
    vioapic_eoi(&io, 0x41); /* still asserted: again */
    cr_assert_eq(nmsgs, 2);
    cr_assert(reg_read(0x22) & VIOAPIC_RTE_REMOTE_IRR);
    vioapic_set_irq(&io, 9, false);
    vioapic_eoi(&io, 0x41);
    cr_assert_eq(nmsgs, 2);
    cr_assert_eq(reg_read(0x22) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

Test(ioapic, remote_irr_cannot_be_written)
{
    write_entry(9, VIOAPIC_RTE_LEVEL | 0x41);
    vioapic_set_irq(&io, 9, true);
    reg_write(0x22, VIOAPIC_RTE_LEVEL | 0x41); /* rewrite without remote IRR */
    cr_assert(reg_read(0x22) & VIOAPIC_RTE_REMOTE_IRR);
    cr_assert_eq(nmsgs, 1);
    write_entry(10, VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_REMOTE_IRR | 0x42);
    cr_assert_eq(reg_read(0x24) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

Test(ioapic, masked_level_is_delivered_on_unmask)
{
    write_entry(11, VIOAPIC_RTE_MASK | LEVEL_LOW | 0x51);
    vioapic_set_irq(&io, 11, true); /* PCI line idle high */
    vioapic_set_irq(&io, 11, false);
    cr_assert_eq(nmsgs, 0);
    write_entry(11, LEVEL_LOW | 0x51);
    cr_assert_eq(nmsgs, 1);
    cr_assert_eq(msgs[0].vector, 0x51);
    vioapic_set_irq(&io, 11, true);
    vioapic_eoi(&io, 0x51);
    cr_assert_eq(nmsgs, 1);
    write_entry(12, VIOAPIC_RTE_MASK | LEVEL_LOW | 0x52);
    vioapic_set_irq(&io, 12, true);
    vioapic_set_irq(&io, 12, false);
    vioapic_set_irq(&io, 12, true); /* deasserted again before the unmask */
    write_entry(12, LEVEL_LOW | 0x52);
    cr_assert_eq(nmsgs, 1);
}

Test(ioapic, active_low_edge)
{
    vioapic_set_irq(&io, 7, true);
    write_entry(7, VIOAPIC_RTE_POLARITY | 0x37);
    vioapic_set_irq(&io, 7, false);
    cr_assert_eq(nmsgs, 1);
    vioapic_set_irq(&io, 7, true);
    cr_assert_eq(nmsgs, 1);
}

/* Linux's EOI of a level interrupt on a version 0x11 I/O APIC (no EOI register): mask and
 * switch to edge, then write the level entry back. */
Test(ioapic, linux_edge_switch_clears_remote_irr)
{
    vioapic_init(&io, 2, VIOAPIC_VERSION_82093AA, deliver, &io);
    uint64_t entry = VIOAPIC_RTE_LEVEL | 0x61;
    write_entry(16, entry);
    vioapic_set_irq(&io, 16, true);
    cr_assert_eq(nmsgs, 1);
    wr32(VIOAPIC_EOI, 0x61); /* no EOI register on 0x11: ignored */
    cr_assert(vioapic_rte(&io, 16) & VIOAPIC_RTE_REMOTE_IRR);
    write_entry(16, (entry | VIOAPIC_RTE_MASK) & ~VIOAPIC_RTE_LEVEL);
    cr_assert_eq(vioapic_rte(&io, 16) & VIOAPIC_RTE_REMOTE_IRR, 0);
    write_entry(16, entry);
    cr_assert_eq(nmsgs, 2); /* still asserted: delivered again */
}

Test(ioapic, eoi_register_of_version_20)
{
    write_entry(16, LEVEL_LOW | 0x71);
    write_entry(17, LEVEL_LOW | 0x71); /* shared vector; pins low: asserted, sent at once */
    vioapic_set_irq(&io, 18, true);
    vioapic_set_irq(&io, 16, false);
    vioapic_set_irq(&io, 17, false);
    cr_assert_eq(nmsgs, 2);
    vioapic_set_irq(&io, 16, true);
    wr32(VIOAPIC_EOI, 0xffffff71); /* only the low byte is the vector */
    cr_assert_eq(vioapic_rte(&io, 16) & VIOAPIC_RTE_REMOTE_IRR, 0);
    cr_assert_eq(nmsgs, 3);
    cr_assert_eq(msgs[2].pin, 17);
    cr_assert_eq(rd32(VIOAPIC_EOI), 0);
}

Test(ioapic, delivery_modes_and_destinations)
{
    write_entry(0, 0x0f00000000000000ull | VIOAPIC_RTE_DESTMODE | (7u << 8)); /* ExtINT */
    vioapic_set_irq(&io, 0, true);
    cr_assert_eq(msgs[0].delivery_mode, VIOAPIC_DM_EXTINT);
    cr_assert(msgs[0].dest_logical);
    cr_assert_eq(msgs[0].dest, 0x0f);
    write_entry(1, VIOAPIC_RTE_LEVEL | (4u << 8) | 0x02); /* NMI programmed level */
    vioapic_set_irq(&io, 1, true);
    cr_assert_eq(nmsgs, 2);
    cr_assert_eq(msgs[1].delivery_mode, VIOAPIC_DM_NMI);
    cr_assert_not(msgs[1].level); /* delivered as edge, no remote IRR */
    cr_assert_eq(vioapic_rte(&io, 1) & VIOAPIC_RTE_REMOTE_IRR, 0);
    vioapic_set_irq(&io, 1, true);
    cr_assert_eq(nmsgs, 2);
    write_entry(3, VIOAPIC_RTE_LEVEL | (1u << 8) | 0x83); /* lowest priority, level */
    vioapic_set_irq(&io, 3, true);
    cr_assert_eq(msgs[2].delivery_mode, VIOAPIC_DM_LOWEST);
    cr_assert(msgs[2].level);
    write_entry(5, 3u << 8); /* reserved delivery modes: nothing */
    write_entry(6, 6u << 8);
    vioapic_set_irq(&io, 5, true);
    vioapic_set_irq(&io, 6, true);
    cr_assert_eq(nmsgs, 3);
}

Test(ioapic, malformed_accesses_are_contained)
{
    uint32_t v = 0;
    cr_assert_not(vioapic_mmio(&io, VIOAPIC_MMIO_SIZE, 4, false, &v));
    cr_assert_not(vioapic_mmio(&io, VIOAPIC_MMIO_SIZE - 2, 4, true, &v));
    cr_assert_not(vioapic_mmio(&io, UINT64_MAX, 4, false, &v));
    v = 0x12;
    cr_assert(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 1, true, &v)); /* a byte IOREGSEL write */
    cr_assert_eq(rd32(VIOAPIC_IOREGSEL), 0x12);
    v = 0;
    cr_assert(vioapic_mmio(&io, VIOAPIC_IOWIN, 2, true, &v)); /* not a dword: ignored */
    cr_assert_eq(vioapic_rte(&io, 1), VIOAPIC_RTE_MASK);
    v = 0xdead;
    cr_assert(vioapic_mmio(&io, VIOAPIC_IOWIN, 1, false, &v));
    cr_assert_eq(v, 0);
    v = 0;
    cr_assert(vioapic_mmio(&io, 0x14, 4, true, &v)); /* between the registers */
    cr_assert_eq(vioapic_rte(&io, 1), VIOAPIC_RTE_MASK);
    cr_assert_eq(rd32(0x20), 0);
    v = 0xffffffff;
    cr_assert(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 8, true, &v)); /* 8 bytes: not accepted */
    cr_assert_eq(rd32(VIOAPIC_IOREGSEL), 0x12);
    vioapic_set_irq(&io, 24, true);
    vioapic_set_irq(&io, 0xffffffffu, true);
    vioapic_eoi(&io, 0);
    cr_assert_eq(nmsgs, 0);
}

Test(ioapic, works_without_a_callback)
{
    vioapic_init(&io, 0, VIOAPIC_VERSION_20, NULL, NULL);
    write_entry(9, VIOAPIC_RTE_LEVEL | 0x41);
    vioapic_set_irq(&io, 9, true);
    cr_assert(vioapic_rte(&io, 9) & VIOAPIC_RTE_REMOTE_IRR);
}
