/*
 * tests/unit/test_vmcs_dump.c - the VMCS dump (vmx/vmcs_dump.c) against a fake VMCS, and its
 * decoders against values worked out by hand from the SDM (25.4.1 access rights, 25.4.2
 * activity and interruptibility state, 25.8.3/25.9.2 interruption information, 2.5 CR0/CR4).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "vmx/vmcs_dump.h"
#include "vmx/vmx_msr.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a fake VMCS ------------------------------------------------------------------------ */

struct fake_field {
    uint32_t encoding;
    uint64_t value;
};

struct fake_vmcs {
    const struct fake_field *fields;
    size_t n;
    unsigned reads;
    uint32_t read_log[512];
};

/* Fields not in the array are "unsupported": the read fails, like VMREAD error 12. */
static int fake_read(void *ctx, uint32_t encoding, uint64_t *value)
{
    struct fake_vmcs *v = ctx;
    if (v->reads < COUNT(v->read_log))
        v->read_log[v->reads] = encoding;
    v->reads++;
    for (size_t i = 0; i < v->n; i++) {
        if (v->fields[i].encoding == encoding) {
            *value = v->fields[i].value;
            return 0;
        }
    }
    return -1;
}

struct lines {
    unsigned n;
    char text[512][VMCS_DUMP_LINE_MAX];
};

static struct lines captured;

static void capture(void *ctx, const char *line)
{
    struct lines *l = ctx;
    cr_assert_lt(strlen(line), VMCS_DUMP_LINE_MAX);
    if (l->n < COUNT(l->text)) {
        strncpy(l->text[l->n], line, VMCS_DUMP_LINE_MAX - 1);
        l->text[l->n][VMCS_DUMP_LINE_MAX - 1] = '\0';
    }
    l->n++;
}

static int find_line(const struct lines *l, const char *text)
{
    for (unsigned i = 0; i < l->n && i < COUNT(l->text); i++)
        if (strcmp(l->text[i], text) == 0)
            return (int)i;
    return -1;
}

static const struct fake_field sample[] = {
    {PIN_BASED_VM_EXEC_CONTROL, 0x16},
    {CPU_BASED_VM_EXEC_CONTROL, 0x80000080}, /* HLT exiting, activate secondary controls */
    {SECONDARY_VM_EXEC_CONTROL, 0x20},       /* enable VPID */
    {EXCEPTION_BITMAP, 0x4002},
    {IO_BITMAP_A, 0x12345000},
    {VIRTUAL_PROCESSOR_ID, 1},
    {CR0_READ_SHADOW, 0x60000010},
    {GUEST_CS_SELECTOR, 0x8},
    {GUEST_CS_AR_BYTES, 0xa09b},
    {GUEST_LDTR_AR_BYTES, 0x10000},
    {GUEST_ACTIVITY_STATE, 1},
    {GUEST_INTERRUPTIBILITY_INFO, 0x1},
    {VMCS_LINK_POINTER, 0xffffffffffffffffULL},
    {GUEST_RIP, 0xffffffff81000000ULL},
    {GUEST_RFLAGS, 0x202},
    {HOST_CS_SELECTOR, 0x10},
    {HOST_CR4, 0x2020},
    {HOST_IA32_SYSENTER_CS, 0},
    {VM_EXIT_REASON, 0x80000021},
    {VM_INSTRUCTION_ERROR, 7},
    {VM_EXIT_INTR_INFO, 0x80000b0e},
    {VM_EXIT_QUALIFICATION, 0x181},
};

/* IA32_VMX_VMCS_ENUM reporting every index of the table (bits 9:1, SDM A.9). */
static uint64_t enum_all(void)
{
    return (uint64_t)vmcs_field_index_max() << 1;
}

/* Rows shown whatever the controls: VMCS_FEAT_NONE, the control words held in struct
 * vmcs_controls, and SHARED_EPT_POINTER (SEAM only, no control decides). */
static unsigned count_always_active(void)
{
    static const uint32_t always[] = {SECONDARY_VM_EXEC_CONTROL, TERTIARY_VM_EXEC_CONTROL,
                                      SECONDARY_VM_EXIT_CONTROLS, VM_FUNCTION_CONTROL,
                                      SHARED_EPT_POINTER};
    unsigned n = 0;
    for (size_t i = 0; i < vmcs_field_count(); i++)
    n += vmcs_field_at(i)->requires == VMCS_FEAT_NONE;
    for (size_t i = 0; i < COUNT(always); i++) {
        cr_assert_neq(vmcs_field_by_encoding(always[i])->requires, VMCS_FEAT_NONE);
        n++;
    }
    return n;
}

/* ---- decoders ----------------------------------------------------------------------------- */

Test(vmcs_dump, access_rights)
{
    static const struct {
        uint32_t ar;
        const char *text;
    } cases[] = {
        {0xa09b, "type=0xb S=1 DPL=0 P=1 L=1 D/B=0 G=1"}, /* 64-bit code, accessed */
        {0xc093, "type=0x3 S=1 DPL=0 P=1 L=0 D/B=1 G=1"}, /* flat data */
        {0x00f3, "type=0x3 S=1 DPL=3 P=1 L=0 D/B=0 G=0"}, /* real-mode/v8086 data */
        {0x008b, "type=0xb S=0 DPL=0 P=1 L=0 D/B=0 G=0"}, /* busy 64-bit TSS */
        {0x10000, "unusable"},
        {0x1c000, "unusable (type=0x0 S=0 DPL=0 P=0 L=0 D/B=1 G=1)"},
        {0x109b, "type=0xb S=1 DPL=0 P=1 AVL=1 L=0 D/B=0 G=0"},
        {0x2009b, "type=0xb S=1 DPL=0 P=1 L=0 D/B=0 G=0 reserved=0x20000"},
        {0x1009b, "unusable (type=0xb S=1 DPL=0 P=1 L=0 D/B=0 G=0)"},
        {0x40f9b, "type=0xb S=1 DPL=0 P=1 L=0 D/B=0 G=0 reserved=0x40f00"},
    };
    char buf[128];
    for (size_t i = 0; i < COUNT(cases); i++) {
        int n = vmcs_format_ar(buf, sizeof(buf), cases[i].ar);
        cr_assert_str_eq(buf, cases[i].text, "ar %#x", cases[i].ar);
        cr_assert_eq(n, (int)strlen(cases[i].text));
    }
}

Test(vmcs_dump, access_rights_unusable_vs_usable_differ_only_in_bit16)
{
    char a[128], b[128];
    vmcs_format_ar(a, sizeof(a), 0xa09b);
    vmcs_format_ar(b, sizeof(b), 0x1a09b);
    cr_assert_str_eq(b, "unusable (type=0xb S=1 DPL=0 P=1 L=1 D/B=0 G=1)");
    cr_assert_str_neq(a, b);
}

