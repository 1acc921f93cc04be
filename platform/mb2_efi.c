/* The Multiboot2 EFI memory-map tag: checks every descriptor against the tag's bounds and the
 * UEFI rules, and converts the map into memory-map entries. Pure code. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "platform/mb2_efi.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

#define MB2_EFI_MMAP_HDR 16u /* type, size, descriptor_size, descriptor_version: 3.6.19 */
#define EFI_PAGE_MASK    ((1ull << EFI_PAGE_SHIFT) - 1)

uint32_t mb2_efi_mmap_type(uint32_t efi_type)
{
    /* UEFI 2.10 7.2.1, table "Memory Type Usage after ExitBootServices()": loader and boot
     * services memory is free once boot services have ended; runtime services memory must be
     * preserved; ACPI reclaim memory holds the tables until they are read. */
    switch (efi_type) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BOOT_SERVICES_CODE:
    case EFI_BOOT_SERVICES_DATA:
    case EFI_CONVENTIONAL_MEMORY:
        return MB2_MMAP_AVAILABLE;
    case EFI_ACPI_RECLAIM_MEMORY:
        return MB2_MMAP_ACPI;
    case EFI_ACPI_MEMORY_NVS:
        return MB2_MMAP_NVS;
    case EFI_UNUSABLE_MEMORY:
        return MB2_MMAP_BADRAM;
    default:
        /* reserved, runtime services, MMIO, PAL code, persistent, unaccepted, unknown types;
         * Multiboot2 3.6.8: any type other than 1, 3, 4, 5 is a reserved area */
        return 2;
    }
}

int mb2_efi_mmap_check(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                       char *msg, size_t msg_len)
{
    if (size < MB2_EFI_MMAP_HDR) {
        fmt_msg(msg, msg_len, "EFI memory map tag at offset %u: size %u, needs at least %u", off,
                size, MB2_EFI_MMAP_HDR);
        return MB2_ERR_TAG_SHORT;
    }
    uint32_t dsize = rd32(tag + 8);
    if (dsize < EFI_MEMORY_DESCRIPTOR_SIZE) {
        fmt_msg(msg, msg_len,
                "EFI memory map tag at offset %u: descriptor_size %u, an EFI memory descriptor "
                "has %u bytes",
                off, dsize, EFI_MEMORY_DESCRIPTOR_SIZE);
        return MB2_ERR_EFI_DESC_SIZE;
    }
    uint32_t bytes = size - MB2_EFI_MMAP_HDR;
    if (bytes % dsize != 0) {
        fmt_msg(msg, msg_len,
                "EFI memory map tag at offset %u: %u bytes of descriptors is not a multiple of "
                "descriptor_size %u",
                off, bytes, dsize);
        return MB2_ERR_EFI_ENTRIES;
    }
    uint32_t n = bytes / dsize;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *d = tag + MB2_EFI_MMAP_HDR + (size_t)i * dsize;
        uint64_t start = rd64(d + 8), pages = rd64(d + 24);
        /* UEFI 2.10 7.2.3: PhysicalStart is 4 KiB aligned, and no page starts above
         * 0xfffffffffffff000; here the end must also fit in 64 bits (the last page is refused) */
        if ((start & EFI_PAGE_MASK) != 0) {
            fmt_msg(msg, msg_len,
                    "EFI memory map tag at offset %u: descriptor %u starts at 0x%lx, not on a "
                    "4 KiB boundary",
                    off, i, (unsigned long)start);
            return MB2_ERR_EFI_RANGE;
        }
        if (pages > (UINT64_MAX - start) >> EFI_PAGE_SHIFT) {
            fmt_msg(msg, msg_len,
                    "EFI memory map tag at offset %u: descriptor %u (0x%lx, %lu pages) runs past "
                    "the end of the address space",
                    off, i, (unsigned long)start, (unsigned long)pages);
            return MB2_ERR_EFI_RANGE;
        }
    }
    out->efi_desc_count = n;
    out->efi_desc_size = dsize;
    out->efi_desc_version = rd32(tag + 12);
    out->has_efi_mmap = true;
    return MB2_OK;
}

static void mb2_efi_store(struct mb2_info *out, const struct mb2_mmap_entry *e)
{
    out->mmap_total++;
    if (out->mmap == NULL || out->mmap_count == out->mmap_cap) {
        out->mmap_overflow = true;
        return;
    }
    out->mmap[out->mmap_count++] = *e;
}

void mb2_efi_mmap_convert(const void *efi_tag, uint32_t size, struct mb2_info *out)
{
    const uint8_t *tag = efi_tag;
    uint32_t dsize = rd32(tag + 8);
    uint32_t n = (size - MB2_EFI_MMAP_HDR) / dsize;
    struct mb2_mmap_entry run = {0};
    bool have = false;

    out->mmap_count = 0;
    out->mmap_total = 0;
    out->mmap_overflow = false;
    out->mmap_from_efi = true;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *d = tag + MB2_EFI_MMAP_HDR + (size_t)i * dsize;
        uint64_t start = rd64(d + 8), pages = rd64(d + 24);
        uint32_t type = mb2_efi_mmap_type(rd32(d));
        if (pages == 0)
            continue;
        uint64_t length = pages << EFI_PAGE_SHIFT;
        if (have && run.type == type && run.base + run.length == start) {
            run.length += length;
            continue;
        }
        if (have)
            mb2_efi_store(out, &run);
        run = (struct mb2_mmap_entry){.base = start, .length = length, .type = type};
        have = true;
    }
    if (have)
        mb2_efi_store(out, &run);
}
