/* The EFI memory map of Multiboot2 (tag 17, Multiboot2 3.6.19): validation and conversion into
 * the memory-map entries of tag 6 (pure). GRUB-EFI hands over both; a loader that gives only
 * the EFI map still gives the hypervisor a memory map through this conversion. */
#ifndef PLATFORM_MB2_EFI_H
#define PLATFORM_MB2_EFI_H

#include <stddef.h>
#include <stdint.h>
#include "platform/mb2.h"

/* UEFI 2.10 7.2.1 (EFI_MEMORY_TYPE) */
#define EFI_RESERVED_MEMORY_TYPE  0
#define EFI_LOADER_CODE           1
#define EFI_LOADER_DATA           2
#define EFI_BOOT_SERVICES_CODE    3
#define EFI_BOOT_SERVICES_DATA    4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY   7
#define EFI_UNUSABLE_MEMORY       8
#define EFI_ACPI_RECLAIM_MEMORY   9
#define EFI_ACPI_MEMORY_NVS       10
#define EFI_MEMORY_MAPPED_IO      11
#define EFI_MEMORY_MAPPED_IO_PORT 12
#define EFI_PAL_CODE              13
#define EFI_PERSISTENT_MEMORY     14
#define EFI_UNACCEPTED_MEMORY     15

/* UEFI 2.10 7.2.3 (EFI_MEMORY_DESCRIPTOR): Type u32, pad, PhysicalStart u64, VirtualStart u64,
 * NumberOfPages u64, Attribute u64; firmware may use a larger descriptor_size */
#define EFI_MEMORY_DESCRIPTOR_SIZE    40u
#define EFI_MEMORY_DESCRIPTOR_VERSION 1u
#define EFI_PAGE_SHIFT                12

/* The memory-map type (MB2_MMAP_*) that memory of an EFI type is after ExitBootServices. */
uint32_t mb2_efi_mmap_type(uint32_t efi_type);

/* Validate the EFI memory-map tag at `tag` (`size` bytes, at offset `off` of the block, for
 * messages); fill out->efi_desc_count/size/version. 0 or a negative mb2_error. */
int mb2_efi_mmap_check(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                       char *msg, size_t msg_len);

/* Convert a checked EFI memory-map tag (out->efi_mmap after mb2_parse) into out->mmap,
 * replacing what is there: one entry per run of adjacent descriptors of the same converted type,
 * empty descriptors skipped; fills mmap_count, mmap_total and mmap_overflow as a tag 6 would,
 * and sets mmap_from_efi. */
void mb2_efi_mmap_convert(const void *tag, uint32_t size, struct mb2_info *out);

#endif
