/*
 * scenarios/entry_diff_base.c - the valid base VMCS of the differential test of the VM-entry
 * checker (scenario entry-diff, book example 5-1).
 *
 * The guest is a small built-in 64-bit guest on pages the test owns: code (HLT; JMP back), an
 * IDT whose 256 gates lead to that code, a GDT with the selectors vcpu_init gives the guest, a
 * stack and its own 4-level page tables. Its EPT maps those guest-physical pages and nothing
 * else, so whatever a mutated state makes the guest do stays in them. vcpu_init builds the VMCS
 * as for any built-in guest; then the safety contract of vmx/entry_mutate.h is applied:
 *   B1 VMX-preemption timer active with value 0, every exception in the exception bitmap, EPT
 *      (and the secondary controls) on, external-interrupt and NMI exiting on (vcpu_init);
 *   B2 every host-state field holds this CPU's current value, also where no control loads it;
 *      HOST_RIP is vmx_entry_probe_exit (vmx/entry_probe.S);
 *   B3 a scratch page behind every address control, MSR-area counts 0.
 * The image holds every field the CPU lets VMREAD read, except the read-only exit information.
 */
#include <string.h>
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/desc.h"
#include "platform/fmt.h"
#include "platform/mem.h"
#include "platform/x86.h"
#include "scenarios/entry_diff.h"
#include "vmx/entry_probe.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_insn.h"

/* Guest-physical (and linear: the guest's page tables map them 1:1) layout. */
#define G_CODE      0x1000ULL
#define G_IDT       0x2000ULL
#define G_GDT       0x3000ULL
#define G_STACK     0x4000ULL
#define G_PML4      0x5000ULL
#define G_PDPT      0x6000ULL
#define G_PD        0x7000ULL
#define G_PT        0x8000ULL
#define GUEST_PAGES 8

#define PTE_P_W 3ULL /* present, writable, supervisor (SDM 4.5) */

static uint64_t ept_alloc(void *ctx)
{
    (void)ctx;
    return mem_alloc_pages(1);
}

static void ept_free(void *ctx, uint64_t p)
{
    (void)ctx;
    mem_free_pages(p, 1);
}

static void *ept_ptr(void *ctx, uint64_t p)
{
    (void)ctx;
    return phys_to_virt(p);
}

/* 64-bit interrupt gate to G_CODE (SDM 6.14.1, figure 6-8) */
static void idt_gate(uint64_t *slot)
{
    uint64_t off = G_CODE;
    /* cppcheck-suppress badBitmaskCheck ; G_CODE's middle bits may be zero, the formula is general
     */
    slot[0] = (off & 0xffff) | ((uint64_t)SEL_CODE64 << 16) | (0x8eULL << 40) |
              ((off >> 16 & 0xffff) << 48);
    slot[1] = off >> 32;
}

/* Fills the guest's pages, hpa[i] backing guest-physical page i + 1. */
static void build_guest(const uint64_t *hpa)
{
    uint8_t *code = phys_to_virt(hpa[0]);
    uint64_t *idt = phys_to_virt(hpa[1]), *gdt = phys_to_virt(hpa[2]);
    uint64_t *pml4 = phys_to_virt(hpa[4]), *pdpt = phys_to_virt(hpa[5]);
    uint64_t *pd = phys_to_virt(hpa[6]), *pt = phys_to_virt(hpa[7]);
    code[0] = 0xf4; /* HLT */
    code[1] = 0xeb; /* JMP back to the HLT */
    code[2] = 0xfd;
    for (int v = 0; v < 256; v++)
        idt_gate(&idt[2 * v]);
    /* the selectors vcpu_init gives a 64-bit guest (SDM 3.4.5, 7.2.3) */
    gdt[SEL_CODE64 >> 3] = 0x00af9b000000ffffULL; /* code, DPL 0, L=1, G=1 */
    gdt[SEL_DATA >> 3] = 0x00cf93000000ffffULL;   /* data read/write, DPL 0, D/B=1, G=1 */
    gdt[SEL_TSS >> 3] = 0x00008b0000000067ULL;    /* busy 64-bit TSS at 0, limit 0x67 */
    gdt[(SEL_TSS >> 3) + 1] = 0;
    pml4[0] = G_PDPT | PTE_P_W;
    pdpt[0] = G_PD | PTE_P_W;
    pd[0] = G_PT | PTE_P_W;
    for (uint64_t p = 1; p <= GUEST_PAGES; p++)
        pt[p] = (p << 12) | PTE_P_W;
}

static int build_ept(struct ediff_base *b, const uint64_t *hpa, char *err, size_t len)
{
    struct ept_mem m = {ept_alloc, ept_free, ept_ptr, NULL};
    unsigned maxpa = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;
    int rc = ept_init(&b->ept, &m, EPT_PAGE_4K, false, vmx.caps.ept.execute_only);
    if (!rc)
        rc = ept_set_phys_bits(&b->ept, maxpa);
    for (uint64_t p = 0; !rc && p < GUEST_PAGES; p++)
        rc = ept_map(&b->ept, (p + 1) << 12, hpa[p], 4096, EPT_R | EPT_W | EPT_X, EPT_MT_WB, false);
    if (rc)
        fmt_snprintf(err, len, "EPT: %s", ept_error_str(rc));
    return rc ? -1 : 0;
}

static void wr(uint32_t enc, uint64_t value)
{
    vmwrite(enc, value); /* a field this CPU does not have is refused: nothing to set then */
}

