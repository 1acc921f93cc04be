/* vmx/vcpu.c - filling a VMCS for a 64-bit guest (book 3.4, 5.1; SDM 25, 27.2-27.3) and the
 * run loop: enter, take the VM exit, dispatch it through the exit table, enter again. */
#include <stdarg.h>
#include <string.h>
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/desc.h"
#include "platform/fmt.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_names.h"

int vmx_run(struct guest_regs *regs, int launched);
extern char vmx_exit_stub[];

#define MSR_IA32_PAT          0x277
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176

/* Access rights (SDM 25.4.1, table 25-2). */
#define AR_CODE64   0xa09b  /* present, DPL 0, code execute/read accessed, L=1, G=1 */
#define AR_DATA     0xc093  /* present, DPL 0, data read/write accessed, D/B=1, G=1 */
#define AR_TSS_BUSY 0x008b  /* present, 64-bit busy TSS */
#define AR_UNUSABLE 0x10000 /* bit 16: segment unusable */

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

static void guest_segment(uint32_t sel_field, uint16_t sel, uint32_t ar)
{
    /* Selector, base, limit and access rights are consecutive encodings apart by type:
     * selector 0x0800+2n, limit 0x4800+2n, AR 0x4814+2n, base 0x6806+2n (SDM B.1.2-B.4.3). */
    uint32_t n = (sel_field - GUEST_ES_SELECTOR) / 2;
    vmcs_write(GUEST_ES_SELECTOR + 2 * n, sel);
    vmcs_write(GUEST_ES_LIMIT + 2 * n, ar == AR_TSS_BUSY ? 0x67 : 0xffffffff);
    vmcs_write(GUEST_ES_AR_BYTES + 2 * n, ar);
    vmcs_write(GUEST_ES_BASE + 2 * n, 0);
}

static int setup_controls(struct vcpu *v, uint32_t *exit_ctl, uint32_t *entry_ctl)
{
    uint32_t pin, proc, proc2;
    /* External interrupts and NMIs stop the guest so the host handles them (SDM 26.2). */
    if (adjust(VMX_CTL_PIN, PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING, 0,
               &pin) ||
        adjust(VMX_CTL_PROC, PROC_BASED_HLT_EXITING,
               PROC_BASED_USE_IO_BITMAPS | PROC_BASED_USE_MSR_BITMAPS |
                   PROC_BASED_ACTIVATE_SECONDARY_CONTROLS,
               &proc) ||
        /* Instructions a 64-bit guest may use would #UD unless enabled (SDM 25.6.2). */
        adjust(VMX_CTL_PROC2,
               PROC_BASED2_WBINVD_EXITING | PROC_BASED2_ENABLE_RDTSCP | PROC_BASED2_ENABLE_INVPCID |
                   PROC_BASED2_ENABLE_XSAVES_XRSTORS,
               0, &proc2) ||
        adjust(VMX_CTL_EXIT,
               VM_EXIT_CTL_SAVE_IA32_EFER | VM_EXIT_CTL_LOAD_IA32_EFER | VM_EXIT_CTL_SAVE_IA32_PAT |
                   VM_EXIT_CTL_LOAD_IA32_PAT,
               VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE, exit_ctl) ||
        adjust(VMX_CTL_ENTRY, VM_ENTRY_CTL_LOAD_IA32_EFER | VM_ENTRY_CTL_LOAD_IA32_PAT,
               VM_ENTRY_CTL_IA32E_MODE_GUEST, entry_ctl))
        return -1;
    vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin);
    vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
    vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
    vmcs_write(VM_EXIT_CONTROLS, *exit_ctl);
    vmcs_write(VM_ENTRY_CONTROLS, *entry_ctl);
    vmcs_write(EXCEPTION_BITMAP, 0);
    vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
    vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
    vmcs_write(CR3_TARGET_COUNT, 0);
    vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
    vmcs_write(IO_BITMAP_A, v->io_bitmap_a);
    vmcs_write(IO_BITMAP_B, v->io_bitmap_b);
    vmcs_write(MSR_BITMAP, v->msr_bitmap);
    vmcs_write(VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS (SDM 27.3.1.5) */
    return 0;
}

/* CR0/CR4 bits the guest may not change: the VMX fixed bits (SDM 25.6.6). The guest reads the
 * shadow for them; writing a value that differs from the shadow causes a CR-access exit. */
static void setup_cr(struct vcpu *v)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    v->cr0_mask = vmx.caps.cr0_fixed0 | ~vmx.caps.cr0_fixed1;
    v->cr4_mask = vmx.caps.cr4_fixed0 | ~vmx.caps.cr4_fixed1;
    vmcs_write(GUEST_CR0, cr0);
    vmcs_write(GUEST_CR4, cr4);
    vmcs_write(CR0_GUEST_HOST_MASK, v->cr0_mask);
    vmcs_write(CR4_GUEST_HOST_MASK, v->cr4_mask);
    vmcs_write(CR0_READ_SHADOW, cr0);
    vmcs_write(CR4_READ_SHADOW, cr4 & ~(1ull << 13)); /* the guest does not see CR4.VMXE */
}

