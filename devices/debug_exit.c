/* devices/debug_exit.c - the isa-debug-exit compatible device (see debug_exit.h). */
#include "devices/debug_exit.h"

void debug_exit_init(struct debug_exit *d, uint16_t iobase, uint16_t iosize)
{
    d->iobase = iobase;
    d->iosize = iosize;
}

bool debug_exit_io(struct debug_exit *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                   struct vm_stop_request *stop)
{
    if (port < d->iobase || port - d->iobase >= d->iosize)
        return false;
    uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    if (in) {
        *value = mask;
        return true;
    }
    /* QEMU: exit((val << 1) | 1), val being the value written, of the access size. */
    uint64_t status = ((uint64_t)(*value & mask) << 1) | 1;
    stop->stop = true;
    stop->status = (int)(status & 0x7fffffff);
    stop->why = "isa-debug-exit";
    return true;
}
