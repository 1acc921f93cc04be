/*
 * vmx/entry_mutate.c - single and combined mutations of a valid VMCS image (pure). The safety
 * contract (what is never mutated, and to what) is in vmx/entry_mutate.h; the rules the values
 * aim at are those of SDM 27.2-27.3 (vmx/entry_rules.def).
 *
 * Enumeration: the fields of `targets` in order, for each the candidates of its class in a
 * fixed order; a candidate equal to the base value, or to an earlier candidate of the same
 * field, is left out. entry_mutate_single walks that sequence to the index.
 */
#include <string.h>

#include "vmx/entry_mutate.h"
#include "platform/fmt.h"
#include "vmx/vmcs_fields.h"

enum kind {
    K_CTL,      /* a control field: aux = enum vmx_ctl */
    K_VMFUNC,   /* VM-function controls */
    K_PAGE,     /* a 4-KByte aligned address control */
    K_PID,      /* the posted-interrupt descriptor address (64-byte aligned) */
    K_MSR_AREA, /* an MSR-area count; aux = the address field */
    K_EPTP,
    K_VPID,
    K_PI_NV,
    K_TPR,
    K_CR3N,
    K_INFO,
    K_ERRCODE,
    K_ILEN,
    K_H_CR0,
    K_H_CR4,
    K_H_CR3,
    K_H_SEL,   /* host selector; aux = 1: 0 fails too (CS, TR) */
    K_H_CANON, /* host canonical field */
    K_H_RIP,
    K_H_PAT,
    K_H_EFER,
    K_G_CR0,
    K_G_CR4,
    K_G_CR3,
    K_G_DR7,
    K_G_DEBUGCTL,
    K_G_CANON,
    K_G_PAT,
    K_G_EFER,
    K_G_BNDCFGS,
    K_G_SEL,
    K_G_BASE,
    K_G_LIMIT,
    K_G_AR,
    K_G_DTR_LIMIT,
    K_G_RIP,
    K_G_RFLAGS,
    K_G_ACT,
    K_G_INTR,
    K_G_PDE,
    K_G_LINK,
    K_G_PDPTE,
};

struct target {
    uint32_t enc;
    uint8_t kind;
    uint32_t aux;
};

