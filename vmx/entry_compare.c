/*
 * vmx/entry_compare.c - a processor's answer to a VM entry against the checker's findings, with
 * the SDM's latitude and the deviation table of Bochs 2.7 (pure). The table's facts come from
 * reading bochs/cpu/vmx.cc of Bochs 2.7 (tag REL_2_7_FINAL of bochs-emu/Bochs); each row names
 * the function that does it, and docs/entry-checker.md explains each one.
 */
#include <string.h>

#include "vmx/entry_compare.h"
#include "platform/fmt.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_msr.h"

/* ---- the answers the SDM allows ---------------------------------------------------------- */

struct answers {
    bool basic, ctl, host, guest, msr;
    struct entry_verdict basic_v; /* the first failed SDM 27.1 rule decides (sequential) */
    uint64_t guest_quals;         /* bit q: some failed guest rule has qualification q */
    uint64_t msr_first;           /* the first failing MSR-load entry (1-based) */
};

static void answers_add(struct answers *a, enum entry_category cat, const struct entry_verdict *v)
{
    switch (cat) {
    case ENTRY_CAT_BASIC:
        if (!a->basic)
            a->basic_v = *v;
        a->basic = true;
        break;
    case ENTRY_CAT_CTL:
        a->ctl = true;
        break;
    case ENTRY_CAT_HOST:
        a->host = true;
        break;
    case ENTRY_CAT_GUEST:
        a->guest = true;
        if (v->qualification < 64)
            a->guest_quals |= 1ULL << v->qualification;
        break;
    case ENTRY_CAT_MSR:
        if (!a->msr || v->qualification < a->msr_first)
            a->msr_first = v->qualification;
        a->msr = true;
        break;
    default:
        break;
    }
}

/* SDM 27.1 (in order), 27.2 ("these checks may be performed in any order"), 27.3, 27.4, 27.8 */
static bool answers_allow(const struct answers *a, const struct entry_verdict *cpu)
{
    if (a->basic)
        return cpu->kind == ENTRY_VERDICT_VMFAIL && cpu->code == a->basic_v.code;
    if (a->ctl || a->host)
        return cpu->kind == ENTRY_VERDICT_VMFAIL && ((a->ctl && cpu->code == ENTRY_ERR_CONTROL) ||
                                                     (a->host && cpu->code == ENTRY_ERR_HOST));
    if (a->guest)
        return cpu->kind == ENTRY_VERDICT_EXIT && cpu->code == ENTRY_EXIT_INVALID_GUEST &&
               cpu->qualification < 64 && (a->guest_quals >> cpu->qualification & 1);
    if (a->msr)
        return cpu->kind == ENTRY_VERDICT_EXIT && cpu->code == ENTRY_EXIT_MSR_LOADING &&
               cpu->qualification == a->msr_first;
    return cpu->kind == ENTRY_VERDICT_PASS;
}

bool entry_verdict_allowed(const struct entry_finding *f, size_t n, const struct entry_verdict *cpu)
{
    struct answers a;
    memset(&a, 0, sizeof(a));
    if (!cpu)
        return false;
    for (size_t i = 0; f && i < n; i++) {
        if (f[i].skipped)
            continue;
        struct entry_verdict v = entry_rule_verdict(f[i].rule, f[i].qualification);
        answers_add(&a, entry_rule_category(f[i].rule), &v);
    }
    return answers_allow(&a, cpu);
}

/* ---- what the deviation rows look at ------------------------------------------------------ */

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_N };

struct dstate {
    uint32_t proc2, entry, activity, intr_info;
    bool ug, ia32e;
    uint64_t cr0, rflags, pde, tsc_multiplier;
    uint16_t sel[SEG_N];
    uint32_t ar[SEG_N];
};

static uint64_t rd(const struct entry_check_env *env, uint32_t enc)
{
    uint64_t v = 0;
    if (env->read(env->read_ctx, enc, &v) != 0)
        return 0;
    return v;
}

