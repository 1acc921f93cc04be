/*
 * tests/unit/test_vmx_controls.c - control-field names and allowed settings, the
 * adjustment algorithm (SDM A.3-A.5, SDM 32.5.1) and the CR0/CR4 fixed-bit helpers.
 * Fixtures are plain struct vmx_msr_values initializers.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmx/vmx_caps.h"
#include "tests/unit/fixtures.h"
#include "vmx/vmx_controls.h"

/* Hand-built, with tertiary and secondary VM-exit controls (64-bit fields). */
static const struct vmx_msr_values tertiary_like = {
    .basic = 0x00da040000000004ULL,
    .pinbased = 0x000000ff00000016ULL,
    .procbased = 0xfffbfffe0401e172ULL, /* bit 49: tertiary controls may be 1 */
    .exit = 0xffffffff00036dffULL,      /* bit 63: secondary VM-exit controls may be 1 */
    .entry = 0x00ffffff000011ffULL,
    .procbased2 = 0x7fffffff00000000ULL,
    .procbased3 = 0x0000000000000090ULL, /* IPI virtualization, virtualize IA32_SPEC_CTRL */
    .exit2 = 0x0000000000000003ULL,      /* save/load IA32_FRED */
    .true_pin = 0x000000ff00000016ULL,
    .true_proc = 0xfffbfffe04006172ULL,
    .true_exit = 0xffffffff00036dfbULL,
    .true_entry = 0x00ffffff000011fbULL,
    .present_mask = VMX_MSR_PRESENT_ALL,
};

static struct vmx_msr_values without_true(struct vmx_msr_values v)
{
    v.basic &= ~VMX_BASIC_TRUE_CTLS;
    return v;
}

/* ---- names and bit positions ----------------------------------------------------------------- */

Test(vmx_controls, bit_positions_match_the_sdm)
{
    /* spot checks against SDM tables 25-5..25-8, 25-13, 25-15 */
    cr_assert_eq(PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER, 1U << 6);
    cr_assert_eq(PROC_BASED_USE_TPR_SHADOW, 1U << 21);
    cr_assert_eq(PROC_BASED_MONITOR_TRAP_FLAG, 1U << 27);
    cr_assert_eq(PROC_BASED_ACTIVATE_SECONDARY_CONTROLS, 0x80000000U);
    cr_assert_eq(PROC_BASED2_UNRESTRICTED_GUEST, 1U << 7);
    cr_assert_eq(PROC_BASED2_ENABLE_PML, 1U << 17);
    cr_assert_eq(PROC_BASED2_USE_TSC_SCALING, 1U << 25);
    cr_assert_eq(VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE, 1U << 9);
    cr_assert_eq(VM_EXIT_CTL_LOAD_IA32_EFER, 1U << 21);
    cr_assert_eq(VM_ENTRY_CTL_IA32E_MODE_GUEST, 1U << 9);
    cr_assert_eq(VM_ENTRY_CTL_LOAD_IA32_EFER, 1U << 15);
    /* the only default1 controls with a name are CR3-load/store exiting and the debug
     * controls (SDM A.2 and 25.6.2, 25.7.1, 25.8.1) */
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_PIN) & vmx_ctl_default1_mask(VMX_CTL_PIN), 0);
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_PROC) & vmx_ctl_default1_mask(VMX_CTL_PROC),
                 PROC_BASED_CR3_LOAD_EXITING | PROC_BASED_CR3_STORE_EXITING);
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_EXIT) & vmx_ctl_default1_mask(VMX_CTL_EXIT),
                 VM_EXIT_CTL_SAVE_DEBUG_CONTROLS);
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_ENTRY) & vmx_ctl_default1_mask(VMX_CTL_ENTRY),
                 VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS);
    cr_assert_eq(vmx_ctl_default1_mask(VMX_CTL_PROC2), 0);
    /* every primary control bit is either named or in the default1 class, except 0 and 18 */
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_PROC) | vmx_ctl_default1_mask(VMX_CTL_PROC),
                 ~((1U << 0) | (1U << 18)));
    cr_assert_eq(vmx_ctl_known_mask(VMX_CTL_PROC2), ~(1U << 29));
}

