/*
 * vmx/vmx_caps.h - VMX capability decoder (pure): which capability MSRs exist, what they
 * say (SDM appendix A), named features, and a human-readable report.
 *
 * Reading the MSRs (kernel side, hardware file):
 *     struct vmx_msr_values v = {0};
 *     for (uint32_t id = 0; id < VMX_MSR_ID_COUNT; id++)
 *         if (vmx_msr_readable(VMX_MSR_FIRST + id, &v))
 *             vmx_msr_store(&v, VMX_MSR_FIRST + id, rdmsr(VMX_MSR_FIRST + id));
 * Id order guarantees that an MSR is read before those whose existence it reports, so no
 * non-existent MSR is ever read (that would be #GP).
 *
 * Report format (vmx_caps_report), one line per fact:
 *   MSR <name> <number>: 0x<16 hex digits>      or   MSR <name> <number>: not available
 *   BASIC: revision 0x%08x, VMCS size N, memory type WB(6), TRUE controls yes|no
 *   BASIC: 32-bit physical addresses .., dual-monitor SMM .., INS/OUTS info .., ...
 *   MISC: ... / CR0_FIXED0: ... / VMCS_ENUM: ... / EPT: ... / VPID: ... / VMFUNC: ...
 * and for each control field F (PINBASED PROCBASED PROCBASED2 PROCBASED3 EXIT EXIT2 ENTRY):
 *   F: from IA32_VMX_..., must-be-1 0x........, may-be-1 0x........   (or "F: not available")
 *   F.<NAME> bit <N>: may-be-0 yes|no, may-be-1 yes|no, <class>[, default1]
 * where NAME is the SDM control name (or "reserved" for an unnamed bit, listed only when it
 * may or must be 1), may-be-0 is "allowed-0 bit clear", may-be-1 is "allowed-1 bit set",
 * and class is flexible, fixed-1, fixed-0 or invalid (must be 1 but may not be 1).
 * The last lines are "FEATURE <NAME> yes|no", one per enum vmx_feature (vmx_caps_has).
 * Grep for "^PROCBASED2\.ENABLE_EPT " to find one control.
 */
#ifndef VMX_VMX_CAPS_H
#define VMX_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmx_controls.h"
#include "vmx/vmx_msr.h"

enum vmx_caps_error {
    VMX_CAPS_OK = 0,
    VMX_CAPS_EINVAL = -1,  /* NULL argument or an MSR that is not a VMX capability MSR */
    VMX_CAPS_ENOBASIC = -2 /* IA32_VMX_BASIC was not read */
};

/* Does `msr` exist, given what was read so far? Only the capability MSRs 0x480..0x493;
 * false for anything else. SDM A.1 (TRUE_*), A.3.3, A.3.4, A.4.2, A.10, A.11. */
bool vmx_msr_readable(uint32_t msr, const struct vmx_msr_values *v);
/* Stores a value read from `msr` and marks it present; VMX_CAPS_EINVAL for other MSRs. */
int vmx_msr_store(struct vmx_msr_values *v, uint32_t msr, uint64_t value);
/* The value of `msr` if it was read and exists (present and readable). */
bool vmx_msr_get(const struct vmx_msr_values *v, uint32_t msr, uint64_t *value);
/* "IA32_VMX_BASIC", ... or NULL. */
const char *vmx_msr_name(uint32_t msr);
/* "UC", "WB" or "?" for the memory types of IA32_VMX_BASIC[53:50] (SDM A.1). */
const char *vmx_memory_type_name(unsigned type);

struct vmx_caps {
    uint32_t present_mask; /* MSRs that were read and exist */
    /* IA32_VMX_BASIC, SDM A.1 */
    uint64_t basic;
    uint32_t revision_id;
    uint32_t vmcs_size;
    bool phys_addr_32bit;
    bool dual_monitor_smm;
    uint8_t vmcs_memory_type;
    bool ins_outs_info;
    bool true_controls;
    bool no_error_code_required;
    /* effective allowed settings of each control field */
    struct vmx_ctl_allowed ctl[VMX_CTL_COUNT];
    /* IA32_VMX_MISC, SDM A.6 */
    uint64_t misc;
    uint8_t preemption_timer_rate;
    bool store_efer_lma;
    bool activity_hlt, activity_shutdown, activity_wait_for_sipi;
    bool intel_pt_in_vmx;
    bool rdmsr_smbase_in_smm;
    uint16_t cr3_target_count;
    uint32_t max_msr_list; /* recommended maximum entries per MSR list: 512 * (N + 1) */
    bool smm_monitor_ctl_b2;
    bool vmwrite_exit_info;
    bool zero_length_injection;
    uint32_t mseg_revision;
    /* SDM A.7, A.8 */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    /* SDM A.9 */
    uint16_t vmcs_max_index;
    /* IA32_VMX_EPT_VPID_CAP, SDM A.10 (all false if the MSR does not exist) */
    uint64_t ept_vpid_cap;
    struct {
        bool execute_only, walk_4, walk_5, memtype_uc, memtype_wb, pages_2m, pages_1g;
        bool invept, ad_flags, advanced_exit_info, supervisor_shadow_stack;
        bool invept_single_context, invept_all_context;
    } ept;
    struct {
        bool invvpid, individual_address, single_context, all_context;
        bool single_context_retaining_globals;
    } vpid;
    /* IA32_VMX_VMFUNC, SDM A.11 */
    uint64_t vmfunc;
    bool eptp_switching;
};

