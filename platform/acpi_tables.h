/* ACPI table parsing (pure): RSDP discovery and validation, RSDT/XSDT walk, MADT, FADT and the
 * \_S5 sleep type from the DSDT. Physical memory is reached only through a caller callback. */
#ifndef PLATFORM_ACPI_TABLES_H
#define PLATFORM_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES  32
#define ACPI_MAX_CPUS    64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS    16

/* ACPI 6.4 5.2.5.1: where BIOS systems keep the RSDP */
#define ACPI_BDA_EBDA_SEG   0x40eu /* 16-bit real-mode segment of the EBDA */
#define ACPI_EBDA_SCAN_LEN  1024u
#define ACPI_BIOS_ROM_START 0xe0000u
#define ACPI_BIOS_ROM_END   0x100000u /* exclusive */

enum acpi_error {
    ACPI_OK = 0,
    ACPI_ERR_BAD_ARG = -1,
    ACPI_ERR_UNMAPPED = -2,           /* map callback returned NULL */
    ACPI_ERR_RSDP_NOT_FOUND = -3,     /* no signature+checksum match in the scanned ranges */
    ACPI_ERR_RSDP_SIGNATURE = -4,     /* copy does not start with "RSD PTR " */
    ACPI_ERR_RSDP_CHECKSUM = -5,      /* first 20 bytes do not sum to 0 */
    ACPI_ERR_RSDP_LENGTH = -6,        /* revision >= 2 with length < 36 or beyond the copy */
    ACPI_ERR_RSDP_EXT_CHECKSUM = -7,  /* extended checksum over `length` bytes fails */
    ACPI_ERR_NO_ROOT = -8,            /* RSDT (and XSDT) address zero */
    ACPI_ERR_TABLE_SIGNATURE = -9,    /* table at an address has the wrong signature */
    ACPI_ERR_TABLE_LENGTH = -10,      /* header length < 36, or root entries misaligned */
    ACPI_ERR_TABLE_CHECKSUM = -11,    /* table bytes do not sum to 0 */
    ACPI_ERR_TABLE_NOT_FOUND = -12,   /* no table with that signature in the root */
    ACPI_ERR_TABLE_SHORT = -13,       /* table shorter than the fixed fields this parser reads */
    ACPI_ERR_MADT_ENTRY_LENGTH = -14, /* MADT entry length < 2 or past the table end */
    ACPI_ERR_MADT_ENTRY_SHORT = -15,  /* MADT entry shorter than its type's layout */
    ACPI_ERR_S5_NOT_FOUND = -16,      /* no Name(_S5_, Package) in the DSDT */
    ACPI_ERR_S5_BAD = -17,            /* _S5_ package malformed or values out of range */
    ACPI_ERR_LAST = ACPI_ERR_S5_BAD,
};

/* Returns a pointer through which `len` bytes at physical `phys` can be read, or NULL.
 * Pointers must stay valid until the parser call that obtained them returns. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

struct acpi_mem {
    acpi_map_fn map;
    void *ctx;
};

/* ACPI 6.4 5.2.5.3 */
struct acpi_rsdp {
    uint64_t phys; /* where it was found; 0 for a copy (multiboot) */
    uint8_t revision;
    char oem_id[7];
    uint32_t rsdt;
    uint64_t xsdt;   /* 0 when revision < 2 */
    uint32_t length; /* 20 when revision < 2 */
};

/* Tables listed by the root table (RSDT or XSDT), all header-validated. */
struct acpi_tables {
    uint64_t root_phys;
    bool is_xsdt;
    uint32_t count;
    uint64_t phys[ACPI_MAX_TABLES];
    char sig[ACPI_MAX_TABLES][5];
    uint32_t dropped; /* root entries beyond ACPI_MAX_TABLES (not validated) */
};

