/*
 * vm/loader.h - guest image loaders (book 6.3-6.4): a raw binary started in real mode (the
 * book's GuestBoot), Multiboot (0.6.96) and Multiboot2 (2.0) kernels, ELF or with load
 * addresses in their header, started in 32-bit protected mode with a boot information
 * structure and modules in guest RAM, and Linux bzImage kernels (the Linux/x86 boot protocol,
 * Documentation/arch/x86/boot.rst) started at their 64-bit (or 32-bit) entry with boot_params,
 * a command line, an initrd and ACPI tables. Pure.
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

/* Linux/x86 boot protocol (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header") */
#define LOADER_LINUX_MAGIC        0x53726448u /* "HdrS" at offset 0x202 */
#define LOADER_LINUX_MAGIC_OFF    0x202u
#define LOADER_LINUX_BOOT_CS      0x10 /* __BOOT_CS: boot.rst "64-bit Boot Protocol" */
#define LOADER_LINUX_BOOT_DS      0x18 /* __BOOT_DS */
#define LOADER_LINUX_MAX_RESERVED 16   /* reserved ranges the Linux loader takes (e820 size) */

/* The local APIC and I/O APIC pages of the guest: reserved in the Linux e820 map, and the RAM
 * the map reports ends below them (vm/acpi_build.h describes the same addresses). */
#define LOADER_IOAPIC_BASE 0xFEC00000ull /* 82093AA IOAPIC datasheet 3.0: default base */
#define LOADER_LAPIC_BASE  0xFEE00000ull /* SDM vol. 3A 11.4.1: default local APIC base */
#define LOADER_MMIO_BASE   LOADER_IOAPIC_BASE

/* Control register and EFER bits of the long-mode start (SDM vol. 3A 2.5, 2.2.1). */
#define LOADER_CR0_ET   0x10u
#define LOADER_CR0_PG   0x80000000u
#define LOADER_CR4_PAE  0x20u
#define LOADER_EFER_LME 0x100u
#define LOADER_EFER_LMA 0x400u

enum loader_kind {
    LOAD_RAW_REAL_MODE = 0,
    LOAD_MULTIBOOT1 = 1,
    LOAD_MULTIBOOT2 = 2,
    LOAD_LINUX = 3,
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
    LOADER_ERR_SETUP_HEADER = -21,    /* Linux: boot_flag, "HdrS", jump or setup_sects bad */
    LOADER_ERR_PROTOCOL = -22,        /* Linux: protocol version or flags the loader needs */
    LOADER_ERR_KERNEL_SIZE = -23,     /* Linux: image shorter than syssize, init_size small */
    LOADER_ERR_CMDLINE = -24,         /* Linux: command line longer than cmdline_size */
    LOADER_ERR_INITRD = -25,          /* Linux: initrd empty, or no room below its limit */
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
 * 0xFFFFFFFF; CR0.PE = 1, CR0.PG = 0; EFLAGS.IF = 0, EFLAGS.VM = 0; A20 enabled.
 *
 * Linux (boot.rst "64-bit Boot Protocol"), long_mode: 64-bit mode (IA-32e, CS.L = 1),
 * CR0 = PG | ET | PE, CR4 = PAE, EFER = LME | LMA, CR3 the identity-mapping page tables the
 * loader wrote (the first 4 GiB in 2 MiB pages), GDTR the GDT it wrote, CS = __BOOT_CS (0x10,
 * a 64-bit code descriptor in that GDT), DS = ES = FS = GS = SS = __BOOT_DS (0x18, flat
 * read/write data), IDTR limit 0, EFLAGS = 0x2, RIP the load address + 0x200, RSI the GPA of
 * boot_params, every other general register 0. TR and LDTR are the VMM's to set (the kernel
 * loads its own). With the 32-bit entry ("32-bit Boot Protocol"): protected_mode only, CR0 =
 * PE | ET, paging off, the same selectors (0x10 a 32-bit code descriptor), EIP the load
 * address, ESI boot_params; EBP, EDI, EBX 0. */
