/*
 * guests/pic/level.c - the pic guest's ELCR and trigger-mode checks. The one line a guest can
 * raise and lower at will on a PC is the UART's: with MCR.OUT2 set, COM1 drives IRQ4 while an
 * enabled interrupt is pending, and the transmitter-empty interrupt (IER bit 1) is pending as
 * long as the transmitter is empty and enabled (PC16550D data sheet). IER 0x02 raises IRQ4,
 * IER 0x00 lowers it. The UART prints nothing in between (a write to THR would end the request).
 */
#include "guests/pic/pic.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/lib/uart.h"
#include "guests/lib/wait.h"

#define UART_IER      (UART_COM1 + 1)
#define UART_MCR      (UART_COM1 + 4)
#define IER_THRE      0x02
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08
#define IRQ4_BIT      (1u << PIC_IRQ_UART)
#define ELCR_RESERVED 0x2107 /* IRQ 0, 1, 2, 8, 13: always edge (PIIX datasheet, ELCR) */

static volatile uint32_t uart_seen, uart_lower_at;
static volatile uint16_t uart_irr_first;

static void uart_irq(uint32_t vector)
{
    (void)vector;
    pic_count[PIC_IRQ_UART]++;
    uint32_t n = ++uart_seen;
    if (n == 1)
        uart_irr_first = pic_read_irr();
    if (n >= uart_lower_at)
        outb(UART_IER, 0); /* IRQ4 falls */
    pic_eoi(PIC_IRQ_UART);
}

void pic_test_elcr(void)
{
    uint16_t orig = pic_read_elcr();
    pic_write_elcr(0xffff);
    uint16_t all = pic_read_elcr();
    pic_write_elcr(0);
    uint16_t none = pic_read_elcr();
    pic_write_elcr(orig);
    test_note("ELCR as the firmware left it 0x%04x, after writing 0xffff 0x%04x", (unsigned)orig,
              (unsigned)all);
    test_checkf(all == (uint16_t)~ELCR_RESERVED,
                "ELCR: IRQ 0, 1, 2, 8 and 13 stay edge-triggered, the rest take level (0x%04x)",
                (unsigned)all);
    test_checkf(none == 0, "ELCR reads 0 after writing 0 (0x%04x)", (unsigned)none);
}

static void raise_irq4(void)
{
    outb(UART_IER, IER_THRE);
}

void pic_test_level(void)
{
    uint16_t elcr = pic_read_elcr();
    trap_set_handler(PIC_VEC_MASTER + PIC_IRQ_UART, uart_irq);
    uart_flush(); /* the transmitter empty: the interrupt is pending as soon as it is enabled */
    outb(UART_IER, 0);
    outb(UART_MCR, MCR_DTR_RTS | MCR_OUT2);
    pic_set_mask((uint16_t)~IRQ4_BIT);

    /* Edge: one interrupt per rising edge, however long the line stays high. */
    pic_write_elcr(elcr & (uint16_t)~IRQ4_BIT);
    uart_seen = 0;
    uart_lower_at = 0xffffffffu;
    raise_irq4();
    bool first = wait_count(&uart_seen, 1, 5000);
    wait_count(&uart_seen, 2, 5000);
    outb(UART_IER, 0);
    uint32_t edge_n = uart_seen;
    uint16_t edge_irr = uart_irr_first;

    /* Level (ELCR): the request follows the line; an EOI with the line high brings it again. */
    pic_write_elcr(elcr | IRQ4_BIT);
    uart_seen = 0;
    uart_lower_at = 2;
    raise_irq4();
    wait_count(&uart_seen, 3, 5000);
    outb(UART_IER, 0);
    uint32_t level_n = uart_seen;
    uint16_t level_irr = uart_irr_first;

    /* Level, withdrawn before the acknowledge: the 8259A answers with IR7, no ISR bit (8259A
     * datasheet, "interrupt sequence": the IR input must stay high until the first INTA). */
    irq_disable();
    uart_seen = 0;
    uint32_t sp0 = pic_spurious7;
    raise_irq4();
    uint32_t t0 = pit_clock_us();
    while (!(pic_read_irr() & IRQ4_BIT) && pit_clock_us() - t0 < 5000)
        cpu_relax();
    uint16_t irr_high = pic_read_irr();
    outb(UART_IER, 0);
    uint16_t irr_low = pic_read_irr();
    bool spurious = wait_count(&pic_spurious7, sp0 + 1, 5000);
    uint32_t spurious_irq4 = uart_seen;

    pic_set_mask(0xffff);
    outb(UART_MCR, MCR_DTR_RTS);
    pic_write_elcr(elcr);

    test_check(first, "IRQ4 from the UART (transmitter empty, MCR.OUT2) arrives on vector 0x24");
    test_checkf(edge_n == 1, "edge-triggered: one interrupt while the line stays high (%u)",
                (unsigned)edge_n);
    test_checkf(first && !(edge_irr & IRQ4_BIT),
                "edge-triggered: IRR bit 4 clear in the handler (0x%04x)", (unsigned)edge_irr);
    test_checkf(level_irr & IRQ4_BIT,
                "level-triggered: IRR bit 4 still set in the handler, the line high (0x%04x)",
                (unsigned)level_irr);
    test_checkf(level_n == 2,
                "level-triggered: an EOI with the line high brings it again, then it falls (%u)",
                (unsigned)level_n);
    test_checkf(irr_high & IRQ4_BIT, "level-triggered: IRR bit 4 set with IF=0 (0x%04x)",
                (unsigned)irr_high);
    test_checkf(!(irr_low & IRQ4_BIT),
                "level-triggered: IRR bit 4 clears when the line falls before INTA (0x%04x)",
                (unsigned)irr_low);
    test_checkf(spurious && spurious_irq4 == 0,
                "then STI brings the spurious IRQ7 (vector 0x27, ISR bit 7 clear), not IRQ4 (%u)",
                (unsigned)spurious_irq4);
}
