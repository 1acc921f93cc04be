/* platform/serial.h - polled 16550 UART driver (the hypervisor's console). */
#ifndef PLATFORM_SERIAL_H
#define PLATFORM_SERIAL_H

#include <stdint.h>

#define SERIAL_COM1 0x3f8

void serial_init(uint16_t port);
void serial_putc(char c);
/* A byte the UART has received (LSR.DR), or -1 when none waits. Polled: the UART's
 * interrupts stay off (IER 0), so nothing of the host's console reaches a guest as an IRQ. */
int serial_getc(void);
/* Wait until the UART has sent every byte (LSR.TEMT), e.g. before power-off. */
void serial_flush(void);

#endif
