/* vmx/exit_cr.c - control-register accesses (SDM 26.1.3, 25.6.6 guest/host masks and read
 * shadows; qualification in SDM 28.2.1 table 28-3) and the PAE page-directory-pointer-table
 * entries they load (SDM 4.4.1, 27.3.2.4). */
#include "platform/cpu.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"

enum cr_result { CR_OK, CR_GP, CR_STOP };

/* PAE paging: CR0.PG, CR4.PAE and not IA-32e mode (SDM 4.1.1). */
static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* The CPU's MAXPHYADDR (CPUID.80000008H:EAX[7:0], SDM 4.1.4). */
static unsigned maxphyaddr(void)
{
    if (cpuid(0x80000000, 0).eax < 0x80000008)
        return 36;
    return cpuid(0x80000008, 0).eax & 0xff;
}

/*
 * Load the four PDPTEs from the 32-byte table at CR3[31:5] into the VMCS, where the CPU takes
 * them from at VM entry with EPT (SDM 27.3.2.4). A present entry with a reserved bit set
 * makes the MOV that loads them fault with #GP(0) (SDM 4.4.1): bits 2:1, 8:5 and those from
 * MAXPHYADDR up (bit 63 included) are reserved.
 */
static enum cr_result load_pdptes(struct vcpu *v, uint64_t cr3)
{
    uint64_t pdpte[4];
    uint64_t rsvd = 0x1e6ull | ~((1ull << maxphyaddr()) - 1);
    if (!v->ops || !v->ops->read_gpa || !v->ops->read_gpa(v, cr3 & 0xffffffe0ull, pdpte, 32)) {
        vcpu_stop(v, VCPU_STOP_MEMORY,
                  "PAE paging with its page-directory-pointer table at 0x%lx, outside its RAM",
                  (uint64_t)(cr3 & 0xffffffe0u));
        return CR_STOP;
    }
    for (int i = 0; i < 4; i++)
        if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
            return CR_GP;
    for (int i = 0; i < 4; i++)
        vmcs_write(GUEST_PDPTR0 + 2 * i, pdpte[i]);
    return CR_OK;
}

/* MOV to CR0 (SDM vol. 2A MOV CR; SDM 10.8.5 for entering and leaving IA-32e mode). The CPU
 * runs with the VMX fixed bits forced (vcpu_real_cr0); the guest reads its own value back
 * through the shadow. */
static enum cr_result guest_write_cr0(struct vcpu *v, uint64_t value)
{
    uint64_t old = vcpu_guest_cr0(v), cr4 = vcpu_guest_cr4(v);
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
        ((value & CR0_NW) && !(value & CR0_CD)))
        return CR_GP;
    /* Paging can be turned off in IA-32e mode only from compatibility mode (CS.L = 0). */
    if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA) &&
        (vmcs_read(GUEST_CS_AR_BYTES) & AR_L))
        return CR_GP;
    if (!(old & CR0_PG) && (value & CR0_PG) && (efer & EFER_LME)) {
        /* Paging on with LME: IA-32e mode starts; PAE must be on (SDM 10.8.5). */
        if (!(cr4 & CR4_PAE))
            return CR_GP;
        efer |= EFER_LMA;
    } else if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA)) {
        efer &= ~EFER_LMA;
    }
    /* A change of PG, CD or NW that leaves PAE paging on loads the PDPTEs (SDM 4.4.1). */
    if (((old ^ value) & (CR0_PG | CR0_CD | CR0_NW)) && pae_paging(value, cr4, efer)) {
        enum cr_result r = load_pdptes(v, vmcs_read(GUEST_CR3));
        if (r != CR_OK)
            return r;
    }
    if (efer != vmcs_read(GUEST_IA32_EFER)) {
        uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS) & ~(uint64_t)VM_ENTRY_CTL_IA32E_MODE_GUEST;
        vmcs_write(GUEST_IA32_EFER, efer);
        vmcs_write(VM_ENTRY_CONTROLS,
                   entry | ((efer & EFER_LMA) ? VM_ENTRY_CTL_IA32E_MODE_GUEST : 0));
    }
    vmcs_write(GUEST_CR0, vcpu_real_cr0(v, value));
    vmcs_write(CR0_READ_SHADOW, value);
    return CR_OK;
}

