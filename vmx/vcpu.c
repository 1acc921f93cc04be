/* vmx/vcpu.c - filling a VMCS for a 64-bit guest (book 3.4, 5.1; SDM 25, 27.2-27.3) and the
 * run loop: enter, take the VM exit, dispatch it through the exit table, enter again. */
#include <stdarg.h>
#include <string.h>
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/desc.h"
#include "platform/fmt.h"
#include "platform/lapic.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/trace_vcpu.h"
#include "vmx/entry_explain.h"
#include "vmx/exit.h"
#include "vmx/invalidate.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_names.h"
#include "vmx/vmcs_dump.h"
#include "vmx/trace_mask.h"
#include "platform/config.h"

int vmx_run(struct guest_regs *regs); /* 3: kicked, not entered (vmx_entry.S) */
#define VMX_RUN_KICKED 3
extern char vmx_exit_stub[];
void vmx_exit_handler(struct guest_regs *regs);
void vmx_kicked(struct guest_regs *regs);
__attribute__((noreturn)) void vmx_leave_guest(void);

/* Access rights (SDM 25.4.1, table 25-2). */
#define AR_CODE64     0xa09b /* present, DPL 0, code execute/read accessed, L=1, G=1 */
#define AR_DATA       0xc093 /* present, DPL 0, data read/write accessed, D/B=1, G=1 */
#define AR_TSS_BUSY   0x008b /* present, 64-bit busy TSS */
#define AR_CODE32     0xc09b /* present, DPL 0, code execute/read accessed, D=1, G=1 */
#define AR_TSS32_BUSY 0x008b /* busy TSS: TR must be usable in every mode (SDM 27.3.1.2) */
#define AR_REAL_CODE  0x009b /* real mode: present, S=1, code, accessed */
#define AR_REAL_DATA  0x0093 /* real mode: present, S=1, data read/write, accessed */

static int adjust(enum vmx_ctl which, uint32_t wanted, uint32_t required, uint32_t *out)
{
    char err[160];
    if (vmx_adjust_controls(which, wanted, required, &vmx.msr, out, NULL, err, sizeof(err))) {
        pr_err("vmx: %s\n", err);
        return -1;
    }
    return 0;
}

/* SDM 27.2.2-27.2.4: the host state loaded at every VM exit: this CPU's own tables. */
static void setup_host_state(void)
{
    struct percpu *p = this_cpu();
    struct desc_ptr gdtr, idtr;
    sgdt(&gdtr);
    sidt(&idtr);
    vmcs_write(HOST_CR0, read_cr0());
    vmcs_write(HOST_CR3, read_cr3());
    vmcs_write(HOST_CR4, read_cr4());
    vmcs_write(HOST_CS_SELECTOR, SEL_CODE64); /* RPL and TI must be 0 (SDM 27.2.3) */
    vmcs_write(HOST_SS_SELECTOR, SEL_DATA);
    vmcs_write(HOST_DS_SELECTOR, SEL_DATA);
    vmcs_write(HOST_ES_SELECTOR, SEL_DATA);
    vmcs_write(HOST_FS_SELECTOR, 0);
    vmcs_write(HOST_GS_SELECTOR, 0);
    vmcs_write(HOST_TR_SELECTOR, SEL_TSS); /* TR must not be 0 (SDM 27.2.3) */
    vmcs_write(HOST_FS_BASE, 0);
    vmcs_write(HOST_GS_BASE, (uint64_t)p);
    vmcs_write(HOST_TR_BASE, (uint64_t)&p->gdt.tss);
    vmcs_write(HOST_GDTR_BASE, gdtr.base);
    vmcs_write(HOST_IDTR_BASE, idtr.base);
    vmcs_write(HOST_IA32_SYSENTER_CS, 0);
    vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
    vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
    vmcs_write(HOST_RIP, (uint64_t)vmx_exit_stub);
}

