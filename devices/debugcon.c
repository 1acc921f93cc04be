/* devices/debugcon.c - the port 0xE9 debug console (see debugcon.h). */
#include "devices/debugcon.h"

#include <string.h>

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

enum { RAW_TEXT, RAW_ESC, RAW_CSI, RAW_CSI_DROP, RAW_STRING };

/* The final bytes of the control sequences a terminal may be given (ECMA-48 8.3): cursor
 * movement CUU CUD CUF CUB CNL CPL CHA CUP HVP VPA, erasure ED EL ECH, ICH DCH IL DL, SGR. */
static bool raw_safe_final(uint8_t b)
{
    return b != 0 && strchr("ABCDEFGHfdJKX@PLMm", b) != NULL;
}

unsigned debugcon_raw_filter(struct debugcon_raw *f, char c, char *out)
{
    uint8_t b = (uint8_t)c;
    switch (f->state) {
    case RAW_ESC:
        /* ESC [ opens a control sequence; ESC ] P X ^ _ a control string (OSC DCS SOS PM APC,
         * ECMA-48 5.6); ESC and any other byte is a pair (ECMA-48 5.3): dropped */
        if (b == 0x1b)
            break;
        f->state = b == '[' ? RAW_CSI : b && strchr("]PX^_", b) ? RAW_STRING : RAW_TEXT;
        if (b == '[')
            f->seq[f->len++] = '[';
        return 0;
    case RAW_STRING: /* dropped up to BEL or ST (ESC \); a newline ends it too, and shows */
        if (b == 0x07 || b == 0x1b || b == '\n')
            f->state = RAW_TEXT;
        if (b == 0x1b)
            break;
        if (b == '\n') {
            out[0] = c;
            return 1;
        }
        return 0;
    case RAW_CSI: /* ECMA-48 5.4: parameters 0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e */
        if (b == 0x1b)
            break; /* an ESC ends the sequence, dropped, and begins the next one */
        if (b >= 0x30 && b <= 0x3b && f->len < DEBUGCON_RAW_SEQ - 1) {
            f->seq[f->len++] = c;
            return 0;
        }
        if (b >= 0x40 && b <= 0x7e) {
            f->state = RAW_TEXT;
            if (!raw_safe_final(b))
                return 0;
            f->seq[f->len++] = c;
            memcpy(out, f->seq, f->len);
            return f->len;
        }
        /* private parameters (0x3c-0x3f), intermediates, a sequence too long: dropped whole */
        f->state = b >= 0x20 && b <= 0x3f ? RAW_CSI_DROP : RAW_TEXT;
        return 0;
    case RAW_CSI_DROP:
        if (b == 0x1b)
            break;
        if (b < 0x20 || b > 0x3f)
            f->state = RAW_TEXT; /* the final byte, or not a control sequence after all */
        return 0;
    default:
        if ((b >= 0x20 && b < 0x7f) || c == '\n' || c == '\r' || c == '\b' || c == '\t') {
            out[0] = c;
            return 1;
        }
        if (b != 0x1b)
            return 0;
    }
    f->state = RAW_ESC; /* b is ESC */
    f->seq[0] = c;
    f->len = 1;
    return 0;
}
