/*
 * vm/vm_io.c - a VM's I/O: port accesses through the port bus (a port no device has gets the
 * board's policy, devices/port_policy.c), and a device's request to end the VM (book 6.4;
 * DESIGN §6). MMIO is vm/mmio.c.
 */
#include "platform/console.h"
#include "platform/fmt.h"
#include "vm/vm.h"

void vm_request_stop(struct vm *vm, const struct vm_stop_request *r)
{
    vm->status = r->status;
    fmt_snprintf(vm->why, sizeof(vm->why), "%s", r->why);
    for (uint32_t i = 0; i < vm->nvcpus; i++)
        vm->vcpus[i].exit_status = r->status;
    vm->stop = true; /* every vCPU of the VM stops at its next exit */
}

bool vm_port_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    struct vm *vm = v->vm;
    uint64_t val = *value;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    int rc = io_bus_access(&vm->ports, v, port, size, !in, &val);
    if (rc == IO_UNCLAIMED && vm->board && vm->board->unclaimed_port)
        vm->board->unclaimed_port(vm->board_ctx, port, size, in, value); /* its policy */
    else if (rc == IO_UNCLAIMED && in)
        *value = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1; /* an empty ISA bus */
    else if (in)
        *value = (uint32_t)val;
    spin_unlock_irqrestore(&vm->lock, flags);
    /* A device may have raised or dropped a line, taken an EOI, moved its next event: the
     * step before the entry looks (vcpu_prepare_entry: the devices' time, the highest
     * interrupt, the timer). A quiet device's access needs none of it: at one exit per byte
     * of console output that look was most of what a Linux guest's boot lost to its VM. */
    if (vm->board && rc != IO_OK_QUIET)
        v->attention = true;
    return true;
}
