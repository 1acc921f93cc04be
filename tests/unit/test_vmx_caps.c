/*
 * tests/unit/test_vmx_caps.c - VMX capability decoder: which MSRs exist, decoding,
 * named features, the report. Fixtures are plain struct vmx_msr_values initializers; a new
 * one (e.g. captured from a Bochs CPU model) only needs an entry in fixtures[] to be run
 * through every invariant test (suite vmx_caps, tests named fixtures_*).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/fixtures.h"
#include "vmx/vmx_caps.h"

/* Hand-built, Core 2-like: no TRUE MSRs, no secondary controls. The values of the MSRs
 * that do not exist are garbage on purpose: the decoder must ignore them. */
static const struct vmx_msr_values core2_like = {
    .basic = 0x005a08000000000dULL,
    .pinbased = 0x0000003f00000016ULL,
    .procbased = 0x77f9fffe0401e172ULL,
    .exit = 0x0003ffff00036dffULL,
    .entry = 0x00003fff000011ffULL,
    .misc = 0x00000000000403c0ULL,
    .cr0_fixed0 = 0x80000021ULL,
    .cr0_fixed1 = 0xffffffffULL,
    .cr4_fixed0 = 0x00002000ULL,
    .cr4_fixed1 = 0x000027ffULL,
    .vmcs_enum = 0x2cULL,
    .procbased2 = 0xffffffff00000000ULL,
    .ept_vpid_cap = 0xffffffffffffffffULL,
    .true_pin = 0xffffffff00000000ULL,
    .vmfunc = 0x1ULL,
    .present_mask = VMX_MSR_PRESENT_ALL,
};

static const struct fixture {
    const char *name;
    const struct vmx_msr_values *v;
    uint32_t expect_present; /* MSRs that exist */
} fixtures[] = {
    {"skylake_like", &fixture_skylake_like,
     VMX_MSR_PRESENT_ALL & ~VMX_MSR_PRESENT(VMX_MSR_ID_PROCBASED3) &
         ~VMX_MSR_PRESENT(VMX_MSR_ID_EXIT2)},
    {"core2_like", &core2_like, (1U << (VMX_MSR_ID_VMCS_ENUM + 1)) - 1U},
};
#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---- report capture ----------------------------------------------------------------------- */

#define MAX_LINES 512
static struct {
    char lines[MAX_LINES][200];
    int n;
    int overflow;
} rep;

static void capture(void *ctx, const char *line)
{
    (void)ctx;
    if (rep.n >= MAX_LINES) {
        rep.overflow = 1;
        return;
    }
    snprintf(rep.lines[rep.n++], sizeof(rep.lines[0]), "%s", line);
}

static void run_report(const struct vmx_msr_values *v)
{
    memset(&rep, 0, sizeof(rep));
    vmx_caps_report(v, capture, NULL);
    cr_assert_eq(rep.overflow, 0);
}

static int find_line(const char *exact)
{
    for (int i = 0; i < rep.n; i++)
        if (strcmp(rep.lines[i], exact) == 0)
            return i;
    return -1;
}

static int count_prefix(const char *prefix)
{
    int n = 0;
    for (int i = 0; i < rep.n; i++)
        n += strncmp(rep.lines[i], prefix, strlen(prefix)) == 0;
    return n;
}

#define assert_line(s) cr_assert_geq(find_line(s), 0, "missing report line: %s", s)

/* ---- which MSRs exist ---------------------------------------------------------------------- */

Test(vmx_caps, readable_base_msrs_and_nothing_else)
{
    const struct vmx_msr_values none = {0};
    for (uint32_t msr = IA32_VMX_BASIC; msr <= IA32_VMX_VMCS_ENUM; msr++)
        cr_assert(vmx_msr_readable(msr, &none), "0x%x", msr);
    for (uint32_t msr = IA32_VMX_PROCBASED_CTLS2; msr <= IA32_VMX_EXIT_CTLS2; msr++)
        cr_assert_not(vmx_msr_readable(msr, &none), "0x%x", msr);
    cr_assert_not(vmx_msr_readable(0x47f, &none));
    cr_assert_not(vmx_msr_readable(0x494, &none));
    cr_assert_not(vmx_msr_readable(IA32_FEATURE_CONTROL, &none));
    cr_assert_not(vmx_msr_readable(IA32_VMX_BASIC, NULL));
}

