/* devices/debugcon.c - the port 0xE9 debug console (see debugcon.h). */
#include "devices/debugcon.h"

void debugcon_init(struct debugcon *d, void (*emit)(void *ctx, const char *line), void *ctx)
{
    d->len = 0;
    d->emit = emit;
    d->ctx = ctx;
}

void debugcon_flush(struct debugcon *d)
{
    if (!d->len)
        return;
    d->line[d->len] = 0;
    d->emit(d->ctx, d->line);
    d->len = 0;
}

bool debugcon_io(struct debugcon *d, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (port != DEBUGCON_PORT || size != 1)
        return false;
    if (in) {
        *value = DEBUGCON_PORT;
        return true;
    }
    uint8_t c = (uint8_t)*value;
    if (c == '\n') {
        debugcon_flush(d);
    } else if (c != '\r') {
        /* A guest's bytes reach the host's console: only printable ASCII and tab as they are,
         * anything else (escape sequences, NUL, bytes of UTF-8) as \xNN, so a guest cannot
         * move the cursor, recolour or rewrite what the operator sees. */
        bool plain = (c >= 0x20 && c < 0x7f) || c == '\t';
        unsigned need = plain ? 1 : 4;
        if (d->len + need > DEBUGCON_LINE - 1) /* a full line is handed over and continued */
            debugcon_flush(d);
        if (plain) {
            d->line[d->len++] = (char)c;
        } else {
            static const char hex[] = "0123456789abcdef";
            d->line[d->len++] = '\\';
            d->line[d->len++] = 'x';
            d->line[d->len++] = hex[c >> 4];
            d->line[d->len++] = hex[c & 15];
        }
    }
    return true;
}

enum { RAW_TEXT, RAW_ESC, RAW_CSI };

bool debugcon_raw_pass(uint8_t *esc, char c)
{
    uint8_t b = (uint8_t)c;
    switch (*esc) {
    case RAW_ESC: /* ESC [ opens a control sequence; ESC and any other byte is a pair */
        *esc = b == '[' ? RAW_CSI : RAW_TEXT;
        return false;
    case RAW_CSI: /* ECMA-48 5.4: parameter and intermediate bytes 0x20-0x3f, final 0x40-0x7e */
        if (b >= 0x40 && b <= 0x7e)
            *esc = RAW_TEXT;
        else if (b < 0x20 || b > 0x3f)
            *esc = RAW_TEXT; /* not a control sequence after all: dropped too */
        return false;
    default:
        if (b == 0x1b) {
            *esc = RAW_ESC;
            return false;
        }
        return (b >= 0x20 && b < 0x7f) || c == '\n' || c == '\r' || c == '\b' || c == '\t';
    }
}
