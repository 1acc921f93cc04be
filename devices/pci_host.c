/* devices/pci_host.c - configuration mechanism #1 with only the host bridge, and the reset
 * control register (pure; see pci_host.h). */
#include "devices/pci_host.h"

#define CONFIG_ENABLE (1u << 31)
#define RST_CPU       (1u << 2) /* PIIX3 datasheet, reset control register */

void pci_host_init(struct pci_host *h)
{
    h->address = 0;
    h->reset = 0;
}

uint32_t pci_host_config_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    if (bus != 0 || dev != 0 || fn != 0)
        return 0xffffffffu; /* no function there: the master abort reads all ones */
    switch (reg & 0xfc) {
    case 0x00: /* device ID, vendor ID */
        return 0x12378086u;
    case 0x04: /* status, command: memory space and bus master on */
        return 0x00000006u;
    case 0x08: /* class 06 (bridge) 00 (host), programming interface 0, revision 2 */
        return 0x06000002u;
    case 0x0c: /* header type 0, single function */
        return 0x00000000u;
    default:
        return 0;
    }
}

bool pci_host_io(struct pci_host *h, uint16_t port, unsigned size, bool in, uint32_t *value,
                 struct vm_stop_request *stop)
{
    if (port < PCI_CONFIG_ADDRESS || port > PCI_CONFIG_DATA + 3)
        return false;
    uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    if (port == PCI_CONFIG_ADDRESS && size == 4) {
        if (in)
            *value = h->address;
        else
            h->address = *value & 0x80fffffcu; /* enable, bus, device, function, register */
        return true;
    }
    if (port == PCI_RESET_CONTROL && size == 1) {
        if (in) {
            *value = h->reset;
        } else {
            h->reset = (uint8_t)(*value & 0x0e);
            if (*value & RST_CPU) {
                stop->stop = true;
                stop->status = 0;
                stop->why = "reset (RST_CPU written to port 0xcf9)";
            }
        }
        return true;
    }
    if (port >= PCI_CONFIG_DATA) {
        unsigned off = port - PCI_CONFIG_DATA;
        if (in) {
            uint32_t d = 0xffffffffu;
            if (h->address & CONFIG_ENABLE)
                d = pci_host_config_read(
                    (uint8_t)(h->address >> 16), (uint8_t)((h->address >> 11) & 0x1f),
                    (uint8_t)((h->address >> 8) & 7), (uint8_t)(h->address & 0xfc));
            *value = (d >> (8 * off)) & mask;
        }
        return true; /* writes to configuration space are ignored */
    }
    if (in) /* other sizes at 0xCF8-0xCFB: not the address register */
        *value = mask;
    return true;
}
