/*
 * vm/guest_walk.h - a guest page walker (pure): translates a guest linear address to a
 * guest-physical one the way the CPU does for the guest's current paging mode, with the
 * guest's access rights, and reports a page fault exactly as the CPU would raise it.
 * SDM vol. 3 chapter 4 "Paging".
 *
 *     struct gw_state s = { .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .cpl = cpl,
 *                           .ac = rflags & RFLAGS_AC, .maxphyaddr = 39, .page1gb = true,
 *                           .pse36 = true };  // + .pdpte[] for PAE paging, .pkru with PKE
 *     struct gw_mem m = { .ctx = vm, .read_pte = rd, .write_pte = cmpxchg, .read = rd_bytes };
 *     struct gw_result r;
 *     switch (gw_translate(&s, &m, la, GW_WRITE | GW_SET_AD, &r)) {
 *     case GW_OK:          use r.gpa
 *     case GW_PAGE_FAULT:  inject #PF with r.error_code, CR2 = r.cr2
 *     case GW_NONCANONICAL: inject #GP(0) or #SS(0): the caller knows the segment
 *     case GW_MEM_ERROR:   the VMM could not read/write guest-physical r.mem_gpa
 *     }
 *
 * Guest-physical memory is reached only through the callbacks, so the same code walks a
 * test's host buffer and a VM's RAM. The walker caches nothing: every call is a fresh walk
 * (as after a TLB flush), which is always a behaviour the CPU may show (SDM 4.10).
 */
#ifndef VM_GUEST_WALK_H
#define VM_GUEST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/x86.h"

/* Paging-structure entry bits (SDM 4.3, 4.4.2, 4.5.4). */
#define GW_PTE_P  (1ULL << 0)
#define GW_PTE_RW (1ULL << 1)
#define GW_PTE_US (1ULL << 2)
#define GW_PTE_A  (1ULL << 5)
#define GW_PTE_D  (1ULL << 6)
#define GW_PTE_PS (1ULL << 7)
#define GW_PTE_XD (1ULL << 63)

/* Control-register, EFER and RFLAGS bits (CR0_WP, CR4_PAE, EFER_NXE, RFLAGS_AC...) and the
 * page-fault error-code bits (PF_ERR_P, _W, _U, _RSVD, _I, _PK; SDM 4.7) are platform/x86.h's.
 * CR4.PGE only affects TLB caching, so no single translation depends on it. */

/* The access (flags for gw_translate and the copy helpers). User or supervisor follows from
 * the CPL unless GW_IMPLICIT says the access is an implicit supervisor-mode access (SDM 4.6). */
#define GW_WRITE    (1u << 0) /* a data write (else a data read) */
#define GW_FETCH    (1u << 1) /* an instruction fetch */
#define GW_IMPLICIT (1u << 2) /* implicit supervisor-mode access (GDT, IDT, TSS...) at any CPL */
#define GW_SET_AD   (1u << 3) /* on success, set the accessed/dirty flags as the CPU would */

/* The guest state that decides a translation. */
struct gw_state {
    uint64_t cr0, cr3, cr4, efer;
    uint64_t pdpte[4];   /* PAE paging: the PDPTE registers (VMCS GUEST_PDPTE0-3 with EPT,
                            SDM 4.4.1, 27.3.2.4); CR3 is not read for them */
    uint32_t pkru;       /* protection-key rights (SDM 4.6.2), used when CR4.PKE = 1 */
    unsigned cpl;        /* 0-3 */
    bool ac;             /* RFLAGS.AC: SMAP override for explicit supervisor accesses */
    unsigned maxphyaddr; /* the guest's CPUID.80000008H:EAX[7:0], 32..52 */
    bool page1gb;        /* CPUID.80000001H:EDX[26]: PS in a 4-/5-level PDPTE maps 1 GiB;
                            without it that PS bit is reserved */
    bool pse36;          /* CPUID.01H:EDX[17]: 4-MiB pages reach physical bits 39:32 */
};

