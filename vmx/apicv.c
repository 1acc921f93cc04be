/*
 * vmx/apicv.c - APIC virtualization in the VMCS (see apicv.h): set-up, the step before each
 * entry, and the exits TPR below threshold (43), APIC access (44), virtualized EOI (45) and
 * APIC write (56). The local APIC model stays the single source of truth: the CPU writes the
 * page (VTPR, VIRR, VISR, VPPR, the registers of APIC writes), the model reads it there.
 */
#include "platform/console.h"
#include "platform/mem.h"
#include "vmx/apicv.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"

static void set_proc2(struct vcpu *v, bool x2apic)
{
    uint64_t proc2 = vmcs_read(SECONDARY_VM_EXEC_CONTROL) & ~(uint64_t)APICV_PROC2_ALL;
    vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2 | apicv_proc2(&v->apicv.plan, x2apic));
    /* SDM 30.5: the x2APIC MSRs reach the page only under "virtualize x2APIC mode" */
    apicv_msr_bitmap_update(phys_to_virt(v->msr_bitmap), &v->apicv.plan, x2apic);
    v->apicv.x2apic = x2apic;
}

void apicv_vcpu_setup(struct vcpu *v)
{
    struct vcpu_apicv *a = &v->apicv;
    if (!a->plan.tpr_shadow || !a->virtual_apic)
        return;
    /* SDM 25.6.8: the virtual-APIC page address (4 KiB aligned) with "use TPR shadow" */
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
               vmcs_read(CPU_BASED_VM_EXEC_CONTROL) | apicv_proc(&a->plan));
    vmcs_write(VIRTUAL_APIC_PAGE_ADDR, a->virtual_apic);
    vmcs_write(TPR_THRESHOLD, 0);
    if (a->plan.apic_access && a->apic_access)
        vmcs_write(APIC_ACCESS_ADDR, a->apic_access);
    else
        a->plan.apic_access = false;
    if (a->plan.vid) { /* SDM 25.6.8, 25.4.2 */
        vmcs_write(EOI_EXIT_BITMAP0, 0);
        vmcs_write(EOI_EXIT_BITMAP1, 0);
        vmcs_write(EOI_EXIT_BITMAP2, 0);
        vmcs_write(EOI_EXIT_BITMAP3, 0);
        vmcs_write(GUEST_INTR_STATUS, 0);
    }
    for (int i = 0; i < 4; i++)
        a->eoi_exit[i] = 0;
    set_proc2(v, v->ops && v->ops->apic_x2apic && v->ops->apic_x2apic(v));
}

void apicv_prepare_entry(struct vcpu *v)
{
    struct vcpu_apicv *a = &v->apicv;
    if (!a->virtual_apic || !v->ops)
        return;
    const uint32_t *page = phys_to_virt(a->virtual_apic);
    /* IA32_APIC_BASE.EXTD changed: the other virtualization of the two (SDM 27.2.1.1) */
    bool x2apic = v->ops->apic_x2apic && v->ops->apic_x2apic(v);
    if (x2apic != a->x2apic)
        set_proc2(v, x2apic);
    if (!a->plan.vid) {
        /* SDM 30.1.2: an exit when the guest lowers VTPR below the held-back vector's class */
        vmcs_write(TPR_THRESHOLD, apicv_tpr_threshold(page));
        return;
    }
    /* The model may have set VIRR bits (devices, IPIs, the timer) or changed VISR: RVI and
     * SVI follow the page (SDM 30.1.1); the entry then evaluates pending virtual
     * interrupts (SDM 27.3.2.5, 30.2.1). */
    vmcs_write(GUEST_INTR_STATUS, apicv_guest_intr_status(page));
    uint64_t eoi[4] = {0};
    if (v->ops->apic_eoi_exit_bitmap)
        v->ops->apic_eoi_exit_bitmap(v, eoi);
    for (unsigned i = 0; i < 4; i++)
        if (eoi[i] != a->eoi_exit[i]) {
            vmcs_write(EOI_EXIT_BITMAP0 + 2 * i, eoi[i]); /* 64-bit fields 0x201C.. (B.2.1) */
            a->eoi_exit[i] = eoi[i];
        }
    /* A halted guest with a virtual interrupt it can take wakes: the entry delivers it to
     * the active guest (SDM 30.2.1), as the interrupt ends its HLT. It may have been put in
     * the HLT activity state by an earlier entry (event_inject.c): look at the VMCS. */
    bool hlt = v->halted || vmcs_read(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT;
    if (hlt && (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) && apicv_vid_pending(page)) {
        v->halted = false;
        vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    }
}

/* Exit 43 (SDM 30.1.2): trap-like, after the instruction that lowered VTPR; the interrupt
 * it let through is injected by the step before the entry. */
enum exit_action exit_tpr_below_threshold(struct vcpu *v)
{
    v->apicv.tpr_threshold_exits++;
    v->attention = true;
    return EXIT_RESUME;
}

/* Exit 44 (SDM 30.4.4, qualification 28.2.1 table 28-6): a linear read or write of a register
 * the CPU does not virtualize is emulated by the MMIO path at the xAPIC address, which
 * decodes the instruction and hands the access to the model. */
enum exit_action exit_apic_access(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    struct apicv_access acc = apicv_decode_access(q);
    v->exit_qualification = q;
    v->apicv.apic_access_exits++;
    bool data = acc.type == APICV_ACCESS_LINEAR_READ || acc.type == APICV_ACCESS_LINEAR_WRITE;
    if (acc.valid && data && v->ops && v->ops->ept_violation)
        return v->ops->ept_violation(v, APICV_XAPIC_GPA + acc.offset, 0);
    char what[128];
    apicv_access_format(&acc, what, sizeof(what));
    return vcpu_stop(v, VCPU_STOP_UNHANDLED,
                     "APIC access (qualification 0x%lx: %s) at RIP 0x%lx is not emulated", q, what,
                     v->guest_rip);
}

/* Exit 45 (SDM 30.1.4): EOI virtualization cleared the VISR bit of a vector set in the
 * EOI-exit bitmap; the model does the rest (EOI broadcast, LINT remote IRR). Trap-like. */
enum exit_action exit_virtualized_eoi(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    v->apicv.eoi_exits++;
    if (v->ops && v->ops->apic_eoi)
        v->ops->apic_eoi(v, apicv_eoi_vector(q));
    v->attention = true;
    return EXIT_RESUME;
}

/* Exit 56 (SDM 30.4.3.3): the CPU wrote the page at the offset; the model reacts to the
 * value (ICR sends, LVT, timer, SVR...). Trap-like: RIP is past the instruction. */
enum exit_action exit_apic_write(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    v->apicv.apic_write_exits++;
    if (v->ops && v->ops->apic_write)
        v->ops->apic_write(v, apicv_write_offset(q));
    v->attention = true;
    return EXIT_RESUME;
}
