/*
 * tests/unit/entry_fixture.c - valid VMCS images for the VM-entry checker tests (host only).
 *
 * Each base is a VMCS a processor of the named Bochs model accepts: controls are the model's
 * required bits plus the features the base uses, host state is a 64-bit host, guest state is
 * the base's mode. Every address field holds a valid address even when its feature is off, so
 * a test turns a feature on with one mutation.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/entry_fixture.h"
#include "tests/unit/fixtures.h"
#include "vmx/vmcs_fields.h"

static const char *const models[EF_COUNT] = {
    [EF_64] = "corei7_icelake_u",
    [EF_REAL] = "corei7_skylake_x",
    [EF_PM32] = "corei5_lynnfield_750",
    [EF_V86] = "corei7_skylake_x",
};

const char *ef_model(enum ef_base b)
{
    return (unsigned)b < EF_COUNT ? models[b] : "?";
}

void ef_mem_set(struct ef_mem *m, uint64_t addr, uint64_t val)
{
    for (unsigned i = 0; i < m->n; i++) {
        if (m->addr[i] == addr) {
            m->val[i] = val;
            return;
        }
    }
    if (m->n < 32) {
        m->addr[m->n] = addr;
        m->val[m->n++] = val;
    }
}

int ef_mem_read(void *ctx, uint64_t addr, uint64_t *val)
{
    const struct ef_mem *m = ctx;
    *val = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->addr[i] == addr)
            *val = m->val[i];
    return 0;
}

void ef_set(struct ef_setup *s, uint32_t enc, uint64_t v)
{
    if (vmcs_image_set(&s->im, enc, v) != 0)
        fprintf(stderr, "ef_set: bad field 0x%x\n", enc);
}

uint64_t ef_get(const struct ef_setup *s, uint32_t enc)
{
    uint64_t v = 0;
    vmcs_image_get(&s->im, enc, &v);
    return v;
}

void ef_or(struct ef_setup *s, uint32_t enc, uint64_t bits)
{
    ef_set(s, enc, ef_get(s, enc) | bits);
}

void ef_clr(struct ef_setup *s, uint32_t enc, uint64_t bits)
{
    ef_set(s, enc, ef_get(s, enc) & ~bits);
}

void ef_rebind(struct ef_setup *s)
{
    s->env.read = vmcs_image_read;
    s->env.read_ctx = &s->im;
    s->env.caps = &s->caps;
    s->env.phys_read = ef_mem_read;
    s->env.phys_ctx = &s->mem;
}

/* required bits | wanted bits of a control field */
static uint64_t ctl(const struct ef_setup *s, enum vmx_ctl which, uint64_t wanted)
{
    const struct vmx_ctl_allowed *a = &s->caps.ctl[which];
    return (a->allowed0 | wanted) & a->allowed1;
}

static void seg(struct ef_setup *s, int i, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    static const uint32_t f[8][4] = {
        {GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES},
        {GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES},
        {GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES},
        {GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES},
        {GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES},
        {GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES},
        {GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES},
        {GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES},
    };
    ef_set(s, f[i][0], sel);
    ef_set(s, f[i][1], base);
    ef_set(s, f[i][2], limit);
    ef_set(s, f[i][3], ar);
}