Test(vmx_caps, readable_true_msrs_need_basic_bit55)
{
    struct vmx_msr_values v = {0};
    vmx_msr_store(&v, IA32_VMX_BASIC, VMX_BASIC_TRUE_CTLS);
    for (uint32_t msr = IA32_VMX_TRUE_PINBASED_CTLS; msr <= IA32_VMX_TRUE_ENTRY_CTLS; msr++)
        cr_assert(vmx_msr_readable(msr, &v));
    vmx_msr_store(&v, IA32_VMX_BASIC, ~VMX_BASIC_TRUE_CTLS);
    for (uint32_t msr = IA32_VMX_TRUE_PINBASED_CTLS; msr <= IA32_VMX_TRUE_ENTRY_CTLS; msr++)
        cr_assert_not(vmx_msr_readable(msr, &v));
}

Test(vmx_caps, readable_secondary_and_tertiary_need_primary_allowed1)
{
    struct vmx_msr_values v = {0};
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 0x7ffdffffffffffffULL); /* bits 63, 49 clear */
    cr_assert_not(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS2, &v));
    cr_assert_not(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS3, &v));
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 1ULL << 63);
    cr_assert(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS2, &v));
    cr_assert_not(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS3, &v));
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 1ULL << 49);
    cr_assert_not(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS2, &v));
    cr_assert(vmx_msr_readable(IA32_VMX_PROCBASED_CTLS3, &v));
}

Test(vmx_caps, readable_exit2_needs_exit_bit63)
{
    struct vmx_msr_values v = {0};
    vmx_msr_store(&v, IA32_VMX_EXIT_CTLS, 0x7fffffffffffffffULL);
    cr_assert_not(vmx_msr_readable(IA32_VMX_EXIT_CTLS2, &v));
    vmx_msr_store(&v, IA32_VMX_EXIT_CTLS, 1ULL << 63);
    cr_assert(vmx_msr_readable(IA32_VMX_EXIT_CTLS2, &v));
}

Test(vmx_caps, readable_ept_vpid_cap_needs_ept_or_vpid)
{
    struct vmx_msr_values v = {0};
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 1ULL << 63);
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS2, ~((1ULL << 33) | (1ULL << 37)));
    cr_assert_not(vmx_msr_readable(IA32_VMX_EPT_VPID_CAP, &v));
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS2, 1ULL << 33); /* EPT */
    cr_assert(vmx_msr_readable(IA32_VMX_EPT_VPID_CAP, &v));
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS2, 1ULL << 37); /* VPID */
    cr_assert(vmx_msr_readable(IA32_VMX_EPT_VPID_CAP, &v));
    /* the chain: PROCBASED_CTLS2 itself does not exist without primary bit 63 */
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 0);
    cr_assert_not(vmx_msr_readable(IA32_VMX_EPT_VPID_CAP, &v));
}

Test(vmx_caps, readable_vmfunc_needs_secondary_bit13)
{
    struct vmx_msr_values v = {0};
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS, 1ULL << 63);
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS2, ~(1ULL << 45));
    cr_assert_not(vmx_msr_readable(IA32_VMX_VMFUNC, &v));
    vmx_msr_store(&v, IA32_VMX_PROCBASED_CTLS2, 1ULL << 45);
    cr_assert(vmx_msr_readable(IA32_VMX_VMFUNC, &v));
}

