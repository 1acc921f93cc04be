/* Unit tests for platform/acpi_tables.c: ACPI tables are built in a fake physical memory
 * buffer reached through the map callback, then found, validated and decoded. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "platform/acpi_tables.h"

/* ---- fake physical memory ---- */

#define FAKE_SIZE 0x120000u
#define EBDA      0x9fc00u
#define ROM_RSDP  0xf0000u
#define RSDT_AT   0x100000u
#define XSDT_AT   0x100400u
#define MADT_AT   0x101000u
#define FADT_AT   0x102000u
#define DSDT_AT   0x103000u
#define HPET_AT   0x104000u
#define DSDT2_AT  0x105000u

static uint8_t g_mem[FAKE_SIZE];
static char g_msg[200];

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys > FAKE_SIZE || len > FAKE_SIZE - phys)
        return NULL;
    return g_mem + phys;
}

static const struct acpi_mem g_amem = {.map = fake_map, .ctx = NULL};

static void mem_reset(void)
{
    memset(g_mem, 0, sizeof(g_mem));
    memset(g_msg, 0, sizeof(g_msg));
}

static void put16(uint64_t at, uint16_t v)
{
    memcpy(g_mem + at, &v, 2);
}

static void put32(uint64_t at, uint32_t v)
{
    memcpy(g_mem + at, &v, 4);
}

static void put64(uint64_t at, uint64_t v)
{
    memcpy(g_mem + at, &v, 8);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* ---- table builders ---- */

static void fix_table_sum(uint64_t at)
{
    uint32_t len;
    memcpy(&len, g_mem + at + 4, 4);
    g_mem[at + 9] = 0;
    g_mem[at + 9] = (uint8_t)-sum(g_mem + at, len);
}

static void put_header(uint64_t at, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(g_mem + at, sig, 4);
    put32(at + 4, len);
    g_mem[at + 8] = rev;
    memcpy(g_mem + at + 10, "VDPOOL", 6);
    memcpy(g_mem + at + 16, "TESTTBL ", 8);
    fix_table_sum(at);
}

static void put_rsdp(uint64_t at, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memcpy(g_mem + at, "RSD PTR ", 8);
    memcpy(g_mem + at + 9, "BOCHS ", 6);
    g_mem[at + 15] = rev;
    put32(at + 16, rsdt);
    g_mem[at + 8] = 0;
    g_mem[at + 8] = (uint8_t)-sum(g_mem + at, 20);
    if (rev >= 2) {
        put32(at + 20, 36);
        put64(at + 24, xsdt);
        g_mem[at + 32] = 0;
        g_mem[at + 32] = (uint8_t)-sum(g_mem + at, 36);
    }
}

static void put_rsdt(const uint32_t *entries, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        put32(RSDT_AT + 36 + 4 * i, entries[i]);
    put_header(RSDT_AT, "RSDT", 36 + 4 * n, 1);
}

static void put_xsdt(const uint64_t *entries, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        put64(XSDT_AT + 36 + 8 * i, entries[i]);
    put_header(XSDT_AT, "XSDT", 36 + 8 * n, 1);
}

/* MADT under construction at MADT_AT */
static uint32_t g_madt_len;

static void madt_begin(uint32_t lapic, uint32_t flags)
{
    put32(MADT_AT + 36, lapic);
    put32(MADT_AT + 40, flags);
    g_madt_len = 44;
}

static void madt_raw(const uint8_t *e, uint32_t n)
{
    memcpy(g_mem + MADT_AT + g_madt_len, e, n);
    g_madt_len += n;
}

static void madt_lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t e[8] = {0, 8, uid, id};
    memcpy(e + 4, &flags, 4);
    madt_raw(e, 8);
}

static void madt_ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
    uint8_t e[12] = {1, 12, id, 0};
    memcpy(e + 4, &addr, 4);
    memcpy(e + 8, &gsi, 4);
    madt_raw(e, 12);
}

static void madt_iso(uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = {2, 10, 0, src};
    memcpy(e + 4, &gsi, 4);
    memcpy(e + 8, &flags, 2);
    madt_raw(e, 10);
}

static void madt_x2apic(uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t e[16] = {9, 16};
    memcpy(e + 4, &id, 4);
    memcpy(e + 8, &flags, 4);
    memcpy(e + 12, &uid, 4);
    madt_raw(e, 16);
}

static void madt_end(void)
{
    put_header(MADT_AT, "APIC", g_madt_len, 3);
}

