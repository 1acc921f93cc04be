/*
 * vmx/posted_intr.c - the posted-interrupt descriptor (see posted_intr.h; SDM 30.6).
 */
#include "vmx/posted_intr.h"

#include <string.h>

#define PI_NV_MASK   (0xffull << PI_NV_SHIFT)
#define PI_NDST_MASK (0xffffffffull << PI_NDST_SHIFT)

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Replaces the bits of mask in the control word with bits, atomically. */
static void control_update(struct pi_desc *d, uint64_t mask, uint64_t bits)
{
    uint64_t old = load(&d->control);
    while (!__atomic_compare_exchange_n(&d->control, &old, (old & ~mask) | bits, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

void pi_init(struct pi_desc *d, uint8_t nv, uint32_t apic_id, bool x2apic)
{
    memset(d, 0, sizeof(*d));
    pi_set_nv(d, nv);
    pi_set_ndst(d, apic_id, x2apic);
}

/* ON goes from 0 to 1 only while SN is 0, in one compare-and-exchange with the SN test. */
static bool set_on_unless_suppressed(struct pi_desc *d)
{
    uint64_t old = load(&d->control);
    do {
        if (old & (PI_ON | PI_SN))
            return false;
    } while (!__atomic_compare_exchange_n(&d->control, &old, old | PI_ON, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return true;
}

bool pi_post(struct pi_desc *d, uint8_t vector)
{
    __atomic_fetch_or(&d->pir[vector >> 6], 1ull << (vector & 63), __ATOMIC_ACQ_REL);
    return set_on_unless_suppressed(d);
}

bool pi_pending(const struct pi_desc *d)
{
    for (unsigned i = 0; i < 4; i++)
        if (load(&d->pir[i]))
            return true;
    return false;
}

int pi_harvest(struct pi_desc *d, uint32_t virr[8])
{
    int high = -1;
    /* SDM 30.6: ON is cleared first, so a post racing with the harvest notifies again. */
    __atomic_fetch_and(&d->control, ~PI_ON, __ATOMIC_ACQ_REL);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t w = __atomic_exchange_n(&d->pir[i], 0, __ATOMIC_ACQ_REL);
        if (!w)
            continue;
        virr[2 * i] |= (uint32_t)w;
        virr[2 * i + 1] |= (uint32_t)(w >> 32);
        high = (int)(i * 64 + 63 - (unsigned)__builtin_clzll(w));
    }
    return high;
}

bool pi_on(const struct pi_desc *d)
{
    return load(&d->control) & PI_ON;
}

bool pi_sn(const struct pi_desc *d)
{
    return load(&d->control) & PI_SN;
}

void pi_suppress(struct pi_desc *d)
{
    __atomic_fetch_or(&d->control, PI_SN, __ATOMIC_ACQ_REL);
}

bool pi_unsuppress(struct pi_desc *d)
{
    __atomic_fetch_and(&d->control, ~PI_SN, __ATOMIC_ACQ_REL);
    return pi_pending(d) && set_on_unless_suppressed(d);
}

uint8_t pi_nv(const struct pi_desc *d)
{
    return (uint8_t)(load(&d->control) >> PI_NV_SHIFT);
}

void pi_set_nv(struct pi_desc *d, uint8_t nv)
{
    control_update(d, PI_NV_MASK, (uint64_t)nv << PI_NV_SHIFT);
}

uint32_t pi_ndst(const struct pi_desc *d)
{
    return (uint32_t)(load(&d->control) >> PI_NDST_SHIFT);
}

void pi_set_ndst(struct pi_desc *d, uint32_t apic_id, bool x2apic)
{
    uint32_t ndst = x2apic ? apic_id : (apic_id & 0xff) << 8;
    control_update(d, PI_NDST_MASK, (uint64_t)ndst << PI_NDST_SHIFT);
}
