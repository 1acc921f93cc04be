/* tests/unit/guest_ram.c - see guest_ram.h. */
#include <string.h>

#include "tests/unit/guest_ram.h"

static uint8_t *at(void *ctx, uint64_t gpa, size_t n)
{
    struct test_ram *r = ctx;
    return gpa <= r->size && n <= r->size - gpa ? r->bytes + gpa : NULL;
}

int test_ram_read_pte(void *ctx, uint64_t gpa, uint64_t *val)
{
    return test_ram_read(ctx, gpa, val, 8);
}

int test_ram_write_pte(void *ctx, uint64_t gpa, uint64_t old, uint64_t val)
{
    (void)old;
    return test_ram_write(ctx, gpa, &val, 8);
}

int test_ram_read(void *ctx, uint64_t gpa, void *buf, size_t n)
{
    uint8_t *p = at(ctx, gpa, n);
    if (!p)
        return -1;
    memcpy(buf, p, n);
    return 0;
}

int test_ram_write(void *ctx, uint64_t gpa, const void *buf, size_t n)
{
    uint8_t *p = at(ctx, gpa, n);
    if (!p)
        return -1;
    memcpy(p, buf, n);
    return 0;
}
