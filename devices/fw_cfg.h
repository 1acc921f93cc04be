/*
 * devices/fw_cfg.h - QEMU's firmware configuration device (fw_cfg) in its x86 I/O-port form,
 * as QEMU docs/specs/fw_cfg.rst describes it: a 16-bit selector register written at port 0x510
 * chooses an item, the 8-bit data register at port 0x511 reads it byte after byte. Kernels and
 * test suites written for QEMU read it to learn their CPU count and RAM size; without it they
 * read 0xffff CPUs and wait for them. The "traditional" interface only: no DMA (FW_CFG_ID says
 * so), no writable items. Pure.
 */
#ifndef DEVICES_FW_CFG_H
#define DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fw_cfg.rst "Selector (Control) Register", "Data Register" (x86: I/O ports). */
#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORTS     2

/* fw_cfg.rst "Selector Reg. Range Usage", "Firmware Configuration Items". */
#define FW_CFG_SIGNATURE  0x00   /* "QEMU" */
#define FW_CFG_ID         0x01   /* 32-bit LE feature bits: bit 0 traditional, bit 1 DMA */
#define FW_CFG_RAM_SIZE   0x03   /* 64-bit LE bytes of RAM */
#define FW_CFG_NB_CPUS    0x05   /* 16-bit LE CPUs at boot */
#define FW_CFG_MAX_CPUS   0x0f   /* 16-bit LE */
#define FW_CFG_FILE_DIR   0x19   /* 32-bit BE count, then 64-byte BE entries */
#define FW_CFG_FILE_FIRST 0x20   /* the first file's selector */
#define FW_CFG_KEY_MASK   0x3fff /* bit 14 "write", bit 15 "arch-specific" are no part of the key */
#define FW_CFG_ARCH_LOCAL 0x8000

#define FW_CFG_ID_TRADITIONAL 0x1u
#define FW_CFG_FILE_ENTRY     64 /* struct FWCfgFile: size BE32, select BE16, reserved 16, name */
#define FW_CFG_NAME_MAX       56 /* with its terminating NUL */
#define FW_CFG_FILES_MAX      8

struct fw_cfg_file {
    char name[FW_CFG_NAME_MAX];
    const uint8_t *data; /* the caller's; it outlives the device */
    uint32_t size;
    uint16_t select;
};

struct fw_cfg {
    uint16_t selector; /* as written, with the write and arch bits */
    uint32_t offset;   /* the next byte of the selected item */
    uint16_t nb_cpus;
    uint64_t ram_size;
    unsigned nfiles;
    struct fw_cfg_file files[FW_CFG_FILES_MAX]; /* sorted by name, as QEMU lists them */
};

void fw_cfg_init(struct fw_cfg *f, uint16_t nb_cpus, uint64_t ram_size);

/* Add a read-only file (named item) in the directory; its selector is the next free one from
 * FW_CFG_FILE_FIRST. 0, or -1 with err naming why (empty or too long a name, a name already
 * there, the directory full). */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t size, char *err,
                    size_t errlen);

/* Byte `offset` of item `key` (write and arch bits ignored); false when the item does not
 * exist or ends before it (the data register then reads 0, fw_cfg.rst). */
bool fw_cfg_item_byte(const struct fw_cfg *f, uint16_t key, uint32_t offset, uint8_t *byte);

/* A port access; false when port is not the device's. A 16-bit OUT to 0x510 selects an item
 * and rewinds it; an IN (at 0x510 or 0x511, of any size: QEMU's combined port does the same)
 * reads the next byte of the selected item, zero-extended; 8-bit OUTs (data writes) are
 * ignored, as since QEMU 2.4. */
bool fw_cfg_io(struct fw_cfg *f, uint16_t port, unsigned size, bool in, uint32_t *value);

#endif