/* FADT of `len` bytes with the Bochs PM block at 0xb000 */
static void put_fadt(uint32_t len, uint8_t rev, uint32_t dsdt, uint64_t x_dsdt, uint32_t flags)
{
    put32(FADT_AT + 40, dsdt);
    put16(FADT_AT + 46, 9);     /* SCI_INT */
    put32(FADT_AT + 48, 0xb2);  /* SMI_CMD */
    g_mem[FADT_AT + 52] = 0xf1; /* ACPI_ENABLE */
    g_mem[FADT_AT + 53] = 0xf0;
    put32(FADT_AT + 56, 0xb000); /* PM1a_EVT_BLK */
    put32(FADT_AT + 64, 0xb004); /* PM1a_CNT_BLK */
    put32(FADT_AT + 76, 0xb008); /* PM_TMR_BLK */
    g_mem[FADT_AT + 91] = 4;     /* PM_TMR_LEN */
    put32(FADT_AT + 112, flags);
    if (len >= 148)
        put64(FADT_AT + 140, x_dsdt);
    put_header(FADT_AT, "FACP", len, rev);
}

/* DSDT at `at`: some unrelated AML, then `aml`, then more AML */
static void put_dsdt_at(uint64_t at, const uint8_t *aml, uint32_t n)
{
    static const uint8_t before[] = {0x10, 0x0a, '\\', '_', 'S', 'B', '_',
                                     0x5b, 0x82, 0x03, 'P', 'C', 'I', '0'};
    static const uint8_t after[] = {0x14, 0x08, '_', 'P', 'T', 'S', 0x01, 0x70, 0x68, 0x60};
    uint32_t off = 36;
    memcpy(g_mem + at + off, before, sizeof(before));
    off += sizeof(before);
    memcpy(g_mem + at + off, aml, n);
    off += n;
    memcpy(g_mem + at + off, after, sizeof(after));
    off += sizeof(after);
    put_header(at, "DSDT", off, 2);
}

static void put_dsdt(const uint8_t *aml, uint32_t n)
{
    put_dsdt_at(DSDT_AT, aml, n);
}

/* A complete Bochs-like platform: RSDP v0 in the ROM area, RSDT -> FADT, MADT, HPET. */
static void build_platform(void)
{
    static const uint8_t s5[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    uint32_t rsdt[] = {FADT_AT, MADT_AT, HPET_AT};

    put_rsdp(ROM_RSDP, 0, RSDT_AT, 0);
    put_rsdt(rsdt, 3);
    madt_begin(0xfee00000u, 1);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 1, 1);
    madt_ioapic(0, 0xfec00000u, 0);
    madt_iso(0, 2, 0);
    madt_iso(9, 9, 0x000d);
    madt_end();
    put_fadt(116, 1, DSDT_AT, 0, 0);
    put_dsdt(s5, sizeof(s5));
    put_header(HPET_AT, "HPET", 56, 1);
}

static int load_tables(struct acpi_tables *t)
{
    struct acpi_rsdp rsdp;
    int rc = acpi_rsdp_find_bios(&g_amem, &rsdp, g_msg, sizeof(g_msg));
    if (rc != ACPI_OK)
        return rc;
    return acpi_tables_load(&g_amem, &rsdp, t, g_msg, sizeof(g_msg));
}

static int s5_of(const uint8_t *aml, uint32_t n, struct acpi_s5 *s5)
{
    put_dsdt(aml, n);
    return acpi_s5_parse(g_mem + DSDT_AT, (uint32_t)(36 + 14 + n + 10), s5, g_msg, sizeof(g_msg));
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(acpi, .init = mem_reset);

/* ---- RSDP ---- */

Test(acpi, rsdp_v1_copy)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 0, 0x7fe1000, 0);
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 20, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s",
                 g_msg);
    cr_assert_eq(r.revision, 0);
    cr_assert_eq(r.rsdt, 0x7fe1000);
    cr_assert_eq(r.xsdt, 0);
    cr_assert_eq(r.length, 20);
    cr_assert_str_eq(r.oem_id, "BOCHS ");
    cr_assert_eq(r.phys, 0);
}

Test(acpi, rsdp_v2_copy)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 2, 0x1234, 0x123456789ull);
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 36, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s",
                 g_msg);
    cr_assert_eq(r.revision, 2);
    cr_assert_eq(r.xsdt, 0x123456789ull);
    cr_assert_eq(r.length, 36);
}

Test(acpi, rsdp_bad_signature)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 0, 0x1234, 0);
    g_mem[0x1000 + 3] = 'X';
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 20, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_SIGNATURE);
}

Test(acpi, rsdp_bad_checksum)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 0, 0x1234, 0);
    g_mem[0x1000 + 16] ^= 0x40;
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 20, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_CHECKSUM);
    cr_assert_not_null(strstr(g_msg, "sum 0x"), "%s", g_msg);
}

