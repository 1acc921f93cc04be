/* The EFI system table (pure): what the hypervisor reads of it after ExitBootServices, the
 * firmware's name and the configuration table, where UEFI firmware lists the ACPI RSDP
 * (ACPI 6.4 5.2.5.2). Memory is reached through the ACPI parsers' map callback. */
#ifndef PLATFORM_EFI_TABLES_H
#define PLATFORM_EFI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "platform/acpi_tables.h"

/* UEFI 2.10 4.3.1: EFI_SYSTEM_TABLE_SIGNATURE, the bytes "IBI SYST" */
#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ull
#define EFI_MAX_CONFIG_TABLES      256u /* more entries than this is taken as a broken table */

enum efi_error {
    EFI_OK = 0,
    EFI_ERR_BAD_ARG = -1,
    EFI_ERR_UNMAPPED = -2,    /* map callback returned NULL */
    EFI_ERR_SIGNATURE = -3,   /* not "IBI SYST" */
    EFI_ERR_HEADER_SIZE = -4, /* HeaderSize smaller than the fields read */
    EFI_ERR_TOO_MANY = -5,    /* NumberOfTableEntries > EFI_MAX_CONFIG_TABLES */
    EFI_ERR_NO_ACPI = -6,     /* no ACPI 2.0 or 1.0 entry in the configuration table */
    EFI_ERR_LAST = EFI_ERR_NO_ACPI,
};

struct efi_systab {
    uint32_t revision; /* UEFI 2.10 4.2.1: major << 16 | minor */
    char vendor[32];   /* FirmwareVendor as ASCII ('?' for other characters); "" if unreadable */
    uint32_t fw_revision;
    uint64_t config_table; /* physical address of the EFI_CONFIGURATION_TABLE array */
    uint64_t config_count;
};

/* Read the system table at `phys` (64-bit layout if is_64, else 32-bit). */
int efi_systab_read(const struct acpi_mem *mem, uint64_t phys, bool is_64, struct efi_systab *out,
                    char *msg, size_t msg_len);

/* The RSDP's physical address from the configuration table: the ACPI 2.0 entry if there is one,
 * else the ACPI 1.0 entry (UEFI 2.10 4.6.1); *is_acpi20 says which. */
int efi_find_rsdp(const struct acpi_mem *mem, const struct efi_systab *st, bool is_64,
                  uint64_t *rsdp, bool *is_acpi20, char *msg, size_t msg_len);

const char *efi_error_str(int err);

#endif
