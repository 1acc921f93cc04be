/*
 * vm/acpi_build.h - ACPI tables for a guest (pure): RSDP, XSDT, RSDT, FADT, FACS, MADT and a
 * DSDT that holds \_S5, written into a buffer that will lie at a given guest-physical address.
 * Enough for Linux to find its CPUs and interrupt controllers, its PM timer, power off (S5)
 * and reset. The tables parse with platform/acpi_tables.c, the hypervisor's own parser.
 *
 * The guest's platform, as the tables describe it (the layout of QEMU's PIIX4 PM, whose
 * PM1a_CNT at 0x604 Vanderpool's devices/shutdown_port.c already serves):
 *   PM1a_EVT_BLK 0x600 (4 bytes), PM1a_CNT_BLK 0x604 (2), PM_TMR_BLK 0x608 (4, 24-bit),
 *   no GPE blocks, no SMI command port (the platform is always in ACPI mode), SCI on IRQ 9,
 *   reset register: I/O port 0xCF9, value 6; \_S5 SLP_TYP 0 (the PIIX4 soft-off type);
 *   one I/O APIC at 0xFEC00000 with GSI base 0; local APICs at 0xFEE00000; the 8259 pair
 *   present (PCAT_COMPAT); no VGA, no 8042 keyboard controller; a CMOS RTC.
 */
#ifndef VM_ACPI_BUILD_H
#define VM_ACPI_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_BUILD_MAX_CPUS 64

#define ACPI_BUILD_PM1A_EVT   0x600u
#define ACPI_BUILD_PM1A_CNT   0x604u
#define ACPI_BUILD_PM_TMR     0x608u
#define ACPI_BUILD_RESET_PORT 0xCF9u
#define ACPI_BUILD_RESET_VAL  0x06u
#define ACPI_BUILD_SCI_IRQ    9u
#define ACPI_BUILD_S5_TYP     0u
#define ACPI_BUILD_IOAPIC     0xFEC00000u
#define ACPI_BUILD_LAPIC      0xFEE00000u

enum acpi_build_error {
    ACPI_BUILD_OK = 0,
    ACPI_BUILD_ERR_BAD_ARG = -1,  /* NULL pointer, CPU count 0 or above the maximum */
    ACPI_BUILD_ERR_APIC_ID = -2,  /* an APIC id of 255 or more, or given twice */
    ACPI_BUILD_ERR_ADDRESS = -3,  /* gpa not 16-aligned, or the tables would pass 4 GiB */
    ACPI_BUILD_ERR_NO_SPACE = -4, /* the buffer is smaller than acpi_build_size() */
};

struct acpi_build_cfg {
    uint32_t ncpus;          /* 1..ACPI_BUILD_MAX_CPUS */
    const uint8_t *apic_ids; /* ncpus local APIC ids (< 255); NULL: 0, 1, ..., ncpus - 1 */
    uint8_t ioapic_id;       /* the I/O APIC's id */
};

/* Where each table went (guest-physical addresses) and the bytes used from gpa. */
struct acpi_build_layout {
    uint64_t rsdp, facs, xsdt, rsdt, fadt, madt, dsdt;
    size_t size;
};

/* Bytes acpi_build() needs for ncpus CPUs. */
size_t acpi_build_size(uint32_t ncpus);

/* Writes the tables into buf[0, cap), which the guest will see at gpa (16-aligned, the
 * tables below 4 GiB); the RSDP comes first, at gpa. Bytes of buf past the tables are left
 * alone. Returns 0 or a negative acpi_build_error with a message in err. */
int acpi_build(const struct acpi_build_cfg *cfg, uint64_t gpa, uint8_t *buf, size_t cap,
               struct acpi_build_layout *out, char *err, size_t errlen);

const char *acpi_build_error_str(int err);

#endif
