/* tests/unit/test_io_bus.c - a VM's port and MMIO buses. */
#include <criterion/criterion.h>
#include "vm/io_bus.h"

static int last_ctx;
static uint64_t last_offset;

static int dev(void *ctx, void *caller, uint64_t offset, unsigned size, bool write, uint64_t *value)
{
    (void)caller;
    (void)size;
    last_ctx = *(int *)ctx;
    last_offset = offset;
    if (!write)
        *value = 0x1000 + (uint64_t)last_ctx;
    return last_ctx == 9 ? IO_DEVICE_ERROR : last_ctx == 7 ? IO_OK_QUIET : IO_OK;
}

Test(io_bus, ranges_sorted_and_found)
{
    static int a = 1, b = 2, c = 3;
    struct io_bus bus;
    uint64_t v = 0;
    io_bus_init(&bus);
    cr_assert_eq(io_bus_add(&bus, 0x3f8, 8, dev, &a, "uart"), 0);
    cr_assert_eq(io_bus_add(&bus, 0x20, 2, dev, &b, "pic"), 0);
    cr_assert_eq(io_bus_add(&bus, 0x40, 4, dev, &c, "pit"), 0);
    cr_assert_eq(bus.r[0].base, 0x20);
    cr_assert_eq(bus.r[2].base, 0x3f8);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x3fd, 1, false, &v), IO_OK);
    cr_assert_eq(last_ctx, 1);
    cr_assert_eq(last_offset, 5, "offsets are relative to the range");
    cr_assert_eq(v, 0x1001);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x43, 1, true, &v), IO_OK);
    cr_assert_eq(last_ctx, 3);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x44, 1, false, &v), IO_UNCLAIMED);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x1f, 1, false, &v), IO_UNCLAIMED);
    cr_assert_null(io_bus_find(&bus, 0x400));
}

Test(io_bus, overlaps_and_bad_ranges_refused)
{
    static int a = 1;
    struct io_bus bus;
    io_bus_init(&bus);
    cr_assert_eq(io_bus_add(&bus, 0xfec00000, 0x1000, dev, &a, "ioapic"), 0);
    cr_assert_eq(io_bus_add(&bus, 0xfec00800, 0x10, dev, &a, "x"), -2, "inside");
    cr_assert_eq(io_bus_add(&bus, 0xfebff000, 0x1001, dev, &a, "x"), -2, "runs into it");
    cr_assert_eq(io_bus_add(&bus, 0xfec01000, 0x1000, dev, &a, "next"), 0, "adjacent is fine");
    cr_assert_eq(io_bus_add(&bus, 0x10, 0, dev, &a, "x"), -2, "empty");
    cr_assert_eq(io_bus_add(&bus, ~0ull - 4, 16, dev, &a, "x"), -2, "wraps");
    cr_assert_eq(io_bus_add(&bus, 0x10, 1, NULL, &a, "x"), -2, "no access function");
}

Test(io_bus, full_bus_and_device_errors)
{
    static int a = 1, bad = 9;
    struct io_bus bus;
    uint64_t v;
    io_bus_init(&bus);
    for (unsigned i = 0; i < IO_BUS_MAX; i++)
        cr_assert_eq(io_bus_add(&bus, 0x1000 + 16 * i, 16, dev, i ? &a : &bad, "d"), 0);
    cr_assert_eq(io_bus_add(&bus, 0x9000, 1, dev, &a, "one more"), -1);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x1003, 1, false, &v), IO_DEVICE_ERROR);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x1000 + 16 * (IO_BUS_MAX - 1) + 15, 1, false, &v),
                 IO_OK);
}

/* A quiet device's answer (vm/vm_io.c then leaves the vCPU's interrupts alone) reaches the
 * caller unchanged, distinct from IO_OK and from the bus's unclaimed and error answers. */
Test(io_bus, quiet_answer_passed_through)
{
    static int loud = 1, quiet = 7;
    struct io_bus bus;
    uint64_t v = 0;
    io_bus_init(&bus);
    cr_assert_eq(io_bus_add(&bus, 0x3f8, 8, dev, &quiet, "uart"), 0);
    cr_assert_eq(io_bus_add(&bus, 0x40, 4, dev, &loud, "pit"), 0);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x3fd, 1, false, &v), IO_OK_QUIET);
    cr_assert_eq(v, 0x1007, "a quiet read still returns the device's value");
    cr_assert_eq(io_bus_access(&bus, NULL, 0x3f8, 1, true, &v), IO_OK_QUIET);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x40, 1, true, &v), IO_OK);
    cr_assert_eq(io_bus_access(&bus, NULL, 0x400, 1, true, &v), IO_UNCLAIMED);
    cr_assert_neq(IO_OK_QUIET, IO_OK);
    cr_assert_neq(IO_OK_QUIET, IO_UNCLAIMED);
}
