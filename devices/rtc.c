/*
 * devices/rtc.c - the virtual MC146818 RTC and CMOS (see rtc.h). Registers from the Motorola
 * MC146818A data sheet (register A-D descriptions, update cycle, periodic rates of the
 * 32.768 kHz time base); the UIP window of 8 cycles of 32.768 kHz (244 us) as QEMU's
 * hw/rtc/mc146818rtc.c; the CMOS memory bytes from QEMU's hw/i386/pc.c (pc_cmos_init).
 */
#include "devices/rtc.h"
#include <string.h>

#define NS_PER_S     1000000000ll
#define RTC_HZ       32768 /* the divider chain's input */
#define UIP_CYCLES   8     /* UIP is set this many 32.768 kHz cycles before an update */
#define SECS_PER_DAY 86400

static bool rtc_running(const struct rtc *r)
{
    return (r->cmos[RTC_REG_A] & RTC_A_DV) == RTC_A_DV_ON;
}

static bool rtc_ticking(const struct rtc *r) /* updates happen */
{
    return rtc_running(r) && !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

static int64_t rtc_now(const struct rtc *r, uint64_t now_ns)
{
    int64_t t = now_ns > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)now_ns;
    return t < r->synced ? r->synced : t;
}

/* The last update time at or before t, and the next one after it. */
static int64_t second_start(const struct rtc *r, int64_t t)
{
    return r->phase + rtc_floor_div(t - r->phase, NS_PER_S) * NS_PER_S;
}

static int64_t updates_between(const struct rtc *r, int64_t a, int64_t b) /* in (a, b] */
{
    return rtc_floor_div(b - r->phase, NS_PER_S) - rtc_floor_div(a - r->phase, NS_PER_S);
}

static struct rtc_clock rtc_clock_at(const struct rtc *r, int64_t t)
{
    struct rtc_clock c = r->clock;
    if (rtc_ticking(r) && t > r->since)
        rtc_clock_add(&c, updates_between(r, r->since, t));
    return c;
}

struct rtc_clock rtc_time(const struct rtc *r, uint64_t now_ns)
{
    return rtc_clock_at(r, rtc_now(r, now_ns));
}

/* Take the clock as it is at t as the new base (before a change of what makes it run). */
static void rtc_rebase(struct rtc *r, int64_t t)
{
    r->clock = rtc_clock_at(r, t);
    r->since = t;
}

/* 32.768 kHz cycles between two periodic flags (MC146818A table "Periodic Interrupt Rate"):
 * RS 1 and 2 give 256 and 128 Hz like RS 8 and 9; 0 is off. */
static int64_t rtc_period_cycles(const struct rtc *r)
{
    unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS;
    if (rs == 0)
        return 0;
    if (rs <= 2)
        rs += 7;
    return 1ll << (rs - 1);
}

/* The first periodic flag after t. */
static int64_t rtc_next_periodic(const struct rtc *r, int64_t t)
{
    int64_t p = rtc_period_cycles(r);
    int64_t g = second_start(r, t);
    int64_t cycle = (t - g) * RTC_HZ / NS_PER_S;
    int64_t next = (cycle / p + 1) * p;
    return g + (next * NS_PER_S + RTC_HZ - 1) / RTC_HZ;
}

