/*
 * tests/unit/test_entry_check.c - the software VM-entry checker (vmx/entry_check*.c): the valid
 * base VMCS images are accepted, the interface (rule table, verdicts, formatting, collecting,
 * skipped rules) behaves as vmx/entry_check.h says, and passing neighbours of failing cases
 * pass. The one-failing-case-per-rule table is tests/unit/test_entry_rules.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/entry_fixture.h"
#include "vmx/entry_check.h"
#include "vmx/vmcs_fields.h"

struct capture {
    unsigned n;
    struct entry_finding f[64];
};

static void capture(void *ctx, const struct entry_finding *f)
{
    struct capture *c = ctx;
    if (c->n < 64)
        c->f[c->n] = *f;
    c->n++;
}

static void print_findings(const struct capture *c)
{
    char line[400];
    for (unsigned i = 0; i < c->n && i < 64; i++) {
        entry_format_finding(line, sizeof(line), &c->f[i]);
        fprintf(stderr, "  %s\n", line);
    }
}

static int run(struct ef_setup *s, struct capture *c, struct entry_check_result *res)
{
    memset(c, 0, sizeof(*c));
    return entry_check(&s->env, capture, c, res);
}

static struct ef_setup s;

static void accepted(enum ef_base b)
{
    struct capture c;
    struct entry_check_result res;
    cr_assert(ef_build(&s, b), "fixture of %s", ef_model(b));
    if (run(&s, &c, &res) != 0)
        print_findings(&c);
    cr_assert_eq(res.failed, 0, "base %s has failures", ef_model(b));
    cr_assert_eq(res.verdict.kind, ENTRY_VERDICT_PASS);
    cr_assert_eq(res.first, ENTRY_RULE_COUNT);
    cr_assert_eq(res.skipped, 0);
    cr_assert_eq(res.unreadable, 0, "%u fields missing from the image", res.unreadable);
}

Test(entry_check, base_64bit_guest_icelake_is_accepted)
{
    accepted(EF_64);
}

Test(entry_check, base_real_mode_unrestricted_skylake_is_accepted)
{
    accepted(EF_REAL);
}

Test(entry_check, base_32bit_pae_ept_lynnfield_is_accepted)
{
    accepted(EF_PM32);
    cr_assert_not(s.caps.ctl[VMX_CTL_PROC2].allowed1 & PROC_BASED2_UNRESTRICTED_GUEST,
                  "lynnfield must be a model without unrestricted guest");
}

Test(entry_check, base_virtual_8086_guest_is_accepted)
{
    accepted(EF_V86);
}

Test(entry_check, missing_arguments_are_refused)
{
    struct entry_check_result res;
    struct entry_check_env env;
    memset(&env, 0, sizeof(env));
    cr_assert_eq(entry_check(NULL, NULL, NULL, &res), -1);
    cr_assert_eq(entry_check(&env, NULL, NULL, &res), -1);
    cr_assert(ef_build(&s, EF_64));
    env = s.env;
    env.caps = NULL;
    cr_assert_eq(entry_check(&env, NULL, NULL, NULL), -1);
    cr_assert_eq(entry_check(&s.env, NULL, NULL, NULL), 0);
}

Test(entry_check, rule_table_ids_are_unique_dotted_and_have_sections)
{
    for (unsigned i = 0; i < ENTRY_RULE_COUNT; i++) {
        const char *id = entry_rule_id((enum entry_rule)i);
        cr_assert(strchr(id, '.'), "%s has no dot", id);
        cr_assert_eq(strncmp(entry_rule_section((enum entry_rule)i), "SDM 27.", 7), 0, "%s", id);
        cr_assert_gt(strlen(entry_rule_text((enum entry_rule)i)), 8);
        cr_assert_eq(entry_rule_by_id(id), (enum entry_rule)i, "%s is not unique", id);
        for (const char *p = id; *p; p++)
            cr_assert((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                          *p == '_',
                      "%s: character '%c'", id, *p);
    }
    cr_assert_eq(entry_rule_by_id("no.such.rule"), ENTRY_RULE_COUNT);
    cr_assert_eq(entry_rule_by_id(NULL), ENTRY_RULE_COUNT);
    cr_assert_str_eq(entry_rule_id(ENTRY_RULE_COUNT), "?");
    cr_assert_eq(entry_rule_category(ENTRY_RULE_COUNT), ENTRY_CAT_COUNT);
}

Test(entry_check, rule_areas_match_categories)
{
    static const char *const prefix[ENTRY_CAT_COUNT] = {"basic.", "ctl.", "host.", "guest.",
                                                        "msr_load."};
    int last = -1;
    for (unsigned i = 0; i < ENTRY_RULE_COUNT; i++) {
        enum entry_category c = entry_rule_category((enum entry_rule)i);
        const char *id = entry_rule_id((enum entry_rule)i);
        cr_assert_eq(strncmp(id, prefix[c], strlen(prefix[c])), 0, "%s in category %d", id, c);
        cr_assert_geq((int)c, last, "%s is out of the SDM order", id);
        last = (int)c;
    }
}

Test(entry_check, verdict_of_each_category)
{
    struct entry_verdict v = entry_rule_verdict(ENTRY_RULE_B_MOV_SS, 0);
    cr_assert_eq(v.kind, ENTRY_VERDICT_VMFAIL);
    cr_assert_eq(v.code, 26);
    v = entry_rule_verdict(ENTRY_RULE_B_LAUNCH_STATE, 0);
    cr_assert_eq(v.code, 4);
    v = entry_rule_verdict(ENTRY_RULE_B_RESUME_STATE, 0);
    cr_assert_eq(v.code, 5);
    v = entry_rule_verdict(ENTRY_RULE_C_VPID_ZERO, 0);
    cr_assert_eq(v.kind, ENTRY_VERDICT_VMFAIL);
    cr_assert_eq(v.code, 7);
    v = entry_rule_verdict(ENTRY_RULE_H_CS_NULL, 0);
    cr_assert_eq(v.code, 8);
    v = entry_rule_verdict(ENTRY_RULE_G_LINK_ALIGN, 4);
    cr_assert_eq(v.kind, ENTRY_VERDICT_EXIT);
    cr_assert_eq(v.code, 33);
    cr_assert_eq(v.qualification, 4);
    v = entry_rule_verdict(ENTRY_RULE_M_X2APIC, 3);
    cr_assert_eq(v.code, 34);
    cr_assert_eq(v.qualification, 3);
    v = entry_rule_verdict(ENTRY_RULE_COUNT, 0);
    cr_assert_eq(v.kind, ENTRY_VERDICT_PASS);
}

Test(entry_check, verdict_text)
{
    char buf[128];
    struct entry_verdict v = {ENTRY_VERDICT_PASS, 0, 0};
    entry_format_verdict(buf, sizeof(buf), &v);
    cr_assert_str_eq(buf, "VM entry succeeds");
    v = (struct entry_verdict){ENTRY_VERDICT_VMFAIL, 7, 0};
    entry_format_verdict(buf, sizeof(buf), &v);
    cr_assert_str_eq(buf, "VMfailValid 7 (invalid control field)");
    v = (struct entry_verdict){ENTRY_VERDICT_VMFAIL, 26, 0};
    entry_format_verdict(buf, sizeof(buf), &v);
    cr_assert_str_eq(buf, "VMfailValid 26 (VM entry with events blocked by MOV SS)");
    v = (struct entry_verdict){ENTRY_VERDICT_EXIT, 33, 4};
    entry_format_verdict(buf, sizeof(buf), &v);
    cr_assert_str_eq(buf, "VM exit 33 (invalid guest state), qualification 4 (VMCS link pointer)");
    v = (struct entry_verdict){ENTRY_VERDICT_EXIT, 34, 2};
    entry_format_verdict(buf, sizeof(buf), &v);
    cr_assert_str_eq(buf, "VM exit 34 (MSR loading), entry 2");
}

Test(entry_check, finding_line_names_rule_value_section_and_verdict)
{
    struct capture c;
    struct entry_check_result res;
    char line[400];
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VIRTUAL_PROCESSOR_ID, 0);
    cr_assert_eq(run(&s, &c, &res), 1);
    entry_format_finding(line, sizeof(line), &c.f[0]);
    cr_assert_str_eq(line, "ctl.vpid.zero: enable VPID with VPID 0 [SDM 27.2.1.1; VMfailValid 7 "
                           "(invalid control field)]");
}

Test(entry_check, first_category_decides_the_verdict)
{
    struct capture c;
    struct entry_check_result res;
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, GUEST_TR_SELECTOR, 0x1c); /* guest: TI */
    ef_set(&s, HOST_CS_SELECTOR, 0);     /* host */
    ef_set(&s, CR3_TARGET_COUNT, 9);     /* control */
    cr_assert_eq(run(&s, &c, &res), 3);
    cr_assert_eq(res.first, ENTRY_RULE_C_CR3_COUNT);
    cr_assert_eq(res.verdict.kind, ENTRY_VERDICT_VMFAIL);
    cr_assert_eq(res.verdict.code, 7);
    cr_assert_eq(res.per_cat[ENTRY_CAT_CTL], 1);
    cr_assert_eq(res.per_cat[ENTRY_CAT_HOST], 1);
    cr_assert_eq(res.per_cat[ENTRY_CAT_GUEST], 1);
    ef_set(&s, CR3_TARGET_COUNT, 0);
    run(&s, &c, &res);
    cr_assert_eq(res.verdict.code, 8);
    ef_set(&s, HOST_CS_SELECTOR, 8);
    run(&s, &c, &res);
    cr_assert_eq(res.verdict.kind, ENTRY_VERDICT_EXIT);
    cr_assert_eq(res.verdict.code, 33);
    cr_assert_eq(res.verdict.qualification, 0);
}

