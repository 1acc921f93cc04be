/* vmx/vmx_cpu.c - detecting VMX and entering VMX operation on every CPU (SDM 24.6-24.8). */
#include <string.h>
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/power.h"
#include "platform/smp.h"
#include "vmx/exit.h"
#include "vmx/vmx_controls.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_insn.h"

struct vmx_platform vmx;

uint64_t vmx_msr(uint32_t msr)
{
    uint64_t v = 0;
    vmx_msr_get(&vmx.msr, msr, &v);
    return v;
}

struct vmx_cpu *vmx_this_cpu(void)
{
    return this_cpu()->vmx;
}

/* Read the capability MSRs in order; each only when the ones before say it exists
 * (SDM A.1-A.11), so no RDMSR faults. */
static void read_capability_msrs(void)
{
    memset(&vmx.msr, 0, sizeof(vmx.msr));
    for (uint32_t msr = IA32_VMX_BASIC; msr <= IA32_VMX_EXIT_CTLS2; msr++)
        if (vmx_msr_readable(msr, &vmx.msr))
            vmx_msr_store(&vmx.msr, msr, rdmsr(msr));
}

/* The controls Vanderpool cannot do without, checked by the adjustment algorithm so each
 * missing one is named (book 2.5.5.2). */
static const struct {
    enum vmx_ctl ctl;
    uint64_t bits;
} required[] = {
    {VMX_CTL_PROC, PROC_BASED_USE_IO_BITMAPS | PROC_BASED_USE_MSR_BITMAPS |
                       PROC_BASED_ACTIVATE_SECONDARY_CONTROLS},
    {VMX_CTL_PROC2, PROC_BASED2_ENABLE_EPT | PROC_BASED2_UNRESTRICTED_GUEST},
    {VMX_CTL_EXIT, VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE},
};

static bool check_required(void)
{
    char err[160];
    bool ok = true;
    vmx.missing[0] = 0;
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        uint64_t out;
        if (vmx_adjust_controls64(required[i].ctl, 0, required[i].bits, &vmx.msr, &out, NULL, err,
                                  sizeof(err))) {
            pr_err("vmx: %s\n", err);
            size_t n = strlen(vmx.missing);
            fmt_snprintf(vmx.missing + n, sizeof(vmx.missing) - n, "%s%s", n ? "; " : "", err);
            ok = false;
        }
    }
    return ok;
}