/* Fields every base has: addresses, counts, host state, guest MSRs and non-register state. */
static void common(struct ef_setup *s)
{
    static const struct {
        uint32_t enc;
        uint64_t v;
    } fields[] = {
        {IO_BITMAP_A, 0x10000},
        {IO_BITMAP_B, 0x11000},
        {MSR_BITMAP, 0x12000},
        {VIRTUAL_APIC_PAGE_ADDR, EF_VAPIC},
        {APIC_ACCESS_ADDR, 0xfee00000},
        {POSTED_INTR_DESC_ADDR, 0x13040},
        {POSTED_INTR_NV, 0xf2},
        {PML_ADDRESS, 0x14000},
        {EPTP_LIST_ADDRESS, 0x15000},
        {VMREAD_BITMAP, 0x16000},
        {VMWRITE_BITMAP, 0x17000},
        {VE_INFORMATION_ADDRESS, 0x18000},
        {SPP_TABLE_POINTER, 0x19000},
        {VM_FUNCTION_CONTROL, 0},
        {TERTIARY_VM_EXEC_CONTROL, 0},
        {SECONDARY_VM_EXIT_CONTROLS, 0},
        {VIRTUAL_PROCESSOR_ID, 1},
        {EPT_POINTER, 0x20000 | 6 | (3 << 3)},
        {TSC_OFFSET, 0},
        {EXCEPTION_BITMAP, 0xffffffff},
        {PAGE_FAULT_ERROR_CODE_MASK, 0},
        {PAGE_FAULT_ERROR_CODE_MATCH, 0},
        {CR3_TARGET_COUNT, 0},
        {TPR_THRESHOLD, 0},
        {VM_EXIT_MSR_STORE_COUNT, 0},
        {VM_EXIT_MSR_STORE_ADDR, 0x1a000},
        {VM_EXIT_MSR_LOAD_COUNT, 0},
        {VM_EXIT_MSR_LOAD_ADDR, 0x1b000},
        {VM_ENTRY_MSR_LOAD_COUNT, 0},
        {VM_ENTRY_MSR_LOAD_ADDR, EF_MSR_AREA},
        {VM_ENTRY_INTR_INFO_FIELD, 0},
        {VM_ENTRY_EXCEPTION_ERROR_CODE, 0},
        {VM_ENTRY_INSTRUCTION_LEN, 0},
        {CR0_GUEST_HOST_MASK, 0},
        {CR4_GUEST_HOST_MASK, 0},
        {CR0_READ_SHADOW, 0},
        {CR4_READ_SHADOW, 0},
        /* host: a 64-bit hypervisor (SDM 27.2.2-27.2.4) */
        {HOST_CR0, 0x80050033},
        {HOST_CR3, 0x100000},
        {HOST_CR4, 0x2020},
        {HOST_ES_SELECTOR, 0},
        {HOST_CS_SELECTOR, 0x08},
        {HOST_SS_SELECTOR, 0x10},
        {HOST_DS_SELECTOR, 0},
        {HOST_FS_SELECTOR, 0},
        {HOST_GS_SELECTOR, 0},
        {HOST_TR_SELECTOR, 0x18},
        {HOST_FS_BASE, 0},
        {HOST_GS_BASE, 0x200000},
        {HOST_TR_BASE, 0x300000},
        {HOST_GDTR_BASE, 0x301000},
        {HOST_IDTR_BASE, 0x302000},
        {HOST_IA32_SYSENTER_CS, 0},
        {HOST_IA32_SYSENTER_ESP, 0},
        {HOST_IA32_SYSENTER_EIP, 0},
        {HOST_RSP, 0x400000},
        {HOST_RIP, 0x100100},
        {HOST_IA32_PAT, 0x0007040600070406ULL},
        {HOST_IA32_EFER, 0xd00},
        {HOST_IA32_PERF_GLOBAL_CTRL, 0},
        {HOST_IA32_PKRS, 0},
        /* guest registers and state every base shares */
        {GUEST_DR7, 0x400},
        {GUEST_IA32_DEBUGCTL, 0},
        {GUEST_RSP, 0x8000},
        {GUEST_SYSENTER_CS, 0},
        {GUEST_SYSENTER_ESP, 0},
        {GUEST_SYSENTER_EIP, 0},
        {GUEST_IA32_PAT, 0x0007040600070406ULL},
        {GUEST_IA32_PERF_GLOBAL_CTRL, 0},
        {GUEST_BNDCFGS, 0},
        {GUEST_IA32_PKRS, 0},
        {GUEST_UINV, 0},
        {GUEST_PDPTR0, 0},
        {GUEST_PDPTR1, 0},
        {GUEST_PDPTR2, 0},
        {GUEST_PDPTR3, 0},
        {GUEST_INTERRUPTIBILITY_INFO, 0},
        {GUEST_ACTIVITY_STATE, 0},
        {GUEST_PENDING_DBG_EXCEPTIONS, 0},
        {VMCS_LINK_POINTER, ~0ULL},
        {GUEST_SMBASE, 0},
        {VMX_PREEMPTION_TIMER_VALUE, 0},
        {GUEST_INTR_STATUS, 0},
        {GUEST_PML_INDEX, 0},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        ef_set(s, fields[i].enc, fields[i].v);
    seg(s, 6, 0, 0, 0, 0x10000); /* LDTR unusable */
}

static void base_64(struct ef_setup *s)
{
    ef_set(s, PIN_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PIN,
               PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING |
                   PIN_BASED_VIRTUAL_NMIS | PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER));
    ef_set(s, CPU_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC,
               PROC_BASED_HLT_EXITING | PROC_BASED_USE_TPR_SHADOW | PROC_BASED_USE_IO_BITMAPS |
                   PROC_BASED_USE_MSR_BITMAPS | PROC_BASED_ACTIVATE_SECONDARY_CONTROLS));
    ef_set(s, SECONDARY_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC2, PROC_BASED2_ENABLE_EPT | PROC_BASED2_ENABLE_VPID));
    ef_set(s, VM_EXIT_CONTROLS,
           ctl(s, VMX_CTL_EXIT,
               VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE | VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT |
                   VM_EXIT_CTL_SAVE_IA32_PAT | VM_EXIT_CTL_LOAD_IA32_PAT |
                   VM_EXIT_CTL_SAVE_IA32_EFER | VM_EXIT_CTL_LOAD_IA32_EFER |
                   VM_EXIT_CTL_SAVE_VMX_PREEMPTION_TIMER_VALUE));
    ef_set(s, VM_ENTRY_CONTROLS,
           ctl(s, VMX_CTL_ENTRY,
               VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS | VM_ENTRY_CTL_IA32E_MODE_GUEST |
                   VM_ENTRY_CTL_LOAD_IA32_PAT | VM_ENTRY_CTL_LOAD_IA32_EFER));
    ef_set(s, EPT_POINTER, 0x20000 | 6 | (3 << 3) | (1 << 6)); /* WB, 4 levels, A/D */
    ef_set(s, GUEST_CR0, 0x80000031);                          /* PG NE ET PE */
    ef_set(s, GUEST_CR3, 0x1000);
    ef_set(s, GUEST_CR4, 0x2020); /* VMXE PAE */
    ef_set(s, GUEST_RIP, 0xffffffff81000000ULL);
    ef_set(s, GUEST_RFLAGS, 0x2);
    ef_set(s, GUEST_IA32_EFER, 0xd00); /* NXE LMA LME */
    seg(s, 1, 0x08, 0, 0xffffffff, 0xa09b);
    for (int i = 0; i < 6; i++)
        if (i != 1)
            seg(s, i, 0x10, 0, 0xffffffff, 0xc093);
    seg(s, 7, 0x18, 0x2000, 0x67, 0x8b);
    ef_set(s, GUEST_GDTR_BASE, 0x3000);
    ef_set(s, GUEST_GDTR_LIMIT, 0x1f);
    ef_set(s, GUEST_IDTR_BASE, 0x4000);
    ef_set(s, GUEST_IDTR_LIMIT, 0xfff);
}

