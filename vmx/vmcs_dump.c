/*
 * vmx/vmcs_dump.c - human-readable dump of a VMCS and decoders of its fields (pure).
 *
 * Every text is built with a small appender that keeps the snprintf contract: it writes what
 * fits, always NUL-terminates, and counts the length the whole text would have had.
 */
#include <stdarg.h>
#include <string.h>

#include "vmx/vmcs_dump.h"
#include "platform/fmt.h"
#include "platform/x86.h"
#include "vmx/vmx_names.h"

struct out {
    char *buf;
    size_t cap;
    size_t len; /* length of the whole text, may exceed cap - 1 */
};

static void out_init(struct out *o, char *buf, size_t cap)
{
    o->buf = buf;
    o->cap = buf ? cap : 0;
    o->len = 0;
    if (o->cap)
        o->buf[0] = '\0';
}

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
    char *p = NULL;
    size_t room = 0;
    va_list ap;

    if (o->len < o->cap) {
        p = o->buf + o->len;
        room = o->cap - o->len;
    }
    va_start(ap, fmt);
    int n = fmt_vsnprintf(p, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* Forgets everything after position len (used to drop an empty decoding). */
static void out_truncate(struct out *o, size_t len)
{
    o->len = len;
    if (len < o->cap)
        o->buf[len] = '\0';
}

static int out_result(const struct out *o)
{
    return (int)o->len;
}

/* Appends the set bits of value, space-separated, by name(bit, arg), unnamed ones as "bitN".
 * Bits in skip are not shown. */
static void out_bits(struct out *o, uint64_t value, uint64_t skip,
                     const char *(*name)(unsigned bit, const void *arg), const void *arg)
{
    const char *sep = "";
    value &= ~skip;
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(value & (1ULL << bit)))
            continue;
        const char *s = name(bit, arg);
        if (s)
            out_printf(o, "%s%s", sep, s);
        else
            out_printf(o, "%sbit%u", sep, bit);
        sep = " ";
    }
}

struct name_table {
    const char *const *names;
    unsigned count;
};

