/* tests/unit/test_vlapic.c - the virtual local APIC: reset state, priorities, acceptance,
 * EOI, errors, LINT pins and the local interrupt sources. */
#include "tests/unit/vlapic_test.h"

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(vlapic, .init = t_setup);

Test(vlapic, init_rejects_bad_arguments)
{
    struct vlapic w;
    uint32_t buf[VLAPIC_PAGE_SIZE / 4 + 1];
    struct vlapic_config cfg = {.apic_id = 0, .clock = {1, 1}};
    cr_assert_eq(vlapic_init(&w, NULL, &cfg, NULL, NULL), VLAPIC_BAD_CONFIG);
    cr_assert_eq(vlapic_init(&w, (char *)buf + 2, &cfg, NULL, NULL), VLAPIC_BAD_CONFIG);
    cr_assert(strstr(vlapic_message(&w), "aligned"));
    cr_assert_eq(vlapic_init(&w, buf, NULL, NULL, NULL), VLAPIC_BAD_CONFIG);
    cfg.clock.bus_ticks = 0;
    cr_assert_eq(vlapic_init(&w, buf, &cfg, NULL, NULL), VLAPIC_BAD_CONFIG);
    cfg.clock.bus_ticks = 1;
    cfg.maxphyaddr = 60;
    cr_assert_eq(vlapic_init(&w, buf, &cfg, NULL, NULL), VLAPIC_BAD_CONFIG);
    cr_assert(strstr(vlapic_message(&w), "MAXPHYADDR"));
    cfg.maxphyaddr = 39;
    cr_assert_eq(vlapic_init(&w, buf, &cfg, NULL, NULL), VLAPIC_OK);
}

Test(vlapic, power_up_state)
{
    /* SDM 11.4.7.1 / 11.12.5.1 */
    cr_assert_eq(vlapic_apic_base(&v), 0xfee00000ull | VLAPIC_BASE_EN | VLAPIC_BASE_BSP);
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_XAPIC);
    cr_assert_eq(rd(VLAPIC_REG_ID), 3u << 24);
    cr_assert_eq(rd(VLAPIC_REG_VER), 0x01060014u);
    cr_assert_eq(rd(VLAPIC_REG_TPR), 0);
    cr_assert_eq(rd(VLAPIC_REG_PPR), 0);
    cr_assert_eq(rd(VLAPIC_REG_LDR), 0);
    cr_assert_eq(rd(VLAPIC_REG_DFR), 0xffffffffu);
    cr_assert_eq(rd(VLAPIC_REG_SVR), 0xff);
    cr_assert_not(vlapic_sw_enabled(&v));
    static const unsigned lvts[] = {0x2f0, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370};
    for (unsigned i = 0; i < 7; i++)
        cr_assert_eq(rd(lvts[i]), 0x10000, "LVT 0x%x", lvts[i]);
    for (unsigned r = 0x100; r < 0x280; r += 0x10)
        cr_assert_eq(rd(r), 0, "0x%x", r);
    cr_assert_eq(rd(VLAPIC_REG_TMICT), 0);
    cr_assert_eq(rd(VLAPIC_REG_TDCR), 0);
    cr_assert_eq(vlapic_reg_raw(&v, 0x800), 0, "the rest of the page is cleared");
    cr_assert_str_empty(vlapic_message(&v));
}

Test(vlapic, ap_has_no_bsp_flag)
{
    t_setup_id(0x1234, false);
    cr_assert_eq(vlapic_apic_base(&v), 0xfee00800ull);
    cr_assert_eq(rd(VLAPIC_REG_ID), 0x34u << 24, "the low 8 bits of the x2APIC ID");
}

Test(vlapic, init_signal_keeps_id_and_mode)
{
    t_enable();
    wr(VLAPIC_REG_ID, 0x07000000);
    wr(VLAPIC_REG_TPR, 0x20);
    vlapic_accept(&v, 0x40, false);
    vlapic_init_signal(&v);
    cr_assert_eq(rd(VLAPIC_REG_ID), 0x07000000, "INIT keeps the ID (SDM 11.4.7.3)");
    cr_assert_eq(rd(VLAPIC_REG_TPR), 0);
    cr_assert_eq(rd(VLAPIC_REG_SVR), 0xff);
    cr_assert_not(t_irr(0x40));
    t_to_x2apic();
    vlapic_init_signal(&v);
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_X2APIC, "INIT keeps x2APIC mode (11.12.5.1)");
    cr_assert_eq(rdmsr(0x802), 3);
    cr_assert_eq(rdmsr(0x80d), 0x8, "LDR derived again");
    vlapic_reset(&v);
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_XAPIC, "RESET goes back to xAPIC");
}

