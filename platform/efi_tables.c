/* The EFI system table and configuration table: checks the signature and the header size,
 * copies out the firmware's name, and finds the ACPI RSDP by GUID. The CRC32 of the header is
 * not checked: firmware updates the table at run time (pointers, SetVirtualAddressMap). Pure. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform/efi_tables.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

/* UEFI 2.10 4.2.1 (EFI_TABLE_HEADER): Signature u64, Revision u32, HeaderSize u32, CRC32 u32,
 * Reserved u32. UEFI 2.10 4.3.1 (EFI_SYSTEM_TABLE): after the header FirmwareVendor (pointer),
 * FirmwareRevision (u32), three handle/protocol pairs, RuntimeServices, BootServices,
 * NumberOfTableEntries (UINTN) and ConfigurationTable (pointer); pointers and UINTN are 8 bytes
 * in the 64-bit table, 4 in the 32-bit one. */
#define EFI_HDR_SIZE 24u

struct efi_layout {
    uint32_t vendor, fw_revision, count, table, end; /* field offsets, end of ConfigurationTable */
    uint32_t ptr;                                    /* pointer and UINTN size */
};

static const struct efi_layout efi_layout64 = {24, 32, 104, 112, 120, 8};
static const struct efi_layout efi_layout32 = {24, 28, 64, 68, 72, 4};

/* UEFI 2.10 4.6.1: EFI_ACPI_20_TABLE_GUID and ACPI_TABLE_GUID, in their in-memory byte order
 * (Data1 u32, Data2 u16, Data3 u16 little-endian, then Data4[8]) */
