/* ACPI table parsing: finds and validates the RSDP, walks the RSDT/XSDT checking every table
 * header, and decodes the MADT (CPUs, I/O APICs, overrides), the FADT (PM ports, DSDT, reset
 * register) and the \_S5 package of the DSDT. Pure code: memory comes through acpi_mem.map. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform/acpi_tables.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

#define ACPI_HDR_LEN     36u /* ACPI 6.4 5.2.6: system description table header */
#define RSDP_V1_LEN      20u /* ACPI 6.4 5.2.5.3: bytes covered by the first checksum */
#define RSDP_V2_LEN      36u
#define RSDP_ALIGN       16u  /* ACPI 6.4 5.2.5.1 */
#define MADT_ENTRIES_OFF 44u  /* ACPI 6.4 5.2.12: after LAPIC address and flags */
#define FADT_V1_LEN      116u /* ACPI 1.0 FADT ends with the Flags field */

static const char *const acpi_error_names[] = {
    [0] = "ok",
    [-ACPI_ERR_BAD_ARG] = "bad argument",
    [-ACPI_ERR_UNMAPPED] = "physical memory not mappable",
    [-ACPI_ERR_RSDP_NOT_FOUND] = "RSDP not found",
    [-ACPI_ERR_RSDP_SIGNATURE] = "RSDP signature bad",
    [-ACPI_ERR_RSDP_CHECKSUM] = "RSDP checksum bad",
    [-ACPI_ERR_RSDP_LENGTH] = "RSDP length bad",
    [-ACPI_ERR_RSDP_EXT_CHECKSUM] = "RSDP extended checksum bad",
    [-ACPI_ERR_NO_ROOT] = "no RSDT/XSDT address",
    [-ACPI_ERR_TABLE_SIGNATURE] = "table signature unexpected",
    [-ACPI_ERR_TABLE_LENGTH] = "table length bad",
    [-ACPI_ERR_TABLE_CHECKSUM] = "table checksum bad",
    [-ACPI_ERR_TABLE_NOT_FOUND] = "table not found",
    [-ACPI_ERR_TABLE_SHORT] = "table too short for its fields",
    [-ACPI_ERR_MADT_ENTRY_LENGTH] = "MADT entry length bad",
    [-ACPI_ERR_MADT_ENTRY_SHORT] = "MADT entry too short for its type",
    [-ACPI_ERR_S5_NOT_FOUND] = "_S5_ package not found in DSDT",
    [-ACPI_ERR_S5_BAD] = "_S5_ package malformed",
};

const char *acpi_error_str(int err)
{
    if (err > 0 || -err >= (int)(sizeof(acpi_error_names) / sizeof(acpi_error_names[0])))
        return "unknown error";
    return acpi_error_names[-err];
}

/* ACPI 6.4 5.2.5.3 / 5.2.6: checksummed bytes sum to zero (mod 256) */
static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

/* Printable name for a signature: the spec's short name where it differs from the signature. */
static const char *acpi_name(const uint8_t *sig, char out[5])
{
    if (memcmp(sig, "APIC", 4) == 0)
        return "MADT";
    if (memcmp(sig, "FACP", 4) == 0)
        return "FADT";
    for (int i = 0; i < 4; i++)
        out[i] = (sig[i] >= 0x20 && sig[i] < 0x7f) ? (char)sig[i] : '?';
    out[4] = '\0';
    return out;
}

static const uint8_t *acpi_map(const struct acpi_mem *mem, uint64_t phys, size_t len)
{
    return (const uint8_t *)mem->map(mem->ctx, phys, len);
}

/* ---- RSDP ---- */

int acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp *out, char *msg, size_t msg_len)
{
    const uint8_t *r = p;

    fmt_msg(msg, msg_len, "%s", "");
    if (r == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL RSDP or output");
        return ACPI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (avail < RSDP_V1_LEN) {
        fmt_msg(msg, msg_len, "RSDP has %lu bytes, needs 20", (unsigned long)avail);
        return ACPI_ERR_RSDP_LENGTH;
    }
    if (memcmp(r, "RSD PTR ", 8) != 0) { /* ACPI 6.4 5.2.5.3 */
        fmt_msg(msg, msg_len, "RSDP signature is not \"RSD PTR \"");
        return ACPI_ERR_RSDP_SIGNATURE;
    }
    uint8_t sum = acpi_sum(r, RSDP_V1_LEN);
    if (sum != 0) {
        fmt_msg(msg, msg_len, "RSDP checksum bad: sum 0x%x over 20 bytes, expected 0", sum);
        return ACPI_ERR_RSDP_CHECKSUM;
    }
    out->revision = r[15];
    memcpy(out->oem_id, r + 9, 6);
    out->rsdt = rd32(r + 16);
    out->length = RSDP_V1_LEN;
    if (out->revision < 2) /* ACPI 1.0 RSDP: revision 0, 20 bytes */
        return ACPI_OK;

    if (avail < RSDP_V2_LEN) {
        fmt_msg(msg, msg_len, "RSDP revision %u needs 36 bytes, only %lu available", out->revision,
                (unsigned long)avail);
        return ACPI_ERR_RSDP_LENGTH;
    }
    uint32_t length = rd32(r + 20);
    if (length < RSDP_V2_LEN || length > avail) {
        fmt_msg(msg, msg_len, "RSDP revision %u: length %u, needs 36..%lu", out->revision, length,
                (unsigned long)avail);
        return ACPI_ERR_RSDP_LENGTH;
    }
    sum = acpi_sum(r, length);
    if (sum != 0) {
        fmt_msg(msg, msg_len, "RSDP extended checksum bad: sum 0x%x over %u bytes, expected 0", sum,
                length);
        return ACPI_ERR_RSDP_EXT_CHECKSUM;
    }
    out->length = length;
    out->xsdt = rd64(r + 24);
    return ACPI_OK;
}

/* Map a candidate RSDP as far as its revision says it extends, and validate it. */
int acpi_rsdp_at(const struct acpi_mem *mem, uint64_t phys, struct acpi_rsdp *out, char *msg,
                 size_t msg_len)
{
    const uint8_t *r = acpi_map(mem, phys, RSDP_V1_LEN);
    size_t n = RSDP_V1_LEN;

    if (r != NULL && r[15] >= 2) {
        r = acpi_map(mem, phys, RSDP_V2_LEN);
        if (r != NULL && rd32(r + 20) > RSDP_V2_LEN) {
            n = rd32(r + 20);
            r = acpi_map(mem, phys, n);
        } else {
            n = RSDP_V2_LEN;
        }
    }
    if (r == NULL) {
        fmt_msg(msg, msg_len, "cannot map RSDP at 0x%lx (%lu bytes)", (unsigned long)phys,
                (unsigned long)n);
        return ACPI_ERR_UNMAPPED;
    }
    int rc = acpi_rsdp_parse(r, n, out, msg, msg_len);
    out->phys = phys;
    return rc;
}

int acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t start, uint64_t end, struct acpi_rsdp *out,
                   char *msg, size_t msg_len)
{
    uint32_t bad = 0;

    fmt_msg(msg, msg_len, "%s", "");
    if (mem == NULL || mem->map == NULL || out == NULL || end < start) {
        fmt_msg(msg, msg_len, "bad arguments to RSDP scan");
        return ACPI_ERR_BAD_ARG;
    }
    start = (start + RSDP_ALIGN - 1) & ~(uint64_t)(RSDP_ALIGN - 1);
    if (end > start && end - start >= RSDP_V1_LEN) {
        const uint8_t *base = acpi_map(mem, start, end - start);
        if (base == NULL) {
            fmt_msg(msg, msg_len, "cannot map RSDP scan range 0x%lx-0x%lx", (unsigned long)start,
                    (unsigned long)end);
            return ACPI_ERR_UNMAPPED;
        }
        /* ACPI 6.4 5.2.5.1: signature and checksum match, on 16-byte boundaries */
        for (uint64_t off = 0; off + RSDP_V1_LEN <= end - start; off += RSDP_ALIGN) {
            if (memcmp(base + off, "RSD PTR ", 8) != 0)
                continue;
            if (acpi_sum(base + off, RSDP_V1_LEN) != 0) {
                bad++;
                continue;
            }
            return acpi_rsdp_at(mem, start + off, out, msg, msg_len);
        }
    }
    fmt_msg(msg, msg_len, "no RSDP in 0x%lx-0x%lx (%u signature(s) with bad checksum)",
            (unsigned long)start, (unsigned long)end, bad);
    return ACPI_ERR_RSDP_NOT_FOUND;
}

