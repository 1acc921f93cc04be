/* platform/acpi.c - reading the ACPI tables at boot (around the pure acpi_tables.c). */
#include "platform/acpi.h"
#include "platform/console.h"
#include "platform/mem.h"

struct acpi_info acpi;

static const void *identity_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (!phys || phys + len < phys || phys + len > (4ull << 30) + mem_ram_top())
        return NULL;
    return phys_to_virt(phys);
}

void acpi_init(const struct mb2_info *mb)
{
    struct acpi_mem mem = {.map = identity_map, .ctx = NULL};
    struct acpi_rsdp rsdp;
    static struct acpi_tables tables;
    char msg[160] = "";
    int err = -1;

    if (mb->rsdp) {
        err = acpi_rsdp_parse(mb->rsdp, mb->rsdp_len, &rsdp, msg, sizeof(msg));
        if (err)
            pr_warn("ACPI: the RSDP copy from the boot loader is bad: %s (%s)\n",
                    acpi_error_str(err), msg);
    }
    if (err) {
        err = acpi_rsdp_find_bios(&mem, &rsdp, msg, sizeof(msg));
        if (err) {
            pr_warn("ACPI: no RSDP: %s (%s); assuming one CPU and no power-off registers\n",
                    acpi_error_str(err), msg);
            return;
        }
    }
    err = acpi_tables_load(&mem, &rsdp, &tables, msg, sizeof(msg));
    if (err) {
        pr_warn("ACPI: cannot read the root table: %s (%s)\n", acpi_error_str(err), msg);
        return;
    }
    acpi.have_tables = true;
    pr_info("ACPI: revision %u, OEM '%s', %u tables via the %s\n", rsdp.revision, rsdp.oem_id,
            tables.count, tables.is_xsdt ? "XSDT" : "RSDT");

    err = acpi_madt_read(&mem, &tables, &acpi.madt, msg, sizeof(msg));
    if (err)
        pr_warn("ACPI: no usable MADT: %s (%s); assuming one CPU\n", acpi_error_str(err), msg);
    else
        acpi.have_madt = true;

    err = acpi_fadt_read(&mem, &tables, &acpi.fadt, msg, sizeof(msg));
    if (err) {
        pr_warn("ACPI: no usable FADT: %s (%s)\n", acpi_error_str(err), msg);
        return;
    }
    acpi.have_fadt = true;
    err = acpi_s5_read(&mem, &acpi.fadt, &acpi.s5, msg, sizeof(msg));
    if (err)
        pr_warn("ACPI: no \\_S5 sleep type: %s (%s)\n", acpi_error_str(err), msg);
    else
        acpi.have_s5 = true;
}
