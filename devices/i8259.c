/*
 * devices/i8259.c - the virtual 8259A pair (see i8259.h). Behaviour from the Intel 8259A data
 * sheet (programming, priority, cascade and INTA sequences) and the PIIX/PIIX4 data sheets
 * (ELCR); the spurious-interrupt handling is the one Linux's arch/x86/kernel/i8259.c expects.
 */
#include "devices/i8259.h"
#include <stdarg.h>
#include <string.h>
#include "platform/fmt.h"

static const char *const i8259_name[2] = {"master", "slave"};

static void i8259_note(const struct i8259 *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void i8259_note(const struct i8259 *p, const char *fmt, ...)
{
    if (!p->note)
        return;
    char text[96];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    p->note(p->ctx, text);
}

/* The inputs that are level-triggered: ICW1 LTIM makes them all so (8259A datasheet, ICW1),
 * otherwise the PIIX ELCR decides per input. */
static uint8_t chip_level(const struct i8259_chip *c)
{
    return (c->icw1 & I8259_ICW1_LTIM) ? 0xff : c->elcr;
}

static void chip_set_line(struct i8259_chip *c, unsigned ir, bool level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    bool was = c->lines & bit;
    c->lines = level ? (uint8_t)(c->lines | bit) : (uint8_t)(c->lines & ~bit);
    if (chip_level(c) & bit)
        c->irr = level ? (uint8_t)(c->irr | bit) : (uint8_t)(c->irr & ~bit);
    else if (level && !was)
        c->irr |= bit; /* edge: latched on the rising edge */
}

/* After a change of trigger modes: a level request is its line. */
static void chip_relevel(struct i8259_chip *c)
{
    uint8_t level = chip_level(c);
    c->irr = (uint8_t)((c->irr & ~level) | (c->lines & level));
}

/* The highest-priority IR among bits, or -1: priority falls from lowest + 1 round to lowest
 * (8259A datasheet, "Automatic Rotation" and "Specific Rotation"). */
static int chip_highest(const struct i8259_chip *c, uint8_t bits)
{
    for (unsigned i = 1; i <= 8; i++) {
        unsigned ir = (c->lowest + i) & 7;
        if (bits & (1u << ir))
            return (int)ir;
    }
    return -1;
}

/* 0 for the highest priority, 7 for the lowest. */
static unsigned chip_rank(const struct i8259_chip *c, unsigned ir)
{
    return (ir - c->lowest - 1) & 7;
}

/* Whether IR ir of the master has a slave (cascade mode, ICW3 bit; 8259A datasheet, ICW3). */
static bool master_has_slave(const struct i8259_chip *m, unsigned ir)
{
    return !(m->icw1 & I8259_ICW1_SNGL) && (m->icw3 & (1u << ir));
}

/* The IR the chip asks service for (its INT output is high), or -1. */
static int chip_request(const struct i8259_chip *c, bool master)
{
    int req = chip_highest(c, c->irr & ~c->imr);
    if (req < 0)
        return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask)
        in_service &= ~c->imr; /* 8259A datasheet, special mask mode */
    int cur = chip_highest(c, in_service);
    if (cur < 0 || chip_rank(c, (unsigned)req) < chip_rank(c, (unsigned)cur))
        return req;
    /* Special fully nested mode: the master lets a slave interrupt through while another one of
     * the same slave is in service; the slave's own priority logic decides (8259A datasheet). */
    if (master && req == cur && (c->icw4 & I8259_ICW4_SFNM) && master_has_slave(c, (unsigned)req))
        return req;
    return -1;
}

/* The vector byte the chip puts on the bus in the second INTA cycle. */
static uint8_t chip_vector(const struct i8259_chip *c, unsigned ir)
{
    if (c->icw4 & I8259_ICW4_UPM)
        return (uint8_t)((c->icw2 & 0xf8) | ir); /* 8086 mode: T7-T3 and the IR */
    /* MCS-80/85 mode: the low byte of the CALL address (ICW1 A7-A5, interval 4 or 8). */
    if (c->icw1 & I8259_ICW1_ADI)
        return (uint8_t)((c->icw1 & 0xe0) | (ir << 2));
    return (uint8_t)((c->icw1 & 0xc0) | (ir << 3));
}

