/*
 * vmx/entry_mutate.h - mutations of a valid VMCS image for a differential test of the VM-entry
 * checker against a real (or emulated) processor (pure).
 *
 * Given a valid base image, the generator produces
 *   (i)  single mutations: one field (two for an MSR area: count and address) set to one of its
 *        "interesting" values (each control bit flipped, reserved bits, boundary values,
 *        non-canonical and too-wide addresses, access-rights variants...), enumerated
 *        deterministically: entry_mutate_single(index) for index < entry_mutate_count();
 *   (ii) combinations: 2-4 single mutations on distinct fields, chosen by a seeded xorshift64*
 *        generator, entry_mutate_random(seed); the same seed gives the same image.
 * Every produced image differs from the base.
 *
 * SAFETY CONTRACT. The differential test really executes VMLAUNCH with the mutated VMCS; an
 * entry that succeeds runs the guest and then loads the host state at the next VM exit.
 * The caller provides a base that
 *   B1 passes every check (entry_check() finds nothing) and has: "activate VMX-preemption
 *      timer" = 1 with timer value 0 (the guest exits before its first instruction),
 *      exception bitmap 0xffffffff, "activate secondary controls" = 1, "enable EPT" = 1 with an
 *      EPTP whose tables map only memory the test owns, "external-interrupt exiting" and
 *      "NMI exiting" = 1;
 *   B2 holds in every host-state field the processor's current host value, also those whose
 *      load control is 0 (HOST_IA32_PAT, HOST_IA32_EFER, HOST_IA32_PERF_GLOBAL_CTRL);
 *   B3 holds in every address control field (bitmaps, virtual-APIC and APIC-access pages, PML,
 *      EPTP list, VMREAD/VMWRITE bitmaps, #VE information, SPP table, posted-interrupt
 *      descriptor) the address of a scratch page the test owns, even when the feature is off,
 *      and has all three MSR-area counts 0.
 * The generator then guarantees:
 *   G1 never changes: EXCEPTION_BITMAP, VMX_PREEMPTION_TIMER_VALUE, HOST_RSP, HOST_CR3 (except
 *      to a value beyond MAXPHYADDR), HOST_IA32_SYSENTER_CS, HOST_IA32_PERF_GLOBAL_CTRL,
 *      GUEST_RSP, the EPTP's address bits 63:12 (except to set bits beyond MAXPHYADDR);
 *   G2 never clears: "activate VMX-preemption timer", "external-interrupt exiting", "NMI
 *      exiting", "activate secondary controls", "enable EPT", and the VM-exit controls that
 *      restore host MSRs ("load IA32_PAT", "load IA32_EFER", "load IA32_PERF_GLOBAL_CTRL",
 *      "load CET state", "load PKRS"); never changes "acknowledge interrupt on exit";
 *   G3 never sets a control the processor supports whose effect outlives the guest: the
 *      VM-entry controls that load guest MSRs (PERF_GLOBAL_CTRL, PAT, EFER, BNDCFGS, RTIT_CTL,
 *      UINV, CET, LBR_CTL, PKRS, FRED), the VM-exit controls other than save-* / "load
 *      IA32_PAT" / "load IA32_EFER" / "load IA32_PERF_GLOBAL_CTRL" / "conceal VMX from PT"
 *      (harmless by B2), any tertiary or
 *      secondary VM-exit control; unsupported ones are set (the entry then fails, SDM 27.2.1);
 *   G4 sets a host-state field only to a value that fails a host check (SDM 27.2.2-27.2.4):
 *      must-be-1 CR0/CR4 bits cleared, must-be-0 bits set, CR3 beyond MAXPHYADDR, RPL/TI bits
 *      in selectors, CS/TR selector 0, bit 63 flipped in the canonical fields (FS/GS/TR/GDTR/
 *      IDTR bases, SYSENTER_ESP/EIP, RIP), invalid PAT types, reserved or LMA/LME-mismatched
 *      EFER (these two fail when loaded and are unused otherwise); so HOST_RIP, HOST_GS_BASE,
 *      HOST_GDTR/IDTR/TR bases and the host selectors never take another valid value;
 *   G5 sets an MSR-area count only together with an address that fails SDM 27.2.1.2/27.2.1.3
 *      (misaligned, beyond MAXPHYADDR, or an area ending beyond it), so no MSR is ever stored
 *      or loaded;
 *   G6 sets GUEST_RIP only to failing values (bits 63:32 outside 64-bit mode, non-canonical in
 *      64-bit mode) and the activity state only to HLT or to a reserved value (never shutdown
 *      or wait-for-SIPI, which the timer might not leave); address fields only to misaligned or
 *      too-wide values (B3 makes the valid ones harmless).
 * Guest-state changes need no more: the guest cannot reach host memory through EPT, executes
 * no instruction before the timer exit, and an injected event is delivered through the
 * guest's IDT into guest memory, where every exception exits (exception bitmap).
 */
#ifndef VMX_ENTRY_MUTATE_H
#define VMX_ENTRY_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_image.h"
#include "vmx/vmx_caps.h"

struct entry_mutate_cfg {
    const struct vmx_caps *caps; /* required: allowed control bits, fixed CR bits, EPT caps */
    unsigned maxphyaddr;         /* 0 means 36 */
};

/* One single mutation: one field, or an MSR area's count and address together. */
struct entry_mutation {
    unsigned nfields; /* 1 or 2 */
    uint32_t enc[2];
    uint64_t value[2];
    const char *what; /* "flip bit", "non-canonical", ... */
    int bit;          /* the bit flipped ("flip bit"), or -1 */
};

#define ENTRY_MUTATE_MAX_COMBINED 4

/* Number of single mutations of base (0 when base or cfg is unusable). */
size_t entry_mutate_count(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg);

/* Single mutation number index: *out = base with it applied, *m describes it (may be NULL).
 * Returns 0, or -1 when index >= entry_mutate_count(). */
int entry_mutate_single(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                        size_t index, struct vmcs_image *out, struct entry_mutation *m);

/* 2-4 single mutations on distinct fields, chosen by seed (xorshift64*, reproducible), applied
 * to base in *out; ms[0..*n-1] describe them (ms and n may be NULL). Returns 0, or -1 when base
 * has fewer than 2 fields to mutate. */
int entry_mutate_random(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                        uint64_t seed, struct vmcs_image *out,
                        struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED], unsigned *n);

/* Every single mutation of base in index order into list[0..max-1] (one walk instead of one
 * per index); returns entry_mutate_count() (0 when base or cfg is unusable). list[i] is what
 * entry_mutate_single(i) describes. */
size_t entry_mutate_list(const struct vmcs_image *base, const struct entry_mutate_cfg *cfg,
                         struct entry_mutation *list, size_t max);

/* entry_mutate_random(seed) from a complete list of base (entry_mutate_list, count entries):
 * the same mutations and image, without walking the candidates again. */
int entry_mutate_random_from(const struct vmcs_image *base, const struct entry_mutation *list,
                             size_t count, uint64_t seed, struct vmcs_image *out,
                             struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED], unsigned *n);

/* "GUEST_CS_AR_BYTES = 0xa09a (flip bit 0)" (two fields joined by ", "). */
int entry_mutate_format(char *buf, size_t n, const struct entry_mutation *m);

/* The next value of the generator's xorshift64* sequence (state must not be 0; updated). */
uint64_t entry_mutate_rand(uint64_t *state);

#endif
