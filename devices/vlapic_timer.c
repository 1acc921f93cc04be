/*
 * devices/vlapic_timer.c - the APIC timer of the virtual local APIC (see vlapic.h): one-shot,
 * periodic and TSC-deadline modes (SDM 11.5.4, 11.5.4.1), driven by the guest TSC that the
 * caller passes in.
 *
 * Counting: the counter held tmr_anchor_count at TSC tmr_anchor_tsc and decrements once
 * every tmr_div input ticks; input ticks are clock.bus_ticks per clock.tsc_ticks TSC ticks.
 * Expiry n (n = 0, 1, ...) comes when anchor_count + n * initial decrements have happened,
 * i.e. every expiry time is computed from the anchor, so periodic expiries do not drift by
 * rounding. A write of the initial count or of the divide configuration (which keeps the
 * current count) sets a new anchor.
 */
#include "devices/vlapic_internal.h"

/* floor(a * b / c) for c != 0 without 128-bit division (the kernel has no libgcc):
 * a = q * c + r, so a * b / c = q * b + r * b / c, with r * b < 2^64 when b, c < 2^32.
 * UINT64_MAX when the result does not fit. */
static uint64_t muldiv(uint64_t a, uint32_t b, uint32_t c, bool round_up)
{
    uint64_t q = a / c, r = a % c, hi, lo = r * b;
    if (__builtin_mul_overflow(q, (uint64_t)b, &hi))
        return UINT64_MAX;
    uint64_t part = lo / c + (round_up && lo % c ? 1 : 0);
    uint64_t sum;
    if (__builtin_add_overflow(hi, part, &sum))
        return UINT64_MAX;
    return sum;
}

/* SDM 11.5.4, figure 11-10: bits 3, 1:0 select 2, 4, ..., 128; 111b is 1. */
static uint32_t divide_value(uint32_t tdcr)
{
    unsigned x = ((tdcr >> 1) & 4) | (tdcr & 3);
    return x == 7 ? 1 : 2u << x;
}

void vlapic_timer_reset(struct vlapic *v)
{
    v->tmr_mode = VLAPIC_TIMER_ONESHOT;
    v->tmr_armed = false;
    v->tmr_div = divide_value(0);
    v->tmr_initial = 0;
    v->tmr_anchor_count = 0;
    v->tmr_anchor_tsc = 0;
    v->tmr_next = 0;
    v->tsc_deadline = 0;
    v->tmr_missed = 0;
}

/* Decrements of the counter from the anchor to now_tsc (0 before the anchor). */
static uint64_t counts_since_anchor(const struct vlapic *v, uint64_t now_tsc)
{
    if (now_tsc <= v->tmr_anchor_tsc)
        return 0;
    uint64_t ticks =
        muldiv(now_tsc - v->tmr_anchor_tsc, v->clock.bus_ticks, v->clock.tsc_ticks, false);
    return ticks / v->tmr_div;
}

/* Absolute TSC of expiry n: the first TSC at which anchor_count + n * initial decrements
 * have happened. */
static uint64_t expiry_tsc(const struct vlapic *v, uint64_t n)
{
    uint64_t counts, ticks, delta, when;
    if (__builtin_mul_overflow(n, (uint64_t)v->tmr_initial, &counts) ||
        __builtin_add_overflow(counts, (uint64_t)v->tmr_anchor_count, &counts) ||
        __builtin_mul_overflow(counts, (uint64_t)v->tmr_div, &ticks))
        return UINT64_MAX;
    delta = muldiv(ticks, v->clock.tsc_ticks, v->clock.bus_ticks, true);
    if (__builtin_add_overflow(v->tmr_anchor_tsc, delta, &when))
        return UINT64_MAX;
    return when;
}

uint32_t vlapic_timer_current(const struct vlapic *v, uint64_t now_tsc)
{
    /* SDM 11.5.4.1: in TSC-deadline mode the current count always reads 0. */
    if (!v->tmr_armed || v->tmr_mode == VLAPIC_TIMER_TSCDEADLINE)
        return 0;
    uint64_t k = counts_since_anchor(v, now_tsc);
    if (k < v->tmr_anchor_count)
        return (uint32_t)(v->tmr_anchor_count - k);
    if (v->tmr_mode != VLAPIC_TIMER_PERIODIC)
        return 0; /* one-shot: expired (the advance has not run yet) */
    return v->tmr_initial - (uint32_t)((k - v->tmr_anchor_count) % v->tmr_initial);
}

