/*
 * vmx/vmx_caps.c - VMX capability decoder (pure): existence rules of the capability MSRs,
 * decoding of IA32_VMX_BASIC/MISC/EPT_VPID_CAP/VMFUNC..., named features and the report.
 * SDM appendix A; the meaning of each control bit is in SDM 25.6-25.8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "vmx/vmx_caps.h"
#include "platform/fmt.h"

/* ---- the capability MSRs ----------------------------------------------------------------- */

#define OFF(f) offsetof(struct vmx_msr_values, f)
static const struct {
    const char *name;
    size_t off;
} msrs[VMX_MSR_ID_COUNT] = {
    [VMX_MSR_ID_BASIC] = {"IA32_VMX_BASIC", OFF(basic)},
    [VMX_MSR_ID_PINBASED] = {"IA32_VMX_PINBASED_CTLS", OFF(pinbased)},
    [VMX_MSR_ID_PROCBASED] = {"IA32_VMX_PROCBASED_CTLS", OFF(procbased)},
    [VMX_MSR_ID_EXIT] = {"IA32_VMX_EXIT_CTLS", OFF(exit)},
    [VMX_MSR_ID_ENTRY] = {"IA32_VMX_ENTRY_CTLS", OFF(entry)},
    [VMX_MSR_ID_MISC] = {"IA32_VMX_MISC", OFF(misc)},
    [VMX_MSR_ID_CR0_FIXED0] = {"IA32_VMX_CR0_FIXED0", OFF(cr0_fixed0)},
    [VMX_MSR_ID_CR0_FIXED1] = {"IA32_VMX_CR0_FIXED1", OFF(cr0_fixed1)},
    [VMX_MSR_ID_CR4_FIXED0] = {"IA32_VMX_CR4_FIXED0", OFF(cr4_fixed0)},
    [VMX_MSR_ID_CR4_FIXED1] = {"IA32_VMX_CR4_FIXED1", OFF(cr4_fixed1)},
    [VMX_MSR_ID_VMCS_ENUM] = {"IA32_VMX_VMCS_ENUM", OFF(vmcs_enum)},
    [VMX_MSR_ID_PROCBASED2] = {"IA32_VMX_PROCBASED_CTLS2", OFF(procbased2)},
    [VMX_MSR_ID_EPT_VPID_CAP] = {"IA32_VMX_EPT_VPID_CAP", OFF(ept_vpid_cap)},
    [VMX_MSR_ID_TRUE_PINBASED] = {"IA32_VMX_TRUE_PINBASED_CTLS", OFF(true_pin)},
    [VMX_MSR_ID_TRUE_PROCBASED] = {"IA32_VMX_TRUE_PROCBASED_CTLS", OFF(true_proc)},
    [VMX_MSR_ID_TRUE_EXIT] = {"IA32_VMX_TRUE_EXIT_CTLS", OFF(true_exit)},
    [VMX_MSR_ID_TRUE_ENTRY] = {"IA32_VMX_TRUE_ENTRY_CTLS", OFF(true_entry)},
    [VMX_MSR_ID_VMFUNC] = {"IA32_VMX_VMFUNC", OFF(vmfunc)},
    [VMX_MSR_ID_PROCBASED3] = {"IA32_VMX_PROCBASED_CTLS3", OFF(procbased3)},
    [VMX_MSR_ID_EXIT2] = {"IA32_VMX_EXIT_CTLS2", OFF(exit2)},
};

static bool is_cap_msr(uint32_t msr)
{
    return msr >= VMX_MSR_FIRST && msr < VMX_MSR_FIRST + VMX_MSR_ID_COUNT;
}

static uint64_t *slot(struct vmx_msr_values *v, uint32_t msr)
{
    return (uint64_t *)((char *)v + msrs[msr - VMX_MSR_FIRST].off);
}

static uint64_t slot_value(const struct vmx_msr_values *v, uint32_t msr)
{
    return *(const uint64_t *)((const char *)v + msrs[msr - VMX_MSR_FIRST].off);
}

