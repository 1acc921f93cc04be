/* scenarios/vm_devices.c - assembling a VM's devices: the PC board (devices/pc.c). */
#include "devices/pc.h"
#include "scenarios/vm_devices.h"

int vm_attach_pc_devices(struct vm *vm)
{
    return pc_attach(vm);
}