Test(vlapic, init_signal_resets_the_rest_and_keeps_apic_base)
{
    /* SDM 11.4.7.3: INIT resets the APIC like power-up except the ID register and
     * IA32_APIC_BASE (base, EN, BSP flag); an interrupt in service is forgotten */
    t_enable();
    uint64_t base = vlapic_apic_base(&v);
    wr(VLAPIC_REG_LDR, 0x01000000);
    wr(VLAPIC_REG_DFR, 0x0fffffff);
    wr(VLAPIC_REG_LVT_TIMER, 0x30);
    wr(VLAPIC_REG_LVT_LINT0, 0x700);
    wr(VLAPIC_REG_TMICT, 1000);
    vlapic_accept(&v, 0x41, false);
    cr_assert_eq(vlapic_ack(&v, 0x41), VLAPIC_OK);
    vlapic_accept(&v, 0x52, false);
    vlapic_init_signal(&v);
    cr_assert_eq(vlapic_apic_base(&v), base, "IA32_APIC_BASE keeps its value");
    cr_assert_eq(rd(VLAPIC_REG_ID), 3u << 24, "the ID survives");
    cr_assert_eq(vlapic_highest_isr(&v), -1, "ISR cleared");
    cr_assert_eq(vlapic_pending(&v), -1, "IRR cleared");
    cr_assert_eq(rd(VLAPIC_REG_LDR), 0);
    cr_assert_eq(rd(VLAPIC_REG_DFR), 0xffffffffu);
    cr_assert_eq(rd(VLAPIC_REG_LVT_TIMER), 1u << 16, "LVT entries masked");
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 1u << 16);
    cr_assert_eq(rd(VLAPIC_REG_TMICT), 0, "the timer stopped");
    cr_assert_not(vlapic_sw_enabled(&v), "SVR 0xff: software disabled");
}

Test(vlapic, software_disabled_apic_takes_no_fixed_interrupts)
{
    cr_assert_eq(vlapic_accept(&v, 0x40, false), VLAPIC_REJECTED);
    cr_assert_not(t_irr(0x40));
    t_enable();
    cr_assert(vlapic_sw_enabled(&v));
    cr_assert_eq(vlapic_accept(&v, 0x40, false), VLAPIC_ACCEPTED);
    cr_assert(t_irr(0x40));
    wr(VLAPIC_REG_SVR, 0xff); /* software disable: IRR is held (SDM 11.4.7.2) */
    cr_assert(t_irr(0x40));
    cr_assert_eq(vlapic_pending(&v), 0x40);
}

Test(vlapic, software_disable_masks_lvts_for_good)
{
    t_enable();
    wr(VLAPIC_REG_LVT_LINT0, 0x700);
    wr(VLAPIC_REG_LVT_TIMER, 0xef);
    cr_assert_eq(rd(VLAPIC_REG_LVT_TIMER), 0xef);
    wr(VLAPIC_REG_SVR, 0x0ff);
    cr_assert_eq(rd(VLAPIC_REG_LVT_TIMER), 0x100ef);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 0x10700);
    wr(VLAPIC_REG_LVT_TIMER, 0xef); /* "Attempts to reset these bits will be ignored." */
    cr_assert_eq(rd(VLAPIC_REG_LVT_TIMER), 0x100ef);
    t_enable();
    cr_assert_eq(rd(VLAPIC_REG_LVT_TIMER), 0x100ef, "re-enabling does not unmask");
}

Test(vlapic, tpr_blocks_priority_classes)
{
    t_enable();
    wr(VLAPIC_REG_TPR, 0x50);
    vlapic_accept(&v, 0x55, false);
    cr_assert_eq(vlapic_pending(&v), -1, "class 5 is not above TPR class 5");
    vlapic_accept(&v, 0x61, false);
    cr_assert_eq(vlapic_pending(&v), 0x61);
    wr(VLAPIC_REG_TPR, 0x6f);
    cr_assert_eq(vlapic_pending(&v), -1);
    cr_assert_eq(rd(VLAPIC_REG_PPR), 0x6f);
    cr_assert_eq(vlapic_set_cr8(&v, 4), VLAPIC_OK);
    cr_assert_eq(rd(VLAPIC_REG_TPR), 0x40, "CR8 is TPR[7:4] (SDM 11.8.6)");
    cr_assert_eq(vlapic_cr8(&v), 4);
    cr_assert_eq(vlapic_pending(&v), 0x61);
    cr_assert_eq(vlapic_set_cr8(&v, 0x10), VLAPIC_GP);
    cr_assert_eq(vlapic_cr8(&v), 4);
}

