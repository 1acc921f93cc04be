/* Unit tests for platform/efi_tables.c: an EFI system table and its configuration table are
 * built in a fake physical memory reached through the map callback; the reader must find the
 * firmware's name and the ACPI RSDP, and name what is wrong in broken tables. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "platform/efi_tables.h"

#define FAKE_SIZE 0x10000u
#define SYSTAB    0x1000u
#define VENDOR    0x2000u
#define CONFIG    0x3000u
#define RSDP20    0x4000u
#define RSDP10    0x4100u

static uint8_t g_mem[FAKE_SIZE];
static char g_msg[200];

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys > FAKE_SIZE || len > FAKE_SIZE - phys)
        return NULL;
    return g_mem + phys;
}

static const struct acpi_mem g_emem = {.map = fake_map, .ctx = NULL};

static void put32(uint64_t at, uint32_t v)
{
    memcpy(g_mem + at, &v, 4);
}

static void put64(uint64_t at, uint64_t v)
{
    memcpy(g_mem + at, &v, 8);
}

static const uint8_t acpi20_guid[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                        0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
static const uint8_t acpi10_guid[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                        0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};
static const uint8_t smbios_guid[16] = {0x31, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                        0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};

static void put_vendor(const char *s)
{
    for (size_t i = 0; i <= strlen(s); i++) {
        uint16_t c = (uint16_t)(unsigned char)s[i];
        memcpy(g_mem + VENDOR + 2 * i, &c, 2);
    }
}

/* A system table (64-bit layout, or 32-bit) with `n` configuration entries at CONFIG. */
static void put_systab(bool is_64, uint32_t n)
{
    memset(g_mem, 0, sizeof(g_mem));
    memset(g_msg, 0, sizeof(g_msg));
    put64(SYSTAB, EFI_SYSTEM_TABLE_SIGNATURE);
    put32(SYSTAB + 8, (2u << 16) | 70u); /* UEFI 2.70 */
    put32(SYSTAB + 12, is_64 ? 120 : 72);
    put_vendor("EDK II");
    if (is_64) {
        put64(SYSTAB + 24, VENDOR);
        put32(SYSTAB + 32, 0x10000);
        put64(SYSTAB + 104, n);
        put64(SYSTAB + 112, CONFIG);
    } else {
        put32(SYSTAB + 24, VENDOR);
        put32(SYSTAB + 28, 0x10000);
        put32(SYSTAB + 64, n);
        put32(SYSTAB + 68, CONFIG);
    }
}

static void put_config(bool is_64, uint32_t i, const uint8_t guid[16], uint64_t table)
{
    uint32_t esize = is_64 ? 24 : 20;
    memcpy(g_mem + CONFIG + i * esize, guid, 16);
    if (is_64)
        put64(CONFIG + i * esize + 16, table);
    else
        put32(CONFIG + i * esize + 16, (uint32_t)table);
}

Test(efi_tables, systab64_read)
{
    struct efi_systab st;

    put_systab(true, 3);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK, "%s",
                 g_msg);
    cr_assert_eq(st.revision, (2u << 16) | 70u);
    cr_assert_str_eq(st.vendor, "EDK II");
    cr_assert_eq(st.fw_revision, 0x10000);
    cr_assert_eq(st.config_count, 3);
    cr_assert_eq(st.config_table, CONFIG);
}

Test(efi_tables, systab32_read)
{
    struct efi_systab st;

    put_systab(false, 2);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, false, &st, g_msg, sizeof(g_msg)), EFI_OK, "%s",
                 g_msg);
    cr_assert_str_eq(st.vendor, "EDK II");
    cr_assert_eq(st.config_count, 2);
    cr_assert_eq(st.config_table, CONFIG);
    /* the same bytes read as a 64-bit table are too short for it */
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)),
                 EFI_ERR_HEADER_SIZE);
    cr_assert_not_null(strstr(g_msg, "HeaderSize 72, the 64-bit table has 120 bytes"), "%s", g_msg);
}

Test(efi_tables, vendor_non_ascii_and_unmapped)
{
    struct efi_systab st;

    put_systab(true, 0);
    uint16_t wide[] = {'O', 'V', 0x00e9, 'M', 0};
    memcpy(g_mem + VENDOR, wide, sizeof(wide));
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_str_eq(st.vendor, "OV?M");

    put64(SYSTAB + 24, 0xfffff000); /* vendor string outside memory: empty, not an error */
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_str_eq(st.vendor, "");

    /* a vendor string without a NUL is cut at the buffer */
    for (uint32_t i = 0; i < 64; i++) {
        uint16_t c = 'x';
        memcpy(g_mem + VENDOR + 2 * i, &c, 2);
    }
    put64(SYSTAB + 24, VENDOR);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(strlen(st.vendor), sizeof(st.vendor) - 1);
}

Test(efi_tables, bad_systab)
{
    struct efi_systab st;

    put_systab(true, 0);
    g_mem[SYSTAB] = 'X';
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)),
                 EFI_ERR_SIGNATURE);
    cr_assert_not_null(strstr(g_msg, "signature"), "%s", g_msg);

    cr_assert_eq(efi_systab_read(&g_emem, FAKE_SIZE - 8, true, &st, g_msg, sizeof(g_msg)),
                 EFI_ERR_UNMAPPED);
    cr_assert_eq(efi_systab_read(&g_emem, 0, true, &st, g_msg, sizeof(g_msg)), EFI_ERR_BAD_ARG);
    cr_assert_eq(efi_systab_read(NULL, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_ERR_BAD_ARG);

    /* header in memory, the rest of the table not */
    put_systab(true, 0);
    memcpy(g_mem + FAKE_SIZE - 24, g_mem + SYSTAB, 24);
    cr_assert_eq(efi_systab_read(&g_emem, FAKE_SIZE - 24, true, &st, g_msg, sizeof(g_msg)),
                 EFI_ERR_UNMAPPED);
}

