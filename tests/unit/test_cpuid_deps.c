/* tests/unit/test_cpuid_deps.c - CPUID feature prerequisites: each rule, chains, and a
 * consistent CPU left alone. */
#include <criterion/criterion.h>
#include "vmx/cpuid_deps.h"

#define B(n) (1u << (n))

/* An icelake-like CPU that is consistent: XSAVE, AVX, FMA, F16C; AVX2, ERMS, AVX-512 F/DQ/BW/VL,
 * PKU, VAES, FSRM; XSAVEOPT/XSAVEC; XCR0 x87 SSE AVX AVX-512 PKRU. */
static struct cpuid_features consistent(void)
{
    return (struct cpuid_features){
        .l1_ecx = B(26) | B(28) | B(12) | B(29),
        .l7_ebx = B(5) | B(9) | B(16) | B(17) | B(30) | B(31),
        .l7_ecx = B(3) | B(9) | B(1),
        .l7_edx = B(4),
        .ld1_eax = B(0) | B(1),
        .xcr0 = 0x2e7,
    };
}

Test(cpuid_deps, consistent_cpu_unchanged)
{
    struct cpuid_features f = consistent(), g = f;
    cr_assert_eq(cpuid_deps_apply(&f), 0);
    cr_assert_eq(f.l1_ecx, g.l1_ecx);
    cr_assert_eq(f.l7_ebx, g.l7_ebx);
    cr_assert_eq(f.l7_ecx, g.l7_ecx);
    cr_assert_eq(f.l7_edx, g.l7_edx);
    cr_assert_eq(f.ld1_eax, g.ld1_eax);
}

Test(cpuid_deps, fsrm_needs_erms)
{
    struct cpuid_features f = consistent();
    f.l7_ebx &= ~B(9); /* Bochs's corei7_icelake_u */
    cr_assert_eq(cpuid_deps_apply(&f), 1);
    cr_assert_eq(f.l7_edx & B(4), 0, "FSRM hidden");
    cr_assert_neq(f.l7_ebx & B(5), 0, "AVX2 untouched");
}

Test(cpuid_deps, no_xsave_takes_the_avx_family)
{
    struct cpuid_features f = consistent();
    f.l1_ecx &= ~B(26);
    cpuid_deps_apply(&f);
    cr_assert_eq(f.l1_ecx & (B(28) | B(12) | B(29)), 0, "AVX, FMA, F16C");
    cr_assert_eq(f.l7_ebx & (B(5) | B(16) | B(17) | B(30) | B(31)), 0, "AVX2, AVX-512");
    cr_assert_eq(f.l7_ecx & (B(1) | B(9)), 0, "VBMI, VAES");
    cr_assert_eq(f.ld1_eax, 0, "XSAVEOPT, XSAVEC");
    cr_assert_neq(f.l7_ebx & B(9), 0, "ERMS is no XSAVE feature");
    cr_assert_neq(f.l7_ecx & B(3), 0, "PKU keeps its PKRU component in the mask");
}

Test(cpuid_deps, avx_needs_its_xcr0_state)
{
    struct cpuid_features f = consistent();
    f.xcr0 = 0x3; /* x87 and SSE only */
    cpuid_deps_apply(&f);
    cr_assert_eq(f.l1_ecx & B(28), 0, "AVX");
    cr_assert_eq(f.l7_ebx & B(5), 0, "AVX2 through AVX");
    cr_assert_neq(f.l1_ecx & B(26), 0, "XSAVE stays");
}

Test(cpuid_deps, avx512_needs_foundation_and_state)
{
    struct cpuid_features f = consistent();
    f.xcr0 &= ~0xe0ull; /* no opmask/ZMM state */
    cpuid_deps_apply(&f);
    cr_assert_eq(f.l7_ebx & (B(16) | B(17) | B(30) | B(31)), 0);
    cr_assert_eq(f.l7_ecx & B(1), 0, "VBMI");
    cr_assert_neq(f.l7_ebx & B(5), 0, "AVX2 stays");
    cr_assert_neq(f.l7_ecx & B(9), 0, "VAES needs only AVX");

    f = consistent();
    f.l7_ebx &= ~B(16); /* a sub-feature shown without AVX-512F */
    cr_assert_eq(cpuid_deps_apply(&f), 4, "DQ, BW, VL, VBMI");
}

Test(cpuid_deps, pku_and_amx_need_their_components)
{
    struct cpuid_features f = consistent();
    f.xcr0 &= ~0x200ull;
    f.l7_edx |= B(22) | B(24) | B(25); /* AMX shown, its tile state not offered */
    cpuid_deps_apply(&f);
    cr_assert_eq(f.l7_ecx & B(3), 0, "PKU without PKRU");
    cr_assert_eq(f.l7_edx & (B(22) | B(24) | B(25)), 0, "AMX");
    f = consistent();
    f.l7_edx |= B(22) | B(24) | B(25);
    f.xcr0 |= 3ull << 17;
    cr_assert_eq(cpuid_deps_apply(&f), 0, "AMX with XTILECFG and XTILEDATA stays");
}