Test(acpi, rsdp_bad_extended_checksum)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 2, 0x1234, 0x5678);
    g_mem[0x1000 + 24] ^= 1; /* XSDT address: outside the first 20 bytes */
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 36, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_EXT_CHECKSUM);
}

Test(acpi, rsdp_v2_copy_too_short)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 2, 0x1234, 0x5678);
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 20, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_LENGTH);
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 12, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_LENGTH);
}

Test(acpi, rsdp_v2_length_field_too_small)
{
    struct acpi_rsdp r;

    put_rsdp(0x1000, 2, 0x1234, 0x5678);
    put32(0x1000 + 20, 24);
    g_mem[0x1000 + 32] = 0;
    g_mem[0x1000 + 32] = (uint8_t)-sum(g_mem + 0x1000, 36);
    cr_assert_eq(acpi_rsdp_parse(g_mem + 0x1000, 36, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_LENGTH);
}

Test(acpi, find_rsdp_in_bios_area)
{
    struct acpi_rsdp r;

    put_rsdp(ROM_RSDP, 0, RSDT_AT, 0);
    cr_assert_eq(acpi_rsdp_find_bios(&g_amem, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(r.phys, ROM_RSDP);
    cr_assert_eq(r.rsdt, RSDT_AT);
}

Test(acpi, find_rsdp_in_ebda_first)
{
    struct acpi_rsdp r;

    put16(0x40e, EBDA >> 4);
    put_rsdp(EBDA + 0x30, 2, RSDT_AT, XSDT_AT);
    put_rsdp(ROM_RSDP, 0, 0x4444, 0);
    cr_assert_eq(acpi_rsdp_find_bios(&g_amem, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(r.phys, EBDA + 0x30);
    cr_assert_eq(r.revision, 2);
    cr_assert_eq(r.xsdt, XSDT_AT);
}

Test(acpi, ebda_scan_limited_to_first_kib)
{
    struct acpi_rsdp r;

    put16(0x40e, EBDA >> 4);
    put_rsdp(EBDA + 0x400, 0, RSDT_AT, 0); /* just past the first KiB */
    cr_assert_eq(acpi_rsdp_find_bios(&g_amem, &r, g_msg, sizeof(g_msg)), ACPI_ERR_RSDP_NOT_FOUND);
}

Test(acpi, scan_ignores_unaligned_signature)
{
    struct acpi_rsdp r;

    put_rsdp(ROM_RSDP + 8, 0, RSDT_AT, 0);
    cr_assert_eq(acpi_rsdp_find_bios(&g_amem, &r, g_msg, sizeof(g_msg)), ACPI_ERR_RSDP_NOT_FOUND);
    cr_assert_not_null(strstr(g_msg, "0xe0000"), "%s", g_msg);
}

Test(acpi, scan_skips_bad_checksum_candidate)
{
    struct acpi_rsdp r;

    put_rsdp(ROM_RSDP, 0, 0x1111, 0);
    g_mem[ROM_RSDP + 16] ^= 1;
    cr_assert_eq(acpi_rsdp_scan(&g_amem, 0xe0000, 0x100000, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_NOT_FOUND);
    cr_assert_not_null(strstr(g_msg, "1 signature"), "%s", g_msg);
    put_rsdp(ROM_RSDP + 0x20, 0, 0x2222, 0);
    cr_assert_eq(acpi_rsdp_scan(&g_amem, 0xe0000, 0x100000, &r, g_msg, sizeof(g_msg)), ACPI_OK);
    cr_assert_eq(r.rsdt, 0x2222);
}

Test(acpi, scan_reports_bad_extended_checksum)
{
    struct acpi_rsdp r;

    put_rsdp(ROM_RSDP, 2, RSDT_AT, XSDT_AT);
    g_mem[ROM_RSDP + 33] = 0x5a; /* reserved byte, covered by the extended checksum */
    cr_assert_eq(acpi_rsdp_scan(&g_amem, 0xe0000, 0x100000, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_RSDP_EXT_CHECKSUM);
}

Test(acpi, scan_unmapped_range)
{
    struct acpi_rsdp r;

    cr_assert_eq(acpi_rsdp_scan(&g_amem, 0x200000, 0x210000, &r, g_msg, sizeof(g_msg)),
                 ACPI_ERR_UNMAPPED);
}

/* ---- RSDT / XSDT ---- */

Test(acpi, rsdt_walk_and_find)
{
    struct acpi_tables t;

    build_platform();
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_not(t.is_xsdt);
    cr_assert_eq(t.root_phys, RSDT_AT);
    cr_assert_eq(t.count, 3);
    cr_assert_str_eq(t.sig[0], "FACP");
    cr_assert_str_eq(t.sig[2], "HPET");
    cr_assert_eq(acpi_table_find(&t, "APIC"), MADT_AT);
    cr_assert_eq(acpi_table_find(&t, "FACP"), FADT_AT);
    cr_assert_eq(acpi_table_find(&t, "SSDT"), 0);
}

Test(acpi, xsdt_preferred_for_revision_2)
{
    struct acpi_tables t;
    uint64_t x[] = {MADT_AT, HPET_AT};

    build_platform();
    put_rsdp(ROM_RSDP, 2, RSDT_AT, XSDT_AT);
    put_xsdt(x, 2);
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert(t.is_xsdt);
    cr_assert_eq(t.count, 2);
    cr_assert_eq(acpi_table_find(&t, "APIC"), MADT_AT);
    cr_assert_eq(acpi_table_find(&t, "FACP"), 0, "the RSDT must not have been used");
}

Test(acpi, rsdt_used_when_xsdt_address_zero)
{
    struct acpi_tables t;

    build_platform();
    put_rsdp(ROM_RSDP, 2, RSDT_AT, 0);
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_not(t.is_xsdt);
    cr_assert_eq(t.count, 3);
}

Test(acpi, no_root_address)
{
    struct acpi_rsdp r = {.revision = 0, .rsdt = 0};
    struct acpi_tables t;

    cr_assert_eq(acpi_tables_load(&g_amem, &r, &t, g_msg, sizeof(g_msg)), ACPI_ERR_NO_ROOT);
}

Test(acpi, rsdt_bad_checksum)
{
    struct acpi_tables t;

    build_platform();
    g_mem[RSDT_AT + 36] ^= 0x10;
    cr_assert_eq(load_tables(&t), ACPI_ERR_TABLE_CHECKSUM);
    cr_assert_not_null(strstr(g_msg, "RSDT checksum bad"), "%s", g_msg);
}

Test(acpi, rsdt_wrong_signature)
{
    struct acpi_tables t;

    build_platform();
    memcpy(g_mem + RSDT_AT, "XSDT", 4);
    fix_table_sum(RSDT_AT);
    cr_assert_eq(load_tables(&t), ACPI_ERR_TABLE_SIGNATURE);
    cr_assert_not_null(strstr(g_msg, "\"XSDT\""), "%s", g_msg);
}

Test(acpi, madt_bad_checksum_named)
{
    struct acpi_tables t;

    build_platform();
    g_mem[MADT_AT + 36] ^= 0x3c;
    cr_assert_eq(load_tables(&t), ACPI_ERR_TABLE_CHECKSUM);
    cr_assert_not_null(strstr(g_msg, "MADT checksum bad: sum 0x"), "%s", g_msg);
}

Test(acpi, table_length_below_header)
{
    struct acpi_tables t;

    build_platform();
    put_header(HPET_AT, "HPET", 20, 1);
    cr_assert_eq(load_tables(&t), ACPI_ERR_TABLE_LENGTH);
    cr_assert_not_null(strstr(g_msg, "HPET"), "%s", g_msg);
}

Test(acpi, table_truncated_by_memory_end)
{
    struct acpi_tables t;
    uint32_t rsdt[] = {FAKE_SIZE - 64};

    build_platform();
    put_rsdt(rsdt, 1);
    put_header(FAKE_SIZE - 64, "SSDT", 36, 1);
    put32(FAKE_SIZE - 64 + 4, 4096); /* claims to run past the end of memory */
    cr_assert_eq(load_tables(&t), ACPI_ERR_UNMAPPED);
    cr_assert_not_null(strstr(g_msg, "SSDT"), "%s", g_msg);
}

Test(acpi, xsdt_entries_misaligned)
{
    struct acpi_tables t;
    uint64_t x[] = {MADT_AT};

    build_platform();
    put_rsdp(ROM_RSDP, 2, RSDT_AT, XSDT_AT);
    put_xsdt(x, 1);
    put_header(XSDT_AT, "XSDT", 36 + 8 + 4, 1); /* 12 bytes of 8-byte entries */
    cr_assert_eq(load_tables(&t), ACPI_ERR_TABLE_LENGTH);
}

Test(acpi, too_many_tables_dropped)
{
    struct acpi_tables t;
    uint32_t rsdt[ACPI_MAX_TABLES + 2];

    for (uint32_t i = 0; i < ACPI_MAX_TABLES + 2; i++) {
        rsdt[i] = 0x108000 + 64 * i;
        put_header(rsdt[i], "SSDT", 36, 1);
    }
    put_rsdp(ROM_RSDP, 0, RSDT_AT, 0);
    put_rsdt(rsdt, ACPI_MAX_TABLES + 2);
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_eq(t.count, ACPI_MAX_TABLES);
    cr_assert_eq(t.dropped, 2);
}

/* ---- MADT ---- */

Test(acpi, madt_cpus_ioapics_overrides)
{
    struct acpi_tables t;
    struct acpi_madt m;

    build_platform();
    madt_begin(0xfee00000u, 1);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 2, 1);
    madt_lapic(2, 4, 0);  /* neither enabled nor online-capable: ignored */
    madt_lapic(3, 6, 2);  /* online-capable */
    madt_x2apic(2, 1, 9); /* same CPU as APIC ID 2: kept once */
    madt_x2apic(300, 1, 10);
    madt_ioapic(8, 0xfec00000u, 0);
    madt_ioapic(9, 0xfec01000u, 24);
    madt_iso(0, 2, 0);
    madt_iso(9, 9, 0x000d);
    madt_end();
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_madt_read(&g_amem, &t, &m, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(m.lapic_address, 0xfee00000u);
    cr_assert_not(m.lapic_overridden);
    cr_assert(m.pcat_compat);
    cr_assert_eq(m.cpu_count, 4);
    cr_assert_eq(m.cpus_unusable, 1);
    cr_assert_eq(m.cpus[1].apic_id, 2);
    cr_assert_eq(m.cpus[1].uid, 1);
    cr_assert_not(m.cpus[1].x2apic);
    cr_assert_eq(m.cpus[2].apic_id, 6);
    cr_assert_not(m.cpus[2].enabled);
    cr_assert(m.cpus[2].online_capable);
    cr_assert_eq(m.cpus[3].apic_id, 300);
    cr_assert_eq(m.cpus[3].uid, 10);
    cr_assert(m.cpus[3].x2apic);
    cr_assert_eq(m.ioapic_count, 2);
    cr_assert_eq(m.ioapics[1].id, 9);
    cr_assert_eq(m.ioapics[1].address, 0xfec01000u);
    cr_assert_eq(m.ioapics[1].gsi_base, 24);
    cr_assert_eq(m.iso_count, 2);
    cr_assert_eq(m.isos[0].source, 0);
    cr_assert_eq(m.isos[0].gsi, 2);
    cr_assert_eq(m.isos[1].flags, 0x000d);
    cr_assert_not(m.overflow);
}

Test(acpi, madt_lapic_address_override_and_no_pcat)
{
    struct acpi_madt m;
    uint8_t ovr[12] = {5, 12, 0, 0};
    uint64_t addr = 0x1fee00000ull;

    memcpy(ovr + 4, &addr, 8);
    madt_begin(0xfee00000u, 0);
    madt_lapic(0, 0, 1);
    madt_raw(ovr, 12);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)), ACPI_OK,
                 "%s", g_msg);
    cr_assert_eq(m.lapic_address, 0x1fee00000ull);
    cr_assert(m.lapic_overridden);
    cr_assert_not(m.pcat_compat);
}

Test(acpi, madt_unknown_entries_skipped)
{
    struct acpi_madt m;
    uint8_t nmi[6] = {4, 6, 0xff, 0x05, 0x00, 0x01};
    uint8_t odd[5] = {0x7f, 5, 1, 2, 3};

    madt_begin(0xfee00000u, 1);
    madt_raw(nmi, 6);
    madt_raw(odd, 5);
    madt_lapic(0, 3, 1);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)), ACPI_OK,
                 "%s", g_msg);
    cr_assert_eq(m.cpu_count, 1);
    cr_assert_eq(m.cpus[0].apic_id, 3);
}

Test(acpi, madt_cpu_overflow)
{
    struct acpi_madt m;

    madt_begin(0xfee00000u, 1);
    for (int i = 0; i < ACPI_MAX_CPUS + 6; i++)
        madt_lapic((uint8_t)i, (uint8_t)i, 1);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)), ACPI_OK,
                 "%s", g_msg);
    cr_assert_eq(m.cpu_count, ACPI_MAX_CPUS);
    cr_assert(m.overflow);
    cr_assert_eq(m.dropped, 6);
    cr_assert_eq(m.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
}

