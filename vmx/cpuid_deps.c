/* vmx/cpuid_deps.c - CPUID feature prerequisites (pure; see cpuid_deps.h). */
#include "vmx/cpuid_deps.h"

#include <stddef.h>
#include <stdint.h>

enum dep_reg { R_L1_ECX, R_L7_EBX, R_L7_ECX, R_L7_EDX, R_LD1_EAX, R_XCR0 };

/* A feature (register, bit) and what it needs: another feature, or XCR0 state components
 * (all of `xcr0`). */
struct dep_rule {
    uint8_t reg, bit;
    uint8_t need_reg, need_bit; /* need_reg R_XCR0: the components in xcr0 instead */
    uint32_t xcr0;
};

#define XCR0_SSE_AVX 0x6u      /* SSE (1) and AVX/YMM (2) state */
#define XCR0_AVX512  (7u << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_PKRU    (1u << 9)
#define XCR0_AMX     (3u << 17) /* XTILECFG, XTILEDATA */
#define FEAT(r, b, nr, nb)                                                                         \
    {                                                                                              \
        r, b, nr, nb, 0                                                                            \
    }
#define NEEDS_XCR0(r, b, m)                                                                        \
    {                                                                                              \
        r, b, R_XCR0, 0, m                                                                         \
    }

/* Bit numbers: SDM vol. 2A CPUID, tables 3-8 (leaf 7) and 3-10 (leaf 1 ECX). */
static const struct dep_rule rules[] = {
    /* XSAVE (1:ECX 26) manages the state of everything below (SDM vol. 1 13.2) */
    FEAT(R_LD1_EAX, 0, R_L1_ECX, 26), /* XSAVEOPT */
    FEAT(R_LD1_EAX, 1, R_L1_ECX, 26), /* XSAVEC */
    FEAT(R_LD1_EAX, 2, R_L1_ECX, 26), /* XGETBV with ECX = 1 */
    FEAT(R_LD1_EAX, 3, R_L1_ECX, 26), /* XSAVES */
    /* AVX needs XSAVE and the SSE and AVX state in XCR0 (SDM vol. 1 14.3) */
    FEAT(R_L1_ECX, 28, R_L1_ECX, 26),
    NEEDS_XCR0(R_L1_ECX, 28, XCR0_SSE_AVX),
    FEAT(R_L1_ECX, 12, R_L1_ECX, 28), /* FMA (SDM vol. 1 14.5.3) */
    FEAT(R_L1_ECX, 29, R_L1_ECX, 28), /* F16C (SDM vol. 1 14.4.1) */
    FEAT(R_L7_EBX, 5, R_L1_ECX, 28),  /* AVX2 (SDM vol. 1 14.7.1) */
    FEAT(R_L7_ECX, 9, R_L1_ECX, 28),  /* VAES: VEX-encoded, needs AVX */
    FEAT(R_L7_ECX, 10, R_L1_ECX, 28), /* VPCLMULQDQ: likewise */
    /* AVX-512 Foundation needs AVX and the opmask/ZMM state (SDM vol. 1 15.2, 15.3) */
    FEAT(R_L7_EBX, 16, R_L1_ECX, 28),
    NEEDS_XCR0(R_L7_EBX, 16, XCR0_AVX512),
    /* every other AVX-512 feature needs AVX-512F (SDM vol. 1 15.2) */
    FEAT(R_L7_EBX, 17, R_L7_EBX, 16), /* DQ */
    FEAT(R_L7_EBX, 21, R_L7_EBX, 16), /* IFMA */
    FEAT(R_L7_EBX, 26, R_L7_EBX, 16), /* PF */
    FEAT(R_L7_EBX, 27, R_L7_EBX, 16), /* ER */
    FEAT(R_L7_EBX, 28, R_L7_EBX, 16), /* CD */
    FEAT(R_L7_EBX, 30, R_L7_EBX, 16), /* BW */
    FEAT(R_L7_EBX, 31, R_L7_EBX, 16), /* VL */
    FEAT(R_L7_ECX, 1, R_L7_EBX, 16),  /* VBMI */
    FEAT(R_L7_ECX, 6, R_L7_EBX, 16),  /* VBMI2 */
    FEAT(R_L7_ECX, 11, R_L7_EBX, 16), /* VNNI */
    FEAT(R_L7_ECX, 12, R_L7_EBX, 16), /* BITALG */
    FEAT(R_L7_ECX, 14, R_L7_EBX, 16), /* VPOPCNTDQ */
    FEAT(R_L7_EDX, 2, R_L7_EBX, 16),  /* 4VNNIW */
    FEAT(R_L7_EDX, 3, R_L7_EBX, 16),  /* 4FMAPS */
    FEAT(R_L7_EDX, 8, R_L7_EBX, 16),  /* VP2INTERSECT */
    FEAT(R_L7_EDX, 23, R_L7_EBX, 16), /* FP16 */
    /* PKU: PKRU is an XSAVE state component (SDM vol. 1 13.5.7) */
    NEEDS_XCR0(R_L7_ECX, 3, XCR0_PKRU),
    /* AMX: the tile state in XCR0 (SDM vol. 1 13.5.11) */
    NEEDS_XCR0(R_L7_EDX, 24, XCR0_AMX), /* AMX-TILE */
    FEAT(R_L7_EDX, 22, R_L7_EDX, 24),   /* AMX-BF16 */
    FEAT(R_L7_EDX, 25, R_L7_EDX, 24),   /* AMX-INT8 */
    /* FSRM (fast short REP MOVSB) refines ERMS (enhanced REP MOVSB/STOSB): no CPU has the one
     * without the other, and Linux 6.1's memmove takes FSRM to imply ERMS */
    FEAT(R_L7_EDX, 4, R_L7_EBX, 9),
};

static uint32_t *dep_reg(struct cpuid_features *f, unsigned reg)
{
    switch (reg) {
    case R_L1_ECX:
        return &f->l1_ecx;
    case R_L7_EBX:
        return &f->l7_ebx;
    case R_L7_ECX:
        return &f->l7_ecx;
    case R_L7_EDX:
        return &f->l7_edx;
    default:
        return &f->ld1_eax;
    }
}

static int dep_met(struct cpuid_features *f, const struct dep_rule *r)
{
    if (r->need_reg == R_XCR0)
        return (f->xcr0 & r->xcr0) == r->xcr0;
    return (int)(*dep_reg(f, r->need_reg) >> r->need_bit & 1);
}

unsigned cpuid_deps_apply(struct cpuid_features *f)
{
    unsigned cleared = 0, changed;
    do { /* a cleared feature can be another rule's prerequisite */
        changed = 0;
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
            uint32_t *reg = dep_reg(f, rules[i].reg), bit = 1u << rules[i].bit;
            if ((*reg & bit) && !dep_met(f, &rules[i])) {
                *reg &= ~bit;
                changed++;
            }
        }
        cleared += changed;
    } while (changed);
    return cleared;
}
