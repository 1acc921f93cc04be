/*
 * devices/rtc_clock.h - the clock fields of the virtual MC146818 (devices/rtc.h) and their
 * calendar: conversion to and from seconds since 1970-01-01 00:00:00 and the advance by whole
 * seconds that the chip's update cycle performs. Pure.
 */
#ifndef DEVICES_RTC_CLOCK_H
#define DEVICES_RTC_CLOCK_H

#include <stdint.h>

/* The clock's fields, binary: what registers 0, 2, 4, 6-9 and 0x32 show. Year = century * 100
 * + year; day of week 1-7 (Sunday = 1) is counted apart from the date, as on the chip. */
struct rtc_clock {
    uint8_t sec, min, hour, wday, mday, mon, year, century;
};

/* Floor division (b > 0): rounds towards minus infinity. */
int64_t rtc_floor_div(int64_t a, int64_t b);
/* Seconds since 1970 of the fields (the day of week aside); days beyond the month's last run
 * on into the next month (31 February is 2 or 3 March). */
int64_t rtc_clock_secs(const struct rtc_clock *c);
/* The date and time of s (not the day of week); years before 0 read as year 0. */
void rtc_clock_from_secs(struct rtc_clock *c, int64_t s);
/* n seconds later (n > 0; nothing otherwise): the date normalised, the day of week advanced by
 * the midnights passed, wrapping from 7 to 1 (MC146818A). Years wrap after 9999. */
void rtc_clock_add(struct rtc_clock *c, int64_t n);

#endif