int acpi_rsdp_find_bios(const struct acpi_mem *mem, struct acpi_rsdp *out, char *msg,
                        size_t msg_len)
{
    int rc = ACPI_ERR_RSDP_NOT_FOUND;

    if (mem == NULL || mem->map == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "bad arguments to RSDP search");
        return ACPI_ERR_BAD_ARG;
    }
    /* ACPI 6.4 5.2.5.1: the EBDA segment is the word at 40:0Eh; search its first KiB */
    const uint8_t *bda = acpi_map(mem, ACPI_BDA_EBDA_SEG, 2);
    uint64_t ebda = bda != NULL ? (uint64_t)rd16(bda) << 4 : 0;
    if (ebda != 0) {
        rc = acpi_rsdp_scan(mem, ebda, ebda + ACPI_EBDA_SCAN_LEN, out, msg, msg_len);
        if (rc != ACPI_ERR_RSDP_NOT_FOUND && rc != ACPI_ERR_UNMAPPED)
            return rc;
    }
    rc = acpi_rsdp_scan(mem, ACPI_BIOS_ROM_START, ACPI_BIOS_ROM_END, out, msg, msg_len);
    if (rc == ACPI_ERR_RSDP_NOT_FOUND)
        fmt_msg(msg, msg_len, "no RSDP in EBDA (0x%lx) or 0xe0000-0xfffff", (unsigned long)ebda);
    return rc;
}

/* ---- tables ---- */

int acpi_table_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
                   const uint8_t **table, uint32_t *len, char *msg, size_t msg_len)
{
    char nbuf[5];

    fmt_msg(msg, msg_len, "%s", "");
    if (mem == NULL || mem->map == NULL || table == NULL || len == NULL) {
        fmt_msg(msg, msg_len, "bad arguments to table map");
        return ACPI_ERR_BAD_ARG;
    }
    const uint8_t *h = acpi_map(mem, phys, ACPI_HDR_LEN);
    const char *want = sig != NULL ? acpi_name((const uint8_t *)sig, nbuf) : "table";
    if (h == NULL) {
        fmt_msg(msg, msg_len, "cannot map %s header at 0x%lx", want, (unsigned long)phys);
        return ACPI_ERR_UNMAPPED;
    }
    if (sig != NULL && memcmp(h, sig, 4) != 0) {
        char fbuf[5];
        fmt_msg(msg, msg_len, "expected %s at 0x%lx, found signature \"%s\"", want,
                (unsigned long)phys, acpi_name(h, fbuf));
        return ACPI_ERR_TABLE_SIGNATURE;
    }
    const char *name = acpi_name(h, nbuf);
    uint32_t n = rd32(h + 4);
    if (n < ACPI_HDR_LEN) {
        fmt_msg(msg, msg_len, "%s at 0x%lx: length %u is smaller than the 36-byte header", name,
                (unsigned long)phys, n);
        return ACPI_ERR_TABLE_LENGTH;
    }
    const uint8_t *t = acpi_map(mem, phys, n);
    if (t == NULL) {
        fmt_msg(msg, msg_len, "cannot map %s at 0x%lx (%u bytes)", name, (unsigned long)phys, n);
        return ACPI_ERR_UNMAPPED;
    }
    uint8_t sum = acpi_sum(t, n); /* ACPI 6.4 5.2.6: entire table sums to zero */
    if (sum != 0) {
        fmt_msg(msg, msg_len, "%s checksum bad: sum 0x%x, expected 0", name, sum);
        return ACPI_ERR_TABLE_CHECKSUM;
    }
    *table = t;
    *len = n;
    return ACPI_OK;
}

int acpi_tables_load(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
                     struct acpi_tables *out, char *msg, size_t msg_len)
{
    const uint8_t *root;
    uint32_t len;