/*
 * Guest-physical memory. read_pte/write_pte move the 8 bytes at an 8-aligned GPA (a
 * paging-structure entry; 32-bit paging entries are halves of one; PAE PDPTEs come from
 * gw_state and are never read or written). write_pte is used only to set accessed/dirty
 * flags and gets the value read before: it may be a compare-exchange and return
 * GW_MEM_CHANGED when the memory no longer holds `old` (the walk then restarts, as the CPU's
 * locked update would see the new entry), 0 when written, negative when it cannot.
 * read/write move n bytes (n <= 4096, never crossing a 4-KiB page) for the copy helpers.
 * Every callback returns 0 on success and a negative value when the GPA is not guest RAM.
 */
#define GW_MEM_CHANGED 1
struct gw_mem {
    void *ctx;
    int (*read_pte)(void *ctx, uint64_t gpa, uint64_t *val);
    int (*write_pte)(void *ctx, uint64_t gpa, uint64_t old, uint64_t val);
    int (*read)(void *ctx, uint64_t gpa, void *buf, size_t n);
    int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t n);
};

enum gw_mode { GW_MODE_NONE, GW_MODE_32BIT, GW_MODE_PAE, GW_MODE_4LEVEL, GW_MODE_5LEVEL };

enum gw_status {
    GW_OK = 0,
    GW_PAGE_FAULT = -1,   /* #PF: error_code and cr2 are set */
    GW_NONCANONICAL = -2, /* 4-/5-level paging and the address is not canonical (#GP/#SS) */
    GW_MEM_ERROR = -3,    /* a callback failed at mem_gpa: not a guest fault */
    GW_ERR_ARG = -4,      /* a bad parameter (NULL, maxphyaddr out of range, CPL > 3) */
};

struct gw_result {
    uint64_t gpa;        /* GW_OK: the guest-physical address */
    uint64_t page_size;  /* GW_OK: 4 KiB, 2 MiB, 4 MiB or 1 GiB (4 KiB without paging) */
    bool user;           /* GW_OK: a user-mode address (U/S = 1 at every level) */
    bool writable;       /* GW_OK: R/W = 1 at every level */
    bool nx;             /* GW_OK: execute-disable (XD = 1 at some level, with NXE) */
    unsigned pkey;       /* GW_OK: protection key of the page (4-/5-level with PKE) */
    uint32_t error_code; /* GW_PAGE_FAULT */
    uint64_t cr2;        /* GW_PAGE_FAULT, GW_NONCANONICAL: the faulting linear address */
    uint64_t mem_gpa;    /* GW_MEM_ERROR: the guest-physical address the callback refused */
};

/* The paging mode the state selects (SDM 4.1.1, table "Paging Modes"). */
enum gw_mode gw_paging_mode(const struct gw_state *s);

/* True when la is canonical for the mode (48 bits, 57 with LA57; SDM vol. 1 3.3.7.1, vol. 3 4.5);
 * every address is canonical in the 32-bit modes. */
bool gw_canonical(const struct gw_state *s, uint64_t la);

/* Translates la for `access` (GW_* flags). In the 32-bit modes la is taken modulo 2^32.
 * Returns an enum gw_status; r is filled in every case. */
int gw_translate(const struct gw_state *s, const struct gw_mem *m, uint64_t la, unsigned access,
                 struct gw_result *r);

/* Copy n bytes from / to guest linear memory at la, across pages (la wraps at 4 GiB in the
 * 32-bit modes). gw_read uses `access` as given (GW_FETCH for instruction bytes); gw_write adds
 * GW_WRITE and translates every page before it writes any byte, so a fault leaves memory
 * untouched. On GW_PAGE_FAULT the result names the first faulting page's address (the
 * first byte of that page, or la); gw_read's buffer then holds the bytes before it. */
int gw_read(const struct gw_state *s, const struct gw_mem *m, uint64_t la, void *buf, size_t n,
            unsigned access, struct gw_result *r);
int gw_write(const struct gw_state *s, const struct gw_mem *m, uint64_t la, const void *buf,
             size_t n, unsigned access, struct gw_result *r);

/* One line for a log, snprintf semantics, e.g.
 * "page fault at 0x7fff0000, error code 0x7 (protection violation, write, user)",
 * "linear address 0x800000000000 is not canonical", "guest-physical 0x1234000 is not RAM". */
int gw_describe(int status, const struct gw_result *r, char *buf, size_t n);

#endif
