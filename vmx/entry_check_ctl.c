/*
 * vmx/entry_check_ctl.c - VM-entry checks on the VMX controls (pure): SDM 27.2.1.1
 * (VM-execution control fields), 27.2.1.2 (VM-exit control fields), 27.2.1.3 (VM-entry control
 * fields). A failure here is VMfailValid 7.
 */
#include "vmx/entry_check_int.h"
#include "vmx/vmcs_fields.h"

/* Bits of one control field against its capability MSR (SDM appendix A.3-A.5). */
static void check_allowed(struct ec *e, enum vmx_ctl which, uint64_t val, int r1,
                          enum entry_rule r0)
{
    const struct vmx_ctl_allowed *a = &e->caps->ctl[which];
    char names[120];
    uint64_t missing = a->available ? a->allowed0 & ~val : 0;
    uint64_t extra = a->available ? val & ~a->allowed1 : val;
    if (missing && r1 >= 0) {
        vmcs_format_controls(names, sizeof(names), which, missing);
        ec_fail(e, (enum entry_rule)r1, "%s 0x%llx lacks required bits 0x%llx (%s)",
                vmx_ctl_short_name(which), (unsigned long long)val, (unsigned long long)missing,
                names);
    }
    if (extra) {
        vmcs_format_controls(names, sizeof(names), which, extra);
        ec_fail(e, r0, "%s 0x%llx sets bits 0x%llx the processor does not allow (%s)",
                vmx_ctl_short_name(which), (unsigned long long)val, (unsigned long long)extra,
                names);
    }
}

/* A page-aligned physical address of a VMX structure (bitmaps, pages, tables). */
static void check_page_addr(struct ec *e, uint32_t field, const char *what, enum entry_rule align,
                            enum entry_rule width)
{
    uint64_t a = ec_read(e, field);
    if (a & 0xfff)
        ec_fail(e, align, "%s 0x%llx is not 4-KByte aligned", what, (unsigned long long)a);
    if (ec_addr_beyond(e, a))
        ec_fail(e, width, "%s 0x%llx is beyond the physical-address width (%u bits)", what,
                (unsigned long long)a, e->maxphyaddr);
}

/* SDM 27.2.1.1: TPR shadow, virtual-APIC page, TPR threshold and the APIC-virtualization
 * controls that depend on them. */
static void check_apic_virt(struct ec *e)
{
    bool tpr_shadow = e->proc & PROC_BASED_USE_TPR_SHADOW;
    bool vid = e->proc2 & PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY;
    bool apic_acc = e->proc2 & PROC_BASED2_VIRTUALIZE_APIC_ACCESSES;
    if (tpr_shadow) {
        uint64_t vapic = ec_read(e, VIRTUAL_APIC_PAGE_ADDR);
        bool vapic_ok = !(vapic & 0xfff) && !ec_addr_beyond(e, vapic);
        check_page_addr(e, VIRTUAL_APIC_PAGE_ADDR, "virtual-APIC address", ENTRY_RULE_C_VAPIC_ALIGN,
                        ENTRY_RULE_C_VAPIC_WIDTH);
        if (!vid) {
            uint32_t thr = (uint32_t)ec_read(e, TPR_THRESHOLD);
            if (thr & ~0xfu)
                ec_fail(e, ENTRY_RULE_C_TPR_RESERVED, "TPR threshold 0x%x sets bits 31:4", thr);
            if (!apic_acc && vapic_ok) {
                uint64_t q;
                /* VTPR is the byte at offset 0x80 of the virtual-APIC page (SDM 30.1.1) */
                if (!ec_phys(e, vapic + 0x80, &q))
                    ec_skip(e, ENTRY_RULE_C_TPR_VTPR, "VTPR at 0x%llx: no memory reader",
                            (unsigned long long)(vapic + 0x80));
                else if ((thr & 0xf) > ((q >> 4) & 0xf))
                    ec_fail(e, ENTRY_RULE_C_TPR_VTPR,
                            "TPR threshold %u exceeds VTPR[7:4] %u (VTPR 0x%02x)", thr & 0xf,
                            (unsigned)((q >> 4) & 0xf), (unsigned)(q & 0xff));
            }
        }
    } else {
        if (e->proc2 & PROC_BASED2_VIRTUALIZE_X2APIC_MODE)
            ec_fail(e, ENTRY_RULE_C_X2APIC_TPR, "virtualize x2APIC mode without use TPR shadow");
        if (e->proc2 & PROC_BASED2_APIC_REGISTER_VIRTUALIZATION)
            ec_fail(e, ENTRY_RULE_C_APICREG_TPR,
                    "APIC-register virtualization without use TPR shadow");
        if (vid)
            ec_fail(e, ENTRY_RULE_C_VID_TPR, "virtual-interrupt delivery without use TPR shadow");
    }
}

