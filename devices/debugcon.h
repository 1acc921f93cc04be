/* devices/debugcon.h - the debug console at I/O port 0xE9 (as in Bochs and QEMU): bytes the
 * guest writes are collected into lines and handed over whole, so lines of several guests
 * never interleave; reading the port returns 0xE9, how guests detect it. A byte other than
 * printable ASCII or tab is written as \xNN, so a guest's output cannot carry terminal escape
 * sequences to the host's console. The UART (uart16550.h) assembles its lines here too. Pure. */
#ifndef DEVICES_DEBUGCON_H
#define DEVICES_DEBUGCON_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUGCON_PORT 0xe9
#define DEBUGCON_LINE 160

struct debugcon {
    char line[DEBUGCON_LINE];
    unsigned len;
    void (*emit)(void *ctx, const char *line); /* a whole line, without the newline */
    void *ctx;
};

void debugcon_init(struct debugcon *d, void (*emit)(void *ctx, const char *line), void *ctx);
/* Port access; false when the access is not for this device (other port or size). */
bool debugcon_io(struct debugcon *d, uint16_t port, unsigned size, bool in, uint32_t *value);
/* Hand over a partial line (e.g. when the guest stops). */
void debugcon_flush(struct debugcon *d);

/* Raw output to a terminal (a VM with console=raw): whether byte c may be shown. Printable
 * ASCII, newline, carriage return, backspace and tab pass; escape sequences are dropped whole
 * (ESC [ parameters and intermediates, up to the final byte 0x40-0x7e, ECMA-48 5.4; ESC and
 * one more byte otherwise), and so is every other control byte. *esc is the filter's state,
 * 0 to start. */
bool debugcon_raw_pass(uint8_t *esc, char c);

#endif
