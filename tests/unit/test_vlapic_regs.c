/* tests/unit/test_vlapic_regs.c - the virtual local APIC's xAPIC MMIO registers and the
 * APIC-write VM exit hook. */
#include "tests/unit/vlapic_test.h"

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(vlapic_regs, .init = t_setup);

Test(vlapic_regs, partial_reads_inside_a_register)
{
    uint32_t value;
    cr_assert_eq(vlapic_mmio_read(&v, 0x30, 1, 0, &value), VLAPIC_OK);
    cr_assert_eq(value, 0x14);
    cr_assert_eq(vlapic_mmio_read(&v, 0x32, 1, 0, &value), VLAPIC_OK);
    cr_assert_eq(value, 0x06);
    cr_assert_eq(vlapic_mmio_read(&v, 0x32, 2, 0, &value), VLAPIC_OK);
    cr_assert_eq(value, 0x0106);
}

Test(vlapic_regs, undefined_accesses)
{
    uint32_t value = 1;
    cr_assert_eq(vlapic_mmio_read(&v, 0x34, 4, 0, &value), VLAPIC_UNALIGNED);
    cr_assert_eq(value, 0);
    cr_assert_eq(vlapic_mmio_read(&v, 0x33, 2, 0, &value), VLAPIC_UNALIGNED);
    cr_assert_eq(vlapic_mmio_read(&v, 0x30, 8, 0, &value), VLAPIC_UNALIGNED);
    cr_assert_eq(vlapic_mmio_read(&v, 0x1000, 4, 0, &value), VLAPIC_UNALIGNED);
    cr_assert_eq(vlapic_mmio_write(&v, 0x80, 2, 0x50, 0), VLAPIC_UNALIGNED);
    cr_assert_eq(vlapic_mmio_write(&v, 0x84, 4, 0x50, 0), VLAPIC_UNALIGNED);
    cr_assert(strstr(vlapic_message(&v), "0x84"));
    cr_assert_eq(rd(VLAPIC_REG_TPR), 0, "ignored");
    cr_assert_eq(t_esr(), 0, "not an illegal register address");
}

Test(vlapic_regs, interface_absent_outside_xapic_mode)
{
    uint32_t value;
    t_to_x2apic();
    cr_assert_eq(vlapic_mmio_read(&v, 0x30, 4, 0, &value), VLAPIC_ABSENT);
    cr_assert_eq(vlapic_mmio_write(&v, 0x80, 4, 0x50, 0), VLAPIC_ABSENT);
    wrmsr(VLAPIC_MSR_APIC_BASE, 0xfee00000);
    cr_assert_eq(vlapic_mmio_read(&v, 0x30, 4, 0, &value), VLAPIC_ABSENT);
}

Test(vlapic_regs, writable_bits)
{
    t_enable();
    static const struct {
        unsigned reg;
        uint32_t expect;
    } cases[] = {
        {VLAPIC_REG_ID, 0xff000000},       {VLAPIC_REG_TPR, 0xff},
        {VLAPIC_REG_LDR, 0xff000000},      {VLAPIC_REG_SVR, 0x13ff},
        {VLAPIC_REG_ICR_HI, 0xff000000},   {VLAPIC_REG_LVT_TIMER, 0x700ff},
        {VLAPIC_REG_LVT_THERMAL, 0x107ff}, {VLAPIC_REG_LVT_PERF, 0x107ff},
        {VLAPIC_REG_LVT_LINT0, 0x1a7ff},   {VLAPIC_REG_LVT_LINT1, 0x1a7ff},
        {VLAPIC_REG_LVT_ERROR, 0x100ff},   {VLAPIC_REG_LVT_CMCI, 0x107ff},
        {VLAPIC_REG_TMICT, 0xffffffff},    {VLAPIC_REG_TDCR, 0xb},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wr(cases[i].reg, 0xffffffff);
        cr_assert_eq(rd(cases[i].reg), cases[i].expect, "register 0x%x", cases[i].reg);
    }
    wr(VLAPIC_REG_DFR, 0);
    cr_assert_eq(rd(VLAPIC_REG_DFR), 0x0fffffff, "bits 27:0 read as ones");
}

Test(vlapic_regs, read_only_registers_ignore_writes)
{
    t_enable();
    vlapic_accept(&v, 0x40, true);
    static const unsigned ro[] = {VLAPIC_REG_VER, VLAPIC_REG_APR, VLAPIC_REG_PPR,
                                  VLAPIC_REG_RRD, 0x100,          0x180,
                                  0x200,          0x270,          VLAPIC_REG_TMCCT};
    uint32_t before[9];
    for (unsigned i = 0; i < 9; i++)
        before[i] = rd(ro[i]);
    for (unsigned i = 0; i < 9; i++)
        wr(ro[i], 0xffffffff);
    for (unsigned i = 0; i < 9; i++)
        cr_assert_eq(rd(ro[i]), before[i], "register 0x%x", ro[i]);
    cr_assert_eq(rd(0x200 + 0x20), 1u << 0, "IRR keeps vector 0x40");
    cr_assert_eq(t_esr(), 0);
}

