/*
 * vmx/vmx_msr.h - VMX capability MSRs, the bits they report, and the bits of every
 * VM-execution, VM-exit and VM-entry control field (pure; no code).
 *
 * MSR numbers: SDM appendix A. Control bits: SDM 25.6.1 (pin-based), 25.6.2 (primary,
 * secondary, tertiary processor-based), 25.7.1 (VM-exit), 25.8.1 (VM-entry).
 * The names are the SDM's control names, upper-cased, with a prefix naming the field.
 * Cross-checked against Linux arch/x86/include/asm/vmx.h + vmxfeatures.h, Bochs
 * bochs/cpu/vmx_ctrls.h and the SDM-derived ia32-doc headers.
 */
#ifndef VMX_VMX_MSR_H
#define VMX_VMX_MSR_H

#include <stdint.h>

/* ---- MSR numbers ---------------------------------------------------------------------- */

#ifndef IA32_FEATURE_CONTROL
#define IA32_FEATURE_CONTROL 0x3aU /* SDM 24.7 */
#endif

#define IA32_VMX_BASIC               0x480U /* SDM A.1 */
#define IA32_VMX_PINBASED_CTLS       0x481U /* SDM A.3.1 */
#define IA32_VMX_PROCBASED_CTLS      0x482U /* SDM A.3.2 */
#define IA32_VMX_EXIT_CTLS           0x483U /* SDM A.4.1 */
#define IA32_VMX_ENTRY_CTLS          0x484U /* SDM A.5 */
#define IA32_VMX_MISC                0x485U /* SDM A.6 */
#define IA32_VMX_CR0_FIXED0          0x486U /* SDM A.7 */
#define IA32_VMX_CR0_FIXED1          0x487U
#define IA32_VMX_CR4_FIXED0          0x488U /* SDM A.8 */
#define IA32_VMX_CR4_FIXED1          0x489U
#define IA32_VMX_VMCS_ENUM           0x48aU /* SDM A.9 */
#define IA32_VMX_PROCBASED_CTLS2     0x48bU /* SDM A.3.3 */
#define IA32_VMX_EPT_VPID_CAP        0x48cU /* SDM A.10 */
#define IA32_VMX_TRUE_PINBASED_CTLS  0x48dU /* SDM A.3.1 */
#define IA32_VMX_TRUE_PROCBASED_CTLS 0x48eU /* SDM A.3.2 */
#define IA32_VMX_TRUE_EXIT_CTLS      0x48fU /* SDM A.4.1 */
#define IA32_VMX_TRUE_ENTRY_CTLS     0x490U /* SDM A.5 */
#define IA32_VMX_VMFUNC              0x491U /* SDM A.11 */
#define IA32_VMX_PROCBASED_CTLS3     0x492U /* SDM A.3.4 */
#define IA32_VMX_EXIT_CTLS2          0x493U /* SDM A.4.2 */

/*
 * The capability MSRs are 0x480..0x493 without gaps; vmx_msr_id is (MSR - 0x480), so
 * reading them in id order always reads an MSR before the ones whose existence it reports.
 */
enum vmx_msr_id {
    VMX_MSR_ID_BASIC,
    VMX_MSR_ID_PINBASED,
    VMX_MSR_ID_PROCBASED,
    VMX_MSR_ID_EXIT,
    VMX_MSR_ID_ENTRY,
    VMX_MSR_ID_MISC,
    VMX_MSR_ID_CR0_FIXED0,
    VMX_MSR_ID_CR0_FIXED1,
    VMX_MSR_ID_CR4_FIXED0,
    VMX_MSR_ID_CR4_FIXED1,
    VMX_MSR_ID_VMCS_ENUM,
    VMX_MSR_ID_PROCBASED2,
    VMX_MSR_ID_EPT_VPID_CAP,
    VMX_MSR_ID_TRUE_PINBASED,
    VMX_MSR_ID_TRUE_PROCBASED,
    VMX_MSR_ID_TRUE_EXIT,
    VMX_MSR_ID_TRUE_ENTRY,
    VMX_MSR_ID_VMFUNC,
    VMX_MSR_ID_PROCBASED3,
    VMX_MSR_ID_EXIT2,
    VMX_MSR_ID_COUNT
};
#define VMX_MSR_FIRST       IA32_VMX_BASIC
#define VMX_MSR_PRESENT(id) (1U << (id))
#define VMX_MSR_PRESENT_ALL ((1U << VMX_MSR_ID_COUNT) - 1U)

