/*
 * scenarios/entry_diff.c - scenario entry-diff (book example 5-1): the differential test of
 * the software VM-entry checker against the CPU.
 *
 * From a valid base VMCS (entry_diff_base.c) it makes states: first every single mutation of
 * vmx/entry_mutate.h by index, then `iterations` random combinations from seed `seed` (state
 * i uses seed + i), at least as many as bring the run to 10,000 states. For each state: the
 * image is written into a VMCS made clear by VMCLEAR and current by VMPTRLD, the checker gives
 * its verdict, VMLAUNCH gives the CPU's (VMfailInvalid, VMfailValid with the VM-instruction
 * error, a VM-entry failure exit 33/34 with its qualification, or any other VM exit: the guest
 * was entered), and vmx/entry_compare.h says whether they agree, with the SDM's latitude and
 * the documented Bochs 2.7 deviations. Every disagreement is printed with its state and runs
 * once more after a marker VMREAD, so that bochs.log shows Bochs's own reason right after
 * "VMREAD: not supported field 0x7e<state>". PASS at 100 % agreement over >= 10,000 states.
 */
#include <string.h>
#include "platform/config.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "scenarios/entry_diff.h"
#include "scenarios/scenario.h"
#include "vmx/entry_compare.h"
#include "vmx/entry_explain.h"
#include "vmx/entry_mutate.h"
#include "vmx/entry_probe.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_names.h"

#define MIN_STATES      10000
#define MAX_SINGLES     2048
#define MAX_FINDINGS    48
#define MAX_PRINTED     40          /* disagreement lines; the rest are counted */
#define MARKER          0x7e000000u /* an encoding no CPU has (bits 31:15 reserved, SDM 25.11.2) */
#define EXIT_REASON_MAX 80

struct tally {
    unsigned states, agree, deviation, disagree, hazards;
    unsigned entered, vmfail_invalid, vmfail[32], exit33[8], exit34;
    unsigned entered_by[EXIT_REASON_MAX];
    unsigned per_row[ENTRY_DEV_MAX];
    bool rule_seen[ENTRY_RULE_COUNT];
};

static struct ediff_base base;
static struct entry_mutation singles[MAX_SINGLES];
static struct vmcs_image state;
static struct entry_finding found[MAX_FINDINGS];
static struct tally t;
static size_t nsingles;                 /* states 0..nsingles-1 are the single mutations */
static struct entry_check_env base_env; /* the checker reads state, the image */

/*
 * States Bochs 2.7 cannot answer: it stops with a panic (the system tests run it with
 * panic: action=fatal) where it should enter or fail. This base never yields them (a mutation
 * changes one bit of CR0, and the CPU model has MTF); they are kept out and counted should
 * another base or model allow them.
 */
static const char *bochs_hazard(const struct vmcs_image *im)
{
    uint64_t info = 0, proc = 0, proc2 = 0, entry = 0, cr0 = 0;
    vmcs_image_get(im, VM_ENTRY_INTR_INFO_FIELD, &info);
    vmcs_image_get(im, CPU_BASED_VM_EXEC_CONTROL, &proc);
    vmcs_image_get(im, SECONDARY_VM_EXEC_CONTROL, &proc2);
    vmcs_image_get(im, VM_ENTRY_CONTROLS, &entry);
    vmcs_image_get(im, GUEST_CR0, &cr0);
    if (!(proc & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS))
        proc2 = 0;
    if ((info >> 31) && ((info >> 8) & 7) == 7 &&
        !(vmx.caps.ctl[VMX_CTL_PROC].allowed1 & PROC_BASED_MONITOR_TRAP_FLAG))
        return "event type 7 without MTF (vmx.cc VMenterInjectEvents panics)";
    if ((entry & VM_ENTRY_CTL_IA32E_MODE_GUEST) && (proc2 & PROC_BASED2_UNRESTRICTED_GUEST) &&
        !(cr0 & (CR0_PE | CR0_PG)))
        return "IA-32e mode guest with CR0.PE=PG=0 (proc_ctrl.cc handleCpuModeChange panics)";
    return NULL;
}

/* VMCLEAR and VMPTRLD (launch state clear, SDM 25.1), then every field of im. */
static int load(const struct vmcs_image *im)
{
    if (vmclear(base.v.vmcs_phys) != VMX_OK || vmptrld(base.v.vmcs_phys) != VMX_OK)
        return -1;
    return ediff_load(im) ? -1 : 0;
}

