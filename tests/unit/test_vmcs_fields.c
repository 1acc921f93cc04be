/*
 * tests/unit/test_vmcs_fields.c - the VMCS encoding format and field table (vmx/vmcs_fields.c)
 * against literal encodings of SDM appendix B and the format of SDM 25.11.2.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "vmx/vmcs_fields.h"

struct known_field {
    enum vmcs_width width;
    enum vmcs_area area;
    uint32_t index;
    bool high;
    uint32_t literal;  /* the SDM appendix B table value */
    uint32_t enum_enc; /* the enum constant (0xffffffff: a high encoding, none) */
    const char *name;
};

#define NO_ENUM 0xffffffffu

/* Spot checks over every width and type, with literal values from the appendix B tables. */
static const struct known_field known[] = {
    {VMCS_WIDTH_16, VMCS_AREA_CONTROL, 0, false, 0x0000, VIRTUAL_PROCESSOR_ID,
     "VIRTUAL_PROCESSOR_ID"},
    {VMCS_WIDTH_16, VMCS_AREA_CONTROL, 1, false, 0x0002, POSTED_INTR_NV, "POSTED_INTR_NV"},
    {VMCS_WIDTH_16, VMCS_AREA_CONTROL, 2, false, 0x0004, EPTP_INDEX, "EPTP_INDEX"},
    {VMCS_WIDTH_16, VMCS_AREA_GUEST, 0, false, 0x0800, GUEST_ES_SELECTOR, "GUEST_ES_SELECTOR"},
    {VMCS_WIDTH_16, VMCS_AREA_GUEST, 7, false, 0x080e, GUEST_TR_SELECTOR, "GUEST_TR_SELECTOR"},
    {VMCS_WIDTH_16, VMCS_AREA_GUEST, 8, false, 0x0810, GUEST_INTR_STATUS, "GUEST_INTR_STATUS"},
    {VMCS_WIDTH_16, VMCS_AREA_GUEST, 9, false, 0x0812, GUEST_PML_INDEX, "GUEST_PML_INDEX"},
    {VMCS_WIDTH_16, VMCS_AREA_HOST, 0, false, 0x0c00, HOST_ES_SELECTOR, "HOST_ES_SELECTOR"},
    {VMCS_WIDTH_16, VMCS_AREA_HOST, 6, false, 0x0c0c, HOST_TR_SELECTOR, "HOST_TR_SELECTOR"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 0, false, 0x2000, IO_BITMAP_A, "IO_BITMAP_A"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 0, true, 0x2001, NO_ENUM, "IO_BITMAP_A"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 2, false, 0x2004, MSR_BITMAP, "MSR_BITMAP"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 6, false, 0x200c, EXECUTIVE_VMCS_POINTER,
     "EXECUTIVE_VMCS_POINTER"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 7, false, 0x200e, PML_ADDRESS, "PML_ADDRESS"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 11, false, 0x2016, POSTED_INTR_DESC_ADDR,
     "POSTED_INTR_DESC_ADDR"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 13, false, 0x201a, EPT_POINTER, "EPT_POINTER"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 13, true, 0x201b, NO_ENUM, "EPT_POINTER"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 17, false, 0x2022, EOI_EXIT_BITMAP3, "EOI_EXIT_BITMAP3"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 21, false, 0x202a, VE_INFORMATION_ADDRESS,
     "VE_INFORMATION_ADDRESS"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 25, false, 0x2032, TSC_MULTIPLIER, "TSC_MULTIPLIER"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 26, false, 0x2034, TERTIARY_VM_EXEC_CONTROL,
     "TERTIARY_VM_EXEC_CONTROL"},
    {VMCS_WIDTH_64, VMCS_AREA_CONTROL, 27, false, 0x2036, ENCLV_EXITING_BITMAP,
     "ENCLV_EXITING_BITMAP"},
    {VMCS_WIDTH_64, VMCS_AREA_EXIT_INFO, 0, false, 0x2400, GUEST_PHYSICAL_ADDRESS,
     "GUEST_PHYSICAL_ADDRESS"},
    {VMCS_WIDTH_64, VMCS_AREA_EXIT_INFO, 0, true, 0x2401, NO_ENUM, "GUEST_PHYSICAL_ADDRESS"},
    {VMCS_WIDTH_64, VMCS_AREA_GUEST, 0, false, 0x2800, VMCS_LINK_POINTER, "VMCS_LINK_POINTER"},
    {VMCS_WIDTH_64, VMCS_AREA_GUEST, 3, false, 0x2806, GUEST_IA32_EFER, "GUEST_IA32_EFER"},
    {VMCS_WIDTH_64, VMCS_AREA_GUEST, 5, false, 0x280a, GUEST_PDPTR0, "GUEST_PDPTR0"},
    {VMCS_WIDTH_64, VMCS_AREA_GUEST, 9, false, 0x2812, GUEST_BNDCFGS, "GUEST_BNDCFGS"},
    {VMCS_WIDTH_64, VMCS_AREA_GUEST, 12, false, 0x2818, GUEST_IA32_PKRS, "GUEST_IA32_PKRS"},
    {VMCS_WIDTH_64, VMCS_AREA_HOST, 0, false, 0x2c00, HOST_IA32_PAT, "HOST_IA32_PAT"},
    {VMCS_WIDTH_64, VMCS_AREA_HOST, 2, false, 0x2c04, HOST_IA32_PERF_GLOBAL_CTRL,
     "HOST_IA32_PERF_GLOBAL_CTRL"},
    {VMCS_WIDTH_64, VMCS_AREA_HOST, 3, false, 0x2c06, HOST_IA32_PKRS, "HOST_IA32_PKRS"},
    {VMCS_WIDTH_32, VMCS_AREA_CONTROL, 0, false, 0x4000, PIN_BASED_VM_EXEC_CONTROL,
     "PIN_BASED_VM_EXEC_CONTROL"},
    {VMCS_WIDTH_32, VMCS_AREA_CONTROL, 1, false, 0x4002, CPU_BASED_VM_EXEC_CONTROL,
     "CPU_BASED_VM_EXEC_CONTROL"},
    {VMCS_WIDTH_32, VMCS_AREA_CONTROL, 15, false, 0x401e, SECONDARY_VM_EXEC_CONTROL,
     "SECONDARY_VM_EXEC_CONTROL"},
    {VMCS_WIDTH_32, VMCS_AREA_CONTROL, 17, false, 0x4022, PLE_WINDOW, "PLE_WINDOW"},
    {VMCS_WIDTH_32, VMCS_AREA_EXIT_INFO, 0, false, 0x4400, VM_INSTRUCTION_ERROR,
     "VM_INSTRUCTION_ERROR"},
    {VMCS_WIDTH_32, VMCS_AREA_EXIT_INFO, 1, false, 0x4402, VM_EXIT_REASON, "VM_EXIT_REASON"},
    {VMCS_WIDTH_32, VMCS_AREA_EXIT_INFO, 7, false, 0x440e, VMX_INSTRUCTION_INFO,
     "VMX_INSTRUCTION_INFO"},
    {VMCS_WIDTH_32, VMCS_AREA_GUEST, 11, false, 0x4816, GUEST_CS_AR_BYTES, "GUEST_CS_AR_BYTES"},
    {VMCS_WIDTH_32, VMCS_AREA_GUEST, 18, false, 0x4824, GUEST_INTERRUPTIBILITY_INFO,
     "GUEST_INTERRUPTIBILITY_INFO"},
    {VMCS_WIDTH_32, VMCS_AREA_GUEST, 23, false, 0x482e, VMX_PREEMPTION_TIMER_VALUE,
     "VMX_PREEMPTION_TIMER_VALUE"},
    {VMCS_WIDTH_32, VMCS_AREA_HOST, 0, false, 0x4c00, HOST_IA32_SYSENTER_CS,
     "HOST_IA32_SYSENTER_CS"},
    {VMCS_WIDTH_NAT, VMCS_AREA_CONTROL, 0, false, 0x6000, CR0_GUEST_HOST_MASK,
     "CR0_GUEST_HOST_MASK"},
    {VMCS_WIDTH_NAT, VMCS_AREA_CONTROL, 7, false, 0x600e, CR3_TARGET_VALUE3, "CR3_TARGET_VALUE3"},
    {VMCS_WIDTH_NAT, VMCS_AREA_EXIT_INFO, 0, false, 0x6400, VM_EXIT_QUALIFICATION,
     "VM_EXIT_QUALIFICATION"},
    {VMCS_WIDTH_NAT, VMCS_AREA_EXIT_INFO, 5, false, 0x640a, GUEST_LINEAR_ADDRESS,
     "GUEST_LINEAR_ADDRESS"},
    {VMCS_WIDTH_NAT, VMCS_AREA_GUEST, 0, false, 0x6800, GUEST_CR0, "GUEST_CR0"},
    {VMCS_WIDTH_NAT, VMCS_AREA_GUEST, 15, false, 0x681e, GUEST_RIP, "GUEST_RIP"},
    {VMCS_WIDTH_NAT, VMCS_AREA_GUEST, 19, false, 0x6826, GUEST_SYSENTER_EIP, "GUEST_SYSENTER_EIP"},
    {VMCS_WIDTH_NAT, VMCS_AREA_GUEST, 22, false, 0x682c, GUEST_INTR_SSP_TABLE,
     "GUEST_INTR_SSP_TABLE"},
    {VMCS_WIDTH_NAT, VMCS_AREA_HOST, 11, false, 0x6c16, HOST_RIP, "HOST_RIP"},
    {VMCS_WIDTH_NAT, VMCS_AREA_HOST, 14, false, 0x6c1c, HOST_INTR_SSP_TABLE, "HOST_INTR_SSP_TABLE"},
};