/*
 * Raw capability MSR values as read by the kernel (or captured from a CPU model).
 * present_mask has VMX_MSR_PRESENT(id) set for every MSR that was read; MSRs that are
 * marked present but that vmx_msr_readable() says do not exist are ignored by all
 * decoders, so a fixture may simply use VMX_MSR_PRESENT_ALL.
 */
struct vmx_msr_values {
    uint64_t basic, pinbased, procbased, exit, entry, misc;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
    uint64_t procbased2, ept_vpid_cap;
    uint64_t true_pin, true_proc, true_exit, true_entry;
    uint64_t vmfunc, procbased3, exit2;
    uint32_t present_mask;
};

/* ---- IA32_FEATURE_CONTROL (SDM 24.7; SDM vol. 4 table 2-2) ---------------------------- */
#define IA32_FEATURE_CONTROL_LOCKED            (1ULL << 0)
#define IA32_FEATURE_CONTROL_VMX_INSIDE_SMX    (1ULL << 1)
#define IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX   (1ULL << 2)
#define IA32_FEATURE_CONTROL_SENTER_LOCAL_MASK (0x7fULL << 8) /* bits 14:8 */
#define IA32_FEATURE_CONTROL_SENTER_GLOBAL     (1ULL << 15)
#define IA32_FEATURE_CONTROL_SGX_LAUNCH_CTL    (1ULL << 17)
#define IA32_FEATURE_CONTROL_SGX_GLOBAL        (1ULL << 18)
#define IA32_FEATURE_CONTROL_LMCE              (1ULL << 20)

/* ---- IA32_VMX_BASIC (SDM A.1) --------------------------------------------------------- */
#define VMX_BASIC_REVISION_MASK     0x7fffffffULL /* bits 30:0; bit 31 is 0 */
#define VMX_BASIC_VMCS_SIZE_SHIFT   32            /* bits 44:32 */
#define VMX_BASIC_VMCS_SIZE_MASK    0x1fffULL
#define VMX_BASIC_PHYS_ADDR_32BIT   (1ULL << 48)
#define VMX_BASIC_DUAL_MONITOR      (1ULL << 49)
#define VMX_BASIC_MEMTYPE_SHIFT     50 /* bits 53:50 */
#define VMX_BASIC_MEMTYPE_MASK      0xfULL
#define VMX_BASIC_INS_OUTS_INFO     (1ULL << 54)
#define VMX_BASIC_TRUE_CTLS         (1ULL << 55)
#define VMX_BASIC_NO_ERROR_CODE_REQ (1ULL << 56)
#define VMX_MEMTYPE_UC              0U
#define VMX_MEMTYPE_WB              6U

/* ---- IA32_VMX_MISC (SDM A.6) ---------------------------------------------------------- */
#define VMX_MISC_PREEMPT_RATE_MASK      0x1fULL /* bits 4:0: timer ticks at TSC >> rate */
#define VMX_MISC_STORE_EFER_LMA         (1ULL << 5)
#define VMX_MISC_ACTIVITY_HLT           (1ULL << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN      (1ULL << 7)
#define VMX_MISC_ACTIVITY_WAIT_FOR_SIPI (1ULL << 8)
#define VMX_MISC_INTEL_PT               (1ULL << 14)
#define VMX_MISC_RDMSR_SMBASE           (1ULL << 15)
#define VMX_MISC_CR3_TARGETS_SHIFT      16 /* bits 24:16 */
#define VMX_MISC_CR3_TARGETS_MASK       0x1ffULL
#define VMX_MISC_MAX_MSR_SHIFT          25 /* bits 27:25: 512 * (N + 1) entries */
#define VMX_MISC_MAX_MSR_MASK           0x7ULL
#define VMX_MISC_SMM_MONITOR_CTL_B2     (1ULL << 28)
#define VMX_MISC_VMWRITE_EXIT_INFO      (1ULL << 29)
#define VMX_MISC_ZERO_LEN_INJECTION     (1ULL << 30)
#define VMX_MISC_MSEG_REVISION_SHIFT    32 /* bits 63:32 */

