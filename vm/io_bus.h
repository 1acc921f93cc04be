/*
 * vm/io_bus.h - the port and MMIO buses of a VM (pure): sorted, non-overlapping address ranges,
 * each with the device model that answers it (DESIGN §6; Jailhouse's mmio_region_register). A
 * device sees offsets relative to its range and answers handled or error; an address no range
 * claims is the bus's answer "unclaimed", and the VM layer applies its one policy to it (ports
 * read all ones; an MMIO access outside RAM and devices stops the VM).
 */
#ifndef VM_IO_BUS_H
#define VM_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX 32 /* ranges on one bus */

/* A device's answer; IO_UNCLAIMED is the bus's, for an address nobody has. IO_OK_QUIET (port
 * devices): handled, and the access changed no device time and no interrupt line except
 * through the board's own signalling (a delivery kicks its vCPU): the vCPU needs no look at its
 * interrupts and timers before it enters again (vm/vm_io.c). */
enum io_status { IO_OK = 0, IO_UNCLAIMED = 1, IO_OK_QUIET = 2, IO_DEVICE_ERROR = -1 };

/* One access: `caller` is who made it (the vCPU, for per-CPU devices such as the local
 * APIC), `offset` is relative to the range's base, value holds size bytes (1, 2, 4 or 8). */
typedef int (*io_access_fn)(void *ctx, void *caller, uint64_t offset, unsigned size, bool write,
                            uint64_t *value);

struct io_range {
    uint64_t base, len;
    io_access_fn access;
    void *ctx;
    const char *name;
};

struct io_bus {
    struct io_range r[IO_BUS_MAX]; /* sorted by base */
    unsigned n;
};

void io_bus_init(struct io_bus *b);

/* Adds [base, base + len). 0; -1 when the bus is full; -2 for len 0, a wrap-around or an
 * overlap with a range already there (both devices would answer). */
int io_bus_add(struct io_bus *b, uint64_t base, uint64_t len, io_access_fn access, void *ctx,
               const char *name);

/* The range holding addr, or NULL (binary search). */
const struct io_range *io_bus_find(const struct io_bus *b, uint64_t addr);

/* Routes one access to the range holding addr (an access that runs past the range's end is
 * the device's to handle, as an 8-bit ISA device sees the following ports); IO_UNCLAIMED when
 * no range holds addr. */
int io_bus_access(const struct io_bus *b, void *caller, uint64_t addr, unsigned size, bool write,
                  uint64_t *value);

#endif