Test(vmx_caps, store_get_and_names)
{
    struct vmx_msr_values v = {0};
    uint64_t x = 0;
    cr_assert_eq(vmx_msr_store(&v, IA32_FEATURE_CONTROL, 5), VMX_CAPS_EINVAL);
    cr_assert_eq(vmx_msr_store(&v, 0x494, 5), VMX_CAPS_EINVAL);
    cr_assert_not(vmx_msr_get(&v, IA32_VMX_MISC, &x));
    cr_assert_eq(vmx_msr_store(&v, IA32_VMX_MISC, 0x1234), VMX_CAPS_OK);
    cr_assert_eq(v.misc, 0x1234);
    cr_assert_eq(v.present_mask, VMX_MSR_PRESENT(VMX_MSR_ID_MISC));
    cr_assert(vmx_msr_get(&v, IA32_VMX_MISC, &x));
    cr_assert_eq(x, 0x1234);
    cr_assert_str_eq(vmx_msr_name(IA32_VMX_EPT_VPID_CAP), "IA32_VMX_EPT_VPID_CAP");
    cr_assert_str_eq(vmx_msr_name(IA32_VMX_EXIT_CTLS2), "IA32_VMX_EXIT_CTLS2");
    cr_assert_str_eq(vmx_msr_name(IA32_VMX_TRUE_PROCBASED_CTLS), "IA32_VMX_TRUE_PROCBASED_CTLS");
    cr_assert_null(vmx_msr_name(0x494));
    cr_assert_str_eq(vmx_memory_type_name(6), "WB");
    cr_assert_str_eq(vmx_memory_type_name(0), "UC");
    cr_assert_str_eq(vmx_memory_type_name(3), "?");
}

/* Simulates the kernel's read loop against a fixture standing for the hardware: reading an
 * MSR that does not exist would be #GP, so the fake rdmsr records it as a failure. */
static uint32_t simulate_read_loop(const struct fixture *f, struct vmx_msr_values *out)
{
    memset(out, 0, sizeof(*out));
    for (uint32_t id = 0; id < VMX_MSR_ID_COUNT; id++) {
        uint32_t msr = VMX_MSR_FIRST + id;
        if (!vmx_msr_readable(msr, out))
            continue;
        cr_assert(f->expect_present & VMX_MSR_PRESENT(id), "%s: read of absent MSR 0x%x", f->name,
                  msr);
        uint64_t hw = 0;
        cr_assert(vmx_msr_get(f->v, msr, &hw), "%s: 0x%x", f->name, msr);
        vmx_msr_store(out, msr, hw);
    }
    return out->present_mask;
}

Test(vmx_caps, fixtures_read_loop_reads_exactly_the_existing_msrs)
{
    for (size_t i = 0; i < N_FIXTURES; i++) {
        struct vmx_msr_values got;
        cr_assert_eq(simulate_read_loop(&fixtures[i], &got), fixtures[i].expect_present, "%s",
                     fixtures[i].name);
    }
}

/* ---- decoding ------------------------------------------------------------------------------ */

Test(vmx_caps, decode_basic)
{
    struct vmx_caps c;
    cr_assert_eq(vmx_caps_decode(&fixture_skylake_like, &c), VMX_CAPS_OK);
    cr_assert_eq(c.revision_id, 4);
    cr_assert_eq(c.vmcs_size, 1024);
    cr_assert_eq(c.vmcs_memory_type, VMX_MEMTYPE_WB);
    cr_assert(c.true_controls);
    cr_assert(c.ins_outs_info);
    cr_assert(c.dual_monitor_smm);
    cr_assert_not(c.phys_addr_32bit);
    cr_assert_not(c.no_error_code_required);

    struct vmx_msr_values v = {.present_mask = VMX_MSR_PRESENT(VMX_MSR_ID_BASIC)};
    v.basic = (1ULL << 56) | (1ULL << 48) | (0x1000ULL << 32) | 0x7fffffffULL | (1ULL << 31);
    cr_assert_eq(vmx_caps_decode(&v, &c), VMX_CAPS_OK);
    cr_assert_eq(c.revision_id, 0x7fffffff); /* bit 31 is not part of the revision */
    cr_assert_eq(c.vmcs_size, 4096);
    cr_assert_eq(c.vmcs_memory_type, VMX_MEMTYPE_UC);
    cr_assert(c.phys_addr_32bit);
    cr_assert(c.no_error_code_required);
    cr_assert_not(c.true_controls);
    cr_assert_not(c.ins_outs_info);
}

