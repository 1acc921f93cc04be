/*
 * devices/uart16550.h - a virtual 16550 UART (National Semiconductor PC16550D), as a pure state
 * machine at a base port (COM1 0x3f8). All eight registers are there: RBR/THR and the divisor
 * latch (DLAB), IER, IIR/FCR, LCR, MCR (loopback included), LSR, MSR and SCR.
 *
 * Output: bytes the guest writes to THR are collected into whole lines, as on the debug console
 * (devices/debugcon.h): '\r' is dropped, long lines are split, and each line is handed to emit
 * in one piece, so the output of several VMs never interleaves. The transmitter is infinitely
 * fast: LSR always reports THRE and TEMT.
 * Input: the VMM pushes bytes into a 16-byte receive FIFO (uart_push_input); the guest reads
 * them from RBR, and LSR.DR tells it that some are waiting. The FIFO holds 16 bytes also with
 * the chip's FIFOs disabled, so nothing pushed is lost to a slow guest.
 * Not modelled: baud-rate timing, parity/framing errors and break, the modem-status delta bits
 * (MSR 3:0 read 0), DMA mode. The character-timeout interrupt (IIR 0xC) is reported at once
 * when fewer bytes than the trigger level wait.
 */
#ifndef DEVICES_UART16550_H
#define DEVICES_UART16550_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/debugcon.h"

#define UART_COM1_BASE  0x3f8
#define UART_PORTS      8
#define UART_RX_FIFO    16     /* PC16550D: 16-byte receiver FIFO */
#define UART_CLOCK_BAUD 115200 /* 1.8432 MHz crystal / 16: the baud rate of divisor 1 */

/* Register offsets from the base (PC16550D table II). */
enum uart_reg {
    UART_REG_RBR = 0, /* read, DLAB=0: receiver buffer */
    UART_REG_THR = 0, /* write, DLAB=0: transmitter holding */
    UART_REG_DLL = 0, /* DLAB=1: divisor latch, low byte */
    UART_REG_IER = 1, /* DLAB=0: interrupt enable */
    UART_REG_DLM = 1, /* DLAB=1: divisor latch, high byte */
    UART_REG_IIR = 2, /* read: interrupt identification */
    UART_REG_FCR = 2, /* write: FIFO control */
    UART_REG_LCR = 3, /* line control */
    UART_REG_MCR = 4, /* modem control */
    UART_REG_LSR = 5, /* line status */
    UART_REG_MSR = 6, /* modem status */
    UART_REG_SCR = 7, /* scratch */
};

#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI  0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NONE    0x01 /* bit 0 set: no interrupt pending */
#define UART_IIR_RLS     0x06 /* receiver line status (highest priority) */
#define UART_IIR_RDA     0x04 /* received data available */
#define UART_IIR_TIMEOUT 0x0c /* character timeout (FIFO mode) */
#define UART_IIR_THRE    0x02 /* transmitter holding register empty */
#define UART_IIR_FIFO    0xc0 /* bits 7:6 set when the FIFOs are enabled (FCR bit 0) */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_RX_RESET 0x02
#define UART_FCR_TX_RESET 0x04

#define UART_LCR_DLAB 0x80 /* divisor latch access */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_OE   0x02 /* overrun error */
#define UART_LSR_THRE 0x20 /* transmitter holding register empty */
#define UART_LSR_TEMT 0x40 /* transmitter empty */

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI  0x40
#define UART_MSR_DCD 0x80

struct uart16550 {
    uint16_t base;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    uint8_t lsr_errors; /* OE, latched until LSR is read */
    bool thre_pending;  /* the THRE interrupt is pending (until IIR is read or THR written) */
    uint8_t rx[UART_RX_FIFO];
    unsigned rx_head, rx_count;
    uint8_t rx_last;     /* RBR keeps the last byte received */
    struct debugcon out; /* the line assembler of the output */
    /* raw output (uart_set_raw_output): each byte as it is sent, no line assembly */
    void (*emit_byte)(void *ctx, char c);
    void *byte_ctx;
};

/* A UART at base (8 ports), in its reset state; whole output lines go to emit(ctx, line). */
void uart_attach(struct uart16550 *u, uint16_t base, void (*emit)(void *ctx, const char *line),
                 void *ctx);
/* Raw output: from now on each transmitted byte goes to emit_byte(ctx, c) as it is sent,
 * not into lines (an interactive console, where a prompt has no newline); NULL: lines again. */
void uart_set_raw_output(struct uart16550 *u, void (*emit_byte)(void *ctx, char c), void *ctx);
/* Master reset (PC16550D table IV): registers to their reset values, receive FIFO emptied. */
void uart_reset(struct uart16550 *u);
/* A guest's port access; false when port is not one of the UART's 8. Accesses wider than a byte
 * reach the following registers in turn, as an 8-bit ISA device sees them; bytes beyond the
 * last register read as 0xff. */
bool uart_io(struct uart16550 *u, uint16_t port, unsigned size, bool in, uint32_t *value);
/* How many bytes uart_push_input would take now: the FIFO's free room, 0 in loopback mode
 * (PC16550D MCR bit 4: the receiver's serial input is disconnected), so a caller that holds
 * its input back until there is room loses nothing. */
unsigned uart_rx_room(const struct uart16550 *u);
/* Input for the guest: queues up to len bytes; returns how many fitted in the FIFO. */
unsigned uart_push_input(struct uart16550 *u, const char *data, unsigned len);
/* The chip's INTR output: an enabled interrupt is pending (the PC wires it to the IRQ through
 * MCR.OUT2; that gate is the board's, and left to the caller). */
bool uart_intr(const struct uart16550 *u);
/* The baud rate the divisor latch selects (115200 / divisor); 0 for divisor 0. */
uint32_t uart_baud(const struct uart16550 *u);
/* Hand over a partial output line (e.g. when the guest stops). */
void uart_flush_output(struct uart16550 *u);

#endif
