/* Unit tests for vm/acpi_build.c: the guest's ACPI tables are built into a fake guest memory
 * and read back with the hypervisor's own parser (platform/acpi_tables.c): RSDP found by the
 * BIOS-area scan, every checksum, the MADT, FADT and \_S5. Bad configurations are refused. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "platform/acpi_tables.h"
#include "vm/acpi_build.h"

#define MEM_SIZE 0x110000u
#define AT       0xE0000u /* where a BIOS keeps them: found by the RSDP scan */

static uint8_t mem[MEM_SIZE];
static char err[200];
static struct acpi_build_layout lay;

static const void *map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys > MEM_SIZE || len > MEM_SIZE - phys)
        return NULL;
    return mem + phys;
}

static const struct acpi_mem amem = {.map = map, .ctx = NULL};

static void reset(void)
{
    memset(mem, 0, sizeof(mem));
    memset(err, 0, sizeof(err));
    memset(&lay, 0, sizeof(lay));
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(acpi_build, .init = reset);

static int build(uint32_t ncpus, const uint8_t *ids, uint64_t gpa)
{
    struct acpi_build_cfg cfg = {ncpus, ids, (uint8_t)ncpus};
    return acpi_build(&cfg, gpa, mem + gpa, MEM_SIZE - gpa, &lay, err, sizeof(err));
}

static uint8_t sum(uint64_t at, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + mem[at + i]);
    return s;
}

static uint32_t len_of(uint64_t at)
{
    uint32_t v;
    memcpy(&v, mem + at, 4);
    return v;
}

Test(acpi_build, parsed_back_by_the_hypervisor_parser)
{
    cr_assert_eq(build(4, NULL, AT), ACPI_BUILD_OK, "%s", err);
    struct acpi_rsdp rsdp;
    int rc = acpi_rsdp_find_bios(&amem, &rsdp, err, sizeof(err));
    cr_assert_eq(rc, ACPI_OK, "%s", err);
    cr_assert_eq(rsdp.phys, AT);
    cr_assert_eq(rsdp.revision, 2);
    cr_assert_eq(rsdp.length, 36);
    cr_assert_str_eq(rsdp.oem_id, "VNDRPL");
    cr_assert_eq(rsdp.xsdt, lay.xsdt);
    cr_assert_eq(rsdp.rsdt, lay.rsdt);

    struct acpi_tables t;
    cr_assert_eq(acpi_tables_load(&amem, &rsdp, &t, err, sizeof(err)), ACPI_OK, "%s", err);
    cr_assert(t.is_xsdt);
    cr_assert_eq(t.count, 2);
    cr_assert_eq(acpi_table_find(&t, "FACP"), lay.fadt);
    cr_assert_eq(acpi_table_find(&t, "APIC"), lay.madt);

    struct acpi_madt m;
    cr_assert_eq(acpi_madt_read(&amem, &t, &m, err, sizeof(err)), ACPI_OK, "%s", err);
    cr_assert_eq(m.lapic_address, 0xFEE00000);
    cr_assert(m.pcat_compat);
    cr_assert_eq(m.cpu_count, 4);
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert_eq(m.cpus[i].apic_id, i);
        cr_assert_eq(m.cpus[i].uid, i);
        cr_assert(m.cpus[i].enabled);
    }
    cr_assert_eq(m.ioapic_count, 1);
    cr_assert_eq(m.ioapics[0].address, 0xFEC00000);
    cr_assert_eq(m.ioapics[0].gsi_base, 0);
    cr_assert_eq(m.ioapics[0].id, 4);
    cr_assert_eq(m.iso_count, 2);
    cr_assert_eq(m.isos[0].source, 0);
    cr_assert_eq(m.isos[0].gsi, 2, "IRQ 0 -> GSI 2");
    cr_assert_eq(m.isos[0].flags, 0);
    cr_assert_eq(m.isos[1].source, 9);
    cr_assert_eq(m.isos[1].gsi, 9);
    cr_assert_eq(m.isos[1].flags, 0xD, "SCI: level, active high");
    cr_assert(!m.overflow);

    struct acpi_fadt f;
    cr_assert_eq(acpi_fadt_read(&amem, &t, &f, err, sizeof(err)), ACPI_OK, "%s", err);
    cr_assert_eq(f.revision, 6);
    cr_assert_eq(f.length, 276);
    cr_assert_eq(f.dsdt, lay.dsdt);
    cr_assert_eq(f.sci_int, 9);
    cr_assert_eq(f.smi_cmd, 0, "always in ACPI mode");
    cr_assert_eq(f.pm1a_evt, 0x600);
    cr_assert_eq(f.pm1a_cnt, 0x604);
    cr_assert_eq(f.pm1b_cnt, 0);
    cr_assert_eq(f.pm_tmr, 0x608);
    cr_assert_eq(f.pm_tmr_len, 4);
    cr_assert(!f.tmr_val_ext, "24-bit PM timer");
    cr_assert_eq(f.flags & (1u << 20), 0, "not hardware-reduced");
    cr_assert(f.has_reset);
    cr_assert_eq(f.reset_reg.space_id, ACPI_GAS_IO);
    cr_assert_eq(f.reset_reg.address, 0xCF9);
    cr_assert_eq(f.reset_reg.bit_width, 8);
    cr_assert_eq(f.reset_value, 6);

    struct acpi_s5 s5;
    cr_assert_eq(acpi_s5_read(&amem, &f, &s5, err, sizeof(err)), ACPI_OK, "%s", err);
    cr_assert_eq(s5.slp_typa, ACPI_BUILD_S5_TYP);
    cr_assert_eq(s5.slp_typb, ACPI_BUILD_S5_TYP);
}

