/*
 * vm/loader.h - guest image loaders (book 6.3-6.4): a raw binary started in real mode (the
 * book's GuestBoot), and Multiboot (0.6.96) and Multiboot2 (2.0) kernels, ELF or with load
 * addresses in their header, started in 32-bit protected mode with a boot information
 * structure and modules in guest RAM. Pure.
 *
 * Every loader validates the whole image and plans every write before it writes anything:
 * on error guest RAM is untouched, the return value is a negative loader_error or elf_error
 * (vm/elf.h) and err (if non-NULL) says what is wrong, where, and against which limit.
 */
#ifndef VM_LOADER_H
#define VM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOADER_MB1_HEADER_MAGIC 0x1BADB002u /* Multiboot 3.1.2 */
#define LOADER_MB1_BOOT_MAGIC   0x2BADB002u /* Multiboot 3.2: EAX at entry */
#define LOADER_MB2_HEADER_MAGIC 0xE85250D6u /* Multiboot2 3.1.2 */
#define LOADER_MB2_BOOT_MAGIC   0x36d76289u /* Multiboot2 3.3: EAX at entry */
#define LOADER_MB1_SEARCH       8192u       /* Multiboot 3.1.1: header in the first 8 KiB */
#define LOADER_MB2_SEARCH       32768u      /* Multiboot2 3.1.1: header in the first 32 KiB */

#define LOADER_DEFAULT      UINT64_MAX /* entry_gpa / stack_top: use the default */
#define LOADER_MAX_SEGMENTS 16         /* PT_LOAD segments a kernel may have */
#define LOADER_MAX_MODULES  64
#define LOADER_NAME         "Vanderpool" /* boot_loader_name */
#define LOADER_PAGE         4096u

/* The guest-physical memory map the Multiboot loaders report (and load into). */
#define LOADER_LOW_END       0x9FC00ull  /* [0, 0x9FC00) available: 639 KiB */
#define LOADER_HIGH_BASE     0x100000ull /* [0x9FC00, 1 MiB) reserved; [1 MiB, size) available */
#define LOADER_REAL_MODE_TOP 0x100000ull /* a raw image must end at or below 1 MiB */

/* Suggested flat-segment selectors for the protected-mode start (Multiboot 3.2: the
 * selector values are undefined; the VMM loads base 0, limit 0xFFFFFFFF itself). */
#define LOADER_FLAT_CS 0x08
#define LOADER_FLAT_DS 0x10
#define LOADER_CR0_PE  0x1u
#define LOADER_EFLAGS  0x2u /* bit 1 is always 1; IF = 0, VM = 0 (Multiboot 3.2) */

enum loader_kind {
    LOAD_RAW_REAL_MODE = 0,
    LOAD_MULTIBOOT1 = 1,
    LOAD_MULTIBOOT2 = 2,
};

enum loader_error {
    LOADER_OK = 0,
    LOADER_ERR_BAD_ARG = -1,          /* NULL pointer, too many modules */
    LOADER_ERR_EMPTY = -2,            /* image of 0 bytes */
    LOADER_ERR_NO_HEADER = -3,        /* no header magic in the search area */
    LOADER_ERR_HEADER_TOO_FAR = -4,   /* header not completely in the first 8 / 32 KiB */
    LOADER_ERR_CHECKSUM = -5,         /* header fields do not sum to 0 */
    LOADER_ERR_HEADER_TRUNCATED = -6, /* header runs past the end of the image */
    LOADER_ERR_FLAGS = -7,            /* Multiboot flag bits 0-15 the loader cannot satisfy */
    LOADER_ERR_ARCH = -8,             /* Multiboot2 architecture is not 0 (i386) */
    LOADER_ERR_HEADER_LENGTH = -9,    /* Multiboot2 header_length too small */
    LOADER_ERR_TAG = -10,             /* malformed Multiboot2 header tag, or no end tag */
    LOADER_ERR_TAG_UNSUPPORTED = -11, /* required tag the loader cannot honour */
    LOADER_ERR_INFO_REQUEST = -12,    /* required boot information the loader does not give */
    LOADER_ERR_ADDR = -13,            /* load addresses of a.out kludge / address tag */
    LOADER_ERR_FILE_RANGE = -14,      /* a.out kludge / address tag: bytes outside the file */
    LOADER_ERR_ENTRY = -15,           /* entry point outside the image / every segment */
    LOADER_ERR_NOT_RAM = -16,         /* a target range is not guest RAM */
    LOADER_ERR_RESERVED = -17,        /* a target range overlaps a reserved range */
    LOADER_ERR_REAL_MODE = -18,       /* raw image ends past 1 MiB */
    LOADER_ERR_STACK = -19,           /* no usable real-mode stack */
    LOADER_ERR_NO_SPACE = -20,        /* boot information and modules do not fit in RAM */
};

/* Guest RAM: `size` bytes at GPA 0. ptr() gives the host address of [gpa, gpa + len), or
 * NULL if that is not RAM; the loaders ask for at most one 4 KiB page at a time. */
