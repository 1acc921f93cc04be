/*
 * guests/lib/rtc.h - the MC146818 RTC of a PC in the test guests: index port 0x70 (bit 7 is
 * the chipset's NMI mask, kept 0 here: NMIs enabled), data port 0x71; the periodic interrupt
 * on IRQ8 (MC146818 datasheet: register A rate select, register B PIE, register C flags, read
 * to acknowledge).
 */
#ifndef GUEST_RTC_H
#define GUEST_RTC_H

#include <stdint.h>

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d

#define RTC_B_PIE  0x40 /* periodic interrupt enable */
#define RTC_C_IRQF 0x80 /* an enabled interrupt flag is set: IRQ8 asserted */
#define RTC_C_PF   0x40 /* periodic flag */

#define RTC_RATE_1024HZ 6 /* 32768 >> (rate - 1) Hz, rate 3-15 */

uint8_t rtc_read(uint8_t reg);
void rtc_write(uint8_t reg, uint8_t value);
/* Register A rate (with the 32.768 kHz divider), PIE set, register C read (acknowledged). */
void rtc_periodic_start(uint8_t rate);
/* PIE cleared, register C read: IRQ8 low. */
void rtc_periodic_stop(void);

#endif
