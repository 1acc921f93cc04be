/* tests/unit/test_vlapic_inbox.c - interrupts posted from other CPUs (devices/vlapic_inbox.c) */
#include "vlapic_test.h"

static bool in_reg(unsigned base, unsigned vector)
{
    return (page[(base + (vector >> 5) * 0x10) >> 2] >> (vector & 31)) & 1;
}

Test(vlapic_inbox, post_leaves_the_page_alone)
{
    t_setup();
    t_enable();
    static uint32_t before[VLAPIC_PAGE_SIZE / 4];
    memcpy(before, page, sizeof(before));
    vlapic_post(&v, 0x40, false);
    vlapic_post(&v, 0xec, true);
    cr_assert_eq(memcmp(before, page, sizeof(before)), 0, "a post writes only the inbox");
    cr_assert_eq(vlapic_posted(&v), 2);
    cr_assert_eq(vlapic_highest_irr(&v), -1);
}

Test(vlapic_inbox, take_accepts_into_irr_with_the_trigger_mode)
{
    t_setup();
    t_enable();
    vlapic_post(&v, 0x40, false);
    vlapic_post(&v, 0xec, true);
    cr_assert_eq(vlapic_take_posted(&v), 2);
    cr_assert(in_reg(VLAPIC_REG_IRR, 0x40));
    cr_assert(in_reg(VLAPIC_REG_IRR, 0xec));
    cr_assert(in_reg(VLAPIC_REG_TMR, 0xec), "level: TMR set (SDM 11.8.4)");
    cr_assert_not(in_reg(VLAPIC_REG_TMR, 0x40));
    cr_assert_eq(vlapic_posted(&v), 0);
    cr_assert_eq(vlapic_take_posted(&v), 0, "taken once");
}

Test(vlapic_inbox, bits_the_cpu_set_meanwhile_stay)
{
    t_setup();
    t_enable();
    vlapic_post(&v, 0xfd, false);
    /* While the post waited, the CPU virtualized a self-IPI into VIRR (SDM 30.5) in the same
     * word and delivered another vector (VIRR -> VISR). */
    page[(VLAPIC_REG_IRR + 7 * 0x10) >> 2] |= 1u << (0xf6 & 31);
    page[(VLAPIC_REG_ISR + 7 * 0x10) >> 2] |= 1u << (0xec & 31);
    cr_assert_eq(vlapic_take_posted(&v), 1);
    cr_assert(in_reg(VLAPIC_REG_IRR, 0xf6), "the CPU's self-IPI is kept");
    cr_assert(in_reg(VLAPIC_REG_IRR, 0xfd));
    cr_assert_not(in_reg(VLAPIC_REG_IRR, 0xec), "a delivered vector is not raised again");
}

Test(vlapic_inbox, same_vector_twice_is_one_interrupt_with_the_last_trigger)
{
    t_setup();
    t_enable();
    vlapic_post(&v, 0x61, true);
    vlapic_post(&v, 0x61, false);
    cr_assert_eq(vlapic_posted(&v), 1);
    cr_assert_eq(vlapic_take_posted(&v), 1);
    cr_assert(in_reg(VLAPIC_REG_IRR, 0x61));
    cr_assert_not(in_reg(VLAPIC_REG_TMR, 0x61), "the last post was edge");
}

Test(vlapic_inbox, take_applies_the_rules_of_accept)
{
    t_setup(); /* software-disabled after reset: SVR 0xFF (SDM 11.4.7.2) */
    vlapic_post(&v, 0x40, false);
    cr_assert_eq(vlapic_take_posted(&v), 1);
    cr_assert_not(in_reg(VLAPIC_REG_IRR, 0x40), "a software-disabled APIC takes nothing");
    t_enable();
    vlapic_post(&v, 0x05, false);
    vlapic_take_posted(&v);
    cr_assert_not(in_reg(VLAPIC_REG_IRR, 0x05));
    cr_assert_eq(t_esr() & VLAPIC_ESR_RECV_ILLEGAL_VECTOR, VLAPIC_ESR_RECV_ILLEGAL_VECTOR,
                 "illegal vector: ESR (SDM 11.5.2)");
}

Test(vlapic_inbox, init_empties_it)
{
    t_setup();
    t_enable();
    vlapic_post(&v, 0x40, false);
    vlapic_init_signal(&v);
    cr_assert_eq(vlapic_posted(&v), 0);
    t_enable();
    cr_assert_eq(vlapic_take_posted(&v), 0);
    cr_assert_eq(vlapic_highest_irr(&v), -1);
}