Test(vmx_caps, decode_misc)
{
    struct vmx_caps c;
    cr_assert_eq(vmx_caps_decode(&fixture_skylake_like, &c), VMX_CAPS_OK);
    cr_assert_eq(c.preemption_timer_rate, 7);
    cr_assert(c.store_efer_lma);
    cr_assert(c.activity_hlt && c.activity_shutdown && c.activity_wait_for_sipi);
    cr_assert(c.intel_pt_in_vmx);
    cr_assert(c.rdmsr_smbase_in_smm);
    cr_assert_eq(c.cr3_target_count, 4);
    cr_assert_eq(c.max_msr_list, 512);
    cr_assert(c.smm_monitor_ctl_b2 && c.vmwrite_exit_info && c.zero_length_injection);
    cr_assert_eq(c.mseg_revision, 0);

    struct vmx_msr_values v = fixture_skylake_like;
    v.misc = 0x1234567800000000ULL | (3ULL << 25) | (0x1ffULL << 16) | 0x1fULL;
    cr_assert_eq(vmx_caps_decode(&v, &c), VMX_CAPS_OK);
    cr_assert_eq(c.preemption_timer_rate, 31);
    cr_assert_eq(c.cr3_target_count, 511);
    cr_assert_eq(c.max_msr_list, 2048);
    cr_assert_eq(c.mseg_revision, 0x12345678);
    cr_assert_not(c.store_efer_lma || c.activity_hlt || c.intel_pt_in_vmx);
    cr_assert_not(c.smm_monitor_ctl_b2 || c.vmwrite_exit_info || c.zero_length_injection);
}

Test(vmx_caps, decode_fixed_enum_ept_vpid_vmfunc)
{
    struct vmx_caps c;
    cr_assert_eq(vmx_caps_decode(&fixture_skylake_like, &c), VMX_CAPS_OK);
    cr_assert_eq(c.cr0_fixed0, 0x80000021);
    cr_assert_eq(c.cr0_fixed1, 0xffffffff);
    cr_assert_eq(c.cr4_fixed0, 0x2000);
    cr_assert_eq(c.cr4_fixed1, 0x3767ff);
    cr_assert_eq(c.vmcs_max_index, 23);
    cr_assert(c.ept.execute_only && c.ept.walk_4 && c.ept.memtype_uc && c.ept.memtype_wb);
    cr_assert(c.ept.pages_2m && c.ept.pages_1g && c.ept.invept && c.ept.ad_flags);
    cr_assert(c.ept.advanced_exit_info);
    cr_assert(c.ept.invept_single_context && c.ept.invept_all_context);
    cr_assert_not(c.ept.walk_5);
    cr_assert_not(c.ept.supervisor_shadow_stack);
    cr_assert(c.vpid.invvpid && c.vpid.individual_address && c.vpid.single_context);
    cr_assert(c.vpid.all_context && c.vpid.single_context_retaining_globals);
    cr_assert(c.eptp_switching);

    struct vmx_msr_values v = fixture_skylake_like;
    v.ept_vpid_cap = (1ULL << 7) | (1ULL << 23) | (1ULL << 42);
    cr_assert_eq(vmx_caps_decode(&v, &c), VMX_CAPS_OK);
    cr_assert(c.ept.walk_5 && c.ept.supervisor_shadow_stack && c.vpid.all_context);
    cr_assert_not(c.ept.walk_4 || c.ept.invept || c.vpid.invvpid || c.vpid.single_context);
}

Test(vmx_caps, decode_needs_basic_and_ignores_absent_msrs)
{
    struct vmx_caps c;
    struct vmx_msr_values v = fixture_skylake_like;
    v.present_mask &= ~VMX_MSR_PRESENT(VMX_MSR_ID_BASIC);
    cr_assert_eq(vmx_caps_decode(&v, &c), VMX_CAPS_ENOBASIC);
    cr_assert_eq(vmx_caps_decode(NULL, &c), VMX_CAPS_EINVAL);

    cr_assert_eq(vmx_caps_decode(&core2_like, &c), VMX_CAPS_OK);
    cr_assert_eq(c.present_mask, fixtures[1].expect_present);
    cr_assert_not(c.true_controls);
    cr_assert_not(c.ctl[VMX_CTL_PROC2].available);
    cr_assert_eq(c.ept_vpid_cap, 0);
    cr_assert_eq(c.vmfunc, 0);
    cr_assert_not(c.ctl[VMX_CTL_PIN].from_true);
    cr_assert_eq(c.ctl[VMX_CTL_PIN].allowed1, 0x3f);
}

/* ---- features ------------------------------------------------------------------------------ */

