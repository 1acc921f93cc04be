/* guests/lib/madt.c - the firmware's MADT in the test guests (see madt.h). */
#include "guests/lib/madt.h"

static const void *madt_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys + len < phys || phys + len > 0x100000000ull)
        return NULL;
    return (const void *)(uintptr_t)phys;
}

int madt_find(struct acpi_madt *out, char *msg, size_t msg_len)
{
    static struct acpi_tables tables;
    struct acpi_mem mem = {madt_map, NULL};
    struct acpi_rsdp rsdp;
    int err = acpi_rsdp_find_bios(&mem, &rsdp, msg, msg_len);
    if (err == ACPI_OK)
        err = acpi_tables_load(&mem, &rsdp, &tables, msg, msg_len);
    if (err == ACPI_OK)
        err = acpi_madt_read(&mem, &tables, out, msg, msg_len);
    return err;
}

uint32_t madt_isa_gsi(const struct acpi_madt *m, uint8_t irq, uint16_t *flags)
{
    for (uint32_t i = 0; i < m->iso_count; i++) {
        if (m->isos[i].bus == 0 && m->isos[i].source == irq) {
            *flags = m->isos[i].flags;
            return m->isos[i].gsi;
        }
    }
    *flags = 0;
    return irq;
}
