/*
 * vmx/cpuid_deps.h - no CPUID feature without what it needs (pure).
 *
 * A guest's CPUID is the host's filtered by the policy (vmx/cpuid_policy.h); what it hides can
 * leave a feature shown whose prerequisite is gone (AVX2 once AVX is hidden), and an emulator's
 * model can be inconsistent by itself (Bochs's corei7_icelake_u shows FSRM without ERMS, and
 * Linux 6.1's memmove then hangs). These rules clear every feature whose prerequisite, a
 * feature or an XSAVE state component the guest may enable in XCR0, is not shown, repeated
 * until nothing changes, so chains (no XSAVE: no AVX, so no AVX2, no FMA, no AVX-512) end
 * consistent. The prerequisites are the SDM's (vol. 1 ch. 13-15 and vol. 2A CPUID), as Linux
 * also encodes them (arch/x86/kernel/cpu/cpuid-deps.c).
 */
#ifndef VMX_CPUID_DEPS_H
#define VMX_CPUID_DEPS_H

#include <stdint.h>

/* The feature registers the rules read and write, and the XCR0 bits the guest may set. */
struct cpuid_features {
    uint32_t l1_ecx;                 /* CPUID.1:ECX */
    uint32_t l7_ebx, l7_ecx, l7_edx; /* CPUID.(7,0) */
    uint32_t ld1_eax;                /* CPUID.(0DH,1):EAX (XSAVEOPT, XSAVEC, XGETBV1, XSAVES) */
    uint64_t xcr0;                   /* the XCR0 mask offered (CPUID.(0DH,0) EDX:EAX) */
};

/* Clear in *f every feature that lacks a prerequisite; returns how many bits were cleared. */
unsigned cpuid_deps_apply(struct cpuid_features *f);

#endif
