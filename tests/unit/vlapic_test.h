/*
 * tests/unit/vlapic_test.h - a virtual local APIC on a test page, with ops that record what
 * the model asked for (host only; included by the test_vlapic*.c files).
 */
#ifndef TESTS_UNIT_VLAPIC_TEST_H
#define TESTS_UNIT_VLAPIC_TEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "devices/vlapic.h"

#define T_MAX_IPIS 16

struct t_record {
    struct vlapic_ipi ipis[T_MAX_IPIS];
    unsigned nipis;
    uint8_t eois[T_MAX_IPIS];
    unsigned neois;
    unsigned extints;
    unsigned nmis;
};

static struct t_record rec;
static struct vlapic v;
static uint32_t page[VLAPIC_PAGE_SIZE / 4] __attribute__((aligned(4096)));

static inline void t_send_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
    (void)ctx;
    if (rec.nipis < T_MAX_IPIS)
        rec.ipis[rec.nipis] = *ipi;
    rec.nipis++;
}

static inline void t_eoi(void *ctx, uint8_t vector)
{
    (void)ctx;
    if (rec.neois < T_MAX_IPIS)
        rec.eois[rec.neois] = vector;
    rec.neois++;
}

static inline void t_extint(void *ctx)
{
    (void)ctx;
    rec.extints++;
}

static inline void t_nmi(void *ctx)
{
    (void)ctx;
    rec.nmis++;
}

static const struct vlapic_ops t_ops = {
    .send_ipi = t_send_ipi,
    .eoi_broadcast = t_eoi,
    .extint = t_extint,
    .nmi = t_nmi,
};

/* APIC ID 3, BSP, timer input at a quarter of the TSC. */
static inline void t_setup_id(uint32_t id, bool bsp)
{
    memset(&rec, 0, sizeof(rec));
    memset(page, 0xa5, sizeof(page)); /* init must clear the page */
    struct vlapic_config cfg = {
        .apic_id = id, .bsp = bsp, .clock = {.tsc_ticks = 4, .bus_ticks = 1}};
    cr_assert_eq(vlapic_init(&v, page, &cfg, &t_ops, NULL), VLAPIC_OK);
}

static inline void t_setup(void)
{
    t_setup_id(3, true);
}

static inline uint32_t rd(unsigned offset)
{
    uint32_t value = 0xdeadbeef;
    cr_assert_eq(vlapic_mmio_read(&v, offset, 4, 0, &value), VLAPIC_OK, "read 0x%x", offset);
    return value;
}

static inline void wr(unsigned offset, uint32_t value)
{
    cr_assert_eq(vlapic_mmio_write(&v, offset, 4, value, 0), VLAPIC_OK, "write 0x%x", offset);
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint64_t value = 0xdeadbeef;
    cr_assert_eq(vlapic_msr_read(&v, msr, 0, &value), VLAPIC_OK, "RDMSR 0x%x: %s", msr,
                 vlapic_message(&v));
    return value;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
    cr_assert_eq(vlapic_msr_write(&v, msr, value, 0), VLAPIC_OK, "WRMSR 0x%x: %s", msr,
                 vlapic_message(&v));
}

/* Software-enables the APIC as Linux does (SVR: enable | spurious vector 0xff). */
static inline void t_enable(void)
{
    wr(VLAPIC_REG_SVR, VLAPIC_SVR_ENABLE | 0xff);
}

static inline void t_to_x2apic(void)
{
    wrmsr(VLAPIC_MSR_APIC_BASE, rdmsr(VLAPIC_MSR_APIC_BASE) | VLAPIC_BASE_EXTD);
}

/* The ESR as software reads it: write, then read (SDM 11.5.3). */
static inline uint32_t t_esr(void)
{
    wr(VLAPIC_REG_ESR, 0);
    return rd(VLAPIC_REG_ESR);
}

static inline bool t_irr(unsigned vector)
{
    return (vlapic_reg_raw(&v, VLAPIC_REG_IRR + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

static inline bool t_tmr(unsigned vector)
{
    return (vlapic_reg_raw(&v, VLAPIC_REG_TMR + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

#endif
