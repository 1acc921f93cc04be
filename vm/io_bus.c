/* vm/io_bus.c - a VM's port and MMIO buses (pure; see io_bus.h). */
#include "vm/io_bus.h"

#include <string.h>

void io_bus_init(struct io_bus *b)
{
    b->n = 0;
}

int io_bus_add(struct io_bus *b, uint64_t base, uint64_t len, io_access_fn access, void *ctx,
               const char *name)
{
    if (b->n == IO_BUS_MAX)
        return -1;
    if (len == 0 || base + len < base || !access)
        return -2;
    unsigned i = 0;
    while (i < b->n && b->r[i].base < base)
        i++;
    if ((i > 0 && b->r[i - 1].base + b->r[i - 1].len > base) ||
        (i < b->n && base + len > b->r[i].base))
        return -2; /* overlaps the range before or after */
    memmove(&b->r[i + 1], &b->r[i], (b->n - i) * sizeof(b->r[0]));
    b->r[i] = (struct io_range){base, len, access, ctx, name};
    b->n++;
    return 0;
}

const struct io_range *io_bus_find(const struct io_bus *b, uint64_t addr)
{
    unsigned lo = 0, hi = b->n;
    while (lo < hi) { /* the last range with base <= addr */
        unsigned mid = (lo + hi) / 2;
        if (b->r[mid].base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct io_range *r = &b->r[lo - 1];
    return addr - r->base < r->len ? r : NULL;
}

int io_bus_access(const struct io_bus *b, void *caller, uint64_t addr, unsigned size, bool write,
                  uint64_t *value)
{
    const struct io_range *r = io_bus_find(b, addr);
    if (!r)
        return IO_UNCLAIMED;
    return r->access(r->ctx, caller, addr - r->base, size, write, value);
}
