/*
 * vmx/vmx_names.h - names of VM-exit reasons and VM-instruction errors (pure).
 *
 * Basic exit reasons: SDM appendix C (Table C-1). Format of the exit-reason field: SDM 25.9.1
 * (Basic VM-Exit Information). VM-instruction error numbers: SDM 31.4 (Table 31-1).
 */
#ifndef VMX_VMX_NAMES_H
#define VMX_VMX_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(number, NAME): every basic exit reason of SDM appendix C. 35, 38, 42 and 71 are unused. */
#define VM_EXIT_REASON_LIST(X)                                                                     \
    X(0, EXCEPTION_NMI)                                                                            \
    X(1, EXTERNAL_INTERRUPT)                                                                       \
    X(2, TRIPLE_FAULT)                                                                             \
    X(3, INIT)                                                                                     \
    X(4, SIPI)                                                                                     \
    X(5, IO_SMI)                                                                                   \
    X(6, OTHER_SMI)                                                                                \
    X(7, INTERRUPT_WINDOW)                                                                         \
    X(8, NMI_WINDOW)                                                                               \
    X(9, TASK_SWITCH)                                                                              \
    X(10, CPUID)                                                                                   \
    X(11, GETSEC)                                                                                  \
    X(12, HLT)                                                                                     \
    X(13, INVD)                                                                                    \
    X(14, INVLPG)                                                                                  \
    X(15, RDPMC)                                                                                   \
    X(16, RDTSC)                                                                                   \
    X(17, RSM)                                                                                     \
    X(18, VMCALL)                                                                                  \
    X(19, VMCLEAR)                                                                                 \
    X(20, VMLAUNCH)                                                                                \
    X(21, VMPTRLD)                                                                                 \
    X(22, VMPTRST)                                                                                 \
    X(23, VMREAD)                                                                                  \
    X(24, VMRESUME)                                                                                \
    X(25, VMWRITE)                                                                                 \
    X(26, VMXOFF)                                                                                  \
    X(27, VMXON)                                                                                   \
    X(28, CR_ACCESS)                                                                               \
    X(29, DR_ACCESS)                                                                               \
    X(30, IO_INSTRUCTION)                                                                          \
    X(31, RDMSR)                                                                                   \
    X(32, WRMSR)                                                                                   \
    X(33, INVALID_GUEST_STATE)                                                                     \
    X(34, MSR_LOAD_FAIL)                                                                           \
    X(36, MWAIT)                                                                                   \
    X(37, MONITOR_TRAP_FLAG)                                                                       \
    X(39, MONITOR)                                                                                 \
    X(40, PAUSE)                                                                                   \
    X(41, MCE_DURING_ENTRY)                                                                        \
    X(43, TPR_BELOW_THRESHOLD)                                                                     \
    X(44, APIC_ACCESS)                                                                             \
    X(45, VIRTUALIZED_EOI)                                                                         \
    X(46, GDTR_IDTR)                                                                               \
    X(47, LDTR_TR)                                                                                 \
    X(48, EPT_VIOLATION)                                                                           \
    X(49, EPT_MISCONFIG)                                                                           \
    X(50, INVEPT)                                                                                  \
    X(51, RDTSCP)                                                                                  \
    X(52, PREEMPTION_TIMER)                                                                        \
    X(53, INVVPID)                                                                                 \
    X(54, WBINVD)                                                                                  \
    X(55, XSETBV)                                                                                  \
    X(56, APIC_WRITE)                                                                              \
    X(57, RDRAND)                                                                                  \
    X(58, INVPCID)                                                                                 \
    X(59, VMFUNC)                                                                                  \
    X(60, ENCLS)                                                                                   \
    X(61, RDSEED)                                                                                  \
    X(62, PML_FULL)                                                                                \
    X(63, XSAVES)                                                                                  \
    X(64, XRSTORS)                                                                                 \
    X(65, PCONFIG)                                                                                 \
    X(66, SPP)                                                                                     \
    X(67, UMWAIT)                                                                                  \
    X(68, TPAUSE)                                                                                  \
    X(69, LOADIWKEY)                                                                               \
    X(70, ENCLV)                                                                                   \
    X(72, ENQCMD_PASID_TRANSLATION)                                                                \
    X(73, ENQCMDS_PASID_TRANSLATION)                                                               \
    X(74, BUS_LOCK)                                                                                \
    X(75, INSTRUCTION_TIMEOUT)                                                                     \
    X(76, SEAMCALL)                                                                                \
    X(77, TDCALL)