static const uint8_t efi_acpi20_guid[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                            0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
static const uint8_t efi_acpi10_guid[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                            0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};

static const char *const efi_error_names[] = {
    [0] = "ok",
    [-EFI_ERR_BAD_ARG] = "bad argument",
    [-EFI_ERR_UNMAPPED] = "EFI table not mapped",
    [-EFI_ERR_SIGNATURE] = "EFI system table signature bad",
    [-EFI_ERR_HEADER_SIZE] = "EFI system table header size too small",
    [-EFI_ERR_TOO_MANY] = "EFI configuration table implausibly long",
    [-EFI_ERR_NO_ACPI] = "no ACPI entry in the EFI configuration table",
};

const char *efi_error_str(int err)
{
    if (err > 0 || -err >= (int)(sizeof(efi_error_names) / sizeof(efi_error_names[0])))
        return "unknown error";
    return efi_error_names[-err];
}

static uint64_t efi_rdptr(const uint8_t *p, uint32_t size)
{
    return size == 8 ? rd64(p) : rd32(p);
}

/* FirmwareVendor is a NUL-terminated UCS-2 string; keep its ASCII characters. */
static void efi_vendor(const struct acpi_mem *mem, uint64_t phys, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    if (phys == 0)
        return;
    const uint8_t *s = mem->map(mem->ctx, phys, 2 * (cap - 1));
    if (s == NULL)
        return;
    for (; n + 1 < cap; n++) {
        uint16_t c = rd16(s + 2 * n);
        if (c == 0)
            break;
        out[n] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[n] = '\0';
}

int efi_systab_read(const struct acpi_mem *mem, uint64_t phys, bool is_64, struct efi_systab *out,
                    char *msg, size_t msg_len)
{
    const struct efi_layout *l = is_64 ? &efi_layout64 : &efi_layout32;

    fmt_msg(msg, msg_len, "%s", "");
    if (mem == NULL || mem->map == NULL || out == NULL || phys == 0) {
        fmt_msg(msg, msg_len, "no EFI system table address or output");
        return EFI_ERR_BAD_ARG;
    }
    memset(out, 0, sizeof(*out));
    const uint8_t *h = mem->map(mem->ctx, phys, EFI_HDR_SIZE);
    if (h == NULL) {
        fmt_msg(msg, msg_len, "cannot map the EFI system table at 0x%lx", (unsigned long)phys);
        return EFI_ERR_UNMAPPED;
    }
    if (rd64(h) != EFI_SYSTEM_TABLE_SIGNATURE) {
        fmt_msg(msg, msg_len, "EFI system table at 0x%lx: signature 0x%016lx, expected 0x%016lx",
                (unsigned long)phys, (unsigned long)rd64(h),
                (unsigned long)EFI_SYSTEM_TABLE_SIGNATURE);
        return EFI_ERR_SIGNATURE;
    }
    uint32_t hsize = rd32(h + 12);
    if (hsize < l->end) {
        fmt_msg(msg, msg_len,
                "EFI system table at 0x%lx: HeaderSize %u, the %d-bit table has %u bytes",
                (unsigned long)phys, hsize, is_64 ? 64 : 32, l->end);
        return EFI_ERR_HEADER_SIZE;
    }
    const uint8_t *t = mem->map(mem->ctx, phys, l->end);
    if (t == NULL) {
        fmt_msg(msg, msg_len, "cannot map %u bytes of the EFI system table at 0x%lx", l->end,
                (unsigned long)phys);
        return EFI_ERR_UNMAPPED;
    }
    out->revision = rd32(t + 8);
    out->fw_revision = rd32(t + l->fw_revision);
    out->config_count = efi_rdptr(t + l->count, l->ptr);
    out->config_table = efi_rdptr(t + l->table, l->ptr);
    efi_vendor(mem, efi_rdptr(t + l->vendor, l->ptr), out->vendor, sizeof(out->vendor));
    return EFI_OK;
}

int efi_find_rsdp(const struct acpi_mem *mem, const struct efi_systab *st, bool is_64,
                  uint64_t *rsdp, bool *is_acpi20, char *msg, size_t msg_len)
{
    uint32_t esize = 16u + (is_64 ? 8u : 4u); /* UEFI 2.10 4.6.1: VendorGuid, VendorTable */
    uint64_t acpi10 = 0;

    fmt_msg(msg, msg_len, "%s", "");
    if (mem == NULL || mem->map == NULL || st == NULL || rsdp == NULL || is_acpi20 == NULL) {
        fmt_msg(msg, msg_len, "bad arguments to the EFI RSDP search");
        return EFI_ERR_BAD_ARG;
    }
    if (st->config_count > EFI_MAX_CONFIG_TABLES) {
        fmt_msg(msg, msg_len, "EFI configuration table: %lu entries (more than %u)",
                (unsigned long)st->config_count, EFI_MAX_CONFIG_TABLES);
        return EFI_ERR_TOO_MANY;
    }
    const uint8_t *t = NULL;
    if (st->config_count != 0)
        t = mem->map(mem->ctx, st->config_table, (size_t)st->config_count * esize);
    if (st->config_count != 0 && t == NULL) {
        fmt_msg(msg, msg_len, "cannot map the EFI configuration table at 0x%lx (%lu entries)",
                (unsigned long)st->config_table, (unsigned long)st->config_count);
        return EFI_ERR_UNMAPPED;
    }
    for (uint64_t i = 0; i < st->config_count; i++) {
        const uint8_t *e = t + i * esize;
        uint64_t p = is_64 ? rd64(e + 16) : rd32(e + 16);
        if (memcmp(e, efi_acpi20_guid, 16) == 0 && p != 0) {
            *rsdp = p;
            *is_acpi20 = true;
            return EFI_OK;
        }
        if (memcmp(e, efi_acpi10_guid, 16) == 0 && p != 0 && acpi10 == 0)
            acpi10 = p;
    }
    if (acpi10 != 0) {
        *rsdp = acpi10;
        *is_acpi20 = false;
        return EFI_OK;
    }
    fmt_msg(msg, msg_len, "none of the %lu EFI configuration table entries is ACPI 2.0 or 1.0",
            (unsigned long)st->config_count);
    return EFI_ERR_NO_ACPI;
}