Test(vlapic, nested_interrupts_follow_isr)
{
    t_enable();
    vlapic_accept(&v, 0x41, false);
    cr_assert_eq(vlapic_pending(&v), 0x41);
    cr_assert_eq(vlapic_ack(&v, 0x41), VLAPIC_OK);
    cr_assert_eq(vlapic_highest_isr(&v), 0x41);
    cr_assert_eq(rd(VLAPIC_REG_PPR), 0x40);
    vlapic_accept(&v, 0x4f, false);
    cr_assert_eq(vlapic_pending(&v), -1, "same class as the one in service");
    vlapic_accept(&v, 0x80, false);
    cr_assert_eq(vlapic_pending(&v), 0x80, "a higher class nests");
    vlapic_ack(&v, 0x80);
    cr_assert_eq(rd(VLAPIC_REG_PPR), 0x80);
    cr_assert_eq(vlapic_pending(&v), -1);
    wr(VLAPIC_REG_EOI, 0); /* ends 0x80, the highest in service */
    cr_assert_eq(vlapic_highest_isr(&v), 0x41);
    cr_assert_eq(vlapic_pending(&v), -1, "0x4f still waits for 0x41");
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(vlapic_highest_isr(&v), -1);
    cr_assert_eq(vlapic_pending(&v), 0x4f);
    cr_assert_eq(rd(VLAPIC_REG_PPR), 0);
}

Test(vlapic, ppr_and_apr_formulas)
{
    t_enable();
    wr(VLAPIC_REG_TPR, 0x35);
    vlapic_accept(&v, 0x52, false);
    vlapic_ack(&v, 0x52);
    cr_assert_eq(vlapic_ppr(&v), 0x50, "ISRV class above TPR: PPR = ISRV[7:4]");
    wr(VLAPIC_REG_TPR, 0x65);
    cr_assert_eq(vlapic_ppr(&v), 0x65, "TPR class >= ISRV class: PPR = TPR");
    wr(VLAPIC_REG_TPR, 0x55);
    cr_assert_eq(vlapic_ppr(&v), 0x55, "equal classes: PPR = TPR");
    /* APR (SDM 11.6.2.4): TPR if TPR >= IRRV and TPR > ISRV ... */
    wr(VLAPIC_REG_TPR, 0x65);
    cr_assert_eq(rd(VLAPIC_REG_APR), 0x65);
    vlapic_accept(&v, 0x91, false);
    cr_assert_eq(rd(VLAPIC_REG_APR), 0x90, "... else max(TPR & ISRV, IRRV) classes");
    wr(VLAPIC_REG_TPR, 0x20);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(vlapic_arb_priority(&v), 0x90);
}

Test(vlapic, acceptance_coalesces_and_sets_tmr)
{
    t_enable();
    cr_assert_eq(vlapic_accept(&v, 0x33, true), VLAPIC_ACCEPTED);
    cr_assert(t_tmr(0x33));
    cr_assert_eq(vlapic_accept(&v, 0x33, true), VLAPIC_COALESCED);
    vlapic_ack(&v, 0x33);
    cr_assert_eq(vlapic_accept(&v, 0x33, false), VLAPIC_ACCEPTED, "one in IRR, one in ISR");
    cr_assert_not(t_tmr(0x33), "edge clears TMR (SDM 11.8.4)");
    cr_assert_eq(vlapic_ack(&v, 0x34), VLAPIC_NOT_PENDING);
    cr_assert(strstr(vlapic_message(&v), "0x34"));
    cr_assert_eq(vlapic_highest_irr(&v), 0x33);
}