/* VM_EXIT_REASON_EPT_VIOLATION = 48 ... SDM appendix C */
enum vm_exit_reason {
#define VM_EXIT_REASON_ENUM(num, name) VM_EXIT_REASON_##name = (num),
    VM_EXIT_REASON_LIST(VM_EXIT_REASON_ENUM)
#undef VM_EXIT_REASON_ENUM
};

/* Highest basic exit reason known here; size of an exit-handler table is this + 1. */
#define VM_EXIT_REASON_MAX 77u

/* Fields of the 32-bit exit-reason VMCS field. SDM 25.9.1 (Basic VM-Exit Information) */
#define VMX_EXIT_BASIC_MASK           0x0000ffffu /* 15:0 basic exit reason */
#define VMX_EXIT_BUS_LOCK_DETECTED    (1u << 26)  /* a bus lock was asserted */
#define VMX_EXIT_ENCLAVE_MODE         (1u << 27)  /* exit incident to enclave mode */
#define VMX_EXIT_PENDING_MTF          (1u << 28)  /* SMM exit: pending MTF VM exit */
#define VMX_EXIT_FROM_VMX_ROOT        (1u << 29)  /* SMM exit: from VMX root operation */
#define VMX_EXIT_ENTRY_FAILURE        (1u << 31)  /* VM-entry failure, not a true VM exit */
#define VMX_EXIT_REASON_RESERVED_MASK 0x43ff0000u /* 16 (always 0), 25:17, 30 */

struct vmx_exit_reason_info {
    uint16_t basic;
    bool bus_lock_detected;
    bool enclave_mode;
    bool pending_mtf;
    bool from_vmx_root;
    bool entry_failure;
    uint32_t reserved; /* the reserved bits that were set (normally 0) */
};

/* Name of a basic exit reason ("EPT_VIOLATION"), NULL if it is not one of appendix C. */
const char *vmx_exit_reason_name(uint32_t basic);

/* Splits the exit-reason field into its parts. */
struct vmx_exit_reason_info vmx_exit_reason_decode(uint32_t exit_reason);

/*
 * One-line description of the exit-reason field, e.g.
 *   "INVALID_GUEST_STATE (33) entry-failure"
 *   "unknown (99) enclave-mode reserved=0x10000"
 * snprintf contract: writes at most size-1 characters plus a NUL (when size > 0) and
 * returns the length the whole text has.
 */
int vmx_exit_reason_format(uint32_t exit_reason, char *buf, size_t size);

/*
 * What a VM-entry failure reported as an exit (bit 31 of the exit reason, SDM 25.9.1; basic
 * reason 33, 34 or 41, SDM 27.8) means, from its qualification, e.g.
 *   "PDPTE loading failed" (33, qualification 2)
 *   "entry 3 of the VM-entry MSR-load list" (34, qualification 3)
 *   "machine-check event during VM entry: no VMCS rule is broken; ..." (41)
 * A field without bit 31, or with another basic reason, is said to be no entry failure.
 * snprintf contract, as vmx_exit_reason_format.
 */
int vmx_entry_failure_format(uint32_t exit_reason, uint64_t qualification, char *buf, size_t size);

/* What a VMX-abort indicator (the 32 bits at offset 4 of the VMCS region, SDM 25.2) means,
 * SDM 28.7: "loading host MSRs failed" for 4; NULL for 0 (no abort) and unknown values. */
const char *vmx_abort_indicator_name(uint32_t indicator);

/* X(number, NAME, "SDM text"): VM-instruction error numbers, SDM 31.4 Table 31-1.
 * 14, 21 and 27 are unused. */