/* What an INTA cycle now would do: which IRs are acknowledged (-1: none) and the vector. */
struct i8259_grant {
    int master_ir, slave_ir;
    uint8_t vector;
};

static struct i8259_grant i8259_resolve(const struct i8259 *p)
{
    const struct i8259_chip *m = &p->chip[0], *s = &p->chip[1];
    struct i8259_grant g = {.master_ir = chip_request(m, true), .slave_ir = -1};
    if (g.master_ir < 0) {
        g.vector = chip_vector(m, 7); /* spurious: the request went away (8259A datasheet) */
        return g;
    }
    unsigned ir = (unsigned)g.master_ir;
    if (!master_has_slave(m, ir)) {
        g.vector = chip_vector(m, ir);
        return g;
    }
    /* The master sends ir on CAS0-2; only a slave with that ID drives the data bus. */
    if ((s->icw3 & 7) != ir) {
        g.vector = 0xff; /* nobody answers: the bus floats */
        return g;
    }
    g.slave_ir = chip_request(s, false);
    g.vector = chip_vector(s, g.slave_ir < 0 ? 7 : (unsigned)g.slave_ir);
    return g;
}

/* The INTA (or poll) of ir on one chip: ISR set unless automatic EOI, an edge request used. */
static void chip_ack(struct i8259_chip *c, unsigned ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (!(chip_level(c) & bit))
        c->irr &= ~bit;
    if (!(c->icw4 & I8259_ICW4_AEOI))
        c->isr |= bit;
    else if (c->rotate_on_aeoi)
        c->lowest = (uint8_t)ir; /* 8259A datasheet, rotate in automatic EOI mode */
}

/* Propagate: the slave's INT to the master's IR2, the master's INT to the callback. A request
 * that goes away because its input falls leaves the master's INT high until the INTA cycle,
 * which then gets the IR7 vector (8259A datasheet, "interrupt sequence": "if no interrupt
 * request is present at step 4 (the request was too short in duration) the 8259A will issue
 * an interrupt level 7"); the guest's own writes (mask, EOI, ICW1) re-evaluate it (held says
 * whether this change is only an input's). */
static void i8259_update_held(struct i8259 *p, bool held)
{
    chip_set_line(&p->chip[0], I8259_CASCADE_IR, chip_request(&p->chip[1], false) >= 0);
    bool out = chip_request(&p->chip[0], true) >= 0 || (held && p->int_out);
    if (out != p->int_out) {
        p->int_out = out;
        if (p->intr)
            p->intr(p->ctx, out);
    }
}

static void i8259_update(struct i8259 *p)
{
    i8259_update_held(p, false);
}

void i8259_init(struct i8259 *p, void (*intr)(void *ctx, bool level),
                void (*note)(void *ctx, const char *event), void *ctx)
{
    memset(p, 0, sizeof *p);
    for (unsigned i = 0; i < 2; i++) {
        p->chip[i].imr = 0xff;
        p->chip[i].lowest = 7;
    }
    p->chip[1].icw3 = 7;
    p->intr = intr;
    p->note = note;
    p->ctx = ctx;
}

void i8259_set_irq(struct i8259 *p, unsigned irq, bool level)
{
    if (irq >= I8259_IRQS || irq == I8259_CASCADE_IR)
        return; /* IR2 of the master is the slave's INT, not a board line */
    chip_set_line(&p->chip[irq / 8], irq % 8, level);
    i8259_update_held(p, true);
}

int i8259_peek(const struct i8259 *p)
{
    if (!p->int_out)
        return -1;
    return i8259_resolve(p).vector;
}

uint8_t i8259_ack(struct i8259 *p)
{
    struct i8259_grant g = i8259_resolve(p);
    if (g.master_ir >= 0)
        chip_ack(&p->chip[0], (unsigned)g.master_ir);
    if (g.slave_ir >= 0)
        chip_ack(&p->chip[1], (unsigned)g.slave_ir);
    i8259_update(p);
    return g.vector;
}

bool i8259_int_output(const struct i8259 *p)
{
    return p->int_out;
}

