/*
 * vm/vm_stop.h - a guest's request to stop its VM, raised by a device model
 * during a port access (isa-debug-exit, the Bochs shutdown port, ACPI
 * soft-off). The device only fills the request; the VM layer checks it after
 * the access and stops the VM. Pure.
 */
#ifndef VM_VM_STOP_H
#define VM_VM_STOP_H

#include <stdbool.h>

struct vm_stop_request {
    bool stop;       /* the guest asked for its VM to end */
    int status;      /* exit status to report (0 for a plain power-off) */
    const char *why; /* static text naming the device and the request */
};

#endif