#define KNOWN_COUNT (sizeof(known) / sizeof(known[0]))

Test(vmcs_fields, encode_matches_sdm_literals)
{
    cr_assert_geq(KNOWN_COUNT, 30);
    for (size_t i = 0; i < KNOWN_COUNT; i++) {
        const struct known_field *k = &known[i];
        uint32_t enc = vmcs_encode(k->width, k->area, k->index, k->high);
        cr_assert_eq(enc, k->literal, "%s: built %#x, SDM says %#x", k->name, enc, k->literal);
        cr_assert_eq(VMCS_ENCODE(k->width, k->area, k->index, k->high), k->literal, "%s", k->name);
        if (k->enum_enc != NO_ENUM)
            cr_assert_eq(k->enum_enc, k->literal, "enum %s = %#x", k->name, k->enum_enc);
    }
}

Test(vmcs_fields, decode_matches_sdm_literals)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++) {
        const struct known_field *k = &known[i];
        cr_assert_eq(vmcs_enc_width(k->literal), k->width, "%s", k->name);
        cr_assert_eq(vmcs_enc_area(k->literal), k->area, "%s", k->name);
        cr_assert_eq(vmcs_enc_index(k->literal), k->index, "%s", k->name);
        cr_assert_eq(vmcs_enc_is_high(k->literal), k->high, "%s", k->name);
        cr_assert(vmcs_enc_is_well_formed(k->literal), "%s", k->name);
    }
}

