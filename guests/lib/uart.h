/* guests/lib/uart.h - polled output on the 16550 UART at COM1 (port 0x3f8), 115200 baud 8N1. */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#define UART_COM1 0x3f8

void uart_init(void);
/* Sends one character; a '\n' goes out as "\r\n". */
void uart_putc(char c);
/* Waits until the transmitter is empty, so nothing is lost when the machine stops. */
void uart_flush(void);

#endif
