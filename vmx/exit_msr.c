/*
 * vmx/exit_msr.c - RDMSR/WRMSR (SDM 26.1.3 and the MSR bitmap, 25.6.9).
 *
 * Policy: every MSR exits except the syscall MSRs and the TSC, which the hypervisor does not
 * use and passes through. Exiting MSRs are emulated from the VMCS guest-state area where the
 * VMCS holds them, read from the host where they only describe the machine (MTRRs), or
 * refused with #GP(0), as a CPU that lacks the MSR does (SDM vol. 2B RDMSR/WRMSR). The VMX
 * capability MSRs are among the refused ones: the guest does not see VMX.
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"



static const uint32_t passthrough[] = {MSR_TSC,   MSR_STAR,    MSR_LSTAR,         MSR_CSTAR,
                                       MSR_FMASK, MSR_TSC_AUX, MSR_KERNEL_GS_BASE};

static void bitmap_open(uint8_t *bitmap, uint32_t msr)
{
    /* Read bitmap low at 0, high at 1024; write bitmap low at 2048, high at 3072. */
    uint32_t base = msr >= 0xc0000000 ? 1024 : 0;
    uint32_t bit = msr & 0x1fff;
    bitmap[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
    bitmap[2048 + base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

void exit_msr_setup_bitmap(uint8_t *bitmap)
{
    for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++)
        bitmap_open(bitmap, passthrough[i]);
}

static bool is_mtrr(uint32_t msr)
{
    /* SDM 12.11: variable 0x200-0x21f, fixed 0x250, 0x258-0x259, 0x268-0x26f, default 0x2ff. */
    return (msr >= 0x200 && msr <= 0x21f) || msr == 0x250 || msr == 0x258 || msr == 0x259 ||
           (msr >= 0x268 && msr <= 0x26f) || msr == MSR_MTRR_DEF_TYPE || msr == MSR_MTRRCAP;
}

/* The VMCS field that holds an MSR, or 0. */
static uint32_t vmcs_field_of(uint32_t msr)
{
    switch (msr) {
    case MSR_SYSENTER_CS:
        return GUEST_SYSENTER_CS;
    case MSR_SYSENTER_ESP:
        return GUEST_SYSENTER_ESP;
    case MSR_SYSENTER_EIP:
        return GUEST_SYSENTER_EIP;
    case MSR_FS_BASE:
        return GUEST_FS_BASE;
    case MSR_GS_BASE:
        return GUEST_GS_BASE;
    case MSR_PAT:
        return GUEST_IA32_PAT;
    case MSR_EFER:
        return GUEST_IA32_EFER;
    default:
        return 0;
    }
}

static bool read_msr(uint32_t msr, uint64_t *value)
{
    uint32_t field = vmcs_field_of(msr);
    if (field) {
        *value = vmcs_read(field);
        return true;
    }
    if (is_mtrr(msr) || msr == MSR_MISC_ENABLE || msr == MSR_APIC_BASE) {
        *value = rdmsr(msr);
        return true;
    }
    if (msr == MSR_FEATURE_CONTROL) {
        *value = 1; /* locked, VMX off: the guest cannot turn VMX on (SDM 24.7) */
        return true;
    }
    if (msr == MSR_BIOS_SIGN_ID) {
        *value = 0;
        return true;
    }
    return false;
}

enum exit_action exit_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value;
    if (!read_msr(msr, &value)) {
        vcpu_inject_exception(v, 13, true, 0);
        return EXIT_RESUME;
    }
    v->regs.rax = (uint32_t)value;
    v->regs.rdx = value >> 32;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

static bool write_efer(uint64_t value)
{
    uint64_t old = vmcs_read(GUEST_IA32_EFER);
    /* Reserved bits, or a change of LME while paging is on, fault (SDM 2.2.1, 10.8.5). */
    if (value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
        return false;
    if (((value ^ old) & EFER_LME) && (vmcs_read(CR0_READ_SHADOW) & (1ull << 31)))
        return false;
    vmcs_write(GUEST_IA32_EFER, (value & ~EFER_LMA) | (old & EFER_LMA)); /* LMA is read-only */
    return true;
}

enum exit_action exit_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    uint32_t field = vmcs_field_of(msr);
    bool ok;
    if (msr == MSR_EFER)
        ok = write_efer(value);
    else if (field)
        ok = vmcs_write(field, value) == 0;
    else if (is_mtrr(msr) || msr == MSR_MISC_ENABLE || msr == MSR_BIOS_SIGN_ID) {
        ok = true; /* machine configuration stays the host's: the write is dropped */
        pr_debug("vmx: %s: WRMSR 0x%x = 0x%lx dropped\n", v->name, msr, value);
    } else
        ok = false;
    if (!ok) {
        vcpu_inject_exception(v, 13, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