int vcpu_init_long_mode(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t idt_base,
                        uint16_t idt_limit)
{
    uint64_t limit = vmx.caps.phys_addr_32bit ? (1ull << 32) : 0;
    v->vmcs_phys = mem_alloc_aligned(1, 4096, limit);
    v->io_bitmap_a = mem_alloc_pages(1);
    v->io_bitmap_b = mem_alloc_pages(1);
    v->msr_bitmap = mem_alloc_pages(1);
    if (!v->vmcs_phys || !v->io_bitmap_a || !v->io_bitmap_b || !v->msr_bitmap) {
        pr_err("vmx: out of memory for a vCPU\n");
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
    v->launched = false;
    v->host_cpu = this_cpu_id();
    v->xcr0 = 1;

    uint32_t exit_ctl, entry_ctl;
    if (setup_controls(v, &exit_ctl, &entry_ctl))
        return -1;
    setup_host_state();
    if (exit_ctl & VM_EXIT_CTL_LOAD_IA32_EFER)
        vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
    if (exit_ctl & VM_EXIT_CTL_LOAD_IA32_PAT)
        vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));

    /* Guest state (SDM 25.4): a flat 64-bit CPL-0 guest on the host's page tables. */
    setup_cr(v);
    struct desc_ptr gdtr;
    sgdt(&gdtr);
    vmcs_write(GUEST_CR3, read_cr3());
    vmcs_write(GUEST_DR7, 0x400);
    vmcs_write(GUEST_RSP, rsp);
    vmcs_write(GUEST_RIP, rip);
    vmcs_write(GUEST_RFLAGS, 0x2);
    guest_segment(GUEST_CS_SELECTOR, SEL_CODE64, AR_CODE64);
    guest_segment(GUEST_SS_SELECTOR, SEL_DATA, AR_DATA);
    guest_segment(GUEST_DS_SELECTOR, SEL_DATA, AR_DATA);
    guest_segment(GUEST_ES_SELECTOR, SEL_DATA, AR_DATA);
    guest_segment(GUEST_FS_SELECTOR, SEL_DATA, AR_DATA);
    guest_segment(GUEST_GS_SELECTOR, SEL_DATA, AR_DATA);
    guest_segment(GUEST_TR_SELECTOR, SEL_TSS, AR_TSS_BUSY); /* TR must be usable (27.3.1.2) */
    guest_segment(GUEST_LDTR_SELECTOR, 0, AR_UNUSABLE);
    vmcs_write(GUEST_GDTR_BASE, gdtr.base);
    vmcs_write(GUEST_GDTR_LIMIT, gdtr.limit);
    vmcs_write(GUEST_IDTR_BASE, idt_base);
    vmcs_write(GUEST_IDTR_LIMIT, idt_limit);
    vmcs_write(GUEST_IA32_DEBUGCTL, 0);
    vmcs_write(GUEST_SYSENTER_CS, 0);
    vmcs_write(GUEST_SYSENTER_ESP, 0);
    vmcs_write(GUEST_SYSENTER_EIP, 0);
    if (entry_ctl & VM_ENTRY_CTL_LOAD_IA32_EFER)
        vmcs_write(GUEST_IA32_EFER, rdmsr(MSR_EFER)); /* LME and LMA set (SDM 27.3.1.1) */
    if (entry_ctl & VM_ENTRY_CTL_LOAD_IA32_PAT)
        vmcs_write(GUEST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_write(GUEST_ACTIVITY_STATE, 0); /* active */
    vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
    vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
    v->state = VCPU_NEW;
    return 0;
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

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
    (void)v;
    /* VM-entry interruption information (SDM 25.8.3): valid, type 3 hardware exception. */
    uint32_t info = (1u << 31) | (3u << 8) | vector;
    if (has_error) {
        info |= 1u << 11;
        vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
    }
    vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

void vcpu_skip_instruction(struct vcpu *v)
{
    v->guest_rip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
    vmcs_write(GUEST_RIP, v->guest_rip);
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
        vmcs_dump_current();
    }
    console_unlock();
    vcpu_stop(v, -1, "VM entry failed (VM-instruction error %u)", n);
}

void vcpu_run(struct vcpu *v)
{
    struct vmx_cpu *c = vmx_this_cpu();
    v->state = VCPU_RUNNING;
    trace(TRACE_VM_ENTRY, v->id, v->launched, 0, 0);
    for (;;) {
        int st = vmx_run(&v->regs, v->launched);
        if (__builtin_expect(st != 0, 0)) {
            report_entry_failure(v, st);
            break;
        }
        v->launched = true;
        uint64_t t0 = rdtsc();
        v->exit_reason = (uint32_t)vmcs_read(VM_EXIT_REASON);
        v->guest_rip = vmcs_read(GUEST_RIP);
        v->exit_qualification = 0; /* handlers that read it fill it in */
        uint32_t basic = v->exit_reason & 0xffff;
        enum exit_action a = exit_dispatch(v, basic);
        uint64_t ticks = rdtsc() - t0;
        v->exits++;
        if (basic < VM_EXIT_REASONS) {
            c->exits[basic].count++;
            c->exits[basic].ticks += ticks;
        }
        trace(TRACE_VM_EXIT, v->exit_reason, v->guest_rip, v->exit_qualification, ticks);
        if (a == EXIT_STOP)
            break;
    }
    v->state = VCPU_STOPPED;
    pr_info("vmx: %s stopped on CPU %u after %lu exits: %s\n", v->name, this_cpu_id(), v->exits,
            v->stop_reason);
}

void vmx_print_exit_stats(uint32_t cpu)
{
    struct vmx_cpu *c = cpus[cpu].vmx;
    if (!c)
        return;
    console_lock();
    kprintf("exit statistics of CPU %u (reason, count, average handler ticks):\n", cpu);
    for (uint32_t r = 0; r < VM_EXIT_REASONS; r++) {
        if (!c->exits[r].count)
            continue;
        const char *name = vmx_exit_reason_name(r);
        kprintf("  exits cpu=%u reason=%u %-22s count=%lu avg_ticks=%lu\n", cpu, r,
                name ? name : "?", c->exits[r].count, c->exits[r].ticks / c->exits[r].count);
        trace(TRACE_NOTE, 0xe5, r, c->exits[r].count, c->exits[r].ticks);
    }
    console_unlock();
}
