/* tests/unit/test_vlapic_msr.c - IA32_APIC_BASE transitions and the x2APIC MSRs of the
 * virtual local APIC. */
#include "tests/unit/vlapic_test.h"

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(vlapic_msr, .init = t_setup);

#define BASE     0xfee00000ull
#define EN       VLAPIC_BASE_EN
#define EXTD     VLAPIC_BASE_EXTD
#define BSP      VLAPIC_BASE_BSP
#define GP(m, x) cr_assert_eq(vlapic_msr_write(&v, (m), (x), 0), VLAPIC_GP, "WRMSR 0x%x", (m))

static int base_write(uint64_t value)
{
    return vlapic_msr_write(&v, VLAPIC_MSR_APIC_BASE, value, 0);
}

Test(vlapic_msr, legal_transitions)
{
    cr_assert_eq(base_write(BASE | EN | EXTD), VLAPIC_OK, "xAPIC -> x2APIC");
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_X2APIC);
    cr_assert_eq(base_write(BASE), VLAPIC_OK, "x2APIC -> disabled");
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_DISABLED);
    cr_assert_eq(rdmsr(VLAPIC_MSR_APIC_BASE), BASE | BSP);
    cr_assert_eq(base_write(BASE | EN), VLAPIC_OK, "disabled -> xAPIC");
    cr_assert_eq(rd(VLAPIC_REG_ID), 3u << 24, "the xAPIC ID is back (SDM 11.12.5.1)");
    cr_assert_eq(base_write(BASE), VLAPIC_OK, "xAPIC -> disabled");
    cr_assert_eq(base_write(BASE), VLAPIC_OK, "disabled -> disabled");
}

Test(vlapic_msr, illegal_transitions_fault)
{
    cr_assert_eq(base_write(BASE | EXTD), VLAPIC_GP, "EN=0 EXTD=1 is invalid");
    cr_assert(strstr(vlapic_message(&v), "EXTD without EN"));
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_XAPIC);
    t_to_x2apic();
    cr_assert_eq(base_write(BASE | EN), VLAPIC_GP, "x2APIC -> xAPIC");
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_X2APIC);
    cr_assert_eq(base_write(BASE), VLAPIC_OK);
    cr_assert_eq(base_write(BASE | EN | EXTD), VLAPIC_GP, "disabled -> x2APIC");
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_DISABLED);
}

Test(vlapic_msr, reserved_bits_fault)
{
    static const uint64_t bad[] = {1ull << 0, 1ull << 7, 1ull << 9, 1ull << 36, 1ull << 63};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(base_write(BASE | EN | bad[i]), VLAPIC_GP, "bit 0x%llx",
                     (unsigned long long)bad[i]);
    cr_assert(strstr(vlapic_message(&v), "reserved"));
    cr_assert_eq(rdmsr(VLAPIC_MSR_APIC_BASE), BASE | EN | BSP);
}

Test(vlapic_msr, relocation_is_refused_distinctly)
{
    cr_assert_eq(base_write(0xfec00000ull | EN), VLAPIC_RELOCATE);
    cr_assert(strstr(vlapic_message(&v), "0xfec00000"));
    cr_assert_eq(rdmsr(VLAPIC_MSR_APIC_BASE), BASE | EN | BSP, "nothing changed");
    cr_assert_eq(base_write(0x1fee00000ull | EN), VLAPIC_RELOCATE, "below MAXPHYADDR 36");
}

Test(vlapic_msr, bsp_flag_is_read_only)
{
    cr_assert_eq(base_write(BASE | EN), VLAPIC_OK);
    cr_assert_eq(rdmsr(VLAPIC_MSR_APIC_BASE), BASE | EN | BSP);
    t_setup_id(1, false);
    cr_assert_eq(base_write(BASE | EN | BSP), VLAPIC_OK);
    cr_assert_eq(rdmsr(VLAPIC_MSR_APIC_BASE), BASE | EN);
}

Test(vlapic_msr, disable_resets_the_registers)
{
    t_enable();
    wr(VLAPIC_REG_TPR, 0x30);
    wr(VLAPIC_REG_LVT_LINT0, 0x700);
    vlapic_accept(&v, 0x50, false);
    cr_assert_eq(base_write(BASE), VLAPIC_OK);
    cr_assert_eq(base_write(BASE | EN), VLAPIC_OK);
    cr_assert_eq(rd(VLAPIC_REG_SVR), 0xff, "software disabled again");
    cr_assert_eq(rd(VLAPIC_REG_TPR), 0);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 0x10000);
    cr_assert_not(t_irr(0x50));
}

Test(vlapic_msr, x2apic_switch_derives_id_and_ldr)
{
    t_setup_id(0x23, true);
    t_enable();
    wr(VLAPIC_REG_LDR, 0x01000000);
    wr(VLAPIC_REG_ICR_HI, 0x05000000);
    wr(VLAPIC_REG_TPR, 0x20);
    t_to_x2apic();
    cr_assert_eq(rdmsr(0x802), 0x23);
    cr_assert_eq(rdmsr(0x80d), 0x00020008, "cluster 2, bit 3 (SDM 11.12.10.2)");
    cr_assert_eq(rdmsr(0x830) >> 32, 0, "ICR high half not kept");
    cr_assert_eq(rdmsr(0x808), 0x20, "TPR kept");
    cr_assert_eq(rdmsr(0x80f), 0x1ff, "SVR kept");
    t_setup_id(0x1f, true);
    t_to_x2apic();
    cr_assert_eq(rdmsr(0x80d), 0x00018000);
}