/* allowed-1 half of a control MSR: bit X of the control is bit 32 + X of the MSR */
#define MAY_BE_1(ctl) ((uint64_t)(ctl) << 32)

bool vmx_msr_readable(uint32_t msr, const struct vmx_msr_values *v)
{
    uint64_t x;
    if (!v || !is_cap_msr(msr))
        return false;
    switch (msr) {
    case IA32_VMX_TRUE_PINBASED_CTLS: /* SDM A.1: only if IA32_VMX_BASIC[55] */
    case IA32_VMX_TRUE_PROCBASED_CTLS:
    case IA32_VMX_TRUE_EXIT_CTLS:
    case IA32_VMX_TRUE_ENTRY_CTLS:
        return vmx_msr_get(v, IA32_VMX_BASIC, &x) && (x & VMX_BASIC_TRUE_CTLS);
    case IA32_VMX_PROCBASED_CTLS2: /* SDM A.3.3: IA32_VMX_PROCBASED_CTLS[63] */
        return vmx_msr_get(v, IA32_VMX_PROCBASED_CTLS, &x) &&
               (x & MAY_BE_1(PROC_BASED_ACTIVATE_SECONDARY_CONTROLS));
    case IA32_VMX_PROCBASED_CTLS3: /* SDM A.3.4: IA32_VMX_PROCBASED_CTLS[49] */
        return vmx_msr_get(v, IA32_VMX_PROCBASED_CTLS, &x) &&
               (x & MAY_BE_1(PROC_BASED_ACTIVATE_TERTIARY_CONTROLS));
    case IA32_VMX_EXIT_CTLS2: /* SDM A.4.2: IA32_VMX_EXIT_CTLS[63] */
        return vmx_msr_get(v, IA32_VMX_EXIT_CTLS, &x) &&
               (x & MAY_BE_1(VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS));
    case IA32_VMX_EPT_VPID_CAP: /* SDM A.10: IA32_VMX_PROCBASED_CTLS2[33] or [37] */
        return vmx_msr_get(v, IA32_VMX_PROCBASED_CTLS2, &x) &&
               (x & MAY_BE_1(PROC_BASED2_ENABLE_EPT | PROC_BASED2_ENABLE_VPID));
    case IA32_VMX_VMFUNC: /* SDM A.11: IA32_VMX_PROCBASED_CTLS2[45] */
        return vmx_msr_get(v, IA32_VMX_PROCBASED_CTLS2, &x) &&
               (x & MAY_BE_1(PROC_BASED2_ENABLE_VM_FUNCTIONS));
    default: /* 0x480-0x48a exist on every processor with VMX */
        return true;
    }
}

int vmx_msr_store(struct vmx_msr_values *v, uint32_t msr, uint64_t value)
{
    if (!v || !is_cap_msr(msr))
        return VMX_CAPS_EINVAL;
    *slot(v, msr) = value;
    v->present_mask |= VMX_MSR_PRESENT(msr - VMX_MSR_FIRST);
    return VMX_CAPS_OK;
}

bool vmx_msr_get(const struct vmx_msr_values *v, uint32_t msr, uint64_t *value)
{
    if (!v || !is_cap_msr(msr) || !(v->present_mask & VMX_MSR_PRESENT(msr - VMX_MSR_FIRST)))
        return false;
    if (!vmx_msr_readable(msr, v))
        return false;
    if (value)
        *value = slot_value(v, msr);
    return true;
}

const char *vmx_msr_name(uint32_t msr)
{
    if (msr == IA32_FEATURE_CONTROL)
        return "IA32_FEATURE_CONTROL";
    return is_cap_msr(msr) ? msrs[msr - VMX_MSR_FIRST].name : NULL;
}

const char *vmx_memory_type_name(unsigned type)
{
    /* SDM A.1: 0 = UC, 6 = WB, other values not used */
    return type == VMX_MEMTYPE_UC ? "UC" : type == VMX_MEMTYPE_WB ? "WB" : "?";
}