Test(vmcs_dump, interruption_info)
{
    static const struct {
        uint32_t info;
        const char *entry, *exit;
    } cases[] = {
        {0x80000b0e, "valid, vector 14 (#PF), hardware exception, error code",
         "valid, vector 14 (#PF), hardware exception, error code"},
        {0x80000202, "valid, vector 2, NMI", "valid, vector 2, NMI"},
        {0x80000030, "valid, vector 48, external interrupt",
         "valid, vector 48, external interrupt"},
        {0x80000603, "valid, vector 3 (#BP), software exception",
         "valid, vector 3 (#BP), software exception"},
        {0x80000501, "valid, vector 1 (#DB), privileged software exception",
         "valid, vector 1 (#DB), privileged software exception"},
        {0x80000480, "valid, vector 128, software interrupt",
         "valid, vector 128, software interrupt"},
        {0x80000700, "valid, vector 0, other event", "valid, vector 0, other event"},
        {0x80000306, "valid, vector 6 (#UD), hardware exception",
         "valid, vector 6 (#UD), hardware exception"},
        {0x80001306, "valid, vector 6 (#UD), hardware exception, reserved 0x1000",
         "valid, vector 6 (#UD), hardware exception, NMI unblocking due to IRET"},
        {0x80003306, "valid, vector 6 (#UD), hardware exception, reserved 0x3000",
         "valid, vector 6 (#UD), hardware exception, NMI unblocking due to IRET, reserved 0x2000"},
        {0x00000b0e, "not valid", "not valid"},
        {0, "not valid", "not valid"},
    };
    char buf[128];
    for (size_t i = 0; i < COUNT(cases); i++) {
        int n = vmcs_format_intr_info(buf, sizeof(buf), cases[i].info);
        cr_assert_str_eq(buf, cases[i].entry, "info %#x", cases[i].info);
        cr_assert_eq(n, (int)strlen(cases[i].entry));
        n = vmcs_format_exit_intr_info(buf, sizeof(buf), cases[i].info);
        cr_assert_str_eq(buf, cases[i].exit, "exit info %#x", cases[i].info);
        cr_assert_eq(n, (int)strlen(cases[i].exit));
    }
}

Test(vmcs_dump, interruption_type_and_exception_names)
{
    cr_assert_str_eq(vmcs_intr_type_name(0), "external interrupt");
    cr_assert_str_eq(vmcs_intr_type_name(1), "reserved");
    cr_assert_str_eq(vmcs_intr_type_name(2), "NMI");
    cr_assert_str_eq(vmcs_intr_type_name(3), "hardware exception");
    cr_assert_str_eq(vmcs_intr_type_name(4), "software interrupt");
    cr_assert_str_eq(vmcs_intr_type_name(5), "privileged software exception");
    cr_assert_str_eq(vmcs_intr_type_name(6), "software exception");
    cr_assert_str_eq(vmcs_intr_type_name(7), "other event");
    cr_assert_str_eq(vmcs_intr_type_name(8), "reserved");
    cr_assert_str_eq(vmcs_exception_name(0), "#DE");
    cr_assert_str_eq(vmcs_exception_name(8), "#DF");
    cr_assert_str_eq(vmcs_exception_name(13), "#GP");
    cr_assert_str_eq(vmcs_exception_name(14), "#PF");
    cr_assert_str_eq(vmcs_exception_name(18), "#MC");
    cr_assert_str_eq(vmcs_exception_name(21), "#CP");
    cr_assert_null(vmcs_exception_name(9));
    cr_assert_null(vmcs_exception_name(15));
    cr_assert_null(vmcs_exception_name(32));
    cr_assert_null(vmcs_exception_name(0xffffffffu));
}

Test(vmcs_dump, controls)
{
    char buf[256];
    /* SDM A.3.1: bits 1, 2, 4 of the pin-based controls are default1 and have no name */
    cr_assert_eq(vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PIN, PIN_BASED_DEFAULT1), 14);
    cr_assert_str_eq(buf, "bit1 bit2 bit4");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PIN,
                         PIN_BASED_EXTERNAL_INTERRUPT_EXITING | PIN_BASED_NMI_EXITING |
                             PIN_BASED_VIRTUAL_NMIS);
    cr_assert_str_eq(buf, "EXTERNAL_INTERRUPT_EXITING NMI_EXITING VIRTUAL_NMIS");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PROC, 0x80000080);
    cr_assert_str_eq(buf, "HLT_EXITING ACTIVATE_SECONDARY_CONTROLS");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PROC2, 0x82);
    cr_assert_str_eq(buf, "ENABLE_EPT UNRESTRICTED_GUEST");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_EXIT, 0x200);
    cr_assert_str_eq(buf, "HOST_ADDRESS_SPACE_SIZE");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_ENTRY, 0x200);
    cr_assert_str_eq(buf, "IA32E_MODE_GUEST");
    /* the same bit means different things in different fields */
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PROC, 0x200);
    cr_assert_str_eq(buf, "INVLPG_EXITING");
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PROC, 0x2);
    cr_assert_str_eq(buf, "bit1");
    /* 64-bit fields: bits above 31 are shown */
    vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PROC3, 1ULL << 63);
    cr_assert_str_eq(buf, "bit63");
    cr_assert_eq(vmcs_format_controls(buf, sizeof(buf), VMX_CTL_PIN, 0), 0);
    cr_assert_str_eq(buf, "");
}

Test(vmcs_dump, exception_bitmap)
{
    char buf[128];
    vmcs_format_exception_bitmap(buf, sizeof(buf), (1u << 1) | (1u << 14));
    cr_assert_str_eq(buf, "#DB #PF");
    vmcs_format_exception_bitmap(buf, sizeof(buf), (1u << 9) | (1u << 31));
    cr_assert_str_eq(buf, "bit9 bit31");
    cr_assert_eq(vmcs_format_exception_bitmap(buf, sizeof(buf), 0), 0);
}

Test(vmcs_dump, activity_state)
{
    cr_assert_str_eq(vmcs_activity_state_name(0), "active");
    cr_assert_str_eq(vmcs_activity_state_name(1), "HLT");
    cr_assert_str_eq(vmcs_activity_state_name(2), "shutdown");
    cr_assert_str_eq(vmcs_activity_state_name(3), "wait-for-SIPI");
    cr_assert_null(vmcs_activity_state_name(4));
    cr_assert_null(vmcs_activity_state_name(0x80000000u));
}

