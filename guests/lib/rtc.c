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

void rtc_periodic_start(uint8_t rate)
{
    rtc_write(RTC_REG_A, (uint8_t)(RTC_A_DV_32K | (rate & 0x0f)));
    rtc_write(RTC_REG_B, (uint8_t)(rtc_read(RTC_REG_B) | RTC_B_PIE));
    (void)rtc_read(RTC_REG_C);
}

void rtc_periodic_stop(void)
{
    rtc_write(RTC_REG_B, (uint8_t)(rtc_read(RTC_REG_B) & ~RTC_B_PIE));
    (void)rtc_read(RTC_REG_C);
}