Test(vlapic, illegal_vectors_are_refused_and_logged)
{
    t_enable();
    cr_assert_eq(vlapic_accept(&v, 15, false), VLAPIC_REJECTED);
    cr_assert_eq(vlapic_highest_irr(&v), -1, "never an IRR bit below 16 (SDM 11.5.3)");
    cr_assert_eq(t_esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
    cr_assert_eq(vlapic_accept(&v, 16, false), VLAPIC_ACCEPTED);
    cr_assert_eq(t_esr(), 0);
}

Test(vlapic, eoi_of_level_interrupt_broadcasts)
{
    t_enable();
    vlapic_accept(&v, 0x30, true);
    vlapic_accept(&v, 0x31, false);
    vlapic_ack(&v, 0x31);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(rec.neois, 0, "edge: no EOI message");
    vlapic_ack(&v, 0x30);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(rec.neois, 1);
    cr_assert_eq(rec.eois[0], 0x30);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(rec.neois, 1, "EOI with ISR empty does nothing");
}

Test(vlapic, eoi_broadcast_suppression)
{
    wr(VLAPIC_REG_SVR, VLAPIC_SVR_SEOI | VLAPIC_SVR_ENABLE | 0xff);
    cr_assert_eq(rd(VLAPIC_REG_SVR), 0x11ff);
    vlapic_accept(&v, 0x30, true);
    vlapic_ack(&v, 0x30);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(rec.neois, 0, "SVR bit 12 (SDM 11.8.5)");
    cr_assert_eq(vlapic_highest_isr(&v), -1);
}

Test(vlapic, esr_latches_on_write)
{
    t_enable();
    rd(0x40); /* unimplemented: illegal register address */
    cr_assert_eq(rd(VLAPIC_REG_ESR), 0, "not visible before a write");
    wr(VLAPIC_REG_ESR, 0x12345678);
    cr_assert_eq(rd(VLAPIC_REG_ESR), VLAPIC_ESR_ILLEGAL_REGISTER);
    cr_assert_eq(rd(VLAPIC_REG_ESR), VLAPIC_ESR_ILLEGAL_REGISTER, "reads do not clear");
    vlapic_accept(&v, 3, false);
    cr_assert_eq(rd(VLAPIC_REG_ESR), VLAPIC_ESR_ILLEGAL_REGISTER);
    cr_assert_eq(t_esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR, "the write cleared the older one");
    cr_assert_eq(t_esr(), 0);
}

Test(vlapic, error_interrupt_fires_once_until_esr_write)
{
    t_enable();
    wr(VLAPIC_REG_LVT_ERROR, 0xfe);
    vlapic_accept(&v, 1, false);
    cr_assert(t_irr(0xfe));
    vlapic_ack(&v, 0xfe);
    wr(VLAPIC_REG_EOI, 0);
    vlapic_accept(&v, 2, false);
    cr_assert_not(t_irr(0xfe), "not re-armed yet");
    wr(VLAPIC_REG_ESR, 0); /* re-arms (SDM 11.5.3) */
    vlapic_accept(&v, 2, false);
    cr_assert(t_irr(0xfe));
}

Test(vlapic, masked_error_lvt_only_records)
{
    t_enable();
    wr(VLAPIC_REG_LVT_ERROR, 0x100fe);
    vlapic_accept(&v, 1, false);
    cr_assert_not(t_irr(0xfe));
    cr_assert_eq(t_esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
    wr(VLAPIC_REG_LVT_ERROR, 0xfe);
    vlapic_accept(&v, 1, false);
    cr_assert(t_irr(0xfe), "the masked error did not use up the trigger");
}

Test(vlapic, illegal_error_vector_does_not_loop)
{
    t_enable();
    wr(VLAPIC_REG_LVT_ERROR, 0x05);
    rd(0x50);
    cr_assert_eq(vlapic_highest_irr(&v), -1);
    cr_assert_eq(t_esr(), VLAPIC_ESR_ILLEGAL_REGISTER | VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

Test(vlapic, virtual_wire_passes_the_8259)
{
    cr_assert_not(vlapic_extint_routed(&v), "masked at reset");
    vlapic_lint(&v, 0, true);
    cr_assert_eq(rec.extints, 0);
    vlapic_lint(&v, 0, false);
    vlapic_virtual_wire(&v);
    cr_assert(vlapic_sw_enabled(&v));
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 0x700);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT1), 0x400);
    cr_assert(vlapic_extint_routed(&v));
    vlapic_lint(&v, 0, true);
    cr_assert_eq(rec.extints, 1);
    cr_assert_eq(vlapic_highest_irr(&v), -1, "ExtINT bypasses IRR");
    vlapic_lint(&v, 1, true);
    vlapic_lint(&v, 1, true);
    cr_assert_eq(rec.nmis, 1, "NMI on the edge only");
    vlapic_lint(&v, 1, false);
    vlapic_lint(&v, 1, true);
    cr_assert_eq(rec.nmis, 2);
    cr_assert_eq(vlapic_lint(&v, 2, true), VLAPIC_NOT_APIC);
}

Test(vlapic, virtual_wire_on_an_ap_masks_lint0)
{
    t_setup_id(1, false);
    vlapic_virtual_wire(&v);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), 0x10700);
    cr_assert_not(vlapic_extint_routed(&v));
}

