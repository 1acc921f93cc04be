/* boot/boot_defs.h - constants shared by the assembly boot code and C. */
#ifndef BOOT_BOOT_DEFS_H
#define BOOT_BOOT_DEFS_H

#define BOOT_CS64       0x08
#define BOOT_DS         0x10
#define BOOT_STACK_SIZE 16384

#define PTE_P  0x1
#define PTE_W  0x2
#define PTE_PS 0x80

#define CR0_PE  0x00000001
#define CR0_WP  0x00010000
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020

#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define EFER_NXE 0x00000800

/* The AP start-up trampoline runs at this physical address (SIPI vector 0x08). */
#define AP_TRAMPOLINE_PHYS 0x8000

#endif