/* SDM 27.2.1.1: the EPTP, against IA32_VMX_EPT_VPID_CAP (SDM A.10, 29.3.1). */
static void check_eptp(struct ec *e)
{
    uint64_t p = ec_read(e, EPT_POINTER);
    unsigned mt = (unsigned)(p & 7), walk = (unsigned)((p >> 3) & 7);
    if (!((mt == 0 && e->caps->ept.memtype_uc) || (mt == 6 && e->caps->ept.memtype_wb)))
        ec_fail(e, ENTRY_RULE_C_EPTP_MEMTYPE, "EPTP 0x%llx: memory type %u is not supported",
                (unsigned long long)p, mt);
    if (!((walk == 3 && e->caps->ept.walk_4) || (walk == 4 && e->caps->ept.walk_5)))
        ec_fail(e, ENTRY_RULE_C_EPTP_WALK, "EPTP 0x%llx: page-walk length %u is not supported",
                (unsigned long long)p, walk + 1);
    if ((p & (1ULL << 6)) && !e->caps->ept.ad_flags)
        ec_fail(e, ENTRY_RULE_C_EPTP_AD, "EPTP 0x%llx enables accessed/dirty flags, unsupported",
                (unsigned long long)p);
    if ((p & (1ULL << 7)) && !e->caps->ept.supervisor_shadow_stack)
        ec_fail(e, ENTRY_RULE_C_EPTP_SSS, "EPTP 0x%llx sets bit 7, unsupported",
                (unsigned long long)p);
    if (p & 0xf00)
        ec_fail(e, ENTRY_RULE_C_EPTP_RESERVED, "EPTP 0x%llx sets reserved bits 11:8",
                (unsigned long long)p);
    if (ec_beyond_width(e, p))
        ec_fail(e, ENTRY_RULE_C_EPTP_WIDTH, "EPTP 0x%llx is beyond the physical-address width",
                (unsigned long long)p);
}