/* ---- decoding ------------------------------------------------------------------------------ */

static void decode_misc(struct vmx_caps *c, uint64_t m)
{
    c->misc = m;
    c->preemption_timer_rate = (uint8_t)(m & VMX_MISC_PREEMPT_RATE_MASK);
    c->store_efer_lma = m & VMX_MISC_STORE_EFER_LMA;
    c->activity_hlt = m & VMX_MISC_ACTIVITY_HLT;
    c->activity_shutdown = m & VMX_MISC_ACTIVITY_SHUTDOWN;
    c->activity_wait_for_sipi = m & VMX_MISC_ACTIVITY_WAIT_FOR_SIPI;
    c->intel_pt_in_vmx = m & VMX_MISC_INTEL_PT;
    c->rdmsr_smbase_in_smm = m & VMX_MISC_RDMSR_SMBASE;
    c->cr3_target_count = (uint16_t)((m >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK);
    c->max_msr_list =
        512U * (uint32_t)(((m >> VMX_MISC_MAX_MSR_SHIFT) & VMX_MISC_MAX_MSR_MASK) + 1);
    c->smm_monitor_ctl_b2 = m & VMX_MISC_SMM_MONITOR_CTL_B2;
    c->vmwrite_exit_info = m & VMX_MISC_VMWRITE_EXIT_INFO;
    c->zero_length_injection = m & VMX_MISC_ZERO_LEN_INJECTION;
    c->mseg_revision = (uint32_t)(m >> VMX_MISC_MSEG_REVISION_SHIFT);
}

static void decode_ept_vpid(struct vmx_caps *c, uint64_t e)
{
    c->ept_vpid_cap = e;
    c->ept.execute_only = e & VMX_EPT_EXECUTE_ONLY;
    c->ept.walk_4 = e & VMX_EPT_PAGE_WALK_4;
    c->ept.walk_5 = e & VMX_EPT_PAGE_WALK_5;
    c->ept.memtype_uc = e & VMX_EPT_MEMTYPE_UC;
    c->ept.memtype_wb = e & VMX_EPT_MEMTYPE_WB;
    c->ept.pages_2m = e & VMX_EPT_2M_PAGES;
    c->ept.pages_1g = e & VMX_EPT_1G_PAGES;
    c->ept.invept = e & VMX_EPT_INVEPT;
    c->ept.ad_flags = e & VMX_EPT_AD_FLAGS;
    c->ept.advanced_exit_info = e & VMX_EPT_ADVANCED_EXIT_INFO;
    c->ept.supervisor_shadow_stack = e & VMX_EPT_SUPERVISOR_SHADOW_STACK;
    c->ept.invept_single_context = e & VMX_EPT_INVEPT_SINGLE_CONTEXT;
    c->ept.invept_all_context = e & VMX_EPT_INVEPT_ALL_CONTEXT;
    c->vpid.invvpid = e & VMX_VPID_INVVPID;
    c->vpid.individual_address = e & VMX_VPID_INVVPID_INDIVIDUAL_ADDRESS;
    c->vpid.single_context = e & VMX_VPID_INVVPID_SINGLE_CONTEXT;
    c->vpid.all_context = e & VMX_VPID_INVVPID_ALL_CONTEXT;
    c->vpid.single_context_retaining_globals = e & VMX_VPID_INVVPID_SINGLE_CONTEXT_RETAIN_GLOB;
}

int vmx_caps_decode(const struct vmx_msr_values *v, struct vmx_caps *c)
{
    uint64_t x;
    if (!v || !c)
        return VMX_CAPS_EINVAL;
    memset(c, 0, sizeof(*c));
    for (uint32_t id = 0; id < VMX_MSR_ID_COUNT; id++)
        if (vmx_msr_get(v, VMX_MSR_FIRST + id, NULL))
            c->present_mask |= VMX_MSR_PRESENT(id);
    if (!vmx_msr_get(v, IA32_VMX_BASIC, &x))
        return VMX_CAPS_ENOBASIC;
    /* SDM A.1 */
    c->basic = x;
    c->revision_id = (uint32_t)(x & VMX_BASIC_REVISION_MASK);
    c->vmcs_size = (uint32_t)((x >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK);
    c->phys_addr_32bit = x & VMX_BASIC_PHYS_ADDR_32BIT;
    c->dual_monitor_smm = x & VMX_BASIC_DUAL_MONITOR;
    c->vmcs_memory_type = (uint8_t)((x >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK);
    c->ins_outs_info = x & VMX_BASIC_INS_OUTS_INFO;
    c->true_controls = x & VMX_BASIC_TRUE_CTLS;
    c->no_error_code_required = x & VMX_BASIC_NO_ERROR_CODE_REQ;

    for (int i = 0; i < VMX_CTL_COUNT; i++)
        vmx_ctl_get_allowed((enum vmx_ctl)i, v, &c->ctl[i]);
    if (vmx_msr_get(v, IA32_VMX_MISC, &x))
        decode_misc(c, x);
    vmx_msr_get(v, IA32_VMX_CR0_FIXED0, &c->cr0_fixed0); /* SDM A.7 */
    vmx_msr_get(v, IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
    vmx_msr_get(v, IA32_VMX_CR4_FIXED0, &c->cr4_fixed0); /* SDM A.8 */
    vmx_msr_get(v, IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
    if (vmx_msr_get(v, IA32_VMX_VMCS_ENUM, &x)) /* SDM A.9 */
        c->vmcs_max_index =
            (uint16_t)((x >> VMX_VMCS_ENUM_MAX_INDEX_SHIFT) & VMX_VMCS_ENUM_MAX_INDEX_MASK);
    if (vmx_msr_get(v, IA32_VMX_EPT_VPID_CAP, &x))
        decode_ept_vpid(c, x);
    if (vmx_msr_get(v, IA32_VMX_VMFUNC, &x)) { /* SDM A.11 */
        c->vmfunc = x;
        c->eptp_switching = x & VMX_VMFUNC_EPTP_SWITCHING;
    }
    return VMX_CAPS_OK;
}

/* ---- named features ------------------------------------------------------------------------ */

enum feature_src { SRC_CTL, SRC_EPT_VPID, SRC_VMFUNC, SRC_BASIC, SRC_MISC };

struct feature_row {
    const char *name;
    uint8_t src;
    uint8_t ctl;
    uint8_t req; /* 1 + the feature this one needs, or 0 */
    uint64_t mask;
};

#define ROW(n, src, ctl, mask, req) [VMX_FEATURE_##n] = {#n, src, ctl, req, mask}
#define F_PIN(n, m)                 ROW(n, SRC_CTL, VMX_CTL_PIN, PIN_BASED_##m, 0)
#define F_PROC(n, m)                ROW(n, SRC_CTL, VMX_CTL_PROC, PROC_BASED_##m, 0)
#define F_PROC2(n, m)               ROW(n, SRC_CTL, VMX_CTL_PROC2, PROC_BASED2_##m, 0)
#define F_EXIT(n, m)                ROW(n, SRC_CTL, VMX_CTL_EXIT, VM_EXIT_CTL_##m, 0)
#define F_ENTRY(n, m)               ROW(n, SRC_CTL, VMX_CTL_ENTRY, VM_ENTRY_CTL_##m, 0)
#define F_CAP(n, m, r)              ROW(n, SRC_EPT_VPID, 0, m, VMX_FEATURE_##r + 1)

static const struct feature_row features[VMX_FEATURE_COUNT] = {
    F_PIN(VIRTUAL_NMIS, VIRTUAL_NMIS),
    F_PIN(PREEMPTION_TIMER, ACTIVATE_VMX_PREEMPTION_TIMER),
    F_PIN(POSTED_INTERRUPTS, PROCESS_POSTED_INTERRUPTS),
    F_PROC(TSC_OFFSETTING, USE_TSC_OFFSETTING),
    F_PROC(TPR_SHADOW, USE_TPR_SHADOW),
    F_PROC(NMI_WINDOW_EXITING, NMI_WINDOW_EXITING),
    F_PROC(MTF, MONITOR_TRAP_FLAG),
    F_PROC(IO_BITMAPS, USE_IO_BITMAPS),
    F_PROC(MSR_BITMAPS, USE_MSR_BITMAPS),
    F_PROC(SECONDARY_CONTROLS, ACTIVATE_SECONDARY_CONTROLS),
    F_PROC(TERTIARY_CONTROLS, ACTIVATE_TERTIARY_CONTROLS),
    F_PROC2(VIRTUALIZE_APIC_ACCESSES, VIRTUALIZE_APIC_ACCESSES),
    F_PROC2(EPT, ENABLE_EPT),
    F_PROC2(DESCRIPTOR_TABLE_EXITING, DESCRIPTOR_TABLE_EXITING),
    F_PROC2(RDTSCP, ENABLE_RDTSCP),
    F_PROC2(VIRTUALIZE_X2APIC, VIRTUALIZE_X2APIC_MODE),
    F_PROC2(VPID, ENABLE_VPID),
    F_PROC2(WBINVD_EXITING, WBINVD_EXITING),
    F_PROC2(UNRESTRICTED_GUEST, UNRESTRICTED_GUEST),
    F_PROC2(APIC_REGISTER_VIRT, APIC_REGISTER_VIRTUALIZATION),
    F_PROC2(VIRTUAL_INTR_DELIVERY, VIRTUAL_INTERRUPT_DELIVERY),
    F_PROC2(PAUSE_LOOP_EXITING, PAUSE_LOOP_EXITING),
    F_PROC2(INVPCID, ENABLE_INVPCID),
    F_PROC2(VMFUNC, ENABLE_VM_FUNCTIONS),
    F_PROC2(VMCS_SHADOWING, VMCS_SHADOWING),
    F_PROC2(PML, ENABLE_PML),
    F_PROC2(EPT_VE, EPT_VIOLATION_VE),
    F_PROC2(XSAVES, ENABLE_XSAVES_XRSTORS),
    F_PROC2(TSC_SCALING, USE_TSC_SCALING),
    F_EXIT(HOST_ADDRESS_SPACE_SIZE, HOST_ADDRESS_SPACE_SIZE),
    F_EXIT(ACK_INTERRUPT_ON_EXIT, ACKNOWLEDGE_INTERRUPT_ON_EXIT),
    F_EXIT(EXIT_SAVE_PAT, SAVE_IA32_PAT),
    F_EXIT(EXIT_LOAD_PAT, LOAD_IA32_PAT),
    F_EXIT(EXIT_SAVE_EFER, SAVE_IA32_EFER),
    F_EXIT(EXIT_LOAD_EFER, LOAD_IA32_EFER),
    F_EXIT(EXIT_SAVE_PREEMPTION_TIMER, SAVE_VMX_PREEMPTION_TIMER_VALUE),
    F_ENTRY(IA32E_MODE_GUEST, IA32E_MODE_GUEST),
    F_ENTRY(ENTRY_LOAD_PAT, LOAD_IA32_PAT),
    F_ENTRY(ENTRY_LOAD_EFER, LOAD_IA32_EFER),
    F_CAP(EPT_EXECUTE_ONLY, VMX_EPT_EXECUTE_ONLY, EPT),
    F_CAP(EPT_WALK_4, VMX_EPT_PAGE_WALK_4, EPT),
    F_CAP(EPT_WALK_5, VMX_EPT_PAGE_WALK_5, EPT),
    F_CAP(EPT_UC, VMX_EPT_MEMTYPE_UC, EPT),
    F_CAP(EPT_WB, VMX_EPT_MEMTYPE_WB, EPT),
    F_CAP(EPT_2M, VMX_EPT_2M_PAGES, EPT),
    F_CAP(EPT_1G, VMX_EPT_1G_PAGES, EPT),
    F_CAP(EPT_AD, VMX_EPT_AD_FLAGS, EPT),
    F_CAP(EPT_ADVANCED_EXIT_INFO, VMX_EPT_ADVANCED_EXIT_INFO, EPT),
    F_CAP(INVEPT, VMX_EPT_INVEPT, EPT),
    F_CAP(INVEPT_SINGLE_CONTEXT, VMX_EPT_INVEPT_SINGLE_CONTEXT, INVEPT),
    F_CAP(INVEPT_ALL_CONTEXT, VMX_EPT_INVEPT_ALL_CONTEXT, INVEPT),
    F_CAP(INVVPID, VMX_VPID_INVVPID, VPID),
    F_CAP(INVVPID_INDIVIDUAL_ADDRESS, VMX_VPID_INVVPID_INDIVIDUAL_ADDRESS, INVVPID),
    F_CAP(INVVPID_SINGLE_CONTEXT, VMX_VPID_INVVPID_SINGLE_CONTEXT, INVVPID),
    F_CAP(INVVPID_ALL_CONTEXT, VMX_VPID_INVVPID_ALL_CONTEXT, INVVPID),
    F_CAP(INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS, VMX_VPID_INVVPID_SINGLE_CONTEXT_RETAIN_GLOB,
          INVVPID),
    ROW(EPTP_SWITCHING, SRC_VMFUNC, 0, VMX_VMFUNC_EPTP_SWITCHING, VMX_FEATURE_VMFUNC + 1),
    ROW(TRUE_CONTROLS, SRC_BASIC, 0, VMX_BASIC_TRUE_CTLS, 0),
    ROW(INS_OUTS_INFO, SRC_BASIC, 0, VMX_BASIC_INS_OUTS_INFO, 0),
    ROW(STORE_EFER_LMA, SRC_MISC, 0, VMX_MISC_STORE_EFER_LMA, 0),
    ROW(ACTIVITY_HLT, SRC_MISC, 0, VMX_MISC_ACTIVITY_HLT, 0),
    ROW(ACTIVITY_SHUTDOWN, SRC_MISC, 0, VMX_MISC_ACTIVITY_SHUTDOWN, 0),
    ROW(ACTIVITY_WAIT_FOR_SIPI, SRC_MISC, 0, VMX_MISC_ACTIVITY_WAIT_FOR_SIPI, 0),
    ROW(VMWRITE_EXIT_INFO, SRC_MISC, 0, VMX_MISC_VMWRITE_EXIT_INFO, 0),
    ROW(ZERO_LENGTH_INJECTION, SRC_MISC, 0, VMX_MISC_ZERO_LEN_INJECTION, 0),
};

bool vmx_caps_has(const struct vmx_caps *c, enum vmx_feature f)
{
    if (!c || (unsigned)f >= VMX_FEATURE_COUNT)
        return false;
    const struct feature_row *r = &features[f];
    if (r->req && !vmx_caps_has(c, (enum vmx_feature)(r->req - 1)))
        return false;
    switch (r->src) {
    case SRC_CTL:
        return c->ctl[r->ctl].available && (c->ctl[r->ctl].allowed1 & r->mask);
    case SRC_EPT_VPID:
        return c->ept_vpid_cap & r->mask;
    case SRC_VMFUNC:
        return c->vmfunc & r->mask;
    case SRC_BASIC:
        return c->basic & r->mask;
    default:
        return c->misc & r->mask;
    }
}

const char *vmx_feature_name(enum vmx_feature f)
{
    if ((unsigned)f >= VMX_FEATURE_COUNT || !features[f].name)
        return "?";
    return features[f].name;
}

/* ---- report -------------------------------------------------------------------------------- */

struct out {
    void (*emit)(void *ctx, const char *line);
    void *ctx;
};

static void emitf(const struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(const struct out *o, const char *fmt, ...)
{
    char line[192];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    o->emit(o->ctx, line);
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

typedef unsigned long long ull;

static void report_msrs(const struct out *o, const struct vmx_msr_values *v)
{
    for (uint32_t msr = VMX_MSR_FIRST; msr < VMX_MSR_FIRST + VMX_MSR_ID_COUNT; msr++) {
        uint64_t x;
        if (vmx_msr_get(v, msr, &x))
            emitf(o, "MSR %s 0x%x: 0x%016llx", vmx_msr_name(msr), msr, (ull)x);
        else
            emitf(o, "MSR %s 0x%x: %s", vmx_msr_name(msr), msr,
                  vmx_msr_readable(msr, v) ? "not read" : "not available");
    }
}

static void report_basic_misc(const struct out *o, const struct vmx_caps *c)
{
    emitf(o, "BASIC: revision 0x%08x, VMCS size %u, memory type %s(%u), TRUE controls %s",
          c->revision_id, c->vmcs_size, vmx_memory_type_name(c->vmcs_memory_type),
          c->vmcs_memory_type, yes_no(c->true_controls));
    emitf(o,
          "BASIC: 32-bit physical addresses %s, dual-monitor SMM %s, INS/OUTS info %s, "
          "no error code required %s",
          yes_no(c->phys_addr_32bit), yes_no(c->dual_monitor_smm), yes_no(c->ins_outs_info),
          yes_no(c->no_error_code_required));
    if (!(c->present_mask & VMX_MSR_PRESENT(VMX_MSR_ID_MISC))) {
        emitf(o, "MISC: not available");
        return;
    }
    emitf(o, "MISC: preemption timer rate %u (TSC >> %u), store EFER.LMA %s",
          c->preemption_timer_rate, c->preemption_timer_rate, yes_no(c->store_efer_lma));
    emitf(o, "MISC: activity states HLT %s, shutdown %s, wait-for-SIPI %s", yes_no(c->activity_hlt),
          yes_no(c->activity_shutdown), yes_no(c->activity_wait_for_sipi));
    emitf(o, "MISC: CR3 targets %u, max MSR list %u, Intel PT in VMX %s, RDMSR SMBASE in SMM %s",
          c->cr3_target_count, c->max_msr_list, yes_no(c->intel_pt_in_vmx),
          yes_no(c->rdmsr_smbase_in_smm));
    emitf(o,
          "MISC: SMM monitor ctl bit 2 %s, VMWRITE to exit info %s, zero-length injection %s, "
          "MSEG revision 0x%08x",
          yes_no(c->smm_monitor_ctl_b2), yes_no(c->vmwrite_exit_info),
          yes_no(c->zero_length_injection), c->mseg_revision);
}

static void report_fixed_enum(const struct out *o, const struct vmx_caps *c)
{
    emitf(o, "CR0_FIXED0: 0x%016llx (bits that must be 1)", (ull)c->cr0_fixed0);
    emitf(o, "CR0_FIXED1: 0x%016llx (bits that may be 1)", (ull)c->cr0_fixed1);
    emitf(o, "CR4_FIXED0: 0x%016llx (bits that must be 1)", (ull)c->cr4_fixed0);
    emitf(o, "CR4_FIXED1: 0x%016llx (bits that may be 1)", (ull)c->cr4_fixed1);
    emitf(o, "VMCS_ENUM: highest index %u", c->vmcs_max_index);
}

static void report_ept_vpid(const struct out *o, const struct vmx_caps *c)
{
    if (!(c->present_mask & VMX_MSR_PRESENT(VMX_MSR_ID_EPT_VPID_CAP))) {
        emitf(o, "EPT: not available");
        emitf(o, "VPID: not available");
    } else {
        emitf(o,
              "EPT: execute-only %s, page-walk 4 %s, page-walk 5 %s, UC %s, WB %s, 2M pages %s, "
              "1G pages %s",
              yes_no(c->ept.execute_only), yes_no(c->ept.walk_4), yes_no(c->ept.walk_5),
              yes_no(c->ept.memtype_uc), yes_no(c->ept.memtype_wb), yes_no(c->ept.pages_2m),
              yes_no(c->ept.pages_1g));
        emitf(o,
              "EPT: INVEPT %s (single-context %s, all-context %s), A/D flags %s, advanced "
              "exit info %s, supervisor shadow stack %s",
              yes_no(c->ept.invept), yes_no(c->ept.invept_single_context),
              yes_no(c->ept.invept_all_context), yes_no(c->ept.ad_flags),
              yes_no(c->ept.advanced_exit_info), yes_no(c->ept.supervisor_shadow_stack));
        emitf(o,
              "VPID: INVVPID %s (individual-address %s, single-context %s, all-context %s, "
              "single-context-retaining-globals %s)",
              yes_no(c->vpid.invvpid), yes_no(c->vpid.individual_address),
              yes_no(c->vpid.single_context), yes_no(c->vpid.all_context),
              yes_no(c->vpid.single_context_retaining_globals));
    }
    if (!(c->present_mask & VMX_MSR_PRESENT(VMX_MSR_ID_VMFUNC)))
        emitf(o, "VMFUNC: not available");
    else
        emitf(o, "VMFUNC: EPTP switching %s", yes_no(c->eptp_switching));
}

static const char *bit_class(bool must1, bool may1)
{
    if (must1)
        return may1 ? "fixed-1" : "invalid";
    return may1 ? "flexible" : "fixed-0";
}

static void report_ctl(const struct out *o, const struct vmx_caps *c, enum vmx_ctl which)
{
    const struct vmx_ctl_allowed *a = &c->ctl[which];
    const char *field = vmx_ctl_short_name(which);
    if (!a->available) {
        emitf(o, "%s: not available", field);
        return;
    }
    emitf(o, "%s: from %s, must-be-1 0x%08llx, may-be-1 0x%08llx", field, vmx_msr_name(a->msr),
          (ull)a->allowed0, (ull)a->allowed1);
    unsigned nbits = (which == VMX_CTL_PROC3 || which == VMX_CTL_EXIT2) ? 64 : 32;
    uint64_t default1 = vmx_ctl_default1_mask(which);
    for (unsigned bit = 0; bit < nbits; bit++) {
        uint64_t m = 1ULL << bit;
        const char *name = vmx_ctl_bit_name(which, bit);
        bool must1 = a->allowed0 & m, may1 = a->allowed1 & m;
        if (!name && !must1 && !may1)
            continue;
        emitf(o, "%s.%s bit %u: may-be-0 %s, may-be-1 %s, %s%s", field, name ? name : "reserved",
              bit, yes_no(!must1), yes_no(may1), bit_class(must1, may1),
              (default1 & m) ? ", default1" : "");
    }
}

void vmx_caps_report(const struct vmx_msr_values *v, void (*emit_line)(void *ctx, const char *line),
                     void *ctx)
{
    struct vmx_caps c;
    const struct out o = {emit_line, ctx};
    if (!v || !emit_line)
        return;
    report_msrs(&o, v);
    if (vmx_caps_decode(v, &c) != VMX_CAPS_OK) {
        emitf(&o, "BASIC: not available");
        return;
    }
    report_basic_misc(&o, &c);
    report_fixed_enum(&o, &c);
    report_ept_vpid(&o, &c);
    for (int i = 0; i < VMX_CTL_COUNT; i++)
        report_ctl(&o, &c, (enum vmx_ctl)i);
    for (int f = 0; f < VMX_FEATURE_COUNT; f++)
        emitf(&o, "FEATURE %s %s", vmx_feature_name((enum vmx_feature)f),
              yes_no(vmx_caps_has(&c, (enum vmx_feature)f)));
}