int vmx_detect(void)
{
    /* SDM 24.6: CPUID.1:ECX.VMX[bit 5] = 1. */
    vmx.cpu_has_vmx = (cpuid(1, 0).ecx >> 5) & 1;
    if (!vmx.cpu_has_vmx) {
        fmt_snprintf(vmx.missing, sizeof(vmx.missing),
                     "this CPU does not support VMX (CPUID.1:ECX.VMX = 0)");
        pr_err("vmx: %s: no hypervisor can run here\n", vmx.missing);
        return -1;
    }
    /* SDM 24.7: with the lock bit set and bit 2 clear, VMXON outside SMX #GPs. */
    uint64_t fc = rdmsr(IA32_FEATURE_CONTROL);
    if ((fc & IA32_FEATURE_CONTROL_LOCKED) && !(fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        vmx.firmware_locked_off = true;
        fmt_snprintf(vmx.missing, sizeof(vmx.missing), "VMX is disabled by the firmware");
        pr_err("vmx: VMX is disabled by the firmware (IA32_FEATURE_CONTROL = 0x%lx, locked): "
               "enable Intel VT-x in the BIOS/UEFI setup\n",
               fc);
        return -1;
    }
    pr_info("vmx: IA32_FEATURE_CONTROL = 0x%lx (%s)\n", fc,
            (fc & IA32_FEATURE_CONTROL_LOCKED) ? "locked, VMX enabled" : "unlocked: will enable");
    read_capability_msrs();
    vmx_caps_decode(&vmx.msr, &vmx.caps);
    pr_info("vmx: VMCS revision 0x%x, region %u bytes, memory type %s, %s controls\n",
            vmx.caps.revision_id, vmx.caps.vmcs_size,
            vmx_memory_type_name(vmx.caps.vmcs_memory_type),
            vmx.caps.true_controls ? "TRUE" : "default");
    if (vmx.caps.vmcs_memory_type != VMX_MEMTYPE_WB) {
        /* SDM A.1: the VMCS must be in memory of this type; ours is write-back. */
        fmt_snprintf(vmx.missing, sizeof(vmx.missing),
                     "the CPU wants VMCS regions in %s memory; Vanderpool maps them write-back",
                     vmx_memory_type_name(vmx.caps.vmcs_memory_type));
        pr_err("vmx: %s\n", vmx.missing);
        return -1;
    }
    if (!check_required()) {
        pr_err("vmx: this CPU lacks VMX features Vanderpool needs; VMX is not used\n");
        return -1;
    }
    vmx.usable = true;
    vmx_trace_setup();
    exit_cpuid_setup();
    return 0;
}

int vmx_enable_this_cpu(void)
{
    struct percpu *p = this_cpu();
    if (!vmx.usable)
        return -1;
    vcpu_kick_init(); /* the host's NMI handler, before any guest: kicks are NMIs (vcpu_kick.c) */
    if (!p->vmx) {
        size_t pages = (sizeof(struct vmx_cpu) + 4095) / 4096;
        p->vmx = phys_to_virt(mem_alloc_pages(pages));
        if (!p->vmx) {
            pr_err("vmx: CPU %u: out of memory\n", p->id);
            return -1;
        }
    }
    struct vmx_cpu *v = p->vmx;
    if (v->on)
        return 0;

    /* SDM 24.7: enable VMXON outside SMX and lock, when the firmware left it unlocked. */
    uint64_t fc = rdmsr(IA32_FEATURE_CONTROL);
    if (!(fc & IA32_FEATURE_CONTROL_LOCKED))
        wrmsr(IA32_FEATURE_CONTROL,
              fc | IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX | IA32_FEATURE_CONTROL_LOCKED);

    /* SDM 24.8: CR0 and CR4 must respect the fixed bits (A.7, A.8); CR4.VMXE among them. */
    v->cr0_before = read_cr0();
    v->cr4_before = read_cr4();
    char err[160];
    uint64_t cr0 = vmx_fixed_cr(v->cr0_before, vmx.caps.cr0_fixed0, vmx.caps.cr0_fixed1);
    /* CR4.OSXSAVE lets the VMM run XSETBV, XSAVE and XRSTOR for its guests (SDM vol. 1 13.3);
     * CR4.OSFXSR makes FXSAVE/FXRSTOR include the XMM registers (vol. 1 10.5). */
    uint64_t osxsave = ((cpuid(1, 0).ecx >> 26) & 1) ? CR4_OSXSAVE | CR4_OSFXSR : CR4_OSFXSR;
    uint64_t cr4 =
        vmx_fixed_cr(v->cr4_before | CR4_VMXE | osxsave, vmx.caps.cr4_fixed0, vmx.caps.cr4_fixed1);
    if (vmx_check_fixed_cr(0, cr0, vmx.caps.cr0_fixed0, vmx.caps.cr0_fixed1, false, err,
                           sizeof(err)) ||
        vmx_check_fixed_cr(4, cr4, vmx.caps.cr4_fixed0, vmx.caps.cr4_fixed1, false, err,
                           sizeof(err))) {
        pr_err("vmx: CPU %u: %s\n", p->id, err);
        return -1;
    }
    write_cr0(cr0);
    write_cr4(cr4);

    /* SDM 25.11.5: the VMXON region is 4 KiB aligned, starts with the revision id; below
     * 4 GiB when IA32_VMX_BASIC[48] says addresses are limited to 32 bits (A.1). */
    if (!v->vmxon_phys) {
        uint64_t limit = vmx.caps.phys_addr_32bit ? (1ull << 32) : 0;
        v->vmxon_phys = mem_alloc_aligned(1, 4096, limit);
        v->vmcs_phys = mem_alloc_aligned(1, 4096, limit);
        if (!v->vmxon_phys || !v->vmcs_phys) {
            pr_err("vmx: CPU %u: out of memory for the VMXON region\n", p->id);
            return -1;
        }
    }
    *(volatile uint32_t *)phys_to_virt(v->vmxon_phys) = vmx.caps.revision_id;
    enum vmx_status st = vmxon(v->vmxon_phys);
    if (st != VMX_OK) {
        pr_err("vmx: CPU %u: VMXON failed (%s)\n", p->id,
               st == VMX_FAIL_INVALID ? "VMfailInvalid: bad VMXON region or revision id"
                                      : "VMfailValid: already in VMX operation");
        write_cr4(v->cr4_before);
        return -1;
    }
    v->on = true;
    trace(TRACE_NOTE, 0x7a0, v->vmxon_phys, 0, 0);
    return 0;
}

void vmx_disable_this_cpu(void)
{
    struct vmx_cpu *v = vmx_this_cpu();
    if (!v || !v->on)
        return;
    if (v->vmcs_phys)
        vmclear(v->vmcs_phys);
    enum vmx_status st = vmxoff();
    if (st != VMX_OK) {
        pr_err("vmx: CPU %u: VMXOFF failed (%d)\n", this_cpu_id(), st);
        return;
    }
    v->on = false;
    v->current = NULL;
    write_cr4(read_cr4() & ~CR4_VMXE);
}

static volatile int enable_result[MAX_CPUS];

static void enable_one(void *arg)
{
    (void)arg;
    enable_result[this_cpu_id()] = vmx_enable_this_cpu();
}

static void disable_one(void *arg)
{
    (void)arg;
    vmx_disable_this_cpu();
}

uint32_t vmx_enable_all(void)
{
    for (uint32_t i = 0; i < MAX_CPUS; i++)
        enable_result[i] = -1;
    xcall_run_all(enable_one, NULL);
    uint32_t on = 0;
    for (uint32_t i = 0; i < cpu_count; i++) {
        if (cpus[i].state != CPU_ONLINE)
            continue;
        struct vmx_cpu *v = cpus[i].vmx;
        if (!enable_result[i] && v && v->on) {
            pr_info("vmx: CPU %u (APIC id %u) in VMX root operation, VMXON region 0x%lx\n", i,
                    cpus[i].apic_id, v->vmxon_phys);
            on++;
        } else {
            pr_err("vmx: CPU %u (APIC id %u) could not enter VMX operation\n", i, cpus[i].apic_id);
        }
    }
    return on;
}

void vmx_disable_all(void)
{
    /* Exit statistics of every CPU that ran guests, then VMXOFF everywhere. */
    for (uint32_t i = 0; i < cpu_count; i++) {
        struct vmx_cpu *v = cpus[i].vmx;
        if (v && v->current)
            vmx_print_exit_stats(i);
    }
    xcall_run_all(disable_one, NULL);
}
