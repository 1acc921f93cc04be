/*
 * vmx/entry_check.c - the software VM-entry checker: rule table, reporting, verdict, the basic
 * checks of SDM 27.1 and the MSR-load checks of SDM 27.4 (pure). The control, host and guest
 * checks are in entry_check_ctl.c, entry_check_host.c, entry_check_guest.c, entry_check_seg.c.
 */
#include <stdarg.h>
#include <string.h>

#include "vmx/entry_check.h"
#include "platform/fmt.h"
#include "vmx/entry_check_int.h"
#include "vmx/vmcs_fields.h"

/* ---- the rule table ------------------------------------------------------------------------ */

struct rule_row {
    const char *id, *section, *text;
    uint8_t cat;
    uint8_t arg; /* BASIC: VM-instruction error; GUEST: exit qualification */
};

#define BASIC ENTRY_CAT_BASIC
#define CTL   ENTRY_CAT_CTL
#define HOST  ENTRY_CAT_HOST
#define GUEST ENTRY_CAT_GUEST
#define MSR   ENTRY_CAT_MSR
static const struct rule_row rules[ENTRY_RULE_COUNT] = {
#define ENTRY_RULE(name, id, section, cat, arg, text)                                              \
    [ENTRY_RULE_##name] = {id, section, text, cat, arg},
#include "vmx/entry_rules.def"
#undef ENTRY_RULE
};
#undef BASIC
#undef CTL
#undef HOST
#undef GUEST
#undef MSR

static bool valid_rule(enum entry_rule r)
{
    return (unsigned)r < ENTRY_RULE_COUNT;
}

const char *entry_rule_id(enum entry_rule r)
{
    return valid_rule(r) ? rules[r].id : "?";
}

const char *entry_rule_section(enum entry_rule r)
{
    return valid_rule(r) ? rules[r].section : "?";
}

const char *entry_rule_text(enum entry_rule r)
{
    return valid_rule(r) ? rules[r].text : "?";
}

enum entry_category entry_rule_category(enum entry_rule r)
{
    return valid_rule(r) ? (enum entry_category)rules[r].cat : ENTRY_CAT_COUNT;
}

enum entry_rule entry_rule_by_id(const char *id)
{
    if (!id)
        return ENTRY_RULE_COUNT;
    for (unsigned i = 0; i < ENTRY_RULE_COUNT; i++)
        if (strcmp(rules[i].id, id) == 0)
            return (enum entry_rule)i;
    return ENTRY_RULE_COUNT;
}

/* SDM 27.1-27.4, 27.8: what the processor does when rule r fails. */
struct entry_verdict entry_rule_verdict(enum entry_rule r, uint64_t qualification)
{
    struct entry_verdict v = {ENTRY_VERDICT_PASS, 0, 0};
    switch (entry_rule_category(r)) {
    case ENTRY_CAT_BASIC:
        v.kind = ENTRY_VERDICT_VMFAIL;
        v.code = rules[r].arg;
        break;
    case ENTRY_CAT_CTL:
        v.kind = ENTRY_VERDICT_VMFAIL;
        v.code = ENTRY_ERR_CONTROL;
        break;
    case ENTRY_CAT_HOST:
        v.kind = ENTRY_VERDICT_VMFAIL;
        v.code = ENTRY_ERR_HOST;
        break;
    case ENTRY_CAT_GUEST:
        v.kind = ENTRY_VERDICT_EXIT;
        v.code = ENTRY_EXIT_INVALID_GUEST;
        v.qualification = qualification;
        break;
    case ENTRY_CAT_MSR:
        v.kind = ENTRY_VERDICT_EXIT;
        v.code = ENTRY_EXIT_MSR_LOADING;
        v.qualification = qualification;
        break;
    default:
        break;
    }
    return v;
}

struct entry_verdict entry_verdict_of(const struct entry_finding *f, size_t n)
{
    const struct entry_finding *first = NULL;
    for (size_t i = 0; f && i < n; i++) {
        if (f[i].skipped)
            continue;
        if (!first || entry_rule_category(f[i].rule) < entry_rule_category(first->rule))
            first = &f[i];
    }
    if (!first)
        return (struct entry_verdict){ENTRY_VERDICT_PASS, 0, 0};
    return entry_rule_verdict(first->rule, first->qualification);
}

int entry_format_verdict(char *buf, size_t n, const struct entry_verdict *v)
{
    static const char *const qual33[] = {"", "", " (PDPTE loading)",
                                         " (NMI injection blocked by STI)", " (VMCS link pointer)"};
    if (!v || v->kind == ENTRY_VERDICT_PASS)
        return fmt_snprintf(buf, n, "VM entry succeeds");
    if (v->kind == ENTRY_VERDICT_VMFAIL) {
        const char *what = v->code == ENTRY_ERR_CONTROL  ? "invalid control field"
                           : v->code == ENTRY_ERR_HOST   ? "invalid host-state field"
                           : v->code == ENTRY_ERR_MOV_SS ? "VM entry with events blocked by MOV SS"
                           : v->code == 4                ? "VMLAUNCH with non-clear VMCS"
                           : v->code == 5                ? "VMRESUME with non-launched VMCS"
                                                         : "error";
        return fmt_snprintf(buf, n, "VMfailValid %u (%s)", v->code, what);
    }
    if (v->code == ENTRY_EXIT_MSR_LOADING)
        return fmt_snprintf(buf, n, "VM exit 34 (MSR loading), entry %llu",
                            (unsigned long long)v->qualification);
    return fmt_snprintf(buf, n, "VM exit %u (invalid guest state), qualification %llu%s", v->code,
                        (unsigned long long)v->qualification,
                        v->qualification < 5 ? qual33[v->qualification] : "");
}

int entry_format_finding(char *buf, size_t n, const struct entry_finding *f)
{
    char verdict[96];
    if (!f)
        return fmt_snprintf(buf, n, "?");
    if (f->skipped)
        return fmt_snprintf(buf, n, "%s: not checked: %s [%s]", entry_rule_id(f->rule), f->msg,
                            entry_rule_section(f->rule));
    struct entry_verdict v = entry_rule_verdict(f->rule, f->qualification);
    entry_format_verdict(verdict, sizeof(verdict), &v);
    return fmt_snprintf(buf, n, "%s: %s [%s; %s]", entry_rule_id(f->rule), f->msg,
                        entry_rule_section(f->rule), verdict);
}

/* ---- reporting and helpers used by every part ---------------------------------------------- */

uint64_t ec_read(struct ec *e, uint32_t encoding)
{
    uint64_t v = 0;
    if (e->env->read(e->env->read_ctx, encoding, &v) != 0) {
        e->res->unreadable++;
        return 0;
    }
    return v;
}

bool ec_phys(struct ec *e, uint64_t addr, uint64_t *value)
{
    *value = 0;
    if (!e->env->phys_read)
        return false;
    return e->env->phys_read(e->env->phys_ctx, addr, value) == 0;
}

static void record(struct ec *e, enum entry_rule r, bool skipped, uint64_t q, const char *fmt,
                   va_list ap)
{
    struct entry_finding f;
    memset(&f, 0, sizeof(f));
    f.rule = r;
    f.skipped = skipped;
    f.qualification = q;
    fmt_vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
    if (skipped) {
        e->res->skipped++;
    } else {
        e->res->failed++;
        e->res->per_cat[rules[r].cat]++;
        /* the parts run in the processor's order, so the first failure decides (SDM 27.1-27.4) */
        if (!e->have_first) {
            e->have_first = true;
            e->res->first = r;
            e->res->verdict = entry_rule_verdict(r, q);
        }
    }
    if (e->report)
        e->report(e->rctx, &f);
}

void ec_fail(struct ec *e, enum entry_rule r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(e, r, false, rules[r].cat == ENTRY_CAT_GUEST ? rules[r].arg : 0, fmt, ap);
    va_end(ap);
}

void ec_fail_q(struct ec *e, enum entry_rule r, uint64_t q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(e, r, false, q, fmt, ap);
    va_end(ap);
}

void ec_skip(struct ec *e, enum entry_rule r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(e, r, true, 0, fmt, ap);
    va_end(ap);
}

bool ec_canonical(const struct ec *e, uint64_t a)
{
    /* bits 63:N-1 all equal, N the linear-address width (SDM vol. 1 3.3.7.1) */
    int64_t s = (int64_t)(a << (64 - e->linear_width)) >> (64 - e->linear_width);
    return (uint64_t)s == a;
}

bool ec_beyond_width(const struct ec *e, uint64_t a)
{
    return e->maxphyaddr < 64 && (a >> e->maxphyaddr) != 0;
}

bool ec_addr_beyond(const struct ec *e, uint64_t a)
{
    /* SDM A.1: IA32_VMX_BASIC[48] limits the addresses of VMX structures to 32 bits */
    return ec_beyond_width(e, a) || (e->caps->phys_addr_32bit && (a >> 32) != 0);
}

/* ---- SDM 27.1 basic checks ----------------------------------------------------------------- */

void ec_check_basic(struct ec *e)
{
    const struct entry_check_env *env = e->env;
    /* SDM 27.1: VMfailValid 26 when events are blocked by MOV SS */
    if (env->mov_ss_blocking)
        ec_fail(e, ENTRY_RULE_B_MOV_SS, "VM entry attempted while events are blocked by MOV SS");
    /* SDM 27.1: launch state of the current VMCS */
    if (env->insn == ENTRY_INSN_VMLAUNCH && env->launch_state == ENTRY_LAUNCH_LAUNCHED)
        ec_fail(e, ENTRY_RULE_B_LAUNCH_STATE, "VMLAUNCH but the VMCS launch state is launched");
    if (env->insn == ENTRY_INSN_VMRESUME && env->launch_state == ENTRY_LAUNCH_CLEAR)
        ec_fail(e, ENTRY_RULE_B_RESUME_STATE, "VMRESUME but the VMCS launch state is clear");
}

/* ---- SDM 27.4 loading MSRs ----------------------------------------------------------------- */

#define MSR_IA32_SMM_MONITOR_CTL 0x9bu
#define MSR_IA32_FS_BASE         0xc0000100u
#define MSR_IA32_GS_BASE         0xc0000101u
#define MSR_LOAD_CHECK_MAX       4096u /* entries looked at; 512 * 8, IA32_VMX_MISC's maximum */

void ec_check_msr_load(struct ec *e)
{
    uint32_t count = (uint32_t)ec_read(e, VM_ENTRY_MSR_LOAD_COUNT);
    uint64_t addr = ec_read(e, VM_ENTRY_MSR_LOAD_ADDR);
    if (count == 0)
        return;
    /* an area that fails 27.2.1.3 is never read by the processor */
    if ((addr & 0xf) || ec_addr_beyond(e, addr) || ec_addr_beyond(e, addr + 16ULL * count - 1))
        return;
    if (!e->env->phys_read) {
        ec_skip(e, ENTRY_RULE_M_RESERVED,
                "%u VM-entry MSR-load entries at 0x%llx: no memory reader", count,
                (unsigned long long)addr);
        return;
    }
    bool truncated = count > MSR_LOAD_CHECK_MAX;
    uint32_t n = truncated ? MSR_LOAD_CHECK_MAX : count;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t q;
        uint64_t at = addr + 16ULL * i;
        uint64_t idx1 = i + 1ULL; /* SDM 27.8: the qualification counts entries from 1 */
        if (!ec_phys(e, at, &q)) {
            ec_skip(e, ENTRY_RULE_M_RESERVED, "entry %u at 0x%llx could not be read", i + 1,
                    (unsigned long long)at);
            return;
        }
        uint32_t msr = (uint32_t)q;
        /* SDM 27.4: entries the processor refuses to load */
        if (msr == MSR_IA32_FS_BASE || msr == MSR_IA32_GS_BASE)
            ec_fail_q(e, ENTRY_RULE_M_FS_GS_BASE, idx1, "entry %u loads MSR 0x%x (FS/GS base)",
                      i + 1, msr);
        if ((msr >> 8) == 0x8)
            ec_fail_q(e, ENTRY_RULE_M_X2APIC, idx1, "entry %u loads x2APIC MSR 0x%x", i + 1, msr);
        if (msr == MSR_IA32_SMM_MONITOR_CTL && !e->env->in_smm)
            ec_fail_q(e, ENTRY_RULE_M_SMM_ONLY, idx1,
                      "entry %u loads IA32_SMM_MONITOR_CTL outside SMM", i + 1);
        if (q >> 32)
            ec_fail_q(e, ENTRY_RULE_M_RESERVED, idx1, "entry %u (MSR 0x%x): reserved bits 0x%x",
                      i + 1, msr, (uint32_t)(q >> 32));
    }
    if (truncated)
        ec_skip(e, ENTRY_RULE_M_RESERVED, "only the first %u of %u entries were checked", n, count);
}