static int setup_controls(struct vcpu *v, const struct vcpu_config *c, uint32_t *exit_ctl,
                          uint32_t *entry_ctl)
{
    uint32_t pin, proc, proc2, pin_req = 0, proc2_req = 0;
    /* HLT exiting (SDM 25.6.2) where a halted vCPU must give its CPU to others (a time slice)
     * or has no interrupt controllers whose events would wake it (exit_hlt). A vCPU alone on
     * its host CPU with device time runs HLT itself and waits in the HLT state: the
     * VMX-preemption timer, set for its next device event, counts down there and exits (SDM
     * 26.5.1), and another CPU's kick, a host interrupt, exits by external-interrupt exiting
     * (SDM 26.2); the step before the entry then delivers the interrupt, which ends the HLT
     * state (SDM 27.6.3; apicv.c for a virtual interrupt). One exit per wake-up instead of
     * two (HLT, then the timer). */
    bool hlt_native = !c->time_slice && c->device_time && v->ops && v->ops->intr_peek;
    if (c->time_slice || c->device_time || v->watchdog.period)
        pin_req |= PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER; /* SDM 26.5.1 */
    if (c->eptp)
        proc2_req |= PROC_BASED2_ENABLE_EPT | PROC_BASED2_UNRESTRICTED_GUEST; /* SDM 26.6 */
    if (c->vpid)
        proc2_req |= PROC_BASED2_ENABLE_VPID; /* SDM 29.1 */
    if (c->eptp_list)
        proc2_req |= PROC_BASED2_ENABLE_VM_FUNCTIONS; /* SDM 26.5.6 */
    /* External interrupts and NMIs stop the guest so the host handles them (SDM 26.2). With
     * NMI exiting, the guest's IRET no longer unblocks NMIs unless virtual NMIs are on (SDM
     * 26.3); they also make NMI-window exiting possible (SDM 27.2.1.1). */
    if (adjust(VMX_CTL_PIN,
               PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING |
                   PIN_BASED_VIRTUAL_NMIS,
               pin_req, &pin) ||
        /* TSC offsetting: the guest's TSC is its own, never a host write (SDM 26.3). MONITOR,
         * MWAIT and RDPMC exit: the guest has none of them (vmx/exit_misc.c). */
        adjust(VMX_CTL_PROC,
               (hlt_native ? 0 : PROC_BASED_HLT_EXITING) | PROC_BASED_USE_TSC_OFFSETTING |
                   PROC_BASED_RDPMC_EXITING | PROC_BASED_MONITOR_EXITING | PROC_BASED_MWAIT_EXITING,
               PROC_BASED_USE_IO_BITMAPS | PROC_BASED_USE_MSR_BITMAPS |
                   PROC_BASED_ACTIVATE_SECONDARY_CONTROLS,
               &proc) ||
        /* Instructions a guest may use would #UD unless enabled (SDM 25.6.2). XSAVES and
         * XRSTORS stay #UD: CPUID does not show them (there is no IA32_XSS for guests). */
        adjust(VMX_CTL_PROC2,
               PROC_BASED2_WBINVD_EXITING | PROC_BASED2_ENABLE_RDTSCP | PROC_BASED2_ENABLE_INVPCID,
               proc2_req, &proc2) ||
        /* The debug controls keep the guest's DR7 and IA32_DEBUGCTL across exits (SDM 28.3.1,
         * 27.3.2.1); without them its hardware breakpoints stop at the first exit. */
        adjust(VMX_CTL_EXIT,
               VM_EXIT_CTL_SAVE_IA32_EFER | VM_EXIT_CTL_LOAD_IA32_EFER | VM_EXIT_CTL_SAVE_IA32_PAT |
                   VM_EXIT_CTL_LOAD_IA32_PAT | VM_EXIT_CTL_SAVE_DEBUG_CONTROLS,
               VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE, exit_ctl) ||
        adjust(VMX_CTL_ENTRY,
               VM_ENTRY_CTL_LOAD_IA32_EFER | VM_ENTRY_CTL_LOAD_IA32_PAT |
                   VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS,
               c->mode == VCPU_MODE_LONG64 || c->mode == VCPU_MODE_GUEST64
                   ? VM_ENTRY_CTL_IA32E_MODE_GUEST
                   : 0,
               entry_ctl))
        return -1;
    if (console_level() >= LOG_DEBUG) {
        static const struct {
            enum vmx_ctl which;
            const char *name;
        } shown[] = {{VMX_CTL_PIN, "pin-based"},
                     {VMX_CTL_PROC, "processor-based"},
                     {VMX_CTL_PROC2, "secondary"},
                     {VMX_CTL_EXIT, "VM-exit"},
                     {VMX_CTL_ENTRY, "VM-entry"}};
        const uint32_t values[] = {pin, proc, proc2, *exit_ctl, *entry_ctl};
        for (size_t i = 0; i < 5; i++) {
            char names[400];
            vmcs_format_controls(names, sizeof(names), shown[i].which, values[i]);
            pr_debug("vmx: %s: %s controls 0x%08x: %s\n", v->name, shown[i].name, values[i], names);
        }
    }
    vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin);
    v->kick_nmi = (pin & PIN_BASED_NMI_EXITING) != 0; /* vmx/vcpu_kick.c */
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
    vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
    vmcs_write(VM_EXIT_CONTROLS, *exit_ctl);
    vmcs_write(VM_ENTRY_CONTROLS, *entry_ctl);
    vmcs_write(EXCEPTION_BITMAP, v->exc.bitmap); /* SDM 25.6.3: exceptions=, 0 by default */
    vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, v->exc.pfec_mask);
    vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, v->exc.pfec_match);
    vmcs_write(CR3_TARGET_COUNT, 0);
    vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
    vmcs_write(IO_BITMAP_A, v->io_bitmap_a);
    vmcs_write(IO_BITMAP_B, v->io_bitmap_b);
    vmcs_write(MSR_BITMAP, v->msr_bitmap);
    vmcs_write(VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (SDM 27.3.1.5) */
    if (c->eptp)
        vmcs_write(EPT_POINTER, c->eptp);
    if (c->vpid)
        vmcs_write(VIRTUAL_PROCESSOR_ID, c->vpid);
    if (c->eptp_list) {
        vmcs_write(VM_FUNCTION_CONTROL, 1); /* VM function 0: EPTP switching (SDM 25.6.14) */
        vmcs_write(EPTP_LIST_ADDRESS, c->eptp_list);
    }
    v->time_slice = c->time_slice;
    v->device_time = c->device_time;
    /* a CPU whose HLT exiting is fixed at 1 (allowed-0 clear, SDM A.3.2) keeps the exits */
    v->hlt_native = hlt_native && !(proc & PROC_BASED_HLT_EXITING);
    v->hlt_exiting = false;
    v->hlt_check = tsc_per_ms() * VCPU_HLT_CHECK_MS;
    watchdog_start(&v->watchdog, v->watchdog.period, rdtsc()); /* its period set by its VM */
    v->tsc_offsetting = (proc & PROC_BASED_USE_TSC_OFFSETTING) != 0;
    if (v->tsc_offsetting) {
        /* the VM's common offset, or one that starts the guest's TSC near 0 */
        v->tsc_offset = c->tsc_offset_valid ? c->tsc_offset : -rdtsc();
        vmcs_write(TSC_OFFSET, v->tsc_offset);
    }
    v->tsc_adjust = 0; /* IA32_TSC_ADJUST at power-up (SDM 18.17.3) */
    return 0;
}

/* CR0/CR4 bits the guest may not change: the VMX fixed bits (SDM 25.6.6, A.7, A.8); with
 * unrestricted guest CR0.PE and PG are the guest's own (SDM 27.3.1.1). The guest reads the
 * shadow for the others; writing a value that differs from the shadow causes a CR-access exit. */
