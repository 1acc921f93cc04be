/*
 * devices/shutdown_port.h - the two ways a guest written for an emulator powers itself off,
 * as one device (pure):
 *   - the Bochs shutdown port 0x8900 (Bochs iodev/unmapped.cc): the bytes "Shutdown", one OUT
 *     each. As in Bochs, a letter of "Shutdown" that is not the next one leaves the match where
 *     it is, and any other byte starts it again.
 *   - ACPI soft-off: a write to the PM1a control register (PM1a_CNT) with SLP_EN (bit 13) set
 *     (ACPI 6.4 4.8.3.2.1). Port 0x604 is where QEMU's i440fx (PIIX4 PM) and q35 (ICH9 LPC)
 *     machines put it; Bochs's PIIX4 has it at 0xb004. The register reads back what was
 *     written, without SLP_EN (write-only), as QEMU's acpi_pm1_cnt_write does.
 * Either stops the VM with status 0 through the caller's struct vm_stop_request.
 */
#ifndef DEVICES_SHUTDOWN_PORT_H
#define DEVICES_SHUTDOWN_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include "vm/vm_stop.h"

#define BOCHS_SHUTDOWN_PORT  0x8900
#define QEMU_PM1A_CNT_PORT   0x604
#define BOCHS_PM1A_CNT_PORT  0xb004
#define ACPI_PM1_CNT_SLP_EN  (1u << 13)
#define ACPI_PM1_CNT_SLP_TYP (7u << 10)

struct shutdown_port {
    uint16_t bochs_port;    /* 0: none */
    uint16_t pm1a_cnt_port; /* 0: none; the register takes this port and the next */
    unsigned matched;       /* characters of "Shutdown" seen so far */
    uint16_t pm1a_cnt;      /* the PM1a_CNT value, SLP_EN excluded */
};

void shutdown_port_init(struct shutdown_port *s, uint16_t bochs_port, uint16_t pm1a_cnt_port);
/* A port access; false when port is neither device's. Fills *stop on a power-off request. */
bool shutdown_port_io(struct shutdown_port *s, uint16_t port, unsigned size, bool in,
                      uint32_t *value, struct vm_stop_request *stop);

#endif