Test(vmx_caps, features_skylake_like)
{
    static const enum vmx_feature yes[] = {
        VMX_FEATURE_EPT,
        VMX_FEATURE_VPID,
        VMX_FEATURE_UNRESTRICTED_GUEST,
        VMX_FEATURE_PREEMPTION_TIMER,
        VMX_FEATURE_MTF,
        VMX_FEATURE_TPR_SHADOW,
        VMX_FEATURE_VIRTUALIZE_APIC_ACCESSES,
        VMX_FEATURE_VIRTUALIZE_X2APIC,
        VMX_FEATURE_VIRTUAL_NMIS,
        VMX_FEATURE_VMFUNC,
        VMX_FEATURE_EPTP_SWITCHING,
        VMX_FEATURE_VMCS_SHADOWING,
        VMX_FEATURE_EPT_AD,
        VMX_FEATURE_EPT_2M,
        VMX_FEATURE_EPT_1G,
        VMX_FEATURE_PML,
        VMX_FEATURE_EPT_VE,
        VMX_FEATURE_INVEPT,
        VMX_FEATURE_INVVPID,
        VMX_FEATURE_MSR_BITMAPS,
        VMX_FEATURE_IO_BITMAPS,
        VMX_FEATURE_SECONDARY_CONTROLS,
        VMX_FEATURE_EXIT_SAVE_EFER,
        VMX_FEATURE_EXIT_LOAD_EFER,
        VMX_FEATURE_ENTRY_LOAD_EFER,
        VMX_FEATURE_ENTRY_LOAD_PAT,
        VMX_FEATURE_EXIT_LOAD_PAT,
        VMX_FEATURE_TRUE_CONTROLS,
        VMX_FEATURE_ACTIVITY_HLT,
    };
    static const enum vmx_feature no[] = {
        VMX_FEATURE_POSTED_INTERRUPTS,
        VMX_FEATURE_APIC_REGISTER_VIRT,
        VMX_FEATURE_VIRTUAL_INTR_DELIVERY,
        VMX_FEATURE_TERTIARY_CONTROLS,
        VMX_FEATURE_EPT_WALK_5,
        VMX_FEATURE_TSC_SCALING,
    };
    struct vmx_caps c;
    cr_assert_eq(vmx_caps_decode(&fixture_skylake_like, &c), VMX_CAPS_OK);
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        cr_assert(vmx_caps_has(&c, yes[i]), "%s", vmx_feature_name(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        cr_assert_not(vmx_caps_has(&c, no[i]), "%s", vmx_feature_name(no[i]));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_COUNT));
    cr_assert_not(vmx_caps_has(NULL, VMX_FEATURE_EPT));
}

Test(vmx_caps, features_core2_like_has_no_secondary_features)
{
    struct vmx_caps c;
    cr_assert_eq(vmx_caps_decode(&core2_like, &c), VMX_CAPS_OK);
    cr_assert(vmx_caps_has(&c, VMX_FEATURE_TPR_SHADOW));
    cr_assert(vmx_caps_has(&c, VMX_FEATURE_MSR_BITMAPS));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_SECONDARY_CONTROLS));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPT));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPT_2M));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_INVVPID));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPTP_SWITCHING));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_TRUE_CONTROLS));
    cr_assert(vmx_caps_has(&c, VMX_FEATURE_VIRTUAL_NMIS));         /* pin allowed-1 0x3f */
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_PREEMPTION_TIMER)); /* bit 6 */
}

Test(vmx_caps, features_ept_caps_need_ept)
{
    struct vmx_caps c;
    struct vmx_msr_values v = fixture_skylake_like;
    v.procbased2 = (uint64_t)PROC_BASED2_ENABLE_VPID << 32; /* VPID only */
    cr_assert_eq(vmx_caps_decode(&v, &c), VMX_CAPS_OK);
    cr_assert_neq(c.ept_vpid_cap & VMX_EPT_2M_PAGES, 0);
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPT));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPT_2M));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_INVEPT_ALL_CONTEXT));
    cr_assert(vmx_caps_has(&c, VMX_FEATURE_VPID));
    cr_assert(vmx_caps_has(&c, VMX_FEATURE_INVVPID_SINGLE_CONTEXT));
    cr_assert_not(vmx_caps_has(&c, VMX_FEATURE_EPTP_SWITCHING)); /* VMFUNC MSR gone too */
}