/* ---- IA32_VMX_VMCS_ENUM (SDM A.9) ----------------------------------------------------- */
#define VMX_VMCS_ENUM_MAX_INDEX_SHIFT 1 /* bits 9:1 */
#define VMX_VMCS_ENUM_MAX_INDEX_MASK  0x1ffULL

/* ---- IA32_VMX_EPT_VPID_CAP (SDM A.10) ------------------------------------------------- */
#define VMX_EPT_EXECUTE_ONLY                        (1ULL << 0)
#define VMX_EPT_PAGE_WALK_4                         (1ULL << 6)
#define VMX_EPT_PAGE_WALK_5                         (1ULL << 7)
#define VMX_EPT_MEMTYPE_UC                          (1ULL << 8)
#define VMX_EPT_MEMTYPE_WB                          (1ULL << 14)
#define VMX_EPT_2M_PAGES                            (1ULL << 16)
#define VMX_EPT_1G_PAGES                            (1ULL << 17)
#define VMX_EPT_INVEPT                              (1ULL << 20)
#define VMX_EPT_AD_FLAGS                            (1ULL << 21)
#define VMX_EPT_ADVANCED_EXIT_INFO                  (1ULL << 22)
#define VMX_EPT_SUPERVISOR_SHADOW_STACK             (1ULL << 23)
#define VMX_EPT_INVEPT_SINGLE_CONTEXT               (1ULL << 25)
#define VMX_EPT_INVEPT_ALL_CONTEXT                  (1ULL << 26)
#define VMX_VPID_INVVPID                            (1ULL << 32)
#define VMX_VPID_INVVPID_INDIVIDUAL_ADDRESS         (1ULL << 40)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT             (1ULL << 41)
#define VMX_VPID_INVVPID_ALL_CONTEXT                (1ULL << 42)
#define VMX_VPID_INVVPID_SINGLE_CONTEXT_RETAIN_GLOB (1ULL << 43)

/* ---- IA32_VMX_VMFUNC (SDM A.11) ------------------------------------------------------- */
#define VMX_VMFUNC_EPTP_SWITCHING (1ULL << 0)

/* ---- Pin-based VM-execution controls (SDM 25.6.1) ------------------------------------- */
#define PIN_BASED_EXTERNAL_INTERRUPT_EXITING    (1U << 0)
#define PIN_BASED_NMI_EXITING                   (1U << 3)
#define PIN_BASED_VIRTUAL_NMIS                  (1U << 5)
#define PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER (1U << 6)
#define PIN_BASED_PROCESS_POSTED_INTERRUPTS     (1U << 7)

/* ---- Primary processor-based VM-execution controls (SDM 25.6.2) ----------------------- */
#define PROC_BASED_INTERRUPT_WINDOW_EXITING    (1U << 2)
#define PROC_BASED_USE_TSC_OFFSETTING          (1U << 3)
#define PROC_BASED_HLT_EXITING                 (1U << 7)
#define PROC_BASED_INVLPG_EXITING              (1U << 9)
#define PROC_BASED_MWAIT_EXITING               (1U << 10)
#define PROC_BASED_RDPMC_EXITING               (1U << 11)
#define PROC_BASED_RDTSC_EXITING               (1U << 12)
#define PROC_BASED_CR3_LOAD_EXITING            (1U << 15)
#define PROC_BASED_CR3_STORE_EXITING           (1U << 16)
#define PROC_BASED_ACTIVATE_TERTIARY_CONTROLS  (1U << 17)
#define PROC_BASED_CR8_LOAD_EXITING            (1U << 19)
#define PROC_BASED_CR8_STORE_EXITING           (1U << 20)
#define PROC_BASED_USE_TPR_SHADOW              (1U << 21)
#define PROC_BASED_NMI_WINDOW_EXITING          (1U << 22)
#define PROC_BASED_MOV_DR_EXITING              (1U << 23)
#define PROC_BASED_UNCONDITIONAL_IO_EXITING    (1U << 24)
#define PROC_BASED_USE_IO_BITMAPS              (1U << 25)
#define PROC_BASED_MONITOR_TRAP_FLAG           (1U << 27)
#define PROC_BASED_USE_MSR_BITMAPS             (1U << 28)
#define PROC_BASED_MONITOR_EXITING             (1U << 29)
#define PROC_BASED_PAUSE_EXITING               (1U << 30)
#define PROC_BASED_ACTIVATE_SECONDARY_CONTROLS (1U << 31)