/* ---- the driver ---------------------------------------------------------------------------- */

static void read_controls(struct ec *e)
{
    /* SDM 25.6.2, 27.2.1.1: an inactive secondary/tertiary field counts as 0 */
    e->pin = (uint32_t)ec_read(e, PIN_BASED_VM_EXEC_CONTROL);
    e->proc = (uint32_t)ec_read(e, CPU_BASED_VM_EXEC_CONTROL);
    e->proc2 = 0;
    e->proc3 = 0;
    e->exit2 = 0;
    e->vmfunc = 0;
    if (e->proc & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS)
        e->proc2 = (uint32_t)ec_read(e, SECONDARY_VM_EXEC_CONTROL);
    if (e->proc & PROC_BASED_ACTIVATE_TERTIARY_CONTROLS)
        e->proc3 = ec_read(e, TERTIARY_VM_EXEC_CONTROL);
    e->exit = (uint32_t)ec_read(e, VM_EXIT_CONTROLS);
    if (e->exit & VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS)
        e->exit2 = ec_read(e, SECONDARY_VM_EXIT_CONTROLS);
    e->entry = (uint32_t)ec_read(e, VM_ENTRY_CONTROLS);
    if (e->proc2 & PROC_BASED2_ENABLE_VM_FUNCTIONS)
        e->vmfunc = ec_read(e, VM_FUNCTION_CONTROL);
    e->ug = e->proc2 & PROC_BASED2_UNRESTRICTED_GUEST;
    e->ept = e->proc2 & PROC_BASED2_ENABLE_EPT;
    e->ia32e_guest = e->entry & VM_ENTRY_CTL_IA32E_MODE_GUEST;
    e->host64 = e->exit & VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE;
}

