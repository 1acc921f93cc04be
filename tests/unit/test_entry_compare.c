/*
 * tests/unit/test_entry_compare.c - a processor's answer against the checker's findings
 * (vmx/entry_compare.c): the SDM's latitude (27.2 in any order, any failing guest rule's
 * qualification), and the Bochs 2.7 deviation table, on the 64-bit base image of
 * tests/unit/entry_fixture.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/unit/entry_fixture.h"
#include "vmx/entry_compare.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_msr.h"

static struct ef_setup s;
static struct entry_finding found[64];
static size_t nfound;

static void base(void)
{
    cr_assert(ef_build(&s, EF_64));
}

static void check(void)
{
    struct entry_check_result res;
    entry_check_collect(&s.env, found, 64, &nfound, &res);
}

static struct entry_verdict entered(void)
{
    return (struct entry_verdict){ENTRY_VERDICT_PASS, 0, 0};
}

static struct entry_verdict vmfail(uint32_t n)
{
    return (struct entry_verdict){ENTRY_VERDICT_VMFAIL, n, 0};
}

static struct entry_verdict exit33(uint64_t q)
{
    return (struct entry_verdict){ENTRY_VERDICT_EXIT, 33, q};
}

static enum entry_agreement how(struct entry_verdict cpu, uint32_t *rows)
{
    struct entry_compare_result r;
    cr_assert_eq(entry_compare(&s.env, found, nfound, &cpu, &r), 0);
    if (rows)
        *rows = r.deviations;
    return r.how;
}

static uint32_t row_bit(const char *id)
{
    for (size_t i = 0; i < entry_deviation_count(); i++)
        if (strcmp(entry_deviation_at(i)->id, id) == 0)
            return 1u << i;
    cr_assert_fail("no deviation row %s", id);
    return 0;
}

Test(entry_compare, a_valid_vmcs_must_be_entered)
{
    base();
    check();
    cr_assert_eq(nfound, 0);
    cr_assert_eq(how(entered(), NULL), ENTRY_AGREE);
    cr_assert_eq(how(vmfail(7), NULL), ENTRY_DISAGREE);
    cr_assert_eq(how(exit33(0), NULL), ENTRY_DISAGREE);
}

Test(entry_compare, control_and_host_failures_allow_either_error)
{
    base();
    ef_set(&s, CR3_TARGET_COUNT, 5);    /* ctl.cr3_target_count.max */
    ef_set(&s, HOST_CS_SELECTOR, 0x0b); /* host.cs.rpl_ti */
    ef_set(&s, GUEST_RFLAGS, 0);        /* guest.rflags.bit1 */
    check();
    cr_assert_eq(how(vmfail(7), NULL), ENTRY_AGREE);
    cr_assert_eq(how(vmfail(8), NULL), ENTRY_AGREE, "SDM 27.2: the checks may come in any order");
    cr_assert_eq(how(exit33(0), NULL), ENTRY_DISAGREE, "guest checks come after 27.2");
    cr_assert_eq(how(entered(), NULL), ENTRY_DISAGREE);
    ef_set(&s, HOST_CS_SELECTOR, 0x08);
    check();
    cr_assert_eq(how(vmfail(8), NULL), ENTRY_DISAGREE, "no host rule failed");
}

Test(entry_compare, guest_failures_allow_each_failing_qualification)
{
    base();
    ef_set(&s, GUEST_RFLAGS, 0);        /* qualification 0 */
    ef_set(&s, VMCS_LINK_POINTER, 0x7); /* guest.link.align: qualification 4 */
    check();
    cr_assert_eq(how(exit33(0), NULL), ENTRY_AGREE);
    cr_assert_eq(how(exit33(4), NULL), ENTRY_AGREE);
    cr_assert_eq(how(exit33(2), NULL), ENTRY_DISAGREE, "no PDPTE rule failed");
    cr_assert_eq(how(vmfail(7), NULL), ENTRY_DISAGREE);
    ef_set(&s, GUEST_RFLAGS, 2);
    check();
    cr_assert_eq(how(exit33(0), NULL), ENTRY_DISAGREE, "only the link pointer fails now");
}

