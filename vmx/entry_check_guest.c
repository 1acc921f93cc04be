/*
 * vmx/entry_check_guest.c - VM-entry checks on the guest-state area except the segment
 * registers (pure): SDM 27.3.1.1 (control registers, debug registers, MSRs), 27.3.1.4 (RIP and
 * RFLAGS), 27.3.1.5 (non-register state), 27.3.1.6 (PDPTEs). A failure here is a VM exit with
 * reason 33 (invalid guest state), the exit qualification as SDM 27.8 gives it.
 */
#include "vmx/entry_check_int.h"
#include "vmx/vmcs_fields.h"

#define RFLAGS_RESERVED  0xffffffffffc08028ULL /* bits 63:22, 15, 5, 3 (SDM 27.3.1.4) */
#define PDE_RESERVED     0xfffffffffffeaff0ULL /* bits 63:17, 15, 13, 11:4 (SDM 27.3.1.5) */
#define PDE_BS           (1ULL << 14)
#define PDE_ENABLED_BP   (1ULL << 12)
#define PDE_RTM          (1ULL << 16)
#define DEBUGCTL_BTF     (1ULL << 1)
#define BNDCFGS_RESERVED 0xffcULL /* bits 11:2 */

static void check_canonical(struct ec *e, uint32_t field, const char *what, enum entry_rule r)
{
    uint64_t v = ec_read(e, field);
    if (!ec_canonical(e, v))
        ec_fail(e, r, "%s 0x%llx is not canonical", what, (unsigned long long)v);
}

/* SDM 27.3.1.1 */
static void check_msrs(struct ec *e)
{
    if (e->entry & VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL) {
        uint64_t v = ec_read(e, GUEST_IA32_PERF_GLOBAL_CTRL);
        uint64_t ok = e->env->perf_global_ctrl_allowed;
        if (!ok)
            ec_skip(e, ENTRY_RULE_G_PERF_GLOBAL,
                    "guest IA32_PERF_GLOBAL_CTRL 0x%llx: reserved bits unknown "
                    "(perf_global_ctrl_allowed not given)",
                    (unsigned long long)v);
        else if (v & ~ok)
            ec_fail(e, ENTRY_RULE_G_PERF_GLOBAL,
                    "guest IA32_PERF_GLOBAL_CTRL 0x%llx sets reserved bits 0x%llx",
                    (unsigned long long)v, (unsigned long long)(v & ~ok));
    }
    if (e->entry & VM_ENTRY_CTL_LOAD_IA32_PAT) {
        uint64_t pat = ec_read(e, GUEST_IA32_PAT);
        unsigned b;
        if (!ec_pat_valid(pat, &b))
            ec_fail(e, ENTRY_RULE_G_PAT, "guest IA32_PAT 0x%016llx: byte %u is type %u",
                    (unsigned long long)pat, b, (unsigned)(pat >> (8 * b)) & 0xff);
    }
    if (e->entry & VM_ENTRY_CTL_LOAD_IA32_EFER) {
        uint64_t efer = ec_read(e, GUEST_IA32_EFER);
        uint64_t ok = e->env->efer_allowed ? e->env->efer_allowed : EC_EFER_DEFAULT_ALLOWED;
        bool lma = efer & EC_EFER_LMA, lme = efer & EC_EFER_LME;
        if (efer & ~ok)
            ec_fail(e, ENTRY_RULE_G_EFER_RESERVED,
                    "guest IA32_EFER 0x%llx sets reserved bits 0x%llx", (unsigned long long)efer,
                    (unsigned long long)(efer & ~ok));
        if (lma != e->ia32e_guest)
            ec_fail(e, ENTRY_RULE_G_EFER_LMA, "guest IA32_EFER.LMA is %u, IA-32e mode guest is %u",
                    lma ? 1 : 0, e->ia32e_guest ? 1 : 0);
        if ((e->cr0 & EC_CR0_PG) && lme != lma)
            ec_fail(e, ENTRY_RULE_G_EFER_LME, "guest IA32_EFER.LME is %u but LMA is %u (CR0.PG=1)",
                    lme ? 1 : 0, lma ? 1 : 0);
    }
    if (e->entry & VM_ENTRY_CTL_LOAD_IA32_BNDCFGS) {
        uint64_t b = ec_read(e, GUEST_BNDCFGS);
        if (b & BNDCFGS_RESERVED)
            ec_fail(e, ENTRY_RULE_G_BNDCFGS_RESERVED, "guest IA32_BNDCFGS 0x%llx sets bits 11:2",
                    (unsigned long long)b);
        if (!ec_canonical(e, b & ~0xfffULL))
            ec_fail(e, ENTRY_RULE_G_BNDCFGS_CANON,
                    "guest IA32_BNDCFGS base 0x%llx is not canonical",
                    (unsigned long long)(b & ~0xfffULL));
    }
    if (e->entry & VM_ENTRY_CTL_LOAD_PKRS) {
        uint64_t pkrs = ec_read(e, GUEST_IA32_PKRS);
        if (pkrs >> 32)
            ec_fail(e, ENTRY_RULE_G_PKRS, "guest IA32_PKRS 0x%llx sets bits 63:32",
                    (unsigned long long)pkrs);
    }
}