Test(acpi, madt_entry_length_zero)
{
    struct acpi_madt m;
    uint8_t bad[2] = {0, 0};

    madt_begin(0xfee00000u, 1);
    madt_lapic(0, 0, 1);
    madt_raw(bad, 2);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_MADT_ENTRY_LENGTH);
    cr_assert_not_null(strstr(g_msg, "offset 52"), "%s", g_msg);
}

Test(acpi, madt_entry_length_one)
{
    struct acpi_madt m;
    uint8_t bad[2] = {1, 1};

    madt_begin(0xfee00000u, 1);
    madt_raw(bad, 2);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_MADT_ENTRY_LENGTH);
}

Test(acpi, madt_entry_runs_past_table)
{
    struct acpi_madt m;

    madt_begin(0xfee00000u, 1);
    madt_lapic(0, 0, 1);
    madt_ioapic(1, 0xfec00000u, 0);
    g_madt_len -= 4; /* table ends inside the I/O APIC entry */
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_MADT_ENTRY_LENGTH);
}

Test(acpi, madt_trailing_byte)
{
    struct acpi_madt m;
    uint8_t one = 0;

    madt_begin(0xfee00000u, 1);
    madt_lapic(0, 0, 1);
    madt_raw(&one, 1);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_MADT_ENTRY_LENGTH);
}

