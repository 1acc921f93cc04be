/* platform/acpi.c - reading the ACPI tables at boot (around the pure acpi_tables.c). */
#include "platform/acpi.h"
#include "platform/console.h"
#include "platform/efi_tables.h"
#include "platform/mem.h"

struct acpi_info acpi;

static const void *identity_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (!phys || phys + len < phys || phys + len > (4ull << 30) + mem_ram_top())
        return NULL;
    return phys_to_virt(phys);
}

/* The boot loader's copies of the RSDP (Multiboot2 3.6.16, 3.6.17): the new one, else the old. */
static int rsdp_from_tags(const struct mb2_info *mb, struct acpi_rsdp *rsdp, const char **from)
{
    char msg[160] = "";
    int err = -1;

    if (mb->rsdp) {
        *from = mb->rsdp_is_new ? "the boot loader's copy (Multiboot2 new RSDP tag)"
                                : "the boot loader's copy (Multiboot2 old RSDP tag)";
        err = acpi_rsdp_parse(mb->rsdp, mb->rsdp_len, rsdp, msg, sizeof(msg));
        if (err)
            pr_warn("ACPI: the RSDP copy in the %s RSDP tag is bad: %s (%s)\n",
                    mb->rsdp_is_new ? "new" : "old", acpi_error_str(err), msg);
    }
    if (err && mb->rsdp_is_new && mb->rsdp_old) {
        *from = "the boot loader's copy (Multiboot2 old RSDP tag)";
        err = acpi_rsdp_parse(mb->rsdp_old, mb->rsdp_old_len, rsdp, msg, sizeof(msg));
        if (err)
            pr_warn("ACPI: the RSDP copy in the old RSDP tag is bad: %s (%s)\n",
                    acpi_error_str(err), msg);
    }
    return err;
}

/* UEFI firmware: its system table (Multiboot2 3.6.13/3.6.14), named in the log, and the RSDP
 * from its configuration table. ACPI 6.4 5.2.5.2: on UEFI systems the RSDP is found there, not
 * by a scan of BIOS memory, which such a machine need not have. */
static int rsdp_from_efi(const struct acpi_mem *mem, const struct mb2_info *mb, bool need,
                         struct acpi_rsdp *rsdp, const char **from)
{
    struct efi_systab st;
    char msg[160] = "";
    uint64_t phys;
    bool is20;

    if (!mb->efi_systab) {
        pr_info("firmware: UEFI (no EFI system table pointer from the boot loader)\n");
        return -1;
    }
    int err = efi_systab_read(mem, mb->efi_systab, mb->efi_systab_is_64, &st, msg, sizeof(msg));
    if (err) {
        pr_warn("firmware: UEFI, but the EFI system table at 0x%lx is unusable: %s (%s)\n",
                mb->efi_systab, efi_error_str(err), msg);
        return -1;
    }
    pr_info("firmware: UEFI %u.%u, '%s' revision 0x%x, %d-bit system table at 0x%lx, %lu "
            "configuration tables\n",
            st.revision >> 16, st.revision & 0xffff, st.vendor, st.fw_revision,
            mb->efi_systab_is_64 ? 64 : 32, mb->efi_systab, st.config_count);
    if (!need)
        return -1;
    err = efi_find_rsdp(mem, &st, mb->efi_systab_is_64, &phys, &is20, msg, sizeof(msg));
    if (err) {
        pr_warn("ACPI: %s (%s)\n", efi_error_str(err), msg);
        return -1;
    }
    *from = is20 ? "the EFI configuration table (ACPI 2.0 entry)"
                 : "the EFI configuration table (ACPI 1.0 entry)";
    err = acpi_rsdp_at(mem, phys, rsdp, msg, sizeof(msg));
    if (err)
        pr_warn("ACPI: the RSDP at 0x%lx named by the EFI configuration table is bad: %s (%s)\n",
                phys, acpi_error_str(err), msg);
    return err;
}

/* Where the RSDP comes from, in order: on a BIOS machine the boot loader's copies, then the BIOS
 * areas; under UEFI the boot loader's copies, then the EFI configuration table (that table
 * first with prefer_efi), and never the BIOS areas. */
static int rsdp_find(const struct acpi_mem *mem, const struct mb2_info *mb, bool prefer_efi,
                     struct acpi_rsdp *rsdp, const char **from)
{
    if (!mb2_booted_by_efi(mb)) {
        char msg[160] = "";
        if (rsdp_from_tags(mb, rsdp, from) == 0)
            return 0;
        *from = "a search of the BIOS areas";
        int err = acpi_rsdp_find_bios(mem, rsdp, msg, sizeof(msg));
        if (err)
            pr_warn("ACPI: no RSDP: %s (%s); assuming one CPU and no power-off registers\n",
                    acpi_error_str(err), msg);
        return err;
    }
    if (prefer_efi && rsdp_from_efi(mem, mb, true, rsdp, from) == 0)
        return 0;
    int err = rsdp_from_tags(mb, rsdp, from);
    if (!prefer_efi && rsdp_from_efi(mem, mb, err != 0, rsdp, from) == 0)
        err = 0;
    if (err)
        pr_warn("ACPI: no RSDP from the boot loader or the EFI system table (UEFI: the BIOS areas "
                "are not searched); assuming one CPU and no power-off registers\n");
    return err;
}

void acpi_init(const struct mb2_info *mb, bool prefer_efi)
{
    struct acpi_mem mem = {.map = identity_map, .ctx = NULL};
    struct acpi_rsdp rsdp;
    static struct acpi_tables tables;
    char msg[160] = "";
    const char *from = "";

    if (rsdp_find(&mem, mb, prefer_efi, &rsdp, &from))
        return;
    pr_info("ACPI: RSDP from %s\n", from);
    int err = acpi_tables_load(&mem, &rsdp, &tables, msg, sizeof(msg));
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
