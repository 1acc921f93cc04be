/* platform/serial.c - polled 16550 UART: 115200 baud, 8 data bits, no parity, 1 stop bit.
 * Register layout from the National Semiconductor PC16550D data sheet. */
#include "platform/serial.h"
#include "platform/cpu.h"

enum {
    UART_THR = 0, /* transmit holding (DLAB=0) */
    UART_RBR = 0, /* receive buffer (DLAB=0, read) */
    UART_DLL = 0, /* divisor latch low (DLAB=1) */
    UART_IER = 1,
    UART_DLM = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
};
#define LSR_DR   0x01 /* data ready */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LCR_DLAB 0x80

static uint16_t serial_port;

void serial_init(uint16_t port)
{
    serial_port = port;
    outb(port + UART_IER, 0x00); /* polled: no interrupts */
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, 1); /* 115200 = 1.8432 MHz / 16 / 1 */
    outb(port + UART_DLM, 0);
    outb(port + UART_LCR, 0x03); /* 8N1 */
    outb(port + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte threshold */
    outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(char c)
{
    if (!serial_port)
        return;
    while (!(inb(serial_port + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(serial_port + UART_THR, (uint8_t)c);
}

int serial_getc(void)
{
    if (!serial_port || !(inb(serial_port + UART_LSR) & LSR_DR))
        return -1;
    return inb(serial_port + UART_RBR); /* PC16550D: reading RBR takes the byte from the FIFO */
}

void serial_flush(void)
{
    if (!serial_port)
        return;
    for (int i = 0; i < 1000000 && !(inb(serial_port + UART_LSR) & LSR_TEMT); i++)
        cpu_relax();
}
