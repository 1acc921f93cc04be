/*
 * vmx/ept.h - EPT paging structures (pure): build and edit a 4-level EPT for any
 * guest-physical -> host-physical layout, walk it in software, explain misconfigurations,
 * collect accessed/dirty flags. SDM 29.3 (EPT), 25.6.11 (EPTP).
 *
 * Memory comes from the caller through struct ept_mem: table pages are named by their
 * host-physical address, and ptr() turns one into a pointer (in the kernel phys == virt).
 *
 *     struct ept e;
 *     int rc = ept_init(&e, &mem, EPT_PAGE_4K | EPT_PAGE_2M, false, false);
 *     rc = rc ? rc : ept_map(&e, 0, ram_hpa, 64 << 20, EPT_R | EPT_W | EPT_X, EPT_MT_WB, false);
 *     if (rc) log("EPT: %s", ept_error_str(rc));
 *     vmcs_write(EPT_POINTER, ept_eptp(&e, EPT_MT_WB));
 *
 * Tables the builder writes: non-leaf entries allow R/W/X (the effective permission is the
 * AND over all levels, SDM 29.3.3.2), so permissions and memory types live in the leaves.
 * After changing a structure the hardware may be using, the caller executes INVEPT.
 * On EPT_ENOMEM the part of the range before the failing page is done and the rest is
 * unchanged; every entry is valid either way, and tables that stayed empty are freed.
 */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* permissions, bits 2:0 of an EPT entry (SDM 29.3.2) */
#define EPT_R 1u
#define EPT_W 2u
#define EPT_X 4u

/* page sizes the builder may use (IA32_VMX_EPT_VPID_CAP bits 16, 17; SDM A.10) */
#define EPT_PAGE_4K 1u
#define EPT_PAGE_2M 2u
#define EPT_PAGE_1G 4u

/* EPT memory types (SDM 29.3.7); 2, 3 and 7 are reserved */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

/* entry bits (SDM 29.3.2, tables "Format of an EPT ... Entry") */
#define EPT_E_PERM        0x7ULL                /* bits 2:0: read, write, execute */
#define EPT_E_MEMTYPE     (7ULL << 3)           /* bits 5:3 of a leaf: memory type */
#define EPT_E_IGNORE_PAT  (1ULL << 6)           /* leaf: ignore the guest PAT */
#define EPT_E_PAGE_SIZE   (1ULL << 7)           /* PDPTE/PDE: maps a 1G/2M page */
#define EPT_E_ACCESSED    (1ULL << 8)           /* SDM 29.3.5 */
#define EPT_E_DIRTY       (1ULL << 9)           /* leaf only, SDM 29.3.5 */
#define EPT_E_USER_EXEC   (1ULL << 10)          /* mode-based execute control only */
#define EPT_E_ADDR        0x000ffffffffff000ULL /* bits 51:12 */
#define EPT_E_SUPPRESS_VE (1ULL << 63)

#define EPT_GPA_BITS 48 /* a 4-level walk translates 48-bit guest-physical addresses */

/* Paging-structure levels, named by the entry they hold. */
enum ept_level { EPT_PTE = 1, EPT_PDE = 2, EPT_PDPTE = 3, EPT_PML4E = 4 };

enum ept_error {
    EPT_OK = 0,
    EPT_EINVAL = -1,         /* NULL argument or missing allocator callback */
    EPT_EPAGE_SIZES = -2,    /* page_sizes without 4K, with unknown bits, or 1G without 2M */
    EPT_EALIGN = -3,         /* gpa, hpa or size not a multiple of 4 KiB */
    EPT_ESIZE = -4,          /* size 0 */
    EPT_EGPA_RANGE = -5,     /* gpa + size beyond 2^48 */
    EPT_EHPA_RANGE = -6,     /* hpa + size beyond the physical-address width */
    EPT_ENOPERM = -7,        /* no permission bit, or bits other than R/W/X */
    EPT_EWRITE_NO_READ = -8, /* W without R: a misconfiguration (SDM 29.3.3.1) */
    EPT_EEXEC_ONLY = -9,     /* X without R on a processor without execute-only support */
    EPT_EMEMTYPE = -10,      /* memory type 2, 3, 7 or > 7 (SDM 29.3.3.1) */
    EPT_ENOMEM = -11,        /* the allocator returned 0 */
    EPT_EBADPAGE = -12,      /* the allocator returned a page that is not 4 KiB aligned */
    EPT_ENOTMAPPED = -13,    /* ept_protect on a range with an unmapped part */
    EPT_EPHYS_BITS = -14,    /* physical-address width outside 32..52 */
};