Test(acpi, madt_entry_too_short_for_type)
{
    struct acpi_madt m;
    uint8_t ioapic[8] = {1, 8, 1, 0, 0, 0, 0xc0, 0xfe};

    madt_begin(0xfee00000u, 1);
    madt_raw(ioapic, 8);
    madt_end();
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, g_madt_len, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_MADT_ENTRY_SHORT);
    cr_assert_not_null(strstr(g_msg, "needs 12"), "%s", g_msg);
}

Test(acpi, madt_shorter_than_fixed_part)
{
    struct acpi_madt m;

    put_header(MADT_AT, "APIC", 40, 3);
    cr_assert_eq(acpi_madt_parse(g_mem + MADT_AT, 40, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_TABLE_SHORT);
}

Test(acpi, madt_missing)
{
    struct acpi_tables t;
    struct acpi_madt m;
    uint32_t rsdt[] = {FADT_AT, HPET_AT};

    build_platform();
    put_rsdt(rsdt, 2);
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_madt_read(&g_amem, &t, &m, g_msg, sizeof(g_msg)), ACPI_ERR_TABLE_NOT_FOUND);
    cr_assert_not_null(strstr(g_msg, "MADT"), "%s", g_msg);
}

Test(acpi, madt_parse_rejects_other_table)
{
    struct acpi_madt m;

    put_header(HPET_AT, "HPET", 56, 1);
    cr_assert_eq(acpi_madt_parse(g_mem + HPET_AT, 56, &m, g_msg, sizeof(g_msg)),
                 ACPI_ERR_TABLE_SIGNATURE);
}

