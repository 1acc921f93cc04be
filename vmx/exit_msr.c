/*
 * vmx/exit_msr.c - RDMSR/WRMSR (SDM 26.1.3 and the MSR bitmap, 25.6.9).
 *
 * Policy, MSR by MSR (docs/security.md):
 *  - passed through (no exit): STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE, TSC_AUX, which the
 *    CPU holds for the running vCPU (vmx/vcpu_state.c switches them), and reads of the TSC;
 *  - the TSC written: the vCPU's TSC offset changes, never the host's TSC (SDM 26.3);
 *  - held in the VMCS guest-state area: SYSENTER_CS/ESP/EIP, FS_BASE, GS_BASE, PAT, EFER,
 *    DEBUGCTL: a write is checked as the CPU would check it (#GP(0) for a non-canonical
 *    address, a reserved PAT type, reserved EFER or DEBUGCTL bits) before it reaches the VMCS,
 *    where a bad value would fail the next VM entry;
 *  - the guest's own: the MTRRs (vmx/guest_msr.c), IA32_MISC_ENABLE, IA32_APIC_BASE (the
 *    xAPIC at 0xfee00000), IA32_FEATURE_CONTROL (locked, VMX off), IA32_BIOS_SIGN_ID;
 *  - everything else: #GP(0), as on a CPU without the MSR (SDM vol. 2B RDMSR/WRMSR). That
 *    includes the VMX capability MSRs, the performance-monitoring and speculation-control
 *    MSRs, which CPUID does not show (vmx/cpuid_policy.c).
 * No guest RDMSR or WRMSR ever reaches a host MSR the guest chose.
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "vmx/exit.h"
#include "vmx/guest_msr.h"
#include "vmx/vmcs.h"

#define APIC_BASE_DEFAULT 0xfee00000ull
#define APIC_BASE_BSP     (1ull << 8)
#define APIC_BASE_EN      (1ull << 11)
/* IA32_MISC_ENABLE as the guest reads it (SDM vol. 4 table 2-2): fast strings (0), automatic
 * thermal control (3), BTS unavailable (11), PEBS unavailable (12); no MONITOR (18). */
#define MISC_ENABLE_GUEST    ((1ull << 0) | (1ull << 3) | (1ull << 11) | (1ull << 12))
#define MISC_ENABLE_WRITABLE (1ull << 0) /* the guest may turn fast strings off */

static const uint32_t passthrough[] = {MSR_STAR,  MSR_LSTAR,   MSR_CSTAR,
                                       MSR_FMASK, MSR_TSC_AUX, MSR_KERNEL_GS_BASE};

/* Read bitmap low at 0, high at 1024; write bitmap low at 2048, high at 3072 (SDM 25.6.9). */
static void bitmap_clear(uint8_t *bitmap, uint32_t msr, bool write)
{
    uint32_t base = (msr >= 0xc0000000 ? 1024 : 0) + (write ? 2048 : 0);
    uint32_t bit = msr & 0x1fff;
    bitmap[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

void exit_msr_setup_bitmap(uint8_t *bitmap)
{
    for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++) {
        bitmap_clear(bitmap, passthrough[i], false);
        bitmap_clear(bitmap, passthrough[i], true);
    }
    bitmap_clear(bitmap, MSR_TSC, false); /* RDMSR of the TSC adds the offset (SDM 26.3) */
}

/* Linear-address and physical-address widths (CPUID.80000008H:EAX, SDM 4.1.4). */
static unsigned va_bits(void)
{
    return cpuid(0x80000000, 0).eax >= 0x80000008 ? (cpuid(0x80000008, 0).eax >> 8) & 0xff : 48;
}
static unsigned pa_bits(void)
{
    return cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;
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
    case MSR_DEBUGCTL:
        return GUEST_IA32_DEBUGCTL;
    default:
        return 0;
    }
}

/* The local APIC's MSRs (IA32_APIC_BASE, x2APIC 0x800-0x8ff, IA32_TSC_DEADLINE) are the
 * virtual APIC's when the VM has one (vcpu_ops.msr). 1: not its MSR. */
static int apic_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value)
{
    if (!v->lapic || !v->ops || !v->ops->msr)
        return 1;
    if (msr != MSR_APIC_BASE && msr != MSR_TSC_DEADLINE &&
        (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST))
        return 1;
    return v->ops->msr(v, msr, write, value);
}

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
    int apic = apic_msr(v, msr, false, value);
    if (apic <= 0)
        return apic == 0;
    uint32_t field = vmcs_field_of(msr);
    if (field) {
        *value = vmcs_read(field);
        return true;
    }
    switch (guest_mtrr_read(&v->mtrr, msr, value)) {
    case GUEST_MSR_OK:
        return true;
    case GUEST_MSR_GP:
        return false;
    default:
        break;
    }
    switch (msr) {
    case MSR_TSC: /* only with the bitmap bit set (a debugging VMM): the guest's TSC */
        *value = rdtsc() + v->tsc_offset;
        return true;
    case MSR_TSC_ADJUST: /* the vCPU's own (SDM 18.17.3), never the host's */
        if (!v->tsc_offsetting)
            return false;
        *value = v->tsc_adjust;
        return true;
    case MSR_MISC_ENABLE:
        *value = v->misc_enable;
        return true;
    case MSR_APIC_BASE:
        *value = APIC_BASE_DEFAULT | APIC_BASE_EN | (v->apic_id == 0 ? APIC_BASE_BSP : 0);
        return true;
    case MSR_FEATURE_CONTROL:
        *value = 1; /* locked, VMX off: the guest cannot turn VMX on (SDM 24.7) */
        return true;
    case MSR_BIOS_SIGN_ID:
        *value = 0; /* no microcode revision to report */
        return true;
    default:
        return false;
    }
}