void ec_check_guest_regs(struct ec *e)
{
    const struct vmx_caps *c = e->caps;
    uint64_t cr0 = e->cr0, cr4 = e->cr4;
    /* SDM 27.3.1.1: with unrestricted guest, PE and PG are not checked against FIXED0; NW and
     * CD are never checked (VM entry does not change them) */
    uint64_t exempt = (e->ug ? VMX_CR0_UNRESTRICTED_EXEMPT : 0) | EC_CR0_NW | EC_CR0_CD;
    ec_check_fixed_cr(e, "guest CR0", cr0, c->cr0_fixed0, c->cr0_fixed1, exempt, ENTRY_RULE_G_CR0_1,
                      ENTRY_RULE_G_CR0_0);
    /* reported only where FIXED0 does not already demand PE */
    if ((cr0 & EC_CR0_PG) && !(cr0 & EC_CR0_PE) && !(c->cr0_fixed0 & ~exempt & EC_CR0_PE))
        ec_fail(e, ENTRY_RULE_G_CR0_PG_PE, "guest CR0 0x%llx sets PG without PE",
                (unsigned long long)cr0);
    ec_check_fixed_cr(e, "guest CR4", cr4, c->cr4_fixed0, c->cr4_fixed1, 0, ENTRY_RULE_G_CR4_1,
                      ENTRY_RULE_G_CR4_0);
    if ((cr4 & EC_CR4_CET) && !(cr0 & EC_CR0_WP))
        ec_fail(e, ENTRY_RULE_G_CET_WP, "guest CR4.CET=1 with CR0.WP=0");
    if (e->entry & VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS) {
        uint64_t ok =
            e->env->debugctl_allowed ? e->env->debugctl_allowed : EC_DEBUGCTL_DEFAULT_ALLOWED;
        if (e->debugctl & ~ok)
            ec_fail(e, ENTRY_RULE_G_DEBUGCTL,
                    "guest IA32_DEBUGCTL 0x%llx sets reserved bits 0x%llx",
                    (unsigned long long)e->debugctl, (unsigned long long)(e->debugctl & ~ok));
    }
    if (e->ia32e_guest) {
        if (!(cr0 & EC_CR0_PG))
            ec_fail(e, ENTRY_RULE_G_IA32E_PG, "IA-32e mode guest with CR0.PG=0 (CR0 0x%llx)",
                    (unsigned long long)cr0);
        if (!(cr4 & EC_CR4_PAE))
            ec_fail(e, ENTRY_RULE_G_IA32E_PAE, "IA-32e mode guest with CR4.PAE=0 (CR4 0x%llx)",
                    (unsigned long long)cr4);
    } else if (cr4 & EC_CR4_PCIDE) {
        ec_fail(e, ENTRY_RULE_G_PCIDE, "CR4.PCIDE=1 without IA-32e mode guest");
    }
    uint64_t cr3 = ec_read(e, GUEST_CR3);
    if (ec_beyond_width(e, cr3))
        ec_fail(e, ENTRY_RULE_G_CR3_WIDTH, "guest CR3 0x%llx is beyond the physical-address width",
                (unsigned long long)cr3);
    if (e->entry & VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS) {
        uint64_t dr7 = ec_read(e, GUEST_DR7);
        if (dr7 >> 32)
            ec_fail(e, ENTRY_RULE_G_DR7, "guest DR7 0x%llx sets bits 63:32",
                    (unsigned long long)dr7);
    }
    check_canonical(e, GUEST_SYSENTER_ESP, "guest IA32_SYSENTER_ESP", ENTRY_RULE_G_SYSENTER_ESP);
    check_canonical(e, GUEST_SYSENTER_EIP, "guest IA32_SYSENTER_EIP", ENTRY_RULE_G_SYSENTER_EIP);
    check_msrs(e);
}