struct ept_mem {
    uint64_t (*alloc_page)(void *ctx); /* zeroed 4 KiB page, host-physical; 0 = no memory */
    void (*free_page)(void *ctx, uint64_t phys);
    void *(*ptr)(void *ctx, uint64_t phys); /* host pointer to a table page */
    void *ctx;
};

struct ept {
    uint64_t pml4; /* host-physical address of the PML4 table */
    struct ept_mem mem;
    unsigned page_sizes; /* EPT_PAGE_* the builder may use (and the walker accepts) */
    bool ad;             /* accessed/dirty flags enabled: EPTP bit 6 */
    bool exec_only_ok;   /* execute-only translations supported (IA32_VMX_EPT_VPID_CAP[0]) */
    uint8_t phys_bits;   /* MAXPHYADDR: 52 after ept_init, see ept_set_phys_bits */
    uint32_t tables;     /* table pages in use, the PML4 included */
};

/* Allocates the PML4. page_sizes must contain EPT_PAGE_4K; 1G pages need 2M pages too.
 * Returns 0, EPT_EINVAL, EPT_EPAGE_SIZES, EPT_ENOMEM or EPT_EBADPAGE. */
int ept_init(struct ept *e, const struct ept_mem *m, unsigned page_sizes, bool ad_flags,
             bool execute_only_supported);
/* Frees every table page (the PML4 included); e->pml4 becomes 0. */
void ept_destroy(struct ept *e);
/* Sets MAXPHYADDR (CPUID 0x80000008 EAX[7:0]): host addresses at or beyond 2^bits are
 * rejected by ept_map and reported as reserved bits by the walker. 0 or EPT_EPHYS_BITS. */
int ept_set_phys_bits(struct ept *e, unsigned bits);

/* Maps [gpa, gpa+size) to [hpa, hpa+size) with perm (EPT_R|EPT_W|EPT_X) and memtype,
 * using the largest allowed pages where gpa, hpa and the remaining size are aligned.
 * Replaces what was mapped there; a large page only partly covered is split and keeps the
 * rest of its translation, permissions and type. Mapping what is already mapped the same way
 * changes nothing. Returns 0 or a negative enum ept_error. */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm,
            unsigned memtype, bool ignore_pat);
/* Removes the translations of [gpa, gpa+size) (unmapped parts are fine), splitting large
 * pages at the edges and freeing table pages that become empty. */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size);
/* Sets the permissions of every page in [gpa, gpa+size), which must be mapped entirely
 * (EPT_ENOTMAPPED otherwise, and nothing changes). Splits large pages at the edges. */
int ept_protect(struct ept *e, uint64_t gpa, uint64_t size, unsigned perm);

/* EPTP (SDM 25.6.11): PML4 address | memory type (bits 2:0, EPT_MT_UC or EPT_MT_WB) |
 * page-walk length - 1 (3, bits 5:3) | A/D enable (bit 6). 0 for another memory type. */
uint64_t ept_eptp(const struct ept *e, unsigned memtype);

/* ---- software walk ------------------------------------------------------------------- */

