/* tests/unit/test_vlapic_ipi.c - IPIs from the virtual local APIC's ICR and destination
 * matching in physical, flat, cluster and x2APIC cluster modes. */
#include "tests/unit/vlapic_test.h"

static void ipi_setup(void)
{
    t_setup();
    t_enable();
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(vlapic_ipi, .init = ipi_setup);

static const struct vlapic_ipi *send_xapic(uint32_t hi, uint32_t lo)
{
    unsigned before = rec.nipis;
    wr(VLAPIC_REG_ICR_HI, hi);
    wr(VLAPIC_REG_ICR_LO, lo);
    cr_assert_eq(rec.nipis, before + 1, "ICR 0x%08x sent nothing", lo);
    return &rec.ipis[before];
}

Test(vlapic_ipi, fixed_physical_as_linux_sends_it)
{
    const struct vlapic_ipi *ipi = send_xapic(0x02000000, 0x000000fd);
    cr_assert_eq(ipi->dest, 2);
    cr_assert_eq(ipi->vector, 0xfd);
    cr_assert_eq(ipi->delivery_mode, VLAPIC_DM_FIXED);
    cr_assert_eq(ipi->shorthand, VLAPIC_SH_NONE);
    cr_assert_not(ipi->logical);
    cr_assert_not(ipi->trigger_level);
    cr_assert_not(ipi->x2apic);
    cr_assert_eq(ipi->source, 3);
    cr_assert_eq(rd(VLAPIC_REG_ICR_LO) & VLAPIC_ICR_PENDING, 0, "idle at once");
    cr_assert_eq(t_esr(), 0);
}

Test(vlapic_ipi, every_shorthand)
{
    static const uint32_t sh[] = {VLAPIC_SH_NONE, VLAPIC_SH_SELF, VLAPIC_SH_ALL,
                                  VLAPIC_SH_ALL_BUT_SELF};
    for (unsigned i = 0; i < 4; i++) {
        const struct vlapic_ipi *ipi = send_xapic(0x01000000, sh[i] << 18 | 0x40);
        cr_assert_eq(ipi->shorthand, sh[i]);
        cr_assert_eq(ipi->vector, 0x40);
    }
    cr_assert_not(t_irr(0x40), "self IPIs go through the router too");
}

Test(vlapic_ipi, every_delivery_mode)
{
    static const struct {
        uint32_t lo;
        uint8_t dm;
    } t[] = {
        {0x00000140, VLAPIC_DM_LOWEST},  {0x00000200, VLAPIC_DM_SMI},
        {0x00000400, VLAPIC_DM_NMI},     {0x00004500, VLAPIC_DM_INIT},
        {0x00004698, VLAPIC_DM_STARTUP}, {0x00000770, VLAPIC_DM_EXTINT},
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const struct vlapic_ipi *ipi = send_xapic(0x05000000, t[i].lo);
        cr_assert_eq(ipi->delivery_mode, t[i].dm, "ICR 0x%x", t[i].lo);
        cr_assert_eq(ipi->vector, (uint8_t)t[i].lo);
        cr_assert_not(vlapic_ipi_is_init_deassert(ipi));
    }
    cr_assert(rec.ipis[3].level_assert);
    cr_assert_eq(rec.ipis[4].vector, 0x98, "SIPI start page");
    wr(VLAPIC_REG_ICR_LO, 0x00000300); /* reserved mode */
    cr_assert_eq(rec.nipis, 6, "mode 011 sends nothing");
}

Test(vlapic_ipi, init_level_deassert)
{
    /* Linux's INIT de-assert: APIC_INT_LEVELTRIG | APIC_DM_INIT, level clear. */
    const struct vlapic_ipi *ipi = send_xapic(0, VLAPIC_SH_ALL << 18 | 0x8500);
    cr_assert(vlapic_ipi_is_init_deassert(ipi));
    cr_assert(ipi->trigger_level);
    cr_assert_not(ipi->level_assert);
}

Test(vlapic_ipi, logical_level_flags)
{
    const struct vlapic_ipi *ipi = send_xapic(0x0f000000, 0x0000c931);
    cr_assert(ipi->logical);
    cr_assert(ipi->level_assert);
    cr_assert(ipi->trigger_level);
    cr_assert_eq(ipi->delivery_mode, VLAPIC_DM_LOWEST);
    cr_assert_eq(ipi->dest, 0x0f);
}

Test(vlapic_ipi, illegal_vector_is_sent_and_logged)
{
    const struct vlapic_ipi *ipi = send_xapic(0x01000000, 0x00000005);
    cr_assert_eq(ipi->vector, 5);
    cr_assert_eq(t_esr(), VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
    send_xapic(0x01000000, 0x00000400); /* NMI: the vector is ignored */
    send_xapic(0x01000000, 0x00004600); /* SIPI to page 0 is legal */
    cr_assert_eq(t_esr(), 0);
}

Test(vlapic_ipi, x2apic_icr_and_source)
{
    t_setup_id(0x10203, true);
    t_enable();
    t_to_x2apic();
    wrmsr(0x830, 0xabcdef01ull << 32 | 0x4fc);
    cr_assert_eq(rec.nipis, 1);
    cr_assert_eq(rec.ipis[0].dest, 0xabcdef01);
    cr_assert_eq(rec.ipis[0].source, 0x10203);
    cr_assert_eq(rec.ipis[0].delivery_mode, VLAPIC_DM_NMI);
    cr_assert(rec.ipis[0].x2apic);
}

Test(vlapic_ipi, physical_xapic)
{
    cr_assert(vlapic_matches(&v, 3, false, false));
    cr_assert_not(vlapic_matches(&v, 4, false, false));
    cr_assert(vlapic_matches(&v, 0xff, false, false), "broadcast");
    wr(VLAPIC_REG_ID, 0x09000000);
    cr_assert(vlapic_matches(&v, 9, false, false), "the ID register as software set it");
    cr_assert_not(vlapic_matches(&v, 3, false, false));
    cr_assert_not(vlapic_matches(&v, 0x109, false, true), "32-bit beyond 8 bits");
    cr_assert(vlapic_matches(&v, 0xffffffff, false, true));
}

Test(vlapic_ipi, logical_flat)
{
    wr(VLAPIC_REG_LDR, 0x04000000); /* Linux flat: bit (cpu number) */
    cr_assert(vlapic_matches(&v, 0x04, true, false));
    cr_assert(vlapic_matches(&v, 0x0f, true, false));
    cr_assert_not(vlapic_matches(&v, 0x03, true, false));
    cr_assert_not(vlapic_matches(&v, 0x00, true, false));
    cr_assert(vlapic_matches(&v, 0xff, true, false));
}

Test(vlapic_ipi, logical_cluster)
{
    wr(VLAPIC_REG_DFR, 0x0fffffff);
    wr(VLAPIC_REG_LDR, 0x12000000); /* cluster 1, member bit 1 */
    cr_assert(vlapic_matches(&v, 0x12, true, false));
    cr_assert(vlapic_matches(&v, 0x1f, true, false));
    cr_assert_not(vlapic_matches(&v, 0x11, true, false));
    cr_assert_not(vlapic_matches(&v, 0x22, true, false), "other cluster");
    cr_assert(vlapic_matches(&v, 0xff, true, false), "all clusters");
    wr(VLAPIC_REG_DFR, 0x5fffffff);
    cr_assert_not(vlapic_matches(&v, 0x12, true, false), "reserved model");
}

Test(vlapic_ipi, x2apic_physical_and_cluster)
{
    t_setup_id(0x23, true);
    t_enable();
    t_to_x2apic(); /* LDR 0x00020008 */
    cr_assert(vlapic_matches(&v, 0x23, false, true));
    cr_assert_not(vlapic_matches(&v, 0x10023, false, true));
    cr_assert(vlapic_matches(&v, 0xffffffff, false, true));
    cr_assert(vlapic_matches(&v, 0x00020008, true, true));
    cr_assert(vlapic_matches(&v, 0x0002000c, true, true));
    cr_assert_not(vlapic_matches(&v, 0x00010008, true, true), "other cluster");
    cr_assert_not(vlapic_matches(&v, 0x00020004, true, true), "other member");
    cr_assert(vlapic_matches(&v, 0xffffffff, true, true));
    /* 8-bit destinations (I/O APIC, MSI) to an x2APIC-mode APIC */
    cr_assert(vlapic_matches(&v, 0x23, false, false));
    cr_assert(vlapic_matches(&v, 0xff, false, false));
    cr_assert(vlapic_matches(&v, 0xff, true, false));
    cr_assert_not(vlapic_matches(&v, 0x08, true, false));
}

Test(vlapic_ipi, disabled_apic_matches_nothing)
{
    wrmsr(VLAPIC_MSR_APIC_BASE, 0xfee00000);
    cr_assert_not(vlapic_matches(&v, 0xff, false, false));
    cr_assert_not(vlapic_matches(&v, 3, false, false));
}
