/*
 * devices/debug_exit.h - an exit device compatible with QEMU's isa-debug-exit
 * (hw/misc/debugexit.c): the guest writes a value v to it and its VM ends with exit status
 * (v << 1) | 1, so a test guest can report pass/fail as a status (QEMU is usually given
 * -device isa-debug-exit,iobase=0xf4,iosize=0x04). Pure.
 */
#ifndef DEVICES_DEBUG_EXIT_H
#define DEVICES_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>
#include "vm/vm_stop.h"

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_SIZE 4

struct debug_exit {
    uint16_t iobase;
    uint16_t iosize; /* ports [iobase, iobase + iosize) belong to the device */
};

void debug_exit_init(struct debug_exit *d, uint16_t iobase, uint16_t iosize);
/* A port access; false when port is not the device's. An OUT of 1, 2 or 4 bytes asks to stop
 * the VM: stop->stop is set, stop->status = (v << 1) | 1 with v the value written (kept to 31
 * bits: QEMU passes it to exit(), whose caller sees only 8 of them anyway). An IN reads all
 * ones; QEMU's device reads 0 there, which no guest relies on. */
bool debug_exit_io(struct debug_exit *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                   struct vm_stop_request *stop);

#endif