/* ---- FADT ---- */

Test(acpi, fadt_acpi1_layout)
{
    struct acpi_tables t;
    struct acpi_fadt f;

    build_platform();
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_fadt_read(&g_amem, &t, &f, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(f.length, 116);
    cr_assert_eq(f.dsdt, DSDT_AT);
    cr_assert_eq(f.pm1a_cnt, 0xb004);
    cr_assert_eq(f.pm1b_cnt, 0);
    cr_assert_eq(f.pm1a_evt, 0xb000);
    cr_assert_eq(f.pm_tmr, 0xb008);
    cr_assert_eq(f.pm_tmr_len, 4);
    cr_assert_not(f.tmr_val_ext);
    cr_assert_eq(f.smi_cmd, 0xb2);
    cr_assert_eq(f.acpi_enable, 0xf1);
    cr_assert_eq(f.acpi_disable, 0xf0);
    cr_assert_eq(f.sci_int, 9);
    cr_assert_not(f.has_reset);
}

Test(acpi, fadt_acpi6_layout)
{
    struct acpi_fadt f;
    uint8_t reset[12] = {ACPI_GAS_IO, 8, 0, 1, 0xf9, 0x0c};
    uint8_t x_cnt[12] = {ACPI_GAS_IO, 16, 0, 2, 0x04, 0x06}; /* X_PM1a_CNT_BLK = 0x604 */

    memcpy(g_mem + FADT_AT + 116, reset, 12);
    g_mem[FADT_AT + 128] = 0x06;
    memcpy(g_mem + FADT_AT + 172, x_cnt, 12);
    put_fadt(276, 6, DSDT_AT, DSDT2_AT, (1u << 8) | (1u << 10));
    cr_assert_eq(acpi_fadt_parse(g_mem + FADT_AT, 276, &f, g_msg, sizeof(g_msg)), ACPI_OK, "%s",
                 g_msg);
    cr_assert_eq(f.revision, 6);
    cr_assert_eq(f.dsdt, DSDT2_AT, "X_DSDT wins when non-zero");
    cr_assert(f.tmr_val_ext);
    cr_assert(f.has_reset);
    cr_assert_eq(f.reset_reg.space_id, ACPI_GAS_IO);
    cr_assert_eq(f.reset_reg.address, 0xcf9);
    cr_assert_eq(f.reset_value, 0x06);
    cr_assert_eq(f.pm1a_cnt, 0x604, "X_PM1a_CNT_BLK in I/O space replaces the legacy field");
    cr_assert_eq(f.pm_tmr, 0xb008, "zero X_PM_TMR_BLK keeps the legacy field");
}

Test(acpi, fadt_zero_x_dsdt_uses_dsdt)
{
    struct acpi_fadt f;

    put_fadt(244, 3, DSDT_AT, 0, 0);
    cr_assert_eq(acpi_fadt_parse(g_mem + FADT_AT, 244, &f, g_msg, sizeof(g_msg)), ACPI_OK);
    cr_assert_eq(f.dsdt, DSDT_AT);
    cr_assert_not(f.has_reset);
}

Test(acpi, fadt_reset_flag_needs_long_table)
{
    struct acpi_fadt f;

    put_fadt(116, 1, DSDT_AT, 0, 1u << 10);
    cr_assert_eq(acpi_fadt_parse(g_mem + FADT_AT, 116, &f, g_msg, sizeof(g_msg)), ACPI_OK);
    cr_assert_not(f.has_reset, "a 116-byte FADT has no RESET_REG");
}

Test(acpi, fadt_too_short)
{
    struct acpi_fadt f;

    put_fadt(100, 1, DSDT_AT, 0, 0);
    cr_assert_eq(acpi_fadt_parse(g_mem + FADT_AT, 100, &f, g_msg, sizeof(g_msg)),
                 ACPI_ERR_TABLE_SHORT);
    cr_assert_not_null(strstr(g_msg, "FADT length 100"), "%s", g_msg);
}

Test(acpi, fadt_bad_checksum_after_load)
{
    struct acpi_tables t;
    struct acpi_fadt f;

    build_platform();
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    g_mem[FADT_AT + 64] ^= 0xff; /* corrupted after the walk */
    cr_assert_eq(acpi_fadt_read(&g_amem, &t, &f, g_msg, sizeof(g_msg)), ACPI_ERR_TABLE_CHECKSUM);
    cr_assert_not_null(strstr(g_msg, "FADT checksum bad"), "%s", g_msg);
}

/* ---- \_S5 ---- */

Test(acpi, s5_zero_ops)
{
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                  0x06, 0x04, 0x00, 0x00, 0x00, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 0);
    cr_assert_eq(s5.slp_typb, 0);
}