Test(vmx_caps, feature_names_complete_and_unique)
{
    for (int i = 0; i < VMX_FEATURE_COUNT; i++) {
        const char *a = vmx_feature_name((enum vmx_feature)i);
        cr_assert_str_neq(a, "?", "feature %d has no name", i);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(a, vmx_feature_name((enum vmx_feature)j));
    }
    cr_assert_str_eq(vmx_feature_name(VMX_FEATURE_UNRESTRICTED_GUEST), "UNRESTRICTED_GUEST");
    cr_assert_str_eq(vmx_feature_name(VMX_FEATURE_COUNT), "?");
}

/* ---- report -------------------------------------------------------------------------------- */

Test(vmx_caps, report_skylake_like_lines)
{
    run_report(&fixture_skylake_like);
    assert_line("MSR IA32_VMX_BASIC 0x480: 0x00da040000000004");
    assert_line("MSR IA32_VMX_PROCBASED_CTLS3 0x492: not available");
    assert_line("BASIC: revision 0x00000004, VMCS size 1024, memory type WB(6), TRUE controls yes");
    assert_line("MISC: CR3 targets 4, max MSR list 512, Intel PT in VMX yes, RDMSR SMBASE in SMM "
                "yes");
    assert_line("VMCS_ENUM: highest index 23");
    assert_line("EPT: INVEPT yes (single-context yes, all-context yes), A/D flags yes, advanced "
                "exit info yes, supervisor shadow stack no");
    assert_line("VMFUNC: EPTP switching yes");
    assert_line("PINBASED: from IA32_VMX_TRUE_PINBASED_CTLS, must-be-1 0x00000016, may-be-1 "
                "0x0000007f");
    assert_line("PINBASED.EXTERNAL_INTERRUPT_EXITING bit 0: may-be-0 yes, may-be-1 yes, flexible");
    assert_line("PINBASED.reserved bit 1: may-be-0 no, may-be-1 yes, fixed-1, default1");
    assert_line("PINBASED.VIRTUAL_NMIS bit 5: may-be-0 yes, may-be-1 yes, flexible");
    assert_line("PINBASED.PROCESS_POSTED_INTERRUPTS bit 7: may-be-0 yes, may-be-1 no, fixed-0");
    assert_line("PROCBASED: from IA32_VMX_TRUE_PROCBASED_CTLS, must-be-1 0x04006172, may-be-1 "
                "0xfff9fffe");
    assert_line(
        "PROCBASED.CR3_LOAD_EXITING bit 15: may-be-0 yes, may-be-1 yes, flexible, default1");
    assert_line("PROCBASED.ACTIVATE_TERTIARY_CONTROLS bit 17: may-be-0 yes, may-be-1 no, fixed-0");
    assert_line("PROCBASED2: from IA32_VMX_PROCBASED_CTLS2, must-be-1 0x00000000, may-be-1 "
                "0x0017fcff");
    assert_line("PROCBASED2.ENABLE_EPT bit 1: may-be-0 yes, may-be-1 yes, flexible");
    assert_line(
        "PROCBASED2.APIC_REGISTER_VIRTUALIZATION bit 8: may-be-0 yes, may-be-1 no, fixed-0");
    assert_line("PROCBASED3: not available");
    assert_line("EXIT2: not available");
    assert_line("EXIT.SAVE_DEBUG_CONTROLS bit 2: may-be-0 yes, may-be-1 yes, flexible, default1");
    assert_line("ENTRY.IA32E_MODE_GUEST bit 9: may-be-0 yes, may-be-1 yes, flexible");
    assert_line("FEATURE EPT yes");
    assert_line("FEATURE POSTED_INTERRUPTS no");
    /* 5 named pin-based bits + reserved bits 1, 2, 4 (may be 1) */
    cr_assert_eq(count_prefix("PINBASED."), 8);
    /* every named secondary control is listed, plus no unnamed one (none may be 1) */
    cr_assert_eq(count_prefix("PROCBASED2."), 31);
    cr_assert_eq(count_prefix("FEATURE "), VMX_FEATURE_COUNT);
}