Test(entry_check, verdict_of_findings_takes_the_lowest_category)
{
    struct entry_finding f[3];
    memset(f, 0, sizeof(f));
    f[0].rule = ENTRY_RULE_G_LINK_ALIGN;
    f[0].qualification = 4;
    f[1].rule = ENTRY_RULE_M_X2APIC;
    f[1].qualification = 2;
    f[2].rule = ENTRY_RULE_H_TR_NULL;
    struct entry_verdict v = entry_verdict_of(f, 3);
    cr_assert_eq(v.kind, ENTRY_VERDICT_VMFAIL);
    cr_assert_eq(v.code, 8);
    v = entry_verdict_of(f, 2);
    cr_assert_eq(v.code, 33);
    cr_assert_eq(v.qualification, 4);
    f[0].skipped = true;
    v = entry_verdict_of(f, 2);
    cr_assert_eq(v.code, 34);
    cr_assert_eq(v.qualification, 2);
    v = entry_verdict_of(f, 1);
    cr_assert_eq(v.kind, ENTRY_VERDICT_PASS);
    v = entry_verdict_of(NULL, 5);
    cr_assert_eq(v.kind, ENTRY_VERDICT_PASS);
}

Test(entry_check, collect_stores_up_to_max)
{
    struct entry_finding out[2];
    size_t n = 99;
    struct entry_check_result res;
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, HOST_CS_SELECTOR, 0);
    ef_set(&s, HOST_TR_SELECTOR, 0);
    ef_set(&s, HOST_FS_BASE, 1ULL << 60);
    cr_assert_eq(entry_check_collect(&s.env, out, 2, &n, &res), 3);
    cr_assert_eq(n, 2);
    cr_assert_eq(out[0].rule, ENTRY_RULE_H_CS_NULL);
    cr_assert_eq(out[1].rule, ENTRY_RULE_H_TR_NULL);
    struct entry_verdict v = entry_verdict_of(out, n);
    cr_assert_eq(v.code, res.verdict.code);
    cr_assert_eq(entry_check_collect(&s.env, NULL, 0, &n, NULL), 3);
    cr_assert_eq(n, 0);
}

