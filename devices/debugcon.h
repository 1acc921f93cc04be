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

/* Raw output to a terminal (a VM with console=raw). Printable ASCII, newline, carriage return,
 * backspace and tab pass. Of the escape sequences (ECMA-48 5.4), the control sequences that only
 * move the cursor, erase, insert or delete characters or lines, or set colours pass whole (CSI
 * with digit, ':' and ';' parameters and the final byte of CUU CUD CUF CUB CNL CPL CHA CUP HVP
 * VPA ED EL ICH DCH ECH IL DL SGR, ECMA-48 8.3), which a shell's line editing needs (the arrow
 * keys, history); every other sequence is dropped whole: private modes (a '?' parameter),
 * reports the terminal would answer into the input (DSR, CSI 6 n), ESC and one byte (RIS, ESC c),
 * OSC and every other control byte, so a guest cannot retitle, reset or query the operator's
 * terminal. One sequence is held until its final byte; a longer one than DEBUGCON_RAW_SEQ is
 * dropped. */
#define DEBUGCON_RAW_SEQ 16
struct debugcon_raw {
    uint8_t state; /* 0 to start */
    uint8_t len;
    char seq[DEBUGCON_RAW_SEQ];
};
/* Byte c from the guest: the number of bytes to show now, written to out (room for
 * DEBUGCON_RAW_SEQ). */
unsigned debugcon_raw_filter(struct debugcon_raw *f, char c, char *out);

#endif
