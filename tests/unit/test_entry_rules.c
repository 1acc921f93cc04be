/*
 * tests/unit/test_entry_rules.c - one failing case per rule of the VM-entry checker: each row
 * starts from a valid base image (tests/unit/entry_fixture.c), applies up to five field
 * changes plus environment, capability or memory changes, and must fail with exactly the named
 * rule (and the rules listed in `also`, where one change necessarily breaks two rules), whose
 * verdict (VMfailValid 7/8/26/4/5, exit 33 with its qualification, exit 34 with the entry
 * index) must then be the overall verdict.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/entry_fixture.h"
#include "vmx/entry_check.h"
#include "vmx/vmcs_fields.h"

/* The case table leaves trailing members out (0: no change); that is its point. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum op { END, SET, OR, CLR };
struct mut {
    uint8_t op;
    uint32_t enc;
    uint64_t v;
};

/* environment changes */
#define E_MOVSS    (1u << 0)
#define E_LAUNCHED (1u << 1) /* VMLAUNCH of a launched VMCS */
#define E_RCLEAR   (1u << 2) /* VMRESUME of a clear VMCS */
#define E_SMM      (1u << 3)
#define E_OUTSIDE  (1u << 4) /* processor outside IA-32e mode */
#define E_PERF     (1u << 5) /* perf_global_ctrl_allowed given */
#define E_RTM      (1u << 6)
#define E_CURRENT  (1u << 7) /* current VMCS at EF_LINK_PAGE */
#define E_EXEC     (1u << 8) /* executive VMCS at EF_LINK_PAGE */

/* capability changes (what another processor could report) */
enum tweak {
    T_NONE,
    T_PROC2_REQ,   /* PROCBASED2 requires "enable RDTSCP" */
    T_TERTIARY,    /* tertiary controls exist, only bit 0 allowed */
    T_EXIT2,       /* secondary exit controls exist, none allowed */
    T_POSTED,      /* process posted interrupts allowed */
    T_MBEC,        /* mode-based execute control allowed */
    T_CET,         /* CR4.CET allowed */
    T_BNDCFGS,     /* load IA32_BNDCFGS allowed */
    T_NO_SHUTDOWN, /* shutdown activity state not supported */
    T_PKRS,        /* load PKRS (entry and exit) allowed */
    T_UINV         /* load UINV allowed */
};

struct rule_case {
    const char *id;
    uint8_t base;
    struct mut m[5];
    uint32_t env;
    uint8_t tweak;
    uint64_t mem_addr[2], mem_val[2];
    const char *also[2];
    uint64_t qual; /* expected qualification (exit 33/34) */
};

#define S(f, v)                                                                                    \
    {                                                                                              \
        SET, f, (uint64_t)(v)                                                                      \
    }
#define O(f, v)                                                                                    \
    {                                                                                              \
        OR, f, (uint64_t)(v)                                                                       \
    }
#define C(f, v)                                                                                    \
    {                                                                                              \
        CLR, f, (uint64_t)(v)                                                                      \
    }
#define PIN        PIN_BASED_VM_EXEC_CONTROL
#define PROC       CPU_BASED_VM_EXEC_CONTROL
#define PROC2      SECONDARY_VM_EXEC_CONTROL
#define EXIT       VM_EXIT_CONTROLS
#define ENTRY      VM_ENTRY_CONTROLS
#define INFO       VM_ENTRY_INTR_INFO_FIELD
#define IB         GUEST_INTERRUPTIBILITY_INFO
#define ACT        GUEST_ACTIVITY_STATE
#define RFL        GUEST_RFLAGS
#define PDE        GUEST_PENDING_DBG_EXCEPTIONS
#define LINK       VMCS_LINK_POINTER
#define NONCANON   0x0000800000000000ULL
#define BEYOND     (1ULL << EF_MAXPHYADDR)
#define IF_        (1ULL << 9)
#define UG         PROC_BASED2_UNRESTRICTED_GUEST
#define EPT        PROC_BASED2_ENABLE_EPT
#define LDTR_ON    S(GUEST_LDTR_SELECTOR, 0x20), S(GUEST_LDTR_AR_BYTES, 0x82)
#define MEM1(a, v) .mem_addr = {a}, .mem_val = {v}
#define OUT32      S(HOST_IA32_EFER, 0), C(EXIT, VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE)
#define REV        0x00000004u /* corei7_icelake_u VMCS revision */