/* Decodes every MSR that exists. Returns 0, VMX_CAPS_ENOBASIC or VMX_CAPS_EINVAL. */
int vmx_caps_decode(const struct vmx_msr_values *v, struct vmx_caps *c);

enum vmx_feature {
    /* pin-based */
    VMX_FEATURE_VIRTUAL_NMIS,
    VMX_FEATURE_PREEMPTION_TIMER,
    VMX_FEATURE_POSTED_INTERRUPTS,
    /* primary processor-based */
    VMX_FEATURE_TSC_OFFSETTING,
    VMX_FEATURE_TPR_SHADOW,
    VMX_FEATURE_NMI_WINDOW_EXITING,
    VMX_FEATURE_MTF,
    VMX_FEATURE_IO_BITMAPS,
    VMX_FEATURE_MSR_BITMAPS,
    VMX_FEATURE_SECONDARY_CONTROLS,
    VMX_FEATURE_TERTIARY_CONTROLS,
    /* secondary processor-based */
    VMX_FEATURE_VIRTUALIZE_APIC_ACCESSES,
    VMX_FEATURE_EPT,
    VMX_FEATURE_DESCRIPTOR_TABLE_EXITING,
    VMX_FEATURE_RDTSCP,
    VMX_FEATURE_VIRTUALIZE_X2APIC,
    VMX_FEATURE_VPID,
    VMX_FEATURE_WBINVD_EXITING,
    VMX_FEATURE_UNRESTRICTED_GUEST,
    VMX_FEATURE_APIC_REGISTER_VIRT,
    VMX_FEATURE_VIRTUAL_INTR_DELIVERY,
    VMX_FEATURE_PAUSE_LOOP_EXITING,
    VMX_FEATURE_INVPCID,
    VMX_FEATURE_VMFUNC,
    VMX_FEATURE_VMCS_SHADOWING,
    VMX_FEATURE_PML,
    VMX_FEATURE_EPT_VE,
    VMX_FEATURE_XSAVES,
    VMX_FEATURE_TSC_SCALING,
    /* VM-exit / VM-entry */
    VMX_FEATURE_HOST_ADDRESS_SPACE_SIZE,
    VMX_FEATURE_ACK_INTERRUPT_ON_EXIT,
    VMX_FEATURE_EXIT_SAVE_PAT,
    VMX_FEATURE_EXIT_LOAD_PAT,
    VMX_FEATURE_EXIT_SAVE_EFER,
    VMX_FEATURE_EXIT_LOAD_EFER,
    VMX_FEATURE_EXIT_SAVE_PREEMPTION_TIMER,
    VMX_FEATURE_IA32E_MODE_GUEST,
    VMX_FEATURE_ENTRY_LOAD_PAT,
    VMX_FEATURE_ENTRY_LOAD_EFER,
    /* IA32_VMX_EPT_VPID_CAP */
    VMX_FEATURE_EPT_EXECUTE_ONLY,
    VMX_FEATURE_EPT_WALK_4,
    VMX_FEATURE_EPT_WALK_5,
    VMX_FEATURE_EPT_UC,
    VMX_FEATURE_EPT_WB,
    VMX_FEATURE_EPT_2M,
    VMX_FEATURE_EPT_1G,
    VMX_FEATURE_EPT_AD,
    VMX_FEATURE_EPT_ADVANCED_EXIT_INFO,
    VMX_FEATURE_INVEPT,
    VMX_FEATURE_INVEPT_SINGLE_CONTEXT,
    VMX_FEATURE_INVEPT_ALL_CONTEXT,
    VMX_FEATURE_INVVPID,
    VMX_FEATURE_INVVPID_INDIVIDUAL_ADDRESS,
    VMX_FEATURE_INVVPID_SINGLE_CONTEXT,
    VMX_FEATURE_INVVPID_ALL_CONTEXT,
    VMX_FEATURE_INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS,
    /* IA32_VMX_VMFUNC */
    VMX_FEATURE_EPTP_SWITCHING,
    /* IA32_VMX_BASIC / IA32_VMX_MISC */
    VMX_FEATURE_TRUE_CONTROLS,
    VMX_FEATURE_INS_OUTS_INFO,
    VMX_FEATURE_STORE_EFER_LMA,
    VMX_FEATURE_ACTIVITY_HLT,
    VMX_FEATURE_ACTIVITY_SHUTDOWN,
    VMX_FEATURE_ACTIVITY_WAIT_FOR_SIPI,
    VMX_FEATURE_VMWRITE_EXIT_INFO,
    VMX_FEATURE_ZERO_LENGTH_INJECTION,
    VMX_FEATURE_COUNT
};

/* A control feature is present when its control may be 1 (and its field exists); an EPT or
 * INVEPT capability additionally needs EPT, an INVVPID one VPID, EPTP switching VMFUNC. */
bool vmx_caps_has(const struct vmx_caps *c, enum vmx_feature f);
/* "EPT", "UNRESTRICTED_GUEST", ... ("?" when out of range). */
const char *vmx_feature_name(enum vmx_feature f);

/* Emits the full report (format above), one call per line, lines without '\n'. */
void vmx_caps_report(const struct vmx_msr_values *v, void (*emit_line)(void *ctx, const char *line),
                     void *ctx);

#endif
