/*
 * vmx/entry_check_seg.c - VM-entry checks on the guest segment registers and descriptor-table
 * registers (pure): SDM 27.3.1.2 and 27.3.1.3. A failure here is a VM exit with reason 33.
 *
 * The per-segment rules come in blocks of six in vmx/entry_rules.def, in the order ES CS SS DS
 * FS GS (the order of enum ec_seg), so rule = first rule of the block + segment index.
 */
#include "vmx/entry_check_int.h"
#include "vmx/vmcs_fields.h"

static const char *const seg_name[EC_SEG_COUNT] = {"ES", "CS", "SS",   "DS",
                                                   "FS", "GS", "LDTR", "TR"};

static enum entry_rule of(enum entry_rule first_es, int seg)
{
    return (enum entry_rule)(first_es + seg);
}

/* The blocks of six that of() indexes (vmx/entry_rules.def). */
#define SIX(first, last) _Static_assert(ENTRY_RULE_##last - ENTRY_RULE_##first == EC_GS, #first)
SIX(G_ES_V86_BASE, G_GS_V86_BASE);
SIX(G_ES_V86_LIMIT, G_GS_V86_LIMIT);
SIX(G_ES_V86_AR, G_GS_V86_AR);
SIX(G_ES_S, G_GS_S);
SIX(G_ES_P, G_GS_P);
SIX(G_ES_RSV8, G_GS_RSV8);
SIX(G_ES_G, G_GS_G);
SIX(G_ES_RSV17, G_GS_RSV17);
_Static_assert(ENTRY_RULE_G_CS_S - ENTRY_RULE_G_ES_S == EC_CS, "segment order ES CS SS DS FS GS");

/* G must be 0 if any of limit bits 11:0 is 0, and 1 if any of bits 31:20 is 1. */
static bool limit_g_ok(uint32_t limit, uint32_t ar)
{
    if ((ar & EC_AR_G) && (limit & 0xfff) != 0xfff)
        return false;
    if (!(ar & EC_AR_G) && (limit >> 20))
        return false;
    return true;
}

/* SDM 27.3.1.2, virtual-8086 guest: base, limit and access rights of CS SS DS ES FS GS. */
static void check_v86(struct ec *e)
{
    for (int s = EC_ES; s <= EC_GS; s++) {
        const struct ec_seg_state *g = &e->seg[s];
        if (g->base != (uint64_t)g->sel << 4)
            ec_fail(e, of(ENTRY_RULE_G_ES_V86_BASE, s), "%s base 0x%llx, selector 0x%04x",
                    seg_name[s], (unsigned long long)g->base, g->sel);
        if (g->limit != 0xffff)
            ec_fail(e, of(ENTRY_RULE_G_ES_V86_LIMIT, s), "%s limit 0x%x", seg_name[s], g->limit);
        if (g->ar != 0xf3)
            ec_fail(e, of(ENTRY_RULE_G_ES_V86_AR, s), "%s access rights 0x%x", seg_name[s], g->ar);
    }
}

/* SDM 27.3.1.2: the checks every usable code/data register (and CS) shares. */
static void check_common_ar(struct ec *e, int s)
{
    const struct ec_seg_state *g = &e->seg[s];
    if (!(g->ar & EC_AR_S))
        ec_fail(e, of(ENTRY_RULE_G_ES_S, s), "%s access rights 0x%x: S is 0", seg_name[s], g->ar);
    if (!(g->ar & EC_AR_P))
        ec_fail(e, of(ENTRY_RULE_G_ES_P, s), "%s access rights 0x%x: P is 0", seg_name[s], g->ar);
    if (g->ar & EC_AR_RSV_11_8)
        ec_fail(e, of(ENTRY_RULE_G_ES_RSV8, s), "%s access rights 0x%x set bits 11:8", seg_name[s],
                g->ar);
    if (!limit_g_ok(g->limit, g->ar))
        ec_fail(e, of(ENTRY_RULE_G_ES_G, s), "%s limit 0x%x with G=%u", seg_name[s], g->limit,
                (g->ar & EC_AR_G) ? 1 : 0);
    if (g->ar & EC_AR_RSV_31_17)
        ec_fail(e, of(ENTRY_RULE_G_ES_RSV17, s), "%s access rights 0x%x set bits 31:17",
                seg_name[s], g->ar);
}