static const struct target targets[] = {
    {PIN_BASED_VM_EXEC_CONTROL, K_CTL, VMX_CTL_PIN},
    {CPU_BASED_VM_EXEC_CONTROL, K_CTL, VMX_CTL_PROC},
    {SECONDARY_VM_EXEC_CONTROL, K_CTL, VMX_CTL_PROC2},
    {TERTIARY_VM_EXEC_CONTROL, K_CTL, VMX_CTL_PROC3},
    {VM_EXIT_CONTROLS, K_CTL, VMX_CTL_EXIT},
    {SECONDARY_VM_EXIT_CONTROLS, K_CTL, VMX_CTL_EXIT2},
    {VM_ENTRY_CONTROLS, K_CTL, VMX_CTL_ENTRY},
    {VM_FUNCTION_CONTROL, K_VMFUNC, 0},
    {IO_BITMAP_A, K_PAGE, 0},
    {IO_BITMAP_B, K_PAGE, 0},
    {MSR_BITMAP, K_PAGE, 0},
    {VIRTUAL_APIC_PAGE_ADDR, K_PAGE, 0},
    {APIC_ACCESS_ADDR, K_PAGE, 0},
    {PML_ADDRESS, K_PAGE, 0},
    {EPTP_LIST_ADDRESS, K_PAGE, 0},
    {VMREAD_BITMAP, K_PAGE, 0},
    {VMWRITE_BITMAP, K_PAGE, 0},
    {VE_INFORMATION_ADDRESS, K_PAGE, 0},
    {SPP_TABLE_POINTER, K_PAGE, 0},
    {POSTED_INTR_DESC_ADDR, K_PID, 0},
    {VM_EXIT_MSR_STORE_COUNT, K_MSR_AREA, VM_EXIT_MSR_STORE_ADDR},
    {VM_EXIT_MSR_LOAD_COUNT, K_MSR_AREA, VM_EXIT_MSR_LOAD_ADDR},
    {VM_ENTRY_MSR_LOAD_COUNT, K_MSR_AREA, VM_ENTRY_MSR_LOAD_ADDR},
    {EPT_POINTER, K_EPTP, 0},
    {VIRTUAL_PROCESSOR_ID, K_VPID, 0},
    {POSTED_INTR_NV, K_PI_NV, 0},
    {TPR_THRESHOLD, K_TPR, 0},
    {CR3_TARGET_COUNT, K_CR3N, 0},
    {VM_ENTRY_INTR_INFO_FIELD, K_INFO, 0},
    {VM_ENTRY_EXCEPTION_ERROR_CODE, K_ERRCODE, 0},
    {VM_ENTRY_INSTRUCTION_LEN, K_ILEN, 0},
    {HOST_CR0, K_H_CR0, 0},
    {HOST_CR4, K_H_CR4, 0},
    {HOST_CR3, K_H_CR3, 0},
    {HOST_ES_SELECTOR, K_H_SEL, 0},
    {HOST_CS_SELECTOR, K_H_SEL, 1},
    {HOST_SS_SELECTOR, K_H_SEL, 0},
    {HOST_DS_SELECTOR, K_H_SEL, 0},
    {HOST_FS_SELECTOR, K_H_SEL, 0},
    {HOST_GS_SELECTOR, K_H_SEL, 0},
    {HOST_TR_SELECTOR, K_H_SEL, 1},
    {HOST_FS_BASE, K_H_CANON, 0},
    {HOST_GS_BASE, K_H_CANON, 0},
    {HOST_TR_BASE, K_H_CANON, 0},
    {HOST_GDTR_BASE, K_H_CANON, 0},
    {HOST_IDTR_BASE, K_H_CANON, 0},
    {HOST_IA32_SYSENTER_ESP, K_H_CANON, 0},
    {HOST_IA32_SYSENTER_EIP, K_H_CANON, 0},
    {HOST_RIP, K_H_RIP, 0},
    {HOST_IA32_PAT, K_H_PAT, 0},
    {HOST_IA32_EFER, K_H_EFER, 0},
    {GUEST_CR0, K_G_CR0, 0},
    {GUEST_CR4, K_G_CR4, 0},
    {GUEST_CR3, K_G_CR3, 0},
    {GUEST_DR7, K_G_DR7, 0},
    {GUEST_IA32_DEBUGCTL, K_G_DEBUGCTL, 0},
    {GUEST_SYSENTER_ESP, K_G_CANON, 0},
    {GUEST_SYSENTER_EIP, K_G_CANON, 0},
    {GUEST_IA32_PAT, K_G_PAT, 0},
    {GUEST_IA32_EFER, K_G_EFER, 0},
    {GUEST_BNDCFGS, K_G_BNDCFGS, 0},
    {GUEST_ES_SELECTOR, K_G_SEL, 0},
    {GUEST_CS_SELECTOR, K_G_SEL, 0},
    {GUEST_SS_SELECTOR, K_G_SEL, 0},
    {GUEST_DS_SELECTOR, K_G_SEL, 0},
    {GUEST_FS_SELECTOR, K_G_SEL, 0},
    {GUEST_GS_SELECTOR, K_G_SEL, 0},
    {GUEST_LDTR_SELECTOR, K_G_SEL, 0},
    {GUEST_TR_SELECTOR, K_G_SEL, 0},
    {GUEST_ES_BASE, K_G_BASE, 0},
    {GUEST_CS_BASE, K_G_BASE, 0},
    {GUEST_SS_BASE, K_G_BASE, 0},
    {GUEST_DS_BASE, K_G_BASE, 0},
    {GUEST_FS_BASE, K_G_BASE, 0},
    {GUEST_GS_BASE, K_G_BASE, 0},
    {GUEST_LDTR_BASE, K_G_BASE, 0},
    {GUEST_TR_BASE, K_G_BASE, 0},
    {GUEST_GDTR_BASE, K_G_BASE, 0},
    {GUEST_IDTR_BASE, K_G_BASE, 0},
    {GUEST_ES_LIMIT, K_G_LIMIT, 0},
    {GUEST_CS_LIMIT, K_G_LIMIT, 0},
    {GUEST_SS_LIMIT, K_G_LIMIT, 0},
    {GUEST_DS_LIMIT, K_G_LIMIT, 0},
    {GUEST_FS_LIMIT, K_G_LIMIT, 0},
    {GUEST_GS_LIMIT, K_G_LIMIT, 0},
    {GUEST_LDTR_LIMIT, K_G_LIMIT, 0},
    {GUEST_TR_LIMIT, K_G_LIMIT, 0},
    {GUEST_GDTR_LIMIT, K_G_DTR_LIMIT, 0},
    {GUEST_IDTR_LIMIT, K_G_DTR_LIMIT, 0},
    {GUEST_ES_AR_BYTES, K_G_AR, 0},
    {GUEST_CS_AR_BYTES, K_G_AR, 0},
    {GUEST_SS_AR_BYTES, K_G_AR, 0},
    {GUEST_DS_AR_BYTES, K_G_AR, 0},
    {GUEST_FS_AR_BYTES, K_G_AR, 0},
    {GUEST_GS_AR_BYTES, K_G_AR, 0},
    {GUEST_LDTR_AR_BYTES, K_G_AR, 0},
    {GUEST_TR_AR_BYTES, K_G_AR, 0},
    {GUEST_RIP, K_G_RIP, 0},
    {GUEST_RFLAGS, K_G_RFLAGS, 0},
    {GUEST_ACTIVITY_STATE, K_G_ACT, 0},
    {GUEST_INTERRUPTIBILITY_INFO, K_G_INTR, 0},
    {GUEST_PENDING_DBG_EXCEPTIONS, K_G_PDE, 0},
    {VMCS_LINK_POINTER, K_G_LINK, 0},
    {GUEST_PDPTR0, K_G_PDPTE, 0},
    {GUEST_PDPTR1, K_G_PDPTE, 0},
    {GUEST_PDPTR2, K_G_PDPTE, 0},
    {GUEST_PDPTR3, K_G_PDPTE, 0},
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

#define BIT(n) (1ULL << (n))

/* ---- the walk over candidates ------------------------------------------------------------ */

struct walk {
    const struct vmcs_image *base;
    const struct entry_mutate_cfg *cfg;
    unsigned maxpa;
    size_t want, seen; /* stop at candidate number want (SIZE_MAX: count only) */
    bool found;
    struct entry_mutation m;
    struct entry_mutation *list; /* entry_mutate_list: every candidate, up to max */
    size_t max;
    /* candidates of the current field so far, to drop duplicates */
    uint64_t prev[80];
    unsigned nprev;
};

static uint64_t base_val(const struct walk *w, uint32_t enc)
{
    uint64_t v = 0;
    vmcs_image_get(w->base, enc, &v);
    return v;
}

/* Offers one candidate; a second field (MSR areas) in enc2/v2 when enc2 != 0. */
static void offer2(struct walk *w, const struct target *t, uint64_t v, uint32_t enc2, uint64_t v2,
                   const char *what, int bit)
{
    uint64_t mask = vmcs_image_width_mask(t->enc);
    v &= mask;
    if (w->found || v == (base_val(w, t->enc) & mask))
        return;
    for (unsigned i = 0; i < w->nprev; i++)
        if (w->prev[i] == v)
            return;
    if (w->nprev < sizeof(w->prev) / sizeof(w->prev[0]))
        w->prev[w->nprev++] = v;
    struct entry_mutation *m = &w->m;
    if (w->list) {
        if (w->seen >= w->max) {
            w->seen++;
            return;
        }
        m = &w->list[w->seen++];
    } else if (w->seen++ != w->want) {
        return;
    } else {
        w->found = true;
    }
    m->nfields = enc2 ? 2 : 1;
    m->enc[0] = t->enc;
    m->value[0] = v;
    m->enc[1] = enc2;
    m->value[1] = v2;
    m->what = what;
    m->bit = bit;
}

static void offer(struct walk *w, const struct target *t, uint64_t v, const char *what)
{
    offer2(w, t, v, 0, 0, what, -1);
}

/* v with bit flipped */
static void offer_flip(struct walk *w, const struct target *t, uint64_t v, unsigned bit)
{
    offer2(w, t, v ^ BIT(bit), 0, 0, "flip bit", (int)bit);
}

/* ---- control fields: which bit flips the contract allows (G2, G3) ---------------------- */

static bool flip_allowed(const struct walk *w, enum vmx_ctl which, unsigned bit, uint64_t base)
{
    const struct vmx_ctl_allowed *a = &w->cfg->caps->ctl[which];
    uint64_t b = BIT(bit);
    bool setting = !(base & b);
    bool supported = a->available && (a->allowed1 & b);
    switch (which) {
    case VMX_CTL_PIN:
        return setting || !(b & (PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER |
                                 PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING));
    case VMX_CTL_PROC:
        return setting || b != PROC_BASED_ACTIVATE_SECONDARY_CONTROLS;
    case VMX_CTL_PROC2:
        return setting || b != PROC_BASED2_ENABLE_EPT;
    case VMX_CTL_EXIT: {
        const uint64_t restores = VM_EXIT_CTL_LOAD_IA32_PAT | VM_EXIT_CTL_LOAD_IA32_EFER |
                                  VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL |
                                  VM_EXIT_CTL_LOAD_CET_STATE | VM_EXIT_CTL_LOAD_PKRS;
        const uint64_t harmless =
            VM_EXIT_CTL_SAVE_DEBUG_CONTROLS | VM_EXIT_CTL_SAVE_IA32_PAT |
            VM_EXIT_CTL_LOAD_IA32_PAT | VM_EXIT_CTL_SAVE_IA32_EFER | VM_EXIT_CTL_LOAD_IA32_EFER |
            VM_EXIT_CTL_SAVE_VMX_PREEMPTION_TIMER_VALUE | VM_EXIT_CTL_CONCEAL_VMX_FROM_PT |
            VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL | VM_EXIT_CTL_SAVE_IA32_PERF_GLOBAL_CTL;
        if (b == VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT)
            return false;
        if (!setting)
            return !(b & restores);
        return !supported || (b & harmless);
    }
    case VMX_CTL_ENTRY: {
        const uint64_t loads_msr =
            VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL | VM_ENTRY_CTL_LOAD_IA32_PAT |
            VM_ENTRY_CTL_LOAD_IA32_EFER | VM_ENTRY_CTL_LOAD_IA32_BNDCFGS |
            VM_ENTRY_CTL_LOAD_IA32_RTIT_CTL | VM_ENTRY_CTL_LOAD_UINV | VM_ENTRY_CTL_LOAD_CET_STATE |
            VM_ENTRY_CTL_LOAD_GUEST_IA32_LBR_CTL | VM_ENTRY_CTL_LOAD_PKRS |
            VM_ENTRY_CTL_LOAD_IA32_FRED;
        return !setting || !supported || !(b & loads_msr);
    }
    default: /* tertiary and secondary VM-exit controls: set only what fails */
        return !setting || !supported;
    }
}

static void gen_ctl(struct walk *w, const struct target *t, uint64_t v)
{
    enum vmx_ctl which = (enum vmx_ctl)t->aux;
    unsigned bits = (which == VMX_CTL_PROC3 || which == VMX_CTL_EXIT2) ? 8 : 32;
    for (unsigned i = 0; i < bits; i++)
        if (flip_allowed(w, which, i, v))
            offer_flip(w, t, v, i);
}

/* ---- host state (G4): failing values only ---------------------------------------------- */

static void gen_host_cr(struct walk *w, const struct target *t, uint64_t v, uint64_t fixed0,
                        uint64_t fixed1)
{
    for (unsigned i = 0; i < 64; i++) {
        if ((fixed0 & BIT(i)) && (v & BIT(i)))
            offer(w, t, v & ~BIT(i), "clear a must-be-1 bit");
        else if (!(fixed1 & BIT(i)) && !(v & BIT(i)) && (i < 32 || i == 32 || i == 63))
            offer(w, t, v | BIT(i), "set a must-be-0 bit");
    }
}

static bool host64(const struct walk *w)
{
    return base_val(w, VM_EXIT_CONTROLS) & VM_EXIT_CTL_HOST_ADDRESS_SPACE_SIZE;
}

static void gen_host(struct walk *w, const struct target *t, uint64_t v)
{
    const struct vmx_caps *c = w->cfg->caps;
    switch (t->kind) {
    case K_H_CR0:
        gen_host_cr(w, t, v, c->cr0_fixed0, c->cr0_fixed1);
        break;
    case K_H_CR4:
        gen_host_cr(w, t, v, c->cr4_fixed0, c->cr4_fixed1);
        if (host64(w) && (v & BIT(5)))
            offer(w, t, v & ~BIT(5), "clear PAE of a 64-bit host");
        break;
    case K_H_CR3:
        offer(w, t, v | BIT(w->maxpa), "beyond MAXPHYADDR");
        offer(w, t, v | BIT(63), "bit 63");
        break;
    case K_H_SEL:
        offer(w, t, v | 1, "RPL 1");
        offer(w, t, v | 3, "RPL 3");
        offer(w, t, v | 4, "TI");
        if (t->aux)
            offer(w, t, 0, "null selector");
        break;
    case K_H_CANON:
        offer(w, t, v ^ BIT(63), "non-canonical");
        break;
    case K_H_RIP:
        offer(w, t, host64(w) ? v ^ BIT(63) : v | BIT(32),
              host64(w) ? "non-canonical" : "above 4 GiB");
        break;
    case K_H_PAT:
        offer(w, t, (v & ~0xffULL) | 2, "type 2 in byte 0");
        offer(w, t, (v & ~(0xffULL << 56)) | (8ULL << 56), "type 8 in byte 7");
        break;
    default: /* K_H_EFER */
        offer(w, t, v | 2, "reserved bit 1");
        offer(w, t, v ^ BIT(10), "flip LMA");
        offer(w, t, v ^ BIT(8), "flip LME");
        break;
    }
}

/* ---- guest state ------------------------------------------------------------------------ */

static void gen_guest_regs(struct walk *w, const struct target *t, uint64_t v)
{
    static const unsigned cr0_bits[] = {0, 1, 2, 3, 4, 5, 16, 18, 29, 30, 31, 32, 63};
    switch (t->kind) {
    case K_G_CR0:
        for (unsigned i = 0; i < sizeof(cr0_bits) / sizeof(cr0_bits[0]); i++)
            offer_flip(w, t, v, cr0_bits[i]);
        break;
    case K_G_CR4:
        for (unsigned i = 0; i < 25; i++)
            offer_flip(w, t, v, i);
        offer(w, t, v | BIT(32), "bit 32");
        break;
    case K_G_CR3:
        offer(w, t, v | BIT(w->maxpa), "beyond MAXPHYADDR");
        offer(w, t, v | BIT(63), "bit 63");
        break;
    case K_G_DR7:
        offer(w, t, v | BIT(32), "bit 32");
        offer(w, t, v | BIT(63), "bit 63");
        break;
    case K_G_DEBUGCTL:
        offer(w, t, v ^ BIT(1), "flip BTF");
        offer(w, t, v | BIT(2), "reserved bit 2");
        offer(w, t, v | BIT(63), "reserved bit 63");
        break;
    case K_G_CANON:
        offer(w, t, v ^ BIT(63), "non-canonical");
        break;
    case K_G_PAT:
        offer(w, t, (v & ~0xffULL) | 3, "type 3 in byte 0");
        offer(w, t, (v & ~(0xffULL << 32)) | (0x10ULL << 32), "type 16 in byte 4");
        break;
    case K_G_EFER:
        offer(w, t, v | 2, "reserved bit 1");
        offer(w, t, v ^ BIT(10), "flip LMA");
        offer(w, t, v ^ BIT(8), "flip LME");
        break;
    default: /* K_G_BNDCFGS */
        offer(w, t, v | 4, "reserved bit 2");
        offer(w, t, v ^ BIT(63), "non-canonical base");
        break;
    }
}

static void gen_segment(struct walk *w, const struct target *t, uint64_t v)
{
    static const unsigned ar_bits[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17, 31};
    switch (t->kind) {
    case K_G_SEL:
        offer(w, t, v ^ 1, "flip RPL bit 0");
        offer(w, t, v ^ 3, "flip RPL");
        offer(w, t, v ^ 4, "flip TI");
        offer(w, t, 0, "null selector");
        break;
    case K_G_BASE:
        offer(w, t, v ^ BIT(32), "flip bit 32");
        offer(w, t, v ^ BIT(63), "non-canonical");
        offer(w, t, v + 0x10, "base + 16");
        break;
    case K_G_LIMIT:
        offer(w, t, 0, "limit 0");
        offer(w, t, 0xffff, "limit 0xffff");
        offer(w, t, 0xfffff, "limit 0xfffff");
        offer(w, t, 0xffffffff, "limit 4G-1");
        offer(w, t, v ^ 1, "flip bit 0");
        offer(w, t, v ^ BIT(20), "flip bit 20");
        break;
    case K_G_DTR_LIMIT:
        offer(w, t, 0x10000, "bit 16");
        offer(w, t, 0xffffffff, "all ones");
        offer(w, t, 0, "limit 0");
        break;
    default: /* K_G_AR */
        for (unsigned i = 0; i < sizeof(ar_bits) / sizeof(ar_bits[0]); i++)
            offer_flip(w, t, v, ar_bits[i]);
        offer(w, t, 0x10000, "unusable");
        offer(w, t, 0xf3, "virtual-8086 rights");
        offer(w, t, 0x93, "data, DPL 0");
        offer(w, t, 0x9b, "code, DPL 0");
        offer(w, t, 0x8b, "busy TSS");
        offer(w, t, 0x82, "LDT");
        break;
    }
}

static void gen_guest_other(struct walk *w, const struct target *t, uint64_t v)
{
    static const unsigned rflags_bits[] = {0,  1,  3,  5,  8,  9,  14, 15,
                                           16, 17, 18, 19, 20, 21, 22, 63};
    static const unsigned pde_bits[] = {0, 4, 12, 13, 14, 15, 16, 17, 63};
    switch (t->kind) {
    case K_G_RIP: {
        bool l64 = (base_val(w, VM_ENTRY_CONTROLS) & VM_ENTRY_CTL_IA32E_MODE_GUEST) &&
                   (base_val(w, GUEST_CS_AR_BYTES) & BIT(13));
        offer(w, t, l64 ? v ^ BIT(63) : v | BIT(32), l64 ? "non-canonical" : "above 4 GiB");
        break;
    }
    case K_G_RFLAGS:
        for (unsigned i = 0; i < sizeof(rflags_bits) / sizeof(rflags_bits[0]); i++)
            offer_flip(w, t, v, rflags_bits[i]);
        break;
    case K_G_ACT:
        offer(w, t, 1, "HLT");
        offer(w, t, 4, "reserved state 4");
        offer(w, t, 0xffffffff, "reserved state");
        break;
    case K_G_INTR:
        for (unsigned i = 0; i < 6; i++)
            offer_flip(w, t, v, i);
        offer(w, t, v | 3, "STI and MOV SS");
        offer(w, t, v | BIT(31), "bit 31");
        break;
    case K_G_PDE:
        for (unsigned i = 0; i < sizeof(pde_bits) / sizeof(pde_bits[0]); i++)
            offer_flip(w, t, v, pde_bits[i]);
        break;
    case K_G_LINK:
        offer(w, t, 0, "address 0");
        offer(w, t, 0xfff, "misaligned");
        offer(w, t, BIT(w->maxpa), "beyond MAXPHYADDR");
        offer(w, t, ~1ULL, "all ones but bit 0");
        break;
    default: /* K_G_PDPTE */
        offer(w, t, v | 1, "present");
        offer(w, t, v | 3, "reserved bit 1");
        offer(w, t, v | 0x101, "reserved bit 8");
        offer(w, t, v | 1 | BIT(w->maxpa), "beyond MAXPHYADDR");
        break;
    }
}

/* ---- controls other than the control-bit fields --------------------------------------- */

static void gen_control_values(struct walk *w, const struct target *t, uint64_t v)
{
    const struct vmx_caps *c = w->cfg->caps;
    static const uint32_t infos[] = {
        0x80000020, /* external interrupt 32 */
        0x80000202, /* NMI */
        0x80000203, /* NMI with vector 3 */
        0x80000120, /* reserved type 1 */
        0x8000030d, /* #GP without error code */
        0x80000b0d, /* #GP with error code */
        0x80000b06, /* #UD with error code */
        0x80000301, /* #DB */
        0x80000312, /* #MC */
        0x80000320, /* hardware exception 32 */
        0x80000480, /* software interrupt 0x80 */
        0x80000501, /* privileged software exception */
        0x80000603, /* #BP */
        0x80000700, /* pending MTF VM exit */
        0x80000701, /* other event, vector 1 */
        0x80001202, /* NMI with bit 12 */
        0xc0000202, /* NMI with bit 30 */
        0x00000b0d, /* not valid */
    };
    switch (t->kind) {
    case K_VMFUNC:
        for (unsigned i = 0; i < 4; i++)
            offer_flip(w, t, v, i);
        offer(w, t, v ^ BIT(63), "flip bit 63");
        break;
    case K_PAGE:
        offer(w, t, v | 0x8, "misaligned");
        offer(w, t, v | 0x800, "misaligned");
        offer(w, t, v | BIT(w->maxpa), "beyond MAXPHYADDR");
        offer(w, t, v | BIT(63), "bit 63");
        break;
    case K_PID:
        offer(w, t, v | 0x20, "not 64-byte aligned");
        offer(w, t, v | BIT(w->maxpa), "beyond MAXPHYADDR");
        break;
    case K_MSR_AREA: {
        uint64_t a = base_val(w, t->aux);
        uint64_t top = BIT(w->maxpa);
        offer2(w, t, 1, t->aux, a | 0x8, "1 entry at a misaligned address", -1);
        offer2(w, t, 1, t->aux, a | top, "1 entry beyond MAXPHYADDR", -1);
        offer2(w, t, 2, t->aux, top - 16, "area ending beyond MAXPHYADDR", -1);
        break;
    }
    case K_EPTP:
        /* G1: the address bits stay, or get a bit beyond MAXPHYADDR */
        for (unsigned mt = 0; mt < 8; mt++)
            offer(w, t, (v & ~7ULL) | mt, "memory type");
        for (unsigned wl = 0; wl < 8; wl++)
            if (!(wl == 3 && c->ept.walk_4) && !(wl == 4 && c->ept.walk_5))
                offer(w, t, (v & ~0x38ULL) | (wl << 3), "unsupported walk length");
        offer(w, t, v ^ BIT(6), "flip A/D enable");
        offer(w, t, v ^ BIT(7), "flip bit 7");
        offer(w, t, v | BIT(8), "reserved bit 8");
        offer(w, t, v | BIT(11), "reserved bit 11");
        offer(w, t, v | BIT(w->maxpa), "beyond MAXPHYADDR");
        offer(w, t, v | BIT(63), "bit 63");
        break;
    case K_VPID:
        offer(w, t, 0, "VPID 0");
        offer(w, t, 0xffff, "VPID 0xffff");
        break;
    case K_PI_NV:
        offer(w, t, 0x100, "bit 8");
        offer(w, t, 0xffff, "0xffff");
        offer(w, t, 0, "vector 0");
        break;
    case K_TPR:
        offer(w, t, 0x10, "bit 4");
        offer(w, t, 0xf, "threshold 15");
        offer(w, t, 0xffffffff, "all ones");
        break;
    case K_CR3N:
        offer(w, t, c->cr3_target_count, "the maximum");
        offer(w, t, c->cr3_target_count + 1u, "one above the maximum");
        offer(w, t, 0xffffffff, "all ones");
        break;
    case K_INFO:
        for (unsigned i = 0; i < sizeof(infos) / sizeof(infos[0]); i++)
            offer(w, t, infos[i], "event");
        break;
    case K_ERRCODE:
        offer(w, t, 0x10000, "bit 16");
        offer(w, t, 0xffffffff, "all ones");
        break;
    default: /* K_ILEN */
        offer(w, t, 0, "length 0");
        offer(w, t, 15, "length 15");
        offer(w, t, 16, "length 16");
        break;
    }
}

static void gen_field(struct walk *w, const struct target *t)
{
    uint64_t v;
    if (!vmcs_image_get(w->base, t->enc, &v))
        return;
    if (t->kind == K_MSR_AREA && !vmcs_image_get(w->base, t->aux, NULL))
        return;
    w->nprev = 0;
    if (t->kind == K_CTL)
        gen_ctl(w, t, v);
    else if (t->kind >= K_H_CR0 && t->kind <= K_H_EFER)
        gen_host(w, t, v);
    else if (t->kind >= K_G_CR0 && t->kind <= K_G_BNDCFGS)
        gen_guest_regs(w, t, v);
    else if (t->kind >= K_G_SEL && t->kind <= K_G_DTR_LIMIT)
        gen_segment(w, t, v);
    else if (t->kind >= K_G_RIP)
        gen_guest_other(w, t, v);
    else
        gen_control_values(w, t, v);
}

static bool walk_init(struct walk *w, const struct vmcs_image *base,
                      const struct entry_mutate_cfg *cfg, size_t want)
{
    memset(w, 0, sizeof(*w));
    if (!base || !cfg || !cfg->caps)
        return false;
    w->base = base;
    w->cfg = cfg;
    w->maxpa = cfg->maxphyaddr ? cfg->maxphyaddr : 36;
    if (w->maxpa > 63)
        w->maxpa = 63;
    w->want = want;
    return true;
}

size_t entry_mutate_count(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg)
{
    struct walk w;
    if (!walk_init(&w, base, cfg, SIZE_MAX))
        return 0;
    for (size_t i = 0; i < NTARGETS; i++)
        gen_field(&w, &targets[i]);
    return w.seen;
}

static void apply(struct vmcs_image *out, const struct entry_mutation *m)
{
    for (unsigned i = 0; i < m->nfields; i++)
        vmcs_image_set(out, m->enc[i], m->value[i]);
}

/* Mutation number index, without applying it. */
static bool find_single(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                        size_t index, struct entry_mutation *m)
{
    struct walk w;
    if (!walk_init(&w, base, cfg, index))
        return false;
    for (size_t i = 0; i < NTARGETS && !w.found; i++)
        gen_field(&w, &targets[i]);
    if (w.found)
        *m = w.m;
    return w.found;
}

int entry_mutate_single(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                        size_t index, struct vmcs_image *out, struct entry_mutation *m)
{
    struct entry_mutation found;
    if (!out || !find_single(base, cfg, index, &found))
        return -1;
    *out = *base;
    apply(out, &found);
    if (m)
        *m = found;
    return 0;
}

uint64_t entry_mutate_rand(uint64_t *state)
{
    /* xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators") */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static bool shares_field(const struct entry_mutation *a, const struct entry_mutation *b)
{
    for (unsigned i = 0; i < a->nfields; i++)
        for (unsigned j = 0; j < b->nfields; j++)
            if (a->enc[i] == b->enc[j])
                return true;
    return false;
}

/* Where a combination takes single mutation number idx from: a walk, or a list made before. */
struct source {
    const struct vmcs_image *base;
    const struct entry_mutate_cfg *cfg; /* walk (list == NULL) */
    const struct entry_mutation *list;  /* entry_mutate_list() of base */
};

static bool source_get(const struct source *src, size_t idx, struct entry_mutation *m)
{
    if (src->list) {
        *m = src->list[idx];
        return true;
    }
    return find_single(src->base, src->cfg, idx, m);
}

/* The choice of entry_mutate_random, whatever the source of the single mutations. */
static int combine(const struct source *src, size_t total, uint64_t seed, struct vmcs_image *out,
                   struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED], unsigned *n)
{
    struct entry_mutation pick[ENTRY_MUTATE_MAX_COMBINED];
    uint64_t st = seed ^ 0x9e3779b97f4a7c15ULL;
    unsigned k, got = 0;
    if (!out || total < 2)
        return -1;
    if (!st)
        st = 1;
    k = 2 + (unsigned)(entry_mutate_rand(&st) % 3);
    *out = *src->base;
    /* bounded tries: a field may come up twice; the walk is deterministic either way */
    for (unsigned tries = 0; got < k && tries < 64; tries++) {
        struct entry_mutation m;
        size_t idx = (size_t)(entry_mutate_rand(&st) % total);
        bool clash = false;
        if (!source_get(src, idx, &m))
            continue;
        for (unsigned i = 0; i < got && !clash; i++)
            clash = shares_field(&pick[i], &m);
        if (clash)
            continue;
        pick[got++] = m;
        apply(out, &m);
    }
    if (got < 2)
        return -1;
    if (ms)
        memcpy(ms, pick, got * sizeof(pick[0]));
    if (n)
        *n = got;
    return 0;
}

int entry_mutate_random(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                        uint64_t seed, struct vmcs_image *out,
                        struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED], unsigned *n)
{
    struct source src = {base, cfg, NULL};
    return combine(&src, entry_mutate_count(base, cfg), seed, out, ms, n);
}

