/*
 * vm/acpi_build.c - ACPI tables for a guest: RSDP, FACS, XSDT, RSDT, FADT, MADT and a DSDT
 * holding \_S5, laid out one after the other from the given guest-physical address (the
 * platform they describe is in acpi_build.h). Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/acpi_build.h"
#include "platform/fmt.h"

#define HDR_LEN        36u  /* ACPI 6.4 5.2.6: system description table header */
#define RSDP_LEN       36u  /* ACPI 6.4 5.2.5.3: revision 2 and later */
#define RSDP_V1_LEN    20u  /* bytes of the first checksum */
#define FACS_LEN       64u  /* ACPI 6.4 5.2.10 */
#define FACS_ALIGN     64u  /* the FACS is 64-byte aligned (5.2.10) */
#define FADT_LEN       276u /* ACPI 6.4 5.2.9, Table 5.9: up to the Hypervisor Vendor Identity */
#define MADT_FIXED     44u  /* ACPI 6.4 5.2.12: header, local APIC address, flags */
#define MADT_LAPIC     8u   /* 5.2.12.2 Processor Local APIC */
#define MADT_IOAPIC    12u  /* 5.2.12.3 I/O APIC */
#define MADT_ISO       10u  /* 5.2.12.5 Interrupt Source Override */
#define MADT_LAPIC_NMI 6u   /* 5.2.12.7 Local APIC NMI */
#define ROOT_ENTRIES   2u   /* FADT and MADT; the FADT points at the FACS and the DSDT */
#define TABLE_ALIGN    16u

#define OEM_ID       "VNDRPL"   /* 6 characters */
#define OEM_TABLE_ID "VPGUEST " /* 8 */
#define CREATOR_ID   "VNDR"     /* 4 */

/* \_S5 in AML (ACPI 6.4 20.2): 13 bytes, see acpi_dsdt_body(). */
#define DSDT_AML_LEN 13u

static const char *const acpi_build_errors[] = {
    [0] = "ok",
    [-ACPI_BUILD_ERR_BAD_ARG] = "bad argument",
    [-ACPI_BUILD_ERR_APIC_ID] = "bad APIC id",
    [-ACPI_BUILD_ERR_ADDRESS] = "bad table address",
    [-ACPI_BUILD_ERR_NO_SPACE] = "buffer too small",
};

