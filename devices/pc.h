/* devices/pc.h - the board of a PC-like VM (devices/pc.c): its device models on the VM's
 * buses and interrupt lines. */
#ifndef DEVICES_PC_H
#define DEVICES_PC_H

#include "vm/vm.h"

/* Give vm its devices and its interrupt and time hooks. 0, or -1 with the VM refused (the
 * reason printed). */
int pc_attach(struct vm *vm);

/* The 8259 programming words the guests of all boards wrote and the board showed (book
 * example 7-5): bit 0 ICW1 ... bit 3 ICW4, bit 4 OCW1 ... bit 6 OCW3. */
#define PC_PIC_ICW1 0x01u
#define PC_PIC_OCW1 0x10u
uint32_t pc_pic_words_seen(void);

#endif
