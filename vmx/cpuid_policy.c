/* vmx/cpuid_policy.c - the guest's CPUID (pure; see cpuid_policy.h). */
#include "vmx/cpuid_policy.h"

#include "platform/x86.h"
#include "vmx/cpuid_deps.h"

/* CPUID.1 (SDM vol. 2A CPUID, table 3-10 / 3-11) */
#define L1_ECX_DTES64     (1u << 2)
#define L1_ECX_MONITOR    (1u << 3)
#define L1_ECX_DS_CPL     (1u << 4)
#define L1_ECX_VMX        (1u << 5)
#define L1_ECX_SMX        (1u << 6)
#define L1_ECX_EIST       (1u << 7)
#define L1_ECX_TM2        (1u << 8)
#define L1_ECX_XTPR       (1u << 14)
#define L1_ECX_PDCM       (1u << 15)
#define L1_ECX_X2APIC     (1u << 21)
#define L1_ECX_TSC_DEADL  (1u << 24)
#define L1_ECX_OSXSAVE    (1u << 27)
#define L1_ECX_HYPERVISOR (1u << 31)
#define L1_EDX_MCE        (1u << 7)
#define L1_EDX_MCA        (1u << 14)
#define L1_EDX_DS         (1u << 21)
#define L1_EDX_ACPI       (1u << 22)
#define L1_EDX_TM         (1u << 29)
#define L1_EDX_PBE        (1u << 31)
/* CPUID.(7,0) */
#define L7_EBX_SGX       (1u << 2)
#define L7_EBX_RDT_M     (1u << 12)
#define L7_EBX_MPX       (1u << 14)
#define L7_EBX_RDT_A     (1u << 15)
#define L7_EBX_PT        (1u << 25)
#define L7_ECX_OSPKE     (1u << 4)
#define L7_ECX_WAITPKG   (1u << 5)
#define L7_EDX_SPEC_CTRL ((1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 31))
/* CPUID.(0DH,1):EAX bit 3: XSAVES/XRSTORS and IA32_XSS */
#define LD1_EAX_XSAVES (1u << 3)

#define XCR0_X87     (1ull << 0)
#define XCR0_SSE     (1ull << 1)
#define XCR0_AVX     (1ull << 2)
#define XCR0_MPX     (3ull << 3)
#define XCR0_AVX512  (7ull << 5)
#define XCR0_AMX     (3ull << 17)
#define XSAVE_LEGACY 576 /* legacy area (512) and XSAVE header (64), SDM vol. 1 13.4 */

static void host_leaf(cpuid_host_fn host, void *ctx, uint32_t leaf, uint32_t sub,
                      struct cpuid_leaf *out)
{
    *out = (struct cpuid_leaf){0, 0, 0, 0};
    host(ctx, leaf, sub, out);
}

uint64_t cpuid_guest_xcr0_mask(cpuid_host_fn host, void *ctx)
{
    struct cpuid_leaf l;
    host_leaf(host, ctx, 0, 0, &l);
    if (l.eax < 0xd)
        return XCR0_X87 | XCR0_SSE;
    host_leaf(host, ctx, 0xd, 0, &l);
    uint64_t mask = (((uint64_t)l.edx << 32) | l.eax) & ~(XCR0_MPX | XCR0_AMX);
    /* A component the CPU supports has a size in CPUID.(0DH,i):EAX (SDM vol. 1 13.2); one
     * without (Bochs's icelake_u shows PKRU with size and offset 0, and Linux 6.1 warns
     * "misordered xstate") is not offered. */
    for (uint32_t i = 2; i < 63; i++) {
        if (!(mask >> i & 1))
            continue;
        host_leaf(host, ctx, 0xd, i, &l);
        if (l.eax == 0)
            mask &= ~(1ull << i);
    }
    /* XCR0's own rules (xcr0_valid): AVX-512's three components all or none, with AVX */
    if ((mask & XCR0_AVX512) != XCR0_AVX512 || !(mask & XCR0_AVX))
        mask &= ~XCR0_AVX512;
    return mask;
}