size_t entry_mutate_list(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                         struct entry_mutation *list, size_t max)
{
    struct walk w;
    if (!walk_init(&w, base, cfg, SIZE_MAX))
        return 0;
    w.list = list;
    w.max = list ? max : 0;
    for (size_t i = 0; i < NTARGETS; i++)
        gen_field(&w, &targets[i]);
    return w.seen;
}

int entry_mutate_random_from(const struct vmcs_image *base, const struct entry_mutation *list,
                             size_t count, uint64_t seed, struct vmcs_image *out,
                             struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED], unsigned *n)
{
    struct source src = {base, NULL, list};
    if (!base || !list)
        return -1;
    return combine(&src, count, seed, out, ms, n);
}

int entry_mutate_format(char *buf, size_t n, const struct entry_mutation *m)
{
    const struct vmcs_field *f0, *f1;
    if (!m || m->nfields == 0)
        return fmt_snprintf(buf, n, "?");
    f0 = vmcs_field_by_encoding(m->enc[0]);
    if (m->nfields == 1 && m->bit >= 0)
        return fmt_snprintf(buf, n, "%s = 0x%llx (%s %d)", f0 ? f0->name : "?",
                            (unsigned long long)m->value[0], m->what ? m->what : "", m->bit);
    if (m->nfields == 1)
        return fmt_snprintf(buf, n, "%s = 0x%llx (%s)", f0 ? f0->name : "?",
                            (unsigned long long)m->value[0], m->what ? m->what : "");
    f1 = vmcs_field_by_encoding(m->enc[1]);
    return fmt_snprintf(buf, n, "%s = 0x%llx, %s = 0x%llx (%s)", f0 ? f0->name : "?",
                        (unsigned long long)m->value[0], f1 ? f1->name : "?",
                        (unsigned long long)m->value[1], m->what ? m->what : "");
}
