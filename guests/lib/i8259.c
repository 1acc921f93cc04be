/* guests/lib/i8259.c - the 8259A pair and the ELCR in the test guests (see i8259.h). */
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"

#define ICW1_INIT     0x10 /* ICW1 (8259A datasheet) */
#define ICW1_IC4      0x01 /* ICW4 follows */
#define ICW4_8086     0x01
#define OCW2_EOI      0x20 /* non-specific EOI */
#define OCW2_SEOI     0x60 /* specific EOI, level in bits 2:0 */
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b

void pic_init(uint8_t master_base, uint8_t slave_base)
{
    outb(PIC_MASTER_DATA, 0xff);
    outb(PIC_SLAVE_DATA, 0xff);
    outb(PIC_MASTER_CMD, ICW1_INIT | ICW1_IC4);   /* ICW1 clears the IMR and the ISR */
    outb(PIC_MASTER_DATA, master_base);           /* ICW2: vector base */
    outb(PIC_MASTER_DATA, 1u << PIC_CASCADE_IRQ); /* ICW3: a slave on IR2 */
    outb(PIC_MASTER_DATA, ICW4_8086);
    outb(PIC_SLAVE_CMD, ICW1_INIT | ICW1_IC4);
    outb(PIC_SLAVE_DATA, slave_base);
    outb(PIC_SLAVE_DATA, PIC_CASCADE_IRQ); /* ICW3: slave ID 2 */
    outb(PIC_SLAVE_DATA, ICW4_8086);
    pic_set_mask(0xffff);
}

void pic_set_mask(uint16_t mask)
{
    outb(PIC_MASTER_DATA, (uint8_t)mask);
    outb(PIC_SLAVE_DATA, (uint8_t)(mask >> 8));
}

uint16_t pic_get_mask(void)
{
    return (uint16_t)(inb(PIC_MASTER_DATA) | (inb(PIC_SLAVE_DATA) << 8));
}

static uint16_t pic_read_reg(uint8_t ocw3)
{
    outb(PIC_MASTER_CMD, ocw3);
    outb(PIC_SLAVE_CMD, ocw3);
    uint16_t v = (uint16_t)(inb(PIC_MASTER_CMD) | (inb(PIC_SLAVE_CMD) << 8));
    if (ocw3 != OCW3_READ_IRR) {
        outb(PIC_MASTER_CMD, OCW3_READ_IRR);
        outb(PIC_SLAVE_CMD, OCW3_READ_IRR);
    }
    return v;
}

uint16_t pic_read_irr(void)
{
    return pic_read_reg(OCW3_READ_IRR);
}

uint16_t pic_read_isr(void)
{
    return pic_read_reg(OCW3_READ_ISR);
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC_SLAVE_CMD, OCW2_EOI);
    outb(PIC_MASTER_CMD, OCW2_EOI);
}

void pic_specific_eoi(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC_SLAVE_CMD, (uint8_t)(OCW2_SEOI | (irq & 7)));
        irq = PIC_CASCADE_IRQ;
    }
    outb(PIC_MASTER_CMD, (uint8_t)(OCW2_SEOI | irq));
}

uint16_t pic_read_elcr(void)
{
    return (uint16_t)(inb(PIC_ELCR1) | (inb(PIC_ELCR2) << 8));
}

void pic_write_elcr(uint16_t elcr)
{
    outb(PIC_ELCR1, (uint8_t)elcr);
    outb(PIC_ELCR2, (uint8_t)(elcr >> 8));
}
