/* tests/unit/guest_ram.h - a guest's RAM as a host buffer behind struct gw_mem (vm/guest_walk.h),
 * for the unit tests of modules that reach guest memory through it (guest_walk, string_io,
 * task_switch). The gw_mem's ctx is a struct test_ram; accesses beyond its size fail (-1). */
#ifndef TESTS_UNIT_GUEST_RAM_H
#define TESTS_UNIT_GUEST_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "vm/guest_walk.h"

struct test_ram {
    uint8_t *bytes;
    uint64_t size;
};

int test_ram_read_pte(void *ctx, uint64_t gpa, uint64_t *val);
int test_ram_write_pte(void *ctx, uint64_t gpa, uint64_t old, uint64_t val); /* old ignored */
int test_ram_read(void *ctx, uint64_t gpa, void *buf, size_t n);
int test_ram_write(void *ctx, uint64_t gpa, const void *buf, size_t n);

/* A gw_mem over r with the four accessors above. */
#define TEST_RAM_MEM(r)                                                                            \
    {                                                                                              \
        (r), test_ram_read_pte, test_ram_write_pte, test_ram_read, test_ram_write                  \
    }

#endif