Test(vmx_controls, names)
{
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_PROC2, 1), "ENABLE_EPT");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_PROC2, 7), "UNRESTRICTED_GUEST");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_PIN, 5), "VIRTUAL_NMIS");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_PROC3, 4), "IPI_VIRTUALIZATION");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_EXIT, 15), "ACKNOWLEDGE_INTERRUPT_ON_EXIT");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_EXIT2, 3), "PREMATURELY_BUSY_SHADOW_STACK");
    cr_assert_str_eq(vmx_ctl_bit_name(VMX_CTL_ENTRY, 9), "IA32E_MODE_GUEST");
    cr_assert_null(vmx_ctl_bit_name(VMX_CTL_PIN, 1));
    cr_assert_null(vmx_ctl_bit_name(VMX_CTL_PROC2, 29));
    cr_assert_null(vmx_ctl_bit_name(VMX_CTL_PIN, 64));
    cr_assert_null(vmx_ctl_bit_name(VMX_CTL_COUNT, 0));
    cr_assert_str_eq(vmx_ctl_short_name(VMX_CTL_PROC2), "PROCBASED2");
    cr_assert_str_eq(vmx_ctl_long_name(VMX_CTL_EXIT), "VM-exit controls");
    cr_assert_str_eq(vmx_ctl_short_name(VMX_CTL_COUNT), "?");
}

/* ---- allowed settings ------------------------------------------------------------------------ */

Test(vmx_controls, allowed_uses_true_msr_only_with_basic_bit55)
{
    struct vmx_ctl_allowed a;
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PROC, &fixture_skylake_like, &a), VMX_CTL_OK);
    cr_assert(a.available && a.from_true);
    cr_assert_eq(a.msr, IA32_VMX_TRUE_PROCBASED_CTLS);
    cr_assert_eq(a.allowed0, 0x04006172);
    cr_assert_eq(a.allowed1, 0xfff9fffe);

    struct vmx_msr_values v = without_true(fixture_skylake_like);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PROC, &v, &a), VMX_CTL_OK);
    cr_assert_not(a.from_true);
    cr_assert_eq(a.msr, IA32_VMX_PROCBASED_CTLS);
    cr_assert_eq(a.allowed0, 0x0401e172);

    /* bit 55 set but the TRUE MSR was not read: fall back to the plain MSR */
    v = fixture_skylake_like;
    v.present_mask &= ~VMX_MSR_PRESENT(VMX_MSR_ID_TRUE_EXIT);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_EXIT, &v, &a), VMX_CTL_OK);
    cr_assert_not(a.from_true);
    cr_assert_eq(a.allowed0, 0x00036dff);

    /* secondary controls have no TRUE MSR */
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PROC2, &fixture_skylake_like, &a), VMX_CTL_OK);
    cr_assert_not(a.from_true);
    cr_assert_eq(a.allowed1, 0x0017fcff);
}

Test(vmx_controls, allowed_missing_fields)
{
    struct vmx_ctl_allowed a;
    const struct vmx_msr_values none = {0};
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PIN, &none, &a), VMX_CTL_ENOMSR);
    cr_assert_not(a.available);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PROC3, &fixture_skylake_like, &a), VMX_CTL_ENOMSR);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_EXIT2, &fixture_skylake_like, &a), VMX_CTL_ENOMSR);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_COUNT, &fixture_skylake_like, &a), VMX_CTL_EINVAL);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PIN, &fixture_skylake_like, NULL), VMX_CTL_EINVAL);
}

Test(vmx_controls, allowed_64bit_fields_report_allowed1_only)
{
    struct vmx_ctl_allowed a;
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_PROC3, &tertiary_like, &a), VMX_CTL_OK);
    cr_assert_eq(a.allowed0, 0);
    cr_assert_eq(a.allowed1, 0x90);
    cr_assert_eq(vmx_ctl_get_allowed(VMX_CTL_EXIT2, &tertiary_like, &a), VMX_CTL_OK);
    cr_assert_eq(a.allowed1, 0x3);
}

/* ---- adjustment ------------------------------------------------------------------------------ */

