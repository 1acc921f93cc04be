/*
 * devices/i8254.h - a virtual Intel 8254 programmable interval timer as on a PC: three channels
 * clocked at 1.193182 MHz at ports 0x40-0x42 with the control word at 0x43, channel 0's OUT
 * on IRQ0, and port 0x61 (NMI status and control, PIIX) for channel 2's gate and OUT. Pure.
 *
 * Modelled (82C54 datasheet): modes 0-5 (6 and 7 are 2 and 3), binary and BCD counting, the
 * access modes LSB, MSB and LSB-then-MSB with their byte flip-flops, the counter latch command,
 * the read-back command (count and status latches, OUT and NULL COUNT in the status), the gate
 * rules of each mode (channel 2 only; the gates of channels 0 and 1 are tied high as on a PC),
 * the load of a count on the CLK after it is written, new counts in modes 2 and 3 taking effect
 * at the end of the period / half-cycle. Port 0x61: bit 0 gate 2, bit 1 speaker data enable,
 * bits 3:2 stored, bit 4 the refresh toggle, bit 5 OUT2; bits 7:6 (parity / IOCHK NMI sources)
 * read 0. The refresh toggle flips every 18 PIT clocks (15.09 us), the period of the AT's DRAM
 * refresh that channel 1 drove; it is derived from time whatever channel 1 is programmed to.
 * Not modelled: the speaker sound itself.
 *
 * Time: the model never reads a clock. Every call that depends on time takes now_ns, the VM's
 * virtual time in nanoseconds (monotonic; an earlier value than seen before counts as the
 * latest). PIT clock k happens at ceil(k * 1e9 / 1193182) ns; counts are derived from time, so
 * nothing ticks. Channel 0's OUT drives irq0(ctx, level). Changes of OUT0 are reported when
 * they happen in a port access, and for the ones time brings, when the board calls
 * i8254_advance: i8254_next_event says when the next rising edge of OUT0 (the change that
 * interrupts) is due. A rising edge that happened since the last report is always reported as
 * one, also when OUT0 is high again or still low by then (as a low-high or high-low-high
 * sequence), so an edge-triggered PIC or IOAPIC sees it however late advance comes; several
 * periods missed between two calls give one edge, as a PIC would latch them.
 * Initial state: every channel as after control word "mode 3, LSB then MSB, binary" without a
 * count (OUT high, not counting; the datasheet leaves power-on open), gate 2 low. i8254_init
 * calls nothing: the first advance or port access reports OUT0 (high) to irq0.
 */
#ifndef DEVICES_I8254_H
#define DEVICES_I8254_H

#include <stdbool.h>
#include <stdint.h>

#define I8254_HZ        1193182u /* 14.31818 MHz / 12 */
#define I8254_PORT_CH0  0x40
#define I8254_PORT_CTRL 0x43
#define I8254_PORT_61   0x61 /* NMI status and control (PIIX) */
#define I8254_CHANNELS  3

/* Control word (82C54 datasheet, figure 7): SC1:SC0, RW1:RW0, M2:M0, BCD. */
#define I8254_CW_BCD       0x01
#define I8254_CW_READ_BACK 0xc0 /* SC = 11 */
#define I8254_RW_LATCH     0    /* RW = 00: counter latch command */
#define I8254_RW_LSB       1
#define I8254_RW_MSB       2
#define I8254_RW_WORD      3 /* LSB then MSB */

/* Read-back command bits (82C54 datasheet, figure 12); 0 selects. */
#define I8254_RB_NOT_COUNT  0x20
#define I8254_RB_NOT_STATUS 0x10

/* Status byte (figure 13). */
#define I8254_ST_OUT  0x80
#define I8254_ST_NULL 0x40

/* Port 0x61. */
#define I8254_P61_GATE2   0x01
#define I8254_P61_SPEAKER 0x02
#define I8254_P61_RW      0x0f /* the bits a write sets */
#define I8254_P61_REFRESH 0x10
#define I8254_P61_OUT2    0x20

#define I8254_REFRESH_CLOCKS 18 /* PIT clocks between two flips of the refresh toggle */

struct i8254_channel {
    uint8_t mode;      /* the mode in effect, 0-5 */
    uint8_t mode_bits; /* M2:M0 as written, for the status byte */
    uint8_t access;    /* RW1:RW0 */
    bool bcd;
    bool gate;
    uint16_t cr;    /* the count register: the last count written */
    uint8_t cr_lsb; /* the first byte of an LSB-then-MSB count */
    bool write_msb; /* the next write is the MSB of an LSB-then-MSB count */
    bool read_msb;  /* the next read is the MSB */
    bool count_latched, status_latched;
    uint16_t latch;
    uint8_t status;
    bool armed;          /* a whole count was written since the control word */
    uint64_t null_until; /* NULL COUNT reads 1 before this clock (the load of CR into CE) */
    /* The counting element: while counting, from clock anchor on, e = clk - anchor + phase
     * clocks have passed since the count n was loaded; otherwise it holds ce_hold/out_hold. */
    bool counting;
    uint32_t n; /* 1..65536 (binary) or 1..10000 (BCD) */
    uint64_t anchor;
    uint64_t phase;
    uint16_t ce_hold; /* binary */
    bool out_hold;
    /* Modes 2 and 3: a new count that takes over at clock pending_at (end of the period or
     * half-cycle), starting at cycle position pending_phase. */
    bool pending;
    uint32_t pending_n;
    uint64_t pending_at, pending_phase;
};

struct i8254 {
    struct i8254_channel ch[I8254_CHANNELS];
    uint8_t port61;  /* bits 3:0 as written */
    uint64_t synced; /* the PIT clock up to which OUT0 was reported */
    bool out0;       /* OUT0 as last reported */
    void (*irq0)(void *ctx, bool level);
    void *ctx;
};

/* The PIT in its initial state at time now_ns; irq0 (may be NULL) gets channel 0's OUT. */
void i8254_init(struct i8254 *pit, void (*irq0)(void *ctx, bool level), void *ctx, uint64_t now_ns);
/* A guest's port access at now_ns; false when port is not 0x40-0x43 or 0x61. Accesses wider
 * than a byte reach the following ports in turn (8-bit ISA device); bytes on ports that are not
 * the PIT's read 0xff and are not written. */
bool i8254_io(struct i8254 *pit, uint16_t port, unsigned size, bool in, uint32_t *value,
              uint64_t now_ns);
/* When OUT0 next rises (absolute ns), now_ns if such an edge is already due, UINT64_MAX when
 * none will come without a port access. */
uint64_t i8254_next_event(const struct i8254 *pit, uint64_t now_ns);
/* Brings the PIT to now_ns and reports OUT0's changes to irq0 (see above). */
void i8254_advance(struct i8254 *pit, uint64_t now_ns);
/* OUT of a channel at now_ns (0-2; false for others), without side effects. */
bool i8254_out(const struct i8254 *pit, unsigned channel, uint64_t now_ns);
/* The PIT clock count at now_ns and the time of clock k: floor(now * f / 1e9), ceil(k * 1e9 / f).
 */
uint64_t i8254_clocks(uint64_t now_ns);
uint64_t i8254_clock_ns(uint64_t k);

#endif