/* ICW1: starts the initialization sequence and resets the chip (8259A datasheet, ICW1 a-f). */
static void chip_icw1(struct i8259 *p, unsigned ci, uint8_t v)
{
    struct i8259_chip *c = &p->chip[ci];
    c->icw1 = v;
    c->init_step = 2;
    c->imr = 0;
    c->isr = 0;
    c->irr = 0; /* the edge sense circuit is reset */
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_on_aeoi = false;
    c->icw3 = ci ? 7 : 0; /* the slave address is set to 7 */
    if (!(v & I8259_ICW1_IC4))
        c->icw4 = 0; /* no ICW4: its functions are all cleared (MCS-80/85, no AEOI) */
    chip_relevel(c);
    i8259_note(p, "%s ICW1: %s-triggered, %s, %s", i8259_name[ci],
               (v & I8259_ICW1_LTIM) ? "level" : "edge",
               (v & I8259_ICW1_SNGL) ? "single" : "cascade",
               (v & I8259_ICW1_IC4) ? "ICW4 needed" : "no ICW4");
}

static void chip_icw234(struct i8259 *p, unsigned ci, uint8_t v)
{
    struct i8259_chip *c = &p->chip[ci];
    bool icw4 = c->icw1 & I8259_ICW1_IC4;
    switch (c->init_step) {
    case 2:
        c->icw2 = v;
        c->init_step = !(c->icw1 & I8259_ICW1_SNGL) ? 3 : icw4 ? 4 : 0;
        i8259_note(p, "%s ICW2: vector base 0x%02x", i8259_name[ci], v & 0xf8);
        return;
    case 3:
        if (ci) { /* a slave's ICW3 is its ID; bits 7:3 are 0 (8259A datasheet, ICW3) */
            c->icw3 = v & 7;
            i8259_note(p, "slave ICW3: slave ID %u", v & 7);
        } else {
            c->icw3 = v;
            i8259_note(p, "master ICW3: slaves on IR mask 0x%02x", v);
        }
        c->init_step = icw4 ? 4 : 0;
        return;
    default:
        c->icw4 = v & 0x1f; /* bits 7:5 are 0 */
        c->init_step = 0;
        i8259_note(p, "%s ICW4: %s mode, %s%s%s", i8259_name[ci],
                   (v & I8259_ICW4_UPM) ? "8086" : "MCS-80/85",
                   (v & I8259_ICW4_AEOI) ? "auto-EOI" : "normal EOI",
                   (v & I8259_ICW4_SFNM) ? ", special fully nested" : "",
                   (v & I8259_ICW4_BUF) ? ", buffered" : "");
        return;
    }
}

/* OCW2: EOIs, rotation and priority (8259A datasheet, OCW2 and "End of Interrupt"). */
static void chip_ocw2(struct i8259 *p, unsigned ci, uint8_t v)
{
    struct i8259_chip *c = &p->chip[ci];
    unsigned ir = v & 7;
    int top = chip_highest(c, c->isr);
    switch (v & 0xe0) {
    case I8259_OCW2_EOI:
    case I8259_OCW2_ROTATE_EOI:
        if (top < 0)
            return;
        c->isr &= (uint8_t) ~(1u << top);
        if ((v & 0xe0) == I8259_OCW2_ROTATE_EOI)
            c->lowest = (uint8_t)top;
        return;
    case I8259_OCW2_SPECIFIC_EOI:
        c->isr &= (uint8_t) ~(1u << ir);
        return;
    case I8259_OCW2_ROTATE_SPECIFIC:
        c->isr &= (uint8_t) ~(1u << ir);
        c->lowest = (uint8_t)ir;
        return;
    case I8259_OCW2_SET_PRIORITY:
        c->lowest = (uint8_t)ir;
        i8259_note(p, "%s OCW2: set priority, lowest IR%u", i8259_name[ci], ir);
        return;
    case I8259_OCW2_ROTATE_AEOI_SET:
    case I8259_OCW2_ROTATE_AEOI_CLEAR:
        c->rotate_on_aeoi = v & 0x80;
        i8259_note(p, "%s OCW2: rotate in auto-EOI mode %s", i8259_name[ci],
                   c->rotate_on_aeoi ? "on" : "off");
        return;
    default:
        return; /* no operation */
    }
}