uint64_t vlapic_timer_next(const struct vlapic *v)
{
    if (v->tmr_mode == VLAPIC_TIMER_TSCDEADLINE)
        return v->tsc_deadline ? v->tsc_deadline : UINT64_MAX;
    return v->tmr_armed ? expiry_tsc(v, v->tmr_next) : UINT64_MAX;
}

bool vlapic_timer_advance(struct vlapic *v, uint64_t now_tsc)
{
    if (v->tmr_mode == VLAPIC_TIMER_TSCDEADLINE) {
        if (!v->tsc_deadline || now_tsc < v->tsc_deadline)
            return false;
        /* SDM 11.5.4.1: the timer disarms itself and clears IA32_TSC_DEADLINE. */
        v->tsc_deadline = 0;
        return vlapic_deliver_lvt(v, VLAPIC_REG_LVT_TIMER);
    }
    if (!v->tmr_armed || now_tsc < expiry_tsc(v, v->tmr_next))
        return false;
    if (v->tmr_mode == VLAPIC_TIMER_PERIODIC) {
        /* Re-arm on the original grid: the next expiry is the first one after now_tsc.
         * Expiries missed by a late call give one interrupt (IRR holds one per vector). */
        uint64_t k = counts_since_anchor(v, now_tsc);
        uint64_t due = k > v->tmr_anchor_count ? (k - v->tmr_anchor_count) / v->tmr_initial : 0;
        if (due < v->tmr_next)
            due = v->tmr_next;
        v->tmr_missed += due - v->tmr_next;
        v->tmr_next = due + 1;
    } else {
        v->tmr_armed = false; /* one-shot */
    }
    return vlapic_deliver_lvt(v, VLAPIC_REG_LVT_TIMER);
}

/* SDM 11.5.4.1: "A write to the LVT Timer Register that changes the timer mode disarms the
 * local APIC timer." Mode 3 is reserved: the timer stays idle in it. */
void vlapic_timer_lvt_changed(struct vlapic *v, uint32_t lvt)
{
    uint8_t mode = (uint8_t)((lvt & VLAPIC_LVT_TIMER_MASK) >> VLAPIC_LVT_TIMER_SHIFT);
    if (mode == v->tmr_mode)
        return;
    v->tmr_mode = mode;
    v->tmr_armed = false;
    v->tsc_deadline = 0;
}

/* SDM 11.5.4: writing the initial count starts counting from it; 0 stops the timer. */
void vlapic_timer_set_initial(struct vlapic *v, uint32_t count, uint64_t now_tsc)
{
    if (v->tmr_mode == VLAPIC_TIMER_TSCDEADLINE) {
        reg_set(v, VLAPIC_REG_TMICT, v->tmr_initial); /* ignored (SDM 11.5.4.1) */
        return;
    }
    vlapic_timer_advance(v, now_tsc);
    reg_set(v, VLAPIC_REG_TMICT, count);
    v->tmr_initial = count;
    v->tmr_armed = count && v->tmr_mode <= VLAPIC_TIMER_PERIODIC;
    v->tmr_anchor_tsc = now_tsc;
    v->tmr_anchor_count = count;
    v->tmr_next = 0;
}

/* A new divide value applies from now on; the count reached so far is kept. */
void vlapic_timer_set_divide(struct vlapic *v, uint32_t tdcr, uint64_t now_tsc)
{
    uint32_t div = divide_value(tdcr);
    reg_set(v, VLAPIC_REG_TDCR, tdcr & TDCR_BITS);
    if (div == v->tmr_div)
        return;
    vlapic_timer_advance(v, now_tsc);
    if (v->tmr_armed) {
        uint32_t current = vlapic_timer_current(v, now_tsc);
        v->tmr_anchor_tsc = now_tsc;
        v->tmr_anchor_count = current;
        v->tmr_next = 0;
    }
    v->tmr_div = div;
}

/* SDM 11.5.4.1: IA32_TSC_DEADLINE reads 0 and ignores writes in the other timer modes. */
uint64_t vlapic_tsc_deadline(const struct vlapic *v)
{
    return v->tmr_mode == VLAPIC_TIMER_TSCDEADLINE ? v->tsc_deadline : 0;
}

void vlapic_set_tsc_deadline(struct vlapic *v, uint64_t value, uint64_t now_tsc)
{
    if (v->tmr_mode != VLAPIC_TIMER_TSCDEADLINE)
        return;
    vlapic_timer_advance(v, now_tsc); /* a deadline already passed fires before the new one */
    v->tsc_deadline = value;          /* 0 disarms */
}