/* ---- Secondary processor-based VM-execution controls (SDM 25.6.2) --------------------- */
#define PROC_BASED2_VIRTUALIZE_APIC_ACCESSES         (1U << 0)
#define PROC_BASED2_ENABLE_EPT                       (1U << 1)
#define PROC_BASED2_DESCRIPTOR_TABLE_EXITING         (1U << 2)
#define PROC_BASED2_ENABLE_RDTSCP                    (1U << 3)
#define PROC_BASED2_VIRTUALIZE_X2APIC_MODE           (1U << 4)
#define PROC_BASED2_ENABLE_VPID                      (1U << 5)
#define PROC_BASED2_WBINVD_EXITING                   (1U << 6)
#define PROC_BASED2_UNRESTRICTED_GUEST               (1U << 7)
#define PROC_BASED2_APIC_REGISTER_VIRTUALIZATION     (1U << 8)
#define PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY       (1U << 9)
#define PROC_BASED2_PAUSE_LOOP_EXITING               (1U << 10)
#define PROC_BASED2_RDRAND_EXITING                   (1U << 11)
#define PROC_BASED2_ENABLE_INVPCID                   (1U << 12)
#define PROC_BASED2_ENABLE_VM_FUNCTIONS              (1U << 13)
#define PROC_BASED2_VMCS_SHADOWING                   (1U << 14)
#define PROC_BASED2_ENABLE_ENCLS_EXITING             (1U << 15)
#define PROC_BASED2_RDSEED_EXITING                   (1U << 16)
#define PROC_BASED2_ENABLE_PML                       (1U << 17)
#define PROC_BASED2_EPT_VIOLATION_VE                 (1U << 18)
#define PROC_BASED2_CONCEAL_VMX_FROM_PT              (1U << 19)
#define PROC_BASED2_ENABLE_XSAVES_XRSTORS            (1U << 20)
#define PROC_BASED2_PASID_TRANSLATION                (1U << 21)
#define PROC_BASED2_MODE_BASED_EXECUTE_CONTROL       (1U << 22)
#define PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS       (1U << 23)
#define PROC_BASED2_PT_USES_GUEST_PHYSICAL_ADDRESSES (1U << 24)
#define PROC_BASED2_USE_TSC_SCALING                  (1U << 25)
#define PROC_BASED2_ENABLE_USER_WAIT_AND_PAUSE       (1U << 26)
#define PROC_BASED2_ENABLE_PCONFIG                   (1U << 27)
#define PROC_BASED2_ENABLE_ENCLV_EXITING             (1U << 28)
#define PROC_BASED2_VMM_BUS_LOCK_DETECTION           (1U << 30)
#define PROC_BASED2_INSTRUCTION_TIMEOUT              (1U << 31)

/* ---- Tertiary processor-based VM-execution controls (SDM 25.6.2; 64-bit field) -------- */
#define PROC_BASED3_LOADIWKEY_EXITING            (1ULL << 0)
#define PROC_BASED3_ENABLE_HLAT                  (1ULL << 1)
#define PROC_BASED3_EPT_PAGING_WRITE_CONTROL     (1ULL << 2)
#define PROC_BASED3_GUEST_PAGING_VERIFICATION    (1ULL << 3)
#define PROC_BASED3_IPI_VIRTUALIZATION           (1ULL << 4)
#define PROC_BASED3_ENABLE_MSR_LIST_INSTRUCTIONS (1ULL << 6)
#define PROC_BASED3_VIRTUALIZE_IA32_SPEC_CTRL    (1ULL << 7)