Test(vlapic, unmasking_extint_with_the_line_up_notifies)
{
    t_enable();
    vlapic_lint(&v, 0, true);
    wr(VLAPIC_REG_LVT_LINT0, 0x700);
    cr_assert_eq(rec.extints, 1, "ExtINT is level sensitive");
}

Test(vlapic, lint0_level_uses_remote_irr)
{
    t_enable();
    wr(VLAPIC_REG_LVT_LINT0, VLAPIC_LVT_LEVEL | 0x38);
    vlapic_lint(&v, 0, true);
    cr_assert(t_irr(0x38));
    cr_assert(t_tmr(0x38));
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0), VLAPIC_LVT_LEVEL | VLAPIC_LVT_REMOTE_IRR | 0x38);
    vlapic_ack(&v, 0x38);
    vlapic_lint(&v, 0, true);
    cr_assert_not(t_irr(0x38), "remote IRR holds off the still-asserted line");
    uint64_t bitmap[4];
    vlapic_eoi_exit_bitmap(&v, bitmap);
    cr_assert_eq(bitmap[0], 1ull << 0x38);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert(t_irr(0x38), "EOI cleared it and the line, still asserted, interrupts again");
    cr_assert(rd(VLAPIC_REG_LVT_LINT0) & VLAPIC_LVT_REMOTE_IRR);
    vlapic_ack(&v, 0x38);
    vlapic_lint(&v, 0, false);
    wr(VLAPIC_REG_EOI, 0);
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT0) & VLAPIC_LVT_REMOTE_IRR, 0, "EOI clears it");
    cr_assert_not(t_irr(0x38));
    cr_assert_eq(rec.neois, 2, "level EOIs are broadcast too");
    vlapic_lint(&v, 0, true);
    cr_assert(t_irr(0x38), "the next assertion is taken");
}

Test(vlapic, lint_edge_polarity_and_lint1_level)
{
    t_enable();
    wr(VLAPIC_REG_LVT_LINT0, 0x41);
    vlapic_lint(&v, 0, true);
    cr_assert(t_irr(0x41));
    cr_assert_not(t_tmr(0x41));
    wr(VLAPIC_REG_LVT_LINT1, VLAPIC_LVT_POLARITY_LOW | 0x42);
    vlapic_lint(&v, 1, true);
    cr_assert_not(t_irr(0x42), "active low: high is idle");
    vlapic_lint(&v, 1, false);
    cr_assert(t_irr(0x42));
    vlapic_ack(&v, 0x42);
    wr(VLAPIC_REG_EOI, 0);
    wr(VLAPIC_REG_LVT_LINT1, VLAPIC_LVT_LEVEL | 0x43);
    vlapic_lint(&v, 1, true);
    cr_assert(t_irr(0x43));
    cr_assert_not(t_tmr(0x43), "LINT1 is always edge (SDM 11.5.1)");
    cr_assert_eq(rd(VLAPIC_REG_LVT_LINT1) & VLAPIC_LVT_REMOTE_IRR, 0);
}

Test(vlapic, lint_smi_and_init_become_self_messages)
{
    t_enable();
    wr(VLAPIC_REG_LVT_LINT0, VLAPIC_DM_INIT << 8);
    vlapic_lint(&v, 0, true);
    cr_assert_eq(rec.nipis, 1);
    cr_assert_eq(rec.ipis[0].delivery_mode, VLAPIC_DM_INIT);
    cr_assert_eq(rec.ipis[0].shorthand, VLAPIC_SH_SELF);
    cr_assert_eq(rec.ipis[0].source, 3);
    wr(VLAPIC_REG_LVT_THERMAL, VLAPIC_DM_SMI << 8);
    cr_assert(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_THERMAL));
    cr_assert_eq(rec.nipis, 2);
    cr_assert_eq(rec.ipis[1].delivery_mode, VLAPIC_DM_SMI);
}