#define VMX_INSN_ERROR_LIST(X)                                                                     \
    X(1, VMCALL_IN_VMX_ROOT, "VMCALL executed in VMX root operation")                              \
    X(2, VMCLEAR_INVALID_ADDRESS, "VMCLEAR with invalid physical address")                         \
    X(3, VMCLEAR_VMXON_POINTER, "VMCLEAR with VMXON pointer")                                      \
    X(4, VMLAUNCH_NONCLEAR_VMCS, "VMLAUNCH with non-clear VMCS")                                   \
    X(5, VMRESUME_NONLAUNCHED_VMCS, "VMRESUME with non-launched VMCS")                             \
    X(6, VMRESUME_AFTER_VMXOFF,                                                                    \
      "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)")                    \
    X(7, ENTRY_INVALID_CONTROL_FIELD, "VM entry with invalid control field(s)")                    \
    X(8, ENTRY_INVALID_HOST_STATE_FIELD, "VM entry with invalid host-state field(s)")              \
    X(9, VMPTRLD_INVALID_ADDRESS, "VMPTRLD with invalid physical address")                         \
    X(10, VMPTRLD_VMXON_POINTER, "VMPTRLD with VMXON pointer")                                     \
    X(11, VMPTRLD_INCORRECT_REVISION_ID, "VMPTRLD with incorrect VMCS revision identifier")        \
    X(12, UNSUPPORTED_VMCS_COMPONENT, "VMREAD/VMWRITE from/to unsupported VMCS component")         \
    X(13, VMWRITE_READ_ONLY_COMPONENT, "VMWRITE to read-only VMCS component")                      \
    X(15, VMXON_IN_VMX_ROOT, "VMXON executed in VMX root operation")                               \
    X(16, ENTRY_INVALID_EXECUTIVE_VMCS_POINTER, "VM entry with invalid executive-VMCS pointer")    \
    X(17, ENTRY_NONLAUNCHED_EXECUTIVE_VMCS, "VM entry with non-launched executive VMCS")           \
    X(18, ENTRY_EXECUTIVE_VMCS_NOT_VMXON_POINTER,                                                  \
      "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the " \
      "dual-monitor treatment of SMIs and SMM)")                                                   \
    X(19, VMCALL_NONCLEAR_VMCS,                                                                    \
      "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of "     \
      "SMIs and SMM)")                                                                             \
    X(20, VMCALL_INVALID_EXIT_CONTROL_FIELDS, "VMCALL with invalid VM-exit control fields")        \
    X(22, VMCALL_INCORRECT_MSEG_REVISION_ID,                                                       \
      "VMCALL with incorrect MSEG revision identifier (when attempting to activate the "           \
      "dual-monitor treatment of SMIs and SMM)")                                                   \
    X(23, VMXOFF_UNDER_DUAL_MONITOR, "VMXOFF under dual-monitor treatment of SMIs and SMM")        \
    X(24, VMCALL_INVALID_SMM_MONITOR_FEATURES,                                                     \
      "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor "    \
      "treatment of SMIs and SMM)")                                                                \
    X(25, ENTRY_INVALID_EXECUTIVE_VMCS_CONTROLS,                                                   \
      "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to "   \
      "return from SMM)")                                                                          \
    X(26, ENTRY_EVENTS_BLOCKED_BY_MOV_SS, "VM entry with events blocked by MOV SS")                \
    X(28, INVALID_INVEPT_INVVPID_OPERAND, "Invalid operand to INVEPT/INVVPID")

/* VMX_INSN_ERR_ENTRY_INVALID_CONTROL_FIELD = 7 ... SDM 31.4 */
enum vmx_insn_error {
#define VMX_INSN_ERROR_ENUM(num, name, text) VMX_INSN_ERR_##name = (num),
    VMX_INSN_ERROR_LIST(VMX_INSN_ERROR_ENUM)
#undef VMX_INSN_ERROR_ENUM
};

/* SDM text of a VM-instruction error number; NULL for 0, unused and unknown numbers. */
const char *vmx_insn_error_name(uint32_t err);

#endif