Test(entry_compare, basic_and_msr_failures_are_exact)
{
    struct entry_verdict v34 = {ENTRY_VERDICT_EXIT, 34, 2};
    base();
    s.env.mov_ss_blocking = true;
    ef_set(&s, CR3_TARGET_COUNT, 5);
    check();
    cr_assert_eq(how(vmfail(26), NULL), ENTRY_AGREE);
    cr_assert_eq(how(vmfail(7), NULL), ENTRY_DISAGREE, "SDM 27.1 comes first");
    s.env.mov_ss_blocking = false;
    ef_set(&s, CR3_TARGET_COUNT, 0);
    ef_set(&s, VM_ENTRY_MSR_LOAD_COUNT, 3);
    ef_mem_set(&s.mem, EF_MSR_AREA + 16, 0xc0000100); /* entry 2: FS base */
    ef_mem_set(&s.mem, EF_MSR_AREA + 32, 0x808);      /* entry 3: x2APIC */
    check();
    cr_assert_eq(how(v34, NULL), ENTRY_AGREE);
    v34.qualification = 3;
    cr_assert_eq(how(v34, NULL), ENTRY_DISAGREE, "the first failing entry decides");
}

Test(entry_compare, nmi_with_sti_blocking_may_come_with_qualification_0)
{
    uint32_t used;
    base();
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000202); /* NMI */
    ef_set(&s, GUEST_RFLAGS, 0x202);
    ef_set(&s, GUEST_INTERRUPTIBILITY_INFO, 1); /* blocking by STI */
    check();
    cr_assert_eq(how(exit33(3), NULL), ENTRY_AGREE);
    cr_assert_eq(how(exit33(0), &used), ENTRY_AGREE_DEVIATION);
    cr_assert_eq(used, row_bit("bochs27.nmi_sti_qualification"));
    cr_assert_eq(how(exit33(4), NULL), ENTRY_DISAGREE);
}

Test(entry_compare, a_null_ss_of_a_64bit_guest_is_not_checked_by_bochs)
{
    uint32_t used;
    base();
    ef_set(&s, GUEST_SS_SELECTOR, 0);
    ef_clr(&s, GUEST_SS_AR_BYTES, 0x80); /* guest.ss.p */
    check();
    cr_assert_eq(how(exit33(0), NULL), ENTRY_AGREE);
    cr_assert_eq(how(entered(), &used), ENTRY_AGREE_DEVIATION);
    cr_assert(used & row_bit("bochs27.ss_null_64bit"));
    /* selector 0x10 has RPL 0 too but is not null: Bochs checks that SS */
    ef_set(&s, GUEST_SS_SELECTOR, 0x10);
    check();
    cr_assert_eq(how(entered(), NULL), ENTRY_DISAGREE);
    /* a null SS of a guest in compatibility mode is checked */
    ef_set(&s, GUEST_SS_SELECTOR, 0);
    ef_clr(&s, GUEST_CS_AR_BYTES, 1u << 13);
    ef_or(&s, GUEST_CS_AR_BYTES, 1u << 14);
    check();
    cr_assert_eq(how(entered(), NULL), ENTRY_DISAGREE);
}

Test(entry_compare, a_zero_tsc_multiplier_fails_only_on_bochs)
{
    uint32_t used;
    base();
    cr_assert(s.caps.ctl[VMX_CTL_PROC2].allowed1 & PROC_BASED2_USE_TSC_SCALING);
    ef_or(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_USE_TSC_SCALING);
    ef_set(&s, TSC_MULTIPLIER, 0);
    check();
    cr_assert_eq(nfound, 0, "no SDM rule");
    cr_assert_eq(how(entered(), NULL), ENTRY_AGREE);
    cr_assert_eq(how(vmfail(7), &used), ENTRY_AGREE_DEVIATION);
    cr_assert_eq(used, row_bit("bochs27.tsc_multiplier_zero"));
    ef_set(&s, TSC_MULTIPLIER, 1ULL << 48);
    check();
    cr_assert_eq(how(vmfail(7), NULL), ENTRY_DISAGREE);
}