const char *acpi_build_error_str(int err)
{
    if (err > 0 || -err >= (int)(sizeof(acpi_build_errors) / sizeof(acpi_build_errors[0])))
        return "unknown error";
    return acpi_build_errors[-err];
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static size_t madt_len(uint32_t ncpus)
{
    /* the local APICs, one I/O APIC, two overrides (IRQ 0, IRQ 9), one local APIC NMI */
    return MADT_FIXED + (size_t)ncpus * MADT_LAPIC + MADT_IOAPIC + 2 * MADT_ISO + MADT_LAPIC_NMI;
}

/* Offsets from gpa of each table; the FACS goes to the next 64-byte boundary of the guest
 * address after the RSDP. Returns the bytes used. */
static size_t acpi_layout(uint64_t gpa, uint32_t ncpus, struct acpi_build_layout *l)
{
    size_t off;
    l->rsdp = 0;
    l->facs = ((gpa + RSDP_LEN + FACS_ALIGN - 1) & ~(uint64_t)(FACS_ALIGN - 1)) - gpa;
    off = (size_t)l->facs + FACS_LEN;
    l->xsdt = align_up(off, TABLE_ALIGN);
    off = (size_t)l->xsdt + HDR_LEN + 8 * ROOT_ENTRIES;
    l->rsdt = align_up(off, TABLE_ALIGN);
    off = (size_t)l->rsdt + HDR_LEN + 4 * ROOT_ENTRIES;
    l->fadt = align_up(off, TABLE_ALIGN);
    off = (size_t)l->fadt + FADT_LEN;
    l->madt = align_up(off, TABLE_ALIGN);
    off = (size_t)l->madt + madt_len(ncpus);
    l->dsdt = align_up(off, TABLE_ALIGN);
    off = (size_t)l->dsdt + HDR_LEN + DSDT_AML_LEN;
    return off;
}

size_t acpi_build_size(uint32_t ncpus)
{
    struct acpi_build_layout l;
    size_t most = 0;
    for (uint64_t gpa = 0; gpa < FACS_ALIGN; gpa += 16) { /* the padding before the FACS */
        size_t n = acpi_layout(gpa, ncpus, &l);
        most = n > most ? n : most;
    }
    return most;
}

/* ---- little-endian stores ---- */

static void w8(uint8_t *p, size_t off, uint8_t v)
{
    p[off] = v;
}

static void w16(uint8_t *p, size_t off, uint16_t v)
{
    p[off] = (uint8_t)v;
    p[off + 1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, size_t off, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* ACPI 6.4 5.2.5.3 / 5.2.6: the bytes of a checksummed structure sum to 0 mod 256 */
static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)(0u - sum);
}

/* ACPI 6.4 5.2.6, Table 5.4: the header; its checksum is set by table_done(). */
static void table_header(uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
    memcpy(t, sig, 4);
    w32(t, 4, len);
    w8(t, 8, revision);
    memcpy(t + 10, OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE_ID, 8);
    w32(t, 24, 1); /* OEM revision */
    memcpy(t + 28, CREATOR_ID, 4);
    w32(t, 32, 1); /* creator revision */
}

static void table_done(uint8_t *t, uint32_t len)
{
    t[9] = 0;
    t[9] = checksum(t, len);
}

/* ACPI 6.4 5.2.3.2, Table 5.1: Generic Address Structure in system I/O space */
#define GAS_IO    1u
#define GAS_BYTE  1u
#define GAS_WORD  2u
#define GAS_DWORD 3u
static void gas_io(uint8_t *p, size_t off, uint8_t bits, uint8_t access, uint64_t port)
{
    w8(p, off, GAS_IO);
    w8(p, off + 1, bits);
    w8(p, off + 2, 0); /* bit offset */
    w8(p, off + 3, access);
    w64(p, off + 4, port);
}

static void build_rsdp(uint8_t *r, uint64_t xsdt, uint64_t rsdt)
{
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, OEM_ID, 6);
    w8(r, 15, 2); /* revision 2: ACPI 2.0 and later, with the XSDT */
    w32(r, 16, (uint32_t)rsdt);
    w32(r, 20, RSDP_LEN);
    w64(r, 24, xsdt);
    r[8] = checksum(r, RSDP_V1_LEN); /* the first 20 bytes (ACPI 1.0) */
    r[32] = checksum(r, RSDP_LEN);   /* the whole structure */
}

static void build_facs(uint8_t *f)
{
    /* ACPI 6.4 5.2.10, Table 5.14: no checksum; no waking vector, no global lock owner */
    memcpy(f, "FACS", 4);
    w32(f, 4, FACS_LEN);
    w8(f, 32, 2); /* version */
}

static void build_root(uint8_t *t, const char *sig, unsigned width, const uint64_t *entries)
{
    uint32_t len = HDR_LEN + width * ROOT_ENTRIES;
    table_header(t, sig, len, 1);
    for (unsigned i = 0; i < ROOT_ENTRIES; i++) {
        if (width == 8)
            w64(t, HDR_LEN + 8 * i, entries[i]); /* XSDT: ACPI 6.4 5.2.8 */
        else
            w32(t, HDR_LEN + 4 * i, (uint32_t)entries[i]); /* RSDT: ACPI 6.4 5.2.7 */
    }
    table_done(t, len);
}