struct guest_ram {
    uint64_t size;
    uint8_t *(*ptr)(void *ctx, uint64_t gpa, uint64_t len);
    void *ctx;
};

/* A guest-physical range [base, end) the loaders must not write (e.g. [0, 0x1000): the
 * real-mode IVT and BIOS data area, where the VMM puts its own data). */
struct gpa_range {
    uint64_t base, end;
};

/* A boot module given to a Multiboot guest. */
struct load_module {
    const uint8_t *data;
    size_t len;
    const char *cmdline; /* NULL: empty string */
};

struct load_segment {
    uint64_t gpa;    /* first byte */
    uint64_t filesz; /* bytes copied from the image */
    uint64_t memsz;  /* bytes in memory; [gpa + filesz, gpa + memsz) zeroed (bss) */
};

/* The initial CPU state the VMM sets. Real mode: segment bases are selector << 4 and
 * limits 0xFFFF. Protected mode (Multiboot 3.2, Multiboot2 3.3): CS a 32-bit execute/read
 * code segment, DS ES FS GS SS 32-bit read/write data segments, all base 0 limit
 * 0xFFFFFFFF; CR0.PE = 1, CR0.PG = 0; EFLAGS.IF = 0, EFLAGS.VM = 0; A20 enabled. */
struct load_cpu {
    bool protected_mode;
    uint16_t cs, ds, ss; /* selectors; DS = ES = FS = GS */
    uint32_t cs_base;    /* real mode: cs << 4; protected mode: 0 */
    uint32_t ss_base;    /* real mode: ss << 4; protected mode: 0 */
    uint32_t eip;        /* IP (< 64 KiB) in real mode */
    uint32_t esp;        /* SP in real mode (0 stands for 0x10000); Multiboot: 0, the OS
                            sets its own stack */
    uint32_t eax, ebx;   /* Multiboot: boot magic, GPA of the boot information */
    uint32_t cr0, eflags;
};

struct load_result {
    int kind; /* enum loader_kind */
    struct load_cpu cpu;
    struct load_segment segs[LOADER_MAX_SEGMENTS];
    size_t nsegs;
    uint64_t image_end; /* end of the highest segment */
    uint64_t info_gpa;  /* Multiboot: boot information structure (= EBX); raw: 0 */
    uint64_t info_size;
    uint64_t boot_base; /* [boot_base, boot_end): boot information, strings and modules, */
    uint64_t boot_end;  /* page-aligned; empty for raw images */
    size_t nmods;
};

/* Which loader fits: LOAD_MULTIBOOT2 when the Multiboot2 magic is at an 8-aligned offset of
 * the first 32 KiB, else LOAD_MULTIBOOT1 when the Multiboot magic is at a 4-aligned offset
 * of the first 8 KiB, else LOAD_RAW_REAL_MODE. Only the magic is looked at: the loader then
 * reports what else is wrong with the header. */
int loader_detect(const uint8_t *img, size_t len);

/* The book's GuestBoot: copy a flat binary to load_gpa and start it in real mode at the
 * CS:IP of entry_gpa (LOADER_DEFAULT: load_gpa; CS = (entry >> 4) & 0xF000), with the stack
 * top at stack_top (LOADER_DEFAULT: load_gpa, just below the image). The image must end at
 * or below 1 MiB and the stack top be in (0, 1 MiB]. */
int loader_load_raw(const uint8_t *img, size_t len, uint64_t load_gpa, uint64_t entry_gpa,
                    uint64_t stack_top, const struct guest_ram *ram,
                    const struct gpa_range *reserved, size_t nreserved, struct load_result *res,
                    char *err, size_t errlen);

/* A Multiboot kernel (ELF32, ELF64, or the a.out kludge of flags bit 16) with its command
 * line and modules; the boot information (Multiboot 3.3) goes page-aligned above the kernel. */
int loader_load_multiboot1(const uint8_t *img, size_t len, const char *cmdline,
                           const struct load_module *mods, size_t nmods,
                           const struct guest_ram *ram, const struct gpa_range *reserved,
                           size_t nreserved, struct load_result *res, char *err, size_t errlen);

/* A Multiboot2 kernel (ELF32, ELF64, or an address tag); boot information per Multiboot2 3.6. */
int loader_load_multiboot2(const uint8_t *img, size_t len, const char *cmdline,
                           const struct load_module *mods, size_t nmods,
                           const struct guest_ram *ram, const struct gpa_range *reserved,
                           size_t nreserved, struct load_result *res, char *err, size_t errlen);

/* Human-readable text for a loader_error or elf_error value; name of a loader_kind. */
const char *loader_error_str(int err);
const char *loader_kind_name(int kind);

/* "entry 0x10000c", or in real mode the linear address with CS:IP: "entry 0x10000 (real mode
 * 1000:0000)". Returns snprintf's length. */
int loader_describe_entry(const struct load_cpu *c, char *buf, size_t size);

#endif