Test(vmcs_fields, known_fields_found_by_encoding_and_name)
{
    for (size_t i = 0; i < KNOWN_COUNT; i++) {
        const struct known_field *k = &known[i];
        const struct vmcs_field *f = vmcs_field_by_encoding(k->literal);
        cr_assert_not_null(f, "%#x", k->literal);
        cr_assert_str_eq(f->name, k->name);
        cr_assert_eq(vmcs_field_by_name(k->name), f, "%s", k->name);
    }
}

Test(vmcs_fields, high_encoding_macro)
{
    cr_assert_eq(VMCS_HIGH(EPT_POINTER), 0x201b);
    cr_assert_eq(VMCS_HIGH(TSC_OFFSET), 0x2011);
    cr_assert_eq(VMCS_HIGH(GUEST_IA32_EFER), 0x2807);
}

Test(vmcs_fields, well_formed_rejects_reserved_bits)
{
    cr_assert(vmcs_enc_is_well_formed(0x2001));          /* high of a 64-bit field */
    cr_assert_not(vmcs_enc_is_well_formed(0x4001));      /* high of a 32-bit field */
    cr_assert_not(vmcs_enc_is_well_formed(0x0801));      /* high of a 16-bit field */
    cr_assert_not(vmcs_enc_is_well_formed(0x6801));      /* high of a natural-width field */
    cr_assert_not(vmcs_enc_is_well_formed(0x1000));      /* bit 12 */
    cr_assert_not(vmcs_enc_is_well_formed(0x8000));      /* bit 15 */
    cr_assert_not(vmcs_enc_is_well_formed(0x80004816u)); /* bit 31 */
}

Test(vmcs_fields, every_row_decomposes_to_its_width_and_area)
{
    size_t n = vmcs_field_count();
    for (size_t i = 0; i < n; i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        cr_assert_not_null(f);
        cr_assert_eq(vmcs_enc_width(f->encoding), f->width, "%s", f->name);
        cr_assert_eq(vmcs_enc_area(f->encoding), f->area, "%s", f->name);
        cr_assert(vmcs_enc_is_well_formed(f->encoding), "%s", f->name);
    }
}