void ec_check_exec(struct ec *e)
{
    /* SDM 27.2.1.1: reserved bits of the execution controls (SDM A.3) */
    check_allowed(e, VMX_CTL_PIN, e->pin, ENTRY_RULE_C_PIN_1, ENTRY_RULE_C_PIN_0);
    check_allowed(e, VMX_CTL_PROC, e->proc, ENTRY_RULE_C_PROC_1, ENTRY_RULE_C_PROC_0);
    if (e->proc & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS)
        check_allowed(e, VMX_CTL_PROC2, e->proc2, ENTRY_RULE_C_PROC2_1, ENTRY_RULE_C_PROC2_0);
    if (e->proc & PROC_BASED_ACTIVATE_TERTIARY_CONTROLS)
        check_allowed(e, VMX_CTL_PROC3, e->proc3, -1, ENTRY_RULE_C_PROC3_0);

    uint32_t cr3n = (uint32_t)ec_read(e, CR3_TARGET_COUNT);
    if (cr3n > e->caps->cr3_target_count)
        ec_fail(e, ENTRY_RULE_C_CR3_COUNT, "CR3-target count %u exceeds %u", cr3n,
                e->caps->cr3_target_count);
    if (e->proc & PROC_BASED_USE_IO_BITMAPS) {
        check_page_addr(e, IO_BITMAP_A, "I/O-bitmap address A", ENTRY_RULE_C_IO_A_ALIGN,
                        ENTRY_RULE_C_IO_A_WIDTH);
        check_page_addr(e, IO_BITMAP_B, "I/O-bitmap address B", ENTRY_RULE_C_IO_B_ALIGN,
                        ENTRY_RULE_C_IO_B_WIDTH);
    }
    if (e->proc & PROC_BASED_USE_MSR_BITMAPS)
        check_page_addr(e, MSR_BITMAP, "MSR-bitmap address", ENTRY_RULE_C_MSR_BM_ALIGN,
                        ENTRY_RULE_C_MSR_BM_WIDTH);
    check_apic_virt(e);

    /* SDM 27.2.1.1: NMI controls */
    if ((e->pin & PIN_BASED_VIRTUAL_NMIS) && !(e->pin & PIN_BASED_NMI_EXITING))
        ec_fail(e, ENTRY_RULE_C_VNMI_NMI, "virtual NMIs without NMI exiting (pin 0x%x)", e->pin);
    if ((e->proc & PROC_BASED_NMI_WINDOW_EXITING) && !(e->pin & PIN_BASED_VIRTUAL_NMIS))
        ec_fail(e, ENTRY_RULE_C_NMIWIN_VNMI, "NMI-window exiting without virtual NMIs (pin 0x%x)",
                e->pin);

    if (e->proc2 & PROC_BASED2_VIRTUALIZE_APIC_ACCESSES) {
        check_page_addr(e, APIC_ACCESS_ADDR, "APIC-access address", ENTRY_RULE_C_APIC_ACC_ALIGN,
                        ENTRY_RULE_C_APIC_ACC_WIDTH);
        if (e->proc2 & PROC_BASED2_VIRTUALIZE_X2APIC_MODE)
            ec_fail(e, ENTRY_RULE_C_X2APIC_APIC_ACC,
                    "virtualize x2APIC mode together with virtualize APIC accesses");
    }
    if ((e->proc2 & PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY) &&
        !(e->pin & PIN_BASED_EXTERNAL_INTERRUPT_EXITING))
        ec_fail(e, ENTRY_RULE_C_VID_EXTINT,
                "virtual-interrupt delivery without external-interrupt exiting");

    /* SDM 27.2.1.1: posted interrupts */
    if (e->pin & PIN_BASED_PROCESS_POSTED_INTERRUPTS) {
        if (!(e->proc2 & PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY))
            ec_fail(e, ENTRY_RULE_C_PI_VID, "posted interrupts without virtual-interrupt delivery");
        if (!(e->exit & VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT))
            ec_fail(e, ENTRY_RULE_C_PI_ACK,
                    "posted interrupts without acknowledge interrupt on exit");
        uint32_t nv = (uint32_t)ec_read(e, POSTED_INTR_NV);
        if (nv & 0xff00)
            ec_fail(e, ENTRY_RULE_C_PI_VECTOR, "notification vector 0x%x sets bits 15:8", nv);
        uint64_t d = ec_read(e, POSTED_INTR_DESC_ADDR);
        if (d & 0x3f)
            ec_fail(e, ENTRY_RULE_C_PI_DESC_ALIGN,
                    "posted-interrupt descriptor address 0x%llx is not 64-byte aligned",
                    (unsigned long long)d);
        if (ec_addr_beyond(e, d))
            ec_fail(e, ENTRY_RULE_C_PI_DESC_WIDTH,
                    "posted-interrupt descriptor address 0x%llx is beyond the width",
                    (unsigned long long)d);
    }

    if ((e->proc2 & PROC_BASED2_ENABLE_VPID) && (ec_read(e, VIRTUAL_PROCESSOR_ID) & 0xffff) == 0)
        ec_fail(e, ENTRY_RULE_C_VPID_ZERO, "enable VPID with VPID 0");
    if (e->ept)
        check_eptp(e);
    if (e->proc2 & PROC_BASED2_ENABLE_PML) {
        if (!e->ept)
            ec_fail(e, ENTRY_RULE_C_PML_EPT, "enable PML without enable EPT");
        check_page_addr(e, PML_ADDRESS, "PML address", ENTRY_RULE_C_PML_ALIGN,
                        ENTRY_RULE_C_PML_WIDTH);
    }
    if (e->ug && !e->ept)
        ec_fail(e, ENTRY_RULE_C_UG_EPT, "unrestricted guest without enable EPT");
    if ((e->proc2 & PROC_BASED2_MODE_BASED_EXECUTE_CONTROL) && !e->ept)
        ec_fail(e, ENTRY_RULE_C_MBEC_EPT, "mode-based execute control without enable EPT");
    if (e->proc2 & PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS) {
        if (!e->ept)
            ec_fail(e, ENTRY_RULE_C_SPP_EPT, "sub-page write permissions without enable EPT");
        check_page_addr(e, SPP_TABLE_POINTER, "SPP-table pointer", ENTRY_RULE_C_SPPTP_ALIGN,
                        ENTRY_RULE_C_SPPTP_WIDTH);
    }

    /* SDM 27.2.1.1: VM-function controls (only when enabled) */
    if (e->proc2 & PROC_BASED2_ENABLE_VM_FUNCTIONS) {
        if (e->vmfunc & ~e->caps->vmfunc)
            ec_fail(e, ENTRY_RULE_C_VMFUNC_RESERVED,
                    "VM-function controls 0x%llx set bits 0x%llx IA32_VMX_VMFUNC does not allow",
                    (unsigned long long)e->vmfunc,
                    (unsigned long long)(e->vmfunc & ~e->caps->vmfunc));
        if (e->vmfunc & VMX_VMFUNC_EPTP_SWITCHING) {
            if (!e->ept)
                ec_fail(e, ENTRY_RULE_C_EPTP_SW_EPT, "EPTP switching without enable EPT");
            check_page_addr(e, EPTP_LIST_ADDRESS, "EPTP-list address", ENTRY_RULE_C_EPTP_LIST_ALIGN,
                            ENTRY_RULE_C_EPTP_LIST_WIDTH);
        }
    }
    if (e->proc2 & PROC_BASED2_VMCS_SHADOWING) {
        check_page_addr(e, VMREAD_BITMAP, "VMREAD-bitmap address", ENTRY_RULE_C_VMREAD_ALIGN,
                        ENTRY_RULE_C_VMREAD_WIDTH);
        check_page_addr(e, VMWRITE_BITMAP, "VMWRITE-bitmap address", ENTRY_RULE_C_VMWRITE_ALIGN,
                        ENTRY_RULE_C_VMWRITE_WIDTH);
    }
    if (e->proc2 & PROC_BASED2_EPT_VIOLATION_VE)
        check_page_addr(e, VE_INFORMATION_ADDRESS, "#VE information address", ENTRY_RULE_C_VE_ALIGN,
                        ENTRY_RULE_C_VE_WIDTH);
}