/* B3: a page of its own behind every address control, whether its feature is on or not. */
static int scratch_addresses(struct ediff_base *b)
{
    static const uint32_t fields[] = {
        VIRTUAL_APIC_PAGE_ADDR, APIC_ACCESS_ADDR,      PML_ADDRESS,
        EPTP_LIST_ADDRESS,      VMREAD_BITMAP,         VMWRITE_BITMAP,
        VE_INFORMATION_ADDRESS, SPP_TABLE_POINTER,     POSTED_INTR_DESC_ADDR,
        VM_EXIT_MSR_STORE_ADDR, VM_EXIT_MSR_LOAD_ADDR, VM_ENTRY_MSR_LOAD_ADDR,
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        uint64_t page = mem_alloc_pages(1);
        if (!page)
            return -1;
        b->scratch_used++;
        wr(fields[i], page);
    }
    wr(VM_EXIT_MSR_STORE_COUNT, 0);
    wr(VM_EXIT_MSR_LOAD_COUNT, 0);
    wr(VM_ENTRY_MSR_LOAD_COUNT, 0);
    return 0;
}

/* B2: the host-state fields vcpu_init leaves to the controls, with this CPU's values. */
static void host_values(void)
{
    uint32_t max_basic = cpuid(0, 0).eax;
    wr(HOST_IA32_PAT, rdmsr(MSR_PAT));
    wr(HOST_IA32_EFER, rdmsr(MSR_EFER));
    wr(HOST_IA32_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
    wr(HOST_IA32_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
    wr(HOST_IA32_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
    wr(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    wr(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    /* IA32_PERF_GLOBAL_CTRL exists from architectural performance monitoring version 2
     * (CPUID.0AH:EAX[7:0]); without it there is nothing a VM exit could load */
    wr(HOST_IA32_PERF_GLOBAL_CTRL,
       max_basic >= 0xa && (cpuid(0xa, 0).eax & 0xff) >= 2 ? rdmsr(MSR_PERF_GLOBAL_CTRL) : 0);
    wr(HOST_RIP, (uint64_t)vmx_entry_probe_exit);
}

static int capture(struct vmcs_image *im)
{
    vmcs_image_init(im);
    for (size_t i = 0; i < vmcs_field_count(); i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        uint64_t v;
        if (f->read_only || vmread(f->encoding, &v) != VMX_OK)
            continue;
        if (vmcs_image_set(im, f->encoding, v))
            return -1;
    }
    return 0;
}

int ediff_base_build(struct ediff_base *b, char *err, size_t len)
{
    uint64_t hpa[GUEST_PAGES];
    const struct vmx_ctl_allowed *pin = &vmx.caps.ctl[VMX_CTL_PIN];
    memset(b, 0, sizeof(*b));
    if (!vmx.usable || vmx_enable_this_cpu()) {
        fmt_snprintf(err, len, "VMX is not usable here");
        return -1;
    }
    if (!(pin->allowed1 & PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER)) {
        fmt_snprintf(err, len,
                     "this CPU has no VMX-preemption timer (the guest must exit at once)");
        return -1;
    }
    for (int i = 0; i < GUEST_PAGES; i++)
        if (!(hpa[i] = mem_alloc_pages(1))) {
            fmt_snprintf(err, len, "out of memory for the guest");
            return -1;
        }
    b->guest_pages = GUEST_PAGES;
    build_guest(hpa);
    if (build_ept(b, hpa, err, len))
        return -1;
    b->v.name = "diff";
    struct vcpu_config c = {
        .mode = VCPU_MODE_LONG64,
        .rip = G_CODE,
        .rsp = G_STACK + 4096,
        .cr3 = G_PML4,
        .idt_base = G_IDT,
        .idt_limit = 256 * 16 - 1,
        .eptp = ept_eptp(&b->ept, EPT_MT_WB),
        .vpid = (vmx.caps.ctl[VMX_CTL_PROC2].allowed1 & PROC_BASED2_ENABLE_VPID) ? 1 : 0};
    if (vcpu_init(&b->v, &c)) {
        fmt_snprintf(err, len, "vcpu_init failed");
        return -1;
    }
    /* B1 */
    wr(PIN_BASED_VM_EXEC_CONTROL,
       vmcs_read(PIN_BASED_VM_EXEC_CONTROL) | PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER);
    wr(VMX_PREEMPTION_TIMER_VALUE, 0);
    wr(EXCEPTION_BITMAP, 0xffffffff);
    wr(GUEST_GDTR_BASE, G_GDT);
    wr(GUEST_GDTR_LIMIT, 8 * ((SEL_TSS >> 3) + 2) - 1);
    wr(TSC_MULTIPLIER, 1ULL << 48); /* 1.0 (SDM 26.3): what "use TSC scaling" would want */
    wr(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
    wr(VM_ENTRY_INSTRUCTION_LEN, 0);
    host_values(); /* B2 */
    if (scratch_addresses(b)) {
        fmt_snprintf(err, len, "out of memory for the scratch pages");
        return -1;
    }
    if (capture(&b->im)) {
        fmt_snprintf(err, len, "the VMCS has more fields than an image holds");
        return -1;
    }
    return 0;
}

unsigned ediff_load(const struct vmcs_image *im)
{
    unsigned failed = 0;
    for (unsigned i = 0; i < im->n; i++)
        failed += vmwrite(im->enc[i], im->val[i]) != VMX_OK;
    return failed;
}