static void read_guest(struct ec *e)
{
    static const uint32_t sel[EC_SEG_COUNT] = {
        GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR,   GUEST_DS_SELECTOR,
        GUEST_FS_SELECTOR, GUEST_GS_SELECTOR, GUEST_LDTR_SELECTOR, GUEST_TR_SELECTOR};
    static const uint32_t base[EC_SEG_COUNT] = {GUEST_ES_BASE,   GUEST_CS_BASE, GUEST_SS_BASE,
                                                GUEST_DS_BASE,   GUEST_FS_BASE, GUEST_GS_BASE,
                                                GUEST_LDTR_BASE, GUEST_TR_BASE};
    static const uint32_t limit[EC_SEG_COUNT] = {GUEST_ES_LIMIT,   GUEST_CS_LIMIT, GUEST_SS_LIMIT,
                                                 GUEST_DS_LIMIT,   GUEST_FS_LIMIT, GUEST_GS_LIMIT,
                                                 GUEST_LDTR_LIMIT, GUEST_TR_LIMIT};
    static const uint32_t ar[EC_SEG_COUNT] = {
        GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES,   GUEST_DS_AR_BYTES,
        GUEST_FS_AR_BYTES, GUEST_GS_AR_BYTES, GUEST_LDTR_AR_BYTES, GUEST_TR_AR_BYTES};
    e->cr0 = ec_read(e, GUEST_CR0);
    e->cr4 = ec_read(e, GUEST_CR4);
    e->rflags = ec_read(e, GUEST_RFLAGS);
    e->debugctl = ec_read(e, GUEST_IA32_DEBUGCTL);
    e->v86 = e->rflags & EC_RFLAGS_VM;
    e->intr_info = (uint32_t)ec_read(e, VM_ENTRY_INTR_INFO_FIELD);
    e->inject = e->intr_info & EC_INTR_VALID;
    e->itype = EC_INTR_TYPE(e->intr_info);
    e->ivector = EC_INTR_VECTOR(e->intr_info);
    e->interruptibility = (uint32_t)ec_read(e, GUEST_INTERRUPTIBILITY_INFO);
    e->activity = (uint32_t)ec_read(e, GUEST_ACTIVITY_STATE);
    for (int i = 0; i < EC_SEG_COUNT; i++) {
        e->seg[i].sel = (uint16_t)ec_read(e, sel[i]);
        e->seg[i].base = ec_read(e, base[i]);
        e->seg[i].limit = (uint32_t)ec_read(e, limit[i]);
        e->seg[i].ar = (uint32_t)ec_read(e, ar[i]);
    }
}