Test(vlapic_msr, x2apic_msrs_fault_outside_x2apic_mode)
{
    uint64_t value;
    cr_assert_eq(vlapic_msr_read(&v, 0x802, 0, &value), VLAPIC_GP);
    cr_assert(strstr(vlapic_message(&v), "not in x2APIC mode"));
    GP(0x808, 0);
    GP(0xbff, 0);
    cr_assert_eq(vlapic_msr_read(&v, 0x10, 0, &value), VLAPIC_NOT_APIC);
    cr_assert_eq(vlapic_msr_write(&v, 0xc00, 0, 0), VLAPIC_NOT_APIC);
}

Test(vlapic_msr, x2apic_register_reads)
{
    t_enable();
    t_to_x2apic();
    cr_assert_eq(rdmsr(0x802), 3);
    cr_assert_eq(rdmsr(0x803), 0x01060014);
    cr_assert_eq(rdmsr(0x80d), 0x8);
    wrmsr(0x808, 0x40);
    cr_assert_eq(rdmsr(0x80a), 0x40, "PPR");
    vlapic_accept(&v, 0x61, true);
    cr_assert_eq(rdmsr(0x823), 1u << 1, "IRR word 3");
    cr_assert_eq(rdmsr(0x81b), 1u << 1, "TMR word 3");
    cr_assert_eq(rdmsr(0x839), 0, "current count");
}

Test(vlapic_msr, absent_and_write_only_registers_fault_on_read)
{
    t_to_x2apic();
    static const uint32_t bad[] = {0x800, 0x801, 0x804, 0x807, 0x809, 0x80b, 0x80c, 0x80e, 0x829,
                                   0x82e, 0x831, 0x83a, 0x83d, 0x83f, 0x840, 0x8ff, 0x900, 0xbff};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t value = 7;
        cr_assert_eq(vlapic_msr_read(&v, bad[i], 0, &value), VLAPIC_GP, "RDMSR 0x%x", bad[i]);
        cr_assert_eq(value, 0);
    }
}

Test(vlapic_msr, read_only_and_absent_registers_fault_on_write)
{
    t_to_x2apic();
    static const uint32_t bad[] = {0x802, 0x803, 0x809, 0x80a, 0x80c, 0x80d, 0x80e, 0x810,
                                   0x817, 0x818, 0x820, 0x827, 0x831, 0x839, 0x840};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        GP(bad[i], 0);
    cr_assert_eq(rdmsr(0x802), 3);
}

Test(vlapic_msr, reserved_bits_fault_in_x2apic_registers)
{
    t_enable();
    t_to_x2apic();
    GP(0x808, 0x100);
    GP(0x808, 1ull << 32); /* bits 63:32 of a 32-bit register */
    GP(0x80b, 1);          /* EOI: non-zero */
    GP(0x828, 1);          /* ESR: non-zero */
    GP(0x80f, 0x400);
    GP(0x80f, 0x2000);
    GP(0x832, 0x100); /* the timer has no delivery mode */
    GP(0x832, 1u << 19);
    GP(0x835, 0x800); /* LINT0 bit 11 */
    GP(0x837, 0x700);
    GP(0x83e, 0x4);
    GP(0x83f, 0x100);
    cr_assert(strstr(vlapic_message(&v), "reserved"));
    wrmsr(0x835, 0x1f7ff); /* delivery status and remote IRR are read-only, not reserved */
    cr_assert_eq(rdmsr(0x835), 0x1a7ff);
    wrmsr(0x80f, 0x13ff);
    cr_assert_eq(rdmsr(0x80f), 0x13ff);
    wrmsr(0x838, 0xffffffff);
    cr_assert_eq(rdmsr(0x838), 0xffffffff);
}

Test(vlapic_msr, eoi_esr_self_ipi)
{
    t_enable();
    t_to_x2apic();
    wrmsr(0x83f, 0x45);
    cr_assert(t_irr(0x45));
    cr_assert_not(t_tmr(0x45));
    vlapic_ack(&v, 0x45);
    wrmsr(0x80b, 0);
    cr_assert_eq(vlapic_highest_isr(&v), -1);
    wrmsr(0x83f, 0x05);
    wrmsr(0x828, 0);
    cr_assert_eq(rdmsr(0x828), VLAPIC_ESR_SEND_ILLEGAL_VECTOR | VLAPIC_ESR_RECV_ILLEGAL_VECTOR,
                 "self IPI with an illegal vector is sent and received (SDM 11.5.3)");
    cr_assert_eq(rec.nipis, 0, "SELF IPI does not go to the router");
}

Test(vlapic_msr, icr_is_one_64_bit_register)
{
    t_enable();
    t_to_x2apic();
    wrmsr(0x830, 0x12345678ull << 32 | VLAPIC_ICR_PENDING | VLAPIC_ICR_LOGICAL | 0x4030);
    cr_assert_eq(rec.nipis, 1);
    cr_assert_eq(rec.ipis[0].dest, 0x12345678);
    cr_assert(rec.ipis[0].logical);
    cr_assert(rec.ipis[0].x2apic);
    cr_assert_eq(rec.ipis[0].vector, 0x30);
    cr_assert_eq(rdmsr(0x830), 0x12345678ull << 32 | 0x4830, "bit 12 ignored");
    GP(0x830, 1u << 13);
    GP(0x830, 1u << 16);
    GP(0x830, 1u << 20);
    cr_assert_eq(rec.nipis, 1, "a faulting write sends nothing");
}

Test(vlapic_msr, tsc_deadline_msr_outside_deadline_mode)
{
    wrmsr(VLAPIC_MSR_TSC_DEADLINE, 1000);
    cr_assert_eq(rdmsr(VLAPIC_MSR_TSC_DEADLINE), 0, "reads 0, write ignored (11.5.4.1)");
    cr_assert_eq(vlapic_timer_next(&v), UINT64_MAX);
}