Test(entry_check, missing_fields_count_as_zero_and_are_counted)
{
    struct capture c;
    struct entry_check_result res;
    cr_assert(ef_build(&s, EF_64));
    vmcs_image_remove(&s.im, HOST_CS_SELECTOR);
    run(&s, &c, &res);
    cr_assert_geq(res.unreadable, 1);
    cr_assert_eq(res.first, ENTRY_RULE_H_CS_NULL);
}

/* ---- rules that need memory are skipped, not failed, without a memory reader ------------- */

Test(entry_check, no_memory_reader_skips_vtpr_link_pdpte_and_msr_rules)
{
    struct capture c;
    struct entry_check_result res;
    cr_assert(ef_build(&s, EF_64));
    s.env.phys_read = NULL;
    ef_set(&s, VMCS_LINK_POINTER, EF_LINK_PAGE);
    ef_set(&s, VM_ENTRY_MSR_LOAD_COUNT, 1);
    cr_assert_eq(run(&s, &c, &res), 0);
    cr_assert_eq(res.skipped, 3);
    cr_assert_eq(c.f[0].rule, ENTRY_RULE_C_TPR_VTPR);
    cr_assert(c.f[0].skipped);
    cr_assert_eq(c.f[1].rule, ENTRY_RULE_G_LINK_REVISION);
    cr_assert_eq(c.f[2].rule, ENTRY_RULE_M_RESERVED);
    cr_assert_eq(res.verdict.kind, ENTRY_VERDICT_PASS);
    char line[300];
    entry_format_finding(line, sizeof(line), &c.f[1]);
    cr_assert(strstr(line, "guest.link.revision: not checked: ") == line, "%s", line);

    cr_assert(ef_build(&s, EF_PM32));
    s.env.phys_read = NULL;
    ef_clr(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_ENABLE_EPT);
    cr_assert_eq(run(&s, &c, &res), 0);
    cr_assert_eq(res.skipped, 1);
    cr_assert_eq(c.f[0].rule, ENTRY_RULE_G_PDPTE_MEM);
}

