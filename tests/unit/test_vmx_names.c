/*
 * tests/unit/test_vmx_names.c - exit-reason names (SDM appendix C), exit-reason field decoding
 * (SDM 25.9.1) and VM-instruction error texts (SDM 31.4) of vmx/vmx_names.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmx/vmx_names.h"

Test(vmx_names, exit_reason_names)
{
    static const struct {
        uint32_t basic;
        const char *name;
    } cases[] = {
        {0, "EXCEPTION_NMI"},
        {1, "EXTERNAL_INTERRUPT"},
        {2, "TRIPLE_FAULT"},
        {7, "INTERRUPT_WINDOW"},
        {10, "CPUID"},
        {12, "HLT"},
        {18, "VMCALL"},
        {28, "CR_ACCESS"},
        {30, "IO_INSTRUCTION"},
        {31, "RDMSR"},
        {33, "INVALID_GUEST_STATE"},
        {34, "MSR_LOAD_FAIL"},
        {37, "MONITOR_TRAP_FLAG"},
        {48, "EPT_VIOLATION"},
        {49, "EPT_MISCONFIG"},
        {52, "PREEMPTION_TIMER"},
        {62, "PML_FULL"},
        {70, "ENCLV"},
        {72, "ENQCMD_PASID_TRANSLATION"},
        {74, "BUS_LOCK"},
        {75, "INSTRUCTION_TIMEOUT"},
        {77, "TDCALL"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *name = vmx_exit_reason_name(cases[i].basic);
        cr_assert_not_null(name, "reason %u", cases[i].basic);
        cr_assert_str_eq(name, cases[i].name);
    }
}

Test(vmx_names, exit_reason_enum_values)
{
    cr_assert_eq(VM_EXIT_REASON_EXCEPTION_NMI, 0);
    cr_assert_eq(VM_EXIT_REASON_HLT, 12);
    cr_assert_eq(VM_EXIT_REASON_VMCALL, 18);
    cr_assert_eq(VM_EXIT_REASON_INVALID_GUEST_STATE, 33);
    cr_assert_eq(VM_EXIT_REASON_MWAIT, 36);
    cr_assert_eq(VM_EXIT_REASON_TPR_BELOW_THRESHOLD, 43);
    cr_assert_eq(VM_EXIT_REASON_EPT_VIOLATION, 48);
    cr_assert_eq(VM_EXIT_REASON_XSETBV, 55);
    cr_assert_eq(VM_EXIT_REASON_LOADIWKEY, 69);
    cr_assert_eq(VM_EXIT_REASON_ENQCMDS_PASID_TRANSLATION, 73);
    cr_assert_eq(VM_EXIT_REASON_TDCALL, VM_EXIT_REASON_MAX);
}

Test(vmx_names, unused_and_unknown_reasons_have_no_name)
{
    static const uint32_t unused[] = {35, 38, 42, 71, 78, 100, 0xffff, 0x80000021u, UINT32_MAX};
    for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
        cr_assert_null(vmx_exit_reason_name(unused[i]), "reason %#x", unused[i]);
}

Test(vmx_names, all_named_reasons_distinct)
{
    size_t named = 0;
    for (uint32_t a = 0; a <= VM_EXIT_REASON_MAX; a++) {
        const char *na = vmx_exit_reason_name(a);
        if (na == NULL)
            continue;
        named++;
        for (uint32_t b = a + 1; b <= VM_EXIT_REASON_MAX; b++) {
            const char *nb = vmx_exit_reason_name(b);
            if (nb)
                cr_assert_str_neq(na, nb, "reasons %u and %u", a, b);
        }
    }
    cr_assert_eq(named, 74); /* 0..77 less 35, 38, 42, 71 */
}

Test(vmx_names, decode_entry_failure)
{
    struct vmx_exit_reason_info i = vmx_exit_reason_decode(0x80000021u);
    cr_assert_eq(i.basic, 33);
    cr_assert(i.entry_failure);
    cr_assert_not(i.from_vmx_root);
    cr_assert_not(i.pending_mtf);
    cr_assert_not(i.enclave_mode);
    cr_assert_not(i.bus_lock_detected);
    cr_assert_eq(i.reserved, 0);
}

