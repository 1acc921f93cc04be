/* Multiboot2 boot-information parser (pure): validates the block GRUB hands over in EBX and
 * extracts what the hypervisor needs. Multiboot2 specification 2.0, section 3.6. */
#ifndef PLATFORM_MB2_H
#define PLATFORM_MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Multiboot2 3.3: value of EAX when a Multiboot2 loader enters the OS image */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Multiboot2 3.6: tag types this parser knows */
#define MB2_TAG_END         0
#define MB2_TAG_CMDLINE     1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE      3
#define MB2_TAG_MEMINFO     4
#define MB2_TAG_MMAP        6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_EFI32       11 /* 3.6.13: EFI 32-bit system table pointer */
#define MB2_TAG_EFI64       12 /* 3.6.14: EFI 64-bit system table pointer */
#define MB2_TAG_ACPI_OLD    14
#define MB2_TAG_ACPI_NEW    15
#define MB2_TAG_EFI_MMAP    17 /* 3.6.19: the firmware's own memory map */
#define MB2_TAG_EFI_BS      18 /* 3.6.20: EFI boot services not terminated */

/* Multiboot2 3.6.8: memory-map entry types */
#define MB2_MMAP_AVAILABLE 1
#define MB2_MMAP_ACPI      3
#define MB2_MMAP_NVS       4
#define MB2_MMAP_BADRAM    5

enum mb2_error {
    MB2_OK = 0,
    MB2_ERR_BAD_ARG = -1,          /* NULL info/out, or fewer than 8 readable bytes */
    MB2_ERR_BAD_MAGIC = -2,        /* EAX is not MB2_BOOTLOADER_MAGIC */
    MB2_ERR_MISALIGNED = -3,       /* info block not 8-byte aligned */
    MB2_ERR_TOTAL_TOO_SMALL = -4,  /* total_size < 8 */
    MB2_ERR_TOTAL_TOO_LARGE = -5,  /* total_size > readable bound */
    MB2_ERR_TAG_TOO_SMALL = -6,    /* tag size < 8 */
    MB2_ERR_TAG_OVERRUN = -7,      /* tag runs past total_size */
    MB2_ERR_TAG_PADDING = -8,      /* padding to the next 8-byte boundary runs past total_size */
    MB2_ERR_NO_END_TAG = -9,       /* tags end without an end tag */
    MB2_ERR_END_TAG_SIZE = -10,    /* end tag with size != 8 */
    MB2_ERR_END_NOT_LAST = -11,    /* end tag followed by more bytes inside total_size */
    MB2_ERR_TAG_SHORT = -12,       /* fixed-layout tag shorter than its layout */
    MB2_ERR_UNTERMINATED = -13,    /* string not NUL-terminated inside its tag */
    MB2_ERR_MMAP_ENTRY_SIZE = -14, /* entry_size < 24 or not a multiple of 8 */
    MB2_ERR_MMAP_VERSION = -15,    /* entry_version != 0 */
    MB2_ERR_MMAP_ENTRIES = -16,    /* entries do not exactly fill the tag */
    MB2_ERR_DUPLICATE_TAG = -17,   /* second cmdline/loader/meminfo/mmap/RSDP tag */
    MB2_ERR_MODULE_RANGE = -18,    /* module end < start */
    MB2_ERR_RSDP_SHORT = -19,      /* RSDP copy shorter than 20 (old) / 36 (new) bytes */
    MB2_ERR_NO_MMAP = -20,         /* neither a memory-map tag nor an EFI memory-map tag */
    MB2_ERR_EFI_DESC_SIZE = -21,   /* EFI memory map descriptor_size < 40 */
    MB2_ERR_EFI_ENTRIES = -22,     /* EFI descriptors do not exactly fill the tag */
    MB2_ERR_EFI_RANGE = -23,       /* EFI descriptor runs past 2^64 or is not page-aligned */
    MB2_ERR_LAST = MB2_ERR_EFI_RANGE,
};

struct mb2_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* MB2_MMAP_* */
};

struct mb2_module {
    uint32_t start;      /* physical address of the first byte */
    uint32_t end;        /* physical address past the last byte (as GRUB fills it) */
    const char *cmdline; /* points into the info block */
};

/* Caller-owned output. Set mmap/mmap_cap and modules/modules_cap before mb2_parse; every other
 * field is filled by the parser. Strings and the RSDP point into the info block. */
struct mb2_info {
    uint32_t total_size;
    const char *cmdline;     /* NULL if no tag */
    const char *loader_name; /* NULL if no tag */

    bool has_meminfo;
    uint32_t mem_lower_kb; /* Multiboot2 3.6.3 */
    uint32_t mem_upper_kb;

    struct mb2_mmap_entry *mmap; /* in: array; out: first mmap_count entries filled */
    size_t mmap_cap;
    size_t mmap_count; /* entries stored (<= mmap_cap) */
    size_t mmap_total; /* entries in the tag */
    bool mmap_overflow;

    struct mb2_module *modules;
    size_t modules_cap;
    size_t modules_count;
    size_t modules_total;
    bool modules_overflow;

    const void *rsdp;     /* copy of the ACPI RSDP: new tag if present, else old; NULL if none */
    size_t rsdp_len;      /* bytes of the copy */
    bool rsdp_is_new;     /* came from tag 15 */
    const void *rsdp_old; /* the old tag's copy (tag 14) even when tag 15 exists; NULL if none */
    size_t rsdp_old_len;

    /* UEFI firmware (Multiboot2 3.6.13-3.6.20). GRUB-EFI gives the system table pointer and the
     * EFI memory map besides the memory-map tag, which it derives from the same map. */
    uint64_t efi_systab;     /* physical address of the EFI system table; 0 if no tag 11/12 */
    bool efi_systab_is_64;   /* from tag 12 (a 64-bit table), else tag 11 */
    bool has_efi_mmap;       /* tag 17 seen and valid */
    const void *efi_mmap;    /* that tag (for mb2_efi_mmap_convert), NULL if none */
    uint32_t efi_mmap_size;  /* its size field */
    uint32_t efi_desc_count; /* descriptors in tag 17 */
    uint32_t efi_desc_size;  /* its descriptor_size */
    uint32_t efi_desc_version;
    bool efi_boot_services; /* tag 18: ExitBootServices was not called */
    bool mmap_from_efi;     /* no tag 6: mmap[] was converted from the EFI memory map */
    bool has_framebuffer;   /* tag 8 seen (not decoded) */
    uint32_t unknown_tags;  /* tags skipped because their type is not interpreted */
};

/* 0 if eax holds the Multiboot2 magic, else MB2_ERR_BAD_MAGIC. */
int mb2_check_magic(uint32_t eax);

/* Validate the info block at `info` (readable for `avail` bytes) and fill `out`.
 * Returns 0 or a negative mb2_error; on error `msg` (if non-NULL) names the tag/offset/size. */
int mb2_parse(const void *info, size_t avail, struct mb2_info *out, char *msg, size_t msg_len);

/* Human-readable text for an mb2_error value. */
const char *mb2_error_str(int err);

/* Did UEFI firmware boot us? (an EFI system table, EFI memory map or boot-services tag) */
bool mb2_booted_by_efi(const struct mb2_info *mb);

#endif