bool xcr0_valid(uint64_t value, uint64_t allowed)
{
    if (!(value & XCR0_X87) || (value & ~allowed))
        return false;
    if ((value & XCR0_AVX) && !(value & XCR0_SSE))
        return false;
    if ((value & XCR0_AVX512) && ((value & XCR0_AVX512) != XCR0_AVX512 || !(value & XCR0_AVX)))
        return false;
    if ((value & XCR0_MPX) && (value & XCR0_MPX) != XCR0_MPX)
        return false;
    if ((value & XCR0_AMX) && (value & XCR0_AMX) != XCR0_AMX)
        return false;
    return true;
}

/* The standard-format XSAVE size for the components in mask: the end of the last one
 * (offset and size from CPUID.(0DH,i), SDM vol. 1 13.4.3). */
static uint32_t xsave_size(cpuid_host_fn host, void *ctx, uint64_t mask)
{
    uint32_t end = XSAVE_LEGACY;
    for (uint32_t i = 2; i < 63; i++) {
        if (!(mask >> i & 1))
            continue;
        struct cpuid_leaf c;
        host_leaf(host, ctx, 0xd, i, &c);
        if (c.ebx + c.eax > end)
            end = c.ebx + c.eax;
    }
    return end;
}

/* The compacted-format size for the components in mask: the legacy area and the XSAVE
 * header, then each component in order, 64-byte aligned when CPUID.(0DH,i):ECX[1] says so
 * (SDM vol. 1 13.4.3). */
static uint32_t xsave_compacted_size(cpuid_host_fn host, void *ctx, uint64_t mask)
{
    uint32_t end = XSAVE_LEGACY;
    for (uint32_t i = 2; i < 63; i++) {
        if (!(mask >> i & 1))
            continue;
        struct cpuid_leaf c;
        host_leaf(host, ctx, 0xd, i, &c);
        if (c.ecx & 2)
            end = (end + 63) & ~63u;
        end += c.eax;
    }
    return end;
}

static void policy_features(cpuid_host_fn host, void *ctx, struct cpuid_features *f);

static void leaf_xsave(cpuid_host_fn host, void *ctx, const struct cpuid_vcpu *g, uint32_t sub,
                       struct cpuid_leaf *out)
{
    uint64_t mask = cpuid_guest_xcr0_mask(host, ctx);
    if (sub == 0) {
        out->eax = (uint32_t)mask;
        out->edx = (uint32_t)(mask >> 32);
        out->ebx = xsave_size(host, ctx, g->xcr0 & mask);
        out->ecx = xsave_size(host, ctx, mask);
    } else if (sub == 1) {
        struct cpuid_features f;
        policy_features(host, ctx, &f); /* no IA32_XSS: no XSAVES, no supervisor states */
        out->eax &= f.ld1_eax;
        /* EBX: the size XSAVEC/XSAVES need for XCR0 | IA32_XSS (SDM vol. 2A CPUID leaf 0DH);
         * Linux 6.1 sizes its compacted buffers by it (0 gave "XSAVE consistency problem") */
        out->ebx = xsave_compacted_size(host, ctx, g->xcr0 & mask);
        out->ecx = out->edx = 0;
    } else if (sub < 63 && !(mask >> sub & 1)) {
        *out = (struct cpuid_leaf){0, 0, 0, 0};
    }
}

/* Leaf 15H: TSC Hz = ECX (the crystal's Hz) x EBX / EAX (SDM vol. 2A CPUID leaf 15H). Linux
 * takes ECX in whole kHz, so the crystal is a multiple of 1000 Hz: the TSC itself when its Hz
 * fit in ECX, else TSC / k with EBX = k (k kHz at most lost, of several GHz). */
static struct cpuid_leaf leaf_tsc(uint32_t tsc_khz)
{
    uint32_t k = tsc_khz / (UINT32_MAX / 1000) + 1;
    return (struct cpuid_leaf){1, k, (tsc_khz / k) * 1000u, 0};
}