static void setup_cr(struct vcpu *v, uint64_t cr0, uint64_t cr4, bool unrestricted)
{
    uint64_t free0 = unrestricted ? VMX_CR0_UNRESTRICTED_EXEMPT : 0;
    v->cr0_mask = ((vmx.caps.cr0_fixed0 & ~free0) | ~vmx.caps.cr0_fixed1) & 0xffffffffull;
    /* VM entry leaves CR0.CD and NW as the host had them (SDM 27.3.2.1): the guest reads its
     * own through the shadow (a host left with CD | NW set, as Bochs's BIOS leaves it, would
     * otherwise show NW without CD to a guest that sets CD, whose write-back then #GPs). */
    v->cr0_mask |= CR0_CD | CR0_NW;
    v->cr4_mask = (vmx.caps.cr4_fixed0 | ~vmx.caps.cr4_fixed1) & 0xffffffffull;
    vmcs_write(GUEST_CR0, vcpu_real_cr0(v, cr0));
    vmcs_write(GUEST_CR4, vcpu_real_cr4(v, cr4));
    vmcs_write(CR0_GUEST_HOST_MASK, v->cr0_mask);
    vmcs_write(CR4_GUEST_HOST_MASK, v->cr4_mask);
    vmcs_write(CR0_READ_SHADOW, cr0);
    vmcs_write(CR4_READ_SHADOW, cr4 & ~CR4_VMXE); /* the guest does not see CR4.VMXE */
}

uint64_t vcpu_real_cr0(const struct vcpu *v, uint64_t guest_value)
{
    uint64_t fixed0 = vmx.caps.cr0_fixed0 & v->cr0_mask;
    return (guest_value | fixed0) & (vmx.caps.cr0_fixed1 | ~v->cr0_mask);
}

uint64_t vcpu_real_cr4(const struct vcpu *v, uint64_t guest_value)
{
    (void)v;
    return vmx_fixed_cr(guest_value | CR4_VMXE, vmx.caps.cr4_fixed0, vmx.caps.cr4_fixed1);
}

static void segment(uint32_t sel_field, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    /* Selector 0x0800+2n, limit 0x4800+2n, AR 0x4814+2n, base 0x6806+2n (SDM B.1.2-B.4.3). */
    uint32_t n = (sel_field - GUEST_ES_SELECTOR) / 2;
    vmcs_write(GUEST_ES_SELECTOR + 2 * n, sel);
    vmcs_write(GUEST_ES_LIMIT + 2 * n, limit);
    vmcs_write(GUEST_ES_AR_BYTES + 2 * n, ar);
    vmcs_write(GUEST_ES_BASE + 2 * n, base);
}

static const uint32_t data_segments[] = {GUEST_SS_SELECTOR, GUEST_DS_SELECTOR, GUEST_ES_SELECTOR,
                                         GUEST_FS_SELECTOR, GUEST_GS_SELECTOR};

/* Guest state of the start mode (SDM 25.4, checked by SDM 27.3.1). */
static void setup_guest_mode(struct vcpu *v, const struct vcpu_config *c, uint32_t entry_ctl)
{
    bool ug = c->eptp != 0;
    uint64_t efer = 0;
    vmcs_write(GUEST_RIP, c->rip);
    vmcs_write(GUEST_RSP, c->rsp);
    v->regs.rax = c->rax;
    v->regs.rbx = c->rbx;
    switch (c->mode) {
    case VCPU_MODE_LONG64: {
        struct desc_ptr gdtr;
        sgdt(&gdtr);
        setup_cr(v, read_cr0(), read_cr4() & ~CR4_VMXE, ug);
        vmcs_write(GUEST_CR3, c->cr3 ? c->cr3 : read_cr3());
        segment(GUEST_CS_SELECTOR, SEL_CODE64, 0, 0xffffffff, AR_CODE64);
        for (size_t i = 0; i < 5; i++)
            segment(data_segments[i], SEL_DATA, 0, 0xffffffff, AR_DATA);
        segment(GUEST_TR_SELECTOR, SEL_TSS, 0, 0x67, AR_TSS_BUSY); /* usable (27.3.1.2) */
        vmcs_write(GUEST_GDTR_BASE, gdtr.base);
        vmcs_write(GUEST_GDTR_LIMIT, gdtr.limit);
        vmcs_write(GUEST_IDTR_BASE, c->idt_base);
        vmcs_write(GUEST_IDTR_LIMIT, c->idt_limit);
        efer = rdmsr(MSR_EFER); /* LME and LMA set (SDM 27.3.1.1) */
        break;
    }
    case VCPU_MODE_PROT32: /* Multiboot 3.2 / Multiboot2 3.3: flat 4 GiB, paging off */
        setup_cr(v, CR0_PE | CR0_ET, 0, ug);
        vmcs_write(GUEST_CR3, 0);
        segment(GUEST_CS_SELECTOR, 0x08, 0, 0xffffffff, AR_CODE32);
        for (size_t i = 0; i < 5; i++)
            segment(data_segments[i], 0x10, 0, 0xffffffff, AR_DATA);
        segment(GUEST_TR_SELECTOR, 0, 0, 0xffff, AR_TSS32_BUSY);
        vmcs_write(GUEST_GDTR_BASE, 0);
        vmcs_write(GUEST_GDTR_LIMIT, 0);
        vmcs_write(GUEST_IDTR_BASE, 0);
        vmcs_write(GUEST_IDTR_LIMIT, 0);
        break;
    case VCPU_MODE_GUEST64:
        /* Linux boot protocol (Documentation/arch/x86/boot.rst) "64-bit BOOT PROTOCOL": long
         * mode, paging on the loader's identity map, CS/DS the loader's GDT entries as if
         * loaded from it, interrupts off (RFLAGS 0x2 below), RSI = boot_params. TR: an empty
         * busy 64-bit TSS, which IA-32e mode requires (SDM 27.3.1.2); the kernel loads its own
         * before it needs one. */
        setup_cr(v, CR0_PG | CR0_PE | CR0_ET, c->cr4, ug);
        vmcs_write(GUEST_CR3, c->cr3);
        segment(GUEST_CS_SELECTOR, c->cs, 0, 0xffffffff, AR_CODE64);
        for (size_t i = 0; i < 5; i++)
            segment(data_segments[i], c->ss, 0, 0xffffffff, AR_DATA);
        segment(GUEST_TR_SELECTOR, 0, 0, 0x67, AR_TSS_BUSY);
        vmcs_write(GUEST_GDTR_BASE, c->gdt_base);
        vmcs_write(GUEST_GDTR_LIMIT, c->gdt_limit);
        vmcs_write(GUEST_IDTR_BASE, 0);
        vmcs_write(GUEST_IDTR_LIMIT, 0);
        v->regs.rsi = c->rsi;
        efer = c->efer; /* LME and LMA (SDM 27.3.1.1) */
        break;
    case VCPU_MODE_REAL: /* real-address mode: base = selector << 4, 64 KiB limits */
        setup_cr(v, CR0_ET, 0, ug);
        vmcs_write(GUEST_CR3, 0);
        segment(GUEST_CS_SELECTOR, c->cs, (uint64_t)c->cs << 4, 0xffff, AR_REAL_CODE);
        for (size_t i = 0; i < 5; i++)
            segment(data_segments[i], 0, 0, 0xffff, AR_REAL_DATA);
        segment(GUEST_SS_SELECTOR, c->ss, (uint64_t)c->ss << 4, 0xffff, AR_REAL_DATA);
        segment(GUEST_TR_SELECTOR, 0, 0, 0xffff, AR_TSS32_BUSY);
        vmcs_write(GUEST_GDTR_BASE, 0);
        vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
        vmcs_write(GUEST_IDTR_BASE, 0);
        vmcs_write(GUEST_IDTR_LIMIT, 0x3ff); /* the real-mode IVT */
        break;
    }
    segment(GUEST_LDTR_SELECTOR, 0, 0, 0, AR_UNUSABLE);
    if (entry_ctl & VM_ENTRY_CTL_LOAD_IA32_EFER)
        vmcs_write(GUEST_IA32_EFER, efer);
}