static void chip_ocw3(struct i8259 *p, unsigned ci, uint8_t v)
{
    struct i8259_chip *c = &p->chip[ci];
    if (v & I8259_OCW3_ESMM) {
        bool smm = v & I8259_OCW3_SMM;
        if (smm != c->special_mask)
            i8259_note(p, "%s OCW3: special mask mode %s", i8259_name[ci], smm ? "on" : "off");
        c->special_mask = smm;
    }
    if (v & I8259_OCW3_RR)
        c->read_isr = v & I8259_OCW3_RIS;
    if (v & I8259_OCW3_POLL)
        c->poll = true;
}

/* The poll word (8259A datasheet, "The Poll Command"): the read acts as an INTA on this chip. */
static uint8_t chip_poll(struct i8259 *p, unsigned ci)
{
    struct i8259_chip *c = &p->chip[ci];
    c->poll = false;
    int ir = chip_request(c, ci == 0);
    if (ir < 0)
        return 0;
    chip_ack(c, (unsigned)ir);
    if (ci && chip_request(c, false) < 0)
        p->chip[0].irr &= (uint8_t) ~(1u << I8259_CASCADE_IR); /* serviced without the master */
    return (uint8_t)(I8259_POLL_INT | ir);
}

/* A read; *acked is set when it was a poll (an INTA of its own). */
static uint8_t i8259_read(struct i8259 *p, uint16_t port, bool *acked)
{
    if (port == I8259_ELCR1 || port == I8259_ELCR2)
        return p->chip[port - I8259_ELCR1].elcr;
    unsigned ci = port >= I8259_SLAVE_CMD;
    struct i8259_chip *c = &p->chip[ci];
    if (port & 1)
        return c->imr; /* OCW1 */
    if (c->poll) {
        *acked = true;
        return chip_poll(p, ci);
    }
    return c->read_isr ? c->isr : c->irr;
}

/* A write; false when it cannot change what is requested (OCW3 only selecting a register or
 * asking for a poll), which leaves an INT that is up as it is. */
static bool i8259_write(struct i8259 *p, uint16_t port, uint8_t v)
{
    if (port == I8259_ELCR1 || port == I8259_ELCR2) {
        unsigned ci = port - I8259_ELCR1;
        uint8_t mask = ci ? I8259_ELCR2_MASK : I8259_ELCR1_MASK;
        p->chip[ci].elcr = v & mask; /* PIIX: the reserved bits stay 0 (edge) */
        chip_relevel(&p->chip[ci]);
        i8259_note(p, "ELCR%u: level-triggered mask 0x%02x", ci + 1, v & mask);
        return true;
    }
    unsigned ci = port >= I8259_SLAVE_CMD;
    struct i8259_chip *c = &p->chip[ci];
    if (!(port & 1)) {
        if (v & I8259_ICW1) {
            chip_icw1(p, ci, v);
        } else if (v & I8259_OCW3) {
            chip_ocw3(p, ci, v);
            return v & I8259_OCW3_ESMM;
        } else {
            chip_ocw2(p, ci, v);
        }
    } else if (c->init_step) {
        chip_icw234(p, ci, v);
    } else {
        c->imr = v;
        i8259_note(p, "%s OCW1: mask 0x%02x", i8259_name[ci], v);
    }
    return true;
}

static bool i8259_port(uint16_t port)
{
    return port == I8259_MASTER_CMD || port == I8259_MASTER_DATA || port == I8259_SLAVE_CMD ||
           port == I8259_SLAVE_DATA || port == I8259_ELCR1 || port == I8259_ELCR2;
}

bool i8259_io(struct i8259 *p, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (!i8259_port(port))
        return false;
    uint32_t result = 0;
    bool changed = false; /* a write or poll that may change the requests */
    for (unsigned i = 0; i < size && i < 4; i++) {
        uint16_t at = (uint16_t)(port + i);
        bool own = i8259_port(at);
        if (in)
            result |= (uint32_t)(own ? i8259_read(p, at, &changed) : 0xff) << (8 * i);
        else if (own)
            changed |= i8259_write(p, at, (uint8_t)(*value >> (8 * i)));
    }
    if (in)
        *value = result;
    i8259_update_held(p, !changed);
    return true;
}