/* MOV to CR4. The guest has no VMX: setting VMXE faults as on a CPU without it. Bits the CPU
 * cannot set in VMX operation (clear in CR4_FIXED1) fault too; so does clearing PAE in
 * IA-32e mode, and setting PCIDE with CR3[11:0] non-zero or outside IA-32e mode (SDM vol. 2A
 * MOV CR). */
static enum cr_result guest_write_cr4(struct vcpu *v, uint64_t value)
{
    uint64_t old = vcpu_guest_cr4(v), efer = vmcs_read(GUEST_IA32_EFER);
    if ((value & CR4_VMXE) || (value & ~vmx.caps.cr4_fixed1))
        return CR_GP;
    if (!(value & CR4_PAE) && (efer & EFER_LMA))
        return CR_GP;
    if ((value & CR4_PCIDE) && !(old & CR4_PCIDE) &&
        (!(efer & EFER_LMA) || (vmcs_read(GUEST_CR3) & 0xfff)))
        return CR_GP;
    if (((old ^ value) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
        pae_paging(vcpu_guest_cr0(v), value, efer)) {
        enum cr_result r = load_pdptes(v, vmcs_read(GUEST_CR3));
        if (r != CR_OK)
            return r;
    }
    vmcs_write(GUEST_CR4, vcpu_real_cr4(v, value));
    vmcs_write(CR4_READ_SHADOW, value);
    return CR_OK;
}

/* MOV to CR3 (only when CR3-load exiting is on): in PAE paging it loads the PDPTEs. */
static enum cr_result guest_write_cr3(struct vcpu *v, uint64_t value)
{
    if (pae_paging(vcpu_guest_cr0(v), vcpu_guest_cr4(v), vmcs_read(GUEST_IA32_EFER))) {
        enum cr_result r = load_pdptes(v, value);
        if (r != CR_OK)
            return r;
    }
    vmcs_write(GUEST_CR3, value);
    return CR_OK;
}

enum exit_action exit_cr_access(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    unsigned cr = q & 0xf, type = (q >> 4) & 3, reg = (q >> 8) & 0xf;
    enum cr_result r = CR_OK;
    v->exit_qualification = q;
    switch (type) {
    case 0: /* MOV to CR: the source register's width is the mode's (vcpu_get_gpr) */
        if (cr == 0)
            r = guest_write_cr0(v, vcpu_get_gpr(v, reg));
        else if (cr == 4)
            r = guest_write_cr4(v, vcpu_get_gpr(v, reg));
        else if (cr == 3)
            r = guest_write_cr3(v, vcpu_get_gpr(v, reg));
        else
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MOV to CR%u is not virtualised", cr);
        break;
    case 1: /* MOV from CR (only CR3/CR8 exit) */
        if (cr != 3)
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MOV from CR%u is not virtualised", cr);
        vcpu_set_gpr(v, reg, vmcs_read(GUEST_CR3));
        break;
    case 2: /* CLTS */
        r = guest_write_cr0(v, vcpu_guest_cr0(v) & ~CR0_TS);
        break;
    default: { /* LMSW: bits 3:0 of CR0; it cannot clear PE (SDM vol. 2A LMSW) */
        uint64_t src = (q >> 16) & 0xf, cr0 = vcpu_guest_cr0(v);
        r = guest_write_cr0(v, (cr0 & ~0xeull) | (src & 0xf) | (cr0 & CR0_PE));
        break;
    }
    }
    if (r == CR_STOP)
        return EXIT_STOP;
    if (r == CR_GP) {
        vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