Test(vmcs_fields, every_row_is_a_full_even_encoding)
{
    size_t n = vmcs_field_count();
    size_t wide = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        cr_assert_eq(f->encoding & 1u, 0, "%s has odd encoding %#x", f->name, f->encoding);
        if (f->width == VMCS_WIDTH_64)
            wide++;
    }
    cr_assert_gt(wide, 40); /* B.2 lists over 40 64-bit fields */
}

Test(vmcs_fields, read_only_exactly_for_exit_info_type)
{
    size_t n = vmcs_field_count();
    size_t ro = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        bool type1 = VMCS_ENC_TYPE(f->encoding) == 1;
        cr_assert_eq(f->read_only, type1, "%s", f->name);
        cr_assert_eq(f->area == VMCS_AREA_EXIT_INFO, type1, "%s", f->name);
        ro += f->read_only;
    }
    /* B.2.2: 2, B.3.2: 8, B.4.2: 6 */
    cr_assert_eq(ro, 16);
}

Test(vmcs_fields, no_duplicate_encodings_or_names)
{
    size_t n = vmcs_field_count();
    for (size_t i = 0; i < n; i++) {
        const struct vmcs_field *a = vmcs_field_at(i);
        for (size_t j = i + 1; j < n; j++) {
            const struct vmcs_field *b = vmcs_field_at(j);
            cr_assert_neq(a->encoding, b->encoding, "%s and %s", a->name, b->name);
            cr_assert_str_neq(a->name, b->name);
        }
    }
}

Test(vmcs_fields, every_row_round_trips_through_lookups)
{
    size_t n = vmcs_field_count();
    for (size_t i = 0; i < n; i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        cr_assert_eq(vmcs_field_by_encoding(f->encoding), f, "%s", f->name);
        cr_assert_eq(vmcs_field_by_name(f->name), f, "%s", f->name);
        cr_assert_lt((unsigned)f->requires, VMCS_FEAT_COUNT, "%s", f->name);
        cr_assert_str_neq(vmcs_feature_name(f->requires), "?", "%s", f->name);
    }
}

Test(vmcs_fields, table_size_and_bounds)
{
    cr_assert_eq(vmcs_field_count(), 199);
    cr_assert_null(vmcs_field_at(vmcs_field_count()));
    cr_assert_null(vmcs_field_at((size_t)-1));
    cr_assert_eq(vmcs_field_at(0)->encoding, VIRTUAL_PROCESSOR_ID);
}

Test(vmcs_fields, lookup_by_encoding)
{
    const struct vmcs_field *f = vmcs_field_by_encoding(0x4816);
    cr_assert_not_null(f);
    cr_assert_str_eq(f->name, "GUEST_CS_AR_BYTES");
    cr_assert_eq(f->width, VMCS_WIDTH_32);
    cr_assert_eq(f->area, VMCS_AREA_GUEST);
    cr_assert_not(f->read_only);

    /* the high half of a 64-bit field belongs to the field */
    f = vmcs_field_by_encoding(0x2807);
    cr_assert_not_null(f);
    cr_assert_str_eq(f->name, "GUEST_IA32_EFER");

    cr_assert_null(vmcs_field_by_encoding(0x4817)); /* 32-bit fields have no high part */
    cr_assert_null(vmcs_field_by_encoding(0x482c)); /* unused index 22 of B.3.3 */
    cr_assert_null(vmcs_field_by_encoding(0x2046)); /* unused 64-bit control index */
    cr_assert_null(vmcs_field_by_encoding(0xffffffffu));
}

Test(vmcs_fields, lookup_by_name)
{
    const struct vmcs_field *f = vmcs_field_by_name("VM_EXIT_QUALIFICATION");
    cr_assert_not_null(f);
    cr_assert_eq(f->encoding, 0x6400);
    cr_assert(f->read_only);
    cr_assert_eq(f->width, VMCS_WIDTH_NAT);

    f = vmcs_field_by_name("SECONDARY_VM_EXEC_CONTROL");
    cr_assert_not_null(f);
    cr_assert_eq(f->encoding, 0x401e);
    cr_assert_eq(f->requires, VMCS_FEAT_SECONDARY);

    cr_assert_null(vmcs_field_by_name("GUEST_RIP_HIGH"));
    cr_assert_null(vmcs_field_by_name("guest_rip")); /* exact match only */
    cr_assert_null(vmcs_field_by_name(""));
    cr_assert_null(vmcs_field_by_name(NULL));
}

