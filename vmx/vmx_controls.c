/*
 * vmx/vmx_controls.c - names and allowed settings of the VMX control fields, the
 * control-adjustment algorithm, and the CR0/CR4 fixed-bit helpers (pure).
 *
 * How reserved "default1" controls are set (SDM 32.5.1 "Algorithms for Determining VMX
 * Capabilities", algorithm 2, step c): with the TRUE MSRs,
 *   (i)   a control with a single allowed setting gets that setting;
 *   (ii)  a flexible control whose meaning the VMM knows is set as the VMM wants;
 *   (iii) a flexible control it does not know, not in the default1 class, is set to 0;
 *   (iv)  a flexible control it does not know, in the default1 class, is set to 1.
 * "Known" here means: the bit has a name in vmx_msr.h. So the default1 controls CR3-load
 * exiting, CR3-store exiting and save/load debug controls follow `wanted` (0 unless asked
 * for), while nameless default1 bits that may be 0 stay 1. Without the TRUE MSRs every
 * default1 control is reported as must-be-1 (SDM A.2) and is forced on by allowed-0.
 */
#include <string.h>

#include "vmx/vmx_controls.h"
#include "platform/fmt.h"
#include "vmx/vmx_caps.h"

struct bit_name {
    uint64_t mask;
    const char *name;
};
#define N(prefix, name)                                                                            \
    {                                                                                              \
        prefix##name, #name                                                                        \
    }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct bit_name pin_names[] = {
    N(PIN_BASED_, EXTERNAL_INTERRUPT_EXITING),
    N(PIN_BASED_, NMI_EXITING),
    N(PIN_BASED_, VIRTUAL_NMIS),
    N(PIN_BASED_, ACTIVATE_VMX_PREEMPTION_TIMER),
    N(PIN_BASED_, PROCESS_POSTED_INTERRUPTS),
};
static const struct bit_name proc_names[] = {
    N(PROC_BASED_, INTERRUPT_WINDOW_EXITING),
    N(PROC_BASED_, USE_TSC_OFFSETTING),
    N(PROC_BASED_, HLT_EXITING),
    N(PROC_BASED_, INVLPG_EXITING),
    N(PROC_BASED_, MWAIT_EXITING),
    N(PROC_BASED_, RDPMC_EXITING),
    N(PROC_BASED_, RDTSC_EXITING),
    N(PROC_BASED_, CR3_LOAD_EXITING),
    N(PROC_BASED_, CR3_STORE_EXITING),
    N(PROC_BASED_, ACTIVATE_TERTIARY_CONTROLS),
    N(PROC_BASED_, CR8_LOAD_EXITING),
    N(PROC_BASED_, CR8_STORE_EXITING),
    N(PROC_BASED_, USE_TPR_SHADOW),
    N(PROC_BASED_, NMI_WINDOW_EXITING),
    N(PROC_BASED_, MOV_DR_EXITING),
    N(PROC_BASED_, UNCONDITIONAL_IO_EXITING),
    N(PROC_BASED_, USE_IO_BITMAPS),
    N(PROC_BASED_, MONITOR_TRAP_FLAG),
    N(PROC_BASED_, USE_MSR_BITMAPS),
    N(PROC_BASED_, MONITOR_EXITING),
    N(PROC_BASED_, PAUSE_EXITING),
    N(PROC_BASED_, ACTIVATE_SECONDARY_CONTROLS),
};
static const struct bit_name proc2_names[] = {
    N(PROC_BASED2_, VIRTUALIZE_APIC_ACCESSES),
    N(PROC_BASED2_, ENABLE_EPT),
    N(PROC_BASED2_, DESCRIPTOR_TABLE_EXITING),
    N(PROC_BASED2_, ENABLE_RDTSCP),
    N(PROC_BASED2_, VIRTUALIZE_X2APIC_MODE),
    N(PROC_BASED2_, ENABLE_VPID),
    N(PROC_BASED2_, WBINVD_EXITING),
    N(PROC_BASED2_, UNRESTRICTED_GUEST),
    N(PROC_BASED2_, APIC_REGISTER_VIRTUALIZATION),
    N(PROC_BASED2_, VIRTUAL_INTERRUPT_DELIVERY),
    N(PROC_BASED2_, PAUSE_LOOP_EXITING),
    N(PROC_BASED2_, RDRAND_EXITING),
    N(PROC_BASED2_, ENABLE_INVPCID),
    N(PROC_BASED2_, ENABLE_VM_FUNCTIONS),
    N(PROC_BASED2_, VMCS_SHADOWING),
    N(PROC_BASED2_, ENABLE_ENCLS_EXITING),
    N(PROC_BASED2_, RDSEED_EXITING),
    N(PROC_BASED2_, ENABLE_PML),
    N(PROC_BASED2_, EPT_VIOLATION_VE),
    N(PROC_BASED2_, CONCEAL_VMX_FROM_PT),
    N(PROC_BASED2_, ENABLE_XSAVES_XRSTORS),
    N(PROC_BASED2_, PASID_TRANSLATION),
    N(PROC_BASED2_, MODE_BASED_EXECUTE_CONTROL),
    N(PROC_BASED2_, SUB_PAGE_WRITE_PERMISSIONS),
    N(PROC_BASED2_, PT_USES_GUEST_PHYSICAL_ADDRESSES),
    N(PROC_BASED2_, USE_TSC_SCALING),
    N(PROC_BASED2_, ENABLE_USER_WAIT_AND_PAUSE),
    N(PROC_BASED2_, ENABLE_PCONFIG),
    N(PROC_BASED2_, ENABLE_ENCLV_EXITING),
    N(PROC_BASED2_, VMM_BUS_LOCK_DETECTION),
    N(PROC_BASED2_, INSTRUCTION_TIMEOUT),
};
static const struct bit_name proc3_names[] = {
    N(PROC_BASED3_, LOADIWKEY_EXITING),         N(PROC_BASED3_, ENABLE_HLAT),
    N(PROC_BASED3_, EPT_PAGING_WRITE_CONTROL),  N(PROC_BASED3_, GUEST_PAGING_VERIFICATION),
    N(PROC_BASED3_, IPI_VIRTUALIZATION),        N(PROC_BASED3_, ENABLE_MSR_LIST_INSTRUCTIONS),
    N(PROC_BASED3_, VIRTUALIZE_IA32_SPEC_CTRL),
};
static const struct bit_name exit_names[] = {
    N(VM_EXIT_CTL_, SAVE_DEBUG_CONTROLS),
    N(VM_EXIT_CTL_, HOST_ADDRESS_SPACE_SIZE),
    N(VM_EXIT_CTL_, LOAD_IA32_PERF_GLOBAL_CTRL),
    N(VM_EXIT_CTL_, ACKNOWLEDGE_INTERRUPT_ON_EXIT),
    N(VM_EXIT_CTL_, SAVE_IA32_PAT),
    N(VM_EXIT_CTL_, LOAD_IA32_PAT),
    N(VM_EXIT_CTL_, SAVE_IA32_EFER),
    N(VM_EXIT_CTL_, LOAD_IA32_EFER),
    N(VM_EXIT_CTL_, SAVE_VMX_PREEMPTION_TIMER_VALUE),
    N(VM_EXIT_CTL_, CLEAR_IA32_BNDCFGS),
    N(VM_EXIT_CTL_, CONCEAL_VMX_FROM_PT),
    N(VM_EXIT_CTL_, CLEAR_IA32_RTIT_CTL),
    N(VM_EXIT_CTL_, CLEAR_IA32_LBR_CTL),
    N(VM_EXIT_CTL_, CLEAR_UINV),
    N(VM_EXIT_CTL_, LOAD_CET_STATE),
    N(VM_EXIT_CTL_, LOAD_PKRS),
    N(VM_EXIT_CTL_, SAVE_IA32_PERF_GLOBAL_CTL),
    N(VM_EXIT_CTL_, ACTIVATE_SECONDARY_CONTROLS),
};
static const struct bit_name exit2_names[] = {
    N(VM_EXIT_CTL2_, SAVE_IA32_FRED),
    N(VM_EXIT_CTL2_, LOAD_IA32_FRED),
    N(VM_EXIT_CTL2_, PREMATURELY_BUSY_SHADOW_STACK),
};
static const struct bit_name entry_names[] = {
    N(VM_ENTRY_CTL_, LOAD_DEBUG_CONTROLS),
    N(VM_ENTRY_CTL_, IA32E_MODE_GUEST),
    N(VM_ENTRY_CTL_, ENTRY_TO_SMM),
    N(VM_ENTRY_CTL_, DEACTIVATE_DUAL_MONITOR_TREATMENT),
    N(VM_ENTRY_CTL_, LOAD_IA32_PERF_GLOBAL_CTRL),
    N(VM_ENTRY_CTL_, LOAD_IA32_PAT),
    N(VM_ENTRY_CTL_, LOAD_IA32_EFER),
    N(VM_ENTRY_CTL_, LOAD_IA32_BNDCFGS),
    N(VM_ENTRY_CTL_, CONCEAL_VMX_FROM_PT),
    N(VM_ENTRY_CTL_, LOAD_IA32_RTIT_CTL),
    N(VM_ENTRY_CTL_, LOAD_UINV),
    N(VM_ENTRY_CTL_, LOAD_CET_STATE),
    N(VM_ENTRY_CTL_, LOAD_GUEST_IA32_LBR_CTL),
    N(VM_ENTRY_CTL_, LOAD_PKRS),
    N(VM_ENTRY_CTL_, LOAD_IA32_FRED),
};

