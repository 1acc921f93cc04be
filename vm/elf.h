/*
 * vm/elf.h - validation of ELF32 / ELF64 little-endian x86 executables for the guest
 * loaders (System V gABI: ELF header, program header table, PT_LOAD segments). Pure.
 *
 * elf_parse checks the whole file before anything is loaded: identification, class, data
 * encoding, version, machine (EM_386 or EM_X86_64), type ET_EXEC, the program header table
 * inside the file, and for every PT_LOAD its file range inside the file, p_filesz <= p_memsz,
 * an address range below the caller's limit and no overlap with another PT_LOAD.
 */
#ifndef VM_ELF_H
#define VM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* gABI ELF header and program header constants */
#define ELF_CLASS32   1 /* EI_CLASS: ELFCLASS32 */
#define ELF_CLASS64   2 /* EI_CLASS: ELFCLASS64 */
#define ELF_DATA_LSB  1 /* EI_DATA: ELFDATA2LSB */
#define ELF_EV_CUR    1 /* EV_CURRENT */
#define ELF_ET_EXEC   2
#define ELF_EM_386    3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD   1
#define ELF_PN_XNUM   0xffffu

#define ELF32_EHDR_SIZE 52u
#define ELF64_EHDR_SIZE 64u
#define ELF32_PHDR_SIZE 32u
#define ELF64_PHDR_SIZE 56u

/* Negative values, disjoint from enum loader_error (vm/loader.h): the loaders return them
 * unchanged. */
enum elf_error {
    ELF_OK = 0,
    ELF_ERR_BAD_ARG = -60,     /* NULL image or output */
    ELF_ERR_TRUNCATED = -61,   /* file shorter than its ELF header */
    ELF_ERR_MAGIC = -62,       /* e_ident does not start with 0x7f 'E' 'L' 'F' */
    ELF_ERR_CLASS = -63,       /* EI_CLASS neither ELFCLASS32 nor ELFCLASS64 */
    ELF_ERR_DATA = -64,        /* EI_DATA not ELFDATA2LSB (little-endian) */
    ELF_ERR_VERSION = -65,     /* EI_VERSION or e_version not EV_CURRENT */
    ELF_ERR_MACHINE = -66,     /* e_machine neither EM_386 nor EM_X86_64 */
    ELF_ERR_TYPE = -67,        /* e_type not ET_EXEC */
    ELF_ERR_PHDR_SIZE = -68,   /* e_phentsize too small, or e_phnum = PN_XNUM */
    ELF_ERR_PHDR_RANGE = -69,  /* program header table outside the file */
    ELF_ERR_NO_LOAD = -70,     /* no PT_LOAD segment with p_memsz > 0 */
    ELF_ERR_SEG_FILE = -71,    /* PT_LOAD file range outside the file */
    ELF_ERR_SEG_FILESZ = -72,  /* p_filesz > p_memsz */
    ELF_ERR_SEG_ADDR = -73,    /* load address + p_memsz wraps or passes the limit */
    ELF_ERR_SEG_OVERLAP = -74, /* two PT_LOAD segments overlap in memory */
    ELF_ERR_TOO_MANY = -75,    /* more PT_LOAD segments than the caller's array holds */
    ELF_ERR_ENTRY = -76,       /* e_entry inside no PT_LOAD segment */
};

struct elf_segment {
    uint64_t offset; /* p_offset */
    uint64_t vaddr;  /* p_vaddr */
    uint64_t paddr;  /* p_paddr */
    uint64_t lma;    /* where it loads: p_paddr, or p_vaddr when every p_paddr is 0 */
    uint64_t filesz; /* p_filesz: bytes copied from the file */
    uint64_t memsz;  /* p_memsz: bytes in memory, the rest zeroed */
    uint32_t flags;  /* p_flags */
    uint16_t index;  /* entry in the program header table */
};

struct elf_info {
    unsigned bits;      /* 32 or 64 */
    uint16_t machine;   /* ELF_EM_386 or ELF_EM_X86_64 */
    uint64_t entry;     /* e_entry as in the file */
    uint64_t phoff;     /* e_phoff */
    uint16_t phentsize; /* e_phentsize */
    uint16_t phnum;     /* e_phnum */
    bool lma_is_vaddr;  /* every p_paddr was 0 (unset): segments load at p_vaddr */
    size_t nsegs;       /* PT_LOAD segments with p_memsz > 0, stored in order */
};

/* Validate the executable img[0, len) and describe its PT_LOAD segments (those with
 * p_memsz > 0) in segs[0, cap). Every segment must end at or below addr_limit (e.g. 4 GiB
 * for a Multiboot kernel; UINT64_MAX for none). Returns 0 or a negative elf_error; on error
 * err (if non-NULL) names the field, offset and value at fault. */
int elf_parse(const uint8_t *img, size_t len, uint64_t addr_limit, struct elf_info *info,
              struct elf_segment *segs, size_t cap, char *err, size_t errlen);

/* Load address of e_entry: inside a segment's [p_vaddr, p_vaddr + p_memsz) it is moved to
 * the segment's load address; inside [lma, lma + p_memsz) it is taken as is. 0, or
 * ELF_ERR_ENTRY when it lies in no segment. */
int elf_entry_lma(const struct elf_info *info, const struct elf_segment *segs, uint64_t *lma,
                  char *err, size_t errlen);

/* Human-readable text for an elf_error value. */
const char *elf_error_str(int err);

#endif