/* SDM 27.3.1.4 */
static void check_rip_rflags(struct ec *e)
{
    uint64_t rip = ec_read(e, GUEST_RIP), rf = e->rflags;
    bool long64 = e->ia32e_guest && (e->seg[EC_CS].ar & EC_AR_L);
    if (!long64 && (rip >> 32))
        ec_fail(e, ENTRY_RULE_G_RIP_HIGH, "RIP 0x%llx above 4 GiB outside 64-bit mode",
                (unsigned long long)rip);
    if (long64 && !ec_canonical(e, rip))
        ec_fail(e, ENTRY_RULE_G_RIP_CANON, "RIP 0x%llx is not canonical", (unsigned long long)rip);
    if (rf & RFLAGS_RESERVED)
        ec_fail(e, ENTRY_RULE_G_RFLAGS_RESERVED, "RFLAGS 0x%llx sets reserved bits 0x%llx",
                (unsigned long long)rf, (unsigned long long)(rf & RFLAGS_RESERVED));
    if (!(rf & 2))
        ec_fail(e, ENTRY_RULE_G_RFLAGS_BIT1, "RFLAGS 0x%llx has bit 1 clear",
                (unsigned long long)rf);
    if ((rf & EC_RFLAGS_VM) && (e->ia32e_guest || !(e->cr0 & EC_CR0_PE)))
        ec_fail(e, ENTRY_RULE_G_RFLAGS_VM, "RFLAGS.VM=1 with %s",
                e->ia32e_guest ? "IA-32e mode guest" : "CR0.PE=0");
    if (e->inject && e->itype == EC_TYPE_EXT_INTR && !(rf & EC_RFLAGS_IF))
        ec_fail(e, ENTRY_RULE_G_RFLAGS_IF, "external interrupt %u injected with RFLAGS.IF=0",
                e->ivector);
}

/* SDM 27.3.1.5: may an event of this type and vector be injected in the activity state? */
static bool injection_allowed(unsigned act, unsigned type, unsigned vec)
{
    switch (act) {
    case EC_ACT_HLT:
        return type == EC_TYPE_EXT_INTR || type == EC_TYPE_NMI ||
               (type == EC_TYPE_HW_EXCEPTION && (vec == 1 || vec == 18)) ||
               (type == EC_TYPE_OTHER && vec == 0);
    case EC_ACT_SHUTDOWN:
        return type == EC_TYPE_NMI || (type == EC_TYPE_HW_EXCEPTION && vec == 18);
    case EC_ACT_SIPI:
        return false;
    default:
        return true;
    }
}