Test(vmx_controls, adjust_true_vs_plain_msr)
{
    const uint32_t want = PROC_BASED_HLT_EXITING | PROC_BASED_USE_MSR_BITMAPS |
                          PROC_BASED_ACTIVATE_SECONDARY_CONTROLS;
    uint32_t out = 0;
    char err[128];
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC, want, 0, &fixture_skylake_like, &out, NULL, err,
                                     sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0x04006172U | want); /* CR3-load/store exiting may be 0: left 0 */
    cr_assert_eq(out & PROC_BASED_CR3_LOAD_EXITING, 0);

    struct vmx_msr_values v = without_true(fixture_skylake_like);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC, want, 0, &v, &out, NULL, err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0x0401e172U | want); /* plain MSR: every default1 bit must be 1 */
    cr_assert_neq(out & PROC_BASED_CR3_STORE_EXITING, 0);

    /* a known default1 control is still set when wanted */
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC, PROC_BASED_CR3_LOAD_EXITING, 0,
                                     &fixture_skylake_like, &out, NULL, err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0x04006172U | PROC_BASED_CR3_LOAD_EXITING);

    /* VM-exit: "save debug controls" (known, default1) may be 0 with the TRUE MSR */
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_EXIT, VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE, 0,
                                     &fixture_skylake_like, &out, NULL, err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0x00036dfbU | VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE);
}

Test(vmx_controls, adjust_forces_must_be_1_bits)
{
    uint32_t out = 0, dropped = 1;
    cr_assert_eq(
        vmx_adjust_controls(VMX_CTL_PIN, 0, 0, &fixture_skylake_like, &out, &dropped, NULL, 0),
        VMX_CTL_OK);
    cr_assert_eq(out, 0x16);
    cr_assert_eq(dropped, 0);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_ENTRY, VM_ENTRY_CTL_IA32E_MODE_GUEST, 0,
                                     &fixture_skylake_like, &out, NULL, NULL, 0),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0x11fbU | VM_ENTRY_CTL_IA32E_MODE_GUEST);
}

Test(vmx_controls, adjust_sets_unknown_flexible_default1_bits_with_true_msrs)
{
    /* SDM 32.5.1 algorithm 2 (c)(iv): pin-based bit 1 (default1, no name) may be 0 here but
     * stays 1; bit 8 (not default1, no name) may be 1 but stays 0 (c)(iii). */
    struct vmx_msr_values v = fixture_skylake_like;
    v.true_pin = 0x0000017f00000014ULL;
    uint32_t out = 0;
    cr_assert_eq(
        vmx_adjust_controls(VMX_CTL_PIN, PIN_BASED_NMI_EXITING, 0, &v, &out, NULL, NULL, 0),
        VMX_CTL_OK);
    cr_assert_eq(out, 0x16U | PIN_BASED_NMI_EXITING);
    cr_assert_eq(out & (1U << 8), 0);
}

Test(vmx_controls, adjust_required_unsupported_names_every_bit)
{
    const uint32_t required = PROC_BASED2_ENABLE_EPT | PROC_BASED2_UNRESTRICTED_GUEST |
                              PROC_BASED2_APIC_REGISTER_VIRTUALIZATION |
                              PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY;
    uint32_t out = 0xdeadbeef;
    char err[200];
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, 0, required, &fixture_skylake_like, &out, NULL,
                                     err, sizeof(err)),
                 VMX_CTL_EUNSUPPORTED);
    cr_assert_str_eq(err, "secondary processor-based VM-execution controls: required but not "
                          "supported: APIC_REGISTER_VIRTUALIZATION, VIRTUAL_INTERRUPT_DELIVERY");
    cr_assert_eq(out, 0xdeadbeef);

    struct vmx_msr_values v = fixture_skylake_like;
    v.procbased2 &= ~((uint64_t)(PROC_BASED2_ENABLE_EPT | PROC_BASED2_UNRESTRICTED_GUEST) << 32);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, 0, required | (1U << 29), &v, &out, NULL, err,
                                     sizeof(err)),
                 VMX_CTL_EUNSUPPORTED);
    cr_assert_str_eq(err, "secondary processor-based VM-execution controls: required but not "
                          "supported: ENABLE_EPT, UNRESTRICTED_GUEST, "
                          "APIC_REGISTER_VIRTUALIZATION, VIRTUAL_INTERRUPT_DELIVERY, bit 29");
}