static void dstate_read(const struct entry_check_env *env, struct dstate *s)
{
    static const uint32_t sel[SEG_N] = {GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR,
                                        GUEST_DS_SELECTOR, GUEST_FS_SELECTOR, GUEST_GS_SELECTOR};
    static const uint32_t ar[SEG_N] = {GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES,
                                       GUEST_DS_AR_BYTES, GUEST_FS_AR_BYTES, GUEST_GS_AR_BYTES};
    memset(s, 0, sizeof(*s));
    /* SDM 25.6.2: the secondary controls count only when activated */
    if (rd(env, CPU_BASED_VM_EXEC_CONTROL) & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS)
        s->proc2 = (uint32_t)rd(env, SECONDARY_VM_EXEC_CONTROL);
    s->entry = (uint32_t)rd(env, VM_ENTRY_CONTROLS);
    s->ug = s->proc2 & PROC_BASED2_UNRESTRICTED_GUEST;
    s->ia32e = s->entry & VM_ENTRY_CTL_IA32E_MODE_GUEST;
    s->activity = (uint32_t)rd(env, GUEST_ACTIVITY_STATE);
    s->intr_info = (uint32_t)rd(env, VM_ENTRY_INTR_INFO_FIELD);
    s->cr0 = rd(env, GUEST_CR0);
    s->rflags = rd(env, GUEST_RFLAGS);
    s->pde = rd(env, GUEST_PENDING_DBG_EXCEPTIONS);
    if (s->proc2 & PROC_BASED2_USE_TSC_SCALING)
        s->tsc_multiplier = rd(env, TSC_MULTIPLIER);
    for (int i = 0; i < SEG_N; i++) {
        s->sel[i] = (uint16_t)rd(env, sel[i]);
        s->ar[i] = (uint32_t)rd(env, ar[i]);
    }
}

#define AR_TYPE(ar) ((ar)&0xfu)
#define AR_DPL(ar)  (((ar) >> 5) & 3u)
#define AR_L        (1u << 13)
#define RFLAGS_VM   (1ULL << 17)

/* the guest will run 64-bit code: IA-32e mode guest and CS.L (SDM 27.3.1.2 uses the same) */
static bool in_64bit(const struct dstate *s)
{
    return s->ia32e && (s->ar[SEG_CS] & AR_L);
}

/* ---- the rows ------------------------------------------------------------------------------ */

static bool always(const struct dstate *s, const struct entry_finding *f)
{
    (void)s;
    (void)f;
    return true;
}

static bool pde_high_only(const struct dstate *s, const struct entry_finding *f)
{
    (void)f;
    /* Bochs keeps the field in 32 bits and calls bits 31:4 but 14 and 12 reserved */
    return ((uint32_t)s->pde & 0xffffaff0u) == 0;
}

static bool hlt_or_shutdown_18(const struct dstate *s, const struct entry_finding *f)
{
    (void)f;
    return s->activity == 1 || (s->activity == 2 && (s->intr_info & 0xffu) == 18);
}

static bool ss_null_64bit(const struct dstate *s, const struct entry_finding *f)
{
    (void)f;
    /* BX_SELECTOR_RPL_MASK is 0xfffc in Bochs: the test is for a null selector (0-3) */
    return in_64bit(s) && (s->sel[SEG_SS] & 0xfffcu) == 0 && !(s->rflags & RFLAGS_VM);
}

static bool unrestricted(const struct dstate *s, const struct entry_finding *f)
{
    (void)f;
    return s->ug;
}

static bool data_type11(const struct dstate *s, const struct entry_finding *f)
{
    int seg = f->rule == ENTRY_RULE_G_ES_DPL   ? SEG_ES
              : f->rule == ENTRY_RULE_G_DS_DPL ? SEG_DS
              : f->rule == ENTRY_RULE_G_FS_DPL ? SEG_FS
                                               : SEG_GS;
    return AR_TYPE(s->ar[seg]) == 11;
}

static bool not_ia32e(const struct dstate *s, const struct entry_finding *f)
{
    (void)f;
    return !s->ia32e;
}

static bool tsc_multiplier_zero(const struct dstate *s, struct entry_verdict *v)
{
    if (!(s->proc2 & PROC_BASED2_USE_TSC_SCALING) || s->tsc_multiplier != 0)
        return false;
    *v = (struct entry_verdict){ENTRY_VERDICT_VMFAIL, ENTRY_ERR_CONTROL, 0};
    return true;
}

/* Bochs checks CS.DPL against CS.RPL, where the SDM compares it with SS.DPL */
static bool cs_dpl_against_rpl(const struct dstate *s, struct entry_verdict *v)
{
    uint32_t type = AR_TYPE(s->ar[SEG_CS]), dpl = AR_DPL(s->ar[SEG_CS]), rpl = s->sel[SEG_CS] & 3u;
    bool bad =
        ((type == 9 || type == 11) && rpl != dpl) || ((type == 13 || type == 15) && rpl < dpl);
    if (!s->ug || (s->rflags & RFLAGS_VM) || !bad)
        return false;
    *v = (struct entry_verdict){ENTRY_VERDICT_EXIT, ENTRY_EXIT_INVALID_GUEST, 0};
    return true;
}

struct row {
    struct entry_deviation d;
    bool (*covers)(const struct dstate *s, const struct entry_finding *f); /* NOT_CHECKED, QUAL */
    uint64_t qualification;                                                /* QUAL */
    bool (*extra)(const struct dstate *s, struct entry_verdict *v);        /* EXTRA */
};