int vcpu_init(struct vcpu *v, const struct vcpu_config *c)
{
    uint64_t limit = vmx.caps.phys_addr_32bit ? (1ull << 32) : 0;
    if (!v->vmcs_phys) { /* a vCPU started again after an INIT keeps its pages */
        v->vmcs_phys = mem_alloc_aligned(1, 4096, limit);
        v->io_bitmap_a = mem_alloc_pages(1);
        v->io_bitmap_b = mem_alloc_pages(1);
        v->msr_bitmap = mem_alloc_pages(1);
    }
    if (!v->vmcs_phys || !v->io_bitmap_a || !v->io_bitmap_b || !v->msr_bitmap) {
        pr_err("vmx: out of memory for a vCPU\n");
        return -1;
    }
    if (c->mode != VCPU_MODE_LONG64 && !c->eptp) {
        pr_err("vmx: %s: real and protected mode guests need EPT (unrestricted guest)\n", v->name);
        return -1;
    }
    /* Every port and every MSR exits unless a handler opens it (SDM 25.6.4, 25.6.9). */
    memset(phys_to_virt(v->io_bitmap_a), 0xff, 4096);
    memset(phys_to_virt(v->io_bitmap_b), 0xff, 4096);
    memset(phys_to_virt(v->msr_bitmap), 0xff, 4096);
    exit_msr_setup_bitmap(phys_to_virt(v->msr_bitmap));

    /* SDM 25.2: revision id, then VMCLEAR (launch state "clear") and VMPTRLD. */
    *(volatile uint32_t *)phys_to_virt(v->vmcs_phys) = vmx.caps.revision_id;
    enum vmx_status st = vmclear(v->vmcs_phys);
    if (st == VMX_OK)
        st = vmptrld(v->vmcs_phys);
    if (st != VMX_OK) {
        pr_err("vmx: VMCLEAR/VMPTRLD of 0x%lx failed (%s)\n", v->vmcs_phys,
               st == VMX_FAIL_INVALID ? "VMfailInvalid" : vmcs_last_error(NULL));
        return -1;
    }
    vmx_this_cpu()->current = v;
    v->launched = false;
    v->host_cpu = this_cpu_id();
    vcpu_state_forget(v);
    exit_msr_init_vcpu(v);
    memset(&v->events, 0, sizeof(v->events));
    v->attention = v->windows_open = v->halted = false;
    v->test_irq = -1;
    if (vcpu_state_init(v)) {
        pr_err("vmx: out of memory for the FPU state of a vCPU\n");
        return -1;
    }

    uint32_t exit_ctl, entry_ctl;
    if (setup_controls(v, c, &exit_ctl, &entry_ctl))
        return -1;
    apicv_vcpu_setup(v);
    setup_host_state();
    if (exit_ctl & VM_EXIT_CTL_LOAD_IA32_EFER)
        vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
    if (exit_ctl & VM_EXIT_CTL_LOAD_IA32_PAT)
        vmcs_write(HOST_IA32_PAT, rdmsr(MSR_PAT));

    setup_guest_mode(v, c, entry_ctl);
    if (v->rm_int.on && c->mode == VCPU_MODE_REAL)
        vcpu_rm_int_start(v); /* book example 7-4: after the IDTR is set */
    vmcs_write(GUEST_DR7, 0x400);
    vmcs_write(GUEST_RFLAGS, 0x2);
    vmcs_write(GUEST_IA32_DEBUGCTL, 0);
    vmcs_write(GUEST_SYSENTER_CS, 0);
    vmcs_write(GUEST_SYSENTER_ESP, 0);
    vmcs_write(GUEST_SYSENTER_EIP, 0);
    if (entry_ctl & VM_ENTRY_CTL_LOAD_IA32_PAT)
        vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull); /* the power-up PAT (SDM 12.12.4) */
    vmcs_write(GUEST_ACTIVITY_STATE, 0);                   /* active */
    vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
    vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    /* TLBs are per logical processor: invalidate here, on the CPU that will run the vCPU,
     * anything an earlier user of this EPTP or VPID left (vmx/invalidate.h, SDM 29.4.3). */
    if (c->eptp)
        vmx_invept_context(c->eptp);
    if (c->vpid)
        vmx_invvpid_context(c->vpid);
    v->state = VCPU_NEW;
    return 0;
}