/* FADT flags (ACPI 6.4 Table 5.10) and IA-PC boot architecture flags (Table 5.11) */
#define FADT_WBINVD          (1u << 0)
#define FADT_PROC_C1         (1u << 2)
#define FADT_PWR_BUTTON      (1u << 4)  /* no fixed-feature power button */
#define FADT_SLP_BUTTON      (1u << 5)  /* no fixed-feature sleep button */
#define FADT_FIX_RTC         (1u << 6)  /* no RTC wake status in the fixed registers */
#define FADT_RESET_REG_SUP   (1u << 10) /* HW_REDUCED_ACPI (bit 20) stays 0 */
#define BOOT_LEGACY_DEVICES  (1u << 0)  /* ISA devices (UART, PIC, PIT, RTC) */
#define BOOT_VGA_NOT_PRESENT (1u << 2)  /* and bit 1 clear: no 8042 */

static void build_fadt(uint8_t *t, uint64_t facs, uint64_t dsdt)
{
    /* ACPI 6.4 5.2.9, Table 5.9 (offsets as there) */
    table_header(t, "FACP", FADT_LEN, 6);
    w32(t, 36, (uint32_t)facs);     /* FIRMWARE_CTRL; X_FIRMWARE_CTRL below holds the same */
    w32(t, 40, (uint32_t)dsdt);     /* DSDT; X_DSDT the same */
    w16(t, 46, ACPI_BUILD_SCI_IRQ); /* SCI_INT */
    /* SMI_CMD (48) 0: no mode transition, the hardware is always in ACPI mode (5.2.9) */
    w32(t, 56, ACPI_BUILD_PM1A_EVT); /* PM1a_EVT_BLK */
    w32(t, 64, ACPI_BUILD_PM1A_CNT); /* PM1a_CNT_BLK */
    w32(t, 76, ACPI_BUILD_PM_TMR);   /* PM_TMR_BLK: 3.579545 MHz (4.8.3.3) */
    w8(t, 88, 4);                    /* PM1_EVT_LEN: status + enable, 2 bytes each */
    w8(t, 89, 2);                    /* PM1_CNT_LEN */
    w8(t, 91, 4);                    /* PM_TMR_LEN */
    w16(t, 96, 101);                 /* P_LVL2_LAT > 100: no C2 */
    w16(t, 98, 1001);                /* P_LVL3_LAT > 1000: no C3 */
    w16(t, 109, BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT); /* IAPC_BOOT_ARCH */
    w32(t, 112,
        FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_FIX_RTC |
            FADT_RESET_REG_SUP); /* Flags; TMR_VAL_EXT (bit 8) 0: a 24-bit timer */
    gas_io(t, 116, 8, GAS_BYTE, ACPI_BUILD_RESET_PORT); /* RESET_REG (4.8.3.6) */
    w8(t, 128, ACPI_BUILD_RESET_VAL);                   /* RESET_VALUE */
    w8(t, 131, 4);                                      /* FADT minor version: 6.4 */
    w64(t, 132, facs);                                  /* X_FIRMWARE_CTRL */
    w64(t, 140, dsdt);                                  /* X_DSDT */
    gas_io(t, 148, 32, GAS_WORD, ACPI_BUILD_PM1A_EVT);  /* X_PM1a_EVT_BLK */
    gas_io(t, 172, 16, GAS_WORD, ACPI_BUILD_PM1A_CNT);  /* X_PM1a_CNT_BLK */
    gas_io(t, 208, 32, GAS_DWORD, ACPI_BUILD_PM_TMR);   /* X_PM_TMR_BLK */
    memcpy(t + 268, "VNDRPOOL", 8);                     /* Hypervisor Vendor Identity */
    table_done(t, FADT_LEN);
}

/* MPS INTI flags (ACPI 6.4 Table 5.26): polarity bits 1:0, trigger mode bits 3:2 */
#define INTI_ACTIVE_HIGH 0x1u
#define INTI_LEVEL       0xCu

static size_t madt_iso(uint8_t *t, size_t off, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    w8(t, off, 2); /* 5.2.12.5: Interrupt Source Override */
    w8(t, off + 1, MADT_ISO);
    w8(t, off + 2, 0); /* bus: ISA */
    w8(t, off + 3, irq);
    w32(t, off + 4, gsi);
    w16(t, off + 8, flags);
    return off + MADT_ISO;
}

