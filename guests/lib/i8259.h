/*
 * guests/lib/i8259.h - the 8259A pair of a PC in the test guests: the master at 0x20/0x21, the
 * slave at 0xa0/0xa1 on the master's IR2, and the PIIX edge/level control registers at
 * 0x4d0/0x4d1 (8259A datasheet; PIIX datasheet, ELCR). IRQ numbers 0-15; masks and register
 * values as 16 bits, the master in bits 7:0.
 */
#ifndef GUEST_I8259_H
#define GUEST_I8259_H

#include <stdint.h>

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1
#define PIC_ELCR1       0x4d0
#define PIC_ELCR2       0x4d1
#define PIC_CASCADE_IRQ 2

/* ICW1-ICW4 as Linux's init_8259A does: edge-triggered cascade, vector bases master_base and
 * slave_base, the slave on IR2, 8086 mode with normal EOI; then every IRQ masked. */
void pic_init(uint8_t master_base, uint8_t slave_base);
void pic_set_mask(uint16_t mask); /* OCW1; bit n set: IRQ n masked */
uint16_t pic_get_mask(void);
/* OCW3 read register commands; the IRR stays selected afterwards. */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);
/* OCW2 non-specific EOI (to the slave and then the master for IRQ 8-15), and specific EOI. */
void pic_eoi(unsigned irq);
void pic_specific_eoi(unsigned irq);
/* ELCR, IRQ n level-triggered when bit n is set. */
uint16_t pic_read_elcr(void);
void pic_write_elcr(uint16_t elcr);

#endif