int vcpu_init_long_mode(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t idt_base,
                        uint16_t idt_limit)
{
    struct vcpu_config c = {.mode = VCPU_MODE_LONG64,
                            .rip = rip,
                            .rsp = rsp,
                            .idt_base = idt_base,
                            .idt_limit = idt_limit};
    return vcpu_init(v, &c);
}

const char *vcpu_stop_status_name(int status)
{
    static const char *const names[] = {"VM entry failed",
                                        "triple fault",
                                        "unhandled exit",
                                        "memory access outside the VM",
                                        "hung",
                                        "host could not run it",
                                        "no progress"};
    if (status >= 0 || status < VCPU_STOP_STATUS_MIN)
        return NULL;
    return names[-status - 1];
}

enum exit_action vcpu_stop(struct vcpu *v, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(v->stop_reason, sizeof(v->stop_reason), fmt, ap);
    va_end(ap);
    v->exit_status = status;
    return EXIT_STOP;
}

bool vcpu_in_64bit_code(const struct vcpu *v)
{
    (void)v;
    /* IA-32e mode is the "IA-32e mode guest" entry control, kept equal to EFER.LMA (SDM
     * 27.3.1.1); 64-bit code is CS.L in it (SDM 3.4.5). */
    return (vmcs_read(VM_ENTRY_CONTROLS) & VM_ENTRY_CTL_IA32E_MODE_GUEST) &&
           (vmcs_read(GUEST_CS_AR_BYTES) & AR_L);
}

void vcpu_skip_finish(struct vcpu *v, uint64_t rip, uint64_t rflags, uint32_t blocking)
{
    if (!vcpu_in_64bit_code(v)) /* IP or EIP by the code segment's D bit (SDM 3.4.5) */
        rip &= (vmcs_read(GUEST_CS_AR_BYTES) & AR_DB) ? 0xffffffffull : 0xffffull;
    v->guest_rip = rip;
    vmcs_write(GUEST_RIP, rip);
    if (blocking) /* STI / MOV SS blocking ends with the instruction (SDM 25.4.2) */
        vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
                   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & ~(uint64_t)3);
    if (rflags & RFLAGS_TF) /* single-step trap after it: pending #DB with BS (SDM 25.4.2) */
        vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | DR6_BS);
}

/* Register numbers of exit qualifications (SDM 28.2.1 table 28-3) into struct guest_regs. */
static uint64_t *gpr_slot(struct vcpu *v, unsigned n)
{
    static const unsigned char slot[16] = {0, 2, 3, 1, 0xff, 6, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14};
    return &v->regs.rax + slot[n & 15];
}

/* A value without bits above 31 is the same in every width: the mode is read (two VMREADs)
 * only when it matters. */
uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n)
{
    uint64_t value = (n & 15) == 4 ? vmcs_read(GUEST_RSP) : *gpr_slot(v, n);
    return (value >> 32) && !vcpu_in_64bit_code(v) ? (uint32_t)value : value;
}

void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t value)
{
    if ((value >> 32) && !vcpu_in_64bit_code(v))
        value = (uint32_t)value; /* a 32-bit destination zero-extends (SDM vol. 1 3.4.1.1) */
    if ((n & 15) == 4)
        vmcs_write(GUEST_RSP, value);
    else
        *gpr_slot(v, n) = value;
}

void vcpu_set_result(struct vcpu *v, uint64_t value)
{
    vcpu_set_gpr(v, 0, value);
}

static void report_entry_failure(struct vcpu *v, int st)
{
    uint32_t n = 0;
    console_lock();
    if (st == 1) {
        kprintf("vmx: VM entry of %s failed: VMfailInvalid (no valid current VMCS)\n", v->name);
    } else {
        const char *why = vmcs_last_error(&n);
        kprintf("vmx: VM entry of %s failed: VMfailValid, VM-instruction error %u: %s\n", v->name,
                n, why);
        vmx_entry_explain_vmfail(v, n); /* which rule (vmx/entry_explain.h) */
        vmcs_dump_current();
    }
    console_unlock();
    vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, "VM entry failed (VM-instruction error %u)", n);
}

/* Make v's VMCS the current one on this CPU (SDM 25.1: one current VMCS per CPU). */
static int vcpu_load(struct vmx_cpu *c, struct vcpu *v)
{
    if (c->current == v)
        return 0;
    enum vmx_status st = vmptrld(v->vmcs_phys);
    if (st != VMX_OK) {
        vcpu_stop(v, VCPU_STOP_HOST, "VMPTRLD failed (%s)",
                  st == VMX_FAIL_INVALID ? "VMfailInvalid" : vmcs_last_error(NULL));
        return -1;
    }
    c->current = v;
    return 0;
}

struct trace_mask vmx_trace_mask;

/* With log=trace, a traced exit's console line as well. Off the hot path. */
static __attribute__((noinline, cold)) void vcpu_trace_print(struct vcpu *v, uint64_t q,
                                                             uint64_t ticks)
{
    char reason[64];
    vmx_exit_reason_format(v->exit_reason, reason, sizeof(reason));
    pr_trace("vmx: %s: exit %s at RIP 0x%lx, qualification 0x%lx, handled in %lu ticks\n", v->name,
             reason, v->guest_rip, q, ticks);
}