static void check_cs(struct ec *e)
{
    const struct ec_seg_state *cs = &e->seg[EC_CS];
    unsigned t = EC_AR_TYPE(cs->ar), dpl = EC_AR_DPL(cs->ar), ss_dpl = EC_AR_DPL(e->seg[EC_SS].ar);
    if (t == 3 && !e->ug)
        ec_fail(e, ENTRY_RULE_G_CS_TYPE_UG, "CS type 3 (data) without unrestricted guest");
    else if (t != 3 && t != 9 && t != 11 && t != 13 && t != 15)
        ec_fail(e, ENTRY_RULE_G_CS_TYPE, "CS type 0x%x (access rights 0x%x)", t, cs->ar);
    if (t == 3 && e->ug && dpl != 0)
        ec_fail(e, ENTRY_RULE_G_CS_DPL_UG, "CS type 3 with DPL %u", dpl);
    if ((t == 9 || t == 11) && dpl != ss_dpl)
        ec_fail(e, ENTRY_RULE_G_CS_DPL_NC, "non-conforming CS.DPL %u, SS.DPL %u", dpl, ss_dpl);
    if ((t == 13 || t == 15) && dpl > ss_dpl)
        ec_fail(e, ENTRY_RULE_G_CS_DPL_C, "conforming CS.DPL %u above SS.DPL %u", dpl, ss_dpl);
    check_common_ar(e, EC_CS);
    if (e->ia32e_guest && (cs->ar & EC_AR_L) && (cs->ar & EC_AR_DB))
        ec_fail(e, ENTRY_RULE_G_CS_DB_L, "CS access rights 0x%x set both L and D/B", cs->ar);
}

static void check_ss(struct ec *e)
{
    const struct ec_seg_state *ss = &e->seg[EC_SS];
    unsigned t = EC_AR_TYPE(ss->ar), dpl = EC_AR_DPL(ss->ar);
    bool usable = !(ss->ar & EC_AR_UNUSABLE);
    if (usable && t != 3 && t != 7)
        ec_fail(e, ENTRY_RULE_G_SS_TYPE, "SS type 0x%x (access rights 0x%x)", t, ss->ar);
    if (!e->ug && dpl != (ss->sel & 3u))
        ec_fail(e, ENTRY_RULE_G_SS_DPL_RPL, "SS.DPL %u, SS selector 0x%04x (RPL %u)", dpl, ss->sel,
                ss->sel & 3u);
    if ((EC_AR_TYPE(e->seg[EC_CS].ar) == 3 || !(e->cr0 & EC_CR0_PE)) && dpl != 0)
        ec_fail(e, ENTRY_RULE_G_SS_DPL_REAL, "SS.DPL %u with %s", dpl,
                (e->cr0 & EC_CR0_PE) ? "CS type 3" : "CR0.PE=0");
    if (usable)
        check_common_ar(e, EC_SS);
}

static void check_data(struct ec *e, int s, enum entry_rule type_rule, enum entry_rule dpl_rule)
{
    const struct ec_seg_state *g = &e->seg[s];
    unsigned t = EC_AR_TYPE(g->ar);
    if (g->ar & EC_AR_UNUSABLE)
        return;
    if (!(t & 1) || ((t & 8) && !(t & 2)))
        ec_fail(e, type_rule, "%s type 0x%x is %s", seg_name[s], t,
                !(t & 1) ? "not accessed" : "unreadable code");
    if (!e->ug && t <= 11 && EC_AR_DPL(g->ar) < (g->sel & 3u))
        ec_fail(e, dpl_rule, "%s.DPL %u below RPL %u (selector 0x%04x)", seg_name[s],
                EC_AR_DPL(g->ar), g->sel & 3u, g->sel);
    check_common_ar(e, s);
}