Test(vmcs_dump, interruptibility)
{
    static const struct {
        uint32_t v;
        const char *text;
    } cases[] = {
        {0, "no blocking"},
        {0x1, "blocking by STI"},
        {0x2, "blocking by MOV SS"},
        {0x3, "blocking by STI, MOV SS"},
        {0x4, "blocking by SMI"},
        {0x8, "blocking by NMI"},
        {0x10, "blocking by enclave interruption"},
        {0x1f, "blocking by STI, MOV SS, SMI, NMI, enclave interruption"},
        {0x28, "blocking by NMI, reserved 0x20"},
        {0x80000000u, "no blocking, reserved 0x80000000"},
    };
    char buf[128];
    for (size_t i = 0; i < COUNT(cases); i++) {
        int n = vmcs_format_interruptibility(buf, sizeof(buf), cases[i].v);
        cr_assert_str_eq(buf, cases[i].text, "v %#x", cases[i].v);
        cr_assert_eq(n, (int)strlen(cases[i].text));
    }
}

Test(vmcs_dump, cr0_cr4_efer_rflags)
{
    char buf[256];
    vmcs_format_cr0(buf, sizeof(buf), 0x80000031);
    cr_assert_str_eq(buf, "PE ET NE PG");
    vmcs_format_cr0(buf, sizeof(buf), 0x60000010); /* reset value: CD NW ET */
    cr_assert_str_eq(buf, "ET NW CD");
    vmcs_format_cr0(buf, sizeof(buf), 0x80050033);
    cr_assert_str_eq(buf, "PE MP ET NE WP AM PG");
    vmcs_format_cr0(buf, sizeof(buf), 1ULL << 32);
    cr_assert_str_eq(buf, "bit32");
    vmcs_format_cr4(buf, sizeof(buf), 0x2020);
    cr_assert_str_eq(buf, "PAE VMXE");
    vmcs_format_cr4(buf, sizeof(buf), (1u << 5) | (1u << 7) | (1u << 9) | (1u << 10) | (1u << 13));
    cr_assert_str_eq(buf, "PAE PGE OSFXSR OSXMMEXCPT VMXE");
    vmcs_format_cr4(buf, sizeof(buf), (1u << 15) | (1ULL << 32));
    cr_assert_str_eq(buf, "bit15 FRED");
    vmcs_format_efer(buf, sizeof(buf), 0xd01);
    cr_assert_str_eq(buf, "SCE LME LMA NXE");
    vmcs_format_efer(buf, sizeof(buf), 0x500);
    cr_assert_str_eq(buf, "LME LMA");
    vmcs_format_efer(buf, sizeof(buf), 1u << 12);
    cr_assert_str_eq(buf, "bit12");
    cr_assert_eq(vmcs_format_efer(buf, sizeof(buf), 0), 0);
    cr_assert_str_eq(buf, "");
    vmcs_format_rflags(buf, sizeof(buf), 0x202);
    cr_assert_str_eq(buf, "IF");
    vmcs_format_rflags(buf, sizeof(buf), 0x3202);
    cr_assert_str_eq(buf, "IF IOPL=3");
    vmcs_format_rflags(buf, sizeof(buf), 0x1002);
    cr_assert_str_eq(buf, "IOPL=1");
    vmcs_format_rflags(buf, sizeof(buf), 0x20247);
    cr_assert_str_eq(buf, "CF PF ZF IF VM");
    cr_assert_eq(vmcs_format_rflags(buf, sizeof(buf), 0x2), 0);
}

Test(vmcs_dump, snprintf_contract)
{
    char buf[8];
    const char *full = "type=0xb S=1 DPL=0 P=1 L=1 D/B=0 G=1";
    memset(buf, 'x', sizeof(buf));
    int n = vmcs_format_ar(buf, sizeof(buf), 0xa09b);
    cr_assert_eq(n, (int)strlen(full));
    cr_assert_str_eq(buf, "type=0x");
    cr_assert_eq(vmcs_format_ar(NULL, 0, 0xa09b), (int)strlen(full));
    cr_assert_eq(vmcs_format_intr_info(NULL, 0, 0x80000b0e),
                 (int)strlen("valid, vector 14 (#PF), hardware exception, error code"));
    memset(buf, 'x', sizeof(buf));
    cr_assert_eq(vmcs_format_cr0(buf, 1, 0x80000031), 11);
    cr_assert_eq(buf[0], '\0');
    cr_assert_eq(buf[1], 'x');
}

/* ---- one field ---------------------------------------------------------------------------- */

static void check_field(uint32_t enc, uint64_t value, const char *want)
{
    char buf[VMCS_DUMP_LINE_MAX];
    const struct vmcs_field *f = vmcs_field_by_encoding(enc);
    cr_assert_not_null(f);
    int n = vmcs_format_field(buf, sizeof(buf), f, value);
    cr_assert_str_eq(buf, want);
    cr_assert_eq(n, (int)strlen(want));
}