static const struct rule_case cases[] = {
    /* SDM 27.1 */
    {"basic.mov_ss_blocking", EF_64, {{END}}, E_MOVSS},
    {"basic.vmlaunch.launched", EF_64, {{END}}, E_LAUNCHED},
    {"basic.vmresume.clear", EF_64, {{END}}, E_RCLEAR},
    /* SDM 27.2.1.1 */
    {"ctl.pin.must_be_1", EF_64, {C(PIN, 0x2)}},
    {"ctl.pin.must_be_0", EF_64, {O(PIN, 0x100)}},
    {"ctl.proc.must_be_1", EF_64, {C(PROC, 0x2)}},
    {"ctl.proc.must_be_0", EF_64, {O(PROC, 0x1)}},
    {"ctl.proc2.must_be_1", EF_64, {{END}}, 0, T_PROC2_REQ},
    {"ctl.proc2.must_be_0", EF_64, {O(PROC2, 0x8000)}},
    {"ctl.proc3.must_be_0",
     EF_64,
     {O(PROC, PROC_BASED_ACTIVATE_TERTIARY_CONTROLS), S(TERTIARY_VM_EXEC_CONTROL, 2)},
     0,
     T_TERTIARY},
    {"ctl.cr3_target_count.max", EF_64, {S(CR3_TARGET_COUNT, 5)}},
    {"ctl.io_bitmap_a.align", EF_64, {S(IO_BITMAP_A, 0x10010)}},
    {"ctl.io_bitmap_a.width", EF_64, {S(IO_BITMAP_A, BEYOND)}},
    {"ctl.io_bitmap_b.align", EF_64, {S(IO_BITMAP_B, 0x11800)}},
    {"ctl.io_bitmap_b.width", EF_64, {S(IO_BITMAP_B, BEYOND | 0x1000)}},
    {"ctl.msr_bitmap.align", EF_64, {S(MSR_BITMAP, 0x12001)}},
    {"ctl.msr_bitmap.width", EF_64, {S(MSR_BITMAP, 1ULL << 63)}},
    {"ctl.virtual_apic.align", EF_64, {S(VIRTUAL_APIC_PAGE_ADDR, EF_VAPIC + 0x80)}},
    {"ctl.virtual_apic.width", EF_64, {S(VIRTUAL_APIC_PAGE_ADDR, BEYOND)}},
    {"ctl.tpr_threshold.reserved", EF_64, {S(TPR_THRESHOLD, 0x10)}},
    {"ctl.tpr_threshold.vtpr", EF_64, {S(TPR_THRESHOLD, 3)}, 0, 0, MEM1(EF_VAPIC + 0x80, 0x20)},
    {"ctl.x2apic_mode.needs_tpr_shadow",
     EF_64,
     {C(PROC, PROC_BASED_USE_TPR_SHADOW), O(PROC2, PROC_BASED2_VIRTUALIZE_X2APIC_MODE)}},
    {"ctl.apic_register_virt.needs_tpr_shadow",
     EF_64,
     {C(PROC, PROC_BASED_USE_TPR_SHADOW), O(PROC2, PROC_BASED2_APIC_REGISTER_VIRTUALIZATION)}},
    {"ctl.vid.needs_tpr_shadow",
     EF_64,
     {C(PROC, PROC_BASED_USE_TPR_SHADOW), O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY)}},
    {"ctl.virtual_nmis.needs_nmi_exiting", EF_64, {C(PIN, PIN_BASED_NMI_EXITING)}},
    {"ctl.nmi_window.needs_virtual_nmis",
     EF_64,
     {C(PIN, PIN_BASED_VIRTUAL_NMIS), O(PROC, PROC_BASED_NMI_WINDOW_EXITING)}},
    {"ctl.apic_access.align",
     EF_64,
     {O(PROC2, PROC_BASED2_VIRTUALIZE_APIC_ACCESSES), S(APIC_ACCESS_ADDR, 0xfee00010)}},
    {"ctl.apic_access.width",
     EF_64,
     {O(PROC2, PROC_BASED2_VIRTUALIZE_APIC_ACCESSES), S(APIC_ACCESS_ADDR, BEYOND)}},
    {"ctl.x2apic_mode.apic_accesses",
     EF_64,
     {O(PROC2, PROC_BASED2_VIRTUALIZE_APIC_ACCESSES | PROC_BASED2_VIRTUALIZE_X2APIC_MODE)}},
    {"ctl.vid.needs_ext_intr_exiting",
     EF_64,
     {C(PIN, PIN_BASED_EXTERNAL_INTERRUPT_EXITING),
      O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY)}},
    {"ctl.posted_intr.needs_vid",
     EF_64,
     {O(PIN, PIN_BASED_PROCESS_POSTED_INTERRUPTS)},
     0,
     T_POSTED},
    {"ctl.posted_intr.needs_ack_intr",
     EF_64,
     {O(PIN, PIN_BASED_PROCESS_POSTED_INTERRUPTS), O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY),
      C(EXIT, VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT)},
     0,
     T_POSTED},
    {"ctl.posted_intr.vector",
     EF_64,
     {O(PIN, PIN_BASED_PROCESS_POSTED_INTERRUPTS), O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY),
      S(POSTED_INTR_NV, 0x1f2)},
     0,
     T_POSTED},
    {"ctl.posted_intr_desc.align",
     EF_64,
     {O(PIN, PIN_BASED_PROCESS_POSTED_INTERRUPTS), O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY),
      S(POSTED_INTR_DESC_ADDR, 0x13020)},
     0,
     T_POSTED},
    {"ctl.posted_intr_desc.width",
     EF_64,
     {O(PIN, PIN_BASED_PROCESS_POSTED_INTERRUPTS), O(PROC2, PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY),
      S(POSTED_INTR_DESC_ADDR, BEYOND)},
     0,
     T_POSTED},
    {"ctl.vpid.zero", EF_64, {S(VIRTUAL_PROCESSOR_ID, 0)}},
    {"ctl.eptp.memtype", EF_64, {S(EPT_POINTER, 0x20000 | 5 | (3 << 3))}},
    {"ctl.eptp.walk_length", EF_64, {S(EPT_POINTER, 0x20000 | 6 | (4 << 3))}},
    {"ctl.eptp.ad", EF_PM32, {O(EPT_POINTER, 0x40)}},
    {"ctl.eptp.sss", EF_64, {O(EPT_POINTER, 0x80)}},
    {"ctl.eptp.reserved", EF_64, {O(EPT_POINTER, 0x800)}},
    {"ctl.eptp.width", EF_64, {O(EPT_POINTER, BEYOND)}},
    {"ctl.pml.needs_ept", EF_64, {C(PROC2, EPT), O(PROC2, PROC_BASED2_ENABLE_PML)}},
    {"ctl.pml.align", EF_64, {O(PROC2, PROC_BASED2_ENABLE_PML), S(PML_ADDRESS, 0x14008)}},
    {"ctl.pml.width", EF_64, {O(PROC2, PROC_BASED2_ENABLE_PML), S(PML_ADDRESS, BEYOND)}},
    {"ctl.unrestricted.needs_ept", EF_REAL, {C(PROC2, EPT)}},
    {"ctl.mbec.needs_ept",
     EF_64,
     {C(PROC2, EPT), O(PROC2, PROC_BASED2_MODE_BASED_EXECUTE_CONTROL)},
     0,
     T_MBEC},
    {"ctl.spp.needs_ept", EF_64, {C(PROC2, EPT), O(PROC2, PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS)}},
    {"ctl.spptp.align",
     EF_64,
     {O(PROC2, PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS), S(SPP_TABLE_POINTER, 0x19004)}},
    {"ctl.spptp.width",
     EF_64,
     {O(PROC2, PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS), S(SPP_TABLE_POINTER, BEYOND)}},
    {"ctl.vmfunc.reserved",
     EF_64,
     {O(PROC2, PROC_BASED2_ENABLE_VM_FUNCTIONS), S(VM_FUNCTION_CONTROL, 2)}},
    {"ctl.eptp_switching.needs_ept",
     EF_64,
     {O(PROC2, PROC_BASED2_ENABLE_VM_FUNCTIONS), S(VM_FUNCTION_CONTROL, 1), C(PROC2, EPT)}},
    {"ctl.eptp_list.align",
     EF_64,
     {O(PROC2, PROC_BASED2_ENABLE_VM_FUNCTIONS), S(VM_FUNCTION_CONTROL, 1),
      S(EPTP_LIST_ADDRESS, 0x15100)}},
    {"ctl.eptp_list.width",
     EF_64,
     {O(PROC2, PROC_BASED2_ENABLE_VM_FUNCTIONS), S(VM_FUNCTION_CONTROL, 1),
      S(EPTP_LIST_ADDRESS, BEYOND)}},
    {"ctl.vmread_bitmap.align",
     EF_64,
     {O(PROC2, PROC_BASED2_VMCS_SHADOWING), S(VMREAD_BITMAP, 0x16fff)}},
    {"ctl.vmread_bitmap.width",
     EF_64,
     {O(PROC2, PROC_BASED2_VMCS_SHADOWING), S(VMREAD_BITMAP, BEYOND)}},
    {"ctl.vmwrite_bitmap.align",
     EF_64,
     {O(PROC2, PROC_BASED2_VMCS_SHADOWING), S(VMWRITE_BITMAP, 0x17008)}},
    {"ctl.vmwrite_bitmap.width",
     EF_64,
     {O(PROC2, PROC_BASED2_VMCS_SHADOWING), S(VMWRITE_BITMAP, BEYOND)}},
    {"ctl.ve_info.align",
     EF_64,
     {O(PROC2, PROC_BASED2_EPT_VIOLATION_VE), S(VE_INFORMATION_ADDRESS, 0x18040)}},
    {"ctl.ve_info.width",
     EF_64,
     {O(PROC2, PROC_BASED2_EPT_VIOLATION_VE), S(VE_INFORMATION_ADDRESS, BEYOND)}},
    /* SDM 27.2.1.2 */
    {"ctl.exit.must_be_1", EF_64, {C(EXIT, 0x1)}},
    {"ctl.exit.must_be_0", EF_64, {O(EXIT, 1u << 24)}},
    {"ctl.exit2.must_be_0",
     EF_64,
     {O(EXIT, VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS), S(SECONDARY_VM_EXIT_CONTROLS, 1)},
     0,
     T_EXIT2},
    {"ctl.exit.save_timer_needs_timer", EF_64, {C(PIN, PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER)}},
    {"ctl.exit_msr_store.align",
     EF_64,
     {S(VM_EXIT_MSR_STORE_COUNT, 1), S(VM_EXIT_MSR_STORE_ADDR, 0x1a008)}},
    {"ctl.exit_msr_store.width",
     EF_64,
     {S(VM_EXIT_MSR_STORE_COUNT, 1), S(VM_EXIT_MSR_STORE_ADDR, BEYOND)}},
    {"ctl.exit_msr_store.end",
     EF_64,
     {S(VM_EXIT_MSR_STORE_COUNT, 2), S(VM_EXIT_MSR_STORE_ADDR, BEYOND - 16)}},
    {"ctl.exit_msr_load.align",
     EF_64,
     {S(VM_EXIT_MSR_LOAD_COUNT, 1), S(VM_EXIT_MSR_LOAD_ADDR, 0x1b004)}},
    {"ctl.exit_msr_load.width",
     EF_64,
     {S(VM_EXIT_MSR_LOAD_COUNT, 1), S(VM_EXIT_MSR_LOAD_ADDR, BEYOND)}},
    {"ctl.exit_msr_load.end",
     EF_64,
     {S(VM_EXIT_MSR_LOAD_COUNT, 0x100), S(VM_EXIT_MSR_LOAD_ADDR, BEYOND - 0x800)}},
    /* SDM 27.2.1.3 */
    {"ctl.entry.must_be_1", EF_64, {C(ENTRY, 0x1)}},
    {"ctl.entry.must_be_0", EF_64, {O(ENTRY, 1u << 17)}},
    {"ctl.entry.smm_outside_smm",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_ENTRY_TO_SMM)},
     .also = {"guest.intr.smm_needs_smi"}},
    {"ctl.entry.dual_monitor_outside_smm",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_DEACTIVATE_DUAL_MONITOR_TREATMENT)}},
    {"ctl.entry.smm_and_dual_monitor",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_ENTRY_TO_SMM | VM_ENTRY_CTL_DEACTIVATE_DUAL_MONITOR_TREATMENT),
      S(IB, 4)},
     E_SMM},
    {"ctl.intr_info.reserved", EF_64, {S(INFO, 0x80001202)}},
    {"ctl.intr_info.type", EF_64, {S(INFO, 0x80000120)}},
    {"ctl.intr_info.type", EF_REAL, {S(INFO, 0x80000700)}},
    {"ctl.intr_info.nmi_vector", EF_64, {S(INFO, 0x80000203)}},
    {"ctl.intr_info.exception_vector", EF_64, {S(INFO, 0x80000320)}},
    {"ctl.intr_info.other_vector", EF_64, {S(INFO, 0x80000701)}},
    {"ctl.intr_info.error_code_missing", EF_64, {S(INFO, 0x8000030d)}},
    {"ctl.intr_info.error_code_missing", EF_PM32, {S(INFO, 0x8000030e)}},
    {"ctl.intr_info.error_code_unexpected", EF_64, {S(INFO, 0x80000b06)}},
    {"ctl.intr_info.error_code_unexpected", EF_REAL, {S(INFO, 0x80000b0d)}},
    {"ctl.intr_info.error_code_unexpected", EF_64, {S(INFO, 0x80000a02)}},
    {"ctl.intr_error_code.reserved",
     EF_64,
     {S(INFO, 0x80000b0d), S(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000)}},
    {"ctl.intr_len.zero", EF_PM32, {S(INFO, 0x80000603), S(VM_ENTRY_INSTRUCTION_LEN, 0)}},
    {"ctl.intr_len.max", EF_64, {S(INFO, 0x80000480), S(VM_ENTRY_INSTRUCTION_LEN, 16)}},
    {"ctl.entry_msr_load.align",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 1), S(VM_ENTRY_MSR_LOAD_ADDR, EF_MSR_AREA + 8)}},
    {"ctl.entry_msr_load.width",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 1), S(VM_ENTRY_MSR_LOAD_ADDR, BEYOND)}},
    {"ctl.entry_msr_load.end",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 2), S(VM_ENTRY_MSR_LOAD_ADDR, BEYOND - 16)}},
    /* SDM 27.2.2 */
    {"host.cr0.must_be_1", EF_64, {C(HOST_CR0, 0x20)}},
    {"host.cr0.must_be_0", EF_64, {O(HOST_CR0, 1ULL << 32)}},
    {"host.cr4.must_be_1", EF_64, {C(HOST_CR4, 0x2000)}},
    {"host.cr4.must_be_0", EF_64, {O(HOST_CR4, 0x1000)}},
    {"host.cr3.width", EF_64, {S(HOST_CR3, BEYOND)}},
    {"host.sysenter_esp.canonical", EF_64, {S(HOST_IA32_SYSENTER_ESP, NONCANON)}},
    {"host.sysenter_eip.canonical", EF_64, {S(HOST_IA32_SYSENTER_EIP, 0xfff0000000000000ULL)}},
    {"host.perf_global_ctrl.reserved",
     EF_64,
     {O(EXIT, VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL), S(HOST_IA32_PERF_GLOBAL_CTRL, 1ULL << 40)},
     E_PERF},
    {"host.pat.type", EF_64, {S(HOST_IA32_PAT, 0x0007040600070402ULL)}},
    {"host.pat.type", EF_64, {S(HOST_IA32_PAT, 0x0807040600070406ULL)}},
    {"host.efer.reserved", EF_64, {S(HOST_IA32_EFER, 0xd02)}},
    {"host.efer.lma", EF_64, {S(HOST_IA32_EFER, 0x100)}},
    {"host.efer.lme", EF_64, {S(HOST_IA32_EFER, 0x400)}},
    {"host.pkrs.reserved",
     EF_64,
     {O(EXIT, VM_EXIT_CTL_LOAD_PKRS), S(HOST_IA32_PKRS, 1ULL << 32)},
     0,
     T_PKRS},
    /* SDM 27.2.3 */
    {"host.es.rpl_ti", EF_64, {S(HOST_ES_SELECTOR, 0x13)}},
    {"host.cs.rpl_ti", EF_64, {S(HOST_CS_SELECTOR, 0x0c)}},
    {"host.ss.rpl_ti", EF_64, {S(HOST_SS_SELECTOR, 0x11)}},
    {"host.ds.rpl_ti", EF_64, {S(HOST_DS_SELECTOR, 0x3)}},
    {"host.fs.rpl_ti", EF_64, {S(HOST_FS_SELECTOR, 0x4)}},
    {"host.gs.rpl_ti", EF_64, {S(HOST_GS_SELECTOR, 0x2)}},
    {"host.tr.rpl_ti", EF_64, {S(HOST_TR_SELECTOR, 0x1b)}},
    {"host.cs.null", EF_64, {S(HOST_CS_SELECTOR, 0)}},
    {"host.tr.null", EF_64, {S(HOST_TR_SELECTOR, 0)}},
    {"host.ss.null", EF_PM32, {OUT32, S(HOST_SS_SELECTOR, 0)}, E_OUTSIDE},
    {"host.fs_base.canonical", EF_64, {S(HOST_FS_BASE, NONCANON)}},
    {"host.gs_base.canonical", EF_64, {S(HOST_GS_BASE, 0x8000000000000000ULL)}},
    {"host.gdtr_base.canonical", EF_64, {S(HOST_GDTR_BASE, NONCANON)}},
    {"host.idtr_base.canonical", EF_64, {S(HOST_IDTR_BASE, NONCANON)}},
    {"host.tr_base.canonical", EF_64, {S(HOST_TR_BASE, NONCANON)}},
    /* SDM 27.2.4 */
    {"host.addr_size.in_ia32e", EF_PM32, {OUT32}},
    {"host.addr_size.outside_ia32e", EF_PM32, {{END}}, E_OUTSIDE},
    {"host.addr_size.guest_ia32e", EF_64, {OUT32}, 0, .also = {"host.addr_size.in_ia32e"}},
    {"host.cr4.pcide",
     EF_PM32,
     {OUT32, O(HOST_CR4, 1u << 17)},
     E_OUTSIDE,
     .also = {"host.cr4.must_be_0"}},
    {"host.cr4.pcide", EF_REAL, {OUT32, O(HOST_CR4, 1u << 17)}, E_OUTSIDE},
    {"host.rip.high", EF_PM32, {OUT32, S(HOST_RIP, 1ULL << 32)}, E_OUTSIDE},
    {"host.cr4.pae", EF_64, {C(HOST_CR4, 0x20)}},
    {"host.rip.canonical", EF_64, {S(HOST_RIP, NONCANON)}},
    /* SDM 27.3.1.1 */
    {"guest.cr0.must_be_1", EF_64, {C(GUEST_CR0, 0x20)}},
    {"guest.cr0.must_be_1", EF_PM32, {C(GUEST_CR0, 0x80000000)}},
    {"guest.cr0.must_be_0", EF_64, {O(GUEST_CR0, 1ULL << 32)}},
    {"guest.cr0.pg_without_pe", EF_REAL, {O(GUEST_CR0, 0x80000000)}},
    {"guest.cr4.must_be_1", EF_64, {C(GUEST_CR4, 0x2000)}},
    {"guest.cr4.must_be_0", EF_64, {O(GUEST_CR4, 0x1000)}},
    {"guest.cr4.cet_without_wp", EF_64, {O(GUEST_CR4, 1u << 23)}, 0, T_CET},
    {"guest.debugctl.reserved", EF_64, {S(GUEST_IA32_DEBUGCTL, 0x4)}},
    {"guest.ia32e.cr0_pg", EF_64, {O(PROC2, UG), C(GUEST_CR0, 0x80000000)}},
    {"guest.ia32e.cr4_pae", EF_64, {C(GUEST_CR4, 0x20)}},
    {"guest.cr4.pcide", EF_REAL, {O(GUEST_CR4, 1u << 17)}},
    {"guest.cr3.width", EF_64, {S(GUEST_CR3, BEYOND)}},
    {"guest.dr7.high", EF_64, {S(GUEST_DR7, 0x100000400ULL)}},
    {"guest.sysenter_esp.canonical", EF_64, {S(GUEST_SYSENTER_ESP, NONCANON)}},
    {"guest.sysenter_eip.canonical", EF_64, {S(GUEST_SYSENTER_EIP, NONCANON)}},
    {"guest.perf_global_ctrl.reserved",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL), S(GUEST_IA32_PERF_GLOBAL_CTRL, 0x100)},
     E_PERF},
    {"guest.pat.type", EF_64, {S(GUEST_IA32_PAT, 0x0007040600070306ULL)}},
    {"guest.efer.reserved", EF_64, {S(GUEST_IA32_EFER, 0x4d00)}},
    {"guest.efer.lma", EF_PM32, {S(GUEST_IA32_EFER, 0x500)}},
    {"guest.efer.lme", EF_64, {S(GUEST_IA32_EFER, 0xc00)}},
    {"guest.bndcfgs.reserved",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_LOAD_IA32_BNDCFGS), S(GUEST_BNDCFGS, 0x4)},
     0,
     T_BNDCFGS},
    {"guest.bndcfgs.canonical",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_LOAD_IA32_BNDCFGS), S(GUEST_BNDCFGS, NONCANON | 1)},
     0,
     T_BNDCFGS},
    {"guest.pkrs.reserved",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_LOAD_PKRS), S(GUEST_IA32_PKRS, 0xffffffff00000000ULL)},
     0,
     T_PKRS},
    /* SDM 27.3.1.2: selectors */
    {"guest.tr.ti", EF_64, {S(GUEST_TR_SELECTOR, 0x1c)}},
    {"guest.ldtr.ti", EF_64, {LDTR_ON, S(GUEST_LDTR_SELECTOR, 0x24)}},
    {"guest.ss.rpl_cs", EF_64, {S(GUEST_CS_SELECTOR, 0x0b)}},
    /* virtual-8086 */
    {"guest.es.v86_base", EF_V86, {S(GUEST_ES_BASE, 0x20010)}},
    {"guest.cs.v86_base", EF_V86, {S(GUEST_CS_BASE, 0)}},
    {"guest.ss.v86_base", EF_V86, {S(GUEST_SS_BASE, 0x3000)}},
    {"guest.ds.v86_base", EF_V86, {S(GUEST_DS_BASE, 0x2000)}},
    {"guest.fs.v86_base", EF_V86, {S(GUEST_FS_BASE, 0x10)}},
    {"guest.gs.v86_base", EF_V86, {S(GUEST_GS_SELECTOR, 0x1)}},
    {"guest.es.v86_limit", EF_V86, {S(GUEST_ES_LIMIT, 0xfffff)}},
    {"guest.cs.v86_limit", EF_V86, {S(GUEST_CS_LIMIT, 0xfffe)}},
    {"guest.ss.v86_limit", EF_V86, {S(GUEST_SS_LIMIT, 0)}},
    {"guest.ds.v86_limit", EF_V86, {S(GUEST_DS_LIMIT, 0xffffffff)}},
    {"guest.fs.v86_limit", EF_V86, {S(GUEST_FS_LIMIT, 0x7fff)}},
    {"guest.gs.v86_limit", EF_V86, {S(GUEST_GS_LIMIT, 0x1ffff)}},
    {"guest.es.v86_ar", EF_V86, {S(GUEST_ES_AR_BYTES, 0x93)}},
    {"guest.cs.v86_ar", EF_V86, {S(GUEST_CS_AR_BYTES, 0xfb)}},
    {"guest.ss.v86_ar", EF_V86, {S(GUEST_SS_AR_BYTES, 0x100f3)}},
    {"guest.ds.v86_ar", EF_V86, {S(GUEST_DS_AR_BYTES, 0xf1)}},
    {"guest.fs.v86_ar", EF_V86, {S(GUEST_FS_AR_BYTES, 0x80f3)}},
    {"guest.gs.v86_ar", EF_V86, {S(GUEST_GS_AR_BYTES, 0xd3)}},
    /* bases */
    {"guest.tr.base", EF_64, {S(GUEST_TR_BASE, NONCANON)}},
    {"guest.fs.base", EF_64, {S(GUEST_FS_BASE, NONCANON)}},
    {"guest.gs.base", EF_PM32, {S(GUEST_GS_BASE, 0xffff000000000000ULL)}},
    {"guest.ldtr.base", EF_64, {LDTR_ON, S(GUEST_LDTR_BASE, NONCANON)}},
    {"guest.cs.base", EF_64, {S(GUEST_CS_BASE, 1ULL << 32)}},
    {"guest.ss.base", EF_64, {S(GUEST_SS_BASE, 1ULL << 40)}},
    {"guest.ds.base", EF_PM32, {S(GUEST_DS_BASE, 0xffffffff00000000ULL)}},
    {"guest.es.base", EF_64, {S(GUEST_ES_BASE, 1ULL << 32)}},
    /* access rights: types */
    {"guest.cs.type", EF_64, {S(GUEST_CS_AR_BYTES, 0xa091)}},
    {"guest.cs.type", EF_REAL, {S(GUEST_CS_AR_BYTES, 0x97)}},
    {"guest.cs.type.unrestricted", EF_64, {S(GUEST_CS_AR_BYTES, 0xa093)}},
    {"guest.ss.type", EF_64, {S(GUEST_SS_AR_BYTES, 0xc091)}},
    {"guest.ss.type", EF_PM32, {S(GUEST_SS_AR_BYTES, 0xc09b)}},
    {"guest.es.type", EF_64, {S(GUEST_ES_AR_BYTES, 0xc092)}},
    {"guest.ds.type", EF_64, {S(GUEST_DS_AR_BYTES, 0xc099)}},
    {"guest.fs.type", EF_64, {S(GUEST_FS_AR_BYTES, 0xc09a)}},
    {"guest.gs.type", EF_REAL, {S(GUEST_GS_AR_BYTES, 0x92)}},
    /* S */
    {"guest.es.s", EF_64, {S(GUEST_ES_AR_BYTES, 0xc083)}},
    {"guest.cs.s", EF_64, {S(GUEST_CS_AR_BYTES, 0xa08b)}},
    {"guest.ss.s", EF_64, {S(GUEST_SS_AR_BYTES, 0xc083)}},
    {"guest.ds.s", EF_64, {S(GUEST_DS_AR_BYTES, 0xc083)}},
    {"guest.fs.s", EF_64, {S(GUEST_FS_AR_BYTES, 0xc083)}},
    {"guest.gs.s", EF_64, {S(GUEST_GS_AR_BYTES, 0xc083)}},
    /* DPL */
    {"guest.cs.dpl.type3", EF_REAL, {S(GUEST_CS_AR_BYTES, 0xb3)}},
    {"guest.cs.dpl.nonconforming", EF_64, {S(GUEST_CS_AR_BYTES, 0xa0bb)}},
    {"guest.cs.dpl.conforming", EF_64, {S(GUEST_CS_AR_BYTES, 0xa0ff)}},
    {"guest.ss.dpl.rpl", EF_64, {S(GUEST_SS_AR_BYTES, 0xc0b3), S(GUEST_CS_AR_BYTES, 0xa0bb)}},
    {"guest.ss.dpl.real", EF_REAL, {S(GUEST_CS_AR_BYTES, 0x93), S(GUEST_SS_AR_BYTES, 0xb3)}},
    {"guest.es.dpl", EF_64, {S(GUEST_ES_SELECTOR, 0x13)}},
    {"guest.ds.dpl", EF_PM32, {S(GUEST_DS_SELECTOR, 0x11)}},
    {"guest.fs.dpl", EF_64, {S(GUEST_FS_SELECTOR, 0x12)}},
    {"guest.gs.dpl", EF_64, {S(GUEST_GS_SELECTOR, 0x13), S(GUEST_GS_AR_BYTES, 0xc0d3)}},
    /* P */
    {"guest.es.p", EF_64, {S(GUEST_ES_AR_BYTES, 0xc013)}},
    {"guest.cs.p", EF_64, {S(GUEST_CS_AR_BYTES, 0xa01b)}},
    {"guest.ss.p", EF_64, {S(GUEST_SS_AR_BYTES, 0xc013)}},
    {"guest.ds.p", EF_64, {S(GUEST_DS_AR_BYTES, 0xc013)}},
    {"guest.fs.p", EF_64, {S(GUEST_FS_AR_BYTES, 0xc013)}},
    {"guest.gs.p", EF_64, {S(GUEST_GS_AR_BYTES, 0xc013)}},
    /* bits 11:8 */
    {"guest.es.reserved_11_8", EF_64, {O(GUEST_ES_AR_BYTES, 0x100)}},
    {"guest.cs.reserved_11_8", EF_64, {O(GUEST_CS_AR_BYTES, 0x800)}},
    {"guest.ss.reserved_11_8", EF_64, {O(GUEST_SS_AR_BYTES, 0x200)}},
    {"guest.ds.reserved_11_8", EF_64, {O(GUEST_DS_AR_BYTES, 0x400)}},
    {"guest.fs.reserved_11_8", EF_64, {O(GUEST_FS_AR_BYTES, 0xf00)}},
    {"guest.gs.reserved_11_8", EF_64, {O(GUEST_GS_AR_BYTES, 0x100)}},
    {"guest.cs.db_long", EF_64, {O(GUEST_CS_AR_BYTES, 0x4000)}},
    /* limit and G */
    {"guest.es.limit_g", EF_64, {S(GUEST_ES_LIMIT, 0xffffe)}},
    {"guest.cs.limit_g", EF_PM32, {S(GUEST_CS_LIMIT, 0xfffff000)}},
    {"guest.ss.limit_g", EF_64, {C(GUEST_SS_AR_BYTES, 0x8000)}},
    {"guest.ds.limit_g", EF_REAL, {S(GUEST_DS_LIMIT, 0x100000)}},
    {"guest.fs.limit_g", EF_64, {S(GUEST_FS_LIMIT, 0x7ff)}},
    {"guest.gs.limit_g", EF_64, {S(GUEST_GS_LIMIT, 0)}},
    /* bits 31:17 */
    {"guest.es.reserved_31_17", EF_64, {O(GUEST_ES_AR_BYTES, 0x20000)}},
    {"guest.cs.reserved_31_17", EF_64, {O(GUEST_CS_AR_BYTES, 0x80000000)}},
    {"guest.ss.reserved_31_17", EF_64, {O(GUEST_SS_AR_BYTES, 0x40000)}},
    {"guest.ds.reserved_31_17", EF_64, {O(GUEST_DS_AR_BYTES, 0x100000)}},
    {"guest.fs.reserved_31_17", EF_64, {O(GUEST_FS_AR_BYTES, 0x20000)}},
    {"guest.gs.reserved_31_17", EF_64, {O(GUEST_GS_AR_BYTES, 0x1000000)}},
    /* TR and LDTR */
    {"guest.tr.type", EF_64, {S(GUEST_TR_AR_BYTES, 0x83)}},
    {"guest.tr.type", EF_PM32, {S(GUEST_TR_AR_BYTES, 0x89)}},
    {"guest.tr.s", EF_64, {S(GUEST_TR_AR_BYTES, 0x9b)}},
    {"guest.tr.p", EF_64, {S(GUEST_TR_AR_BYTES, 0x0b)}},
    {"guest.tr.reserved_11_8", EF_64, {O(GUEST_TR_AR_BYTES, 0x100)}},
    {"guest.tr.limit_g", EF_64, {S(GUEST_TR_LIMIT, 0x100067)}},
    {"guest.tr.unusable", EF_64, {O(GUEST_TR_AR_BYTES, 0x10000)}},
    {"guest.tr.reserved_31_17", EF_64, {O(GUEST_TR_AR_BYTES, 0x20000)}},
    {"guest.ldtr.type", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x83)}},
    {"guest.ldtr.s", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x92)}},
    {"guest.ldtr.p", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x02)}},
    {"guest.ldtr.reserved_11_8", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x282)}},
    {"guest.ldtr.limit_g", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x8082)}},
    {"guest.ldtr.reserved_31_17", EF_64, {LDTR_ON, S(GUEST_LDTR_AR_BYTES, 0x40082)}},
    /* SDM 27.3.1.3 */
    {"guest.gdtr_base.canonical", EF_64, {S(GUEST_GDTR_BASE, NONCANON)}},
    {"guest.idtr_base.canonical", EF_64, {S(GUEST_IDTR_BASE, NONCANON)}},
    {"guest.gdtr_limit.reserved", EF_64, {S(GUEST_GDTR_LIMIT, 0x10000)}},
    {"guest.idtr_limit.reserved", EF_REAL, {S(GUEST_IDTR_LIMIT, 0xffffffff)}},
    /* SDM 27.3.1.4 */
    {"guest.rip.high", EF_PM32, {S(GUEST_RIP, 1ULL << 32)}},
    {"guest.rip.high", EF_64, {C(GUEST_CS_AR_BYTES, 0x2000)}},
    {"guest.rip.canonical", EF_64, {S(GUEST_RIP, NONCANON)}},
    {"guest.rflags.reserved", EF_64, {O(RFL, 0x8)}},
    {"guest.rflags.reserved", EF_PM32, {O(RFL, 1ULL << 22)}},
    {"guest.rflags.bit1", EF_64, {S(RFL, 0)}},
    {"guest.rflags.vm", EF_V86, {C(GUEST_CR0, 1)}},
    {"guest.rflags.if_ext_intr", EF_64, {S(INFO, 0x80000020)}},
    /* SDM 27.3.1.5: activity state */
    {"guest.activity.reserved", EF_64, {S(ACT, 4)}},
    {"guest.activity.unsupported", EF_64, {S(ACT, 2)}, 0, T_NO_SHUTDOWN},
    {"guest.activity.hlt_dpl", EF_V86, {S(ACT, 1)}},
    {"guest.activity.sti_mov_ss", EF_64, {S(ACT, 1), S(IB, 2)}},
    {"guest.activity.injection", EF_64, {S(ACT, 3), S(INFO, 0x80000202)}},
    {"guest.activity.injection", EF_64, {S(ACT, 1), S(INFO, 0x80000b0d)}},
    {"guest.activity.injection", EF_64, {S(ACT, 2), S(INFO, 0x80000301)}},
    {"guest.activity.sipi_smm",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_ENTRY_TO_SMM), S(IB, 4), S(ACT, 3)},
     E_SMM},
    /* interruptibility state */
    {"guest.intr.reserved", EF_64, {S(IB, 0x20)}},
    {"guest.intr.enclave", EF_64, {S(IB, 0x10)}},
    {"guest.intr.sti_and_mov_ss", EF_64, {S(IB, 3), O(RFL, IF_)}},
    {"guest.intr.sti_if0", EF_64, {S(IB, 1)}},
    {"guest.intr.ext_intr_blocked", EF_64, {S(IB, 2), O(RFL, IF_), S(INFO, 0x80000020)}},
    {"guest.intr.nmi_mov_ss", EF_64, {S(IB, 2), S(INFO, 0x80000202)}},
    {"guest.intr.smi_outside_smm", EF_64, {S(IB, 4)}},
    {"guest.intr.smm_needs_smi", EF_64, {O(ENTRY, VM_ENTRY_CTL_ENTRY_TO_SMM)}, E_SMM},
    {"guest.intr.nmi_sti", EF_64, {S(IB, 1), O(RFL, IF_), S(INFO, 0x80000202)}, .qual = 3},
    {"guest.intr.vnmi_blocked", EF_64, {S(IB, 8), S(INFO, 0x80000202)}},
    {"guest.uinv.reserved",
     EF_64,
     {O(ENTRY, VM_ENTRY_CTL_LOAD_UINV), S(GUEST_UINV, 0x1f0)},
     0,
     T_UINV},
    /* pending debug exceptions */
    {"guest.pending_dbg.reserved", EF_64, {S(PDE, 0x10)}},
    {"guest.pending_dbg.reserved", EF_64, {S(PDE, 0x10000)}},
    {"guest.pending_dbg.bs_missing", EF_64, {S(IB, 1), O(RFL, IF_ | 0x100)}},
    {"guest.pending_dbg.bs_missing", EF_64, {S(ACT, 1), O(RFL, 0x100)}},
    {"guest.pending_dbg.bs_set", EF_64, {S(IB, 1), O(RFL, IF_), S(PDE, 0x4000)}},
    {"guest.pending_dbg.bs_set",
     EF_64,
     {S(IB, 2), O(RFL, 0x100), S(GUEST_IA32_DEBUGCTL, 2), S(PDE, 0x4000)}},
    {"guest.pending_dbg.rtm", EF_64, {S(PDE, 0x10000)}, E_RTM},
    {"guest.pending_dbg.rtm", EF_64, {S(PDE, 0x11000), S(IB, 2)}, E_RTM},
    /* VMCS link pointer */
    {"guest.link.align", EF_64, {S(LINK, EF_LINK_PAGE + 0x10)}, .qual = 4},
    {"guest.link.width", EF_64, {S(LINK, BEYOND)}, .qual = 4},
    {"guest.link.revision",
     EF_64,
     {S(LINK, EF_LINK_PAGE)},
     0,
     0,
     MEM1(EF_LINK_PAGE, 0x2b),
     .qual = 4},
    {"guest.link.shadow",
     EF_64,
     {S(LINK, EF_LINK_PAGE)},
     0,
     0,
     MEM1(EF_LINK_PAGE, REV | 0x80000000u),
     .qual = 4},
    {"guest.link.shadow",
     EF_64,
     {S(LINK, EF_LINK_PAGE), O(PROC2, PROC_BASED2_VMCS_SHADOWING)},
     0,
     0,
     MEM1(EF_LINK_PAGE, REV),
     .qual = 4},
    {"guest.link.current",
     EF_64,
     {S(LINK, EF_LINK_PAGE)},
     E_CURRENT,
     0,
     MEM1(EF_LINK_PAGE, REV),
     .qual = 4},
    {"guest.link.executive",
     EF_64,
     {S(LINK, EF_LINK_PAGE)},
     E_SMM | E_EXEC,
     0,
     MEM1(EF_LINK_PAGE, REV),
     .qual = 4},
    /* SDM 27.3.1.6 */
    {"guest.pdpte.reserved", EF_PM32, {S(GUEST_PDPTR0, 0x8003)}, .qual = 2},
    {"guest.pdpte.reserved", EF_PM32, {S(GUEST_PDPTR3, BEYOND | 1)}, .qual = 2},
    {"guest.pdpte_mem.reserved",
     EF_PM32,
     {C(PROC2, EPT)},
     0,
     0,
     MEM1(EF_PDPT + 16, 0x8101),
     .qual = 2},
    /* SDM 27.4 */
    {"msr_load.reserved",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 1)},
     0,
     0,
     MEM1(EF_MSR_AREA, (1ULL << 32) | 0x174),
     .qual = 1},
    {"msr_load.fs_gs_base",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 2)},
     0,
     0,
     .mem_addr = {EF_MSR_AREA, EF_MSR_AREA + 16},
     .mem_val = {0x174, 0xc0000100},
     .qual = 2},
    {"msr_load.fs_gs_base",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 1)},
     0,
     0,
     MEM1(EF_MSR_AREA, 0xc0000101),
     .qual = 1},
    {"msr_load.x2apic",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 3)},
     0,
     0,
     MEM1(EF_MSR_AREA + 32, 0x808),
     .qual = 3},
    {"msr_load.smm_only",
     EF_64,
     {S(VM_ENTRY_MSR_LOAD_COUNT, 1)},
     0,
     0,
     MEM1(EF_MSR_AREA, 0x9b),
     .qual = 1},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void apply_tweak(struct vmx_caps *c, enum tweak t)
{
    switch (t) {
    case T_PROC2_REQ:
        c->ctl[VMX_CTL_PROC2].allowed0 |= PROC_BASED2_ENABLE_RDTSCP;
        break;
    case T_TERTIARY:
        c->ctl[VMX_CTL_PROC].allowed1 |= PROC_BASED_ACTIVATE_TERTIARY_CONTROLS;
        c->ctl[VMX_CTL_PROC3].available = true;
        c->ctl[VMX_CTL_PROC3].allowed1 = 1;
        break;
    case T_EXIT2:
        c->ctl[VMX_CTL_EXIT].allowed1 |= VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS;
        c->ctl[VMX_CTL_EXIT2].available = true;
        c->ctl[VMX_CTL_EXIT2].allowed1 = 0;
        break;
    case T_POSTED:
        c->ctl[VMX_CTL_PIN].allowed1 |= PIN_BASED_PROCESS_POSTED_INTERRUPTS;
        break;
    case T_MBEC:
        c->ctl[VMX_CTL_PROC2].allowed1 |= PROC_BASED2_MODE_BASED_EXECUTE_CONTROL;
        break;
    case T_CET:
        c->cr4_fixed1 |= 1u << 23;
        break;
    case T_BNDCFGS:
        c->ctl[VMX_CTL_ENTRY].allowed1 |= VM_ENTRY_CTL_LOAD_IA32_BNDCFGS;
        break;
    case T_NO_SHUTDOWN:
        c->activity_shutdown = false;
        break;
    case T_PKRS:
        c->ctl[VMX_CTL_EXIT].allowed1 |= VM_EXIT_CTL_LOAD_PKRS;
        c->ctl[VMX_CTL_ENTRY].allowed1 |= VM_ENTRY_CTL_LOAD_PKRS;
        break;
    case T_UINV:
        c->ctl[VMX_CTL_ENTRY].allowed1 |= VM_ENTRY_CTL_LOAD_UINV;
        break;
    default:
        break;
    }
}