struct load_cpu {
    bool protected_mode; /* also set with long_mode */
    uint16_t cs, ds, ss; /* selectors; DS = ES = FS = GS */
    uint32_t cs_base;    /* real mode: cs << 4; protected mode: 0 */
    uint32_t ss_base;    /* real mode: ss << 4; protected mode: 0 */
    uint32_t eip;        /* IP (< 64 KiB) in real mode; the low half of rip in long mode */
    uint32_t esp;        /* SP in real mode (0 stands for 0x10000); Multiboot and Linux: 0,
                            the OS sets its own stack */
    uint32_t eax, ebx;   /* Multiboot: boot magic, GPA of the boot information */
    uint32_t cr0, eflags;
    /* Linux only (0 in the other modes): */
    bool long_mode;     /* start in 64-bit mode with the fields below */
    uint64_t rip;       /* the entry point (= eip, which keeps its low 32 bits) */
    uint64_t rsi;       /* GPA of boot_params (the "zero page"), both entries */
    uint64_t cr3;       /* long mode: GPA of the PML4 */
    uint32_t cr4;       /* long mode: PAE */
    uint64_t efer;      /* long mode: LME | LMA */
    uint64_t gdt_base;  /* GPA of the GDT the loader wrote (both entries) */
    uint16_t gdt_limit; /* its limit (bytes - 1) */
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
    /* Linux: segs[0] is the protected-mode kernel, image_end the end of the init_size bytes it
     * needs from its load address; info_gpa boot_params; [boot_base, boot_end) boot_params,
     * GDT, page tables and command line. */
    uint64_t cmdline_gpa;
    uint64_t initrd_gpa, initrd_size; /* 0, 0: no initrd */
    uint64_t acpi_gpa, acpi_size;     /* the ACPI tables copied in; 0, 0: none */
};

/* Which loader fits: LOAD_LINUX when "HdrS" is at offset 0x202, else LOAD_MULTIBOOT2 when
 * the Multiboot2 magic is at an 8-aligned offset of the first 32 KiB, else LOAD_MULTIBOOT1
 * when the Multiboot magic is at a 4-aligned offset of the first 8 KiB (or the file is ELF),
 * else LOAD_RAW_REAL_MODE. Only the magic is looked at: the loader then reports what else is
 * wrong with the header. */
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

/* What the Linux loader puts next to the kernel. */
struct load_linux_args {
    const char *cmdline;   /* NULL: empty */
    const uint8_t *initrd; /* NULL: no initrd (initrd_len must be 0 then) */
    size_t initrd_len;     /* 0 with a non-NULL initrd: refused as an empty initrd */
    const uint8_t *acpi;   /* ACPI tables built to lie at acpi_gpa (vm/acpi_build.h); NULL:
                              none */
    size_t acpi_len;
    uint64_t acpi_gpa; /* where they are copied (in RAM, may be in [0x9FC00, 1 MiB)) */
    uint64_t rsdp_gpa; /* boot_params.acpi_rsdp_addr; 0: not given (the kernel scans) */
    bool entry32;      /* start at the 32-bit entry (paging off) instead of the 64-bit one */
};

/* A Linux bzImage (boot protocol 2.06 or later; 2.12 with XLF_KERNEL_64 for the 64-bit entry).
 * The protected-mode kernel goes to pref_address when [pref_address, + init_size) is free RAM,
 * else (relocatable_kernel) to the lowest kernel_alignment-aligned address above 1 MiB with
 * room; boot_params, a GDT, identity page tables and the command line go low (from 4 KiB); the
 * initrd page-aligned as high as initrd_addr_max and the end of RAM allow, outside the kernel's
 * init_size; the ACPI tables at args->acpi_gpa. boot_params carries the setup header, the e820
 * map (RAM, the reserved ranges, the legacy area, the ACPI tables as ACPI data, the IOAPIC and
 * LAPIC pages), the command line, initrd and RSDP addresses. At most
 * LOADER_LINUX_MAX_RESERVED reserved ranges. */
int loader_load_linux(const uint8_t *img, size_t len, const struct load_linux_args *args,
                      const struct guest_ram *ram, const struct gpa_range *reserved,
                      size_t nreserved, struct load_result *res, char *err, size_t errlen);

/* The kernel_version string of a bzImage (boot.rst: kernel_version, 2.00+) into buf; returns
 * its length, or -1 when the image has none (or it does not end within the setup code). */
int loader_linux_version(const uint8_t *img, size_t len, char *buf, size_t size);

/* Human-readable text for a loader_error or elf_error value; name of a loader_kind. */
const char *loader_error_str(int err);
const char *loader_kind_name(int kind);

/* "entry 0x10000c", or in real mode the linear address with CS:IP: "entry 0x10000 (real mode
 * 1000:0000)". Returns snprintf's length. */
int loader_describe_entry(const struct load_cpu *c, char *buf, size_t size);

#endif