Test(vmcs_dump, field_lines_by_width_and_area)
{
    /* 16-bit guest, no decoding */
    check_field(GUEST_CS_SELECTOR, 0x8, "  GUEST_CS_SELECTOR             0x0802 = 0x0008");
    /* 16-bit: bits above the width are not shown */
    check_field(HOST_TR_SELECTOR, 0x12340040, "  HOST_TR_SELECTOR              0x0c0c = 0x0040");
    /* 64-bit control */
    check_field(IO_BITMAP_A, 0x12345000,
                "  IO_BITMAP_A                   0x2000 = 0x0000000012345000");
    /* 64-bit guest */
    check_field(VMCS_LINK_POINTER, 0xffffffffffffffffULL,
                "  VMCS_LINK_POINTER             0x2800 = 0xffffffffffffffff");
    /* 64-bit guest with decoding */
    check_field(GUEST_IA32_EFER, 0xd01,
                "  GUEST_IA32_EFER               0x2806 = 0x0000000000000d01 [SCE LME LMA NXE]");
    /* 32-bit control */
    check_field(PIN_BASED_VM_EXEC_CONTROL, 0x16,
                "  PIN_BASED_VM_EXEC_CONTROL     0x4000 = 0x00000016 [bit1 bit2 bit4]");
    check_field(VM_ENTRY_INTR_INFO_FIELD, 0x80000b0e,
                "  VM_ENTRY_INTR_INFO_FIELD      0x4016 = 0x80000b0e [valid, vector 14 (#PF), "
                "hardware exception, error code]");
    /* 32-bit guest */
    check_field(GUEST_CS_AR_BYTES, 0xa09b,
                "  GUEST_CS_AR_BYTES             0x4816 = 0x0000a09b [type=0xb S=1 DPL=0 P=1 "
                "L=1 D/B=0 G=1]");
    check_field(GUEST_TR_AR_BYTES, 0x10000,
                "  GUEST_TR_AR_BYTES             0x4822 = 0x00010000 [unusable]");
    check_field(GUEST_ACTIVITY_STATE, 3,
                "  GUEST_ACTIVITY_STATE          0x4826 = 0x00000003 [wait-for-SIPI]");
    check_field(GUEST_ACTIVITY_STATE, 9,
                "  GUEST_ACTIVITY_STATE          0x4826 = 0x00000009 [unknown]");
    check_field(GUEST_INTERRUPTIBILITY_INFO, 0x8,
                "  GUEST_INTERRUPTIBILITY_INFO   0x4824 = 0x00000008 [blocking by NMI]");
    /* 32-bit exit information */
    check_field(VM_EXIT_REASON, 0x80000021,
                "  VM_EXIT_REASON                0x4402 = 0x80000021 [INVALID_GUEST_STATE (33) "
                "entry-failure]");
    check_field(VM_INSTRUCTION_ERROR, 7,
                "  VM_INSTRUCTION_ERROR          0x4400 = 0x00000007 [VM entry with invalid "
                "control field(s)]");
    check_field(VM_INSTRUCTION_ERROR, 0, "  VM_INSTRUCTION_ERROR          0x4400 = 0x00000000");
    check_field(VM_INSTRUCTION_ERROR, 99,
                "  VM_INSTRUCTION_ERROR          0x4400 = 0x00000063 [unknown error]");
    check_field(VM_EXIT_INTR_INFO, 0x80001202,
                "  VM_EXIT_INTR_INFO             0x4404 = 0x80001202 [valid, vector 2, NMI, "
                "NMI unblocking due to IRET]");
    check_field(IDT_VECTORING_INFO_FIELD, 0,
                "  IDT_VECTORING_INFO_FIELD      0x4408 = 0x00000000 [not valid]");
    /* natural-width */
    check_field(GUEST_RIP, 0xffffffff81000000ULL,
                "  GUEST_RIP                     0x681e = 0xffffffff81000000");
    check_field(GUEST_CR0, 0x80000031,
                "  GUEST_CR0                     0x6800 = 0x0000000080000031 [PE ET NE PG]");
    check_field(CR4_GUEST_HOST_MASK, 0x2000,
                "  CR4_GUEST_HOST_MASK           0x6002 = 0x0000000000002000 [VMXE]");
    check_field(GUEST_RFLAGS, 0x2, "  GUEST_RFLAGS                  0x6820 = 0x0000000000000002");
    /* host */
    check_field(HOST_CR4, 0x2020,
                "  HOST_CR4                      0x6c04 = 0x0000000000002020 [PAE VMXE]");
    check_field(HOST_IA32_SYSENTER_CS, 0, "  HOST_IA32_SYSENTER_CS         0x4c00 = 0x00000000");
    /* the longest name fills the column exactly */
    check_field(VM_ENTRY_EXCEPTION_ERROR_CODE, 0,
                "  VM_ENTRY_EXCEPTION_ERROR_CODE 0x4018 = 0x00000000");
}

Test(vmcs_dump, every_name_fits_the_column)
{
    char buf[VMCS_DUMP_LINE_MAX];
    for (size_t i = 0; i < vmcs_field_count(); i++) {
        const struct vmcs_field *f = vmcs_field_at(i);
        cr_assert_leq(strlen(f->name), VMCS_DUMP_NAME_WIDTH, "%s", f->name);
        vmcs_format_field(buf, sizeof(buf), f, 0);
        /* encoding always at the same column: 2 + width + 1 */
        cr_assert_eq(strncmp(buf + 2 + VMCS_DUMP_NAME_WIDTH, " 0x", 3), 0, "%s", buf);
    }
}

Test(vmcs_dump, long_line_is_cut_with_dots)
{
    char buf[64];
    const struct vmcs_field *f = vmcs_field_by_encoding(CPU_BASED_VM_EXEC_CONTROL);
    cr_assert_not_null(f);
    int n = vmcs_format_field(buf, sizeof(buf), f, 0xffffffff);
    cr_assert_gt(n, 63);
    cr_assert_eq(strlen(buf), 63);
    cr_assert_str_eq(buf + 60, "...");
    cr_assert_eq(strncmp(buf, "  CPU_BASED_VM_EXEC_CONTROL     0x4002 = 0xffffffff [", 53), 0);

    /* the full line is longer than the dump's buffer and still fits there, cut */
    char big[VMCS_DUMP_LINE_MAX];
    const struct vmcs_field *f2 = vmcs_field_by_encoding(SECONDARY_VM_EXEC_CONTROL);
    n = vmcs_format_field(big, sizeof(big), f2, 0xffffffff);
    cr_assert_gt(n, VMCS_DUMP_LINE_MAX - 1);
    cr_assert_str_eq(big + VMCS_DUMP_LINE_MAX - 4, "...");
}

/* ---- the dump ----------------------------------------------------------------------------- */