Test(entry_check, perf_global_ctrl_without_mask_is_skipped)
{
    struct capture c;
    struct entry_check_result res;
    cr_assert(ef_build(&s, EF_64));
    ef_or(&s, VM_ENTRY_CONTROLS, VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL);
    ef_set(&s, GUEST_IA32_PERF_GLOBAL_CTRL, 1ULL << 40);
    cr_assert_eq(run(&s, &c, &res), 0);
    cr_assert_eq(res.skipped, 1);
    s.env.perf_global_ctrl_allowed = 0x7000000ffULL;
    cr_assert_eq(run(&s, &c, &res), 1);
    cr_assert_eq(c.f[0].rule, ENTRY_RULE_G_PERF_GLOBAL);
    ef_set(&s, GUEST_IA32_PERF_GLOBAL_CTRL, 0x7000000ffULL);
    cr_assert_eq(run(&s, &c, &res), 0);
}

/* ---- passing neighbours: the legal side of rules with a boundary ------------------------- */

static void passes(void)
{
    struct capture c;
    struct entry_check_result res;
    if (run(&s, &c, &res) != 0)
        print_findings(&c);
    cr_assert_eq(res.failed, 0);
    cr_assert_eq(res.verdict.kind, ENTRY_VERDICT_PASS);
}

Test(entry_check_pass, cr0_nw_cd_are_never_checked)
{
    cr_assert(ef_build(&s, EF_64));
    s.caps.cr0_fixed0 |= 1u << 30;      /* a processor that would demand CD */
    s.caps.cr0_fixed1 &= ~(1ULL << 29); /* and forbid NW */
    ef_set(&s, GUEST_CR0, 0xa0000031);  /* NW, no CD */
    ef_set(&s, HOST_CR0, 0xa0050033);
    passes();
}

Test(entry_check_pass, tpr_threshold_equal_to_vtpr)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, TPR_THRESHOLD, 2);
    ef_mem_set(&s.mem, EF_VAPIC + 0x80, 0x20);
    passes();
}

Test(entry_check_pass, vtpr_not_read_with_apic_access_virtualization)
{
    cr_assert(ef_build(&s, EF_64));
    ef_or(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_VIRTUALIZE_APIC_ACCESSES);
    ef_set(&s, TPR_THRESHOLD, 15);
    passes();
}

Test(entry_check_pass, real_mode_gp_without_error_code)
{
    cr_assert(ef_build(&s, EF_REAL));
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x8000030d);
    passes();
}

Test(entry_check_pass, protected_mode_gp_with_error_code)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000b0d);
    ef_set(&s, VM_ENTRY_EXCEPTION_ERROR_CODE, 0xfff0);
    passes();
}

Test(entry_check_pass, zero_length_software_interrupt_with_misc30)
{
    cr_assert(ef_build(&s, EF_64));
    cr_assert(s.caps.zero_length_injection);
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000603);
    ef_set(&s, VM_ENTRY_INSTRUCTION_LEN, 0);
    passes();
    ef_set(&s, VM_ENTRY_INSTRUCTION_LEN, 15);
    passes();
}

Test(entry_check_pass, mtf_pending_event_where_mtf_exists)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000700);
    passes();
}

Test(entry_check_pass, unrestricted_guest_cs_data_type)
{
    cr_assert(ef_build(&s, EF_REAL));
    ef_set(&s, GUEST_CS_AR_BYTES, 0x93);
    passes();
}

Test(entry_check_pass, conforming_cs_below_ss_dpl)
{
    cr_assert(ef_build(&s, EF_PM32));
    ef_set(&s, GUEST_CS_AR_BYTES, 0xc09f);
    passes();
}

Test(entry_check_pass, usable_ldtr)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, GUEST_LDTR_SELECTOR, 0x20);
    ef_set(&s, GUEST_LDTR_AR_BYTES, 0x82);
    ef_set(&s, GUEST_LDTR_LIMIT, 0xfff);
    passes();
}