static void apply_env(struct entry_check_env *env, uint32_t f)
{
    env->mov_ss_blocking = f & E_MOVSS;
    if (f & E_LAUNCHED) {
        env->insn = ENTRY_INSN_VMLAUNCH;
        env->launch_state = ENTRY_LAUNCH_LAUNCHED;
    }
    if (f & E_RCLEAR) {
        env->insn = ENTRY_INSN_VMRESUME;
        env->launch_state = ENTRY_LAUNCH_CLEAR;
    }
    env->in_smm = f & E_SMM;
    env->outside_ia32e = f & E_OUTSIDE;
    if (f & E_PERF)
        env->perf_global_ctrl_allowed = 0x70000000fULL;
    env->rtm = f & E_RTM;
    if (f & E_CURRENT)
        env->current_vmcs = EF_LINK_PAGE;
    if (f & E_EXEC)
        env->executive_vmcs = EF_LINK_PAGE;
}

struct capture {
    unsigned n;
    struct entry_finding f[16];
};

static void capture(void *ctx, const struct entry_finding *f)
{
    struct capture *c = ctx;
    if (c->n < 16)
        c->f[c->n] = *f;
    c->n++;
}

static struct ef_setup s;

/* Builds and checks one case; returns the findings. */
static void run_case(const struct rule_case *rc, struct capture *cap,
                     struct entry_check_result *res)
{
    cr_assert(ef_build(&s, (enum ef_base)rc->base), "fixture for %s", rc->id);
    for (int i = 0; i < 5 && rc->m[i].op != END; i++) {
        const struct mut *m = &rc->m[i];
        if (m->op == SET)
            ef_set(&s, m->enc, m->v);
        else if (m->op == OR)
            ef_or(&s, m->enc, m->v);
        else
            ef_clr(&s, m->enc, m->v);
    }
    apply_env(&s.env, rc->env);
    apply_tweak(&s.caps, (enum tweak)rc->tweak);
    for (int i = 0; i < 2; i++)
        if (rc->mem_addr[i])
            ef_mem_set(&s.mem, rc->mem_addr[i], rc->mem_val[i]);
    memset(cap, 0, sizeof(*cap));
    entry_check(&s.env, capture, cap, res);
}