Test(vmx_controls, adjust_drops_wanted_unsupported_bits)
{
    const uint32_t want = PROC_BASED2_ENABLE_EPT | PROC_BASED2_APIC_REGISTER_VIRTUALIZATION |
                          PROC_BASED2_USE_TSC_SCALING;
    uint32_t out = 0, dropped = 0;
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, want, PROC_BASED2_ENABLE_VPID,
                                     &fixture_skylake_like, &out, &dropped, NULL, 0),
                 VMX_CTL_OK);
    cr_assert_eq(out, PROC_BASED2_ENABLE_EPT | PROC_BASED2_ENABLE_VPID);
    cr_assert_eq(dropped, PROC_BASED2_APIC_REGISTER_VIRTUALIZATION | PROC_BASED2_USE_TSC_SCALING);
    /* dropped may be NULL */
    cr_assert_eq(
        vmx_adjust_controls(VMX_CTL_PROC2, want, 0, &fixture_skylake_like, &out, NULL, NULL, 0),
        VMX_CTL_OK);
    cr_assert_eq(out, PROC_BASED2_ENABLE_EPT);
}

Test(vmx_controls, adjust_field_that_does_not_exist)
{
    /* no secondary controls: wanted bits are dropped, required ones fail */
    struct vmx_msr_values v = fixture_skylake_like;
    v.procbased &= ~(1ULL << 63);
    uint32_t out = 7, dropped = 0;
    char err[160];
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, PROC_BASED2_ENABLE_EPT, 0, &v, &out, &dropped,
                                     err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0);
    cr_assert_eq(dropped, PROC_BASED2_ENABLE_EPT);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, 0, PROC_BASED2_ENABLE_EPT, &v, &out, NULL, err,
                                     sizeof(err)),
                 VMX_CTL_EUNSUPPORTED);
    cr_assert_str_eq(err, "secondary processor-based VM-execution controls: required but not "
                          "supported: ENABLE_EPT");

    /* a mandatory field whose MSR was not read */
    const struct vmx_msr_values none = {0};
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PIN, 0, 0, &none, &out, NULL, err, sizeof(err)),
                 VMX_CTL_ENOMSR);
    cr_assert_str_eq(err, "pin-based VM-execution controls: capability MSR not read");
}

Test(vmx_controls, adjust_inconsistent_msr_and_bad_arguments)
{
    struct vmx_msr_values v = fixture_skylake_like;
    v.true_pin = 0x0000007f00000096ULL; /* bit 7 must be 1 but may not be 1 */
    uint32_t out = 0;
    char err[160];
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PIN, 0, 0, &v, &out, NULL, err, sizeof(err)),
                 VMX_CTL_EINCONSISTENT);
    cr_assert_not_null(strstr(err, "PROCESS_POSTED_INTERRUPTS"));
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_COUNT, 0, 0, &fixture_skylake_like, &out, NULL, err,
                                     sizeof(err)),
                 VMX_CTL_EINVAL);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PIN, 0, 0, NULL, &out, NULL, err, sizeof(err)),
                 VMX_CTL_EINVAL);
    cr_assert_eq(
        vmx_adjust_controls(VMX_CTL_PIN, 0, 0, &fixture_skylake_like, NULL, NULL, err, sizeof(err)),
        VMX_CTL_EINVAL);
}

Test(vmx_controls, adjust_error_message_truncates_safely)
{
    char err[24];
    uint32_t out = 0;
    memset(err, 'x', sizeof(err));
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, 0, 0xffffffffU, &fixture_skylake_like, &out,
                                     NULL, err, sizeof(err)),
                 VMX_CTL_EUNSUPPORTED);
    cr_assert_eq(strlen(err), sizeof(err) - 1);
    cr_assert_eq(strncmp(err, "secondary processor-bas", sizeof(err) - 1), 0);
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_PROC2, 0, 0xffffffffU, &fixture_skylake_like, &out,
                                     NULL, NULL, 0),
                 VMX_CTL_EUNSUPPORTED);
}