struct acpi_cpu {
    uint32_t apic_id;
    uint32_t uid; /* ACPI processor UID */
    bool enabled;
    bool online_capable;
    bool x2apic; /* from a type 9 entry */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

/* ACPI 6.4 5.2.12.5 */
struct acpi_iso {
    uint8_t bus;
    uint8_t source; /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2 */
};

/* ACPI 6.4 5.2.12 */
struct acpi_madt {
    uint64_t lapic_address; /* header value, or the type 5 override */
    bool lapic_overridden;
    uint32_t flags;
    bool pcat_compat;
    uint32_t cpu_count;
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    uint32_t ioapic_count;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    uint32_t iso_count;
    struct acpi_iso isos[ACPI_MAX_ISOS];
    uint32_t cpus_unusable; /* neither enabled nor online-capable: ignored (5.2.12.2) */
    bool overflow;          /* some entries did not fit the arrays */
    uint32_t dropped;       /* how many */
};

/* ACPI 6.4 5.2.3.2 */
struct acpi_gas {
    uint8_t space_id; /* 0 memory, 1 system I/O */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
};

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO     1

/* ACPI 6.4 5.2.9 */
struct acpi_fadt {
    uint8_t revision;
    uint32_t length;
    uint64_t dsdt; /* X_DSDT when present and non-zero, else DSDT */
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable;
    uint8_t acpi_disable;
    uint32_t pm1a_evt;
    uint32_t pm1b_evt;
    uint32_t pm1a_cnt; /* port; X_PM1a_CNT_BLK (I/O space) when present and non-zero */
    uint32_t pm1b_cnt;
    uint32_t pm_tmr;
    uint8_t pm_tmr_len;
    bool tmr_val_ext; /* 32-bit PM timer */
    uint32_t flags;
    bool has_reset; /* RESET_REG_SUP and the table is long enough */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
};

/* ACPI 6.4 7.4.2: values for SLP_TYPa/SLP_TYPb (PM1 control bits 12:10) for soft-off */
struct acpi_s5 {
    uint8_t slp_typa;
    uint8_t slp_typb;
};

/* Validate an RSDP held in ordinary memory (e.g. the Multiboot2 copy, `avail` bytes). */
int acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp *out, char *msg, size_t msg_len);

/* Validate the RSDP at physical `phys`, mapped as far as its revision and length say. */
int acpi_rsdp_at(const struct acpi_mem *mem, uint64_t phys, struct acpi_rsdp *out, char *msg,
                 size_t msg_len);

/* Scan [start, end) on 16-byte boundaries for "RSD PTR " with a good 20-byte checksum and parse
 * the first match (ACPI 6.4 5.2.5.1). */
int acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t start, uint64_t end, struct acpi_rsdp *out,
                   char *msg, size_t msg_len);

/* Scan the first KiB of the EBDA (segment read from 0x40E), then 0xE0000-0xFFFFF. */
int acpi_rsdp_find_bios(const struct acpi_mem *mem, struct acpi_rsdp *out, char *msg,
                        size_t msg_len);

/* Walk the XSDT (revision >= 2 and non-zero address) or the RSDT; validate every table header's
 * length and checksum; record signatures and addresses. */
int acpi_tables_load(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                     struct acpi_tables *out, char *msg, size_t msg_len);

/* Physical address of the first table with signature `sig` (4 chars), or 0. */
uint64_t acpi_table_find(const struct acpi_tables *t, const char *sig);

/* Map the table at `phys`, check signature `sig` (NULL: any), length and checksum; return its
 * bytes in *table and its length in *len. */
int acpi_table_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
                   const uint8_t **table, uint32_t *len, char *msg, size_t msg_len);

/* Decode a validated MADT of `len` bytes. */
int acpi_madt_parse(const uint8_t *table, uint32_t len, struct acpi_madt *out, char *msg,
                    size_t msg_len);

/* Decode a validated FADT of `len` bytes. */
int acpi_fadt_parse(const uint8_t *table, uint32_t len, struct acpi_fadt *out, char *msg,
                    size_t msg_len);

/* Find Name(_S5_, Package(){a, b, ...}) in a DSDT of `len` bytes (header included). */
int acpi_s5_parse(const uint8_t *dsdt, uint32_t len, struct acpi_s5 *out, char *msg,
                  size_t msg_len);

/* Convenience: find + map + validate + decode. */
int acpi_madt_read(const struct acpi_mem *mem, const struct acpi_tables *t, struct acpi_madt *out,
                   char *msg, size_t msg_len);
int acpi_fadt_read(const struct acpi_mem *mem, const struct acpi_tables *t, struct acpi_fadt *out,
                   char *msg, size_t msg_len);
int acpi_s5_read(const struct acpi_mem *mem, const struct acpi_fadt *fadt, struct acpi_s5 *out,
                 char *msg, size_t msg_len);

/* Human-readable text for an acpi_error value. */
const char *acpi_error_str(int err);

#endif