Test(vmx_names, decode_flag_bits)
{
    struct vmx_exit_reason_info i = vmx_exit_reason_decode(0x38000006u);
    cr_assert_eq(i.basic, 6);
    cr_assert(i.from_vmx_root); /* bit 29 */
    cr_assert(i.pending_mtf);   /* bit 28 */
    cr_assert(i.enclave_mode);  /* bit 27 */
    cr_assert_not(i.bus_lock_detected);
    cr_assert_not(i.entry_failure);

    i = vmx_exit_reason_decode(0x04000030u);
    cr_assert_eq(i.basic, 48);
    cr_assert(i.bus_lock_detected); /* bit 26 */
    cr_assert_not(i.enclave_mode);

    i = vmx_exit_reason_decode(0x40010000u);
    cr_assert_eq(i.basic, 0);
    cr_assert_eq(i.reserved, 0x40010000u); /* bit 30 and bit 16 */
}

Test(vmx_names, format_plain_and_failure)
{
    char buf[96];
    int n = vmx_exit_reason_format(48, buf, sizeof(buf));
    cr_assert_str_eq(buf, "EPT_VIOLATION (48)");
    cr_assert_eq(n, (int)strlen(buf));

    n = vmx_exit_reason_format(0x80000021u, buf, sizeof(buf));
    cr_assert_str_eq(buf, "INVALID_GUEST_STATE (33) entry-failure");
    cr_assert_eq(n, (int)strlen(buf));

    vmx_exit_reason_format(0x80000022u, buf, sizeof(buf));
    cr_assert_str_eq(buf, "MSR_LOAD_FAIL (34) entry-failure");
}

Test(vmx_names, format_flags_unknown_and_reserved)
{
    char buf[128];
    vmx_exit_reason_format(0xbc000006u, buf, sizeof(buf));
    cr_assert_str_eq(buf,
                     "OTHER_SMI (6) entry-failure from-vmx-root pending-mtf enclave-mode bus-lock");

    vmx_exit_reason_format(99u | (1u << 27), buf, sizeof(buf));
    cr_assert_str_eq(buf, "unknown (99) enclave-mode");

    vmx_exit_reason_format(0x00010030u, buf, sizeof(buf));
    cr_assert_str_eq(buf, "EPT_VIOLATION (48) reserved=0x10000");
}

Test(vmx_names, format_truncates_like_snprintf)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    int n = vmx_exit_reason_format(0x80000021u, buf, sizeof(buf));
    cr_assert_eq(n, (int)strlen("INVALID_GUEST_STATE (33) entry-failure"));
    cr_assert_str_eq(buf, "INVALID");

    cr_assert_eq(vmx_exit_reason_format(12, NULL, 0), (int)strlen("HLT (12)"));

    char small[12];
    n = vmx_exit_reason_format(0x80000021u | (1u << 29), small, sizeof(small));
    cr_assert_eq(n, (int)strlen("INVALID_GUEST_STATE (33) entry-failure from-vmx-root"));
    cr_assert_str_eq(small, "INVALID_GUE");
}