/* An MSR area of count 16-byte entries (SDM 27.2.1.2, 27.2.1.3). */
static void check_msr_area(struct ec *e, uint32_t count_field, uint32_t addr_field,
                           const char *what, enum entry_rule align, enum entry_rule width,
                           enum entry_rule end)
{
    uint32_t count = (uint32_t)ec_read(e, count_field);
    if (count == 0)
        return;
    uint64_t a = ec_read(e, addr_field);
    uint64_t last = a + 16ULL * count - 1; /* computed with more bits than MAXPHYADDR */
    if (a & 0xf)
        ec_fail(e, align, "%s address 0x%llx is not 16-byte aligned", what, (unsigned long long)a);
    if (ec_addr_beyond(e, a))
        ec_fail(e, width, "%s address 0x%llx is beyond the physical-address width", what,
                (unsigned long long)a);
    else if (ec_addr_beyond(e, last) || last < a)
        ec_fail(e, end, "%s area of %u entries at 0x%llx ends at 0x%llx, beyond the width", what,
                count, (unsigned long long)a, (unsigned long long)last);
}

/* SDM 27.2.1.3: the VM-entry interruption-information field and its companions. */
static void check_injection(struct ec *e)
{
    uint32_t info = e->intr_info, type = e->itype, vec = e->ivector;
    if (!e->inject)
        return;
    if (info & 0x7ffff000u)
        ec_fail(e, ENTRY_RULE_C_INTR_RESERVED, "interruption information 0x%08x sets bits 30:12",
                info);
    bool mtf = e->caps->ctl[VMX_CTL_PROC].allowed1 & PROC_BASED_MONITOR_TRAP_FLAG;
    if (type == 1 || (type == EC_TYPE_OTHER && !mtf))
        ec_fail(e, ENTRY_RULE_C_INTR_TYPE, "interruption type %u (%s)%s", type,
                vmcs_intr_type_name(type), type == 1 ? "" : " without monitor trap flag support");
    if (type == EC_TYPE_NMI && vec != 2)
        ec_fail(e, ENTRY_RULE_C_INTR_NMI_VEC, "NMI injected with vector %u", vec);
    if (type == EC_TYPE_HW_EXCEPTION && vec > 31)
        ec_fail(e, ENTRY_RULE_C_INTR_EXC_VEC, "hardware exception with vector %u", vec);
    if (type == EC_TYPE_OTHER && mtf && vec != 0)
        ec_fail(e, ENTRY_RULE_C_INTR_OTHER_VEC, "other event with vector %u", vec);

    /* deliver-error-code: a hardware exception that pushes one, into a guest with CR0.PE=1.
     * Older SDM editions word condition (2) "unrestricted guest is 0 or CR0.PE is 1", and
     * Bochs checks it so; it differs from "CR0.PE is 1" only for a CR0 that fails
     * guest.cr0.must_be_1 anyway, and the checker follows the older wording. */
    bool hw = type == EC_TYPE_HW_EXCEPTION;
    bool pm = !e->ug || (e->cr0 & EC_CR0_PE);
    bool any_vector = e->caps->no_error_code_required; /* IA32_VMX_BASIC[56] */
    bool has_ec = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
    bool dec = info & EC_INTR_DELIVER_EC;
    if (!dec && hw && pm && !any_vector && has_ec)
        ec_fail(e, ENTRY_RULE_C_INTR_EC_MISSING, "%s (vector %u) injected without its error code",
                vmcs_exception_name(vec), vec);
    if (dec && (!hw || !pm || (!any_vector && !has_ec && vec < 32)))
        ec_fail(e, ENTRY_RULE_C_INTR_EC_UNEXPECTED, "deliver-error-code set for %s vector %u%s",
                vmcs_intr_type_name(type), vec, !pm ? " in a guest with CR0.PE=0" : "");
    if (dec) {
        uint32_t ecode = (uint32_t)ec_read(e, VM_ENTRY_EXCEPTION_ERROR_CODE);
        if (ecode & 0xffff0000u)
            ec_fail(e, ENTRY_RULE_C_INTR_EC_RESERVED, "error code 0x%08x sets bits 31:16", ecode);
    }
    if (type == EC_TYPE_SW_INTR || type == EC_TYPE_PRIV_SW_EXC || type == EC_TYPE_SW_EXCEPTION) {
        uint32_t len = (uint32_t)ec_read(e, VM_ENTRY_INSTRUCTION_LEN);
        if (len > 15)
            ec_fail(e, ENTRY_RULE_C_INTR_LEN_MAX, "instruction length %u exceeds 15", len);
        if (len == 0 && !e->caps->zero_length_injection)
            ec_fail(e, ENTRY_RULE_C_INTR_LEN_ZERO,
                    "instruction length 0 while IA32_VMX_MISC[30] is 0");
    }
}

