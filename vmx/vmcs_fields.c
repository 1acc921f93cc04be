/*
 * vmx/vmcs_fields.c - the VMCS field table (pure): one row per field of SDM appendix B,
 * generated from vmx/vmcs_fields.def, and lookups by position, encoding and name.
 */
#include "vmx/vmcs_fields.h"

#include <string.h>

/* Read-only data are exactly the fields of type 1 (VM-exit information). SDM 25.11.2 */
#define VMCS_FIELD(id, enc, w, a, req)                                                             \
    {                                                                                              \
        .encoding = (enc),                                                                         \
        .name = #id,                                                                               \
        .width = VMCS_WIDTH_##w,                                                                   \
        .area = VMCS_AREA_##a,                                                                     \
        .read_only = VMCS_AREA_##a == VMCS_AREA_EXIT_INFO,                                         \
        .requires = VMCS_FEAT_##req,                                                               \
    },

static const struct vmcs_field vmcs_fields[] = {
#include "vmx/vmcs_fields.def"
};

#undef VMCS_FIELD

#define VMCS_FIELD_ROWS (sizeof(vmcs_fields) / sizeof(vmcs_fields[0]))

size_t vmcs_field_count(void)
{
    return VMCS_FIELD_ROWS;
}

const struct vmcs_field *vmcs_field_at(size_t i)
{
    return i < VMCS_FIELD_ROWS ? &vmcs_fields[i] : NULL;
}

const struct vmcs_field *vmcs_field_by_encoding(uint32_t enc)
{
    /* Only 64-bit fields have a high access encoding. SDM 25.11.2 */
    if (vmcs_enc_is_high(enc) && vmcs_enc_width(enc) != VMCS_WIDTH_64)
        return NULL;
    uint32_t full = enc & ~VMCS_ENC_ACCESS_HIGH;
    for (size_t i = 0; i < VMCS_FIELD_ROWS; i++) {
        if (vmcs_fields[i].encoding == full)
            return &vmcs_fields[i];
    }
    return NULL;
}

const struct vmcs_field *vmcs_field_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < VMCS_FIELD_ROWS; i++) {
        if (strcmp(vmcs_fields[i].name, name) == 0)
            return &vmcs_fields[i];
    }
    return NULL;
}

uint32_t vmcs_field_index_max(void)
{
    uint32_t max = 0;
    for (size_t i = 0; i < VMCS_FIELD_ROWS; i++) {
        uint32_t index = vmcs_enc_index(vmcs_fields[i].encoding);
        if (index > max)
            max = index;
    }
    return max;
}

unsigned vmcs_width_bytes(enum vmcs_width w)
{
    switch (w) {
    case VMCS_WIDTH_16:
        return 2;
    case VMCS_WIDTH_32:
        return 4;
    case VMCS_WIDTH_64:
    case VMCS_WIDTH_NAT:
        return 8;
    }
    return 0;
}

const char *vmcs_width_name(enum vmcs_width w)
{
    switch (w) {
    case VMCS_WIDTH_16:
        return "16-bit";
    case VMCS_WIDTH_64:
        return "64-bit";
    case VMCS_WIDTH_32:
        return "32-bit";
    case VMCS_WIDTH_NAT:
        return "natural";
    }
    return "?";
}

const char *vmcs_area_name(enum vmcs_area a)
{
    switch (a) {
    case VMCS_AREA_CONTROL:
        return "control";
    case VMCS_AREA_EXIT_INFO:
        return "exit-info";
    case VMCS_AREA_GUEST:
        return "guest";
    case VMCS_AREA_HOST:
        return "host";
    }
    return "?";
}

static const char *const vmcs_feature_names[VMCS_FEAT_COUNT] = {
    [VMCS_FEAT_NONE] = "none",
    [VMCS_FEAT_VPID] = "VPID",
    [VMCS_FEAT_POSTED_INTR] = "posted-interrupts",
    [VMCS_FEAT_EPT_VE] = "EPT-violation-#VE",
    [VMCS_FEAT_HLAT] = "HLAT",
    [VMCS_FEAT_IPI_VIRT] = "IPI-virtualization",
    [VMCS_FEAT_VID] = "virtual-interrupt-delivery",
    [VMCS_FEAT_PML] = "PML",
    [VMCS_FEAT_UINTR] = "user-interrupts",
    [VMCS_FEAT_MSR_BITMAPS] = "MSR-bitmaps",
    [VMCS_FEAT_TPR_SHADOW] = "TPR-shadow",
    [VMCS_FEAT_APIC_ACCESS] = "APIC-access",
    [VMCS_FEAT_VMFUNC] = "VMFUNC",
    [VMCS_FEAT_EPT] = "EPT",
    [VMCS_FEAT_EPTP_SWITCHING] = "EPTP-switching",
    [VMCS_FEAT_SHADOW_VMCS] = "VMCS-shadowing",
    [VMCS_FEAT_XSAVES] = "XSAVES",
    [VMCS_FEAT_ENCLS] = "ENCLS-exiting",
    [VMCS_FEAT_SPP] = "SPP",
    [VMCS_FEAT_TSC_SCALING] = "TSC-scaling",
    [VMCS_FEAT_TERTIARY] = "tertiary-controls",
    [VMCS_FEAT_ENCLV] = "ENCLV-exiting",
    [VMCS_FEAT_PASID] = "PASID-translation",
    [VMCS_FEAT_SEAM] = "SEAM",
    [VMCS_FEAT_PCONFIG] = "PCONFIG",
    [VMCS_FEAT_SECONDARY_EXIT] = "secondary-exit-controls",
    [VMCS_FEAT_SPEC_CTRL] = "SPEC_CTRL-virtualization",
    [VMCS_FEAT_FRED] = "FRED",
    [VMCS_FEAT_PAT_GUEST] = "guest-PAT",
    [VMCS_FEAT_PAT_HOST] = "host-PAT",
    [VMCS_FEAT_EFER_GUEST] = "guest-EFER",
    [VMCS_FEAT_EFER_HOST] = "host-EFER",
    [VMCS_FEAT_PERF_GLOBAL_GUEST] = "guest-PERF_GLOBAL_CTRL",
    [VMCS_FEAT_PERF_GLOBAL_HOST] = "host-PERF_GLOBAL_CTRL",
    [VMCS_FEAT_BNDCFGS] = "BNDCFGS",
    [VMCS_FEAT_RTIT_CTL] = "RTIT_CTL",
    [VMCS_FEAT_LBR_CTL] = "LBR_CTL",
    [VMCS_FEAT_PKRS_GUEST] = "guest-PKRS",
    [VMCS_FEAT_PKRS_HOST] = "host-PKRS",
    [VMCS_FEAT_CET_GUEST] = "guest-CET",
    [VMCS_FEAT_CET_HOST] = "host-CET",
    [VMCS_FEAT_SECONDARY] = "secondary-controls",
    [VMCS_FEAT_PLE] = "PAUSE-loop-exiting",
    [VMCS_FEAT_INSN_TIMEOUT] = "instruction-timeout",
    [VMCS_FEAT_PREEMPTION_TIMER] = "preemption-timer",
};

const char *vmcs_feature_name(enum vmcs_feature f)
{
    if ((unsigned)f >= VMCS_FEAT_COUNT || vmcs_feature_names[f] == NULL)
        return "?";
    return vmcs_feature_names[f];
}