struct ctl_desc {
    const char *short_name, *long_name;
    uint32_t msr;      /* capability MSR */
    uint32_t true_msr; /* IA32_VMX_TRUE_* or 0 */
    bool wide;         /* 64-bit field, MSR reports allowed-1 settings only */
    bool optional;     /* the field may not exist (SDM A.3.3, A.3.4, A.4.2) */
    uint64_t default1; /* SDM A.2 */
    const struct bit_name *names;
    size_t n_names;
};

#define NAMES(a) a, COUNT(a)
static const struct ctl_desc ctls[VMX_CTL_COUNT] = {
    [VMX_CTL_PIN] = {"PINBASED", "pin-based VM-execution controls", IA32_VMX_PINBASED_CTLS,
                     IA32_VMX_TRUE_PINBASED_CTLS, false, false, PIN_BASED_DEFAULT1,
                     NAMES(pin_names)},
    [VMX_CTL_PROC] = {"PROCBASED", "primary processor-based VM-execution controls",
                      IA32_VMX_PROCBASED_CTLS, IA32_VMX_TRUE_PROCBASED_CTLS, false, false,
                      PROC_BASED_DEFAULT1, NAMES(proc_names)},
    [VMX_CTL_PROC2] = {"PROCBASED2", "secondary processor-based VM-execution controls",
                       IA32_VMX_PROCBASED_CTLS2, 0, false, true, 0, NAMES(proc2_names)},
    [VMX_CTL_PROC3] = {"PROCBASED3", "tertiary processor-based VM-execution controls",
                       IA32_VMX_PROCBASED_CTLS3, 0, true, true, 0, NAMES(proc3_names)},
    [VMX_CTL_EXIT] = {"EXIT", "VM-exit controls", IA32_VMX_EXIT_CTLS, IA32_VMX_TRUE_EXIT_CTLS,
                      false, false, VM_EXIT_CTL_DEFAULT1, NAMES(exit_names)},
    [VMX_CTL_EXIT2] = {"EXIT2", "secondary VM-exit controls", IA32_VMX_EXIT_CTLS2, 0, true, true, 0,
                       NAMES(exit2_names)},
    [VMX_CTL_ENTRY] = {"ENTRY", "VM-entry controls", IA32_VMX_ENTRY_CTLS, IA32_VMX_TRUE_ENTRY_CTLS,
                       false, false, VM_ENTRY_CTL_DEFAULT1, NAMES(entry_names)},
};