/* The CPU's answer to VMLAUNCH of the current VMCS; *basic: the exit reason when entered. */
static struct entry_verdict launch(uint32_t *basic)
{
    struct entry_verdict v = {ENTRY_VERDICT_PASS, 0, 0};
    uint64_t x = 0;
    int rc = vmx_entry_probe();
    *basic = 0;
    if (rc == 1) {
        v.kind = ENTRY_VERDICT_VMFAIL; /* code 0: VMfailInvalid */
    } else if (rc == 2) {
        vmread(VM_INSTRUCTION_ERROR, &x);
        v.kind = ENTRY_VERDICT_VMFAIL;
        v.code = (uint32_t)x;
    } else {
        vmread(VM_EXIT_REASON, &x);
        if (x & (1u << 31)) { /* VM-entry failure (SDM 27.8) */
            v.kind = ENTRY_VERDICT_EXIT;
            v.code = (uint32_t)x & 0xffff;
            vmread(VM_EXIT_QUALIFICATION, &v.qualification);
        }
        *basic = (uint32_t)x & 0xffff;
    }
    return v;
}

static void count_cpu(const struct entry_verdict *v, uint32_t basic)
{
    if (v->kind == ENTRY_VERDICT_PASS) {
        t.entered++;
        t.entered_by[basic < EXIT_REASON_MAX ? basic : 0]++;
    } else if (v->kind == ENTRY_VERDICT_VMFAIL) {
        if (v->code == 0)
            t.vmfail_invalid++;
        else
            t.vmfail[v->code < 32 ? v->code : 0]++;
    } else if (v->code == ENTRY_EXIT_MSR_LOADING) {
        t.exit34++;
    } else {
        t.exit33[v->qualification < 8 ? v->qualification : 0]++;
    }
}

static void print_disagreement(unsigned idx, uint64_t seed, const struct entry_mutation *ms,
                               unsigned nm, const struct entry_compare_result *r, size_t nf,
                               const struct entry_verdict *cpu)
{
    char muts[512], rules[256], exp[128], got[128];
    size_t at = 0, rat = 0;
    muts[0] = rules[0] = '\0';
    for (unsigned i = 0; i < nm; i++) {
        if (i && at < sizeof(muts))
            at += (size_t)fmt_snprintf(muts + at, sizeof(muts) - at, "; ");
        if (at < sizeof(muts))
            at += (size_t)entry_mutate_format(muts + at, sizeof(muts) - at, &ms[i]);
    }
    for (size_t i = 0; i < nf && rat < sizeof(rules); i++)
        if (!found[i].skipped)
            rat += (size_t)fmt_snprintf(rules + rat, sizeof(rules) - rat, " %s",
                                        entry_rule_id(found[i].rule));
    entry_format_verdict(exp, sizeof(exp), &r->expect);
    entry_format_verdict(got, sizeof(got), cpu);
    if (idx >= nsingles)
        kprintf("entry-diff: DISAGREE state %u (seed %lu): %s\n", idx, seed, muts);
    else
        kprintf("entry-diff: DISAGREE state %u (single %u): %s\n", idx, idx, muts);
    kprintf("entry-diff:   checker: %s;%s%s\n", exp, rules[0] ? " rules" : " no rule fails", rules);
    kprintf("entry-diff:   CPU: %s (bochs.log: after \"not supported field 0x%08x\")\n", got,
            MARKER | idx);
}

