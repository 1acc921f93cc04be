/* boot/boot_defs.h - constants shared by the assembly boot code and C. */
#ifndef BOOT_BOOT_DEFS_H
#define BOOT_BOOT_DEFS_H

#define BOOT_CS64       0x08
#define BOOT_DS         0x10
#define BOOT_STACK_SIZE 16384

#define PTE_P  0x1
#define PTE_W  0x2
#define PTE_PS 0x80

#include "platform/x86.h" /* CR0_PE, CR4_PAE, MSR_EFER, EFER_LME ... */

/* The AP start-up trampoline runs at this physical address (SIPI vector 0x08). */
#define AP_TRAMPOLINE_PHYS 0x8000

#endif
