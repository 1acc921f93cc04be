/*
 * guests/lib/madt.h - the firmware's MADT in the test guests, read with the hypervisor's own
 * pure ACPI parser (platform/acpi_tables.c, linked in unchanged like platform/fmt.c): the RSDP
 * from the BIOS areas (EBDA, 0xe0000-0xfffff), the RSDT/XSDT, the MADT (ACPI 6.4 5.2.12).
 * Paging is off: a physical address is read as a pointer.
 */
#ifndef GUEST_MADT_H
#define GUEST_MADT_H

#include <stddef.h>
#include <stdint.h>
#include "platform/acpi_tables.h"

/* 0 (ACPI_OK) or an acpi_error, with a message. */
int madt_find(struct acpi_madt *out, char *msg, size_t msg_len);
/* The global system interrupt of ISA IRQ irq: an interrupt source override's, else irq itself
 * (ACPI 6.4 5.2.12.5); *flags gets the override's MPS INTI flags, or 0 (bus default). */
uint32_t madt_isa_gsi(const struct acpi_madt *m, uint8_t irq, uint16_t *flags);

#endif