static bool valid_ctl(enum vmx_ctl which)
{
    return (unsigned)which < VMX_CTL_COUNT;
}

const char *vmx_ctl_short_name(enum vmx_ctl which)
{
    return valid_ctl(which) ? ctls[which].short_name : "?";
}

const char *vmx_ctl_long_name(enum vmx_ctl which)
{
    return valid_ctl(which) ? ctls[which].long_name : "?";
}

const char *vmx_ctl_bit_name(enum vmx_ctl which, unsigned bit)
{
    if (!valid_ctl(which) || bit >= 64)
        return NULL;
    for (size_t i = 0; i < ctls[which].n_names; i++)
        if (ctls[which].names[i].mask == (1ULL << bit))
            return ctls[which].names[i].name;
    return NULL;
}

uint64_t vmx_ctl_known_mask(enum vmx_ctl which)
{
    uint64_t m = 0;
    if (!valid_ctl(which))
        return 0;
    for (size_t i = 0; i < ctls[which].n_names; i++)
        m |= ctls[which].names[i].mask;
    return m;
}

uint64_t vmx_ctl_default1_mask(enum vmx_ctl which)
{
    return valid_ctl(which) ? ctls[which].default1 : 0;
}

int vmx_ctl_get_allowed(enum vmx_ctl which, const struct vmx_msr_values *v,
                        struct vmx_ctl_allowed *out)
{
    uint64_t raw = 0, basic = 0;
    if (!out)
        return VMX_CTL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!valid_ctl(which) || !v)
        return VMX_CTL_EINVAL;
    const struct ctl_desc *d = &ctls[which];
    out->msr = d->msr;
    /* SDM A.3.1, A.3.2, A.4.1, A.5: with IA32_VMX_BASIC[55] the TRUE MSR holds everything */
    if (d->true_msr && vmx_msr_get(v, IA32_VMX_BASIC, &basic) && (basic & VMX_BASIC_TRUE_CTLS) &&
        vmx_msr_get(v, d->true_msr, &raw)) {
        out->from_true = true;
        out->msr = d->true_msr;
    } else if (!vmx_msr_get(v, d->msr, &raw)) {
        return VMX_CTL_ENOMSR;
    }
    out->available = true;
    if (d->wide) { /* SDM A.3.4, A.4.2: bits 63:0 are the allowed-1 settings */
        out->allowed1 = raw;
    } else {
        out->allowed0 = raw & 0xffffffffULL;
        out->allowed1 = raw >> 32;
    }
    return VMX_CTL_OK;
}