Test(vlapic_regs, unimplemented_registers)
{
    static const unsigned holes[] = {0x000, 0x010, 0x040, 0x070, 0x290, 0x2e0,
                                     0x3a0, 0x3d0, 0x3f0, 0x400, 0xff0};
    for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
        cr_assert_eq(rd(holes[i]), 0, "read 0x%x", holes[i]);
        cr_assert_eq(t_esr(), VLAPIC_ESR_ILLEGAL_REGISTER, "read 0x%x", holes[i]);
        wr(holes[i], 0x12345678);
        cr_assert_eq(t_esr(), VLAPIC_ESR_ILLEGAL_REGISTER, "write 0x%x", holes[i]);
        cr_assert_eq(vlapic_reg_raw(&v, holes[i]), 0, "nothing stored at 0x%x", holes[i]);
    }
}

Test(vlapic_regs, eoi_reads_zero_icr_reads_idle)
{
    t_enable();
    cr_assert_eq(rd(VLAPIC_REG_EOI), 0);
    wr(VLAPIC_REG_ICR_LO, 0xfffff0ff);
    cr_assert_eq(rd(VLAPIC_REG_ICR_LO), 0x000cc0ff, "delivery status idle, reserved 0");
}

Test(vlapic_regs, apic_write_exit_sends_the_ipi)
{
    t_enable();
    page[VLAPIC_REG_ICR_HI / 4] = 0x02000000;
    page[VLAPIC_REG_ICR_LO / 4] = 0x000050f1 | VLAPIC_ICR_PENDING; /* as the CPU wrote it */
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_ICR_LO, 0), VLAPIC_OK);
    cr_assert_eq(rec.nipis, 1);
    cr_assert_eq(rec.ipis[0].vector, 0xf1);
    cr_assert_eq(rec.ipis[0].dest, 2);
    cr_assert_eq(rd(VLAPIC_REG_ICR_LO) & VLAPIC_ICR_PENDING, 0);
}

Test(vlapic_regs, apic_write_exit_sanitizes_the_page)
{
    t_enable();
    page[VLAPIC_REG_LVT_LINT0 / 4] = 0xfffff7ff; /* reserved, status and remote-IRR bits */
    vlapic_on_apic_write(&v, VLAPIC_REG_LVT_LINT0, 0);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 0x1a7ff);
    page[VLAPIC_REG_ID / 4] = 0x05060708;
    vlapic_on_apic_write(&v, VLAPIC_REG_ID, 0);
    cr_assert_eq(rd(VLAPIC_REG_ID), 0x05000000);
    page[VLAPIC_REG_SVR / 4] = 0x0ef;
    wr(VLAPIC_REG_LVT_THERMAL, 0x55);
    vlapic_on_apic_write(&v, VLAPIC_REG_SVR, 0);
    cr_assert_eq(rd(VLAPIC_REG_LVT_THERMAL), 0x10055, "software disable masks");
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_TMCCT, 0), VLAPIC_NOT_APIC);
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_IRR, 0), VLAPIC_NOT_APIC);
}

Test(vlapic_regs, apic_write_exit_eoi_esr_tpr_timer)
{
    t_enable();
    vlapic_accept(&v, 0x60, true);
    vlapic_ack(&v, 0x60);
    vlapic_on_apic_write(&v, VLAPIC_REG_EOI, 0); /* no virtual-interrupt delivery */
    cr_assert_eq(vlapic_highest_isr(&v), -1);
    cr_assert_eq(rec.neois, 1);
    rd(0x40);
    page[VLAPIC_REG_ESR / 4] = 0xffffffff;
    vlapic_on_apic_write(&v, VLAPIC_REG_ESR, 0);
    cr_assert_eq(rd(VLAPIC_REG_ESR), VLAPIC_ESR_ILLEGAL_REGISTER);
    page[VLAPIC_REG_TPR / 4] = 0x70;
    vlapic_on_apic_write(&v, VLAPIC_REG_TPR, 0);
    cr_assert_eq(vlapic_reg_raw(&v, VLAPIC_REG_PPR), 0x70);
    page[VLAPIC_REG_TMICT / 4] = 100;
    vlapic_on_apic_write(&v, VLAPIC_REG_TMICT, 1000);
    cr_assert_eq(vlapic_timer_next(&v), 1000 + 100 * 2 * 4, "divide by 2, 4 TSC per tick");
}

Test(vlapic_regs, apic_write_exit_in_other_modes)
{
    t_enable();
    t_to_x2apic();
    vlapic_accept(&v, 0x60, false);
    vlapic_ack(&v, 0x60);
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_EOI, 0), VLAPIC_OK);
    cr_assert_eq(vlapic_highest_isr(&v), -1);
    page[VLAPIC_REG_ICR_HI / 4] = 0x1234;
    page[VLAPIC_REG_ICR_LO / 4] = 0x40;
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_ICR_LO, 0), VLAPIC_OK);
    cr_assert_eq(rec.ipis[0].dest, 0x1234);
    cr_assert(rec.ipis[0].x2apic);
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_LVT_LINT0, 0), VLAPIC_NOT_APIC);
    wrmsr(VLAPIC_MSR_APIC_BASE, 0xfee00000);
    cr_assert_eq(vlapic_on_apic_write(&v, VLAPIC_REG_EOI, 0), VLAPIC_NOT_APIC);
}