static void base_real(struct ef_setup *s)
{
    ef_set(s, PIN_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PIN,
               PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING |
                   PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER));
    ef_set(s, CPU_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC,
               PROC_BASED_HLT_EXITING | PROC_BASED_UNCONDITIONAL_IO_EXITING |
                   PROC_BASED_ACTIVATE_SECONDARY_CONTROLS));
    ef_set(s, SECONDARY_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC2,
               PROC_BASED2_ENABLE_EPT | PROC_BASED2_ENABLE_VPID | PROC_BASED2_UNRESTRICTED_GUEST));
    ef_set(s, VM_EXIT_CONTROLS,
           ctl(s, VMX_CTL_EXIT,
               VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE | VM_EXIT_CTL_SAVE_IA32_EFER |
                   VM_EXIT_CTL_LOAD_IA32_EFER));
    ef_set(s, VM_ENTRY_CONTROLS,
           ctl(s, VMX_CTL_ENTRY, VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS | VM_ENTRY_CTL_LOAD_IA32_EFER));
    ef_set(s, GUEST_CR0, 0x30); /* NE ET: real mode, paging off */
    ef_set(s, GUEST_CR3, 0);
    ef_set(s, GUEST_CR4, 0x2000);
    ef_set(s, GUEST_RIP, 0xfff0);
    ef_set(s, GUEST_RFLAGS, 0x2);
    ef_set(s, GUEST_IA32_EFER, 0);
    seg(s, 1, 0xf000, 0xf0000, 0xffff, 0x9b);
    for (int i = 0; i < 6; i++)
        if (i != 1)
            seg(s, i, 0, 0, 0xffff, 0x93);
    seg(s, 7, 0, 0, 0xffff, 0x8b);
    ef_set(s, GUEST_GDTR_BASE, 0);
    ef_set(s, GUEST_GDTR_LIMIT, 0xffff);
    ef_set(s, GUEST_IDTR_BASE, 0);
    ef_set(s, GUEST_IDTR_LIMIT, 0x3ff);
}

