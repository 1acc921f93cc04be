/*
 * devices/i8254.c - the virtual 8254 PIT (see i8254.h). Counting, OUT and gate behaviour per
 * mode from the Intel 82C54 data sheet ("Mode Definitions", "Read Operations"); the count
 * read in mode 3 (decrementing by two) follows QEMU's hw/timer/i8254_common.c; port 0x61 from
 * the PIIX4 data sheet (NMI Status and Control Register).
 */
#include "devices/i8254.h"
#include <string.h>

#define NS_PER_S 1000000000ull

uint64_t i8254_clocks(uint64_t now_ns)
{
    return now_ns / NS_PER_S * I8254_HZ + now_ns % NS_PER_S * I8254_HZ / NS_PER_S;
}

uint64_t i8254_clock_ns(uint64_t k)
{
    uint64_t q = k / I8254_HZ, r = k % I8254_HZ;
    if (q >= UINT64_MAX / NS_PER_S - 1)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

static uint32_t ch_modulus(const struct i8254_channel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* The count a CR value stands for; 0 is the largest (82C54 datasheet, "Write Operations").
 * BCD digits above 9 (undefined on the chip) count as 9. */
static uint32_t ch_count(const struct i8254_channel *c, uint16_t cr)
{
    uint32_t n = cr;
    if (c->bcd) {
        n = 0;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned digit = (cr >> shift) & 0xf;
            n = n * 10 + (digit > 9 ? 9 : digit);
        }
    }
    return n ? n : ch_modulus(c);
}

/* A counter value (binary, below the modulus) as the guest reads it. */
static uint16_t ch_encode(const struct i8254_channel *c, uint32_t v)
{
    if (!c->bcd)
        return (uint16_t)v;
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* OUT after e clocks of count n (82C54 datasheet, waveforms of modes 0-5). */
static bool mode_out(unsigned mode, uint32_t n, uint64_t e)
{
    switch (mode) {
    case 0:
    case 1:
        return e >= n; /* low until the terminal count */
    case 2:
        return e % n != n - 1; /* low for the one clock the count is 1 */
    case 3:
        return e % n < (n + 1) / 2; /* high for the first (larger) half */
    default:
        return e != n; /* 4, 5: a one-clock strobe at the terminal count */
    }
}

/* The counting element after e clocks of count n, binary. */
static uint32_t mode_ce(unsigned mode, uint32_t n, uint64_t e, uint32_t m)
{
    switch (mode) {
    case 2:
        return (n - (uint32_t)(e % n)) % m;
    case 3:
        return ((n - (uint32_t)(2 * (e % n) % n)) % m) & ~1u;
    default: /* counts on past zero, wrapping */
        return (uint32_t)((n + m - e % m) % m);
    }
}

/* The counting timeline in effect at clock t. */
struct i8254_line {
    bool counting;
    uint32_t n;
    uint64_t anchor, phase;
};

static struct i8254_line ch_line(const struct i8254_channel *c, uint64_t t)
{
    if (c->pending && t >= c->pending_at)
        return (struct i8254_line){true, c->pending_n, c->pending_at, c->pending_phase};
    return (struct i8254_line){c->counting, c->n, c->anchor, c->phase};
}

static bool ch_out_at(const struct i8254_channel *c, uint64_t t)
{
    struct i8254_line l = ch_line(c, t);
    if (!l.counting || t < l.anchor)
        return c->out_hold;
    return mode_out(c->mode, l.n, t - l.anchor + l.phase);
}

static uint32_t ch_ce_at(const struct i8254_channel *c, uint64_t t)
{
    struct i8254_line l = ch_line(c, t);
    if (!l.counting || t < l.anchor)
        return c->ce_hold;
    return mode_ce(c->mode, l.n, t - l.anchor + l.phase, ch_modulus(c));
}

/* The first clock after t at which OUT of timeline l rises, or UINT64_MAX. */
static uint64_t line_next_rise(unsigned mode, bool out_before, struct i8254_line l, uint64_t t)
{
    if (!l.counting)
        return UINT64_MAX;
    uint64_t from; /* the first e that may be a rise */
    if (t < l.anchor) {
        if (!out_before && mode_out(mode, l.n, l.phase))
            return l.anchor;
        from = l.phase + 1;
    } else {
        from = t - l.anchor + l.phase + 1;
    }
    uint64_t e;
    switch (mode) {
    case 0:
    case 1:
        if (l.n < from)
            return UINT64_MAX;
        e = l.n;
        break;
    case 4:
    case 5:
        if (l.n + 1 < from)
            return UINT64_MAX;
        e = l.n + 1;
        break;
    default: /* 2, 3: at each reload; a count of 1 never goes low in mode 3, never high in 2 */
        if (l.n < 2)
            return UINT64_MAX;
        e = (from + l.n - 1) / l.n * l.n;
        break;
    }
    return l.anchor + (e - l.phase);
}

static uint64_t ch_next_rise(const struct i8254_channel *c, uint64_t t)
{
    struct i8254_line cur = {c->counting, c->n, c->anchor, c->phase};
    if (!c->pending)
        return line_next_rise(c->mode, c->out_hold, cur, t);
    struct i8254_line next = ch_line(c, c->pending_at);
    if (t >= c->pending_at)
        return line_next_rise(c->mode, c->out_hold, next, t);
    uint64_t r = line_next_rise(c->mode, c->out_hold, cur, t);
    if (r <= c->pending_at)
        return r;
    return line_next_rise(c->mode, true, next, c->pending_at);
}

/* Before a change at clock t: a due pending count takes over, OUT and CE are captured. */
static void ch_sync(struct i8254_channel *c, uint64_t t)
{
    if (c->pending && t >= c->pending_at) {
        struct i8254_line l = ch_line(c, t);
        c->counting = true;
        c->n = l.n;
        c->anchor = l.anchor;
        c->phase = l.phase;
        c->pending = false;
    }
    c->out_hold = ch_out_at(c, t);
    c->ce_hold = (uint16_t)ch_ce_at(c, t);
}

static void ch_start(struct i8254_channel *c, uint64_t anchor, uint32_t n)
{
    c->counting = true;
    c->pending = false;
    c->n = n;
    c->anchor = anchor;
    c->phase = 0;
    if (c->null_until > anchor)
        c->null_until = anchor; /* CR goes to CE */
}

/* Control word for one channel (82C54 datasheet: "all control logic is immediately reset and
 * OUT goes to a known initial state": low in mode 0, high in the others). */
static void ch_control(struct i8254_channel *c, uint8_t v, uint64_t t)
{
    ch_sync(c, t);
    unsigned mode = (v >> 1) & 7;
    c->mode_bits = (uint8_t)mode;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode); /* 6, 7 are 2, 3 */
    c->access = (v >> 4) & 3;
    c->bcd = v & I8254_CW_BCD;
    c->write_msb = false;
    c->read_msb = false;
    c->count_latched = false;
    c->status_latched = false;
    c->armed = false;
    c->counting = false;
    c->pending = false;
    c->null_until = UINT64_MAX;
    c->out_hold = c->mode != 0;
}

/* A new count reloads modes 2 and 3 only at the end of the period (mode 2) or the half-cycle
 * (mode 3) in progress (82C54 datasheet, modes 2 and 3). */
static void ch_defer(struct i8254_channel *c, uint32_t n, uint64_t t)
{
    uint64_t pos = (t - c->anchor + c->phase) % c->n;
    uint64_t half = (c->n + 1) / 2;
    c->pending = true;
    c->pending_n = n;
    if (c->mode == 3 && pos < half) {
        c->pending_at = t + (half - pos);
        c->pending_phase = (n + 1) / 2; /* the new count starts with its low half */
    } else {
        c->pending_at = t + (c->n - pos);
        c->pending_phase = 0;
    }
    c->null_until = c->pending_at;
}

static void ch_count_written(struct i8254_channel *c, uint64_t t)
{
    ch_sync(c, t);
    uint32_t n = ch_count(c, c->cr);
    c->armed = true;
    c->null_until = UINT64_MAX; /* a new CR, not yet in CE */
    switch (c->mode) {
    case 0:
    case 4: /* loaded on the next CLK, counting goes on from the new count */
        if (c->gate) {
            ch_start(c, t + 1, n);
            return;
        }
        c->counting = false; /* loaded, held by the gate */
        c->pending = false;
        c->n = n;
        c->phase = 0;
        c->ce_hold = (uint16_t)(n % ch_modulus(c));
        c->null_until = t + 1;
        return;
    case 1:
    case 5:
        return; /* loaded by the next trigger */
    default:
        if (c->counting && t >= c->anchor) {
            ch_defer(c, n, t);
        } else if (c->counting) {
            c->n = n; /* rewritten before the load */
            c->null_until = c->anchor;
        } else if (c->gate) {
            ch_start(c, t + 1, n);
        }
        return;
    }
}

/* A change of the gate (82C54 datasheet, table "Gate Pin Operations Summary"). */
static void ch_gate(struct i8254_channel *c, bool level, uint64_t t)
{
    if (level == c->gate)
        return;
    ch_sync(c, t);
    c->gate = level;
    if (!c->armed)
        return;
    switch (c->mode) {
    case 0:
    case 4: /* low: counting suspended; high: it goes on */
        if (!level && c->counting) {
            if (t >= c->anchor)
                c->phase = t - c->anchor + c->phase;
            c->counting = false;
        } else if (level && !c->counting) {
            c->counting = true;
            c->anchor = t;
        }
        return;
    case 1:
    case 5: /* the rising edge triggers: load on the next CLK */
        if (level)
            ch_start(c, t + 1, ch_count(c, c->cr));
        return;
    default: /* 2, 3: low stops counting and sets OUT high; the rising edge reloads */
        if (level) {
            ch_start(c, t + 1, ch_count(c, c->cr));
        } else {
            c->counting = false;
            c->pending = false;
            c->out_hold = true;
        }
        return;
    }
}

static uint8_t ch_status(const struct i8254_channel *c, uint64_t t)
{
    return (uint8_t)((ch_out_at(c, t) ? I8254_ST_OUT : 0) |
                     (t < c->null_until ? I8254_ST_NULL : 0) | c->access << 4 | c->mode_bits << 1 |
                     (c->bcd ? I8254_CW_BCD : 0));
}

static void ch_latch_count(struct i8254_channel *c, uint64_t t)
{
    if (c->count_latched)
        return; /* a second latch before the read is ignored */
    c->latch = ch_encode(c, ch_ce_at(c, t));
    c->count_latched = true;
}

/* Read of a counter port (82C54 datasheet, "Read Operations"). */
static uint8_t ch_read(struct i8254_channel *c, uint64_t t)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latch : ch_encode(c, ch_ce_at(c, t));
    bool msb;
    if (c->access == I8254_RW_WORD) {
        msb = c->read_msb;
        c->read_msb = !msb;
    } else {
        msb = c->access == I8254_RW_MSB;
    }
    if (msb || c->access != I8254_RW_WORD)
        c->count_latched = false;
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void ch_write(struct i8254_channel *c, uint8_t v, uint64_t t)
{
    switch (c->access) {
    case I8254_RW_LSB:
        c->cr = v;
        break;
    case I8254_RW_MSB:
        c->cr = (uint16_t)(v << 8);
        break;
    default:
        if (!c->write_msb) {
            c->cr_lsb = v;
            c->write_msb = true;
            if (c->mode == 0) { /* the first byte stops the count, OUT goes low at once */
                ch_sync(c, t);
                c->armed = false;
                c->counting = false;
                c->pending = false;
                c->out_hold = false;
            }
            return;
        }
        c->write_msb = false;
        c->cr = (uint16_t)(c->cr_lsb | v << 8);
        break;
    }
    ch_count_written(c, t);
}

static void pit_control(struct i8254 *pit, uint8_t v, uint64_t t)
{
    if ((v & 0xc0) == I8254_CW_READ_BACK) { /* bit 0 is reserved and ignored */
        for (unsigned i = 0; i < I8254_CHANNELS; i++) {
            struct i8254_channel *c = &pit->ch[i];
            if (!(v & (2u << i)))
                continue;
            if (!(v & I8254_RB_NOT_COUNT))
                ch_latch_count(c, t);
            if (!(v & I8254_RB_NOT_STATUS) && !c->status_latched) {
                c->status = ch_status(c, t);
                c->status_latched = true;
            }
        }
        return;
    }
    struct i8254_channel *c = &pit->ch[v >> 6];
    if (((v >> 4) & 3) == I8254_RW_LATCH)
        ch_latch_count(c, t);
    else
        ch_control(c, v, t);
}

static void pit_emit(struct i8254 *pit, bool level)
{
    pit->out0 = level;
    if (pit->irq0)
        pit->irq0(pit->ctx, level);
}

/* Report OUT0 at clock t; rose: a rising edge happened since the last report. */
static void pit_report(struct i8254 *pit, uint64_t t, bool rose)
{
    bool level = ch_out_at(&pit->ch[0], t);
    if (rose) {
        if (pit->out0)
            pit_emit(pit, false);
        pit_emit(pit, true);
    }
    if (level != pit->out0)
        pit_emit(pit, level);
}

static uint64_t pit_clock(const struct i8254 *pit, uint64_t now_ns)
{
    uint64_t t = i8254_clocks(now_ns);
    return t < pit->synced ? pit->synced : t;
}

void i8254_advance(struct i8254 *pit, uint64_t now_ns)
{
    uint64_t t = pit_clock(pit, now_ns);
    bool rose = ch_next_rise(&pit->ch[0], pit->synced) <= t;
    pit_report(pit, t, rose);
    pit->synced = t;
    for (unsigned i = 0; i < I8254_CHANNELS; i++)
        ch_sync(&pit->ch[i], t);
}

uint64_t i8254_next_event(const struct i8254 *pit, uint64_t now_ns)
{
    uint64_t r = ch_next_rise(&pit->ch[0], pit->synced);
    if (r == UINT64_MAX)
        return UINT64_MAX;
    uint64_t ns = i8254_clock_ns(r);
    return ns < now_ns ? now_ns : ns;
}

bool i8254_out(const struct i8254 *pit, unsigned channel, uint64_t now_ns)
{
    if (channel >= I8254_CHANNELS)
        return false;
    return ch_out_at(&pit->ch[channel], pit_clock(pit, now_ns));
}

void i8254_init(struct i8254 *pit, void (*irq0)(void *ctx, bool level), void *ctx, uint64_t now_ns)
{
    memset(pit, 0, sizeof *pit);
    pit->irq0 = irq0;
    pit->ctx = ctx;
    pit->synced = i8254_clocks(now_ns);
    for (unsigned i = 0; i < I8254_CHANNELS; i++) {
        struct i8254_channel *c = &pit->ch[i];
        c->gate = i != 2; /* channel 2's gate is port 0x61 bit 0, reset 0 */
        ch_control(c, 0x36, pit->synced);
    }
}

static uint8_t pit_read(struct i8254 *pit, uint16_t port, uint64_t t)
{
    if (port == I8254_PORT_61) {
        bool refresh = (t / I8254_REFRESH_CLOCKS) & 1;
        return (uint8_t)((pit->port61 & I8254_P61_RW) | (refresh ? I8254_P61_REFRESH : 0) |
                         (ch_out_at(&pit->ch[2], t) ? I8254_P61_OUT2 : 0));
    }
    if (port == I8254_PORT_CTRL)
        return 0xff; /* the control word register cannot be read */
    return ch_read(&pit->ch[port - I8254_PORT_CH0], t);
}

static void pit_write(struct i8254 *pit, uint16_t port, uint8_t v, uint64_t t)
{
    if (port == I8254_PORT_61) {
        pit->port61 = v & I8254_P61_RW;
        ch_gate(&pit->ch[2], v & I8254_P61_GATE2, t);
    } else if (port == I8254_PORT_CTRL) {
        pit_control(pit, v, t);
    } else {
        ch_write(&pit->ch[port - I8254_PORT_CH0], v, t);
    }
}

static bool pit_port(uint16_t port)
{
    return (port >= I8254_PORT_CH0 && port <= I8254_PORT_CTRL) || port == I8254_PORT_61;
}

bool i8254_io(struct i8254 *pit, uint16_t port, unsigned size, bool in, uint32_t *value,
              uint64_t now_ns)
{
    if (!pit_port(port))
        return false;
    i8254_advance(pit, now_ns);
    uint64_t t = pit->synced;
    uint32_t result = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        uint16_t at = (uint16_t)(port + i);
        bool own = pit_port(at);
        if (in)
            result |= (uint32_t)(own ? pit_read(pit, at, t) : 0xff) << (8 * i);
        else if (own)
            pit_write(pit, at, (uint8_t)(*value >> (8 * i)), t);
    }
    if (in)
        *value = result;
    pit_report(pit, t, false);
    return true;
}