static uint8_t rtc_encode(const struct rtc *r, unsigned v)
{
    if (r->cmos[RTC_REG_B] & RTC_B_DM)
        return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t rtc_encode_hour(const struct rtc *r, unsigned h)
{
    if (r->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_encode(r, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(rtc_encode(r, h12) | (h >= 12 ? 0x80 : 0));
}

/* A written byte in the current mode, clamped to lo..hi. */
static uint8_t rtc_decode(const struct rtc *r, uint8_t v, unsigned lo, unsigned hi)
{
    unsigned x = (r->cmos[RTC_REG_B] & RTC_B_DM) ? v : (v >> 4) * 10u + (v & 0x0f);
    return (uint8_t)(x < lo ? lo : x > hi ? hi : x);
}

static uint8_t rtc_decode_hour(const struct rtc *r, uint8_t v)
{
    if (r->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_decode(r, v, 0, 23);
    unsigned h = rtc_decode(r, v & 0x7f, 1, 12) % 12; /* 12 AM is 0 */
    return (uint8_t)(h + ((v & 0x80) ? 12 : 0));
}

/* Which value (0..limit-1) an alarm byte asks for: -1 any, -2 none can match. */
static int alarm_value(const struct rtc *r, unsigned reg, int limit)
{
    uint8_t a = r->cmos[reg];
    if ((a & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
        return -1;
    for (int v = 0; v < limit; v++)
        if ((reg == RTC_HOURS_ALARM ? rtc_encode_hour(r, (unsigned)v)
                                    : rtc_encode(r, (unsigned)v)) == a)
            return v;
    return -2;
}

static int next_value(int want, int from, int limit) /* the first value >= from wanted, or -1 */
{
    if (want == -1)
        return from < limit ? from : -1;
    return want >= from ? want : -1;
}

/* The first second of the day at or after sod that the alarm matches, or -1. */
static int64_t alarm_next_sod(const struct rtc *r, int64_t sod)
{
    int hv = alarm_value(r, RTC_HOURS_ALARM, 24), mv = alarm_value(r, RTC_MINUTES_ALARM, 60);
    int sv = alarm_value(r, RTC_SECONDS_ALARM, 60);
    if (hv == -2 || mv == -2 || sv == -2)
        return -1;
    int fh = (int)(sod / 3600), fm = (int)(sod / 60 % 60), fs = (int)(sod % 60);
    for (int h = fh; h < 24; h++) {
        if (hv >= 0 && h != hv)
            continue;
        int m = next_value(mv, h == fh ? fm : 0, 60);
        if (m < 0)
            continue;
        int s = next_value(sv, h == fh && m == fm ? fs : 0, 60);
        if (s < 0) {
            m = next_value(mv, m + 1, 60);
            if (m < 0)
                continue;
            s = next_value(sv, 0, 60);
        }
        return h * 3600 + m * 60 + s;
    }
    return -1;
}

/* The first update after t whose new time matches the alarm (MC146818A: at each update the
 * three alarm bytes are compared with the time), or INT64_MAX. */
static int64_t rtc_next_alarm(const struct rtc *r, int64_t t)
{
    struct rtc_clock c = rtc_clock_at(r, t);
    int64_t first = rtc_clock_secs(&c) + 1; /* the time the next update shows */
    int64_t sod = first - rtc_floor_div(first, SECS_PER_DAY) * SECS_PER_DAY;
    int64_t hit = alarm_next_sod(r, sod), wait;
    if (hit >= 0) {
        wait = hit - sod;
    } else {
        hit = alarm_next_sod(r, 0);
        if (hit < 0)
            return INT64_MAX;
        wait = SECS_PER_DAY - sod + hit;
    }
    return second_start(r, t) + NS_PER_S + wait * NS_PER_S;
}

static void rtc_update_irq(struct rtc *r)
{
    uint8_t enabled = r->cmos[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
    bool level = (r->flags & enabled) != 0; /* the flags line up with their enables */
    if (level != r->irq) {
        r->irq = level;
        if (r->irq8)
            r->irq8(r->ctx, level);
    }
}

/* Sets the flags of what happened in (synced, t]. */
static void rtc_sync(struct rtc *r, int64_t t)
{
    if (t > r->synced && rtc_running(r)) {
        if (rtc_period_cycles(r) && rtc_next_periodic(r, r->synced) <= t)
            r->flags |= RTC_C_PF;
        /* The alarm is compared only at an update (MC146818A: "the alarm bytes are compared
         * at each update cycle"): without one in (synced, t] it cannot have matched, and the
         * costly search for the next match is left out (the board syncs at every VM exit). */
        if (rtc_ticking(r) && updates_between(r, r->synced, t) > 0) {
            r->flags |= RTC_C_UF;
            if (rtc_next_alarm(r, r->synced) <= t)
                r->flags |= RTC_C_AF;
        }
    }
    if (t > r->synced)
        r->synced = t;
    rtc_update_irq(r);
}

void rtc_advance(struct rtc *r, uint64_t now_ns)
{
    rtc_sync(r, rtc_now(r, now_ns));
}

uint64_t rtc_next_event(const struct rtc *r, uint64_t now_ns)
{
    if (r->irq || !rtc_running(r))
        return UINT64_MAX;
    uint8_t b = r->cmos[RTC_REG_B];
    int64_t t = r->synced, next = INT64_MAX;
    if ((b & RTC_B_PIE) && rtc_period_cycles(r))
        next = rtc_next_periodic(r, t);
    if ((b & RTC_B_UIE) && rtc_ticking(r) && second_start(r, t) + NS_PER_S < next)
        next = second_start(r, t) + NS_PER_S;
    if ((b & RTC_B_AIE) && rtc_ticking(r)) {
        int64_t alarm = rtc_next_alarm(r, t);
        next = alarm < next ? alarm : next;
    }
    if (next == INT64_MAX)
        return UINT64_MAX;
    return (uint64_t)next < now_ns ? now_ns : (uint64_t)next;
}

static bool rtc_uip(const struct rtc *r, int64_t t)
{
    if (!rtc_ticking(r))
        return false;
    int64_t cycle = (t - second_start(r, t)) * RTC_HZ / NS_PER_S;
    return cycle >= RTC_HZ - UIP_CYCLES;
}

static uint8_t rtc_read(struct rtc *r, int64_t t)
{
    unsigned i = r->index;
    struct rtc_clock c;
    uint8_t v;
    switch (i) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        c = rtc_clock_at(r, t);
        if (i == RTC_HOURS)
            return rtc_encode_hour(r, c.hour);
        return rtc_encode(r, i == RTC_SECONDS        ? c.sec
                             : i == RTC_MINUTES      ? c.min
                             : i == RTC_DAY_OF_WEEK  ? c.wday
                             : i == RTC_DAY_OF_MONTH ? c.mday
                             : i == RTC_MONTH        ? c.mon
                             : i == RTC_YEAR         ? c.year
                                                     : c.century);
    case RTC_REG_A:
        return (uint8_t)((r->cmos[i] & ~RTC_A_UIP) | (rtc_uip(r, t) ? RTC_A_UIP : 0));
    case RTC_REG_C: /* reading clears the flags and drops IRQ8 */
        v = (uint8_t)(r->flags | (r->irq ? RTC_C_IRQF : 0));
        r->flags = 0;
        rtc_update_irq(r);
        return v;
    case RTC_REG_D:
        return RTC_D_VRT; /* the battery is good */
    default:
        return r->cmos[i];
    }
}

static void rtc_write_time(struct rtc *r, unsigned i, uint8_t v, int64_t t)
{
    rtc_rebase(r, t);
    struct rtc_clock *c = &r->clock;
    switch (i) {
    case RTC_SECONDS:
        c->sec = rtc_decode(r, v, 0, 59);
        break;
    case RTC_MINUTES:
        c->min = rtc_decode(r, v, 0, 59);
        break;
    case RTC_HOURS:
        c->hour = rtc_decode_hour(r, v);
        break;
    case RTC_DAY_OF_WEEK:
        c->wday = rtc_decode(r, v, 1, 7);
        break;
    case RTC_DAY_OF_MONTH:
        c->mday = rtc_decode(r, v, 1, 31);
        break;
    case RTC_MONTH:
        c->mon = rtc_decode(r, v, 1, 12);
        break;
    case RTC_YEAR:
        c->year = rtc_decode(r, v, 0, 99);
        break;
    default:
        c->century = rtc_decode(r, v, 0, 99);
        break;
    }
}

static void rtc_write_a(struct rtc *r, uint8_t v, int64_t t)
{
    bool was = rtc_running(r);
    rtc_rebase(r, t);
    r->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
    if (!was && rtc_running(r)) /* out of reset: the first update 500 ms later */
        r->phase = (t + NS_PER_S / 2) % NS_PER_S;
}

static void rtc_write_b(struct rtc *r, uint8_t v, int64_t t)
{
    rtc_rebase(r, t); /* SET going to 1 freezes the clock, going to 0 lets it run from here */
    if (v & RTC_B_SET)
        v &= ~RTC_B_UIE; /* MC146818A: SET clears UIE */
    r->cmos[RTC_REG_B] = v;
    rtc_update_irq(r);
}

static void rtc_write(struct rtc *r, uint8_t v, int64_t t)
{
    unsigned i = r->index;
    switch (i) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        rtc_write_time(r, i, v, t);
        return;
    case RTC_REG_A:
        rtc_write_a(r, v, t);
        return;
    case RTC_REG_B:
        rtc_write_b(r, v, t);
        return;
    case RTC_REG_C:
    case RTC_REG_D:
        return; /* read-only */
    default:
        r->cmos[i] = v; /* the alarm bytes and RAM */
        return;
    }
}

bool rtc_io(struct rtc *r, uint16_t port, unsigned size, bool in, uint32_t *value, uint64_t now_ns)
{
    if (port != RTC_PORT_INDEX && port != RTC_PORT_DATA)
        return false;
    int64_t t = rtc_now(r, now_ns);
    rtc_sync(r, t);
    uint32_t result = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned at = port + i;
        if (in) { /* the index port is write-only */
            uint8_t byte = at == RTC_PORT_DATA ? rtc_read(r, t) : 0xff;
            result |= (uint32_t)byte << (8 * i);
            continue;
        }
        uint8_t byte = (uint8_t)(*value >> (8 * i));
        if (at == RTC_PORT_DATA) {
            rtc_write(r, byte, t);
        } else if (at == RTC_PORT_INDEX) {
            r->index = byte & 0x7f;
            r->nmi_disabled = byte & RTC_NMI_DISABLE;
        }
    }
    if (in)
        *value = result;
    return true;
}

bool rtc_nmi_disabled(const struct rtc *r)
{
    return r->nmi_disabled;
}

bool rtc_irq(const struct rtc *r)
{
    return r->irq;
}

void rtc_init(struct rtc *r, int64_t epoch_seconds, uint64_t now_ns,
              void (*irq8)(void *ctx, bool level), void *ctx)
{
    memset(r, 0, sizeof *r);
    r->irq8 = irq8;
    r->ctx = ctx;
    int64_t t = now_ns > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)now_ns;
    r->since = t;
    r->synced = t;
    r->phase = t % NS_PER_S;
    r->cmos[RTC_REG_A] = RTC_A_DV_ON | 0x06;
    r->cmos[RTC_REG_B] = RTC_B_24H;
    rtc_clock_from_secs(&r->clock, epoch_seconds < 0 ? 0 : epoch_seconds);
    int64_t days = rtc_floor_div(epoch_seconds < 0 ? 0 : epoch_seconds, SECS_PER_DAY);
    r->clock.wday = (uint8_t)((days + 4) % 7 + 1); /* 1970-01-01 was a Thursday (5) */
}

bool rtc_cmos_set(struct rtc *r, unsigned index, uint8_t value)
{
    if (index <= RTC_REG_D || index >= RTC_CMOS_SIZE || index == RTC_CENTURY)
        return false;
    r->cmos[index] = value;
    return true;
}

static void rtc_cmos_put(struct rtc *r, unsigned index, uint64_t value, unsigned bytes)
{
    uint64_t max = (1ull << (8 * bytes)) - 1;
    value = value > max ? max : value;
    for (unsigned i = 0; i < bytes; i++)
        r->cmos[index + i] = (uint8_t)(value >> (8 * i));
}

void rtc_cmos_set_memory(struct rtc *r, uint64_t below_4g, uint64_t above_4g)
{
    const uint64_t kib = 1024, mib = 1024 * kib;
    uint64_t base = below_4g / kib;
    rtc_cmos_put(r, RTC_CMOS_BASE_MEM, base > 640 ? 640 : base, 2);
    uint64_t ext = below_4g > mib ? (below_4g - mib) / kib : 0;
    rtc_cmos_put(r, RTC_CMOS_EXT_MEM, ext, 2);
    rtc_cmos_put(r, RTC_CMOS_EXT_MEM2, ext, 2);
    rtc_cmos_put(r, RTC_CMOS_MEM_16M, below_4g > 16 * mib ? (below_4g - 16 * mib) / (64 * kib) : 0,
                 2);
    rtc_cmos_put(r, RTC_CMOS_MEM_4G, above_4g / (64 * kib), 3);
}

void rtc_cmos_checksum(struct rtc *r)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += r->cmos[i];
    r->cmos[RTC_CMOS_CHECKSUM] = (uint8_t)(sum >> 8);
    r->cmos[RTC_CMOS_CHECKSUM + 1] = (uint8_t)sum;
}