Test(acpi_build, checksums_and_facs)
{
    cr_assert_eq(build(2, NULL, AT), ACPI_BUILD_OK, "%s", err);
    cr_assert_eq(sum(lay.rsdp, 20), 0, "RSDP checksum");
    cr_assert_eq(sum(lay.rsdp, 36), 0, "RSDP extended checksum");
    uint64_t tables[] = {lay.xsdt, lay.rsdt, lay.fadt, lay.madt, lay.dsdt};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        cr_assert_geq(len_of(tables[i] + 4), 36);
        cr_assert_eq(sum(tables[i], len_of(tables[i] + 4)), 0, "checksum of table %zu", i);
    }
    cr_assert_eq(memcmp(mem + lay.facs, "FACS", 4), 0);
    cr_assert_eq(len_of(lay.facs + 4), 64);
    uint64_t x_facs, x_dsdt;
    memcpy(&x_facs, mem + lay.fadt + 132, 8);
    memcpy(&x_dsdt, mem + lay.fadt + 140, 8);
    cr_assert_eq(x_facs, lay.facs);
    cr_assert_eq(len_of(lay.fadt + 36), lay.facs, "FIRMWARE_CTRL");
    cr_assert_eq(x_dsdt, lay.dsdt);
    /* the RSDT lists the same two tables, with 32-bit entries */
    cr_assert_eq(len_of(lay.rsdt + 36), lay.fadt);
    cr_assert_eq(len_of(lay.rsdt + 40), lay.madt);
    /* the local APIC NMI entry ends the MADT: type 4, all processors, LINT1 */
    uint64_t nmi = lay.madt + len_of(lay.madt + 4) - 6;
    cr_assert_eq(mem[nmi], 4);
    cr_assert_eq(mem[nmi + 2], 0xFF);
    cr_assert_eq(mem[nmi + 5], 1);
    cr_assert_leq(lay.size, acpi_build_size(2));
    cr_assert_eq(lay.rsdp, AT);
}

