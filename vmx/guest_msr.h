/*
 * vmx/guest_msr.h - the rules of the MSRs a guest reads and writes through exits (pure).
 *
 * What a WRMSR must be refused with #GP(0) for, checked before the hypervisor puts a value in
 * the VMCS or in its own records (a value the CPU would refuse would otherwise fail the next
 * VM entry, and kill the VM instead of faulting the guest), and the guest's own virtual
 * MTRRs: reads and writes of the MTRR MSRs never reach the host's (SDM 12.11).
 */
#ifndef VMX_GUEST_MSR_H
#define VMX_GUEST_MSR_H

#include <stdbool.h>
#include <stdint.h>

/* Canonical for a linear-address width of va_bits (48, or 57 with LA57): bits 63:va_bits-1
 * all equal (SDM 3.3.7.1). */
bool msr_canonical(uint64_t value, unsigned va_bits);

/* A memory type an MTRR may hold: UC 0, WC 1, WT 4, WP 5, WB 6 (SDM 12.11.1). */
bool mtrr_type_valid(uint8_t type);

/* IA32_PAT: each of the 8 entries UC 0, WC 1, WT 4, WP 5, WB 6 or UC- 7 (SDM 12.12.2). */
bool msr_pat_valid(uint64_t value);

/* IA32_DEBUGCTL bits a guest may set: LBR (0) and BTF (1); the others need features its CPU
 * does not show (no PMU, no BTS), so they fault as on such a CPU. */
#define GUEST_DEBUGCTL_ALLOWED 0x3ull

/* ---- the guest's TSC (SDM 18.17) ----
 * The guest's TSC is the host's plus *offset (TSC offsetting, SDM 26.3); IA32_TSC_ADJUST is
 * *adjust. They move together (SDM 18.17.3): a write of the TSC moves TSC_ADJUST by as much as
 * the TSC moved, a write of TSC_ADJUST moves the TSC by as much as TSC_ADJUST moved. */
/* WRMSR IA32_TSC: the guest's TSC becomes host_tsc + new_offset. */
void guest_tsc_write(uint64_t *offset, uint64_t *adjust, uint64_t new_offset);
/* WRMSR IA32_TSC_ADJUST of value. */
void guest_tsc_adjust_write(uint64_t *offset, uint64_t *adjust, uint64_t value);

/* ---- virtual MTRRs (SDM 12.11) ---- */

#define GUEST_MTRR_VCNT     8     /* variable ranges the guest is told it has */
#define GUEST_MTRR_FIXED    11    /* 64K 00000, 16K 80000 and A0000, 4K C0000..F8000 */
#define GUEST_MTRRCAP       0x508 /* VCNT 8, FIX (bit 8), WC (bit 10) */
#define GUEST_MTRR_DEF_INIT 0x806 /* E (bit 11) on, FE off, default type WB */
#define MTRR_DEF_TYPE_FE    (1ull << 10)
#define MTRR_DEF_TYPE_E     (1ull << 11)
#define MTRR_PHYSMASK_VALID (1ull << 11)

struct guest_mtrr {
    uint64_t def_type;
    uint64_t fixed[GUEST_MTRR_FIXED];
    uint64_t var[2 * GUEST_MTRR_VCNT]; /* base, mask, base, mask ... */
};

void guest_mtrr_init(struct guest_mtrr *m);

/* Results of the MTRR accessors. */
enum { GUEST_MSR_OK = 0, GUEST_MSR_GP = -1, GUEST_MSR_NOT_MINE = 1 };

/* Whether msr is an MTRR MSR number at all (IA32_MTRRCAP, the variable pairs 0x200-0x2ff of
 * which VCNT exist, the fixed ranges, IA32_MTRR_DEF_TYPE). */
bool guest_mtrr_is_mtrr(uint32_t msr);

/* RDMSR of an MTRR MSR: GUEST_MSR_OK with *value, GUEST_MSR_GP for a variable pair beyond
 * VCNT (the MSR does not exist), GUEST_MSR_NOT_MINE when msr is no MTRR. */
int guest_mtrr_read(const struct guest_mtrr *m, uint32_t msr, uint64_t *value);

/* WRMSR: GUEST_MSR_GP for IA32_MTRRCAP (read-only), a missing pair, a reserved bit (above
 * MAXPHYADDR maxphy, or the reserved low bits) or a type that is no memory type. */
int guest_mtrr_write(struct guest_mtrr *m, uint32_t msr, uint64_t value, unsigned maxphy);

#endif