int vmx_trace_setup(void)
{
    char err[200];
    if (trace_mask_parse(config.trace, &vmx_trace_mask, err, sizeof(err))) {
        pr_err("command line: %s\n", err);
        return -1;
    }
    /* log=trace: every exit on the console; tracedump without trace=: every exit recorded */
    if (config.log >= LOG_TRACE || (config.tracedump && !config.trace[0]))
        trace_mask_parse("all", &vmx_trace_mask, NULL, 0);
    vmx_trace_set(&vmx_trace_mask);
    if (trace_mask_count(&vmx_trace_mask))
        pr_info("vmx: %u exit reasons go into the debug record (trace=%s)\n",
                trace_mask_count(&vmx_trace_mask),
                config.log >= LOG_TRACE ? "all, for log=trace"
                : config.trace[0]       ? config.trace
                                        : "all, for tracedump");
    return 0;
}

/* The VMX-preemption timer serves two deadlines: the end of the vCPU's time slice, and the
 * next event of its devices (a timer interrupt due, for a running or a halted guest).
 *
 * A time slice is wall time on the host CPU, the guest's and its exits' handling alike. The
 * VMX-preemption timer counts only in VMX non-root operation (SDM 26.5.1), and without "save
 * VMX-preemption timer value" every entry would even restart it at a full slice: a guest that
 * exits often would then never be preempted, and one whose exits cost the host most of the
 * time would be charged little of it. So before each entry the slice's end is checked against
 * the TSC, and the timer is loaded with what is left of the nearer deadline (it counts
 * TSC >> IA32_VMX_MISC[4:0]). */
static __attribute__((noinline)) enum exit_action vcpu_timer_recharge(struct vcpu *v)
{
    uint64_t now = rdtsc(), deadline = UINT64_MAX;
    if (v->time_slice) {
        if ((int64_t)(v->slice_end - now) <= 0) {
            v->timer_exits++;
            return EXIT_YIELD;
        }
        deadline = v->slice_end;
    }
    if (v->device_time && v->ops && v->ops->next_event) {
        uint64_t next = v->ops->next_event(v);
        if (next < deadline)
            deadline = next;
    }
    if (watchdog_deadline(&v->watchdog) < deadline)
        deadline = watchdog_deadline(&v->watchdog); /* back for its next sample */
    if (v->hlt_native && deadline > now + v->hlt_check)
        deadline = now + v->hlt_check; /* a look at a guest halted for good (exit_hlt_check) */
    uint64_t ticks = deadline == UINT64_MAX ? UINT32_MAX
                     : (int64_t)(deadline - now) <= 0
                         ? 0
                         : (deadline - now) >> vmx.caps.preemption_timer_rate;
    vmcs_write(VMX_PREEMPTION_TIMER_VALUE, ticks > UINT32_MAX ? UINT32_MAX : ticks);
    return EXIT_RESUME;
}

/* The no-progress watchdog (vmx/watchdog.h), at an exit of a waiting CPU (PAUSE, HLT, the
 * preemption timer, ...): the progress exits since the last one count, then a sample; an idle
 * vCPU goes to the VM layer, which stops the VM when all its vCPUs are idle. */
static __attribute__((noinline)) enum exit_action vcpu_watchdog(struct vcpu *v)
{
    uint64_t now = rdtsc();
    v->idle_rsp = vmcs_read(GUEST_RSP); /* for the report of a VM that stopped moving */
    if (v->watchdog.moved) {
        v->watchdog.moved = false;
        watchdog_progress(&v->watchdog, now);
    }
    const uint64_t *gprs = &v->regs.rax;
    if (!watchdog_sample(&v->watchdog, now, gprs, sizeof(v->regs) / sizeof(uint64_t), v->guest_rip))
        return EXIT_RESUME;
    if (v->ops && v->ops->no_progress)
        return v->ops->no_progress(v);
    return vcpu_stop(v, VCPU_STOP_NO_PROGRESS, "no progress at RIP 0x%lx", v->guest_rip);
}

/* The exits nobody handles: entry failures (bit 31), reasons with other bits set (SDM 28.2.1)
 * and basic reasons without a handler. exit_dispatch reports them; they are counted and, when
 * their basic reason is in the trace mask, recorded like a traced exit. */
static __attribute__((noinline)) enum exit_action vcpu_exit_odd(struct vcpu *v)
{
    uint32_t reason = v->exit_reason, basic = reason & 0xffff;
    uint64_t t0 = rdtsc();
    enum exit_action a = exit_dispatch(v, basic);
    uint64_t ticks = rdtsc() - t0;
    if (basic < VM_EXIT_REASONS) {
        if (reason != basic) /* vmx_exit_handler counts the reasons it routed here */
            v->stats->count[basic]++;
        v->stats->ticks[basic] += ticks;
    }
    if (trace_mask_has(&vmx_trace_mask, basic)) {
        uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
        trace_append(v->ring, t0, TRACE_VM_EXIT, reason, v->guest_rip, q, ticks);
        if (__builtin_expect(console_level() >= LOG_TRACE, 0))
            vcpu_trace_print(v, q, ticks);
    }
    return a;
}

/* What vmx_exit_handler calls for each basic exit reason: its handler, or vcpu_exit_odd for
 * a reason without one; and whether the exit goes into the debug record (a reason in the
 * trace mask that has a handler: vcpu_exit_odd records the others itself). Built from the
 * exit table and the trace mask by vmx_trace_set, so the exit path tests neither a missing
 * handler nor a bit of the mask. */
static exit_handler_fn exit_route[VM_EXIT_REASONS];
static bool exit_traced[VM_EXIT_REASONS];
static bool exit_route_built;

static void vmx_exit_handler_traced(struct guest_regs *regs);
static void vmx_exit_handler_traced_print(struct guest_regs *regs);
/* What vmx_exit_stub calls (vmx/vmx_entry.S): vmx_exit_handler while the trace mask is
 * empty, so that the untraced exit path has no test of tracing at all. */
void (*vmx_exit_fn)(struct guest_regs *regs) = vmx_exit_handler;