Test(entry_check_pass, unusable_data_segments_skip_their_checks)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, GUEST_DS_AR_BYTES, 0x10000 | 0x0f00);
    ef_set(&s, GUEST_ES_AR_BYTES, 0x10000);
    ef_set(&s, GUEST_ES_BASE, 1ULL << 40);
    passes();
}

Test(entry_check_pass, hlt_with_nmi_injection)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, GUEST_ACTIVITY_STATE, 1);
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000202);
    passes();
}

Test(entry_check_pass, external_interrupt_with_if)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VM_ENTRY_INTR_INFO_FIELD, 0x80000020);
    ef_or(&s, GUEST_RFLAGS, 1 << 9);
    passes();
}

Test(entry_check_pass, sti_blocking_with_tf_and_bs)
{
    cr_assert(ef_build(&s, EF_64));
    ef_or(&s, GUEST_RFLAGS, (1 << 9) | (1 << 8));
    ef_set(&s, GUEST_INTERRUPTIBILITY_INFO, 1);
    ef_set(&s, GUEST_PENDING_DBG_EXCEPTIONS, 0x4000);
    passes();
}

Test(entry_check_pass, valid_link_pointer_and_shadow_vmcs)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VMCS_LINK_POINTER, EF_LINK_PAGE);
    ef_mem_set(&s.mem, EF_LINK_PAGE, s.caps.revision_id);
    passes();
    ef_or(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_VMCS_SHADOWING);
    ef_mem_set(&s.mem, EF_LINK_PAGE, s.caps.revision_id | 0x80000000u);
    passes();
}

Test(entry_check_pass, pae_pdptes_from_memory_without_ept)
{
    cr_assert(ef_build(&s, EF_PM32));
    ef_clr(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_ENABLE_EPT);
    ef_mem_set(&s.mem, EF_PDPT + 8, 0x9000); /* not present: reserved bits do not matter */
    passes();
}

Test(entry_check_pass, msr_load_list_of_ordinary_msrs)
{
    cr_assert(ef_build(&s, EF_64));
    ef_set(&s, VM_ENTRY_MSR_LOAD_COUNT, 2);
    ef_mem_set(&s.mem, EF_MSR_AREA, 0x174);
    ef_mem_set(&s.mem, EF_MSR_AREA + 16, 0xc0000102);
    passes();
}

Test(entry_check_pass, posted_interrupts_when_supported)
{
    cr_assert(ef_build(&s, EF_64));
    s.caps.ctl[VMX_CTL_PIN].allowed1 |= PIN_BASED_PROCESS_POSTED_INTERRUPTS;
    ef_or(&s, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_PROCESS_POSTED_INTERRUPTS);
    ef_or(&s, SECONDARY_VM_EXEC_CONTROL, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY);
    passes();
}

Test(entry_check_pass, smm_entry_inside_smm)
{
    cr_assert(ef_build(&s, EF_64));
    s.env.in_smm = true;
    ef_or(&s, VM_ENTRY_CONTROLS, VM_ENTRY_CTL_ENTRY_TO_SMM);
    ef_set(&s, GUEST_INTERRUPTIBILITY_INFO, 4);
    passes();
}

Test(entry_check_pass, launch_states_that_match)
{
    cr_assert(ef_build(&s, EF_64));
    s.env.insn = ENTRY_INSN_VMLAUNCH;
    s.env.launch_state = ENTRY_LAUNCH_CLEAR;
    passes();
    s.env.insn = ENTRY_INSN_VMRESUME;
    s.env.launch_state = ENTRY_LAUNCH_LAUNCHED;
    passes();
}

Test(entry_check_pass, outside_ia32e_with_32bit_host)
{
    cr_assert(ef_build(&s, EF_PM32));
    s.env.outside_ia32e = true;
    ef_clr(&s, VM_EXIT_CONTROLS, VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE);
    ef_set(&s, HOST_IA32_EFER, 0);
    passes();
}

/* ---- the documentation lists every rule --------------------------------------------------- */

Test(entry_check, docs_list_every_rule)
{
    static char doc[200000];
    FILE *f = fopen("docs/entry-checker.md", "r");
    cr_assert(f, "docs/entry-checker.md is missing");
    size_t n = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (unsigned i = 0; i < ENTRY_RULE_COUNT; i++) {
        char want[96];
        snprintf(want, sizeof(want), "`%s`", entry_rule_id((enum entry_rule)i));
        cr_assert(strstr(doc, want), "docs/entry-checker.md lacks %s", want);
    }
}