/* SDM 27.3.1.5: activity and interruptibility state */
static void check_activity_intr(struct ec *e)
{
    unsigned act = e->activity, ib = e->interruptibility;
    bool to_smm = e->entry & VM_ENTRY_CTL_ENTRY_TO_SMM;
    bool nmi = e->inject && e->itype == EC_TYPE_NMI;
    static const char *const act_name[] = {"active", "HLT", "shutdown", "wait-for-SIPI"};
    const bool supported[] = {true, e->caps->activity_hlt, e->caps->activity_shutdown,
                              e->caps->activity_wait_for_sipi};
    if (act > EC_ACT_SIPI)
        ec_fail(e, ENTRY_RULE_G_ACT_RESERVED, "activity state %u is reserved", act);
    else if (!supported[act])
        ec_fail(e, ENTRY_RULE_G_ACT_UNSUPPORTED, "activity state %u (%s) is not supported", act,
                act_name[act]);
    if (act == EC_ACT_HLT && EC_AR_DPL(e->seg[EC_SS].ar) != 0)
        ec_fail(e, ENTRY_RULE_G_ACT_HLT_DPL, "HLT activity state with SS.DPL %u",
                EC_AR_DPL(e->seg[EC_SS].ar));
    if ((ib & (EC_BLOCK_STI | EC_BLOCK_MOV_SS)) && act != EC_ACT_ACTIVE)
        ec_fail(e, ENTRY_RULE_G_ACT_BLOCKING,
                "activity state %u with blocking by STI/MOV SS (interruptibility 0x%x)", act, ib);
    if (e->inject && act <= EC_ACT_SIPI && !injection_allowed(act, e->itype, e->ivector))
        ec_fail(e, ENTRY_RULE_G_ACT_INJECT, "%s vector %u injected into the %s state",
                vmcs_intr_type_name(e->itype), e->ivector, act_name[act]);
    if (to_smm && act == EC_ACT_SIPI)
        ec_fail(e, ENTRY_RULE_G_ACT_SIPI_SMM, "entry to SMM with the wait-for-SIPI state");

    if (ib & ~0x1fu)
        ec_fail(e, ENTRY_RULE_G_INTR_RESERVED, "interruptibility state 0x%x sets bits 31:5", ib);
    if ((ib & EC_ENCLAVE_INTR) && (!e->env->sgx || (ib & EC_BLOCK_MOV_SS)))
        ec_fail(e, ENTRY_RULE_G_INTR_ENCLAVE, "enclave interruption set (interruptibility 0x%x)%s",
                ib, e->env->sgx ? " with blocking by MOV SS" : " without SGX");
    if ((ib & EC_BLOCK_STI) && (ib & EC_BLOCK_MOV_SS))
        ec_fail(e, ENTRY_RULE_G_INTR_STI_MOVSS, "blocking by STI and by MOV SS (0x%x)", ib);
    if ((ib & EC_BLOCK_STI) && !(e->rflags & EC_RFLAGS_IF))
        ec_fail(e, ENTRY_RULE_G_INTR_STI_IF, "blocking by STI with RFLAGS.IF=0");
    if (e->inject && e->itype == EC_TYPE_EXT_INTR && (ib & (EC_BLOCK_STI | EC_BLOCK_MOV_SS)))
        ec_fail(e, ENTRY_RULE_G_INTR_EXTINT,
                "external interrupt injected with blocking by STI/MOV SS (0x%x)", ib);
    if (nmi && (ib & EC_BLOCK_MOV_SS))
        ec_fail(e, ENTRY_RULE_G_INTR_NMI_MOVSS, "NMI injected with blocking by MOV SS");
    if ((ib & EC_BLOCK_SMI) && !e->env->in_smm)
        ec_fail(e, ENTRY_RULE_G_INTR_SMI, "blocking by SMI outside SMM");
    if (to_smm && !(ib & EC_BLOCK_SMI))
        ec_fail(e, ENTRY_RULE_G_INTR_SMM, "entry to SMM without blocking by SMI");
    if (nmi && (ib & EC_BLOCK_STI))
        ec_fail(e, ENTRY_RULE_G_INTR_NMI_STI, "NMI injected with blocking by STI");
    if (nmi && (e->pin & PIN_BASED_VIRTUAL_NMIS) && (ib & EC_BLOCK_NMI))
        ec_fail(e, ENTRY_RULE_G_INTR_VNMI, "NMI injected with virtual-NMI blocking");
    if (e->entry & VM_ENTRY_CTL_LOAD_UINV) {
        uint64_t uinv = ec_read(e, GUEST_UINV);
        if (uinv & 0xff00)
            ec_fail(e, ENTRY_RULE_G_UINV, "guest UINV 0x%llx sets bits 15:8",
                    (unsigned long long)uinv);
    }
}

/* SDM 27.3.1.5: pending debug exceptions */
static void check_pending_dbg(struct ec *e)
{
    uint64_t p = ec_read(e, GUEST_PENDING_DBG_EXCEPTIONS);
    uint64_t reserved = PDE_RESERVED | (e->env->rtm ? 0 : PDE_RTM);
    unsigned ib = e->interruptibility;
    if (p & reserved)
        ec_fail(e, ENTRY_RULE_G_PDE_RESERVED,
                "pending debug exceptions 0x%llx set reserved bits 0x%llx", (unsigned long long)p,
                (unsigned long long)(p & reserved));
    if ((ib & (EC_BLOCK_STI | EC_BLOCK_MOV_SS)) || e->activity == EC_ACT_HLT) {
        bool tf = e->rflags & EC_RFLAGS_TF, btf = e->debugctl & DEBUGCTL_BTF, bs = p & PDE_BS;
        if (tf && !btf && !bs)
            ec_fail(e, ENTRY_RULE_G_PDE_BS_MISSING,
                    "RFLAGS.TF=1, DEBUGCTL.BTF=0 and blocking/HLT, but BS is 0 (0x%llx)",
                    (unsigned long long)p);
        if ((!tf || btf) && bs)
            ec_fail(e, ENTRY_RULE_G_PDE_BS_SET, "BS is 1 with RFLAGS.TF=%u, DEBUGCTL.BTF=%u",
                    tf ? 1 : 0, btf ? 1 : 0);
    }
    if (e->env->rtm && (p & PDE_RTM)) {
        bool bad_bits = (p & ~(PDE_RTM | PDE_ENABLED_BP)) != 0 || !(p & PDE_ENABLED_BP);
        if (bad_bits || (ib & EC_BLOCK_MOV_SS))
            ec_fail(e, ENTRY_RULE_G_PDE_RTM, "RTM pending debug exceptions 0x%llx%s",
                    (unsigned long long)p,
                    bad_bits ? " need exactly bits 16 and 12" : " with blocking by MOV SS");
    }
}

