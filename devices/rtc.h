/*
 * devices/rtc.h - a virtual Motorola MC146818 real-time clock with the 128 bytes of CMOS RAM of
 * a PC: index port 0x70 (bit 7 of the index write disables NMIs on a PC, which the board reads
 * with rtc_nmi_disabled), data port 0x71, IRQ8. Pure.
 *
 * Modelled (MC146818A datasheet): the time and calendar registers 0-9 in BCD or binary (DM) and
 * 24- or 12-hour mode (bit 7 of the hours is PM), the century at 0x32 (PC/AT convention, same
 * encoding, kept with the clock as QEMU does); register A (UIP set for the 244 us before each
 * update, divider DV: only 010 runs the clock, 11x holds it in reset and the first update comes
 * 500 ms after it is released, rate select RS); register B (SET stops updates and clears UIE,
 * PIE, AIE, UIE, SQWE, DM, 24/12, DSE stored); register C (IRQF, PF, AF, UF; reading it clears
 * them and drops IRQ8); register D (VRT = 1). The flags are set whether enabled or not: PF at
 * the RS rate (taps of the 32.768 kHz divider chain, aligned to the second), UF at each update,
 * AF at an update whose new time matches the alarm bytes (0xC0-0xFF: don't care); IRQ8 is
 * IRQF, the OR of the enabled flags, held until register C is read.
 * Time: the board gives the wall-clock seconds since 1970 at VM start; the clock then advances
 * with the VM's virtual time (now_ns, monotonic; earlier values count as the latest), one
 * update per second, the first a second after init. Guest writes change it (while SET is 1, or
 * at any time, as on the chip). The model never reads a clock; it offers rtc_next_event and
 * rtc_advance for the timer engine, which tell when IRQ8 next rises and bring the flags to now.
 * Values the guest writes are decoded in the current DM/12-24 mode and clamped to the
 * register's range (the chip would count on from nonsense in undefined ways); after the next
 * update a date like 31 February has become 3 March. The time registers are rendered from the
 * clock on each read, so changing DM or 12/24 takes effect at once (the chip would need the
 * time rewritten); the alarm bytes are kept as written and compared byte for byte.
 * Not modelled: daylight saving (DSE), the square-wave pin, the 4.194304 and 1.048576 MHz time
 * bases (DV 000, 001 stop the clock like a reset), the extended CMOS bank (ports 0x72/0x73).
 */
#ifndef DEVICES_RTC_H
#define DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/rtc_clock.h"

#define RTC_PORT_INDEX  0x70
#define RTC_PORT_DATA   0x71
#define RTC_CMOS_SIZE   128
#define RTC_NMI_DISABLE 0x80 /* bit 7 of an index write */

enum rtc_reg {
    RTC_SECONDS = 0x00,
    RTC_SECONDS_ALARM = 0x01,
    RTC_MINUTES = 0x02,
    RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04,
    RTC_HOURS_ALARM = 0x05,
    RTC_DAY_OF_WEEK = 0x06, /* 1-7, Sunday = 1 */
    RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08,
    RTC_YEAR = 0x09,
    RTC_REG_A = 0x0a,
    RTC_REG_B = 0x0b,
    RTC_REG_C = 0x0c,
    RTC_REG_D = 0x0d,
    RTC_CENTURY = 0x32,
};

#define RTC_A_UIP   0x80
#define RTC_A_DV    0x70
#define RTC_A_DV_ON 0x20 /* 010: 32.768 kHz time base, running */
#define RTC_A_RS    0x0f

#define RTC_B_SET  0x80
#define RTC_B_PIE  0x40
#define RTC_B_AIE  0x20
#define RTC_B_UIE  0x10
#define RTC_B_SQWE 0x08
#define RTC_B_DM   0x04 /* 1: binary, 0: BCD */
#define RTC_B_24H  0x02
#define RTC_B_DSE  0x01

#define RTC_C_IRQF 0x80
#define RTC_C_PF   0x40
#define RTC_C_AF   0x20
#define RTC_C_UF   0x10

#define RTC_D_VRT 0x80