Test(vmcs_dump, sections_in_order_with_exact_lines)
{
    struct fake_vmcs v = {sample, COUNT(sample), 0, {0}};
    struct vmcs_dump_stats st = {99, 99, 99, 99};
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(fake_read, &v, enum_all(), capture, &captured, &st);

    int ctl = find_line(&captured, "VMCS control fields");
    int guest = find_line(&captured, "VMCS guest-state fields");
    int host = find_line(&captured, "VMCS host-state fields");
    int exit = find_line(&captured, "VMCS VM-exit information fields");
    cr_assert_eq(ctl, 0);
    cr_assert_gt(guest, ctl);
    cr_assert_gt(host, guest);
    cr_assert_gt(exit, host);
    cr_assert_eq(captured.n, 4 + COUNT(sample));
    cr_assert_eq((unsigned)exit, captured.n - 5); /* 4 exit-info fields in the sample */

    /* every sample field printed once, in its own section */
    static const struct {
        const char *line;
        int section; /* 0 control, 1 guest, 2 host, 3 exit */
    } want[] = {
        {"  VIRTUAL_PROCESSOR_ID          0x0000 = 0x0001", 0},
        {"  IO_BITMAP_A                   0x2000 = 0x0000000012345000", 0},
        {"  PIN_BASED_VM_EXEC_CONTROL     0x4000 = 0x00000016 [bit1 bit2 bit4]", 0},
        {"  CPU_BASED_VM_EXEC_CONTROL     0x4002 = 0x80000080 [HLT_EXITING "
         "ACTIVATE_SECONDARY_CONTROLS]",
         0},
        {"  EXCEPTION_BITMAP              0x4004 = 0x00004002 [#DB #PF]", 0},
        {"  SECONDARY_VM_EXEC_CONTROL     0x401e = 0x00000020 [ENABLE_VPID]", 0},
        {"  CR0_READ_SHADOW               0x6004 = 0x0000000060000010 [ET NW CD]", 0},
        {"  GUEST_CS_SELECTOR             0x0802 = 0x0008", 1},
        {"  VMCS_LINK_POINTER             0x2800 = 0xffffffffffffffff", 1},
        {"  GUEST_CS_AR_BYTES             0x4816 = 0x0000a09b [type=0xb S=1 DPL=0 P=1 L=1 D/B=0 "
         "G=1]",
         1},
        {"  GUEST_LDTR_AR_BYTES           0x4820 = 0x00010000 [unusable]", 1},
        {"  GUEST_INTERRUPTIBILITY_INFO   0x4824 = 0x00000001 [blocking by STI]", 1},
        {"  GUEST_ACTIVITY_STATE          0x4826 = 0x00000001 [HLT]", 1},
        {"  GUEST_RIP                     0x681e = 0xffffffff81000000", 1},
        {"  GUEST_RFLAGS                  0x6820 = 0x0000000000000202 [IF]", 1},
        {"  HOST_CS_SELECTOR              0x0c02 = 0x0010", 2},
        {"  HOST_IA32_SYSENTER_CS         0x4c00 = 0x00000000", 2},
        {"  HOST_CR4                      0x6c04 = 0x0000000000002020 [PAE VMXE]", 2},
        {"  VM_INSTRUCTION_ERROR          0x4400 = 0x00000007 [VM entry with invalid control "
         "field(s)]",
         3},
        {"  VM_EXIT_REASON                0x4402 = 0x80000021 [INVALID_GUEST_STATE (33) "
         "entry-failure]",
         3},
        {"  VM_EXIT_INTR_INFO             0x4404 = 0x80000b0e [valid, vector 14 (#PF), hardware "
         "exception, error code]",
         3},
        {"  VM_EXIT_QUALIFICATION         0x6400 = 0x0000000000000181", 3},
    };
    cr_assert_eq(COUNT(want), COUNT(sample));
    int bounds[5] = {ctl, guest, host, exit, (int)captured.n};
    int prev = -1;
    for (size_t i = 0; i < COUNT(want); i++) {
        int at = find_line(&captured, want[i].line);
        cr_assert_geq(at, 0, "missing: %s", want[i].line);
        cr_assert_gt(at, bounds[want[i].section], "%s", want[i].line);
        cr_assert_lt(at, bounds[want[i].section + 1], "%s", want[i].line);
        cr_assert_gt(at, prev, "table order: %s", want[i].line); /* want[] is in table order */
        prev = at;
    }

    /* active: the always-shown rows and VIRTUAL_PROCESSOR_ID ("enable VPID" is 1) */
    unsigned active = count_always_active() + 1;
    cr_assert_eq(st.printed, COUNT(sample));
    cr_assert_eq(st.beyond_enum, 0);
    cr_assert_eq(st.inactive, vmcs_field_count() - active);
    cr_assert_eq(st.unsupported, active - COUNT(sample));
    /* pin, primary, exit, entry and secondary controls read first, then every active field */
    cr_assert_eq(v.reads, 5 + active);
}

Test(vmcs_dump, unsupported_fields_are_skipped_and_counted)
{
    static const struct fake_field one[] = {{GUEST_RIP, 0x1000}};
    struct fake_vmcs v = {one, COUNT(one), 0, {0}};
    struct vmcs_dump_stats st;
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(fake_read, &v, enum_all(), capture, &captured, &st);
    cr_assert_eq(captured.n, 5); /* four headers and GUEST_RIP */
    cr_assert_str_eq(captured.text[0], "VMCS control fields");
    cr_assert_str_eq(captured.text[1], "VMCS guest-state fields");
    cr_assert_str_eq(captured.text[2],
                     "  GUEST_RIP                     0x681e = 0x0000000000001000");
    cr_assert_str_eq(captured.text[3], "VMCS host-state fields");
    cr_assert_str_eq(captured.text[4], "VMCS VM-exit information fields");
    cr_assert_eq(st.printed, 1);
    /* every control unreadable, so 0: only the always-shown rows are tried */
    cr_assert_eq(st.unsupported, count_always_active() - 1);
    cr_assert_eq(st.inactive, vmcs_field_count() - count_always_active());
    cr_assert_eq(st.beyond_enum, 0);
}

Test(vmcs_dump, enum_limits_what_is_read)
{
    /* highest index 5: IO_BITMAP_A (index 0) and VM_ENTRY_MSR_LOAD_ADDR (5) are read,
     * EXECUTIVE_VMCS_POINTER (6) and GUEST_RIP (index 15) are not */
    static const struct fake_field f[] = {
        {IO_BITMAP_A, 1},
        {VM_ENTRY_MSR_LOAD_ADDR, 2},
        {EXECUTIVE_VMCS_POINTER, 3},
        {GUEST_RIP, 4},
    };
    const uint64_t vmcs_enum = 5u << 1; /* SDM A.9: bits 9:1 */
    struct fake_vmcs v = {f, COUNT(f), 0, {0}};
    struct vmcs_dump_stats st;
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(fake_read, &v, vmcs_enum, capture, &captured, &st);

    unsigned within = 0;
    for (size_t i = 0; i < vmcs_field_count(); i++)
        within += vmcs_field_within_enum(vmcs_field_at(i), vmcs_enum);
    cr_assert_lt(within, vmcs_field_count());
    cr_assert_eq(st.printed, 2);
    cr_assert_eq(st.beyond_enum, vmcs_field_count() - within);
    cr_assert_gt(st.inactive, 0); /* e.g. VIRTUAL_PROCESSOR_ID (index 0), controls 0 */
    cr_assert_eq(st.unsupported + st.inactive, within - 2);
    cr_assert_eq(v.reads, 2 + within - st.inactive); /* pin and primary controls, then fields */
    for (unsigned i = 0; i < v.reads; i++)
        cr_assert_leq(VMCS_ENC_INDEX(v.read_log[i]), 5, "read %#x", v.read_log[i]);
    cr_assert_geq(find_line(&captured, "  IO_BITMAP_A                   0x2000 = "
                                       "0x0000000000000001"),
                  0);
    cr_assert_geq(find_line(&captured, "  VM_ENTRY_MSR_LOAD_ADDR        0x200a = "
                                       "0x0000000000000002"),
                  0);
    cr_assert_eq(captured.n, 6);

    /* enum 0: only index-0 fields */
    v.reads = 0;
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(fake_read, &v, 0, capture, &captured, &st);
    cr_assert_eq(st.printed, 1);
    cr_assert_eq(st.printed + st.unsupported + st.beyond_enum + st.inactive, vmcs_field_count());
}

Test(vmcs_dump, no_callbacks_no_output)
{
    struct fake_vmcs v = {sample, COUNT(sample), 0, {0}};
    struct vmcs_dump_stats st = {7, 7, 7, 7};
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(NULL, &v, enum_all(), capture, &captured, &st);
    cr_assert_eq(captured.n, 0);
    cr_assert_eq(st.printed + st.unsupported + st.beyond_enum + st.inactive, 0);
    vmcs_dump(fake_read, &v, enum_all(), NULL, NULL, &st);
    cr_assert_eq(v.reads, 0);
    vmcs_dump(fake_read, &v, enum_all(), capture, &captured, NULL); /* stats optional */
    cr_assert_eq(captured.n, 4 + COUNT(sample));
}