static const char *table_name_cb(unsigned bit, const void *arg)
{
    const struct name_table *t = arg;
    return bit < t->count ? t->names[bit] : NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- segment access rights ---------------------------------------------------------------- */

/* SDM 25.4.1 Table 25-2 */

static void out_ar_fields(struct out *o, uint32_t ar)
{
    out_printf(o, "type=0x%x S=%u DPL=%u P=%u", ar & AR_TYPE_MASK, !!(ar & AR_S),
               (ar & AR_DPL_MASK) >> AR_DPL_SHIFT, !!(ar & AR_P));
    if (ar & AR_AVL)
        out_printf(o, " AVL=1");
    out_printf(o, " L=%u D/B=%u G=%u", !!(ar & AR_L), !!(ar & AR_DB), !!(ar & AR_G));
    if (ar & AR_RESERVED)
        out_printf(o, " reserved=%#x", ar & AR_RESERVED);
}

int vmcs_format_ar(char *buf, size_t n, uint32_t ar)
{
    struct out o;
    out_init(&o, buf, n);
    if (ar & AR_UNUSABLE) { /* SDM 25.4.1: the other bits may still hold e.g. SS.DPL */
        out_printf(&o, "unusable");
        if (ar & ~AR_UNUSABLE) {
            out_printf(&o, " (");
            out_ar_fields(&o, ar & ~AR_UNUSABLE);
            out_printf(&o, ")");
        }
    } else {
        out_ar_fields(&o, ar);
    }
    return out_result(&o);
}

/* ---- interruption information ------------------------------------------------------------ */

/* SDM 25.8.3 (VM entry), 25.9.2 (VM exit), 25.9.3 (IDT vectoring) */
#define INTR_VECTOR_MASK    0xffu
#define INTR_TYPE_SHIFT     8
#define INTR_TYPE_MASK      7u
#define INTR_ERROR_CODE     (1u << 11)
#define INTR_NMI_UNBLOCKING (1u << 12) /* VM exit only: NMI unblocking due to IRET */
#define INTR_VALID          (1u << 31)
#define INTR_RESERVED       0x7ffff000u /* 30:12 */

enum {
    INTR_TYPE_EXTERNAL = 0,
    INTR_TYPE_NMI = 2,
    INTR_TYPE_HW_EXCEPTION = 3,
    INTR_TYPE_SW_INTERRUPT = 4,
    INTR_TYPE_PRIV_SW_EXCEPTION = 5,
    INTR_TYPE_SW_EXCEPTION = 6,
    INTR_TYPE_OTHER = 7,
};

const char *vmcs_intr_type_name(uint32_t type)
{
    switch (type) { /* SDM 25.8.3 */
    case INTR_TYPE_EXTERNAL:
        return "external interrupt";
    case INTR_TYPE_NMI:
        return "NMI";
    case INTR_TYPE_HW_EXCEPTION:
        return "hardware exception";
    case INTR_TYPE_SW_INTERRUPT:
        return "software interrupt";
    case INTR_TYPE_PRIV_SW_EXCEPTION:
        return "privileged software exception";
    case INTR_TYPE_SW_EXCEPTION:
        return "software exception";
    case INTR_TYPE_OTHER:
        return "other event";
    default:
        return "reserved";
    }
}

/* SDM Table 6-1; 9 (coprocessor segment overrun) and 15 are reserved. */
static const char *const exception_names[32] = {
    [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",
    [5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS",
    [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
    [17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

const char *vmcs_exception_name(uint32_t vector)
{
    return vector < COUNT(exception_names) ? exception_names[vector] : NULL;
}

static int format_intr(char *buf, size_t n, uint32_t info, bool exit_info)
{
    struct out o;
    out_init(&o, buf, n);
    if (!(info & INTR_VALID)) {
        out_printf(&o, "not valid");
        return out_result(&o);
    }
    uint32_t vector = info & INTR_VECTOR_MASK;
    uint32_t type = (info >> INTR_TYPE_SHIFT) & INTR_TYPE_MASK;
    const char *exc = vmcs_exception_name(vector);
    out_printf(&o, "valid, vector %u", vector);
    if (exc && (type == INTR_TYPE_HW_EXCEPTION || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
                type == INTR_TYPE_SW_EXCEPTION))
        out_printf(&o, " (%s)", exc);
    out_printf(&o, ", %s", vmcs_intr_type_name(type));
    if (info & INTR_ERROR_CODE)
        out_printf(&o, ", error code");
    uint32_t reserved = info & INTR_RESERVED;
    if (exit_info && (info & INTR_NMI_UNBLOCKING)) { /* SDM 25.9.2 */
        out_printf(&o, ", NMI unblocking due to IRET");
        reserved &= ~INTR_NMI_UNBLOCKING;
    }
    if (reserved)
        out_printf(&o, ", reserved %#x", reserved);
    return out_result(&o);
}

int vmcs_format_intr_info(char *buf, size_t n, uint32_t info)
{
    return format_intr(buf, n, info, false);
}

int vmcs_format_exit_intr_info(char *buf, size_t n, uint32_t info)
{
    return format_intr(buf, n, info, true);
}

/* ---- controls and bitmaps ----------------------------------------------------------------- */

static const char *ctl_name_cb(unsigned bit, const void *arg)
{
    return vmx_ctl_bit_name(*(const enum vmx_ctl *)arg, bit);
}

int vmcs_format_controls(char *buf, size_t n, enum vmx_ctl which, uint64_t value)
{
    struct out o;
    out_init(&o, buf, n);
    out_bits(&o, value, 0, ctl_name_cb, &which); /* SDM 25.6.1-25.6.2, 25.7.1, 25.8.1 */
    return out_result(&o);
}

int vmcs_format_exception_bitmap(char *buf, size_t n, uint32_t bitmap)
{
    static const struct name_table t = {exception_names, COUNT(exception_names)};
    struct out o;
    out_init(&o, buf, n);
    out_bits(&o, bitmap, 0, table_name_cb, &t); /* SDM 25.6.3: bit i for vector i */
    return out_result(&o);
}

/* ---- guest non-register state ------------------------------------------------------------- */

const char *vmcs_activity_state_name(uint32_t state)
{
    switch (state) { /* SDM 25.4.2 */
    case 0:
        return "active";
    case 1:
        return "HLT";
    case 2:
        return "shutdown";
    case 3:
        return "wait-for-SIPI";
    default:
        return NULL;
    }
}

int vmcs_format_interruptibility(char *buf, size_t n, uint32_t v)
{
    /* SDM 25.4.2 Table 25-3: bits 0-4, 31:5 reserved */
    static const char *const names[] = {"STI", "MOV SS", "SMI", "NMI", "enclave interruption"};
    const uint32_t known = (1u << COUNT(names)) - 1;
    struct out o;
    out_init(&o, buf, n);
    if (!(v & known)) {
        out_printf(&o, "no blocking");
    } else {
        const char *sep = "blocking by ";
        for (unsigned bit = 0; bit < COUNT(names); bit++) {
            if (v & (1u << bit)) {
                out_printf(&o, "%s%s", sep, names[bit]);
                sep = ", ";
            }
        }
    }
    if (v & ~known)
        out_printf(&o, ", reserved %#x", v & ~known);
    return out_result(&o);
}

/* ---- control registers and MSRs ----------------------------------------------------------- */

/* SDM 2.5 */
static const char *const cr0_names[32] = {
    [0] = "PE",  [1] = "MP",  [2] = "EM",  [3] = "TS",  [4] = "ET",  [5] = "NE",
    [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

/* SDM 2.5 */
static const char *const cr4_names[33] = {
    [0] = "VME",         [1] = "PVI",      [2] = "TSD",      [3] = "DE",    [4] = "PSE",
    [5] = "PAE",         [6] = "MCE",      [7] = "PGE",      [8] = "PCE",   [9] = "OSFXSR",
    [10] = "OSXMMEXCPT", [11] = "UMIP",    [12] = "LA57",    [13] = "VMXE", [14] = "SMXE",
    [16] = "FSGSBASE",   [17] = "PCIDE",   [18] = "OSXSAVE", [19] = "KL",   [20] = "SMEP",
    [21] = "SMAP",       [22] = "PKE",     [23] = "CET",     [24] = "PKS",  [25] = "UINTR",
    [27] = "LASS",       [28] = "LAM_SUP", [32] = "FRED",
};

/* SDM 2.2.1 (IA32_EFER) */
static const char *const efer_names[12] = {
    [0] = "SCE",
    [8] = "LME",
    [10] = "LMA",
    [11] = "NXE",
};

/* SDM vol. 1 3.4.3, vol. 3 2.3; bits 13:12 are IOPL, bit 1 is always 1 */
static const char *const rflags_names[22] = {
    [0] = "CF",  [2] = "PF",   [4] = "AF",   [6] = "ZF",  [7] = "SF",  [8] = "TF",
    [9] = "IF",  [10] = "DF",  [11] = "OF",  [14] = "NT", [16] = "RF", [17] = "VM",
    [18] = "AC", [19] = "VIF", [20] = "VIP", [21] = "ID",
};
#define RFLAGS_IOPL_SHIFT 12

static int format_named_bits(char *buf, size_t n, uint64_t value, const char *const *names,
                             unsigned count)
{
    const struct name_table t = {names, count};
    struct out o;
    out_init(&o, buf, n);
    out_bits(&o, value, 0, table_name_cb, &t);
    return out_result(&o);
}

int vmcs_format_cr0(char *buf, size_t n, uint64_t cr0)
{
    return format_named_bits(buf, n, cr0, cr0_names, COUNT(cr0_names));
}

int vmcs_format_cr4(char *buf, size_t n, uint64_t cr4)
{
    return format_named_bits(buf, n, cr4, cr4_names, COUNT(cr4_names));
}

int vmcs_format_efer(char *buf, size_t n, uint64_t efer)
{
    return format_named_bits(buf, n, efer, efer_names, COUNT(efer_names));
}

int vmcs_format_rflags(char *buf, size_t n, uint64_t rflags)
{
    const struct name_table t = {rflags_names, COUNT(rflags_names)};
    struct out o;
    out_init(&o, buf, n);
    out_bits(&o, rflags, RFLAGS_FIXED1 | RFLAGS_IOPL, table_name_cb, &t);
    if (rflags & RFLAGS_IOPL)
        out_printf(&o, "%sIOPL=%u", o.len ? " " : "",
                   (unsigned)((rflags & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT));
    return out_result(&o);
}

/* ---- one field ---------------------------------------------------------------------------- */

int vmcs_format_decoding(char *buf, size_t n, const struct vmcs_field *f, uint64_t value)
{
    uint32_t v32 = (uint32_t)value;
    if (!f) {
        struct out o;
        out_init(&o, buf, n);
        return out_result(&o);
    }
    switch (f->encoding) {
    /* SDM 25.6.1, 25.6.2 execution controls, 25.7.1 exit controls, 25.8.1 entry controls */
    case PIN_BASED_VM_EXEC_CONTROL:
        return vmcs_format_controls(buf, n, VMX_CTL_PIN, v32);
    case CPU_BASED_VM_EXEC_CONTROL:
        return vmcs_format_controls(buf, n, VMX_CTL_PROC, v32);
    case SECONDARY_VM_EXEC_CONTROL:
        return vmcs_format_controls(buf, n, VMX_CTL_PROC2, v32);
    case TERTIARY_VM_EXEC_CONTROL:
        return vmcs_format_controls(buf, n, VMX_CTL_PROC3, value);
    case VM_EXIT_CONTROLS:
        return vmcs_format_controls(buf, n, VMX_CTL_EXIT, v32);
    case SECONDARY_VM_EXIT_CONTROLS:
        return vmcs_format_controls(buf, n, VMX_CTL_EXIT2, value);
    case VM_ENTRY_CONTROLS:
        return vmcs_format_controls(buf, n, VMX_CTL_ENTRY, v32);
    case EXCEPTION_BITMAP: /* SDM 25.6.3 */
        return vmcs_format_exception_bitmap(buf, n, v32);
    case VM_ENTRY_INTR_INFO_FIELD: /* SDM 25.8.3 */
    case IDT_VECTORING_INFO_FIELD: /* SDM 25.9.3 */
        return vmcs_format_intr_info(buf, n, v32);
    case VM_EXIT_INTR_INFO: /* SDM 25.9.2 */
        return vmcs_format_exit_intr_info(buf, n, v32);
    case VM_EXIT_REASON: /* SDM 25.9.1 */
        return vmx_exit_reason_format(v32, buf, n);
    case VM_INSTRUCTION_ERROR: { /* SDM 31.4 */
        const char *text = vmx_insn_error_name(v32);
        return fmt_snprintf(buf, n, "%s", v32 == 0 ? "" : text ? text : "unknown error");
    }
    case GUEST_ES_AR_BYTES: /* SDM 25.4.1 */
    case GUEST_CS_AR_BYTES:
    case GUEST_SS_AR_BYTES:
    case GUEST_DS_AR_BYTES:
    case GUEST_FS_AR_BYTES:
    case GUEST_GS_AR_BYTES:
    case GUEST_LDTR_AR_BYTES:
    case GUEST_TR_AR_BYTES:
        return vmcs_format_ar(buf, n, v32);
    case GUEST_ACTIVITY_STATE: { /* SDM 25.4.2 */
        const char *name = vmcs_activity_state_name(v32);
        return fmt_snprintf(buf, n, "%s", name ? name : "unknown");
    }
    case GUEST_INTERRUPTIBILITY_INFO: /* SDM 25.4.2 */
        return vmcs_format_interruptibility(buf, n, v32);
    case CR0_GUEST_HOST_MASK: /* SDM 25.6.6 */
    case CR0_READ_SHADOW:
    case GUEST_CR0: /* SDM 25.4.1 */
    case HOST_CR0:  /* SDM 25.5 */
        return vmcs_format_cr0(buf, n, value);
    case CR4_GUEST_HOST_MASK:
    case CR4_READ_SHADOW:
    case GUEST_CR4:
    case HOST_CR4:
        return vmcs_format_cr4(buf, n, value);
    case GUEST_IA32_EFER:
    case HOST_IA32_EFER:
        return vmcs_format_efer(buf, n, value);
    case GUEST_RFLAGS:
        return vmcs_format_rflags(buf, n, value);
    default: {
        struct out o;
        out_init(&o, buf, n);
        return out_result(&o);
    }
    }
}

int vmcs_format_field(char *buf, size_t n, const struct vmcs_field *f, uint64_t value)
{
    struct out o;
    out_init(&o, buf, n);
    if (!f)
        return out_result(&o);
    unsigned digits = 2 * vmcs_width_bytes(f->width); /* SDM 25.11.2: 16, 32, 64 bits */
    if (digits < 16)
        value &= (1ULL << (4 * digits)) - 1;
    out_printf(&o, "  %-*s 0x%04x = 0x%0*llx", VMCS_DUMP_NAME_WIDTH, f->name, (unsigned)f->encoding,
               (int)digits, (unsigned long long)value);

    size_t before = o.len;
    out_printf(&o, " [");
    size_t start = o.len;
    char *p = start < o.cap ? o.buf + start : NULL;
    int dn = vmcs_format_decoding(p, p ? o.cap - start : 0, f, value);
    if (dn <= 0) {
        out_truncate(&o, before);
    } else {
        o.len += (size_t)dn;
        out_printf(&o, "]");
    }
    if (o.len >= o.cap && o.cap >= 4) /* did not fit: say so */
        memcpy(o.buf + o.cap - 4, "...", 4);
    return out_result(&o);
}

/* ---- which fields are in use -------------------------------------------------------------- */

/* One control field: 0 when it is beyond the enumeration or refused. */
static uint64_t read_control(vmcs_read_fn read, void *rctx, uint64_t vmcs_enum, uint32_t enc)
{
    const struct vmcs_field *f = vmcs_field_by_encoding(enc);
    uint64_t value = 0;
    if (!f || !vmcs_field_within_enum(f, vmcs_enum)) /* SDM A.9 */
        return 0;
    if (read(rctx, enc, &value) != 0) /* SDM 31.4 error 12 */
        return 0;
    return value;
}

void vmcs_read_controls(vmcs_read_fn read, void *rctx, uint64_t ia32_vmx_vmcs_enum,
                        struct vmcs_controls *c)
{
    if (!c)
        return;
    memset(c, 0, sizeof(*c));
    if (!read)
        return;
    uint64_t e = ia32_vmx_vmcs_enum;
    c->pin = (uint32_t)read_control(read, rctx, e, PIN_BASED_VM_EXEC_CONTROL);
    c->proc = (uint32_t)read_control(read, rctx, e, CPU_BASED_VM_EXEC_CONTROL);
    c->exit = (uint32_t)read_control(read, rctx, e, VM_EXIT_CONTROLS);
    c->entry = (uint32_t)read_control(read, rctx, e, VM_ENTRY_CONTROLS);
    if (c->proc & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS) /* SDM 25.6.2 */
        c->proc2 = (uint32_t)read_control(read, rctx, e, SECONDARY_VM_EXEC_CONTROL);
    if (c->proc & PROC_BASED_ACTIVATE_TERTIARY_CONTROLS) /* SDM 25.6.2 */
        c->proc3 = read_control(read, rctx, e, TERTIARY_VM_EXEC_CONTROL);
    if (c->exit & VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS) /* SDM 25.7.1 */
        c->exit2 = read_control(read, rctx, e, SECONDARY_VM_EXIT_CONTROLS);
    if (c->proc2 & PROC_BASED2_ENABLE_VM_FUNCTIONS) /* SDM 25.6.14 */
        c->vmfunc = read_control(read, rctx, e, VM_FUNCTION_CONTROL);
}

/* The fields struct vmcs_controls holds: always shown, whatever they hold. */
static bool is_control_word(uint32_t enc)
{
    switch (enc) {
    case PIN_BASED_VM_EXEC_CONTROL:
    case CPU_BASED_VM_EXEC_CONTROL:
    case SECONDARY_VM_EXEC_CONTROL:
    case TERTIARY_VM_EXEC_CONTROL:
    case VM_EXIT_CONTROLS:
    case SECONDARY_VM_EXIT_CONTROLS:
    case VM_ENTRY_CONTROLS:
    case VM_FUNCTION_CONTROL:
        return true;
    default:
        return false;
    }
}

bool vmcs_field_active(const struct vmcs_field *f, const struct vmcs_controls *c)
{
    if (!f)
        return false;
    if (!c || is_control_word(f->encoding))
        return true;
    switch (f->requires) { /* the deciding controls: SDM 25.6-25.8, appendix B footnotes */
    case VMCS_FEAT_NONE:
        return true;
    /* pin-based controls, SDM 25.6.1 */
    case VMCS_FEAT_POSTED_INTR:
        return c->pin & PIN_BASED_PROCESS_POSTED_INTERRUPTS;
    case VMCS_FEAT_PREEMPTION_TIMER:
        return c->pin & PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER;
    /* primary processor-based controls, SDM 25.6.2 */
    case VMCS_FEAT_MSR_BITMAPS:
        return c->proc & PROC_BASED_USE_MSR_BITMAPS;
    case VMCS_FEAT_TPR_SHADOW:
        return c->proc & PROC_BASED_USE_TPR_SHADOW;
    case VMCS_FEAT_SECONDARY:
        return c->proc & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS;
    case VMCS_FEAT_TERTIARY:
        return c->proc & PROC_BASED_ACTIVATE_TERTIARY_CONTROLS;
    /* secondary processor-based controls, SDM 25.6.2 */
    case VMCS_FEAT_APIC_ACCESS:
        return c->proc2 & PROC_BASED2_VIRTUALIZE_APIC_ACCESSES;
    case VMCS_FEAT_EPT:
        return c->proc2 & PROC_BASED2_ENABLE_EPT;
    case VMCS_FEAT_VPID:
        return c->proc2 & PROC_BASED2_ENABLE_VPID;
    case VMCS_FEAT_VID:
        return c->proc2 & PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY;
    case VMCS_FEAT_PLE:
        return c->proc2 & PROC_BASED2_PAUSE_LOOP_EXITING;
    case VMCS_FEAT_VMFUNC:
        return c->proc2 & PROC_BASED2_ENABLE_VM_FUNCTIONS;
    case VMCS_FEAT_EPTP_SWITCHING: /* SDM 25.6.14: VM-function control bit 0 */
        return (c->proc2 & PROC_BASED2_ENABLE_VM_FUNCTIONS) &&
               (c->vmfunc & VMX_VMFUNC_EPTP_SWITCHING);
    case VMCS_FEAT_SHADOW_VMCS:
        return c->proc2 & PROC_BASED2_VMCS_SHADOWING;
    case VMCS_FEAT_ENCLS:
        return c->proc2 & PROC_BASED2_ENABLE_ENCLS_EXITING;
    case VMCS_FEAT_PML:
        return c->proc2 & PROC_BASED2_ENABLE_PML;
    case VMCS_FEAT_EPT_VE:
        return c->proc2 & PROC_BASED2_EPT_VIOLATION_VE;
    case VMCS_FEAT_XSAVES:
        return c->proc2 & PROC_BASED2_ENABLE_XSAVES_XRSTORS;
    case VMCS_FEAT_PASID:
        return c->proc2 & PROC_BASED2_PASID_TRANSLATION;
    case VMCS_FEAT_SPP:
        return c->proc2 & PROC_BASED2_SUB_PAGE_WRITE_PERMISSIONS;
    case VMCS_FEAT_TSC_SCALING:
        return c->proc2 & PROC_BASED2_USE_TSC_SCALING;
    case VMCS_FEAT_PCONFIG:
        return c->proc2 & PROC_BASED2_ENABLE_PCONFIG;
    case VMCS_FEAT_ENCLV:
        return c->proc2 & PROC_BASED2_ENABLE_ENCLV_EXITING;
    case VMCS_FEAT_INSN_TIMEOUT:
        return c->proc2 & PROC_BASED2_INSTRUCTION_TIMEOUT;
    /* tertiary processor-based controls, SDM 25.6.2 */
    case VMCS_FEAT_HLAT:
        return c->proc3 & PROC_BASED3_ENABLE_HLAT;
    case VMCS_FEAT_IPI_VIRT:
        return c->proc3 & PROC_BASED3_IPI_VIRTUALIZATION;
    case VMCS_FEAT_SPEC_CTRL:
        return c->proc3 & PROC_BASED3_VIRTUALIZE_IA32_SPEC_CTRL;
    /* VM-exit controls, SDM 25.7.1 */
    case VMCS_FEAT_SECONDARY_EXIT:
        return c->exit & VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS;
    case VMCS_FEAT_PAT_HOST:
        return c->exit & VM_EXIT_CTL_LOAD_IA32_PAT;
    case VMCS_FEAT_EFER_HOST:
        return c->exit & VM_EXIT_CTL_LOAD_IA32_EFER;
    case VMCS_FEAT_PERF_GLOBAL_HOST:
        return c->exit & VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL;
    case VMCS_FEAT_PKRS_HOST:
        return c->exit & VM_EXIT_CTL_LOAD_PKRS;
    case VMCS_FEAT_CET_HOST:
        return c->exit & VM_EXIT_CTL_LOAD_CET_STATE;
    /* VM-entry controls (SDM 25.8.1), some with the exit control that saves or clears */
    case VMCS_FEAT_PAT_GUEST:
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_PAT) || (c->exit & VM_EXIT_CTL_SAVE_IA32_PAT);
    case VMCS_FEAT_EFER_GUEST:
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_EFER) || (c->exit & VM_EXIT_CTL_SAVE_IA32_EFER);
    case VMCS_FEAT_PERF_GLOBAL_GUEST:
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL) ||
               (c->exit & VM_EXIT_CTL_SAVE_IA32_PERF_GLOBAL_CTL);
    case VMCS_FEAT_BNDCFGS:
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_BNDCFGS) ||
               (c->exit & VM_EXIT_CTL_CLEAR_IA32_BNDCFGS);
    case VMCS_FEAT_RTIT_CTL:
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_RTIT_CTL) ||
               (c->exit & VM_EXIT_CTL_CLEAR_IA32_RTIT_CTL);
    case VMCS_FEAT_LBR_CTL:
        return (c->entry & VM_ENTRY_CTL_LOAD_GUEST_IA32_LBR_CTL) ||
               (c->exit & VM_EXIT_CTL_CLEAR_IA32_LBR_CTL);
    case VMCS_FEAT_UINTR:
        return (c->entry & VM_ENTRY_CTL_LOAD_UINV) || (c->exit & VM_EXIT_CTL_CLEAR_UINV);
    case VMCS_FEAT_PKRS_GUEST:
        return c->entry & VM_ENTRY_CTL_LOAD_PKRS;
    case VMCS_FEAT_CET_GUEST:
        return c->entry & VM_ENTRY_CTL_LOAD_CET_STATE;
    case VMCS_FEAT_FRED: /* guest state: load on entry / save on exit; host: load on exit */
        if (f->area == VMCS_AREA_HOST)
            return c->exit2 & VM_EXIT_CTL2_LOAD_IA32_FRED;
        if (f->area == VMCS_AREA_GUEST)
            return (c->entry & VM_ENTRY_CTL_LOAD_IA32_FRED) ||
                   (c->exit2 & VM_EXIT_CTL2_SAVE_IA32_FRED);
        return (c->entry & VM_ENTRY_CTL_LOAD_IA32_FRED) ||
               (c->exit2 & (VM_EXIT_CTL2_SAVE_IA32_FRED | VM_EXIT_CTL2_LOAD_IA32_FRED));
    case VMCS_FEAT_SEAM: /* no VMX control decides; only SEAM VMX operation has it */
    default:
        return true;
    }
}

/* ---- the dump ----------------------------------------------------------------------------- */

const char *vmcs_dump_section_name(enum vmcs_area area)
{
    switch (area) {
    case VMCS_AREA_CONTROL: /* SDM 25.6-25.8 */
        return "VMCS control fields";
    case VMCS_AREA_GUEST: /* SDM 25.4 */
        return "VMCS guest-state fields";
    case VMCS_AREA_HOST: /* SDM 25.5 */
        return "VMCS host-state fields";
    case VMCS_AREA_EXIT_INFO: /* SDM 25.9 */
        return "VMCS VM-exit information fields";
    default:
        return "?";
    }
}

void vmcs_dump(vmcs_read_fn read, void *rctx, uint64_t ia32_vmx_vmcs_enum, vmcs_emit_fn emit,
               void *ectx, struct vmcs_dump_stats *stats)
{
    static const enum vmcs_area order[] = {VMCS_AREA_CONTROL, VMCS_AREA_GUEST, VMCS_AREA_HOST,
                                           VMCS_AREA_EXIT_INFO};
    struct vmcs_dump_stats st = {0, 0, 0, 0};
    struct vmcs_controls ctl;
    char line[VMCS_DUMP_LINE_MAX];

    if (stats)
        *stats = st;
    if (!read || !emit)
        return;
    vmcs_read_controls(read, rctx, ia32_vmx_vmcs_enum, &ctl);
    for (size_t a = 0; a < COUNT(order); a++) {
        emit(ectx, vmcs_dump_section_name(order[a]));
        for (size_t i = 0; i < vmcs_field_count(); i++) {
            const struct vmcs_field *f = vmcs_field_at(i);
            uint64_t value = 0;
            if (f->area != order[a])
                continue;
            if (!vmcs_field_within_enum(f, ia32_vmx_vmcs_enum)) { /* SDM A.9 */
                st.beyond_enum++;
                continue;
            }
            if (!vmcs_field_active(f, &ctl)) { /* feature off in this VMCS's controls */
                st.inactive++;
                continue;
            }
            if (read(rctx, f->encoding, &value) != 0) { /* SDM 31.4 error 12 */
                st.unsupported++;
                continue;
            }
            vmcs_format_field(line, sizeof(line), f, value);
            emit(ectx, line);
            st.printed++;
        }
    }
    if (stats)
        *stats = st;
}