Test(acpi, s5_byte_prefix)
{
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                                  0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 5);
    cr_assert_eq(s5.slp_typb, 7);
}

Test(acpi, s5_one_op_and_word_prefix)
{
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                  0x06, 0x02, 0x01, 0x0b, 0x06, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 1);
    cr_assert_eq(s5.slp_typb, 6);
}

Test(acpi, s5_root_prefix_and_two_byte_pkglength)
{
    /* Name(\_S5_, Package(8){Zero, 3, 0, 0, 0, 0, 0, 0}) with PkgLength 0x43 0x01 -> 0x13 */
    static const uint8_t aml[] = {0x08, '\\', '_',  'S',  '5',  '_',  0x12, 0x43, 0x01,
                                  0x08, 0x00, 0x0a, 0x03, 0x0a, 0x00, 0x0a, 0x00, 0x0a,
                                  0x00, 0x0a, 0x00, 0x0a, 0x00, 0x0a, 0x00, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 0);
    cr_assert_eq(s5.slp_typb, 3);
}

Test(acpi, s5_read_through_fadt)
{
    struct acpi_tables t;
    struct acpi_fadt f;
    struct acpi_s5 s5 = {.slp_typa = 0xee, .slp_typb = 0xee};

    build_platform();
    cr_assert_eq(load_tables(&t), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_fadt_read(&g_amem, &t, &f, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_s5_read(&g_amem, &f, &s5, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 0);
    cr_assert_eq(s5.slp_typb, 0);
}

Test(acpi, s5_missing)
{
    static const uint8_t aml[] = {0x08, '_', 'S', '3', '_', 0x12, 0x04, 0x02, 0x01, 0x01};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_NOT_FOUND);
    cr_assert_not_null(strstr(g_msg, "no _S5_"), "%s", g_msg);
}

Test(acpi, s5_reference_but_no_package)
{
    /* Store(\_S5_, Local0) in a method, Name(_S5_, 5): the name occurs but no package */
    static const uint8_t aml[] = {0x70, '\\', '_', 'S', '5', '_',  0x60,
                                  0x08, '_',  'S', '5', '_', 0x0a, 0x05};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_NOT_FOUND);
    cr_assert_not_null(strstr(g_msg, "2 time"), "%s", g_msg);
}