static void base_pm32(struct ef_setup *s)
{
    ef_set(s, PIN_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PIN,
               PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING |
                   PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER));
    ef_set(s, CPU_BASED_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC,
               PROC_BASED_HLT_EXITING | PROC_BASED_USE_IO_BITMAPS |
                   PROC_BASED_ACTIVATE_SECONDARY_CONTROLS));
    ef_set(s, SECONDARY_VM_EXEC_CONTROL,
           ctl(s, VMX_CTL_PROC2, PROC_BASED2_ENABLE_EPT | PROC_BASED2_ENABLE_VPID));
    ef_set(s, VM_EXIT_CONTROLS,
           ctl(s, VMX_CTL_EXIT,
               VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE | VM_EXIT_CTL_SAVE_IA32_EFER |
                   VM_EXIT_CTL_LOAD_IA32_EFER));
    ef_set(s, VM_ENTRY_CONTROLS,
           ctl(s, VMX_CTL_ENTRY, VM_ENTRY_CTL_LOAD_DEBUG_CONTROLS | VM_ENTRY_CTL_LOAD_IA32_EFER));
    ef_set(s, GUEST_CR0, 0x80000031);
    ef_set(s, GUEST_CR3, EF_PDPT);
    ef_set(s, GUEST_CR4, 0x2020); /* PAE paging */
    ef_set(s, GUEST_PDPTR0, 0x8001);
    ef_set(s, GUEST_RIP, 0x100000);
    ef_set(s, GUEST_RFLAGS, 0x2);
    ef_set(s, GUEST_IA32_EFER, 0x800); /* NXE */
    seg(s, 1, 0x08, 0, 0xffffffff, 0xc09b);
    for (int i = 0; i < 6; i++)
        if (i != 1)
            seg(s, i, 0x10, 0, 0xffffffff, 0xc093);
    seg(s, 7, 0x18, 0x2000, 0x67, 0x8b);
    ef_set(s, GUEST_GDTR_BASE, 0x3000);
    ef_set(s, GUEST_GDTR_LIMIT, 0x1f);
    ef_set(s, GUEST_IDTR_BASE, 0x4000);
    ef_set(s, GUEST_IDTR_LIMIT, 0x7ff);
    ef_mem_set(&s->mem, EF_PDPT, 0x8001); /* the same PDPTE in memory, for EPT-off tests */
}

static void base_v86(struct ef_setup *s)
{
    base_real(s);
    ef_set(s, GUEST_CR0, 0x31); /* PE, no paging: allowed with unrestricted guest */
    ef_set(s, GUEST_RFLAGS, 0x20002);
    ef_set(s, GUEST_RIP, 0x100);
    static const uint16_t sel[6] = {0x2000, 0x1000, 0x3000, 0x2000, 0, 0};
    for (int i = 0; i < 6; i++)
        seg(s, i, sel[i], (uint64_t)sel[i] << 4, 0xffff, 0xf3);
    seg(s, 7, 0x18, 0x2000, 0x2067, 0x8b);
}

bool ef_build(struct ef_setup *s, enum ef_base b)
{
    memset(s, 0, sizeof(*s));
    if ((unsigned)b >= EF_COUNT || fixture_load_vmx(models[b], &s->msrs) <= 0)
        return false;
    if (vmx_caps_decode(&s->msrs, &s->caps) != VMX_CAPS_OK)
        return false;
    vmcs_image_init(&s->im);
    common(s);
    switch (b) {
    case EF_64:
        base_64(s);
        break;
    case EF_REAL:
        base_real(s);
        break;
    case EF_PM32:
        base_pm32(s);
        break;
    default:
        base_v86(s);
        break;
    }
    s->env.maxphyaddr = EF_MAXPHYADDR;
    ef_rebind(s);
    return true;
}
