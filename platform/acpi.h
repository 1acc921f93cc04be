/* platform/acpi.h - what the platform learns from ACPI at boot. */
#ifndef PLATFORM_ACPI_H
#define PLATFORM_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "platform/acpi_tables.h"
#include "platform/mb2.h"

struct acpi_info {
    bool have_tables;
    bool have_madt;
    bool have_fadt;
    bool have_s5;
    struct acpi_madt madt;
    struct acpi_fadt fadt;
    struct acpi_s5 s5;
};

extern struct acpi_info acpi;

/* Find the RSDP (the boot loader's copies first; then, booted by UEFI, the EFI configuration
 * table, else the BIOS areas; with prefer_efi under UEFI the EFI configuration table first),
 * load the tables, read the MADT, FADT and \_S5. Every problem is reported; what could be read
 * is kept. */
void acpi_init(const struct mb2_info *mb, bool prefer_efi);

#endif