/* SDM 27.3.1.5: VMCS link pointer (exit qualification 4) */
static void check_link(struct ec *e)
{
    uint64_t lp = ec_read(e, VMCS_LINK_POINTER), rev;
    bool to_smm = e->entry & VM_ENTRY_CTL_ENTRY_TO_SMM;
    if (lp == ~0ULL)
        return;
    if (lp & 0xfff)
        ec_fail(e, ENTRY_RULE_G_LINK_ALIGN, "VMCS link pointer 0x%llx is not 4-KByte aligned",
                (unsigned long long)lp);
    if (ec_addr_beyond(e, lp))
        ec_fail(e, ENTRY_RULE_G_LINK_WIDTH, "VMCS link pointer 0x%llx is beyond the width",
                (unsigned long long)lp);
    if (!(lp & 0xfff) && !ec_addr_beyond(e, lp)) {
        if (!e->env->phys_read) {
            ec_skip(e, ENTRY_RULE_G_LINK_REVISION, "VMCS link pointer 0x%llx: no memory reader",
                    (unsigned long long)lp);
        } else if (!ec_phys(e, lp, &rev)) {
            ec_skip(e, ENTRY_RULE_G_LINK_REVISION, "VMCS link pointer 0x%llx could not be read",
                    (unsigned long long)lp);
        } else {
            uint32_t r = (uint32_t)rev;
            bool shadow = e->proc2 & PROC_BASED2_VMCS_SHADOWING;
            if ((r & 0x7fffffffu) != e->caps->revision_id)
                ec_fail(e, ENTRY_RULE_G_LINK_REVISION,
                        "VMCS at link pointer 0x%llx has revision 0x%x, not 0x%x",
                        (unsigned long long)lp, r & 0x7fffffffu, e->caps->revision_id);
            if (!(r >> 31) != !shadow)
                ec_fail(e, ENTRY_RULE_G_LINK_SHADOW,
                        "VMCS at link pointer: shadow-VMCS indicator %u, VMCS shadowing %u",
                        r >> 31, shadow ? 1 : 0);
        }
    }
    if (e->env->current_vmcs && (!e->env->in_smm || to_smm) && lp == e->env->current_vmcs)
        ec_fail(e, ENTRY_RULE_G_LINK_CURRENT, "VMCS link pointer 0x%llx is the current VMCS",
                (unsigned long long)lp);
    if (e->env->executive_vmcs && e->env->in_smm && !to_smm && lp == e->env->executive_vmcs)
        ec_fail(e, ENTRY_RULE_G_LINK_EXECUTIVE, "VMCS link pointer 0x%llx is the executive VMCS",
                (unsigned long long)lp);
}

/* SDM 27.3.1.6: PAE paging outside IA-32e mode (exit qualification 2). Without EPT the
 * processor checks the PDPTEs at CR3 when PAE paging was not in use before the entry, which
 * always holds for a VMM in IA-32e mode. */
static void check_pdptes(struct ec *e)
{
    static const uint32_t fields[4] = {GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3};
    if (!(e->cr0 & EC_CR0_PG) || !(e->cr4 & EC_CR4_PAE) || e->ia32e_guest)
        return;
    uint64_t cr3 = ec_read(e, GUEST_CR3);
    uint64_t rsv = 0x1e6ULL | (e->maxphyaddr < 64 ? ~0ULL << e->maxphyaddr : 0);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t pdpte;
        if (e->ept) {
            pdpte = ec_read(e, fields[i]);
        } else {
            uint64_t at = (cr3 & 0xffffffe0ULL) + 8 * i;
            if (!ec_phys(e, at, &pdpte)) {
                ec_skip(e, ENTRY_RULE_G_PDPTE_MEM, "PDPTE%u at 0x%llx: %s", i,
                        (unsigned long long)at,
                        e->env->phys_read ? "read failed" : "no memory reader");
                return;
            }
        }
        if ((pdpte & 1) && (pdpte & rsv))
            ec_fail(e, e->ept ? ENTRY_RULE_G_PDPTE_FIELD : ENTRY_RULE_G_PDPTE_MEM,
                    "PDPTE%u 0x%llx sets reserved bits 0x%llx", i, (unsigned long long)pdpte,
                    (unsigned long long)(pdpte & rsv));
    }
}

void ec_check_guest_rest(struct ec *e)
{
    check_rip_rflags(e);
    check_activity_intr(e);
    check_pending_dbg(e);
    check_link(e);
    check_pdptes(e);
}