Test(vmx_names, insn_error_texts)
{
    cr_assert_str_eq(vmx_insn_error_name(1), "VMCALL executed in VMX root operation");
    cr_assert_str_eq(vmx_insn_error_name(2), "VMCLEAR with invalid physical address");
    cr_assert_str_eq(vmx_insn_error_name(4), "VMLAUNCH with non-clear VMCS");
    cr_assert_str_eq(vmx_insn_error_name(5), "VMRESUME with non-launched VMCS");
    cr_assert_str_eq(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
    cr_assert_str_eq(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
    cr_assert_str_eq(vmx_insn_error_name(11), "VMPTRLD with incorrect VMCS revision identifier");
    cr_assert_str_eq(vmx_insn_error_name(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
    cr_assert_str_eq(vmx_insn_error_name(13), "VMWRITE to read-only VMCS component");
    cr_assert_str_eq(vmx_insn_error_name(15), "VMXON executed in VMX root operation");
    cr_assert_str_eq(vmx_insn_error_name(26), "VM entry with events blocked by MOV SS");
    cr_assert_str_eq(vmx_insn_error_name(28), "Invalid operand to INVEPT/INVVPID");
}

Test(vmx_names, insn_error_enum_and_gaps)
{
    cr_assert_eq(VMX_INSN_ERR_ENTRY_INVALID_CONTROL_FIELD, 7);
    cr_assert_eq(VMX_INSN_ERR_ENTRY_INVALID_HOST_STATE_FIELD, 8);
    cr_assert_eq(VMX_INSN_ERR_VMWRITE_READ_ONLY_COMPONENT, 13);
    cr_assert_eq(VMX_INSN_ERR_INVALID_INVEPT_INVVPID_OPERAND, 28);

    static const uint32_t none[] = {0, 14, 21, 27, 29, 1000, UINT32_MAX};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
        cr_assert_null(vmx_insn_error_name(none[i]), "error %u", none[i]);

    size_t named = 0;
    for (uint32_t e = 1; e <= 28; e++)
        named += vmx_insn_error_name(e) != NULL;
    cr_assert_eq(named, 25); /* 1..28 less 14, 21, 27 */
}

Test(vmx_names, entry_failure_texts)
{
    char buf[200];
    uint32_t fail = VMX_EXIT_ENTRY_FAILURE;
    vmx_entry_failure_format(fail | VM_EXIT_REASON_INVALID_GUEST_STATE, 0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "no further information");
    vmx_entry_failure_format(fail | VM_EXIT_REASON_INVALID_GUEST_STATE, 2, buf, sizeof(buf));
    cr_assert_str_eq(buf, "PDPTE loading failed");
    vmx_entry_failure_format(fail | VM_EXIT_REASON_INVALID_GUEST_STATE, 4, buf, sizeof(buf));
    cr_assert_str_eq(buf, "invalid VMCS link pointer");
    vmx_entry_failure_format(fail | VM_EXIT_REASON_INVALID_GUEST_STATE, 5, buf, sizeof(buf));
    cr_assert_str_eq(buf, "a qualification the SDM does not define");
    vmx_entry_failure_format(fail | VM_EXIT_REASON_MSR_LOAD_FAIL, 3, buf, sizeof(buf));
    cr_assert_str_eq(buf, "entry 3 of the VM-entry MSR-load list");
}

Test(vmx_names, entry_failure_machine_check)
{
    char buf[200];
    int n = vmx_entry_failure_format(VMX_EXIT_ENTRY_FAILURE | VM_EXIT_REASON_MCE_DURING_ENTRY, 0,
                                     buf, sizeof(buf));
    cr_assert_eq((size_t)n, strlen(buf));
    cr_assert(strstr(buf, "machine-check event during VM entry") == buf, "%s", buf);
    cr_assert_not_null(strstr(buf, "no VMCS rule is broken"), "%s", buf);
    /* the qualification does not matter for 41 */
    char other[200];
    vmx_entry_failure_format(VMX_EXIT_ENTRY_FAILURE | 41, 7, other, sizeof(other));
    cr_assert_str_eq(buf, other);
}

Test(vmx_names, entry_failure_not_one)
{
    char buf[100];
    vmx_entry_failure_format(VM_EXIT_REASON_MCE_DURING_ENTRY, 0, buf, sizeof(buf));
    cr_assert_not_null(strstr(buf, "no VM-entry failure"), "41 without bit 31: %s", buf);
    vmx_entry_failure_format(VMX_EXIT_ENTRY_FAILURE | 10, 0, buf, sizeof(buf));
    cr_assert_str_eq(buf, "basic reason 10 with bit 31: no VM-entry failure of SDM 27.8");
}

Test(vmx_names, entry_failure_truncates)
{
    char buf[8];
    int n = vmx_entry_failure_format(VMX_EXIT_ENTRY_FAILURE | VM_EXIT_REASON_MSR_LOAD_FAIL, 12, buf,
                                     sizeof(buf));
    cr_assert_eq(n, (int)strlen("entry 12 of the VM-entry MSR-load list"));
    cr_assert_str_eq(buf, "entry 1");
    cr_assert_eq(vmx_entry_failure_format(VMX_EXIT_ENTRY_FAILURE | 33, 1, NULL, 0),
                 (int)strlen("not used"));
}

Test(vmx_names, abort_indicators)
{
    cr_assert_null(vmx_abort_indicator_name(0), "0: no VMX abort");
    cr_assert_str_eq(vmx_abort_indicator_name(1), "saving guest MSRs failed");
    cr_assert_str_eq(vmx_abort_indicator_name(4), "loading host MSRs failed");
    cr_assert_str_eq(vmx_abort_indicator_name(5), "machine-check event during VM exit");
    cr_assert_not_null(vmx_abort_indicator_name(6));
    cr_assert_null(vmx_abort_indicator_name(7), "beyond SDM 28.7");
    cr_assert_null(vmx_abort_indicator_name(0xffffffffu));
}