Test(vmcs_fields, requires_spot_checks)
{
    cr_assert_eq(vmcs_field_by_encoding(EPT_POINTER)->requires, VMCS_FEAT_EPT);
    cr_assert_eq(vmcs_field_by_encoding(GUEST_PDPTR2)->requires, VMCS_FEAT_EPT);
    cr_assert_eq(vmcs_field_by_encoding(VIRTUAL_PROCESSOR_ID)->requires, VMCS_FEAT_VPID);
    cr_assert_eq(vmcs_field_by_encoding(POSTED_INTR_NV)->requires, VMCS_FEAT_POSTED_INTR);
    cr_assert_eq(vmcs_field_by_encoding(GUEST_PML_INDEX)->requires, VMCS_FEAT_PML);
    cr_assert_eq(vmcs_field_by_encoding(VMREAD_BITMAP)->requires, VMCS_FEAT_SHADOW_VMCS);
    cr_assert_eq(vmcs_field_by_encoding(VMX_PREEMPTION_TIMER_VALUE)->requires,
                 VMCS_FEAT_PREEMPTION_TIMER);
    cr_assert_eq(vmcs_field_by_encoding(HOST_IA32_EFER)->requires, VMCS_FEAT_EFER_HOST);
    cr_assert_eq(vmcs_field_by_encoding(GUEST_IA32_EFER)->requires, VMCS_FEAT_EFER_GUEST);
    cr_assert_eq(vmcs_field_by_encoding(GUEST_RIP)->requires, VMCS_FEAT_NONE);
    cr_assert_eq(vmcs_field_by_encoding(VM_EXIT_REASON)->requires, VMCS_FEAT_NONE);
}

Test(vmcs_fields, index_max_and_vmcs_enum)
{
    /* INJECTED_EVENT_DATA 0x2052 carries the highest index, 41 */
    cr_assert_eq(vmcs_field_index_max(), 41);
    cr_assert_eq(vmcs_field_index_max(), vmcs_enc_index(INJECTED_EVENT_DATA));

    /* IA32_VMX_VMCS_ENUM: bits 9:1 hold the highest index, bit 0 and 63:10 read as 0 */
    cr_assert_eq(vmcs_enum_index_max(0x2e), 23);
    cr_assert_eq(vmcs_enum_index_max(0x54), 42);

    uint64_t vmcs_enum = 23u << 1;
    cr_assert(vmcs_field_within_enum(vmcs_field_by_encoding(VMX_PREEMPTION_TIMER_VALUE),
                                     vmcs_enum)); /* index 23 */
    cr_assert_not(
        vmcs_field_within_enum(vmcs_field_by_encoding(TSC_MULTIPLIER), vmcs_enum)); /* index 25 */
    cr_assert(vmcs_field_within_enum(vmcs_field_by_encoding(GUEST_ES_SELECTOR), 0));
}

Test(vmcs_fields, names_of_widths_areas_features)
{
    cr_assert_str_eq(vmcs_width_name(VMCS_WIDTH_16), "16-bit");
    cr_assert_str_eq(vmcs_width_name(VMCS_WIDTH_64), "64-bit");
    cr_assert_str_eq(vmcs_width_name(VMCS_WIDTH_32), "32-bit");
    cr_assert_str_eq(vmcs_width_name(VMCS_WIDTH_NAT), "natural");
    cr_assert_str_eq(vmcs_width_name((enum vmcs_width)7), "?");
    cr_assert_str_eq(vmcs_area_name(VMCS_AREA_CONTROL), "control");
    cr_assert_str_eq(vmcs_area_name(VMCS_AREA_EXIT_INFO), "exit-info");
    cr_assert_str_eq(vmcs_area_name(VMCS_AREA_GUEST), "guest");
    cr_assert_str_eq(vmcs_area_name(VMCS_AREA_HOST), "host");
    cr_assert_str_eq(vmcs_area_name((enum vmcs_area)9), "?");
    cr_assert_str_eq(vmcs_feature_name(VMCS_FEAT_EPT), "EPT");
    cr_assert_str_eq(vmcs_feature_name(VMCS_FEAT_COUNT), "?");
    for (int f = 0; f < VMCS_FEAT_COUNT; f++)
        cr_assert_str_neq(vmcs_feature_name((enum vmcs_feature)f), "?", "feature %d", f);
}

Test(vmcs_fields, width_bytes)
{
    cr_assert_eq(vmcs_width_bytes(VMCS_WIDTH_16), 2);
    cr_assert_eq(vmcs_width_bytes(VMCS_WIDTH_32), 4);
    cr_assert_eq(vmcs_width_bytes(VMCS_WIDTH_64), 8);
    cr_assert_eq(vmcs_width_bytes(VMCS_WIDTH_NAT), 8);
    cr_assert_eq(vmcs_width_bytes((enum vmcs_width)5), 0);
}