int entry_check(const struct entry_check_env *env, entry_report_fn report, void *rctx,
                struct entry_check_result *res)
{
    struct entry_check_result local;
    struct ec e;
    if (!res)
        res = &local;
    memset(res, 0, sizeof(*res));
    res->first = ENTRY_RULE_COUNT;
    if (!env || !env->read || !env->caps)
        return -1;
    memset(&e, 0, sizeof(e));
    e.env = env;
    e.caps = env->caps;
    e.report = report;
    e.rctx = rctx;
    e.res = res;
    e.maxphyaddr = env->maxphyaddr ? env->maxphyaddr : 36;
    e.linear_width = env->linear_width ? env->linear_width : 48;
    if (e.linear_width > 64)
        e.linear_width = 64;
    read_controls(&e);
    read_guest(&e);
    ec_check_basic(&e);
    ec_check_exec(&e);
    ec_check_exit_entry(&e);
    ec_check_host(&e);
    ec_check_guest_regs(&e);
    ec_check_segments(&e);
    ec_check_guest_rest(&e);
    ec_check_msr_load(&e);
    return (int)res->failed;
}

struct collector {
    struct entry_finding *out;
    size_t max, n;
};

static void collect(void *ctx, const struct entry_finding *f)
{
    struct collector *c = ctx;
    if (c->n < c->max)
        c->out[c->n] = *f;
    c->n++;
}

int entry_check_collect(const struct entry_check_env *env, struct entry_finding *out, size_t max,
                        size_t *count, struct entry_check_result *res)
{
    struct collector c = {out, out ? max : 0, 0};
    int rc = entry_check(env, collect, &c, res);
    if (count)
        *count = c.n < c.max ? c.n : c.max;
    return rc;
}