Test(vlapic, disabled_apic_lint_pins_are_intr_and_nmi)
{
    wrmsr(VLAPIC_MSR_APIC_BASE, 0xfee00000);
    cr_assert_eq(vlapic_mode(&v), VLAPIC_MODE_DISABLED);
    cr_assert(vlapic_extint_routed(&v));
    vlapic_lint(&v, 0, true);
    cr_assert_eq(rec.extints, 1);
    vlapic_lint(&v, 1, true);
    cr_assert_eq(rec.nmis, 1);
    cr_assert_eq(vlapic_accept(&v, 0x40, false), VLAPIC_REJECTED);
    cr_assert_eq(vlapic_pending(&v), -1);
}

Test(vlapic, local_sources_thermal_perf_cmci)
{
    t_enable();
    cr_assert_not(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_PERF), "masked");
    wr(VLAPIC_REG_LVT_PERF, VLAPIC_DM_NMI << 8);
    cr_assert(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_PERF));
    cr_assert_eq(rec.nmis, 1);
    cr_assert_eq(rd(VLAPIC_REG_LVT_PERF), 0x10400, "a PMI masks its LVT entry");
    wr(VLAPIC_REG_LVT_THERMAL, 0x51);
    cr_assert(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_THERMAL));
    cr_assert(t_irr(0x51));
    wr(VLAPIC_REG_LVT_CMCI, 0x700 | 0x52);
    cr_assert_not(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_CMCI), "ExtINT is not for CMCI");
    cr_assert_not(vlapic_raise_lvt(&v, VLAPIC_REG_LVT_TIMER), "not an external source");
}

Test(vlapic, eoi_exit_bitmap_and_eoi_exit)
{
    t_enable();
    vlapic_accept(&v, 0x30, true);
    vlapic_accept(&v, 0xc1, true);
    vlapic_accept(&v, 0x70, false);
    uint64_t bitmap[4];
    vlapic_eoi_exit_bitmap(&v, bitmap);
    cr_assert_eq(bitmap[0], 1ull << 0x30);
    cr_assert_eq(bitmap[1], 0);
    cr_assert_eq(bitmap[3], 1ull << (0xc1 - 0xc0));
    /* Virtual-interrupt delivery: the CPU moved 0x30 to ISR and cleared it on EOI. */
    vlapic_on_eoi_exit(&v, 0x30);
    cr_assert_eq(rec.neois, 1);
    cr_assert_eq(rec.eois[0], 0x30);
    wr(VLAPIC_REG_SVR, VLAPIC_SVR_SEOI | VLAPIC_SVR_ENABLE | 0xff);
    vlapic_eoi_exit_bitmap(&v, bitmap);
    cr_assert_eq(bitmap[0] | bitmap[1] | bitmap[2] | bitmap[3], 0);
}

Test(vlapic, merge_posted_bits)
{
    t_enable();
    uint32_t bits[8] = {0x0001ffff, 0, 0, 0, 0, 1u << 3, 0, 0};
    cr_assert_eq(vlapic_merge_irr(&v, bits), 0xa3);
    cr_assert(t_irr(0x10));
    cr_assert(t_irr(0xa3));
    cr_assert_not(t_irr(0x0f), "vectors 0-15 dropped");
    cr_assert_eq(vlapic_pending(&v), 0xa3);
    uint32_t none[8] = {0};
    cr_assert_eq(vlapic_merge_irr(&v, none), -1);
    cr_assert_eq(vlapic_highest_isr(&v), -1);
}

Test(vlapic, lvt_writes_make_no_edges)
{
    t_enable();
    vlapic_lint(&v, 0, true);
    wr(VLAPIC_REG_LVT_LINT0, 0x44); /* edge: the line was already up */
    cr_assert_not(t_irr(0x44));
    wr(VLAPIC_REG_LVT_LINT0, VLAPIC_LVT_MASKED | VLAPIC_LVT_LEVEL | 0x45);
    cr_assert_not(t_irr(0x45));
    wr(VLAPIC_REG_LVT_LINT0, VLAPIC_LVT_LEVEL | 0x45); /* level: unmasking sees the line */
    cr_assert(t_irr(0x45));
    cr_assert(t_tmr(0x45));
}