void vmx_trace_set(const struct trace_mask *m)
{
    vmx_trace_mask = *m;
    for (uint32_t r = 0; r < VM_EXIT_REASONS; r++) {
        exit_route[r] = exit_table[r] ? exit_table[r] : vcpu_exit_odd;
        exit_traced[r] = exit_table[r] && trace_mask_has(&vmx_trace_mask, r);
    }
    /* log=trace: each traced exit printed too (the level is set once, at boot) */
    vmx_exit_fn = !trace_mask_count(&vmx_trace_mask) ? vmx_exit_handler
                  : console_level() >= LOG_TRACE     ? vmx_exit_handler_traced_print
                                                     : vmx_exit_handler_traced;
    exit_route_built = true;
}

/* A vCPU that runs HLT itself, after the step before the entry: HLT exits again while an
 * interrupt waits that the guest cannot take yet (RVI set under virtual-interrupt delivery
 * while RFLAGS.IF = 0 or STI / MOV SS blocking holds it back, or an interrupt or NMI window
 * open); an RVI the guest can take is delivered by the entry itself (SDM 30.2.1). On hardware the
 * interrupt ends the HLT state once the guest enables it, as in STI; HLT (SDM 30.2.1, 26.7.5);
 * Bochs 2.7 does not end a HLT state for a pending virtual interrupt, so the guest would sleep with
 * it until its next exit, as late as its next device event. The HLT exit makes the step before the
 * entry wake it (vmx/apicv.c), as for a vCPU that shares its CPU. */
static void vcpu_hlt_exiting(struct vcpu *v)
{
    bool on = v->windows_open;
    if (!on && v->apicv.plan.vid && v->apicv.virtual_apic &&
        (vmcs_read(GUEST_INTR_STATUS) & 0xff) != 0) /* RVI (SDM 25.4.2) */
        on = !(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) || (vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & 3);
    if (on == v->hlt_exiting)
        return;
    uint64_t proc = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
               on ? proc | PROC_BASED_HLT_EXITING : proc & ~(uint64_t)PROC_BASED_HLT_EXITING);
    v->hlt_exiting = on;
}

/* The work before an entry, off the fast path: the watchdog, events to inject, the timer's
 * next deadline, a stop request of the VM; and the return of a handler that did not resume.
 * Returns what vmx_exit_handler returns. */
static __attribute__((noinline)) int vcpu_before_entry(struct vcpu *v, enum exit_action a)
{
    /* The watchdog (its period makes timer_recharge set, vcpu_run): a progress exit only
     * marks the vCPU as moving (one store); the exits of a waiting CPU take a sample
     * (vcpu_watchdog). */
    if (v->watchdog.period != 0 && a == EXIT_RESUME) {
        if (watchdog_exit_is_idle(v->exit_reason) || v->kick_exit) /* a kick: waiting */
            a = vcpu_watchdog(v);
        else
            v->watchdog.moved = true;
    }
    v->kick_exit = false;
    if (v->attention && a == EXIT_RESUME) { /* events to inject */
        a = vcpu_prepare_entry(v);
        if (v->hlt_native)
            vcpu_hlt_exiting(v);
    }
    if (v->timer_recharge && a == EXIT_RESUME)
        a = vcpu_timer_recharge(v);
    if (a == EXIT_RESUME) {
        if (!*v->stop_request)
            return 0;
        a = vcpu_stop(v, v->exit_status, "its VM was stopped");
    }
    v->last_action = a;
    return 1;
}

/* A traced exit (its reason is in the trace mask, with a handler): timed, counted with its
 * handler ticks in the statistics, recorded (docs/trace.md); with print, also printed (log=trace).
 * The start time waits in v->exit_tsc as RDTSC gave it (two stores, no joining of the
 * halves), so that only v is kept across the handler's call; the handler's ticks are the
 * difference of the low halves (a handler of 2^32 ticks or more would show them wrapped).
 * The record's slot is taken after the handler: a handler may append records itself. */
static inline __attribute__((always_inline)) enum exit_action
exit_traced_run(struct vcpu *v, uint64_t reason, bool print)
{
    struct tsc_halves t0 = rdtsc_halves();
    v->exit_tsc_lo = t0.lo;
    v->exit_tsc_hi = t0.hi;
    enum exit_action a = exit_table[reason](v);
    uint32_t ticks = rdtsc_lo() - v->exit_tsc_lo;
    uint32_t r = v->exit_reason;
    v->stats->count[r]++;
    v->stats->ticks[r] += ticks;
    uint64_t q = vmcs_exit_read(VM_EXIT_QUALIFICATION); /* exit information stays until the entry */
    trace_append(v->ring, v->exit_tsc, TRACE_VM_EXIT, r, v->guest_rip, q, ticks);
    if (print)
        vcpu_trace_print(v, q, ticks);
    return a;
}

/* The exit path (vmx_exit_handler), and with traced set its variant for a non-empty trace
 * mask, which sends the reasons in exit_traced through exit_traced_run. */
static inline __attribute__((always_inline)) void exit_handle(struct guest_regs *regs, bool traced,
                                                              bool print)
{
    struct vcpu *v = (struct vcpu *)regs;             /* regs is the first member */
    uint64_t reason = vmcs_exit_read(VM_EXIT_REASON); /* 32 bits, zero-extended (SDM 31.3) */
    enum exit_action a;
    v->exit_reason = (uint32_t)reason;
    v->guest_rip = vmcs_exit_read(GUEST_RIP);
    if (__builtin_expect(reason < VM_EXIT_REASONS, 1)) {
        /* Expected: the traced exit is laid out inline, without a jump (trace=all) */
        if (traced && __builtin_expect(exit_traced[reason], 1)) {
            a = exit_traced_run(v, reason, print); /* counts it too */
        } else {
            a = exit_route[reason](v);
            v->stats->count[v->exit_reason]++; /* from memory: v is the only value kept */
        }
    } else {
        a = vcpu_exit_odd(v);
    }
    v->exits++;
    unsigned stop = *v->stop_request; /* one OR with the rest: a single branch */
    if (__builtin_expect(((unsigned)a | v->entry_work | stop) == 0, 1))
        return;
    if (vcpu_before_entry(v, a))
        vmx_leave_guest();
}

