/*
 * vmx/vmcs_fields.h - the VMCS field table (pure data + lookups).
 *
 * One row per field of SDM appendix B, built from vmx/vmcs_fields.def. A 64-bit field has one
 * row holding its full encoding; its high half is VMCS_HIGH(encoding) = encoding + 1
 * (SDM 25.11.2). The enum vmcs_field_encoding names every encoding (e.g. GUEST_CS_AR_BYTES =
 * 0x4816) and is what the rest of the code passes to VMREAD/VMWRITE.
 */
#ifndef VMX_VMCS_FIELDS_H
#define VMX_VMCS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_encoding.h"

/* Every field's full encoding, under its name. */
enum vmcs_field_encoding {
#define VMCS_FIELD(name, enc, width, area, req) name = (enc),
#include "vmx/vmcs_fields.def"
#undef VMCS_FIELD
};

/*
 * What the processor must support for a field to exist (the footnotes of the appendix B
 * tables). Each value names the VMX control(s) whose allowed 1-setting, read from the
 * capability MSRs (SDM appendix A), says the field is there.
 */
enum vmcs_feature {
    VMCS_FEAT_NONE,              /* always present */
    VMCS_FEAT_VPID,              /* "enable VPID" */
    VMCS_FEAT_POSTED_INTR,       /* "process posted interrupts" */
    VMCS_FEAT_EPT_VE,            /* "EPT-violation #VE" */
    VMCS_FEAT_HLAT,              /* "enable HLAT" (tertiary) */
    VMCS_FEAT_IPI_VIRT,          /* "IPI virtualization" (tertiary) */
    VMCS_FEAT_VID,               /* "virtual-interrupt delivery" */
    VMCS_FEAT_PML,               /* "enable PML" */
    VMCS_FEAT_UINTR,             /* "load UINV" entry or "clear UINV" exit control */
    VMCS_FEAT_MSR_BITMAPS,       /* "use MSR bitmaps" */
    VMCS_FEAT_TPR_SHADOW,        /* "use TPR shadow" */
    VMCS_FEAT_APIC_ACCESS,       /* "virtualize APIC accesses" */
    VMCS_FEAT_VMFUNC,            /* "enable VM functions" */
    VMCS_FEAT_EPT,               /* "enable EPT" */
    VMCS_FEAT_EPTP_SWITCHING,    /* "EPTP switching" VM function */
    VMCS_FEAT_SHADOW_VMCS,       /* "VMCS shadowing" */
    VMCS_FEAT_XSAVES,            /* "enable XSAVES/XRSTORS" */
    VMCS_FEAT_ENCLS,             /* "enable ENCLS exiting" */
    VMCS_FEAT_SPP,               /* "sub-page write permissions for EPT" */
    VMCS_FEAT_TSC_SCALING,       /* "use TSC scaling" */
    VMCS_FEAT_TERTIARY,          /* "activate tertiary controls" */
    VMCS_FEAT_ENCLV,             /* "enable ENCLV exiting" */
    VMCS_FEAT_PASID,             /* "PASID translation" */
    VMCS_FEAT_SEAM,              /* used in SEAM (TDX) only; not enumerated by the VMX MSRs */
    VMCS_FEAT_PCONFIG,           /* "enable PCONFIG" */
    VMCS_FEAT_SECONDARY_EXIT,    /* "activate secondary controls" VM-exit control */
    VMCS_FEAT_SPEC_CTRL,         /* "virtualize IA32_SPEC_CTRL" (tertiary) */
    VMCS_FEAT_FRED,              /* FRED state: "load FRED" entry / FRED secondary exit controls */
    VMCS_FEAT_PAT_GUEST,         /* "load IA32_PAT" entry or "save IA32_PAT" exit control */
    VMCS_FEAT_PAT_HOST,          /* "load IA32_PAT" exit control */
    VMCS_FEAT_EFER_GUEST,        /* "load IA32_EFER" entry or "save IA32_EFER" exit control */
    VMCS_FEAT_EFER_HOST,         /* "load IA32_EFER" exit control */
    VMCS_FEAT_PERF_GLOBAL_GUEST, /* "load IA32_PERF_GLOBAL_CTRL" entry control */
    VMCS_FEAT_PERF_GLOBAL_HOST,  /* "load IA32_PERF_GLOBAL_CTRL" exit control */
    VMCS_FEAT_BNDCFGS,           /* "load IA32_BNDCFGS" entry or "clear IA32_BNDCFGS" exit */
    VMCS_FEAT_RTIT_CTL,          /* "load IA32_RTIT_CTL" entry or "clear IA32_RTIT_CTL" exit */
    VMCS_FEAT_LBR_CTL,           /* "load guest IA32_LBR_CTL" entry or "clear IA32_LBR_CTL" exit */
    VMCS_FEAT_PKRS_GUEST,        /* "load PKRS" entry control */
    VMCS_FEAT_PKRS_HOST,         /* "load PKRS" exit control */
    VMCS_FEAT_CET_GUEST,         /* "load CET state" entry control */
    VMCS_FEAT_CET_HOST,          /* "load CET state" exit control */
    VMCS_FEAT_SECONDARY,         /* "activate secondary controls" */
    VMCS_FEAT_PLE,               /* "PAUSE-loop exiting" */
    VMCS_FEAT_INSN_TIMEOUT,      /* "instruction timeout" */
    VMCS_FEAT_PREEMPTION_TIMER,  /* "activate VMX-preemption timer" */
    VMCS_FEAT_COUNT
};

