/* guests/lib/ioapic.c - I/O APIC register access in the test guests (see ioapic.h). */
#include "guests/lib/ioapic.h"
#include "guests/lib/io.h"

#define IOREGSEL 0x00
#define IOWIN    0x10

uint32_t ioapic_read(uint32_t base, uint8_t reg)
{
    mmio_write32(base + IOREGSEL, reg);
    return mmio_read32(base + IOWIN);
}

void ioapic_write(uint32_t base, uint8_t reg, uint32_t value)
{
    mmio_write32(base + IOREGSEL, reg);
    mmio_write32(base + IOWIN, value);
}

uint64_t ioapic_rte_read(uint32_t base, unsigned pin)
{
    uint32_t lo = ioapic_read(base, (uint8_t)(IOAPIC_REG_RTE + 2 * pin));
    uint32_t hi = ioapic_read(base, (uint8_t)(IOAPIC_REG_RTE + 2 * pin + 1));
    return ((uint64_t)hi << 32) | lo;
}

void ioapic_rte_write(uint32_t base, unsigned pin, uint64_t rte)
{
    ioapic_write(base, (uint8_t)(IOAPIC_REG_RTE + 2 * pin + 1), (uint32_t)(rte >> 32));
    ioapic_write(base, (uint8_t)(IOAPIC_REG_RTE + 2 * pin), (uint32_t)rte);
}