void ec_check_exit_entry(struct ec *e)
{
    /* SDM 27.2.1.2: VM-exit control fields */
    check_allowed(e, VMX_CTL_EXIT, e->exit, ENTRY_RULE_C_EXIT_1, ENTRY_RULE_C_EXIT_0);
    if (e->exit & VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS)
        check_allowed(e, VMX_CTL_EXIT2, e->exit2, -1, ENTRY_RULE_C_EXIT2_0);
    if ((e->exit & VM_EXIT_CTL_SAVE_VMX_PREEMPTION_TIMER_VALUE) &&
        !(e->pin & PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER))
        ec_fail(e, ENTRY_RULE_C_EXIT_TIMER,
                "save VMX-preemption timer value without activate VMX-preemption timer");
    check_msr_area(e, VM_EXIT_MSR_STORE_COUNT, VM_EXIT_MSR_STORE_ADDR, "VM-exit MSR-store",
                   ENTRY_RULE_C_EXIT_STORE_ALIGN, ENTRY_RULE_C_EXIT_STORE_WIDTH,
                   ENTRY_RULE_C_EXIT_STORE_END);
    check_msr_area(e, VM_EXIT_MSR_LOAD_COUNT, VM_EXIT_MSR_LOAD_ADDR, "VM-exit MSR-load",
                   ENTRY_RULE_C_EXIT_LOAD_ALIGN, ENTRY_RULE_C_EXIT_LOAD_WIDTH,
                   ENTRY_RULE_C_EXIT_LOAD_END);

    /* SDM 27.2.1.3: VM-entry control fields */
    check_allowed(e, VMX_CTL_ENTRY, e->entry, ENTRY_RULE_C_ENTRY_1, ENTRY_RULE_C_ENTRY_0);
    bool to_smm = e->entry & VM_ENTRY_CTL_ENTRY_TO_SMM;
    bool dual = e->entry & VM_ENTRY_CTL_DEACTIVATE_DUAL_MONITOR_TREATMENT;
    if (!e->env->in_smm && to_smm)
        ec_fail(e, ENTRY_RULE_C_ENTRY_SMM, "entry to SMM outside SMM");
    if (!e->env->in_smm && dual)
        ec_fail(e, ENTRY_RULE_C_ENTRY_DUAL, "deactivate dual-monitor treatment outside SMM");
    if (to_smm && dual)
        ec_fail(e, ENTRY_RULE_C_ENTRY_SMM_DUAL,
                "entry to SMM together with deactivate dual-monitor treatment");
    check_injection(e);
    check_msr_area(e, VM_ENTRY_MSR_LOAD_COUNT, VM_ENTRY_MSR_LOAD_ADDR, "VM-entry MSR-load",
                   ENTRY_RULE_C_ENTRY_LOAD_ALIGN, ENTRY_RULE_C_ENTRY_LOAD_WIDTH,
                   ENTRY_RULE_C_ENTRY_LOAD_END);
}