/* What the policy makes of the host's answer that is the same for every vCPU. */
static void policy_static(uint32_t leaf, uint32_t subleaf, struct cpuid_leaf *out)
{
    switch (leaf) {
    case 1:
        out->ecx &= ~(L1_ECX_DTES64 | L1_ECX_MONITOR | L1_ECX_DS_CPL | L1_ECX_VMX | L1_ECX_SMX |
                      L1_ECX_EIST | L1_ECX_TM2 | L1_ECX_XTPR | L1_ECX_PDCM | L1_ECX_OSXSAVE);
        out->ecx |= L1_ECX_HYPERVISOR;
        out->edx &= ~(L1_EDX_MCE | L1_EDX_MCA | L1_EDX_DS | L1_EDX_ACPI | L1_EDX_TM | L1_EDX_PBE);
        break;
    case 5:   /* MONITOR/MWAIT: not offered */
    case 6:   /* thermal and power management: none */
    case 0xa: /* architectural performance monitoring: none */
        *out = (struct cpuid_leaf){0, 0, 0, 0};
        break;
    case 7:
        if (subleaf != 0)
            break;
        /* TSC_ADJUST stays: each vCPU has its own IA32_TSC_ADJUST (vmx/exit_msr.c) */
        out->ebx &= ~(L7_EBX_SGX | L7_EBX_RDT_M | L7_EBX_MPX | L7_EBX_RDT_A | L7_EBX_PT);
        out->ecx &= ~(L7_ECX_WAITPKG | L7_ECX_OSPKE);
        out->edx &= ~L7_EDX_SPEC_CTRL;
        break;
    default:
        break;
    }
}

/* The feature bits of leaves 1, (7,0) and (0DH,1) as the policy shows them, less every
 * feature whose prerequisite is not shown (vmx/cpuid_deps.h). */
static void policy_features(cpuid_host_fn host, void *ctx, struct cpuid_features *f)
{
    struct cpuid_leaf l1, l7 = {0, 0, 0, 0}, ld1 = {0, 0, 0, 0}, max;
    host_leaf(host, ctx, 0, 0, &max);
    host_leaf(host, ctx, 1, 0, &l1);
    policy_static(1, 0, &l1);
    if (max.eax >= 7) {
        host_leaf(host, ctx, 7, 0, &l7);
        policy_static(7, 0, &l7);
    }
    if (max.eax >= 0xd)
        host_leaf(host, ctx, 0xd, 1, &ld1);
    *f = (struct cpuid_features){l1.ecx,
                                 l7.ebx,
                                 l7.ecx,
                                 l7.edx,
                                 ld1.eax & ~LD1_EAX_XSAVES,
                                 cpuid_guest_xcr0_mask(host, ctx)};
    cpuid_deps_apply(f);
}

/* Leaves 1 and (7,0) with what the prerequisite rules cleared cleared too. */
static void policy_deps(cpuid_host_fn host, void *ctx, uint32_t leaf, uint32_t subleaf,
                        struct cpuid_leaf *out)
{
    struct cpuid_features f;
    if (leaf == 1) {
        policy_features(host, ctx, &f);
        out->ecx &= f.l1_ecx | L1_ECX_OSXSAVE; /* OSXSAVE is the vCPU's, set later */
    } else if (leaf == 7 && subleaf == 0) {
        policy_features(host, ctx, &f);
        out->ebx &= f.l7_ebx;
        out->ecx &= f.l7_ecx | L7_ECX_OSPKE;
        out->edx &= f.l7_edx;
    }
}