#define VMX_CC      "bochs/cpu/vmx.cc, BX_CPU_C::"
#define CHECK_GUEST VMX_CC "VMenterLoadCheckGuestState"
#define CHECK_CTL   VMX_CC "VMenterLoadCheckVmControls"

static const struct row rows[] = {
    {{"bochs27.nmi_sti_qualification", "guest.intr.nmi_sti", ENTRY_DEV_QUALIFICATION,
      "an NMI injected with blocking by STI fails with exit qualification 0, not 3",
      CHECK_GUEST " (\"interrupts blocked when injecting NMI\" sets no qualification)"},
     always,
     0,
     NULL},
    {{"bochs27.pending_dbg_bs", "guest.pending_dbg.bs_missing guest.pending_dbg.bs_set",
      ENTRY_DEV_NOT_CHECKED,
      "the BS bit of the pending debug exceptions is not checked against RFLAGS.TF, "
      "IA32_DEBUGCTL.BTF and blocking/HLT",
      CHECK_GUEST " (checks only the reserved bits of tmpDR6)"},
     always,
     0,
     NULL},
    {{"bochs27.pending_dbg_high", "guest.pending_dbg.reserved", ENTRY_DEV_NOT_CHECKED,
      "bits 63:32 of the pending debug exceptions are not checked: the field is read into "
      "32 bits",
      CHECK_GUEST " (guest.tmpDR6 = (Bit32u) VMread_natural(...))"},
     pde_high_only,
     0,
     NULL},
    {{"bochs27.activity_injection", "guest.activity.injection", ENTRY_DEV_NOT_CHECKED,
      "the event injected into the HLT state is not checked (only wait-for-SIPI and shutdown "
      "are), and in the shutdown state any event with vector 18 passes",
      CHECK_GUEST " (\"No guest interruptions are allowed when entering Wait-For-Sipi\")"},
     hlt_or_shutdown_18,
     0,
     NULL},
    {{"bochs27.rip_canonical", "guest.rip.canonical", ENTRY_DEV_NOT_CHECKED,
      "the guest RIP of a 64-bit guest is not checked for canonical form (only bits 63:32 "
      "outside 64-bit mode)",
      CHECK_GUEST " (\"guest RIP > 32 bit\")"},
     always,
     0,
     NULL},
    {{"bochs27.entry_to_smm", "ctl.entry.smm_outside_smm ctl.entry.smm_and_dual_monitor",
      ENTRY_DEV_NOT_CHECKED,
      "\"entry to SMM\" outside SMM passes the control checks; the entry then fails the guest "
      "checks on blocking by SMI (exit 33)",
      CHECK_CTL " (checks only \"deactivate dual-monitor treatment\" outside SMM)"},
     always,
     0,
     NULL},
    {{"bochs27.tsc_multiplier_zero", "", ENTRY_DEV_EXTRA,
      "\"use TSC scaling\" with a TSC multiplier of 0 fails with VMfailValid 7 (no SDM rule)",
      CHECK_CTL " (\"TSC multiplier should be non zero\")"},
     NULL,
     0,
     tsc_multiplier_zero},
    {{"bochs27.ss_null_64bit",
      "guest.ss.type guest.ss.s guest.ss.p guest.ss.reserved_11_8 guest.ss.reserved_31_17 "
      "guest.ss.limit_g guest.ss.base",
      ENTRY_DEV_NOT_CHECKED,
      "a usable SS with a null selector (0-3) is not checked at all when the guest will run "
      "64-bit code",
      CHECK_GUEST " (\"SS is allowed to be NULL selector if going to 64-bit guest\": "
                  "selector & BX_SELECTOR_RPL_MASK, 0xfffc, is 0)"},
     ss_null_64bit,
     0,
     NULL},
    {{"bochs27.cs_dpl_unrestricted", "guest.cs.dpl.nonconforming guest.cs.dpl.conforming",
      ENTRY_DEV_NOT_CHECKED,
      "with unrestricted guest, CS.DPL is compared with CS.RPL (non-conforming: equal; "
      "conforming: not above), not with SS.DPL",
      CHECK_GUEST " (CS checks: \"non-conforming CS.RPL <> CS.DPL\")"},
     unrestricted,
     0,
     NULL},
    {{"bochs27.cs_rpl_unrestricted", "", ENTRY_DEV_EXTRA,
      "with unrestricted guest, a CS whose DPL differs from its RPL (non-conforming) or "
      "exceeds it (conforming) fails with exit 33",
      CHECK_GUEST " (CS checks: \"non-conforming CS.RPL <> CS.DPL\")"},
     NULL,
     0,
     cs_dpl_against_rpl},
    {{"bochs27.vnmi_blocked", "guest.intr.vnmi_blocked", ENTRY_DEV_NOT_CHECKED,
      "an NMI injected with virtual NMIs while blocking by NMI is 1 is not refused",
      CHECK_CTL " (the check is commented out)"},
     always,
     0,
     NULL},
    {{"bochs27.debugctl", "guest.debugctl.reserved", ENTRY_DEV_NOT_CHECKED,
      "the guest IA32_DEBUGCTL is not checked for reserved bits",
      CHECK_GUEST " (reads ia32_debugctl_msr without a check)"},
     always,
     0,
     NULL},
    {{"bochs27.ia32e_pg", "guest.ia32e.cr0_pg", ENTRY_DEV_NOT_CHECKED,
      "with unrestricted guest, an IA-32e mode guest with CR0.PG=0 is not refused (CR4.PAE is "
      "checked, CR0.PG is not)",
      CHECK_GUEST " (\"guest CR4.PAE=0 in x86-64 mode\")"},
     unrestricted,
     0,
     NULL},
    {{"bochs27.data_dpl_type11", "guest.es.dpl guest.ds.dpl guest.fs.dpl guest.gs.dpl",
      ENTRY_DEV_NOT_CHECKED,
      "DPL >= RPL of ES/DS/FS/GS is checked for types 0-10, not for type 11 (the SDM says "
      "0-11)",
      CHECK_GUEST " (\"if (guest.sregs[n].cache.type < 11)\")"},
     data_type11,
     0,
     NULL},
    {{"bochs27.rflags_vm_real", "guest.rflags.vm", ENTRY_DEV_NOT_CHECKED,
      "RFLAGS.VM is checked only against IA-32e mode guest, not against CR0.PE=0",
      CHECK_GUEST " (\"Enter to x86-64 guest with RFLAGS.VM\")"},
     not_ia32e,
     0,
     NULL},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
_Static_assert(NROWS <= ENTRY_DEV_MAX, "rows must fit the mask");

size_t entry_deviation_count(void)
{
    return NROWS;
}

const struct entry_deviation *entry_deviation_at(size_t i)
{
    return i < NROWS ? &rows[i].d : NULL;
}

/* id is one of the blank-separated words of list */
static bool rule_listed(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && len && strncmp(p, id, n) == 0)
            return true;
        p += len;
    }
    return false;
}