Test(vmcs_dump, section_names)
{
    cr_assert_str_eq(vmcs_dump_section_name(VMCS_AREA_CONTROL), "VMCS control fields");
    cr_assert_str_eq(vmcs_dump_section_name(VMCS_AREA_GUEST), "VMCS guest-state fields");
    cr_assert_str_eq(vmcs_dump_section_name(VMCS_AREA_HOST), "VMCS host-state fields");
    cr_assert_str_eq(vmcs_dump_section_name(VMCS_AREA_EXIT_INFO),
                     "VMCS VM-exit information fields");
    cr_assert_str_eq(vmcs_dump_section_name((enum vmcs_area)4), "?");
}

/* ---- fields in use under the current controls ---------------------------------------------- */

/* A VMCS where every field of the table is readable (value: its encoding) and the control
 * fields hold c; fields listed in refuse are unreadable. */
struct full_vmcs {
    struct vmcs_controls c;
    uint32_t refuse[4];
    unsigned reads;
    uint32_t read_log[512];
};

static int full_read(void *ctx, uint32_t encoding, uint64_t *value)
{
    struct full_vmcs *v = ctx;
    if (v->reads < COUNT(v->read_log))
        v->read_log[v->reads] = encoding;
    v->reads++;
    for (size_t i = 0; i < COUNT(v->refuse); i++)
        if (v->refuse[i] && v->refuse[i] == encoding)
            return -1;
    switch (encoding) {
    case PIN_BASED_VM_EXEC_CONTROL:
        *value = v->c.pin;
        return 0;
    case CPU_BASED_VM_EXEC_CONTROL:
        *value = v->c.proc;
        return 0;
    case SECONDARY_VM_EXEC_CONTROL:
        *value = v->c.proc2;
        return 0;
    case TERTIARY_VM_EXEC_CONTROL:
        *value = v->c.proc3;
        return 0;
    case VM_EXIT_CONTROLS:
        *value = v->c.exit;
        return 0;
    case SECONDARY_VM_EXIT_CONTROLS:
        *value = v->c.exit2;
        return 0;
    case VM_ENTRY_CONTROLS:
        *value = v->c.entry;
        return 0;
    case VM_FUNCTION_CONTROL:
        *value = v->c.vmfunc;
        return 0;
    default:
        break;
    }
    const struct vmcs_field *f = vmcs_field_by_encoding(encoding);
    if (!f || f->encoding != encoding)
        return -1;
    *value = encoding;
    return 0;
}

static bool was_read(const struct full_vmcs *v, uint32_t encoding)
{
    for (unsigned i = 0; i < v->reads && i < COUNT(v->read_log); i++)
        if (v->read_log[i] == encoding)
            return true;
    return false;
}

/* Dumps v into captured; stats in *st. */
static void dump_full(struct full_vmcs *v, struct vmcs_dump_stats *st)
{
    v->reads = 0;
    memset(&captured, 0, sizeof(captured));
    vmcs_dump(full_read, v, enum_all(), capture, &captured, st);
    cr_assert_eq(st->printed + st->unsupported + st->beyond_enum + st->inactive,
                 vmcs_field_count());
    cr_assert_eq(st->printed, captured.n - 4);
}