/* Called by vmx_entry.S when the kick flag is set at its last look before VMRESUME (another
 * CPU kicked this vCPU after the step before the entry: vmx/vcpu_kick.c): the flag is taken
 * and that step done again; returns to enter, or leaves the guest. */
static int vcpu_take_kick(struct vcpu *v)
{
    __atomic_store_n(&v->kicked, 0, __ATOMIC_SEQ_CST);
    return vcpu_before_entry(v, EXIT_RESUME);
}

void vmx_kicked(struct guest_regs *regs)
{
    if (vcpu_take_kick((struct vcpu *)regs))
        vmx_leave_guest();
}

/* Called by vmx_exit_stub (vmx/vmx_entry.S, through vmx_exit_fn) for every VM exit while the
 * trace mask is empty, with the guest's registers saved in v->regs: read the exit reason
 * (SDM 28.2.1), call what exit_route has for it, count it. It returns to resume the guest at
 * once; to return from vmx_run instead (the guest stops or yields its CPU; the action is in
 * v->last_action) it calls vmx_leave_guest.
 * The common exit costs two VMREADs, one bounds check, the call, two increments and two tests:
 * a reason below VM_EXIT_REASONS has no bit but the basic reason set (bit 31, entry failure,
 * and the others of SDM 28.2.1 go to vcpu_exit_odd); one word holds all the work before the
 * entry (entry_work), one flag the VM's stop request. */
void vmx_exit_handler(struct guest_regs *regs)
{
    exit_handle(regs, false, false);
}

/* The same with a trace mask: one more test (exit_traced) per exit, and for a traced exit no
 * call but the handler's (vmx_trace_set picks the variant). */
static void vmx_exit_handler_traced(struct guest_regs *regs)
{
    exit_handle(regs, true, false);
}

/* log=trace: each traced exit printed as well. */
static void vmx_exit_handler_traced_print(struct guest_regs *regs)
{
    exit_handle(regs, true, true);
}

_Static_assert(__builtin_offsetof(struct vcpu, regs) == 0, "vmx_entry.S passes &v->regs");

enum exit_action vcpu_run(struct vcpu *v)
{
    struct vmx_cpu *c = vmx_this_cpu();
    enum exit_action a = EXIT_STOP;
    if (vcpu_load(c, v))
        goto stopped;
    vcpu_state_switch_to(v); /* its FPU, debug registers, CR2, syscall MSRs */
    if (v->time_slice)       /* counts down at TSC >> IA32_VMX_MISC[4:0] (SDM 26.5.1) */
        v->slice_end = rdtsc() + ((uint64_t)v->time_slice << vmx.caps.preemption_timer_rate);
    v->timer_recharge = v->time_slice || v->device_time || v->watchdog.period;
    if (!v->stop_request) { /* nobody stops it from another CPU: a flag that stays false */
        static volatile bool never;
        v->stop_request = &never;
    }
    if (!exit_route_built) /* vmx_trace_setup built it, unless VMX came up another way */
        vmx_trace_set(&vmx_trace_mask);
    v->slices++;
    /* The one step before every entry: events, then the timer's deadline. */
    a = vcpu_prepare_entry(v);
    if (v->hlt_native)
        vcpu_hlt_exiting(v);
    if (a == EXIT_RESUME && v->timer_recharge)
        a = vcpu_timer_recharge(v);
    if (a == EXIT_YIELD)
        return a;
    if (a != EXIT_RESUME)
        goto stopped;
    a = EXIT_STOP;
    v->state = VCPU_RUNNING;
    v->ring = &this_cpu()->trace;
    v->stats = &c->exits;
    trace(TRACE_VM_ENTRY, v->id, v->launched, trace_vcpu_number(v, v->id, v->name), 0);
    if (config.entrycheck && !v->launched)
        vmx_entry_explain(v, NULL); /* the checker before the first VMLAUNCH (entrycheck=1) */
    int st;
    while ((st = vmx_run(&v->regs)) == VMX_RUN_KICKED) {
        /* kicked between the step before the entry and the entry: that step again */
        if (vcpu_take_kick(v)) {
            a = v->last_action; /* stopped or yields before entering */
            if (a == EXIT_YIELD)
                return a;
            goto stopped;
        }
    }
    if (__builtin_expect(st != 0, 0)) {
        report_entry_failure(v, st);
    } else {
        v->launched = true; /* an exit came: the launch state is "launched" (SDM 25.1) */
        a = v->last_action;
    }
    if (a == EXIT_YIELD)
        return a;
stopped:
    v->state = VCPU_STOPPED;
    pr_info("vmx: %s stopped on CPU %u after %lu exits: %s\n", v->name, this_cpu_id(), v->exits,
            v->stop_reason);
    if (v->ops && v->ops->stopped)
        v->ops->stopped(v);
    return EXIT_STOP;
}

void vmx_print_exit_stats(uint32_t cpu)
{
    struct vmx_cpu *c = cpus[cpu].vmx;
    if (!c)
        return;
    console_lock();
    kprintf("exit statistics of CPU %u (reason, count, average handler ticks of the traced "
            "exits):\n",
            cpu);
    for (uint32_t r = 0; r < VM_EXIT_REASONS; r++) {
        uint64_t n = c->exits.count[r], ticks = c->exits.ticks[r];
        if (!n)
            continue;
        const char *name = vmx_exit_reason_name(r);
        kprintf("  exits cpu=%u reason=%u %-22s count=%lu avg_ticks=%lu\n", cpu, r,
                name ? name : "?", n, ticks / n);
        trace(TRACE_NOTE, 0xe5, r, n, ticks);
    }
    console_unlock();
}
