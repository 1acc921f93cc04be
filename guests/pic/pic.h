/* guests/pic/pic.h - what the parts of the pic test guest share (see main.c). */
#ifndef GUEST_PIC_PIC_H
#define GUEST_PIC_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_VEC_MASTER 0x20 /* Linux's vector bases */
#define PIC_VEC_SLAVE  0x28
#define PIC_IRQ_PIT    0
#define PIC_IRQ_UART   4
#define PIC_IRQ_RTC    8

/* Interrupts per IRQ, counted by the handlers; spurious IRQ7 / IRQ15 (no ISR bit) apart. */
extern volatile uint32_t pic_count[16];
extern volatile uint32_t pic_spurious7, pic_spurious15;

/* level.c: the ELCR, edge and level triggering through the UART's IRQ4, the spurious IRQ7 */
void pic_test_elcr(void);
void pic_test_level(void);

#endif
