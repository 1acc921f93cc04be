/*
 * devices/pci_host.h - the PCI host bridge's configuration mechanism #1 and the reset control
 * register of a PC (pure): CONFIG_ADDRESS at 0xCF8 (a dword, read back), CONFIG_DATA at
 * 0xCFC-0xCFF, and the PIIX reset control register at 0xCF9 (a byte). The bus is empty but
 * for the host bridge itself at 00:00.0 (an Intel 440FX, vendor 8086, device 1237, class
 * 06 00 00), so a kernel finds configuration space and no devices: every other function
 * reads all ones, as an absent function does (PCI Local Bus 3.0, 3.2.2.3.2 and 6.1). Writes
 * to configuration space are ignored. Writing RST_CPU (bit 2) to 0xCF9 asks for a reset,
 * which ends the VM (the FADT's reset register, vm/acpi_build.h).
 */
#ifndef DEVICES_PCI_HOST_H
#define DEVICES_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "vm/vm_stop.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_RESET_CONTROL  0xcf9
#define PCI_CONFIG_DATA    0xcfc

struct pci_host {
    uint32_t address; /* CONFIG_ADDRESS */
    uint8_t reset;    /* the reset control register */
};

void pci_host_init(struct pci_host *h);
/* The dword of configuration space at (bus, device, function, register & ~3). */
uint32_t pci_host_config_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg);
/* A port access; false when port is outside 0xCF8-0xCFF. */
bool pci_host_io(struct pci_host *h, uint16_t port, unsigned size, bool in, uint32_t *value,
                 struct vm_stop_request *stop);

#endif