Test(acpi_build, facs_64_aligned_at_any_16_aligned_address)
{
    for (uint64_t gpa = 0x1000; gpa < 0x1040; gpa += 16) {
        reset();
        cr_assert_eq(build(8, NULL, gpa), ACPI_BUILD_OK, "%s", err);
        cr_assert_eq(lay.facs % 64, 0, "FACS at 0x%lx", (unsigned long)lay.facs);
        cr_assert_leq(lay.size, acpi_build_size(8), "size at 0x%lx", (unsigned long)gpa);
        struct acpi_rsdp rsdp;
        cr_assert_eq(acpi_rsdp_parse(mem + gpa, 36, &rsdp, err, sizeof(err)), ACPI_OK, "%s", err);
    }
}

Test(acpi_build, apic_ids_given)
{
    static const uint8_t ids[] = {0, 2, 4, 6, 16};
    cr_assert_eq(build(5, ids, AT), ACPI_BUILD_OK, "%s", err);
    struct acpi_madt m;
    cr_assert_eq(acpi_madt_parse(mem + lay.madt, len_of(lay.madt + 4), &m, err, sizeof(err)),
                 ACPI_OK, "%s", err);
    cr_assert_eq(m.cpu_count, 5);
    for (uint32_t i = 0; i < 5; i++)
        cr_assert_eq(m.cpus[i].apic_id, ids[i]);
}

Test(acpi_build, most_cpus)
{
    cr_assert_eq(build(ACPI_BUILD_MAX_CPUS, NULL, AT), ACPI_BUILD_OK, "%s", err);
    struct acpi_madt m;
    cr_assert_eq(acpi_madt_parse(mem + lay.madt, len_of(lay.madt + 4), &m, err, sizeof(err)),
                 ACPI_OK, "%s", err);
    cr_assert_eq(m.cpu_count, ACPI_BUILD_MAX_CPUS);
    cr_assert_eq(m.cpus[63].apic_id, 63);
}

Test(acpi_build, bad_configurations)
{
    static const uint8_t dup[] = {0, 1, 1};
    static const uint8_t bcast[] = {0, 0xFF};
    cr_assert_eq(build(0, NULL, AT), ACPI_BUILD_ERR_BAD_ARG);
    cr_assert(strstr(err, "0 CPUs") != NULL, "%s", err);
    cr_assert_eq(build(ACPI_BUILD_MAX_CPUS + 1, NULL, AT), ACPI_BUILD_ERR_BAD_ARG);
    cr_assert_eq(build(3, dup, AT), ACPI_BUILD_ERR_APIC_ID);
    cr_assert(strstr(err, "CPUs 1 and 2 have the same APIC id 1") != NULL, "%s", err);
    cr_assert_eq(build(2, bcast, AT), ACPI_BUILD_ERR_APIC_ID);
    cr_assert_eq(build(1, NULL, AT + 8), ACPI_BUILD_ERR_ADDRESS);
    cr_assert(strstr(err, "16-byte aligned") != NULL, "%s", err);
    struct acpi_build_cfg cfg = {1, NULL, 0};
    cr_assert_eq(acpi_build(&cfg, 0xFFFFFF00ull, mem, sizeof(mem), &lay, err, sizeof(err)),
                 ACPI_BUILD_ERR_ADDRESS, "tables passing 4 GiB");
    cr_assert_eq(acpi_build(&cfg, AT, mem, 100, &lay, err, sizeof(err)), ACPI_BUILD_ERR_NO_SPACE);
    cr_assert(strstr(err, "the buffer has 0x64") != NULL, "%s", err);
    cr_assert_eq(acpi_build(NULL, AT, mem, sizeof(mem), &lay, err, sizeof(err)),
                 ACPI_BUILD_ERR_BAD_ARG);
    size_t written = 0;
    while (written < sizeof(mem) && mem[written] == 0)
        written++;
    cr_assert_eq(written, sizeof(mem), "a refused build wrote byte 0x%zx", written);
    cr_assert_str_eq(acpi_build_error_str(ACPI_BUILD_ERR_APIC_ID), "bad APIC id");
}