/* ---- Primary VM-exit controls (SDM 25.7.1) -------------------------------------------- */
#define VM_EXIT_CTL_SAVE_DEBUG_CONTROLS             (1U << 2)
#define VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE         (1U << 9)
#define VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL      (1U << 12)
#define VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT   (1U << 15)
#define VM_EXIT_CTL_SAVE_IA32_PAT                   (1U << 18)
#define VM_EXIT_CTL_LOAD_IA32_PAT                   (1U << 19)
#define VM_EXIT_CTL_SAVE_IA32_EFER                  (1U << 20)
#define VM_EXIT_CTL_LOAD_IA32_EFER                  (1U << 21)
#define VM_EXIT_CTL_SAVE_VMX_PREEMPTION_TIMER_VALUE (1U << 22)
#define VM_EXIT_CTL_CLEAR_IA32_BNDCFGS              (1U << 23)
#define VM_EXIT_CTL_CONCEAL_VMX_FROM_PT             (1U << 24)
#define VM_EXIT_CTL_CLEAR_IA32_RTIT_CTL             (1U << 25)
#define VM_EXIT_CTL_CLEAR_IA32_LBR_CTL              (1U << 26)
#define VM_EXIT_CTL_CLEAR_UINV                      (1U << 27)
#define VM_EXIT_CTL_LOAD_CET_STATE                  (1U << 28)
#define VM_EXIT_CTL_LOAD_PKRS                       (1U << 29)
#define VM_EXIT_CTL_SAVE_IA32_PERF_GLOBAL_CTL       (1U << 30)
#define VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS     (1U << 31)

/* ---- Secondary VM-exit controls (SDM 25.7.1; 64-bit field) ---------------------------- */
#define VM_EXIT_CTL2_SAVE_IA32_FRED                (1ULL << 0)
#define VM_EXIT_CTL2_LOAD_IA32_FRED                (1ULL << 1)
#define VM_EXIT_CTL2_PREMATURELY_BUSY_SHADOW_STACK (1ULL << 3)

/* ---- VM-entry controls (SDM 25.8.1) --------------------------------------------------- */
#define VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS               (1U << 2)
#define VM_ENTRY_CTL_IA32E_MODE_GUEST                  (1U << 9)
#define VM_ENTRY_CTL_ENTRY_TO_SMM                      (1U << 10)
#define VM_ENTRY_CTL_DEACTIVATE_DUAL_MONITOR_TREATMENT (1U << 11)
#define VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL        (1U << 13)
#define VM_ENTRY_CTL_LOAD_IA32_PAT                     (1U << 14)
#define VM_ENTRY_CTL_LOAD_IA32_EFER                    (1U << 15)
#define VM_ENTRY_CTL_LOAD_IA32_BNDCFGS                 (1U << 16)
#define VM_ENTRY_CTL_CONCEAL_VMX_FROM_PT               (1U << 17)
#define VM_ENTRY_CTL_LOAD_IA32_RTIT_CTL                (1U << 18)
#define VM_ENTRY_CTL_LOAD_UINV                         (1U << 19)
#define VM_ENTRY_CTL_LOAD_CET_STATE                    (1U << 20)
#define VM_ENTRY_CTL_LOAD_GUEST_IA32_LBR_CTL           (1U << 21)
#define VM_ENTRY_CTL_LOAD_PKRS                         (1U << 22)
#define VM_ENTRY_CTL_LOAD_IA32_FRED                    (1U << 23)

/* ---- Default1 class (SDM A.2): reserved controls whose default setting is 1 ----------- */
#define PIN_BASED_DEFAULT1    0x00000016U /* bits 1, 2, 4 */
#define PROC_BASED_DEFAULT1   0x0401e172U /* bits 1, 4-6, 8, 13-16, 26 */
#define VM_EXIT_CTL_DEFAULT1  0x00036dffU /* bits 0-8, 10, 11, 13, 14, 16, 17 */
#define VM_ENTRY_CTL_DEFAULT1 0x000011ffU /* bits 0-8, 12 */

#endif