int entry_deviation_format(char *buf, size_t len, uint32_t mask)
{
    size_t at = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < NROWS; i++)
        if (mask & (1u << i)) {
            int w = fmt_snprintf(buf + at, at < len ? len - at : 0, "%s%s", at ? " " : "",
                                 rows[i].d.id);
            at += (size_t)w;
        }
    return (int)at;
}

int entry_compare(const struct entry_check_env *env, const struct entry_finding *f, size_t n,
                  const struct entry_verdict *cpu, struct entry_compare_result *r)
{
    struct answers a;
    struct dstate s;
    uint32_t used = 0;
    if (!env || !env->read || !cpu || !r || (n && !f))
        return -1;
    memset(r, 0, sizeof(*r));
    r->expect = entry_verdict_of(f, n);
    if (entry_verdict_allowed(f, n, cpu)) {
        r->how = ENTRY_AGREE;
        return 0;
    }
    /* the platform's answers: the findings as it sees them, and its own checks */
    dstate_read(env, &s);
    memset(&a, 0, sizeof(a));
    for (size_t i = 0; i < n; i++) {
        if (f[i].skipped)
            continue;
        struct entry_verdict v = entry_rule_verdict(f[i].rule, f[i].qualification);
        bool dropped = false;
        for (size_t k = 0; k < NROWS && !dropped; k++) {
            const struct row *rw = &rows[k];
            if (!rw->covers || !rule_listed(rw->d.rules, entry_rule_id(f[i].rule)) ||
                !rw->covers(&s, &f[i]))
                continue;
            used |= 1u << k;
            if (rw->d.kind == ENTRY_DEV_NOT_CHECKED)
                dropped = true;
            else
                v.qualification = rw->qualification;
        }
        if (!dropped)
            answers_add(&a, entry_rule_category(f[i].rule), &v);
    }
    for (size_t k = 0; k < NROWS; k++) {
        struct entry_verdict v;
        if (!rows[k].extra || !rows[k].extra(&s, &v))
            continue;
        used |= 1u << k;
        answers_add(&a,
                    v.kind == ENTRY_VERDICT_EXIT  ? ENTRY_CAT_GUEST
                    : v.code == ENTRY_ERR_CONTROL ? ENTRY_CAT_CTL
                                                  : ENTRY_CAT_HOST,
                    &v);
    }
    if (used && answers_allow(&a, cpu)) {
        r->how = ENTRY_AGREE_DEVIATION;
        r->deviations = used;
    } else {
        r->how = ENTRY_DISAGREE;
    }
    return 0;
}