Test(entry_compare, pending_debug_bits_63_32_are_invisible_to_bochs)
{
    base();
    ef_set(&s, GUEST_PENDING_DBG_EXCEPTIONS, 1ULL << 63);
    check();
    cr_assert_eq(how(entered(), NULL), ENTRY_AGREE_DEVIATION);
    ef_set(&s, GUEST_PENDING_DBG_EXCEPTIONS, (1ULL << 63) | (1u << 4));
    check();
    cr_assert_eq(how(entered(), NULL), ENTRY_DISAGREE, "bit 4 is reserved for Bochs too");
    cr_assert_eq(how(exit33(0), NULL), ENTRY_AGREE);
}

Test(entry_compare, cs_dpl_against_rpl_with_unrestricted_guest)
{
    uint32_t used;
    base();
    ef_or(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_UNRESTRICTED_GUEST);
    ef_set(&s, GUEST_CS_SELECTOR, 0x09); /* RPL 1, DPL 0: fine for the SDM with UG */
    check();
    cr_assert_eq(nfound, 0);
    cr_assert_eq(how(exit33(0), &used), ENTRY_AGREE_DEVIATION);
    cr_assert_eq(used, row_bit("bochs27.cs_rpl_unrestricted"));
    ef_clr(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_UNRESTRICTED_GUEST);
    check();
    cr_assert_eq(how(exit33(0), NULL), ENTRY_AGREE, "without UG the SDM fails it too");
}

Test(entry_compare, a_deviation_that_does_not_explain_the_answer_is_a_disagreement)
{
    base();
    ef_set(&s, GUEST_IA32_DEBUGCTL, 1ULL << 63); /* bochs27.debugctl applies */
    check();
    cr_assert_eq(how(entered(), NULL), ENTRY_AGREE_DEVIATION);
    cr_assert_eq(how(vmfail(8), NULL), ENTRY_DISAGREE);
}

Test(entry_compare, table_rows_are_well_formed)
{
    cr_assert_gt(entry_deviation_count(), 10);
    cr_assert_leq(entry_deviation_count(), ENTRY_DEV_MAX);
    cr_assert_null(entry_deviation_at(entry_deviation_count()));
    for (size_t i = 0; i < entry_deviation_count(); i++) {
        const struct entry_deviation *d = entry_deviation_at(i);
        char rules[256], *save = NULL;
        cr_assert(strncmp(d->id, "bochs27.", 8) == 0, "%s", d->id);
        cr_assert(strncmp(d->where, "bochs/cpu/vmx.cc, BX_CPU_C::", 28) == 0, "%s", d->id);
        cr_assert_gt(strlen(d->what), 20);
        cr_assert_eq(d->kind == ENTRY_DEV_EXTRA, d->rules[0] == '\0', "%s", d->id);
        for (size_t k = 0; k < i; k++)
            cr_assert_str_neq(entry_deviation_at(k)->id, d->id);
        strncpy(rules, d->rules, sizeof(rules) - 1);
        rules[sizeof(rules) - 1] = '\0';
        for (char *t = strtok_r(rules, " ", &save); t; t = strtok_r(NULL, " ", &save))
            cr_assert_neq(entry_rule_by_id(t), ENTRY_RULE_COUNT, "%s names unknown rule %s", d->id,
                          t);
    }
}

Test(entry_compare, format_and_bad_arguments)
{
    char buf[128];
    struct entry_compare_result r;
    struct entry_verdict v = entered();
    entry_deviation_format(buf, sizeof(buf), 0);
    cr_assert_str_eq(buf, "");
    entry_deviation_format(buf, sizeof(buf), 3);
    cr_assert_str_eq(buf, "bochs27.nmi_sti_qualification bochs27.pending_dbg_bs");
    base();
    cr_assert_eq(entry_compare(NULL, NULL, 0, &v, &r), -1);
    cr_assert_eq(entry_compare(&s.env, NULL, 1, &v, &r), -1);
    cr_assert_eq(entry_compare(&s.env, NULL, 0, NULL, &r), -1);
    cr_assert_not(entry_verdict_allowed(NULL, 0, NULL));
}