Test(efi_tables, acpi20_preferred_over_acpi10)
{
    struct efi_systab st;
    uint64_t rsdp = 0;
    bool is20 = false;

    put_systab(true, 3);
    put_config(true, 0, acpi10_guid, RSDP10);
    put_config(true, 1, smbios_guid, 0x5000);
    put_config(true, 2, acpi20_guid, RSDP20);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)), EFI_OK,
                 "%s", g_msg);
    cr_assert_eq(rsdp, RSDP20);
    cr_assert(is20);
}

Test(efi_tables, acpi10_only_32bit)
{
    struct efi_systab st;
    uint64_t rsdp = 0;
    bool is20 = true;

    put_systab(false, 2);
    put_config(false, 0, smbios_guid, 0x5000);
    put_config(false, 1, acpi10_guid, RSDP10);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, false, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, false, &rsdp, &is20, g_msg, sizeof(g_msg)), EFI_OK,
                 "%s", g_msg);
    cr_assert_eq(rsdp, RSDP10);
    cr_assert_not(is20);
}

Test(efi_tables, no_acpi_entry)
{
    struct efi_systab st;
    uint64_t rsdp = 0;
    bool is20;

    put_systab(true, 2);
    put_config(true, 0, smbios_guid, 0x5000);
    put_config(true, 1, acpi20_guid, 0); /* a NULL table pointer does not count */
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)),
                 EFI_ERR_NO_ACPI);
    cr_assert_not_null(strstr(g_msg, "none of the 2 EFI configuration table entries"), "%s", g_msg);

    put_systab(true, 0);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)),
                 EFI_ERR_NO_ACPI);
}

Test(efi_tables, config_table_broken)
{
    struct efi_systab st;
    uint64_t rsdp;
    bool is20;

    put_systab(true, EFI_MAX_CONFIG_TABLES + 1);
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)),
                 EFI_ERR_TOO_MANY);

    put_systab(true, 4);
    put64(SYSTAB + 112, FAKE_SIZE - 24); /* entries run out of memory */
    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)),
                 EFI_ERR_UNMAPPED);
    cr_assert_not_null(strstr(g_msg, "cannot map the EFI configuration table"), "%s", g_msg);
    cr_assert_eq(efi_find_rsdp(&g_emem, NULL, true, &rsdp, &is20, g_msg, sizeof(g_msg)),
                 EFI_ERR_BAD_ARG);
}

Test(efi_tables, rsdp_found_through_efi_is_validated)
{
    struct efi_systab st;
    struct acpi_rsdp r;
    uint64_t rsdp;
    bool is20;

    put_systab(true, 1);
    put_config(true, 0, acpi20_guid, RSDP20);
    /* an ACPI 2.0 RSDP: signature, checksums, revision 2, length 36, XSDT address */
    memcpy(g_mem + RSDP20, "RSD PTR ", 8);
    memcpy(g_mem + RSDP20 + 9, "EDKII ", 6);
    g_mem[RSDP20 + 15] = 2;
    put32(RSDP20 + 16, 0x6000);
    put32(RSDP20 + 20, 36);
    put64(RSDP20 + 24, 0x6100);
    uint8_t s = 0;
    for (int i = 0; i < 20; i++)
        s = (uint8_t)(s + g_mem[RSDP20 + i]);
    g_mem[RSDP20 + 8] = (uint8_t)-s;
    s = 0;
    for (int i = 0; i < 36; i++)
        s = (uint8_t)(s + g_mem[RSDP20 + i]);
    g_mem[RSDP20 + 32] = (uint8_t)-s;

    cr_assert_eq(efi_systab_read(&g_emem, SYSTAB, true, &st, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(efi_find_rsdp(&g_emem, &st, true, &rsdp, &is20, g_msg, sizeof(g_msg)), EFI_OK);
    cr_assert_eq(acpi_rsdp_at(&g_emem, rsdp, &r, g_msg, sizeof(g_msg)), ACPI_OK, "%s", g_msg);
    cr_assert_eq(r.phys, RSDP20);
    cr_assert_eq(r.revision, 2);
    cr_assert_eq(r.xsdt, 0x6100);
    cr_assert_str_eq(r.oem_id, "EDKII ");

    g_mem[RSDP20 + 32] ^= 1; /* extended checksum broken */
    cr_assert_eq(acpi_rsdp_at(&g_emem, rsdp, &r, g_msg, sizeof(g_msg)), ACPI_ERR_RSDP_EXT_CHECKSUM);
}

Test(efi_tables, error_strings_distinct)
{
    for (int e = EFI_OK; e >= EFI_ERR_LAST; e--) {
        const char *s = efi_error_str(e);
        cr_assert_str_neq(s, "unknown error", "code %d has no text", e);
        for (int f = e - 1; f >= EFI_ERR_LAST; f--)
            cr_assert_str_neq(s, efi_error_str(f), "codes %d and %d share text", e, f);
    }
    cr_assert_str_eq(efi_error_str(EFI_ERR_LAST - 1), "unknown error");
    cr_assert_str_eq(efi_error_str(1), "unknown error");
}