static void build_madt(uint8_t *t, const struct acpi_build_cfg *cfg)
{
    uint32_t len = (uint32_t)madt_len(cfg->ncpus);
    size_t off = MADT_FIXED;
    table_header(t, "APIC", len, 5); /* MADT revision 5 (ACPI 6.4) */
    w32(t, 36, ACPI_BUILD_LAPIC);    /* Local Interrupt Controller Address */
    w32(t, 40, 1);                   /* Flags: PCAT_COMPAT, a dual 8259 is present */
    for (uint32_t i = 0; i < cfg->ncpus; i++) {
        w8(t, off, 0); /* 5.2.12.2: Processor Local APIC */
        w8(t, off + 1, MADT_LAPIC);
        w8(t, off + 2, (uint8_t)i); /* ACPI processor UID */
        w8(t, off + 3, cfg->apic_ids != NULL ? cfg->apic_ids[i] : (uint8_t)i);
        w32(t, off + 4, 1); /* Enabled */
        off += MADT_LAPIC;
    }
    w8(t, off, 1); /* 5.2.12.3: I/O APIC */
    w8(t, off + 1, MADT_IOAPIC);
    w8(t, off + 2, cfg->ioapic_id);
    w8(t, off + 3, 0);
    w32(t, off + 4, ACPI_BUILD_IOAPIC);
    w32(t, off + 8, 0); /* Global System Interrupt Base */
    off += MADT_IOAPIC;
    /* The PIT's IRQ 0 is wired to IOAPIC pin 2 on a PC; the SCI is level, active high */
    off = madt_iso(t, off, 0, 2, 0); /* flags 0: as the ISA bus (edge, active high) */
    off = madt_iso(t, off, ACPI_BUILD_SCI_IRQ, ACPI_BUILD_SCI_IRQ, INTI_ACTIVE_HIGH | INTI_LEVEL);
    w8(t, off, 4); /* 5.2.12.7: Local APIC NMI */
    w8(t, off + 1, MADT_LAPIC_NMI);
    w8(t, off + 2, 0xFF); /* every processor */
    w16(t, off + 3, 0);   /* flags: as the bus */
    w8(t, off + 5, 1);    /* LINT1 */
    table_done(t, len);
}

/* The DSDT's AML (ACPI 6.4 20.2, "AML Grammar Definition"):
 *   Name (\_S5_, Package (4) { 0, 0, 0, 0 })
 * 08             NameOp: DefName := NameOp NameString DataRefObject (20.2.5.1)
 * 5C 5F 53 35 5F NameString: RootChar '\' then the NameSeg "_S5_" (20.2.2)
 * 12             PackageOp: DefPackage := PackageOp PkgLength NumElements
 *                PackageElementList (20.2.5.4)
 * 06             PkgLength, one byte (bits 7:6 = 0): 6 bytes from here to the end (20.2.4)
 * 04             NumElements: 4
 * 00 00          SLP_TYPa, SLP_TYPb: ZeroOp (20.2.3), the soft-off type (7.4.2, \_Sx)
 * 00 00          two reserved elements, as in the DSDTs of Bochs and QEMU
 * ZeroOp (00) and OneOp (01) are the values 0 and 1 themselves; another SLP_TYP would need a
 * BytePrefix (0A) constant and other lengths. */
_Static_assert(ACPI_BUILD_S5_TYP <= 1, "\\_S5 SLP_TYP is encoded as ZeroOp or OneOp");
static void acpi_dsdt_body(uint8_t *a)
{
    static const uint8_t aml[DSDT_AML_LEN] = {
        0x08, 0x5C, '_', 'S', '5', '_', 0x12, 0x06, 0x04, ACPI_BUILD_S5_TYP, ACPI_BUILD_S5_TYP,
        0x00, 0x00};
    memcpy(a, aml, sizeof(aml));
}