#define RTC_ALARM_DONT_CARE 0xc0 /* an alarm byte with both top bits set matches anything */

/* The PC's CMOS layout that firmware reads (IBM PC/AT; the memory bytes as Bochs, QEMU and
 * SeaBIOS use them). */
#define RTC_CMOS_EQUIPMENT 0x14 /* equipment byte */
#define RTC_CMOS_BASE_MEM  0x15 /* KiB below 1 MiB (640), 16 bits */
#define RTC_CMOS_EXT_MEM   0x17 /* KiB from 1 MiB, 16 bits (at most 0xffff) */
#define RTC_CMOS_CHECKSUM  0x2e /* 16-bit sum of 0x10-0x2d, high byte first */
#define RTC_CMOS_EXT_MEM2  0x30 /* the same as 0x17 */
#define RTC_CMOS_MEM_16M   0x34 /* 64 KiB units from 16 MiB to 4 GiB, 16 bits */
#define RTC_CMOS_MEM_4G    0x5b /* 64 KiB units above 4 GiB, 24 bits */

struct rtc {
    uint8_t cmos[RTC_CMOS_SIZE]; /* RAM; also the alarm bytes, registers A (DV, RS) and B */
    uint8_t index;
    bool nmi_disabled;
    uint8_t flags;          /* register C: PF, AF, UF */
    bool irq;               /* IRQ8 (IRQF) as last reported */
    struct rtc_clock clock; /* the time at `since` */
    int64_t since;          /* ns */
    int64_t phase;          /* updates happen at phase + k * 1e9 ns */
    int64_t synced;         /* the flags are brought up to this time */
    void (*irq8)(void *ctx, bool level);
    void *ctx;
};

/* The RTC at now_ns showing epoch_seconds (seconds since 1970-01-01 00:00:00 in the time zone
 * the guest expects, usually UTC), register A 0x26 and B 0x02 (32.768 kHz, 1024 Hz rate, 24-hour
 * BCD, as a PC BIOS leaves them), D with VRT, CMOS RAM zero. irq8 (may be NULL) gets IRQ8 on
 * every change; init calls nothing. */
void rtc_init(struct rtc *r, int64_t epoch_seconds, uint64_t now_ns,
              void (*irq8)(void *ctx, bool level), void *ctx);
/* A guest's port access at now_ns; false when port is not 0x70 or 0x71. Accesses wider than a
 * byte reach the following ports in turn (a word write to 0x70 sets the index, then writes the
 * data); bytes on other ports read 0xff and are not written. Port 0x70 reads 0xff. */
bool rtc_io(struct rtc *r, uint16_t port, unsigned size, bool in, uint32_t *value, uint64_t now_ns);
/* When IRQ8 rises next (absolute ns), now_ns if that is already due, UINT64_MAX when it will
 * not without a port access (e.g. it is high, waiting for register C to be read). */
uint64_t rtc_next_event(const struct rtc *r, uint64_t now_ns);
/* Brings the flags to now_ns and reports IRQ8 changes. */
void rtc_advance(struct rtc *r, uint64_t now_ns);
/* Bit 7 of the last index write: the PC's NMI mask. */
bool rtc_nmi_disabled(const struct rtc *r);
/* IRQ8 (IRQF) as last reported. */
bool rtc_irq(const struct rtc *r);
/* The clock at now_ns, without side effects. */
struct rtc_clock rtc_time(const struct rtc *r, uint64_t now_ns);

/* For the board: a CMOS RAM byte (0x0e-0x7f, not the century 0x32); false for others. */
bool rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value);
/* The memory-size bytes from the RAM below and above 4 GiB (bytes): 0x15-0x18, 0x30-0x31,
 * 0x34-0x35, 0x5b-0x5d, each saturated at its width. */
void rtc_cmos_set_memory(struct rtc *r, uint64_t below_4g, uint64_t above_4g);
/* The checksum of 0x10-0x2d into 0x2e (high) and 0x2f (low); call after the last change. */
void rtc_cmos_checksum(struct rtc *r);

#endif