static void check_tr_ldtr(struct ec *e)
{
    const struct ec_seg_state *tr = &e->seg[EC_TR], *ld = &e->seg[EC_LDTR];
    unsigned t = EC_AR_TYPE(tr->ar);
    if (e->ia32e_guest ? t != 11 : (t != 3 && t != 11))
        ec_fail(e, ENTRY_RULE_G_TR_TYPE, "TR type %u%s", t,
                e->ia32e_guest ? " in an IA-32e mode guest" : "");
    if (tr->ar & EC_AR_S)
        ec_fail(e, ENTRY_RULE_G_TR_S, "TR access rights 0x%x: S is 1", tr->ar);
    if (!(tr->ar & EC_AR_P))
        ec_fail(e, ENTRY_RULE_G_TR_P, "TR access rights 0x%x: P is 0", tr->ar);
    if (tr->ar & EC_AR_RSV_11_8)
        ec_fail(e, ENTRY_RULE_G_TR_RSV8, "TR access rights 0x%x set bits 11:8", tr->ar);
    if (!limit_g_ok(tr->limit, tr->ar))
        ec_fail(e, ENTRY_RULE_G_TR_G, "TR limit 0x%x with G=%u", tr->limit,
                (tr->ar & EC_AR_G) ? 1 : 0);
    if (tr->ar & EC_AR_UNUSABLE)
        ec_fail(e, ENTRY_RULE_G_TR_UNUSABLE, "TR is marked unusable (access rights 0x%x)", tr->ar);
    if (tr->ar & EC_AR_RSV_31_17)
        ec_fail(e, ENTRY_RULE_G_TR_RSV17, "TR access rights 0x%x set bits 31:17", tr->ar);

    if (ld->ar & EC_AR_UNUSABLE)
        return;
    if (EC_AR_TYPE(ld->ar) != 2)
        ec_fail(e, ENTRY_RULE_G_LDTR_TYPE, "LDTR type %u", EC_AR_TYPE(ld->ar));
    if (ld->ar & EC_AR_S)
        ec_fail(e, ENTRY_RULE_G_LDTR_S, "LDTR access rights 0x%x: S is 1", ld->ar);
    if (!(ld->ar & EC_AR_P))
        ec_fail(e, ENTRY_RULE_G_LDTR_P, "LDTR access rights 0x%x: P is 0", ld->ar);
    if (ld->ar & EC_AR_RSV_11_8)
        ec_fail(e, ENTRY_RULE_G_LDTR_RSV8, "LDTR access rights 0x%x set bits 11:8", ld->ar);
    if (!limit_g_ok(ld->limit, ld->ar))
        ec_fail(e, ENTRY_RULE_G_LDTR_G, "LDTR limit 0x%x with G=%u", ld->limit,
                (ld->ar & EC_AR_G) ? 1 : 0);
    if (ld->ar & EC_AR_RSV_31_17)
        ec_fail(e, ENTRY_RULE_G_LDTR_RSV17, "LDTR access rights 0x%x set bits 31:17", ld->ar);
}

