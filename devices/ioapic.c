/*
 * devices/ioapic.c - the virtual I/O APIC (see ioapic.h). Registers and entry bits from the
 * Intel 82093AA I/O APIC datasheet (3.1 memory-mapped registers, 3.2 indirect registers); the
 * EOI register of version 0x20 from the ICH data sheets (I/O APIC EOI register at 0x40).
 */
#include "devices/ioapic.h"
#include <string.h>

void vioapic_init(struct vioapic *io, uint8_t id, uint8_t version,
                  void (*deliver)(void *ctx, const struct vioapic_msg *m), void *ctx)
{
    memset(io, 0, sizeof *io);
    io->id = id & 0x0f;
    io->arb = io->id;
    io->version = version == VIOAPIC_VERSION_82093AA ? version : VIOAPIC_VERSION_20;
    for (unsigned i = 0; i < VIOAPIC_PINS; i++)
        io->rte[i] = VIOAPIC_RTE_MASK; /* 82093AA 3.2.4: masked at reset */
    io->deliver = deliver;
    io->ctx = ctx;
}

uint64_t vioapic_rte(const struct vioapic *io, unsigned pin)
{
    return pin < VIOAPIC_PINS ? io->rte[pin] : 0;
}

static unsigned rte_mode(uint64_t rte)
{
    return (unsigned)((rte & VIOAPIC_RTE_DELMODE) >> 8);
}

/* Level-triggered in effect: only fixed and lowest-priority messages can be (82093AA 3.2.4). */
static bool rte_level(uint64_t rte)
{
    unsigned mode = rte_mode(rte);
    return (rte & VIOAPIC_RTE_LEVEL) && (mode == VIOAPIC_DM_FIXED || mode == VIOAPIC_DM_LOWEST);
}

static bool pin_asserted(const struct vioapic *io, unsigned pin)
{
    bool high = io->pins & (1u << pin);
    return (io->rte[pin] & VIOAPIC_RTE_POLARITY) ? !high : high;
}

static void vioapic_send(struct vioapic *io, unsigned pin)
{
    uint64_t rte = io->rte[pin];
    unsigned mode = rte_mode(rte);
    if (mode == 3 || mode == 6)
        return; /* reserved delivery modes */
    bool level = rte_level(rte);
    if (level)
        io->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR; /* before the call: it may EOI at once */
    struct vioapic_msg m = {
        .vector = (uint8_t)(rte & VIOAPIC_RTE_VECTOR),
        .delivery_mode = (uint8_t)mode,
        .dest = (uint8_t)(rte >> VIOAPIC_RTE_DEST_SHIFT),
        .dest_logical = rte & VIOAPIC_RTE_DESTMODE,
        .level = level,
        .pin = (uint8_t)pin,
    };
    if (io->deliver)
        io->deliver(io->ctx, &m);
}

/* A level-triggered entry delivers while its pin is asserted, unmasked, remote IRR clear. */
static void vioapic_service(struct vioapic *io, unsigned pin)
{
    uint64_t rte = io->rte[pin];
    if (rte_level(rte) && !(rte & (VIOAPIC_RTE_MASK | VIOAPIC_RTE_REMOTE_IRR)) &&
        pin_asserted(io, pin))
        vioapic_send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
    if (pin >= VIOAPIC_PINS)
        return;
    bool was = pin_asserted(io, pin);
    io->pins = level ? io->pins | (1u << pin) : io->pins & ~(1u << pin);
    bool now = pin_asserted(io, pin);
    if (rte_level(io->rte[pin]))
        vioapic_service(io, pin);
    else if (now && !was && !(io->rte[pin] & VIOAPIC_RTE_MASK))
        vioapic_send(io, pin); /* edge: the asserting edge; masked, it is lost */
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
    for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t rte = io->rte[pin];
        if ((rte & VIOAPIC_RTE_VECTOR) != vector || !(rte & VIOAPIC_RTE_REMOTE_IRR))
            continue;
        io->rte[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
        vioapic_service(io, pin);
    }
}

static uint32_t vioapic_read_reg(const struct vioapic *io, uint8_t index)
{
    switch (index) {
    case VIOAPIC_REG_ID:
        return (uint32_t)io->id << 24;
    case VIOAPIC_REG_VER: /* maximum redirection entry in 23:16 */
        return (uint32_t)(VIOAPIC_PINS - 1) << 16 | io->version;
    case VIOAPIC_REG_ARB:
        return (uint32_t)io->arb << 24;
    default:
        if (index < VIOAPIC_REG_REDTBL || index >= VIOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS)
            return 0;
        uint64_t rte = io->rte[(index - VIOAPIC_REG_REDTBL) / 2];
        return (index & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
    }
}

static void vioapic_write_rte(struct vioapic *io, unsigned pin, bool high, uint32_t v)
{
    uint64_t rte = io->rte[pin];
    if (high) { /* only the destination; 55:32 are reserved */
        rte = (rte & 0xffffffffull) | (uint64_t)(v >> 24) << VIOAPIC_RTE_DEST_SHIFT;
    } else {
        uint64_t kept = VIOAPIC_RTE_REMOTE_IRR | 0xffffffff00000000ull;
        rte = (rte & kept) | (v & VIOAPIC_RTE_WRITABLE_LO);
        if (!(rte & VIOAPIC_RTE_LEVEL))
            rte &= ~VIOAPIC_RTE_REMOTE_IRR; /* edge: remote IRR means nothing, and clears */
    }
    io->rte[pin] = rte;
    vioapic_service(io, pin); /* unmasked, or made level, with the pin asserted */
}

static void vioapic_write_reg(struct vioapic *io, uint8_t index, uint32_t v)
{
    if (index == VIOAPIC_REG_ID) {
        io->id = (v >> 24) & 0x0f;
        io->arb = io->id; /* 82093AA 3.2.3: ARB takes the ID */
        return;
    }
    if (index < VIOAPIC_REG_REDTBL || index >= VIOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS)
        return; /* VER and ARB are read-only; the rest are not registers */
    vioapic_write_rte(io, (index - VIOAPIC_REG_REDTBL) / 2, index & 1, v);
}

bool vioapic_mmio(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint32_t *value)
{
    if (offset >= VIOAPIC_MMIO_SIZE || size > VIOAPIC_MMIO_SIZE - offset)
        return false;
    uint32_t result = 0;
    if (offset == VIOAPIC_IOREGSEL && (size == 1 || size == 2 || size == 4)) {
        if (write)
            io->ioregsel = (uint8_t)*value;
        else
            result = io->ioregsel;
    } else if (offset == VIOAPIC_IOWIN && size == 4) {
        if (write)
            vioapic_write_reg(io, io->ioregsel, *value);
        else
            result = vioapic_read_reg(io, io->ioregsel);
    } else if (offset == VIOAPIC_EOI && size == 4 && io->version >= VIOAPIC_VERSION_20) {
        if (write)
            vioapic_eoi(io, (uint8_t)*value);
    }
    if (!write)
        *value = result;
    return true;
}
