/*
 * devices/i8259.h - a virtual pair of Intel 8259A programmable interrupt controllers, wired as
 * on a PC: the master at ports 0x20/0x21, the slave at 0xA0/0xA1 with its INT output on the
 * master's IR2, and the PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1. Pure.
 *
 * Modelled (8259A datasheet): ICW1-ICW4 (single/cascade, ICW4 needed, level-triggered mode,
 * 8086 and MCS-80/85 vectors, auto-EOI, special fully nested mode), OCW1 (mask), OCW2 (specific
 * and non-specific EOI, rotation on EOI and in auto-EOI mode, set priority), OCW3 (read IRR/ISR,
 * poll, special mask mode), priority resolution with rotation, the cascade acknowledge through
 * the slave (which answers only when its ICW3 ID is 2), spurious IRQ7 / IRQ15.
 * Triggering: an input is level-triggered when its ELCR bit or the chip's ICW1 LTIM bit is set
 * (PIIX ELCR; IRQ0, 1, 2, 8 and 13 are always edge). A level request follows its line, so one
 * that falls before the acknowledge gives the spurious IR7 vector (no ISR bit set): the master's
 * INT output stays high until that INTA cycle, or until a write of the guest to the pair finds no
 * request (a mask, an EOI, ICW1 or the ELCR, as Bochs's 8259 does; reads and OCW3 register
 * selections leave it). An edge
 * request is latched on the rising edge and kept until acknowledged even if the line falls
 * again: the datasheet asks the line to stay high until INTA, which a source the hypervisor
 * pulses, or a timer advanced in coarse virtual-time steps, cannot promise (QEMU and KVM latch
 * edges the same way). ICW1 resets the edge detectors: a line already high must fall and rise.
 * Not modelled: buffered mode and the M/S bit of ICW4 (noted, no effect), the MCS-80/85 CALL
 * bytes other than the one an x86 INTA cycle reads (the low address byte, used as the vector).
 *
 * Use: the board calls i8259_set_irq for each line change and i8259_io for the ports; the
 * master's INT output goes to intr(ctx, level) on every change. The injector calls i8259_peek
 * (which vector an INTA would give now) and, when it injects, i8259_ack (the INTA cycle).
 */
#ifndef DEVICES_I8259_H
#define DEVICES_I8259_H

#include <stdbool.h>
#include <stdint.h>

#define I8259_MASTER_CMD  0x20
#define I8259_MASTER_DATA 0x21
#define I8259_SLAVE_CMD   0xa0
#define I8259_SLAVE_DATA  0xa1
#define I8259_ELCR1       0x4d0 /* PIIX edge/level control, IRQ0-7 */
#define I8259_ELCR2       0x4d1 /* IRQ8-15 */
#define I8259_CASCADE_IR  2     /* the slave's INT drives the master's IR2 */
#define I8259_IRQS        16

/* PIIX: ELCR bits of IRQ0, 1, 2 (ELCR1) and 8, 13 (ELCR2) are reserved, read 0. */
#define I8259_ELCR1_MASK 0xf8
#define I8259_ELCR2_MASK 0xde

/* Command-port writes are told apart by bits 4 and 3 (8259A datasheet, figure 7/8). */
#define I8259_ICW1_IC4  0x01 /* ICW4 will follow */
#define I8259_ICW1_SNGL 0x02 /* single 8259A, no ICW3 */
#define I8259_ICW1_ADI  0x04 /* MCS-80/85 CALL address interval 4 (else 8) */
#define I8259_ICW1_LTIM 0x08 /* level-triggered mode */
#define I8259_ICW1      0x10 /* this byte is ICW1 */
#define I8259_OCW3      0x08 /* bit 4 clear, bit 3 set: OCW3; both clear: OCW2 */

#define I8259_ICW4_UPM  0x01 /* 8086/8088 mode (else MCS-80/85) */
#define I8259_ICW4_AEOI 0x02 /* automatic end of interrupt */
#define I8259_ICW4_MS   0x04 /* buffered mode: master (1) or slave (0) */
#define I8259_ICW4_BUF  0x08 /* buffered mode */
#define I8259_ICW4_SFNM 0x10 /* special fully nested mode */

