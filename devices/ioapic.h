/*
 * devices/ioapic.h - a virtual I/O APIC in the manner of the Intel 82093AA: 24 interrupt input
 * pins, each with a redirection table entry that turns it into an interrupt message for the
 * local APICs. Pure. Functions and types are prefixed vioapic_ (platform/ holds the drivers of
 * the host's own interrupt controllers).
 *
 * Registers (82093AA datasheet 3.0): the window at the MMIO base (0xFEC00000 on a PC; the model
 * sees offsets): IOREGSEL at 0x00, IOWIN at 0x10, and the EOI register at 0x40 of version 0x20
 * I/O APICs (ICH and later; Linux uses it for those). Through the window: ID (0x00, bits 27:24),
 * VER (0x01: version 0x11 or 0x20, chosen at init; maximum redirection entry 23), ARB (0x02,
 * loaded with the ID when the ID is written) and the redirection table (0x10-0x3F, two dwords
 * per pin): vector, delivery mode (fixed, lowest priority, SMI, NMI, INIT, ExtINT), destination
 * mode, delivery status, polarity, remote IRR, trigger mode, mask, destination (bits 63:56).
 * Read-only and reserved bits keep their value when written (reserved ones read 0).
 *
 * Pins: vioapic_set_irq gives a pin's electrical level; the entry's polarity says which level
 * asserts it (active high for ISA lines, active low for PCI ones). All pins are low at reset:
 * a board with active-low lines sets them high (idle) before the guest unmasks them.
 * Edge-triggered entries deliver on the asserting edge; one that comes while the entry is
 * masked is lost (82093AA 3.2.4). Level-triggered entries deliver while the pin is asserted,
 * unmasked and remote IRR is clear, and set remote IRR; an EOI for the entry's vector (the local
 * APIC's EOI broadcast, vioapic_eoi, or the EOI register) clears it and delivers again if the
 * pin is still asserted. So a masked level interrupt is delivered when unmasked if still
 * asserted. Writing trigger mode edge clears remote IRR, which Linux relies on to acknowledge
 * level interrupts on version 0x11 I/O APICs that lack the EOI register (io_apic.c,
 * __eoi_ioapic_pin). SMI, NMI, INIT and ExtINT are delivered as edge-triggered whatever the
 * trigger bit says (82093AA 3.2.4: they must be programmed edge); the reserved delivery modes
 * 3 and 6 deliver nothing.
 * Delivery is immediate: the message goes to deliver() and delivery status reads 0.
 * Not modelled: the APIC bus and its arbitration (ARB is only a register), the 82093AA's
 * IRQ pin assertion register, interrupt remapping formats.
 */
#ifndef DEVICES_IOAPIC_H
#define DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VIOAPIC_DEFAULT_BASE 0xfec00000u
#define VIOAPIC_MMIO_SIZE    0x1000 /* the range a board maps; offsets beyond are not ours */
#define VIOAPIC_IOREGSEL     0x00
#define VIOAPIC_IOWIN        0x10
#define VIOAPIC_EOI          0x40 /* version 0x20 only */
#define VIOAPIC_PINS         24

#define VIOAPIC_VERSION_82093AA 0x11
#define VIOAPIC_VERSION_20      0x20

/* Register indexes through IOREGSEL (82093AA datasheet 3.2). */
#define VIOAPIC_REG_ID     0x00
#define VIOAPIC_REG_VER    0x01
#define VIOAPIC_REG_ARB    0x02
#define VIOAPIC_REG_REDTBL 0x10 /* + 2 * pin: low dword, + 1: high dword */

/* Redirection table entry (82093AA datasheet 3.2.4). */
#define VIOAPIC_RTE_VECTOR      0xffull
#define VIOAPIC_RTE_DELMODE     (7ull << 8)
#define VIOAPIC_RTE_DESTMODE    (1ull << 11) /* 1: logical */
#define VIOAPIC_RTE_DELIVS      (1ull << 12) /* delivery status, read-only */
#define VIOAPIC_RTE_POLARITY    (1ull << 13) /* 1: active low */
#define VIOAPIC_RTE_REMOTE_IRR  (1ull << 14) /* read-only */
#define VIOAPIC_RTE_LEVEL       (1ull << 15) /* trigger mode 1: level */
#define VIOAPIC_RTE_MASK        (1ull << 16)
#define VIOAPIC_RTE_DEST_SHIFT  56
#define VIOAPIC_RTE_WRITABLE_LO 0x1afffull /* all of 16:0 but delivery status and remote IRR */

enum vioapic_delivery_mode {
    VIOAPIC_DM_FIXED = 0,
    VIOAPIC_DM_LOWEST = 1,
    VIOAPIC_DM_SMI = 2,
    VIOAPIC_DM_NMI = 4,
    VIOAPIC_DM_INIT = 5,
    VIOAPIC_DM_EXTINT = 7,
};

/* One interrupt message for the local APICs. */
struct vioapic_msg {
    uint8_t vector;
    uint8_t delivery_mode; /* enum vioapic_delivery_mode */
    uint8_t dest;          /* APIC ID (physical) or logical destination (bits 63:56) */
    bool dest_logical;
    bool level; /* level-triggered (the local APIC sets TMR and broadcasts the EOI) */
    uint8_t pin;
};

struct vioapic {
    uint8_t id, arb, version, ioregsel;
    uint32_t pins; /* electrical levels */
    uint64_t rte[VIOAPIC_PINS];
    void (*deliver)(void *ctx, const struct vioapic_msg *m);
    void *ctx;
};

/* An I/O APIC with the given ID (4 bits) and version (VIOAPIC_VERSION_82093AA or _20; others
 * are taken as 0x20), every entry masked, pins low. Calls nothing. */
void vioapic_init(struct vioapic *io, uint8_t id, uint8_t version,
                  void (*deliver)(void *ctx, const struct vioapic_msg *m), void *ctx);
/* A guest's access at offset from the base; false when offset + size lies beyond
 * VIOAPIC_MMIO_SIZE. IOREGSEL takes 1-, 2- and 4-byte accesses (its low byte is the index);
 * IOWIN and the EOI register only aligned dwords, as the datasheet requires: other sizes and
 * other offsets read 0 and are not written. */
bool vioapic_mmio(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint32_t *value);
/* The electrical level of pin (0-23; others are ignored). */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);
/* An EOI for vector: remote IRR of the level-triggered entries with that vector is cleared and
 * a pin still asserted is delivered again. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);
/* The redirection entry of pin as the guest reads it (0 for pins beyond 23). */
uint64_t vioapic_rte(const struct vioapic *io, unsigned pin);

#endif