enum ept_walk_result {
    EPT_WALK_MAPPED = 0,      /* a leaf was found: hpa, perm, memtype... are valid */
    EPT_WALK_NOT_PRESENT = 1, /* bits 2:0 of the entry at `level` are 0 (an EPT violation) */
    EPT_WALK_MISCONFIG = 2,   /* the entry at `level` is misconfigured (SDM 29.3.3.1) */
};

enum ept_misconfig {
    EPT_MC_NONE = 0,
    EPT_MC_WRITE_NO_READ, /* bits 2:0 = 010b or 110b */
    EPT_MC_EXEC_ONLY,     /* bits 2:0 = 100b without execute-only support */
    EPT_MC_RESERVED,      /* a reserved bit of this entry format is set */
    EPT_MC_ADDR_WIDTH,    /* an address bit at or above MAXPHYADDR is set */
    EPT_MC_MEMTYPE,       /* leaf memory type 2, 3 or 7 */
    EPT_MC_PAGE_SIZE,     /* bit 7 set in a PDPTE/PDE for a page size that is unsupported */
};

struct ept_walk {
    uint64_t gpa;
    int result;        /* enum ept_walk_result */
    unsigned level;    /* the leaf's level, or where the walk stopped */
    uint64_t entry[5]; /* entry[EPT_PML4E..level]: the entries read (index = level) */
    uint64_t table[5]; /* host-physical address of the table each entry is in */
    unsigned index[5]; /* its index in that table */
    /* EPT_WALK_MAPPED */
    uint64_t hpa;
    uint64_t page_size; /* 4K, 2M or 1G */
    unsigned perm;      /* AND of bits 2:0 over all levels */
    unsigned memtype;
    bool ignore_pat;
    bool accessed, dirty; /* of the leaf (SDM 29.3.5) */
    /* EPT_WALK_MISCONFIG */
    enum ept_misconfig misconfig;
    uint64_t bad_bits; /* the offending bits of entry[level] */
};

/* Walks gpa like the processor would. Returns the enum ept_walk_result (also in
 * out->result), or EPT_EINVAL / EPT_EGPA_RANGE. */
int ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk *out);
/* One line on what the walk of gpa found, naming the offending entry, e.g.
 * "PDE 0x0000000000200002 (index 1 of table 0x5000): write access without read access,
 * bits 0x2 (SDM 29.3.3.1)"; when there is none it says "no misconfiguration: ..." with the
 * translation or the entry that is not present. Returns the walk result (EPT_WALK_MISCONFIG when
 * one was found) or a negative error. The kernel prints it on an EPT-misconfiguration exit. */
int ept_explain_misconfig(const struct ept *e, uint64_t gpa, char *buf, size_t n);

/* ---- accessed and dirty flags (SDM 29.3.5) -------------------------------------------- */

/* Calls fn(ctx, page_gpa, page_size) for every leaf overlapping [gpa, gpa+size) whose dirty
 * flag is set, and returns their number (fn may be NULL to count). With clear, the dirty and
 * accessed flags of those leaves are cleared, but only of leaves lying entirely inside the
 * range (a large page sticking out keeps its flags). The caller then executes INVEPT. */
size_t ept_collect_dirty(struct ept *e, uint64_t gpa, uint64_t size,
                         void (*fn)(void *ctx, uint64_t gpa, uint64_t page_size), void *ctx,
                         bool clear);
/* Clears the accessed and dirty flags of the leaves inside [gpa, gpa+size) and the accessed
 * flag of the paging-structure entries whose whole span is inside; returns how many entries
 * changed. */
size_t ept_clear_ad(struct ept *e, uint64_t gpa, uint64_t size);

/* "out of memory" ...; "unknown error" for other values. */
const char *ept_error_str(int err);
/* "write access without read access", ... */
const char *ept_misconfig_str(enum ept_misconfig m);
/* "PML4E", "PDPTE", "PDE", "PTE" or "?" */
const char *ept_level_name(unsigned level);
/* "UC", "WC", "WT", "WP", "WB" or "reserved" */
const char *ept_memtype_name(unsigned memtype);

#endif