/* One state: state holds its image; ms[0..nm-1] made it from the base. */
static void run_state(unsigned idx, uint64_t seed, const struct entry_mutation *ms, unsigned nm)
{
    struct entry_check_env env;
    struct entry_check_result res;
    struct entry_compare_result cmp;
    struct entry_verdict cpu;
    size_t nf = 0;
    uint32_t basic;
    if (bochs_hazard(&state)) {
        t.hazards++;
        return;
    }
    if (load(&state)) {
        t.states++;
        t.disagree++;
        kprintf("entry-diff: state %u: the VMCS could not be loaded\n", idx);
        return;
    }
    /* the checker reads what the CPU stores (VMWRITE cuts a field to its width) */
    for (unsigned i = 0; i < nm; i++)
        for (unsigned k = 0; k < ms[i].nfields; k++) {
            uint64_t v;
            if (vmread(ms[i].enc[k], &v) == VMX_OK)
                vmcs_image_set(&state, ms[i].enc[k], v);
        }
    env = base_env;
    entry_check_collect(&env, found, MAX_FINDINGS, &nf, &res);
    cpu = launch(&basic);
    t.states++;
    count_cpu(&cpu, basic);
    for (size_t i = 0; i < nf; i++)
        if (!found[i].skipped)
            t.rule_seen[found[i].rule] = true;
    entry_compare(&env, found, nf, &cpu, &cmp);
    if (cmp.how == ENTRY_AGREE) {
        t.agree++;
        return;
    }
    if (cmp.how == ENTRY_AGREE_DEVIATION) {
        t.agree++;
        t.deviation++;
        for (unsigned r = 0; r < ENTRY_DEV_MAX; r++)
            t.per_row[r] += (cmp.deviations >> r) & 1;
        return;
    }
    t.disagree++;
    if (t.disagree > MAX_PRINTED)
        return;
    print_disagreement(idx, seed, ms, nm, &cmp, nf, &cpu);
    /* once more, marked in bochs.log, for Bochs's own reason (its second opinion) */
    if (!load(&state)) {
        uint64_t dummy;
        vmread(MARKER | idx, &dummy);
        struct entry_verdict again = launch(&basic);
        if (again.kind != cpu.kind || again.code != cpu.code ||
            again.qualification != cpu.qualification)
            kprintf("entry-diff:   the second VMLAUNCH answered otherwise\n");
    }
}

static void print_summary(uint64_t ticks)
{
    char line[320];
    unsigned bp = t.states ? (unsigned)((uint64_t)t.agree * 10000 / t.states) : 0, rules = 0;
    for (unsigned r = 0; r < ENTRY_RULE_COUNT; r++)
        rules += t.rule_seen[r];
    kprintf("entry-diff: CPU answers: entered %u, VMfailValid 7: %u, 8: %u, other VMfailValid: "
            "%u, VMfailInvalid: %u, exit 33: %u (qualification 0: %u, 2: %u, 3: %u, 4: %u), "
            "exit 34: %u\n",
            t.entered, t.vmfail[7], t.vmfail[8],
            t.states - t.entered - t.vmfail[7] - t.vmfail[8] - t.vmfail_invalid - t.exit34 -
                (t.exit33[0] + t.exit33[1] + t.exit33[2] + t.exit33[3] + t.exit33[4] + t.exit33[5] +
                 t.exit33[6] + t.exit33[7]),
            t.vmfail_invalid,
            t.exit33[0] + t.exit33[1] + t.exit33[2] + t.exit33[3] + t.exit33[4] + t.exit33[5] +
                t.exit33[6] + t.exit33[7],
            t.exit33[0], t.exit33[2], t.exit33[3], t.exit33[4], t.exit34);
    for (uint32_t r = 0; r < EXIT_REASON_MAX; r++)
        if (t.entered_by[r]) {
            const char *name = vmx_exit_reason_name(r);
            kprintf("entry-diff:   entered, then exit %u %s: %u\n", r, name ? name : "?",
                    t.entered_by[r]);
        }
    kprintf("entry-diff: %u of %u rules failed in at least one state\n", rules,
            (unsigned)ENTRY_RULE_COUNT);
    kprintf("entry-diff: %u states fell under documented Bochs deviations:\n", t.deviation);
    for (size_t r = 0; r < entry_deviation_count(); r++) {
        const struct entry_deviation *d = entry_deviation_at(r);
        fmt_snprintf(line, sizeof(line), "%-32s %6u  %s", d->id, t.per_row[r], d->what);
        kprintf("entry-diff:   %s\n", line);
    }
    if (t.hazards)
        kprintf("entry-diff: %u states not attempted: Bochs 2.7 would panic on them\n", t.hazards);
    if (t.states)
        kprintf("entry-diff: %lu ticks per state\n", ticks / t.states);
    kprintf("entry-diff: %u states, %u agree (%u.%02u %%), %u disagree\n", t.states, t.agree,
            bp / 100, bp % 100, t.disagree);
    kprintf("BENCH entry_checker_agreement %u.%02u %u\n", bp / 100, bp % 100, t.states);
}

