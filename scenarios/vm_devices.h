/* scenarios/vm_devices.h - the PC-like set of port devices every VM of scenario vms gets. */
#ifndef SCENARIOS_VM_DEVICES_H
#define SCENARIOS_VM_DEVICES_H

#include "vm/vm.h"

/* Attach, in this order: a 16550 UART at 0x3f8 and the debug console at 0xe9 (whole lines,
 * printed as "NAME: line"), isa-debug-exit at 0xf4 (unless the VM's description says
 * debugexit=off), the Bochs shutdown port 0x8900 and PM1a soft-off at 0x604, and last the
 * policy for ports nobody claims (reads all ones, writes dropped, each port reported once). */
int vm_attach_pc_devices(struct vm *vm);

#endif
