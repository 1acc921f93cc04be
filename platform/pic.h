/* platform/pic.h - the legacy 8259A pair: moved off the exception vectors and masked. */
#ifndef PLATFORM_PIC_H
#define PLATFORM_PIC_H

#define PIC_VECTOR_BASE 0x20 /* IRQ 0-15 -> vectors 0x20-0x2f, should one slip through */

/* Re-initialise both PICs (ICW1-ICW4) and mask every IRQ: Vanderpool takes interrupts
 * through the local APIC only. */
void pic_disable(void);

#endif