/* ---- message building ------------------------------------------------------------------ */

struct msg {
    char *buf;
    size_t cap, len;
};

static void msg_puts(struct msg *m, const char *s)
{
    if (!m->buf || m->cap == 0)
        return;
    while (*s && m->len + 1 < m->cap)
        m->buf[m->len++] = *s++;
    m->buf[m->len] = '\0';
}

/* Appends "NAME, NAME, bit N" for every bit of mask; names(bit) gives a name or NULL. */
static void msg_bits(struct msg *m, uint64_t mask, const char *(*names)(unsigned, const void *),
                     const void *arg)
{
    bool first = true;
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(mask & (1ULL << bit)))
            continue;
        const char *name = names(bit, arg);
        char tmp[16];
        if (!name) {
            fmt_snprintf(tmp, sizeof(tmp), "bit %u", bit);
            name = tmp;
        }
        if (!first)
            msg_puts(m, ", ");
        msg_puts(m, name);
        first = false;
    }
}

static const char *ctl_bit_name_cb(unsigned bit, const void *arg)
{
    return vmx_ctl_bit_name(*(const enum vmx_ctl *)arg, bit);
}

static void ctl_error(char *err, size_t errlen, enum vmx_ctl which, const char *what, uint64_t mask)
{
    struct msg m = {err, errlen, 0};
    msg_puts(&m, vmx_ctl_long_name(which));
    msg_puts(&m, what);
    msg_bits(&m, mask, ctl_bit_name_cb, &which);
}

/* ---- adjustment ------------------------------------------------------------------------ */

int vmx_adjust_controls64(enum vmx_ctl which, uint64_t wanted, uint64_t required,
                          const struct vmx_msr_values *v, uint64_t *out, uint64_t *dropped,
                          char *err, size_t errlen)
{
    struct vmx_ctl_allowed a;
    struct msg m = {err, errlen, 0};
    msg_puts(&m, "");
    if (!out || !v || !valid_ctl(which)) {
        msg_puts(&m, "vmx_adjust_controls: invalid argument");
        return VMX_CTL_EINVAL;
    }
    int rc = vmx_ctl_get_allowed(which, v, &a);
    if (rc == VMX_CTL_ENOMSR && !ctls[which].optional) {
        msg_puts(&m, vmx_ctl_long_name(which));
        msg_puts(&m, ": capability MSR not read");
        return rc;
    }
    /* An optional field that does not exist allows only 0 (a.allowed0 = a.allowed1 = 0). */
    if (!ctls[which].wide) {
        wanted &= 0xffffffffULL;
        required &= 0xffffffffULL;
    }
    uint64_t bad = a.allowed0 & ~a.allowed1;
    if (bad) {
        ctl_error(err, errlen, which,
                  ": capability MSR inconsistent, must be 1 but may not be 1: ", bad);
        return VMX_CTL_EINCONSISTENT;
    }
    uint64_t missing = required & ~a.allowed1;
    if (missing) {
        ctl_error(err, errlen, which, ": required but not supported: ", missing);
        return VMX_CTL_EUNSUPPORTED;
    }
    uint64_t value = (wanted | required | a.allowed0) & a.allowed1;
    if (a.from_true) /* SDM 32.5.1 algorithm 2 (c)(iv) */
        value |= ctls[which].default1 & ~vmx_ctl_known_mask(which) & a.allowed1;
    if (dropped)
        *dropped = wanted & ~a.allowed1;
    *out = value;
    return VMX_CTL_OK;
}

