/* guests/lib/uart.c - polled 16550 UART driver of the test guests. Register layout from the
 * National Semiconductor PC16550D data sheet; the same programming works on Bochs's UART and on
 * Vanderpool's virtual one. */
#include "guests/lib/uart.h"
#include "guests/lib/io.h"

enum {
    UART_THR = 0, /* transmit holding (DLAB=0) */
    UART_DLL = 0, /* divisor latch low (DLAB=1) */
    UART_IER = 1,
    UART_DLM = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
};
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
#define LCR_DLAB 0x80

/* Bounds every wait, so a UART that never reports ready (none present) cannot hang the guest. */
#define UART_SPIN_MAX 1000000

void uart_init(void)
{
    outb(UART_COM1 + UART_IER, 0x00); /* polled: no interrupts */
    outb(UART_COM1 + UART_LCR, LCR_DLAB);
    outb(UART_COM1 + UART_DLL, 1); /* 115200 = 1.8432 MHz / 16 / 1 */
    outb(UART_COM1 + UART_DLM, 0);
    outb(UART_COM1 + UART_LCR, 0x03); /* 8N1 */
    outb(UART_COM1 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
    outb(UART_COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void uart_put_raw(char c)
{
    for (int i = 0; i < UART_SPIN_MAX && !(inb(UART_COM1 + UART_LSR) & LSR_THRE); i++)
        cpu_relax();
    outb(UART_COM1 + UART_THR, (uint8_t)c);
}

void uart_putc(char c)
{
    if (c == '\n')
        uart_put_raw('\r');
    uart_put_raw(c);
}

void uart_flush(void)
{
    for (int i = 0; i < UART_SPIN_MAX && !(inb(UART_COM1 + UART_LSR) & LSR_TEMT); i++)
        cpu_relax();
}