Test(vmx_caps, report_core2_like_and_without_basic)
{
    run_report(&core2_like);
    assert_line("BASIC: revision 0x0000000d, VMCS size 2048, memory type WB(6), TRUE controls no");
    assert_line("MSR IA32_VMX_TRUE_PINBASED_CTLS 0x48d: not available");
    assert_line("PINBASED: from IA32_VMX_PINBASED_CTLS, must-be-1 0x00000016, may-be-1 0x0000003f");
    assert_line("PROCBASED.CR3_LOAD_EXITING bit 15: may-be-0 no, may-be-1 yes, fixed-1, default1");
    assert_line("PROCBASED2: not available");
    assert_line("EPT: not available");
    assert_line("FEATURE EPT no");

    struct vmx_msr_values v = {0};
    run_report(&v);
    assert_line("MSR IA32_VMX_BASIC 0x480: not read");
    assert_line("MSR IA32_VMX_TRUE_EXIT_CTLS 0x48f: not available");
    assert_line("BASIC: not available");
    cr_assert_eq(rep.n, VMX_MSR_ID_COUNT + 1);
}

Test(vmx_caps, report_reserved_bits_only_when_allowed)
{
    struct vmx_msr_values v = fixture_skylake_like;
    v.procbased2 |= 1ULL << (32 + 29); /* an unnamed secondary control that may be 1 */
    run_report(&v);
    assert_line("PROCBASED2.reserved bit 29: may-be-0 yes, may-be-1 yes, flexible");
    cr_assert_eq(count_prefix("PROCBASED2."), 32);
    run_report(&fixture_skylake_like);
    cr_assert_lt(find_line("PROCBASED2.reserved bit 29: may-be-0 yes, may-be-1 yes, flexible"), 0);
}

/* ---- invariants over every fixture ----------------------------------------------------------- */

Test(vmx_caps, fixtures_decode_and_controls_are_consistent)
{
    for (size_t i = 0; i < N_FIXTURES; i++) {
        struct vmx_caps c;
        cr_assert_eq(vmx_caps_decode(fixtures[i].v, &c), VMX_CAPS_OK, "%s", fixtures[i].name);
        cr_assert_eq(c.present_mask, fixtures[i].expect_present, "%s", fixtures[i].name);
        cr_assert(c.vmcs_size > 0 && c.vmcs_size <= 4096, "%s", fixtures[i].name);
        for (int k = 0; k < VMX_CTL_COUNT; k++) {
            const struct vmx_ctl_allowed *a = &c.ctl[k];
            if (!a->available)
                continue;
            cr_assert_eq(a->allowed0 & ~a->allowed1, 0, "%s %s", fixtures[i].name,
                         vmx_ctl_short_name((enum vmx_ctl)k));
            uint64_t out = 0;
            cr_assert_eq(
                vmx_adjust_controls64((enum vmx_ctl)k, 0, 0, fixtures[i].v, &out, NULL, NULL, 0),
                VMX_CTL_OK);
            cr_assert_eq(out & a->allowed0, a->allowed0);
            cr_assert_eq(out & ~a->allowed1, 0);
        }
        cr_assert_eq(c.cr0_fixed0 & ~c.cr0_fixed1, 0, "%s", fixtures[i].name);
        cr_assert_eq(c.cr4_fixed0 & ~c.cr4_fixed1, 0, "%s", fixtures[i].name);
    }
}

Test(vmx_caps, fixtures_report_is_well_formed)
{
    static const char *const fields[] = {"PINBASED.", "PROCBASED.", "PROCBASED2.", "PROCBASED3.",
                                         "EXIT.",     "EXIT2.",     "ENTRY."};
    for (size_t i = 0; i < N_FIXTURES; i++) {
        run_report(fixtures[i].v);
        cr_assert_gt(rep.n, VMX_MSR_ID_COUNT, "%s", fixtures[i].name);
        for (int l = 0; l < rep.n; l++) {
            cr_assert_lt(strlen(rep.lines[l]), 190, "%s: line too long: %s", fixtures[i].name,
                         rep.lines[l]);
            for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                if (strncmp(rep.lines[l], fields[f], strlen(fields[f])) == 0)
                    cr_assert(strstr(rep.lines[l], " bit ") && strstr(rep.lines[l], "may-be-1"),
                              "%s: %s", fixtures[i].name, rep.lines[l]);
        }
    }
}