    fmt_msg(msg, msg_len, "%s", "");
    if (rsdp == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL RSDP or output");
        return ACPI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    /* ACPI 6.4 5.2.5.3: use the XSDT when present (revision >= 2), else the RSDT */
    out->is_xsdt = rsdp->revision >= 2 && rsdp->xsdt != 0;
    out->root_phys = out->is_xsdt ? rsdp->xsdt : rsdp->rsdt;
    const char *rsig = out->is_xsdt ? "XSDT" : "RSDT";
    if (out->root_phys == 0) {
        fmt_msg(msg, msg_len, "RSDP revision %u gives no RSDT/XSDT address", rsdp->revision);
        return ACPI_ERR_NO_ROOT;
    }
    int rc = acpi_table_map(mem, out->root_phys, rsig, &root, &len, msg, msg_len);
    if (rc != ACPI_OK)
        return rc;

    uint32_t esize = out->is_xsdt ? 8 : 4; /* ACPI 6.4 5.2.7, 5.2.8 */
    uint32_t bytes = len - ACPI_HDR_LEN;
    if (bytes % esize != 0) {
        fmt_msg(msg, msg_len, "%s length %u: %u bytes of entries is not a multiple of %u", rsig,
                len, bytes, esize);
        return ACPI_ERR_TABLE_LENGTH;
    }
    for (uint32_t i = 0; i < bytes / esize; i++) {
        const uint8_t *e = root + ACPI_HDR_LEN + i * esize;
        uint64_t phys = out->is_xsdt ? rd64(e) : rd32(e);
        const uint8_t *t;
        uint32_t tlen;
        if (phys == 0)
            continue;
        if (out->count == ACPI_MAX_TABLES) {
            out->dropped++;
            continue;
        }
        rc = acpi_table_map(mem, phys, NULL, &t, &tlen, msg, msg_len);
        if (rc != ACPI_OK)
            return rc;
        out->phys[out->count] = phys;
        memcpy(out->sig[out->count], t, 4);
        out->sig[out->count][4] = '\0';
        out->count++;
    }
    return ACPI_OK;
}

uint64_t acpi_table_find(const struct acpi_tables *t, const char *sig)
{
    if (t == NULL || sig == NULL)
        return 0;
    for (uint32_t i = 0; i < t->count; i++)
        if (memcmp(t->sig[i], sig, 4) == 0)
            return t->phys[i];
    return 0;
}

/* ---- MADT: ACPI 6.4 5.2.12 ---- */

static void madt_add_cpu(struct acpi_madt *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
                         bool x2apic)
{
    bool enabled = (flags & 1u) != 0; /* 5.2.12.2 Local APIC Flags: Enabled */
    bool online = (flags & 2u) != 0;  /* Online Capable */

    if (!enabled && !online) { /* unusable: OSPM ignores the entry */
        m->cpus_unusable++;
        return;
    }
    for (uint32_t i = 0; i < m->cpu_count; i++)
        if (m->cpus[i].apic_id == apic_id)
            return; /* same CPU listed as both xAPIC and x2APIC */
    if (m->cpu_count == ACPI_MAX_CPUS) {
        m->overflow = true;
        m->dropped++;
        return;
    }
    struct acpi_cpu *c = &m->cpus[m->cpu_count++];
    c->apic_id = apic_id;
    c->uid = uid;
    c->enabled = enabled;
    c->online_capable = online && !enabled;
    c->x2apic = x2apic;
}

static void madt_entry(struct acpi_madt *m, const uint8_t *e)
{
    switch (e[0]) {
    case 0: /* 5.2.12.2 Processor Local APIC */
        madt_add_cpu(m, e[3], e[2], rd32(e + 4), false);
        break;
    case 1: /* 5.2.12.3 I/O APIC */
        if (m->ioapic_count == ACPI_MAX_IOAPICS) {
            m->overflow = true;
            m->dropped++;
            break;
        }
        m->ioapics[m->ioapic_count].id = e[2];
        m->ioapics[m->ioapic_count].address = rd32(e + 4);
        m->ioapics[m->ioapic_count].gsi_base = rd32(e + 8);
        m->ioapic_count++;
        break;
    case 2: /* 5.2.12.5 Interrupt Source Override */
        if (m->iso_count == ACPI_MAX_ISOS) {
            m->overflow = true;
            m->dropped++;
            break;
        }
        m->isos[m->iso_count].bus = e[2];
        m->isos[m->iso_count].source = e[3];
        m->isos[m->iso_count].gsi = rd32(e + 4);
        m->isos[m->iso_count].flags = rd16(e + 8);
        m->iso_count++;
        break;
    case 5: /* 5.2.12.8 Local APIC Address Override */
        m->lapic_address = rd64(e + 4);
        m->lapic_overridden = true;
        break;
    case 9: /* 5.2.12.12 Processor Local x2APIC */
        madt_add_cpu(m, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
        break;
    default: /* NMI sources, SAPIC, GIC...: not used here */
        break;
    }
}

/* Minimum entry length per type this parser decodes; 2 for the others. */
static uint8_t madt_min_len(uint8_t type)
{
    switch (type) {
    case 0:
        return 8;
    case 1:
        return 12;
    case 2:
        return 10;
    case 5:
        return 12;
    case 9:
        return 16;
    default:
        return 2;
    }
}

int acpi_madt_parse(const uint8_t *t, uint32_t len, struct acpi_madt *out, char *msg,
                    size_t msg_len)
{
    fmt_msg(msg, msg_len, "%s", "");
    if (t == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL MADT or output");
        return ACPI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len < ACPI_HDR_LEN || memcmp(t, "APIC", 4) != 0) {
        fmt_msg(msg, msg_len, "table passed as MADT does not have signature \"APIC\"");
        return ACPI_ERR_TABLE_SIGNATURE;
    }
    if (len < MADT_ENTRIES_OFF) {
        fmt_msg(msg, msg_len, "MADT length %u is shorter than its 44-byte fixed part", len);
        return ACPI_ERR_TABLE_SHORT;
    }
    out->lapic_address = rd32(t + 36);
    out->flags = rd32(t + 40);
    out->pcat_compat = (out->flags & 1u) != 0; /* 5.2.12 Multiple APIC Flags: PCAT_COMPAT */

    for (uint32_t off = MADT_ENTRIES_OFF; off < len;) {
        if (len - off < 2) {
            fmt_msg(msg, msg_len, "MADT entry at offset %u: 1 byte left, header needs 2", off);
            return ACPI_ERR_MADT_ENTRY_LENGTH;
        }
        uint8_t type = t[off], elen = t[off + 1];
        if (elen < 2 || elen > len - off) {
            fmt_msg(msg, msg_len, "MADT entry type %u at offset %u: length %u (table ends at %u)",
                    type, off, elen, len);
            return ACPI_ERR_MADT_ENTRY_LENGTH;
        }
        if (elen < madt_min_len(type)) {
            fmt_msg(msg, msg_len, "MADT entry type %u at offset %u: length %u, needs %u", type, off,
                    elen, madt_min_len(type));
            return ACPI_ERR_MADT_ENTRY_SHORT;
        }
        madt_entry(out, t + off);
        off += elen;
    }
    return ACPI_OK;
}

/* ---- FADT: ACPI 6.4 5.2.9 ---- */

#define FADT_FLAG_TMR_VAL_EXT   (1u << 8)  /* Table 5.10 */
#define FADT_FLAG_RESET_REG_SUP (1u << 10) /* Table 5.10 */

static void fadt_gas(const uint8_t *p, struct acpi_gas *g)
{
    g->space_id = p[0];
    g->bit_width = p[1];
    g->bit_offset = p[2];
    g->access_size = p[3];
    g->address = rd64(p + 4);
}

/* A port block: the 32-bit legacy field, replaced by the X_ field when the table has it and it
 * names a non-zero I/O-space address (the spec tells OSPM to ignore the legacy field then). */
static uint32_t fadt_port(const uint8_t *t, uint32_t len, uint32_t off, uint32_t x_off)
{
    struct acpi_gas g;

    if (len >= x_off + 12) {
        fadt_gas(t + x_off, &g);
        if (g.space_id == ACPI_GAS_IO && g.address != 0 && g.address <= 0xffff)
            return (uint32_t)g.address;
    }
    return rd32(t + off);
}

int acpi_fadt_parse(const uint8_t *t, uint32_t len, struct acpi_fadt *out, char *msg,
                    size_t msg_len)
{
    fmt_msg(msg, msg_len, "%s", "");
    if (t == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL FADT or output");
        return ACPI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len < ACPI_HDR_LEN || memcmp(t, "FACP", 4) != 0) {
        fmt_msg(msg, msg_len, "table passed as FADT does not have signature \"FACP\"");
        return ACPI_ERR_TABLE_SIGNATURE;
    }
    if (len < FADT_V1_LEN) {
        fmt_msg(msg, msg_len, "FADT length %u is shorter than the 116-byte ACPI 1.0 layout", len);
        return ACPI_ERR_TABLE_SHORT;
    }
    out->revision = t[8];
    out->length = len;
    out->dsdt = rd32(t + 40);
    if (len >= 148 && rd64(t + 140) != 0) /* X_DSDT */
        out->dsdt = rd64(t + 140);
    out->sci_int = rd16(t + 46);
    out->smi_cmd = rd32(t + 48);
    out->acpi_enable = t[52];
    out->acpi_disable = t[53];
    out->pm1a_evt = fadt_port(t, len, 56, 148);
    out->pm1b_evt = fadt_port(t, len, 60, 160);
    out->pm1a_cnt = fadt_port(t, len, 64, 172);
    out->pm1b_cnt = fadt_port(t, len, 68, 184);
    out->pm_tmr = fadt_port(t, len, 76, 208);
    out->pm_tmr_len = t[91];
    out->flags = rd32(t + 112);
    out->tmr_val_ext = (out->flags & FADT_FLAG_TMR_VAL_EXT) != 0;
    if ((out->flags & FADT_FLAG_RESET_REG_SUP) != 0 && len >= 129) {
        out->has_reset = true;
        fadt_gas(t + 116, &out->reset_reg);
        out->reset_value = t[128];
    }
    return ACPI_OK;
}

/* ---- \_S5 in the DSDT: ACPI 6.4 7.4.2, AML encoding 20.2 ---- */

#define AML_NAME_OP    0x08 /* 20.2.5.1 */
#define AML_PACKAGE_OP 0x12 /* 20.2.5.4 */
#define AML_ROOT_CHAR  0x5c /* 20.2.2 '\' */

/* One integer element of a package (20.2.3): ZeroOp, OneOp, OnesOp or a prefixed constant. */
static int aml_integer(const uint8_t *t, uint32_t *pos, uint32_t end, uint64_t *val)
{
    static const uint8_t widths[] = {[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8};
    uint8_t op = t[*pos];

    if (op == 0x00 || op == 0x01 || op == 0xff) {
        *val = op == 0xff ? ~0ull : op;
        (*pos)++;
        return ACPI_OK;
    }
    if (op >= sizeof(widths) || widths[op] == 0 || end - *pos - 1 < widths[op])
        return ACPI_ERR_S5_BAD;
    *val = 0;
    for (uint8_t i = 0; i < widths[op]; i++)
        *val |= (uint64_t)t[*pos + 1 + i] << (8 * i);
    *pos += 1u + widths[op];
    return ACPI_OK;
}

/* Decode the package whose PkgLength starts at `pos` (20.2.4). */
static int s5_package(const uint8_t *t, uint32_t len, uint32_t pos, struct acpi_s5 *out, char *msg,
                      size_t msg_len)
{
    uint8_t lead = t[pos];
    uint32_t nbytes = lead >> 6;
    uint32_t pkglen = nbytes == 0 ? (lead & 0x3fu) : (lead & 0x0fu);

    if (len - pos < 1 + nbytes + 1) {
        fmt_msg(msg, msg_len, "_S5_ package at DSDT offset %u is cut off by the table end", pos);
        return ACPI_ERR_S5_BAD;
    }
    for (uint32_t i = 0; i < nbytes; i++)
        pkglen |= (uint32_t)t[pos + 1 + i] << (4 + 8 * i);
    if (pkglen < 1 + nbytes + 1 || pkglen > len - pos) {
        fmt_msg(msg, msg_len, "_S5_ package at DSDT offset %u: length %u does not fit (%u left)",
                pos, pkglen, len - pos);
        return ACPI_ERR_S5_BAD;
    }
    uint32_t end = pos + pkglen;
    uint32_t p = pos + 1 + nbytes;
    uint8_t count = t[p++];
    if (count < 2) {
        fmt_msg(msg, msg_len, "_S5_ package has %u element(s), needs SLP_TYPa and SLP_TYPb", count);
        return ACPI_ERR_S5_BAD;
    }
    uint64_t v[2];
    for (int i = 0; i < 2; i++) {
        if (p >= end || aml_integer(t, &p, end, &v[i]) != ACPI_OK) {
            fmt_msg(msg, msg_len, "_S5_ element %d at DSDT offset %u: not an integer constant%s", i,
                    p, p >= end ? " (package ends)" : "");
            return ACPI_ERR_S5_BAD;
        }
        if (v[i] > 7) { /* SLP_TYPx is a 3-bit field of PM1x_CNT */
            fmt_msg(msg, msg_len, "_S5_ SLP_TYP%s value 0x%lx does not fit 3 bits",
                    i == 0 ? "a" : "b", (unsigned long)v[i]);
            return ACPI_ERR_S5_BAD;
        }
    }
    out->slp_typa = (uint8_t)v[0];
    out->slp_typb = (uint8_t)v[1];
    return ACPI_OK;
}

int acpi_s5_parse(const uint8_t *t, uint32_t len, struct acpi_s5 *out, char *msg, size_t msg_len)
{
    uint32_t seen = 0;

    fmt_msg(msg, msg_len, "%s", "");
    if (t == NULL || out == NULL) {
        fmt_msg(msg, msg_len, "NULL DSDT or output");
        return ACPI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len < ACPI_HDR_LEN) {
        fmt_msg(msg, msg_len, "DSDT length %u is shorter than its header", len);
        return ACPI_ERR_TABLE_SHORT;
    }
    /* DefName := NameOp NameString DataRefObject; the name may carry a root prefix '\' */
    for (uint32_t i = ACPI_HDR_LEN; i + 5 <= len; i++) {
        if (memcmp(t + i, "_S5_", 4) != 0)
            continue;
        seen++;
        bool named = t[i - 1] == AML_NAME_OP || (t[i - 1] == AML_ROOT_CHAR &&
                                                 i >= ACPI_HDR_LEN + 2 && t[i - 2] == AML_NAME_OP);
        if (named && t[i + 4] == AML_PACKAGE_OP) {
            if (i + 5 == len) {
                fmt_msg(msg, msg_len, "_S5_ package at DSDT offset %u is cut off", i);
                return ACPI_ERR_S5_BAD;
            }
            return s5_package(t, len, i + 5, out, msg, msg_len);
        }
    }
    if (seen == 0)
        fmt_msg(msg, msg_len, "no _S5_ object in %u bytes of DSDT", len);
    else
        fmt_msg(msg, msg_len, "_S5_ appears %u time(s) in DSDT but never as Name(_S5_, Package)",
                seen);
    return ACPI_ERR_S5_NOT_FOUND;
}

/* ---- convenience readers ---- */

static int acpi_read_table(const struct acpi_mem *mem, const struct acpi_tables *t, const char *sig,
                           const uint8_t **table, uint32_t *len, char *msg, size_t msg_len)
{
    if (t == NULL) {
        fmt_msg(msg, msg_len, "NULL table list");
        return ACPI_ERR_BAD_ARG;
    }
    uint64_t phys = acpi_table_find(t, sig);
    if (phys == 0) {
        char nbuf[5];
        fmt_msg(msg, msg_len, "no %s (\"%s\") among the %u tables of the %s",
                acpi_name((const uint8_t *)sig, nbuf), sig, t->count, t->is_xsdt ? "XSDT" : "RSDT");
        return ACPI_ERR_TABLE_NOT_FOUND;
    }
    return acpi_table_map(mem, phys, sig, table, len, msg, msg_len);
}

int acpi_madt_read(const struct acpi_mem *mem, const struct acpi_tables *t, struct acpi_madt *out,
                   char *msg, size_t msg_len)
{
    const uint8_t *table;
    uint32_t len;

    int rc = acpi_read_table(mem, t, "APIC", &table, &len, msg, msg_len);
    return rc != ACPI_OK ? rc : acpi_madt_parse(table, len, out, msg, msg_len);
}

int acpi_fadt_read(const struct acpi_mem *mem, const struct acpi_tables *t, struct acpi_fadt *out,
                   char *msg, size_t msg_len)
{
    const uint8_t *table;
    uint32_t len;

    int rc = acpi_read_table(mem, t, "FACP", &table, &len, msg, msg_len);
    return rc != ACPI_OK ? rc : acpi_fadt_parse(table, len, out, msg, msg_len);
}

int acpi_s5_read(const struct acpi_mem *mem, const struct acpi_fadt *fadt, struct acpi_s5 *out,
                 char *msg, size_t msg_len)
{
    const uint8_t *table;
    uint32_t len;

    if (fadt == NULL) {
        fmt_msg(msg, msg_len, "NULL FADT");
        return ACPI_ERR_BAD_ARG;
    }
    if (fadt->dsdt == 0) {
        fmt_msg(msg, msg_len, "FADT gives no DSDT address");
        return ACPI_ERR_TABLE_NOT_FOUND;
    }
    int rc = acpi_table_map(mem, fadt->dsdt, "DSDT", &table, &len, msg, msg_len);
    return rc != ACPI_OK ? rc : acpi_s5_parse(table, len, out, msg, msg_len);
}