static void build_dsdt(uint8_t *t)
{
    uint32_t len = HDR_LEN + DSDT_AML_LEN;
    table_header(t, "DSDT", len, 2); /* revision 2: 64-bit AML integers (5.2.11.1) */
    acpi_dsdt_body(t + HDR_LEN);
    table_done(t, len);
}

static int acpi_build_check(const struct acpi_build_cfg *cfg, char *err, size_t errlen)
{
    if (cfg->ncpus == 0 || cfg->ncpus > ACPI_BUILD_MAX_CPUS) {
        fmt_msg(err, errlen, "%u CPUs: the tables describe 1 to %u", cfg->ncpus,
                ACPI_BUILD_MAX_CPUS);
        return ACPI_BUILD_ERR_BAD_ARG;
    }
    for (uint32_t i = 0; cfg->apic_ids != NULL && i < cfg->ncpus; i++) {
        if (cfg->apic_ids[i] == 0xFF) { /* 0xFF is the xAPIC broadcast id (SDM vol. 3A 11.6.2) */
            fmt_msg(err, errlen, "CPU %u: APIC id 255 is the broadcast id", i);
            return ACPI_BUILD_ERR_APIC_ID;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (cfg->apic_ids[j] == cfg->apic_ids[i]) {
                fmt_msg(err, errlen, "CPUs %u and %u have the same APIC id %u", j, i,
                        cfg->apic_ids[i]);
                return ACPI_BUILD_ERR_APIC_ID;
            }
        }
    }
    return ACPI_BUILD_OK;
}

int acpi_build(const struct acpi_build_cfg *cfg, uint64_t gpa, uint8_t *buf, size_t cap,
               struct acpi_build_layout *out, char *err, size_t errlen)
{
    fmt_msg(err, errlen, "%s", "");
    if (cfg == NULL || buf == NULL || out == NULL) {
        fmt_msg(err, errlen, "NULL configuration, buffer or layout");
        return ACPI_BUILD_ERR_BAD_ARG;
    }
    int rc = acpi_build_check(cfg, err, errlen);
    if (rc != ACPI_BUILD_OK)
        return rc;
    struct acpi_build_layout l;
    size_t size = acpi_layout(gpa, cfg->ncpus, &l);
    if (gpa % 16 != 0 || gpa > 0xFFFFFFFFull || size > 0x100000000ull - gpa) {
        /* ACPI 6.4 5.2.5.1: the RSDP is 16-byte aligned; the RSDT holds 32-bit addresses */
        fmt_msg(err, errlen,
                "tables at 0x%lx: the address must be 16-byte aligned and the 0x%lx bytes end "
                "below 4 GiB",
                (unsigned long)gpa, (unsigned long)size);
        return ACPI_BUILD_ERR_ADDRESS;
    }
    if (cap < size) {
        fmt_msg(err, errlen, "the tables for %u CPUs need 0x%lx bytes, the buffer has 0x%lx",
                cfg->ncpus, (unsigned long)size, (unsigned long)cap);
        return ACPI_BUILD_ERR_NO_SPACE;
    }
    memset(buf, 0, size);
    uint64_t entries[ROOT_ENTRIES] = {gpa + l.fadt, gpa + l.madt};
    build_facs(buf + l.facs);
    build_root(buf + l.xsdt, "XSDT", 8, entries);
    build_root(buf + l.rsdt, "RSDT", 4, entries);
    build_fadt(buf + l.fadt, gpa + l.facs, gpa + l.dsdt);
    build_madt(buf + l.madt, cfg);
    build_dsdt(buf + l.dsdt);
    build_rsdp(buf + l.rsdp, gpa + l.xsdt, gpa + l.rsdt);
    out->rsdp = gpa + l.rsdp;
    out->facs = gpa + l.facs;
    out->xsdt = gpa + l.xsdt;
    out->rsdt = gpa + l.rsdt;
    out->fadt = gpa + l.fadt;
    out->madt = gpa + l.madt;
    out->dsdt = gpa + l.dsdt;
    out->size = size;
    return ACPI_BUILD_OK;
}
