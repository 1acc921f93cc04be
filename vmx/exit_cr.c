/* vmx/exit_cr.c - control-register accesses (SDM 26.1.3, 25.6.6 guest/host masks and read
 * shadows; qualification in SDM 28.2.1 table 28-3) and XSETBV (SDM 26.1.2). */
#include "platform/cpu.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"


/* Qualification register numbers: 0 RAX 1 RCX 2 RDX 3 RBX 4 RSP 5 RBP 6 RSI 7 RDI 8-15. */
static uint64_t *gpr(struct vcpu *v, unsigned n)
{
    switch (n) {
    case 0:
        return &v->regs.rax;
    case 1:
        return &v->regs.rcx;
    case 2:
        return &v->regs.rdx;
    case 3:
        return &v->regs.rbx;
    case 5:
        return &v->regs.rbp;
    case 6:
        return &v->regs.rsi;
    case 7:
        return &v->regs.rdi;
    default:
        return &v->regs.r8 + (n - 8);
    }
}

static uint64_t get_gpr(struct vcpu *v, unsigned n)
{
    return n == 4 ? vmcs_read(GUEST_RSP) : *gpr(v, n);
}

static void set_gpr(struct vcpu *v, unsigned n, uint64_t value)
{
    if (n == 4)
        vmcs_write(GUEST_RSP, value);
    else
        *gpr(v, n) = value;
}


/* MOV to CR0 (SDM vol. 2A MOV CR; SDM 10.8.5 for entering and leaving IA-32e mode). The CPU
 * runs with the VMX fixed bits forced (vcpu_real_cr0); the guest reads its own value back
 * through the shadow. Returns false for #GP(0). */
static bool guest_write_cr0(struct vcpu *v, uint64_t value)
{
    uint64_t old = vmcs_read(CR0_READ_SHADOW);
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
        ((value & CR0_NW) && !(value & CR0_CD)))
        return false;
    /* Paging can be turned off in IA-32e mode only from compatibility mode (CS.L = 0). */
    if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA) &&
        (vmcs_read(GUEST_CS_AR_BYTES) & (1u << 13)))
        return false;
    if (!(old & CR0_PG) && (value & CR0_PG) && (efer & EFER_LME)) {
        /* Paging on with LME: IA-32e mode starts; PAE must be on (SDM 10.8.5). */
        if (!(vmcs_read(CR4_READ_SHADOW) & CR4_PAE))
            return false;
        vmcs_write(GUEST_IA32_EFER, efer | EFER_LMA);
        vmcs_write(VM_ENTRY_CONTROLS, vmcs_read(VM_ENTRY_CONTROLS) | VM_ENTRY_CTL_IA32E_MODE_GUEST);
    } else if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA)) {
        vmcs_write(GUEST_IA32_EFER, efer & ~EFER_LMA);
        vmcs_write(VM_ENTRY_CONTROLS,
                   vmcs_read(VM_ENTRY_CONTROLS) & ~(uint64_t)VM_ENTRY_CTL_IA32E_MODE_GUEST);
    }
    vmcs_write(GUEST_CR0, vcpu_real_cr0(v, value));
    vmcs_write(CR0_READ_SHADOW, value);
    return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t value)
{
    /* The guest does not have VMX: setting VMXE faults as on a CPU without it. Bits the CPU
     * cannot set in VMX operation (clear in CR4_FIXED1) fault too; so does clearing PAE in
     * IA-32e mode (SDM vol. 2A MOV CR). */
    if ((value & CR4_VMXE) || (value & ~vmx.caps.cr4_fixed1))
        return false;
    if (!(value & CR4_PAE) && (vmcs_read(GUEST_IA32_EFER) & EFER_LMA))
        return false;
    vmcs_write(GUEST_CR4, vcpu_real_cr4(v, value));
    vmcs_write(CR4_READ_SHADOW, value);
    return true;
}

enum exit_action exit_cr_access(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    unsigned cr = q & 0xf, type = (q >> 4) & 3, reg = (q >> 8) & 0xf;
    bool ok = true;
    v->exit_qualification = q;
    switch (type) {
    case 0: /* MOV to CR */
        if (cr == 0)
            ok = guest_write_cr0(v, get_gpr(v, reg));
        else if (cr == 4)
            ok = guest_write_cr4(v, get_gpr(v, reg));
        else if (cr == 3)
            vmcs_write(GUEST_CR3, get_gpr(v, reg));
        else
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MOV to CR%u is not virtualised", cr);
        break;
    case 1: /* MOV from CR (only CR3/CR8 exit) */
        if (cr != 3)
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MOV from CR%u is not virtualised", cr);
        set_gpr(v, reg, vmcs_read(GUEST_CR3));
        break;
    case 2: /* CLTS */
        ok = guest_write_cr0(v, vmcs_read(CR0_READ_SHADOW) & ~CR0_TS);
        break;
    default: { /* LMSW: bits 3:0 of CR0; it cannot clear PE (SDM vol. 2A LMSW) */
        uint64_t src = (q >> 16) & 0xf, shadow = vmcs_read(CR0_READ_SHADOW);
        ok = guest_write_cr0(v, (shadow & ~0xeull) | (src & 0xf) | (shadow & CR0_PE));
        break;
    }
    }
    if (!ok) {
        vcpu_inject_exception(v, 13, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* XSETBV: only XCR0; bit 0 (x87) set; only features the host supports; AVX needs SSE;
 * the AVX-512 bits 7:5 together and with AVX (SDM 13.3, vol. 2C XSETBV). */
enum exit_action exit_xsetbv(struct vcpu *v)
{
    uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    struct cpuid_regs d = cpuid(0xd, 0);
    uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
    bool ok = (uint32_t)v->regs.rcx == 0 && (value & 1) && !(value & ~supported) &&
              (!(value & 4) || (value & 2)) &&
              ((value & 0xe0) == 0 || ((value & 0xe0) == 0xe0 && (value & 4)));
    if (!ok) {
        vcpu_inject_exception(v, 13, true, 0);
        return EXIT_RESUME;
    }
    xsetbv(0, value);
    vcpu_state_set_xcr0(v, value);
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
