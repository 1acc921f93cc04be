/*
 * guests/lib/ioapic.h - an I/O APIC in the test guests (82093AA datasheet 3.0): the index
 * register IOREGSEL at base + 0x00 and the data window IOWIN at base + 0x10, 32-bit accesses;
 * registers ID (0), VER (1), and the redirection table from 0x10, two registers per entry.
 */
#ifndef GUEST_IOAPIC_H
#define GUEST_IOAPIC_H

#include <stdint.h>

#define IOAPIC_REG_ID  0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_RTE 0x10

/* Redirection entry, low half (82093AA datasheet 3.2.4). */
#define RTE_DM_FIXED   (0u << 8)
#define RTE_DM_NMI     (4u << 8)
#define RTE_LOGICAL    (1u << 11)
#define RTE_DELIVS     (1u << 12) /* read-only */
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_REMOTE_IRR (1u << 14) /* read-only */
#define RTE_LEVEL      (1u << 15)
#define RTE_MASKED     (1u << 16)

uint32_t ioapic_read(uint32_t base, uint8_t reg);
void ioapic_write(uint32_t base, uint8_t reg, uint32_t value);
/* Redirection entry of pin, bits 63:0 (the destination in 63:56). The write goes high half
 * first, so an entry is never unmasked with a stale destination. */
uint64_t ioapic_rte_read(uint32_t base, unsigned pin);
void ioapic_rte_write(uint32_t base, unsigned pin, uint64_t rte);

#endif