void cpuid_vcpu_adjust(const struct cpuid_vcpu *g, uint32_t leaf, uint32_t subleaf,
                       struct cpuid_leaf *out)
{
    switch (leaf) {
    case 1:
        if (!g->lapic)
            out->ecx &= ~(L1_ECX_X2APIC | L1_ECX_TSC_DEADL);
        if (g->cr4 & CR4_OSXSAVE) /* OSXSAVE mirrors the guest's CR4 (SDM vol. 2A CPUID) */
            out->ecx |= L1_ECX_OSXSAVE;
        out->ebx = (out->ebx & 0x00ffffffu) | (g->apic_id << 24); /* initial APIC ID */
        break;
    case 7:
        if (subleaf == 0 && (g->cr4 & CR4_PKE))
            out->ecx |= L7_ECX_OSPKE;
        break;
    case 0xb:
    case 0x1f:
        out->edx = g->apic_id; /* x2APIC ID of this logical processor */
        break;
    case 0x15:
        if (g->tsc_khz)
            *out = leaf_tsc(g->tsc_khz);
        break;
    case 0x16: /* base and maximum frequency in MHz (SDM vol. 2A CPUID leaf 16H) */
        if (g->tsc_khz)
            out->eax = out->ebx = g->tsc_khz / 1000;
        break;
    default:
        break;
    }
}

void cpuid_guest(cpuid_host_fn host, void *ctx, const struct cpuid_vcpu *g, uint32_t leaf,
                 uint32_t subleaf, uint32_t hc_version, struct cpuid_leaf *out)
{
    if (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_BASE + 0xff) {
        *out = (struct cpuid_leaf){0, 0, 0, 0};
        if (leaf == CPUID_HV_BASE)
            *out = (struct cpuid_leaf){CPUID_HV_LAST, 0x646e6156, 0x6f707265, 0x4d566c6f};
        else if (leaf == CPUID_HV_LAST)
            out->eax = hc_version;
        return;
    }
    host_leaf(host, ctx, leaf, subleaf, out);
    if (leaf == 0xd) {
        leaf_xsave(host, ctx, g, subleaf, out);
        return;
    }
    policy_static(leaf, subleaf, out);
    policy_deps(host, ctx, leaf, subleaf, out);
    cpuid_vcpu_adjust(g, leaf, subleaf, out);
}

/* Basic leaves whose answer does not depend on ECX (SDM vol. 2A CPUID, table 3-8: the
 * leaves listed there with sub-leaves, 4, 7, 0BH, 0DH, 0FH, 10H, 12H, 14H, 17H, 18H, 1BH,
 * 1DH, 1EH, 1FH, are left out, and so are the reserved ones); leaves 1, 15H and 16H are
 * adjusted per vCPU. */
#define TABLE_BASIC_LEAVES                                                                         \
    ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6) | (1u << 0xa) |         \
     (1u << 0x15) | (1u << 0x16))
#define TABLE_VCPU_LEAVES ((1u << 1) | (1u << 0x15) | (1u << 0x16)) /* APIC ID, TSC rate */

void cpuid_table_build(cpuid_host_fn host, void *ctx, struct cpuid_table *t)
{
    struct cpuid_leaf l;
    *t = (struct cpuid_table){0};
    host_leaf(host, ctx, 0, 0, &l);
    uint32_t max = l.eax;
    for (uint32_t leaf = 0; leaf < CPUID_TABLE_BASIC && leaf <= max; leaf++) {
        if (!(TABLE_BASIC_LEAVES >> leaf & 1))
            continue;
        host_leaf(host, ctx, leaf, 0, &t->basic[leaf]);
        policy_static(leaf, 0, &t->basic[leaf]);
        policy_deps(host, ctx, leaf, 0, &t->basic[leaf]);
        t->held |= 1u << leaf;
    }
    t->per_vcpu = t->held & TABLE_VCPU_LEAVES;
    t->ready = t->held & ~t->per_vcpu;
    host_leaf(host, ctx, CPUID_EXT_BASE, 0, &l);
    if (l.eax < CPUID_EXT_BASE || l.eax > CPUID_EXT_BASE + 0xff)
        return; /* no extended leaves */
    for (uint32_t i = 0; i < CPUID_TABLE_EXT && i <= l.eax - CPUID_EXT_BASE; i++) {
        host_leaf(host, ctx, CPUID_EXT_BASE + i, 0, &t->ext[i]); /* none has sub-leaves */
        t->ext_held |= 1u << i;
    }
}