struct vmcs_field {
    uint32_t encoding;          /* full encoding */
    const char *name;           /* "GUEST_CS_AR_BYTES" */
    enum vmcs_width width;      /* equals VMCS_ENC_WIDTH(encoding) */
    enum vmcs_area area;        /* equals VMCS_ENC_TYPE(encoding) */
    bool read_only;             /* VM-exit information (read-only data) field */
    enum vmcs_feature requires; /* VMCS_FEAT_NONE: every VMX processor has it */
};

/* Number of rows and row i (NULL when i >= count), in appendix B order. */
size_t vmcs_field_count(void);
const struct vmcs_field *vmcs_field_at(size_t i);

/* The row of a full encoding; a high encoding (odd, 64-bit) gives its field's row too, so
 * check vmcs_enc_is_high(). NULL for an encoding no field uses. */
const struct vmcs_field *vmcs_field_by_encoding(uint32_t enc);

/* The row named exactly name ("GUEST_RIP"); NULL if none. */
const struct vmcs_field *vmcs_field_by_name(const char *name);

/* Highest index (bits 9:1) of any field in the table. SDM A.9 */
uint32_t vmcs_field_index_max(void);

/* Highest index a processor uses: bits 9:1 of its IA32_VMX_VMCS_ENUM MSR. SDM A.9 */
static inline uint32_t vmcs_enum_index_max(uint64_t vmx_vmcs_enum)
{
    return (uint32_t)(vmx_vmcs_enum >> 1) & VMCS_ENC_INDEX_MASK;
}

/* False if the field's index is above what IA32_VMX_VMCS_ENUM reports, so the processor
 * cannot have it (a dump skips it). True does not prove the field exists. SDM A.9 */
static inline bool vmcs_field_within_enum(const struct vmcs_field *f, uint64_t vmx_vmcs_enum)
{
    return VMCS_ENC_INDEX(f->encoding) <= vmcs_enum_index_max(vmx_vmcs_enum);
}

/* Size in bytes of a field's value as VMREAD returns it in 64-bit mode (natural width: 8). */
unsigned vmcs_width_bytes(enum vmcs_width w);

/* "16-bit", "64-bit", "32-bit", "natural"; "?" when out of range. */
const char *vmcs_width_name(enum vmcs_width w);

/* "control", "exit-info", "guest", "host"; "?" when out of range. */
const char *vmcs_area_name(enum vmcs_area a);

/* Short name of a feature ("EPT", "posted-interrupts"); "?" when out of range. */
const char *vmcs_feature_name(enum vmcs_feature f);

#endif