/* Criterion hands the parameters to a new process: pass indices, not pointers. */
static unsigned case_index[NCASES];

ParameterizedTestParameters(entry_rules, each_rule_fails_alone)
{
    for (unsigned i = 0; i < NCASES; i++)
        case_index[i] = i;
    return cr_make_param_array(unsigned, case_index, NCASES);
}

ParameterizedTest(unsigned *index, entry_rules, each_rule_fails_alone)
{
    const struct rule_case *rc = &cases[*index];
    struct capture cap;
    struct entry_check_result res;
    enum entry_rule want = entry_rule_by_id(rc->id);
    cr_assert_neq(want, ENTRY_RULE_COUNT, "unknown rule id %s", rc->id);
    run_case(rc, &cap, &res);
    unsigned expected = 1 + (rc->also[0] ? 1 : 0) + (rc->also[1] ? 1 : 0);
    bool found = false, ok = res.failed == expected && res.skipped == 0;
    for (unsigned i = 0; i < cap.n && i < 16; i++) {
        const struct entry_finding *f = &cap.f[i];
        const char *id = entry_rule_id(f->rule);
        if (f->rule == want)
            found = true;
        else if (!(rc->also[0] && !strcmp(id, rc->also[0])) &&
                 !(rc->also[1] && !strcmp(id, rc->also[1])))
            ok = false;
    }
    if (!found || !ok) {
        for (unsigned i = 0; i < cap.n && i < 16; i++) {
            char line[400];
            entry_format_finding(line, sizeof(line), &cap.f[i]);
            fprintf(stderr, "  %s\n", line);
        }
    }
    cr_assert(found, "%s (base %s) did not fail", rc->id, ef_model((enum ef_base)rc->base));
    cr_assert(ok, "%s: %u failures, %u skipped, expected %u", rc->id, res.failed, res.skipped,
              expected);
    /* the verdict: the first category that fails decides; for a lone rule it is this rule's */
    if (!rc->also[0]) {
        struct entry_verdict v = entry_rule_verdict(want, rc->qual);
        cr_assert_eq(res.first, want);
        cr_assert_eq(res.verdict.kind, v.kind, "%s", rc->id);
        cr_assert_eq(res.verdict.code, v.code, "%s", rc->id);
        cr_assert_eq(res.verdict.qualification, rc->qual, "%s: qualification", rc->id);
    }
}

/* Every rule of the table has at least one failing case above. */
Test(entry_rules, every_rule_has_a_failing_case)
{
    for (unsigned r = 0; r < ENTRY_RULE_COUNT; r++) {
        bool found = false;
        for (size_t i = 0; i < NCASES && !found; i++)
            found = !strcmp(cases[i].id, entry_rule_id((enum entry_rule)r));
        cr_assert(found, "no failing case for %s", entry_rule_id((enum entry_rule)r));
    }
}