/* OCW2 bits 7:5 (R, SL, EOI). */
#define I8259_OCW2_ROTATE_AEOI_CLEAR 0x00
#define I8259_OCW2_EOI               0x20 /* non-specific EOI */
#define I8259_OCW2_NOP               0x40
#define I8259_OCW2_SPECIFIC_EOI      0x60
#define I8259_OCW2_ROTATE_AEOI_SET   0x80
#define I8259_OCW2_ROTATE_EOI        0xa0 /* rotate on non-specific EOI */
#define I8259_OCW2_SET_PRIORITY      0xc0
#define I8259_OCW2_ROTATE_SPECIFIC   0xe0 /* rotate on specific EOI */

#define I8259_OCW3_RIS  0x01 /* read ISR (else IRR), taken when RR is set */
#define I8259_OCW3_RR   0x02
#define I8259_OCW3_POLL 0x04
#define I8259_OCW3_SMM  0x20 /* special mask mode, taken when ESMM is set */
#define I8259_OCW3_ESMM 0x40

#define I8259_POLL_INT 0x80 /* poll word: an interrupt is requesting, level in bits 2:0 */

/* One 8259A. */
struct i8259_chip {
    uint8_t irr, isr, imr;
    uint8_t lines; /* input levels now */
    uint8_t elcr;  /* PIIX edge/level control (1 = level) */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_step;   /* 0: operating; 2, 3, 4: the ICW expected next */
    uint8_t lowest;      /* the IR with the lowest priority (7 after ICW1; rotation moves it) */
    bool rotate_on_aeoi; /* OCW2 rotate in automatic EOI mode */
    bool special_mask;   /* OCW3 special mask mode */
    bool read_isr;       /* OCW3: reads of the command port give ISR (else IRR) */
    bool poll;           /* OCW3 poll command: the next command-port read is the poll word */
};

struct i8259 {
    struct i8259_chip chip[2]; /* [0] master, [1] slave */
    bool int_out;              /* the master's INT output as last reported */
    void (*intr)(void *ctx, bool level);
    void (*note)(void *ctx, const char *event);
    void *ctx;
};

/* The pair in its power-on state, which the datasheet leaves open: every input masked (so that
 * nothing reaches a guest that has not programmed the pair), all edge-triggered, vector base 0
 * in MCS-80/85 mode until a guest's ICW1-ICW4 say otherwise. intr receives the master's INT output
 * on every change; note (may be NULL) receives a short text for each programming step of the guest
 * ("master ICW2: vector base 0x20", "slave OCW1: mask 0xff"): ICWs, OCW1 masks, OCW2 rotation
 * and priority commands, special mask mode changes, ELCR writes (EOIs, register selection and
 * polls are not noted: they are the operation, not the programming). */
void i8259_init(struct i8259 *p, void (*intr)(void *ctx, bool level),
                void (*note)(void *ctx, const char *event), void *ctx);
/* The level of input line irq (0-15; others are ignored): true is a request. */
void i8259_set_irq(struct i8259 *p, unsigned irq, bool level);
/* A guest's port access; false when port is not one of the pair's (0x20, 0x21, 0xa0, 0xa1,
 * 0x4d0, 0x4d1). Accesses wider than a byte reach the following ports in turn, as an 8-bit ISA
 * device sees them: bytes on ports that are not the pair's read 0xff and are not written. */
bool i8259_io(struct i8259 *p, uint16_t port, unsigned size, bool in, uint32_t *value);
/* The vector the next INTA cycle would give, or -1 when the master's INT output is low. */
int i8259_peek(const struct i8259 *p);
/* The INTA cycle: sets ISR and clears an edge request of the winning IR (on both chips for a
 * slave interrupt), handles automatic EOI and returns the vector. With no request (it vanished
 * since the peek) the master answers with its IR7 vector; when the master grants IR2 and the
 * slave has nothing, the slave answers with its IR7 vector (IRQ15): spurious, no ISR bit set on
 * the chip that had nothing. */
uint8_t i8259_ack(struct i8259 *p);
/* The master's INT output (the level intr last received). */
bool i8259_int_output(const struct i8259 *p);

#endif