Test(vmx_controls, adjust_64bit_fields)
{
    uint64_t out = 0, dropped = 0;
    cr_assert_eq(vmx_adjust_controls64(VMX_CTL_PROC3,
                                       PROC_BASED3_IPI_VIRTUALIZATION | PROC_BASED3_ENABLE_HLAT, 0,
                                       &tertiary_like, &out, &dropped, NULL, 0),
                 VMX_CTL_OK);
    cr_assert_eq(out, PROC_BASED3_IPI_VIRTUALIZATION);
    cr_assert_eq(dropped, PROC_BASED3_ENABLE_HLAT);
    cr_assert_eq(vmx_adjust_controls64(VMX_CTL_EXIT2, 1ULL << 40, 0, &tertiary_like, &out, &dropped,
                                       NULL, 0),
                 VMX_CTL_OK);
    cr_assert_eq(out, 0);
    cr_assert_eq(dropped, 1ULL << 40);

    char err[160];
    cr_assert_eq(vmx_adjust_controls64(VMX_CTL_EXIT2, 0, 1ULL << 40, &tertiary_like, &out, NULL,
                                       err, sizeof(err)),
                 VMX_CTL_EUNSUPPORTED);
    cr_assert_str_eq(err, "secondary VM-exit controls: required but not supported: bit 40");

    uint32_t out32 = 0;
    cr_assert_eq(vmx_adjust_controls(VMX_CTL_EXIT2, 0, (uint32_t)VM_EXIT_CTL2_LOAD_IA32_FRED,
                                     &tertiary_like, &out32, NULL, NULL, 0),
                 VMX_CTL_OK);
    cr_assert_eq(out32, VM_EXIT_CTL2_LOAD_IA32_FRED);
    /* the tertiary field does not exist on the Skylake-like fixture */
    cr_assert_eq(vmx_adjust_controls64(VMX_CTL_PROC3, 0, PROC_BASED3_IPI_VIRTUALIZATION,
                                       &fixture_skylake_like, &out, NULL, NULL, 0),
                 VMX_CTL_EUNSUPPORTED);
}

/* ---- CR0 / CR4 fixed bits -------------------------------------------------------------------- */

Test(vmx_controls, fixed_cr_forces_bits)
{
    cr_assert_eq(vmx_fixed_cr(0, 0x80000021, 0xffffffff), 0x80000021);
    cr_assert_eq(vmx_fixed_cr(0x10000000000ULL | 0x10, 0x80000021, 0xffffffff), 0x80000031);
    cr_assert_eq(vmx_fixed_cr(0x20, 0x2000, 0x3767ff), 0x2020);
    cr_assert_eq(vmx_fixed_cr(0x800000, 0x2000, 0x3767ff), 0x2000); /* CET not allowed */
}

Test(vmx_controls, check_fixed_cr_names_bits)
{
    char err[128];
    cr_assert_eq(vmx_check_fixed_cr(0, 0x80000021, 0x80000021, 0xffffffff, false, err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(vmx_check_fixed_cr(0, 0x1, 0x80000021, 0xffffffff, false, err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR0: must be 1: NE, PG");
    cr_assert_eq(vmx_check_fixed_cr(0, 0x10000000000ULL | 0x80000001, 0x80000021, 0xffffffff, false,
                                    err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR0: must be 1: NE; must be 0: bit 40");
    cr_assert_eq(vmx_check_fixed_cr(4, 0x802000, 0x2000, 0x3767ff, false, err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR4: must be 0: CET");
    cr_assert_eq(vmx_check_fixed_cr(4, 0x0, 0x2000, 0x3767ff, true, err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR4: must be 1: VMXE");
    cr_assert_eq(vmx_check_fixed_cr(3, 0, 0, 0, false, err, sizeof(err)), VMX_CTL_EINVAL);
}

Test(vmx_controls, check_fixed_cr0_unrestricted_guest_exempts_pe_pg)
{
    char err[128];
    /* SDM 27.3.1.1: with "unrestricted guest", PE and PG need not be 1 */
    cr_assert_eq(vmx_check_fixed_cr(0, 0x20, 0x80000021, 0xffffffff, true, err, sizeof(err)),
                 VMX_CTL_OK);
    cr_assert_eq(vmx_check_fixed_cr(0, 0x0, 0x80000021, 0xffffffff, true, err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR0: must be 1: NE");
    cr_assert_eq(vmx_check_fixed_cr(0, 0x20, 0x80000021, 0xffffffff, false, err, sizeof(err)),
                 VMX_CTL_EFIXED);
    cr_assert_str_eq(err, "CR0: must be 1: PE, PG");
    cr_assert_eq(vmx_fixed_cr(0, 0x80000021 & ~VMX_CR0_UNRESTRICTED_EXEMPT, 0xffffffff), 0x20);
}
