/* guests/lib/rtc.c - the RTC's registers and periodic interrupt in the test guests (rtc.h). */
#include "guests/lib/rtc.h"
#include "guests/lib/io.h"

#define RTC_A_DV_32K 0x20 /* divider bits 6:4 = 010: the 32.768 kHz time base */

uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg & 0x7f);
    return inb(RTC_DATA);
}

void rtc_write(uint8_t reg, uint8_t value)
{
    outb(RTC_INDEX, reg & 0x7f);
    outb(RTC_DATA, value);
}

/* PF is set at the periodic rate whatever PIE says (MC146818A datasheet, register C: "PF is
 * set to a 1 independent of the state of the PIE bit"; Bochs sets it only while PIE is 1): a
 * stale PF is read away before PIE is set, and register C is not read after it, so that every
 * rising edge of IRQ8 finds its flags still there in the handler (a read after PIE would clear
 * the flag of an edge the 8259 has already latched). Linux's rtc-cmos does the same. */
void rtc_periodic_start(uint8_t rate)
{
    (void)rtc_read(RTC_REG_C);
    rtc_write(RTC_REG_A, (uint8_t)(RTC_A_DV_32K | (rate & 0x0f)));
    rtc_write(RTC_REG_B, (uint8_t)(rtc_read(RTC_REG_B) | RTC_B_PIE));
}

void rtc_periodic_stop(void)
{
    rtc_write(RTC_REG_B, (uint8_t)(rtc_read(RTC_REG_B) & ~RTC_B_PIE));
    (void)rtc_read(RTC_REG_C);
}
