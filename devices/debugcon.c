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
    char c = (char)*value;
    if (c == '\n')
        debugcon_flush(d);
    else if (c != '\r') {
        if (d->len == DEBUGCON_LINE - 1) /* a full line is handed over and continued */
            debugcon_flush(d);
        d->line[d->len++] = c;
    }
    return true;
}