/* The base itself: no rule fails, and the CPU enters it. */
static bool check_base(void)
{
    struct entry_verdict cpu;
    uint32_t basic;
    char line[ENTRY_MSG_MAX + 160];
    state = base.im;
    if (load(&state)) {
        scenario_fail_reason("the base VMCS could not be loaded");
        return false;
    }
    if (vmx_entry_explain(&base.v, NULL)) {
        scenario_fail_reason("the base VMCS breaks a rule (above)");
        return false;
    }
    cpu = launch(&basic);
    entry_format_verdict(line, sizeof(line), &cpu);
    kprintf("entry-diff: base: %u fields; the CPU: %s (exit %u %s)\n", base.im.n, line, basic,
            cpu.kind == ENTRY_VERDICT_PASS && vmx_exit_reason_name(basic)
                ? vmx_exit_reason_name(basic)
                : "-");
    if (cpu.kind != ENTRY_VERDICT_PASS) {
        scenario_fail_reason("the CPU refuses the base VMCS");
        return false;
    }
    return true;
}

static bool run(void)
{
    char err[160];
    struct entry_mutate_cfg cfg = {&vmx.caps, 0};
    struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED];
    uint64_t flags = read_rflags(), t0;
    memset(&t, 0, sizeof(t));
    if (ediff_base_build(&base, err, sizeof(err))) {
        scenario_fail_reason("%s", err);
        return false;
    }
    /* the CPU's facts once (CPUID leaf 0AH makes Bochs log a warning each time) */
    vmx_entry_env(&base_env);
    base_env.read = vmcs_image_read;
    base_env.read_ctx = &state;
    base_env.insn = ENTRY_INSN_VMLAUNCH;
    base_env.launch_state = ENTRY_LAUNCH_CLEAR;
    base_env.current_vmcs = base.v.vmcs_phys;
    cfg.maxphyaddr = base_env.maxphyaddr;
    size_t nsingle = entry_mutate_list(&base.im, &cfg, singles, MAX_SINGLES);
    if (nsingle < 2 || nsingle > MAX_SINGLES) {
        scenario_fail_reason("%zu single mutations (room for %d)", nsingle, MAX_SINGLES);
        return false;
    }
    uint64_t nrandom = config.iterations, i;
    if (nsingle + nrandom < MIN_STATES)
        nrandom = MIN_STATES - nsingle;
    nsingles = nsingle;
    kprintf("entry-diff: %zu single mutations, then %lu random combinations from seed %lu "
            "(state i: seed + i - %zu)\n",
            nsingle, nrandom, config.seed, nsingle);
    irq_disable(); /* a VM exit clears RFLAGS.IF anyway (SDM 28.5.3) */
    if (!check_base()) {
        if (flags & RFLAGS_IF)
            irq_enable();
        return false;
    }
    t0 = rdtsc();
    /* more combinations when states had to be left out, up to 10,000 attempted */
    for (i = 0; i < nsingle + nrandom || (t.states < MIN_STATES && i < 4 * MIN_STATES); i++) {
        unsigned nm = 1;
        uint64_t seed = 0;
        if (i < nsingle) {
            state = base.im;
            ms[0] = singles[i];
            for (unsigned k = 0; k < ms[0].nfields; k++)
                vmcs_image_set(&state, ms[0].enc[k], ms[0].value[k]);
        } else {
            seed = config.seed + (i - nsingle);
            if (entry_mutate_random_from(&base.im, singles, nsingle, seed, &state, ms, &nm))
                continue;
        }
        run_state((unsigned)i, seed, ms, nm);
        if ((i & 255) == 255) { /* let a pending host interrupt in now and then */
            irq_enable();
            __asm__ volatile("nop");
            irq_disable();
        }
    }
    uint64_t ticks = rdtsc() - t0;
    if (i > nsingle + nrandom)
        kprintf("entry-diff: %lu more random combinations for the states left out\n",
                i - nsingle - nrandom);
    vmclear(base.v.vmcs_phys); /* nothing runs this VMCS again */
    vmx_this_cpu()->current = NULL;
    if (flags & RFLAGS_IF)
        irq_enable();
    if (t.disagree > MAX_PRINTED)
        kprintf("entry-diff: ... %u more disagreements not printed\n", t.disagree - MAX_PRINTED);
    print_summary(ticks);
    if (t.disagree)
        scenario_fail_reason("%u of %u states disagree", t.disagree, t.states);
    else if (t.states < MIN_STATES)
        scenario_fail_reason("only %u states (at least %u needed)", t.states, MIN_STATES);
    return !t.disagree && t.states >= MIN_STATES;
}

const struct scenario scenario_entry_diff = {
    .name = "entry-diff",
    .book = "5-1",
    .summary = "the VM-entry checker against the CPU's VMLAUNCH on 10,000+ mutated VMCS states",
    .run = run,
    .needs_vmx = true,
};