Test(acpi, s5_one_element)
{
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
    cr_assert_not_null(strstr(g_msg, "1 element"), "%s", g_msg);
}

Test(acpi, s5_package_past_table_end)
{
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x00, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
}

Test(acpi, s5_elements_past_package_end)
{
    /* PkgLength 3 covers only NumElements and one element */
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0a, 0x05};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
}

Test(acpi, s5_value_too_large)
{
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                  0x06, 0x02, 0x0a, 0x09, 0x0a, 0x01};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
    cr_assert_not_null(strstr(g_msg, "SLP_TYPa"), "%s", g_msg);
}

Test(acpi, s5_ones_op_rejected)
{
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0xff};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
    cr_assert_not_null(strstr(g_msg, "SLP_TYPb"), "%s", g_msg);
}

Test(acpi, s5_unsupported_element)
{
    /* a string element: StringPrefix 'x' NUL */
    static const uint8_t aml[] = {0x08, '_',  'S',  '5', '_',  0x12,
                                  0x06, 0x02, 0x0d, 'x', 0x00, 0x00};
    struct acpi_s5 s5;

    cr_assert_eq(s5_of(aml, sizeof(aml), &s5), ACPI_ERR_S5_BAD);
}

Test(acpi, dsdt_bad_checksum)
{
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
    struct acpi_fadt f = {.dsdt = DSDT_AT};
    struct acpi_s5 s5;

    put_dsdt(aml, sizeof(aml));
    g_mem[DSDT_AT + 40] ^= 1;
    cr_assert_eq(acpi_s5_read(&g_amem, &f, &s5, g_msg, sizeof(g_msg)), ACPI_ERR_TABLE_CHECKSUM);
    cr_assert_not_null(strstr(g_msg, "DSDT checksum bad"), "%s", g_msg);
}

Test(acpi, dsdt_wrong_signature_or_absent)
{
    struct acpi_fadt f = {.dsdt = HPET_AT};
    struct acpi_s5 s5;

    put_header(HPET_AT, "HPET", 56, 1);
    cr_assert_eq(acpi_s5_read(&g_amem, &f, &s5, g_msg, sizeof(g_msg)), ACPI_ERR_TABLE_SIGNATURE);
    f.dsdt = 0;
    cr_assert_eq(acpi_s5_read(&g_amem, &f, &s5, g_msg, sizeof(g_msg)), ACPI_ERR_TABLE_NOT_FOUND);
}

/* ---- end to end, error texts ---- */

Test(acpi, whole_platform_v2)
{
    struct acpi_rsdp r;
    struct acpi_tables t;
    struct acpi_madt m;
    struct acpi_fadt f;
    struct acpi_s5 s5;
    uint64_t x[] = {HPET_AT, FADT_AT, MADT_AT};
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                  0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05};

    build_platform();
    put16(0x40e, EBDA >> 4);
    put_rsdp(EBDA, 2, RSDT_AT, XSDT_AT);
    put_xsdt(x, 3);
    put_fadt(276, 6, 0, DSDT2_AT, 1u << 8);
    put_dsdt_at(DSDT2_AT, aml, sizeof(aml));
    cr_assert_eq(acpi_rsdp_find_bios(&g_amem, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(acpi_tables_load(&g_amem, &r, &t, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert(t.is_xsdt);
    cr_assert_eq(acpi_madt_read(&g_amem, &t, &m, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(m.cpu_count, 2);
    cr_assert_eq(m.ioapic_count, 1);
    cr_assert_eq(acpi_fadt_read(&g_amem, &t, &f, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert(f.tmr_val_ext);
    cr_assert_eq(acpi_s5_read(&g_amem, &f, &s5, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(s5.slp_typa, 5);
    cr_assert_eq(s5.slp_typb, 5);
}

Test(acpi, error_strings_distinct)
{
    for (int e = ACPI_OK; e >= ACPI_ERR_LAST; e--) {
        const char *s = acpi_error_str(e);
        cr_assert_not_null(s);
        cr_assert_str_neq(s, "unknown error", "code %d has no text", e);
        for (int f = e - 1; f >= ACPI_ERR_LAST; f--)
            cr_assert_str_neq(s, acpi_error_str(f), "codes %d and %d share text", e, f);
    }
    cr_assert_str_eq(acpi_error_str(ACPI_ERR_LAST - 1), "unknown error");
    cr_assert_str_eq(acpi_error_str(1), "unknown error");
}
