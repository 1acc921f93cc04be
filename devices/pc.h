/* devices/pc.h - the board of a PC-like VM (devices/pc.c): its device models on the VM's
 * buses and interrupt lines. */
#ifndef DEVICES_PC_H
#define DEVICES_PC_H

#include "vm/vm.h"

/* Give vm its devices and its interrupt and time hooks. 0, or -1 with the VM refused (the
 * reason printed). */
int pc_attach(struct vm *vm);

#endif