int vmx_adjust_controls(enum vmx_ctl which, uint32_t wanted, uint32_t required,
                        const struct vmx_msr_values *v, uint32_t *out, uint32_t *dropped, char *err,
                        size_t errlen)
{
    uint64_t out64 = 0, dropped64 = 0;
    if (!out) {
        struct msg m = {err, errlen, 0};
        msg_puts(&m, "vmx_adjust_controls: invalid argument");
        return VMX_CTL_EINVAL;
    }
    int rc = vmx_adjust_controls64(which, wanted, required, v, &out64, &dropped64, err, errlen);
    if (rc != VMX_CTL_OK)
        return rc;
    *out = (uint32_t)out64;
    if (dropped)
        *dropped = (uint32_t)dropped64;
    return VMX_CTL_OK;
}

/* ---- CR0 / CR4 fixed bits ---------------------------------------------------------------- */

/* SDM vol. 3 2.5 (Control Registers). */
static const char *const cr0_names[32] = {
    [0] = "PE",  [1] = "MP",  [2] = "EM",  [3] = "TS",  [4] = "ET",  [5] = "NE",
    [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};
static const char *const cr4_names[32] = {
    [0] = "VME",         [1] = "PVI",    [2] = "TSD",      [3] = "DE",    [4] = "PSE",
    [5] = "PAE",         [6] = "MCE",    [7] = "PGE",      [8] = "PCE",   [9] = "OSFXSR",
    [10] = "OSXMMEXCPT", [11] = "UMIP",  [12] = "LA57",    [13] = "VMXE", [14] = "SMXE",
    [16] = "FSGSBASE",   [17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL",   [20] = "SMEP",
    [21] = "SMAP",       [22] = "PKE",   [23] = "CET",     [24] = "PKS",  [25] = "UINTR",
};

static const char *cr_bit_name_cb(unsigned bit, const void *arg)
{
    const char *const *names = arg;
    return bit < 32 ? names[bit] : NULL;
}

uint64_t vmx_fixed_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
    return (value | fixed0) & fixed1; /* SDM A.7, A.8 */
}

int vmx_check_fixed_cr(unsigned cr, uint64_t value, uint64_t fixed0, uint64_t fixed1,
                       bool unrestricted_guest, char *err, size_t errlen)
{
    struct msg m = {err, errlen, 0};
    msg_puts(&m, "");
    if (cr != 0 && cr != 4) {
        msg_puts(&m, "vmx_check_fixed_cr: CR must be 0 or 4");
        return VMX_CTL_EINVAL;
    }
    const void *names = cr == 0 ? cr0_names : cr4_names;
    uint64_t must1 = fixed0;
    if (cr == 0 && unrestricted_guest) /* SDM 27.3.1.1 */
        must1 &= ~VMX_CR0_UNRESTRICTED_EXEMPT;
    uint64_t need1 = must1 & ~value, need0 = value & ~fixed1;
    if (!need1 && !need0)
        return VMX_CTL_OK;
    msg_puts(&m, cr == 0 ? "CR0:" : "CR4:");
    if (need1) {
        msg_puts(&m, " must be 1: ");
        msg_bits(&m, need1, cr_bit_name_cb, names);
    }
    if (need0) {
        msg_puts(&m, need1 ? "; must be 0: " : " must be 0: ");
        msg_bits(&m, need0, cr_bit_name_cb, names);
    }
    return VMX_CTL_EFIXED;
}