enum exit_action exit_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value;
    v->apicv.x2apic_msr_exits += msr >= 0x800 && msr <= 0x8ff;
    if (!read_msr(v, msr, &value)) {
        vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return EXIT_RESUME;
    }
    v->regs.rax = (uint32_t)value; /* EDX:EAX, zero-extended (SDM vol. 2B RDMSR) */
    v->regs.rdx = value >> 32;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* IA32_EFER (SDM 2.2.1): reserved bits, and bits for features the CPU lacks
 * (CPUID.80000001H:EDX: SYSCALL bit 11, NX bit 20, LM bit 29), fault; so does a change of LME
 * while paging is on (SDM 10.8.5). LMA is read-only. */
static bool write_efer(struct vcpu *v, uint64_t value)
{
    uint64_t old = vmcs_read(GUEST_IA32_EFER), ok_bits = EFER_LMA;
    uint32_t edx = cpuid(0x80000001, 0).edx;
    ok_bits |= ((edx >> 11) & 1 ? EFER_SCE : 0) | ((edx >> 20) & 1 ? EFER_NXE : 0) |
               ((edx >> 29) & 1 ? EFER_LME : 0);
    if (value & ~ok_bits)
        return false;
    if (((value ^ old) & EFER_LME) && (vcpu_guest_cr0(v) & CR0_PG))
        return false;
    vmcs_write(GUEST_IA32_EFER, (value & ~EFER_LMA) | (old & EFER_LMA));
    return true;
}

/* A value the CPU would take for an MSR the VMCS holds (SDM vol. 2B WRMSR, vol. 4). */
static bool vmcs_msr_value_ok(uint32_t msr, uint64_t value)
{
    switch (msr) {
    case MSR_SYSENTER_CS:
        return (value >> 32) == 0;
    case MSR_SYSENTER_ESP:
    case MSR_SYSENTER_EIP:
    case MSR_FS_BASE:
    case MSR_GS_BASE:
        return msr_canonical(value, va_bits()); /* SDM 27.3.1.1 checks them at entry too */
    case MSR_PAT:
        return msr_pat_valid(value);
    case MSR_DEBUGCTL:
        return (value & ~GUEST_DEBUGCTL_ALLOWED) == 0;
    default:
        return true;
    }
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t value)
{
    int apic = apic_msr(v, msr, true, &value);
    if (apic <= 0)
        return apic == 0;
    uint32_t field = vmcs_field_of(msr);
    if (msr == MSR_EFER)
        return write_efer(v, value);
    if (field) {
        if (!vmcs_msr_value_ok(msr, value))
            return false;
        vmcs_write(field, value);
        return true;
    }
    switch (guest_mtrr_write(&v->mtrr, msr, value, pa_bits())) {
    case GUEST_MSR_OK:
        return true;
    case GUEST_MSR_GP:
        return false;
    default:
        break;
    }
    switch (msr) {
    case MSR_TSC: /* the guest's TSC takes this value: its offset changes (SDM 26.3), and
                     TSC_ADJUST with it (SDM 18.17.3) */
        if (!v->tsc_offsetting)
            return false;
        guest_tsc_write(&v->tsc_offset, &v->tsc_adjust, value - rdtsc());
        vmcs_write(TSC_OFFSET, v->tsc_offset);
        return true;
    case MSR_TSC_ADJUST: /* the TSC moves by what TSC_ADJUST moves (SDM 18.17.3) */
        if (!v->tsc_offsetting)
            return false;
        guest_tsc_adjust_write(&v->tsc_offset, &v->tsc_adjust, value);
        vmcs_write(TSC_OFFSET, v->tsc_offset);
        return true;
    case MSR_MISC_ENABLE:
        if ((value ^ v->misc_enable) & ~MISC_ENABLE_WRITABLE)
            return false;
        v->misc_enable = value;
        return true;
    case MSR_APIC_BASE: /* no relocation, no x2APIC, no disable: the virtual local APIC
                           has none of them yet (CPUID does not show x2APIC) */
        return (value & ~APIC_BASE_BSP) == (APIC_BASE_DEFAULT | APIC_BASE_EN);
    case MSR_BIOS_SIGN_ID: /* written before CPUID 1 to read the microcode revision */
        return true;
    default:
        return false;
    }
}

enum exit_action exit_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t value = ((v->regs.rdx & 0xffffffff) << 32) | (uint32_t)v->regs.rax;
    v->apicv.x2apic_msr_exits += msr >= 0x800 && msr <= 0x8ff;
    if (!write_msr(v, msr, value)) {
        pr_debug("vmx: %s: WRMSR 0x%x = 0x%lx refused (#GP)\n", v->name, msr, value);
        vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return EXIT_RESUME;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

void exit_msr_init_vcpu(struct vcpu *v)
{
    guest_mtrr_init(&v->mtrr);
    v->misc_enable = MISC_ENABLE_GUEST;
}
