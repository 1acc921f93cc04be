/*
 * vmx/mtrr.h - memory types from the MTRRs (pure): the type of a physical range, and a
 * range split into runs of one type, so guest memory can be mapped in the EPT with the type
 * the host's MTRRs give it (RAM WB, devices UC). SDM 12.11 (MTRRs), 29.3.7 (with EPT, the
 * EPT memory type takes the place of the MTRR type for guest accesses).
 *
 * Filling the state (kernel side, a hardware file):
 *     uint64_t cap = rdmsr(MTRR_MSR_CAP);
 *     struct mtrr_state s = {.phys_bits = maxphyaddr};  // CPUID 0x80000008 EAX[7:0], else 36
 *     mtrr_set_def_type(&s, rdmsr(MTRR_MSR_DEF_TYPE));
 *     if (cap & MTRR_CAP_FIX)
 *         for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++) s.fixed[i] = rdmsr(mtrr_fixed_msr[i]);
 *     else
 *         s.fixed_enabled = false;
 *     s.var_count = min(cap & MTRR_CAP_VCNT, MTRR_MAX_VAR);
 *     for (unsigned i = 0; i < s.var_count; i++) {
 *         s.var[i].base = rdmsr(MTRR_MSR_PHYSBASE(i));
 *         s.var[i].mask = rdmsr(MTRR_MSR_PHYSMASK(i));
 *     }
 * and then, per guest RAM or device range:
 *     n = mtrr_runs(&s, hpa, size, runs, cap);  // map each run with ept_map(..., runs[i].type)
 */
#ifndef VMX_MTRR_H
#define VMX_MTRR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MSRs and their fields (SDM 12.11.1, 12.11.2.1-12.11.2.3) */
#define MTRR_MSR_CAP         0xfeU  /* IA32_MTRRCAP */
#define MTRR_MSR_DEF_TYPE    0x2ffU /* IA32_MTRR_DEF_TYPE */
#define MTRR_MSR_PHYSBASE(n) (0x200U + 2U * (n))
#define MTRR_MSR_PHYSMASK(n) (0x201U + 2U * (n))
#define MTRR_CAP_VCNT        0xffULL      /* number of variable ranges */
#define MTRR_CAP_FIX         (1ULL << 8)  /* fixed ranges supported */
#define MTRR_CAP_WC          (1ULL << 10) /* write combining supported */
#define MTRR_DEF_TYPE_TYPE   0xffULL      /* default memory type */
#define MTRR_DEF_TYPE_FE     (1ULL << 10) /* fixed ranges enabled */
#define MTRR_DEF_TYPE_E      (1ULL << 11) /* MTRRs enabled */
#define MTRR_PHYSMASK_VALID  (1ULL << 11)
#define MTRR_FIXED_MSRS      11
#define MTRR_MAX_VAR         32

/* memory types (SDM 12.11.1); 2, 3 and 7..255 are reserved */
#define MTRR_UC 0u
#define MTRR_WC 1u
#define MTRR_WT 4u
#define MTRR_WP 5u
#define MTRR_WB 6u
/* in a run: overlapping variable ranges whose combination the SDM leaves undefined */
#define MTRR_TYPE_UNDEFINED 0xffu

/* IA32_MTRR_FIX64K_00000, FIX16K_80000, FIX16K_A0000, FIX4K_C0000 .. FIX4K_F8000 */
extern const uint32_t mtrr_fixed_msr[MTRR_FIXED_MSRS];

struct mtrr_state {
    bool enabled;                    /* IA32_MTRR_DEF_TYPE.E: when clear, all memory is UC */
    bool fixed_enabled;              /* IA32_MTRR_DEF_TYPE.FE: fixed ranges rule below 1 MiB */
    uint8_t def_type;                /* type of memory no range covers */
    uint64_t fixed[MTRR_FIXED_MSRS]; /* MSRs 0x250, 0x258, 0x259, 0x268-0x26f in this order */
    struct {
        uint64_t base, mask; /* IA32_MTRR_PHYSBASEn, IA32_MTRR_PHYSMASKn as read */
    } var[MTRR_MAX_VAR];
    unsigned var_count;
    uint8_t phys_bits; /* MAXPHYADDR, 32..52 */
};

struct mtrr_run {
    uint64_t base, size;
    uint8_t type; /* a memory type, a reserved value found in an MSR, or MTRR_TYPE_UNDEFINED */
};

enum mtrr_error {
    MTRR_OK = 0,
    MTRR_EINVAL = -1,     /* NULL, size 0, phys_bits outside 32..52, var_count too large */
    MTRR_ERANGE = -2,     /* the range goes beyond 2^phys_bits */
    MTRR_EMIXED = -3,     /* the range has more than one type (see mtrr_runs) */
    MTRR_EUNDEFINED = -4, /* overlapping variable ranges with an undefined combination */
    MTRR_EBADTYPE = -5,   /* a reserved memory type in an MTRR */
    MTRR_ERESERVED = -6,  /* reserved bits set in an MTRR */
};

/* Sets enabled, fixed_enabled and def_type from IA32_MTRR_DEF_TYPE. */
void mtrr_set_def_type(struct mtrr_state *s, uint64_t def_type_msr);

/* The one memory type of [base, base+size) (SDM 12.11.4.1 precedence). Returns 0 and sets
 * *type, or MTRR_EMIXED (*type = the type at base), MTRR_EUNDEFINED, MTRR_EBADTYPE,
 * MTRR_ERANGE or MTRR_EINVAL. */
int mtrr_type_of(const struct mtrr_state *s, uint64_t base, uint64_t size, uint8_t *type);

/* Splits [base, base+size) into maximal runs of one type, in address order. Writes at most
 * cap runs to out (out may be NULL when cap is 0) and returns how many runs there are, so a
 * result > cap means out was too small. Returns 0 for invalid arguments. */
size_t mtrr_runs(const struct mtrr_state *s, uint64_t base, uint64_t size, struct mtrr_run *out,
                 size_t cap);

/* Checks the MSR values: memory types (default, fixed when enabled, valid variable ranges)
 * and reserved bits of the variable-range MSRs. 0, MTRR_EBADTYPE, MTRR_ERESERVED or
 * MTRR_EINVAL, with a message naming the MSR in msg. */
int mtrr_check(const struct mtrr_state *s, char *msg, size_t len);

/* "UC", "WC", "WT", "WP", "WB", "undefined" or "reserved" */
const char *mtrr_type_name(unsigned type);
const char *mtrr_error_str(int err);

#endif