/* SDM 27.3.1.2: selectors and base addresses */
static void check_selectors_bases(struct ec *e)
{
    const struct ec_seg_state *s = e->seg;
    bool ldtr_usable = !(s[EC_LDTR].ar & EC_AR_UNUSABLE);
    if (s[EC_TR].sel & 4)
        ec_fail(e, ENTRY_RULE_G_TR_TI, "TR selector 0x%04x has TI=1", s[EC_TR].sel);
    if (ldtr_usable && (s[EC_LDTR].sel & 4))
        ec_fail(e, ENTRY_RULE_G_LDTR_TI, "LDTR selector 0x%04x has TI=1", s[EC_LDTR].sel);
    if (!e->v86 && !e->ug && (s[EC_SS].sel & 3u) != (s[EC_CS].sel & 3u))
        ec_fail(e, ENTRY_RULE_G_SS_RPL, "SS.RPL %u differs from CS.RPL %u", s[EC_SS].sel & 3u,
                s[EC_CS].sel & 3u);
    if (!ec_canonical(e, s[EC_TR].base))
        ec_fail(e, ENTRY_RULE_G_TR_BASE, "TR base 0x%llx is not canonical",
                (unsigned long long)s[EC_TR].base);
    if (!ec_canonical(e, s[EC_FS].base))
        ec_fail(e, ENTRY_RULE_G_FS_BASE, "FS base 0x%llx is not canonical",
                (unsigned long long)s[EC_FS].base);
    if (!ec_canonical(e, s[EC_GS].base))
        ec_fail(e, ENTRY_RULE_G_GS_BASE, "GS base 0x%llx is not canonical",
                (unsigned long long)s[EC_GS].base);
    if (ldtr_usable && !ec_canonical(e, s[EC_LDTR].base))
        ec_fail(e, ENTRY_RULE_G_LDTR_BASE, "LDTR base 0x%llx is not canonical",
                (unsigned long long)s[EC_LDTR].base);
    if (s[EC_CS].base >> 32)
        ec_fail(e, ENTRY_RULE_G_CS_BASE, "CS base 0x%llx sets bits 63:32",
                (unsigned long long)s[EC_CS].base);
    static const struct {
        int seg;
        enum entry_rule rule;
    } high[] = {{EC_SS, ENTRY_RULE_G_SS_BASE},
                {EC_DS, ENTRY_RULE_G_DS_BASE},
                {EC_ES, ENTRY_RULE_G_ES_BASE}};
    for (int i = 0; i < 3; i++) {
        const struct ec_seg_state *g = &s[high[i].seg];
        if (!(g->ar & EC_AR_UNUSABLE) && (g->base >> 32))
            ec_fail(e, high[i].rule, "%s base 0x%llx sets bits 63:32", seg_name[high[i].seg],
                    (unsigned long long)g->base);
    }
}

/* SDM 27.3.1.3 */
static void check_dtrs(struct ec *e)
{
    uint64_t gb = ec_read(e, GUEST_GDTR_BASE), ib = ec_read(e, GUEST_IDTR_BASE);
    uint32_t gl = (uint32_t)ec_read(e, GUEST_GDTR_LIMIT),
             il = (uint32_t)ec_read(e, GUEST_IDTR_LIMIT);
    if (!ec_canonical(e, gb))
        ec_fail(e, ENTRY_RULE_G_GDTR_BASE, "GDTR base 0x%llx is not canonical",
                (unsigned long long)gb);
    if (!ec_canonical(e, ib))
        ec_fail(e, ENTRY_RULE_G_IDTR_BASE, "IDTR base 0x%llx is not canonical",
                (unsigned long long)ib);
    if (gl >> 16)
        ec_fail(e, ENTRY_RULE_G_GDTR_LIMIT, "GDTR limit 0x%x sets bits 31:16", gl);
    if (il >> 16)
        ec_fail(e, ENTRY_RULE_G_IDTR_LIMIT, "IDTR limit 0x%x sets bits 31:16", il);
}

void ec_check_segments(struct ec *e)
{
    check_selectors_bases(e);
    if (e->v86) {
        check_v86(e);
    } else {
        check_cs(e);
        check_ss(e);
        check_data(e, EC_DS, ENTRY_RULE_G_DS_TYPE, ENTRY_RULE_G_DS_DPL);
        check_data(e, EC_ES, ENTRY_RULE_G_ES_TYPE, ENTRY_RULE_G_ES_DPL);
        check_data(e, EC_FS, ENTRY_RULE_G_FS_TYPE, ENTRY_RULE_G_FS_DPL);
        check_data(e, EC_GS, ENTRY_RULE_G_GS_TYPE, ENTRY_RULE_G_GS_DPL);
    }
    check_tr_ldtr(e);
    check_dtrs(e);
}