/* Whether the dump in captured has a line for the field named name. */
static bool shown(const char *name)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "  %-*s 0x", VMCS_DUMP_NAME_WIDTH, name);
    for (unsigned i = 0; i < captured.n && i < COUNT(captured.text); i++)
        if (strncmp(captured.text[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static bool name_active(const char *name, const struct vmcs_controls *c)
{
    const struct vmcs_field *f = vmcs_field_by_name(name);
    cr_assert_not_null(f, "%s", name);
    return vmcs_field_active(f, c);
}

Test(vmcs_dump, vpid_follows_enable_vpid_and_secondary_activation)
{
    struct full_vmcs v = {0};
    struct vmcs_dump_stats st;

    /* "enable VPID" set, but the secondary controls are not activated: not in use (SDM
     * 25.6.2), and the secondary controls are not even read for the decision */
    v.c.proc2 = PROC_BASED2_ENABLE_VPID;
    dump_full(&v, &st);
    cr_assert(!shown("VIRTUAL_PROCESSOR_ID"));
    cr_assert(!was_read(&v, VIRTUAL_PROCESSOR_ID));
    cr_assert(shown("SECONDARY_VM_EXEC_CONTROL")); /* the control field itself: always */
    cr_assert(shown("GUEST_RIP"));
    unsigned inactive_off = st.inactive;
    cr_assert_eq(inactive_off, vmcs_field_count() - count_always_active());

    /* activated, VPID off */
    v.c.proc = PROC_BASED_ACTIVATE_SECONDARY_CONTROLS;
    v.c.proc2 = PROC_BASED2_ENABLE_EPT;
    dump_full(&v, &st);
    cr_assert(!shown("VIRTUAL_PROCESSOR_ID"));

    /* activated, VPID on */
    v.c.proc2 = PROC_BASED2_ENABLE_VPID;
    dump_full(&v, &st);
    cr_assert(shown("VIRTUAL_PROCESSOR_ID"));
    cr_assert(was_read(&v, VIRTUAL_PROCESSOR_ID));
    cr_assert_eq(st.inactive, inactive_off - 1);
    cr_assert_geq(find_line(&captured, "  VIRTUAL_PROCESSOR_ID          0x0000 = 0x0000"), 0);

    /* an unreadable secondary control field counts as 0 */
    v.refuse[0] = SECONDARY_VM_EXEC_CONTROL;
    dump_full(&v, &st);
    cr_assert(!shown("VIRTUAL_PROCESSOR_ID"));
    cr_assert(!shown("SECONDARY_VM_EXEC_CONTROL"));
    cr_assert_eq(st.inactive, inactive_off);
}

Test(vmcs_dump, ept_fields_only_with_enable_ept)
{
    static const char *const ept_fields[] = {"EPT_POINTER", "GUEST_PHYSICAL_ADDRESS",
                                             "GUEST_PDPTR0", "GUEST_PDPTR3"};
    struct full_vmcs v = {0};
    struct vmcs_dump_stats st;
    v.c.proc = PROC_BASED_ACTIVATE_SECONDARY_CONTROLS;
    v.c.proc2 = PROC_BASED2_ENABLE_VPID | PROC_BASED2_UNRESTRICTED_GUEST;
    dump_full(&v, &st);
    for (size_t i = 0; i < COUNT(ept_fields); i++)
        cr_assert(!shown(ept_fields[i]), "%s", ept_fields[i]);
    unsigned without = st.inactive;

    v.c.proc2 |= PROC_BASED2_ENABLE_EPT;
    dump_full(&v, &st);
    for (size_t i = 0; i < COUNT(ept_fields); i++)
        cr_assert(shown(ept_fields[i]), "%s", ept_fields[i]);
    cr_assert_geq(find_line(&captured, "  EPT_POINTER                   0x201a = "
                                       "0x000000000000201a"),
                  0);
    cr_assert_eq(st.inactive, without - 6); /* EPTP, guest-physical address, 4 PDPTEs */
    cr_assert(!shown("EPTP_LIST_ADDRESS")); /* needs VM functions with EPTP switching */
    cr_assert(!shown("VE_INFORMATION_ADDRESS"));
    cr_assert(!shown("PML_ADDRESS"));
}

Test(vmcs_dump, pat_fields_follow_load_and_save_controls)
{
    struct full_vmcs v = {0};
    struct vmcs_dump_stats st;
    dump_full(&v, &st);
    cr_assert(!shown("GUEST_IA32_PAT"));
    cr_assert(!shown("HOST_IA32_PAT"));

    v.c.entry = VM_ENTRY_CTL_LOAD_IA32_PAT; /* SDM 27.3.2.1 loads the guest field */
    dump_full(&v, &st);
    cr_assert(shown("GUEST_IA32_PAT"));
    cr_assert(!shown("HOST_IA32_PAT"));

    v.c.entry = 0;
    v.c.exit = VM_EXIT_CTL_SAVE_IA32_PAT; /* SDM 28.3.1 saves into it */
    dump_full(&v, &st);
    cr_assert(shown("GUEST_IA32_PAT"));
    cr_assert(!shown("HOST_IA32_PAT"));

    v.c.exit = VM_EXIT_CTL_LOAD_IA32_PAT; /* SDM 28.5.1 loads the host field */
    dump_full(&v, &st);
    cr_assert(!shown("GUEST_IA32_PAT"));
    cr_assert(shown("HOST_IA32_PAT"));

    /* EFER works the same way */
    v.c.exit = VM_EXIT_CTL_LOAD_IA32_EFER;
    v.c.entry = VM_ENTRY_CTL_LOAD_IA32_EFER;
    dump_full(&v, &st);
    cr_assert(shown("GUEST_IA32_EFER"));
    cr_assert(shown("HOST_IA32_EFER"));
    cr_assert(!shown("GUEST_IA32_PAT"));
    cr_assert(!shown("HOST_IA32_PAT"));
}

Test(vmcs_dump, preemption_timer_value_follows_pin_control)
{
    struct full_vmcs v = {0};
    struct vmcs_dump_stats st;
    v.c.pin = PIN_BASED_DEFAULT1;
    dump_full(&v, &st);
    cr_assert(!shown("VMX_PREEMPTION_TIMER_VALUE"));
    unsigned off = st.inactive;

    v.c.pin |= PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER; /* SDM 26.5.1 */
    dump_full(&v, &st);
    cr_assert(shown("VMX_PREEMPTION_TIMER_VALUE"));
    cr_assert_eq(st.inactive, off - 1);
    cr_assert(!shown("POSTED_INTR_NV")); /* another pin control */

    v.c.pin |= PIN_BASED_PROCESS_POSTED_INTERRUPTS;
    dump_full(&v, &st);
    cr_assert(shown("POSTED_INTR_NV"));
    cr_assert(shown("POSTED_INTR_DESC_ADDR"));
    cr_assert_eq(st.inactive, off - 3);
}

Test(vmcs_dump, everything_on_shows_every_field)
{
    struct full_vmcs v = {0};
    struct vmcs_dump_stats st;
    v.c.pin = 0xffffffff;
    v.c.proc = 0xffffffff;
    v.c.proc2 = 0xffffffff;
    v.c.proc3 = ~0ULL;
    v.c.exit = 0xffffffff;
    v.c.exit2 = ~0ULL;
    v.c.entry = 0xffffffff;
    v.c.vmfunc = ~0ULL;
    dump_full(&v, &st);
    cr_assert_eq(st.inactive, 0);
    cr_assert_eq(st.unsupported, 0);
    cr_assert_eq(st.printed, vmcs_field_count());
    /* 8 control fields read first, then every field */
    cr_assert_eq(v.reads, 8 + vmcs_field_count());
}

Test(vmcs_dump, read_controls_reads_dependent_fields_only_when_activated)
{
    struct full_vmcs v = {0};
    struct vmcs_controls c;
    v.c.proc2 = PROC_BASED2_ENABLE_VM_FUNCTIONS;
    v.c.proc3 = PROC_BASED3_ENABLE_HLAT;
    v.c.exit2 = VM_EXIT_CTL2_LOAD_IA32_FRED;
    v.c.vmfunc = VMX_VMFUNC_EPTP_SWITCHING;
    v.c.entry = VM_ENTRY_CTL_IA32E_MODE_GUEST;
    vmcs_read_controls(full_read, &v, enum_all(), &c);
    cr_assert_eq(v.reads, 4); /* pin, primary, exit, entry */
    cr_assert_eq(c.entry, VM_ENTRY_CTL_IA32E_MODE_GUEST);
    cr_assert_eq(c.proc2 | c.proc3 | c.exit2 | c.vmfunc, 0);

    v.reads = 0;
    v.c.proc = PROC_BASED_ACTIVATE_SECONDARY_CONTROLS | PROC_BASED_ACTIVATE_TERTIARY_CONTROLS;
    v.c.exit = VM_EXIT_CTL_ACTIVATE_SECONDARY_CONTROLS;
    vmcs_read_controls(full_read, &v, enum_all(), &c);
    cr_assert_eq(v.reads, 8);
    cr_assert_eq(c.proc2, PROC_BASED2_ENABLE_VM_FUNCTIONS);
    cr_assert_eq(c.proc3, PROC_BASED3_ENABLE_HLAT);
    cr_assert_eq(c.exit2, VM_EXIT_CTL2_LOAD_IA32_FRED);
    cr_assert_eq(c.vmfunc, VMX_VMFUNC_EPTP_SWITCHING);

    /* a refused field is 0, and so is a field beyond the VMCS enumeration (SDM A.9) */
    v.reads = 0;
    v.refuse[0] = VM_EXIT_CONTROLS;
    vmcs_read_controls(full_read, &v, 1u << 1, &c); /* highest index 1: pin, primary */
    cr_assert_eq(v.reads, 2);
    cr_assert_eq(c.proc, v.c.proc);
    cr_assert_eq(c.exit | c.entry | c.proc2 | c.proc3 | c.exit2 | c.vmfunc, 0);

    vmcs_read_controls(NULL, &v, enum_all(), &c);
    cr_assert_eq(c.pin | c.proc, 0);
}

Test(vmcs_dump, field_active_per_feature)
{
    struct vmcs_controls c;
    memset(&c, 0, sizeof(c));
    static const char *const always[] = {
        "GUEST_RIP",
        "IO_BITMAP_A",
        "PIN_BASED_VM_EXEC_CONTROL",
        "VM_EXIT_REASON",
        "SECONDARY_VM_EXEC_CONTROL",
        "TERTIARY_VM_EXEC_CONTROL",
        "HOST_CR3",
        "SECONDARY_VM_EXIT_CONTROLS",
        "VM_FUNCTION_CONTROL",
        "VMCS_LINK_POINTER",
    };
    for (size_t i = 0; i < COUNT(always); i++)
        cr_assert(name_active(always[i], &c), "%s", always[i]);

    static const struct {
        const char *name;
        struct vmcs_controls on; /* the deciding control(s) set */
    } cases[] = {
        {"MSR_BITMAP", {.proc = PROC_BASED_USE_MSR_BITMAPS}},
        {"VIRTUAL_APIC_PAGE_ADDR", {.proc = PROC_BASED_USE_TPR_SHADOW}},
        {"TPR_THRESHOLD", {.proc = PROC_BASED_USE_TPR_SHADOW}},
        {"APIC_ACCESS_ADDR", {.proc2 = PROC_BASED2_VIRTUALIZE_APIC_ACCESSES}},
        {"EOI_EXIT_BITMAP0", {.proc2 = PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY}},
        {"EOI_EXIT_BITMAP3", {.proc2 = PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY}},
        {"GUEST_INTR_STATUS", {.proc2 = PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY}},
        {"PML_ADDRESS", {.proc2 = PROC_BASED2_ENABLE_PML}},
        {"GUEST_PML_INDEX", {.proc2 = PROC_BASED2_ENABLE_PML}},
        {"VMREAD_BITMAP", {.proc2 = PROC_BASED2_VMCS_SHADOWING}},
        {"VMWRITE_BITMAP", {.proc2 = PROC_BASED2_VMCS_SHADOWING}},
        {"VE_INFORMATION_ADDRESS", {.proc2 = PROC_BASED2_EPT_VIOLATION_VE}},
        {"EPTP_INDEX", {.proc2 = PROC_BASED2_EPT_VIOLATION_VE}},
        {"XSS_EXIT_BITMAP", {.proc2 = PROC_BASED2_ENABLE_XSAVES_XRSTORS}},
        {"TSC_MULTIPLIER", {.proc2 = PROC_BASED2_USE_TSC_SCALING}},
        {"PLE_GAP", {.proc2 = PROC_BASED2_PAUSE_LOOP_EXITING}},
        {"ENCLS_EXITING_BITMAP", {.proc2 = PROC_BASED2_ENABLE_ENCLS_EXITING}},
        {"EPTP_LIST_ADDRESS",
         {.proc2 = PROC_BASED2_ENABLE_VM_FUNCTIONS, .vmfunc = VMX_VMFUNC_EPTP_SWITCHING}},
        {"HLAT_POINTER", {.proc3 = PROC_BASED3_ENABLE_HLAT}},
        {"PID_POINTER_TABLE", {.proc3 = PROC_BASED3_IPI_VIRTUALIZATION}},
        {"IA32_SPEC_CTRL_MASK", {.proc3 = PROC_BASED3_VIRTUALIZE_IA32_SPEC_CTRL}},
        {"POSTED_INTR_DESC_ADDR", {.pin = PIN_BASED_PROCESS_POSTED_INTERRUPTS}},
        {"VMX_PREEMPTION_TIMER_VALUE", {.pin = PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER}},
        {"GUEST_IA32_PERF_GLOBAL_CTRL", {.entry = VM_ENTRY_CTL_LOAD_IA32_PERF_GLOBAL_CTRL}},
        {"HOST_IA32_PERF_GLOBAL_CTRL", {.exit = VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL}},
        {"GUEST_BNDCFGS", {.entry = VM_ENTRY_CTL_LOAD_IA32_BNDCFGS}},
        {"GUEST_BNDCFGS", {.exit = VM_EXIT_CTL_CLEAR_IA32_BNDCFGS}},
        {"GUEST_IA32_RTIT_CTL", {.entry = VM_ENTRY_CTL_LOAD_IA32_RTIT_CTL}},
        {"GUEST_IA32_PKRS", {.entry = VM_ENTRY_CTL_LOAD_PKRS}},
        {"HOST_IA32_PKRS", {.exit = VM_EXIT_CTL_LOAD_PKRS}},
        {"GUEST_SSP", {.entry = VM_ENTRY_CTL_LOAD_CET_STATE}},
        {"HOST_S_CET", {.exit = VM_EXIT_CTL_LOAD_CET_STATE}},
        {"GUEST_UINV", {.exit = VM_EXIT_CTL_CLEAR_UINV}},
        {"GUEST_IA32_FRED_CONFIG", {.entry = VM_ENTRY_CTL_LOAD_IA32_FRED}},
        {"GUEST_IA32_FRED_RSP1", {.exit2 = VM_EXIT_CTL2_SAVE_IA32_FRED}},
        {"HOST_IA32_FRED_CONFIG", {.exit2 = VM_EXIT_CTL2_LOAD_IA32_FRED}},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        cr_assert(!name_active(cases[i].name, &c), "%s with every control 0", cases[i].name);
        cr_assert(name_active(cases[i].name, &cases[i].on), "%s with its control", cases[i].name);
    }

    /* a control of the wrong kind does not do */
    cr_assert(
        !name_active("HOST_IA32_PKRS", &(struct vmcs_controls){.entry = VM_ENTRY_CTL_LOAD_PKRS}));
    cr_assert(
        !name_active("GUEST_S_CET", &(struct vmcs_controls){.exit = VM_EXIT_CTL_LOAD_CET_STATE}));
    cr_assert(!name_active("HOST_IA32_FRED_RSP1",
                           &(struct vmcs_controls){.entry = VM_ENTRY_CTL_LOAD_IA32_FRED}));
    /* EPTP switching needs VM functions enabled too */
    cr_assert(!name_active("EPTP_LIST_ADDRESS",
                           &(struct vmcs_controls){.vmfunc = VMX_VMFUNC_EPTP_SWITCHING}));
    cr_assert(!name_active("EPTP_LIST_ADDRESS",
                           &(struct vmcs_controls){.proc2 = PROC_BASED2_ENABLE_VM_FUNCTIONS}));

    /* NULL controls: unknown, so everything; NULL field: nothing */
    cr_assert(name_active("EPT_POINTER", NULL));
    cr_assert(!vmcs_field_active(NULL, &c));
}
