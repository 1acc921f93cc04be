/* tests/unit/test_cpuid_policy.c - the guest's CPUID: hidden features, APIC IDs, OSXSAVE,
 * FSRM/ERMS, XSAVE sizes computed from the components, XCR0 rules. */
#include <criterion/criterion.h>
#include <string.h>
#include "platform/x86.h"
#include "vmx/cpuid_policy.h"

/* A host like Bochs's icelake with AVX-512 and PKRU; 0DH sizes as a real CPU has them. */
static struct {
    uint32_t leaf, sub;
    struct cpuid_leaf r;
} host[] = {
    {0, 0, {0x1f, 0x756e6547, 0x6c65746e, 0x49656e69}},
    {1, 0, {0x706e5, 0x03010800, 0xfffaffff, 0xffffffff}}, /* every bit set, APIC ID 3 */
    {5, 0, {0x40, 0x40, 3, 0x11142120}},
    {7, 0, {0, 0xffffffff, 0xffffffff, 0xffffffff}},
    {0xa, 0, {0x07300805, 0, 0, 0x603}},
    {0xb, 0, {1, 1, 0x100, 3}},
    {0xd, 0, {0x2e7, 2688, 2696, 0}}, /* x87 SSE AVX MPX(3,4) AVX-512(5-7) PKRU(9) */
    {0xd, 1, {0xf, 0x988, 0, 0}},
    {0xd, 2, {256, 576, 0, 0}},
    {0xd, 3, {64, 960, 0, 0}},
    {0xd, 4, {64, 1024, 0, 0}},
    {0xd, 5, {64, 1088, 0, 0}},
    {0xd, 6, {512, 1152, 0, 0}},
    {0xd, 7, {1024, 1664, 0, 0}},
    {0xd, 9, {8, 2688, 0, 0}},
};

static void fake_host(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_leaf *out)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
        if (host[i].leaf == leaf && host[i].sub == sub)
            *out = host[i].r;
}

static struct cpuid_leaf ask(uint32_t leaf, uint32_t sub, const struct cpuid_vcpu *g)
{
    struct cpuid_leaf r;
    cpuid_guest(fake_host, NULL, g, leaf, sub, 0x10000, &r);
    return r;
}

Test(cpuid_policy, leaf1_hides_and_shows)
{
    struct cpuid_vcpu g = {.apic_id = 1, .cr4 = 0, .xcr0 = 1};
    struct cpuid_leaf r = ask(1, 0, &g);
    cr_assert_eq(r.ecx & (1u << 5), 0, "VMX");
    cr_assert_eq(r.ecx & (1u << 3), 0, "MONITOR");
    cr_assert_eq(r.ecx & (1u << 15), 0, "PDCM");
    cr_assert_eq(r.ecx & (1u << 24), 0, "TSC deadline");
    cr_assert_eq(r.ecx & (1u << 27), 0, "OSXSAVE with CR4.OSXSAVE clear");
    cr_assert_neq(r.ecx & (1u << 31), 0, "hypervisor present");
    cr_assert_eq(r.edx & (1u << 14), 0, "MCA");
    cr_assert_eq(r.ebx >> 24, 1, "the vCPU's APIC ID, not the host's 3");
    g.cr4 = CR4_OSXSAVE;
    cr_assert_neq(ask(1, 0, &g).ecx & (1u << 27), 0, "OSXSAVE follows the guest's CR4");
}

Test(cpuid_policy, empty_leaves_and_topology)
{
    struct cpuid_vcpu g = {.apic_id = 2};
    struct cpuid_leaf r = ask(0xa, 0, &g);
    cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0, "no PMU");
    r = ask(5, 0, &g);
    cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0, "no MONITOR/MWAIT");
    cr_assert_eq(ask(0xb, 0, &g).edx, 2);
}

Test(cpuid_policy, leaf7_spec_ctrl_and_fsrm)
{
    struct cpuid_vcpu g = {0};
    struct cpuid_leaf r = ask(7, 0, &g);
    cr_assert_eq(r.edx & (1u << 26), 0, "IBRS/IBPB: no IA32_SPEC_CTRL for the guest");
    cr_assert_neq(r.ebx & (1u << 1), 0, "TSC_ADJUST: each vCPU has its own (exit_msr.c)");
    cr_assert_eq(r.ebx & (1u << 14), 0, "MPX");
    cr_assert_neq(r.edx & (1u << 4), 0, "FSRM stays with ERMS");
    host[3].r.ebx &= ~(1u << 9); /* a host like Bochs's icelake: FSRM without ERMS */
    r = ask(7, 0, &g);
    host[3].r.ebx |= 1u << 9;
    cr_assert_eq(r.edx & (1u << 4), 0, "no FSRM without ERMS");
}

Test(cpuid_policy, xsave_sizes_agree_with_components)
{
    struct cpuid_vcpu g = {.xcr0 = 0x7};
    struct cpuid_leaf r = ask(0xd, 0, &g);
    cr_assert_eq(r.eax, 0x2e7 & ~0x18u, "MPX removed from the XCR0 mask");
    cr_assert_eq(r.ebx, 576 + 256, "x87|SSE|AVX: AVX ends at 832");
    cr_assert_eq(r.ecx, 2696, "PKRU at 2688 + 8 ends the area");
    cr_assert_eq(ask(0xd, 1, &g).eax & (1u << 3), 0, "no XSAVES");
    cr_assert_eq(ask(0xd, 1, &g).ebx, 832, "compacted x87|SSE|AVX: 576 + 256");
    g.xcr0 = 0xe7; /* and AVX-512: 64 + 512 + 1024 more, what Linux 6.1 computes */
    cr_assert_eq(ask(0xd, 1, &g).ebx, 2432, "compacted size of XCR0 0xe7");
    g.xcr0 = 0x7;
    r = ask(0xd, 3, &g);
    cr_assert_eq(r.eax | r.ebx, 0, "MPX component hidden");
}

Test(cpuid_policy, hypervisor_leaves)
{
    struct cpuid_vcpu g = {0};
    struct cpuid_leaf r = ask(0x40000000, 0, &g);
    cr_assert_eq(r.eax, 0x40000001);
    cr_assert_eq(r.ebx, 0x646e6156);
    cr_assert_eq(ask(0x40000001, 0, &g).eax, 0x10000);
    r = ask(0x40000002, 0, &g);
    cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
}

Test(cpuid_policy, xcr0_rules)
{
    uint64_t all = cpuid_guest_xcr0_mask(fake_host, NULL);
    cr_assert_eq(all, 0x2e7);
    cr_assert(xcr0_valid(0x1, all));
    cr_assert(xcr0_valid(0x7, all));
    cr_assert(xcr0_valid(0xe7, all));
    cr_assert(xcr0_valid(0x203, all), "PKRU alone with SSE");
    cr_assert_not(xcr0_valid(0x0, all), "x87 must be set");
    cr_assert_not(xcr0_valid(0x5, all), "AVX without SSE");
    cr_assert_not(xcr0_valid(0x67, all), "AVX-512 bits 5-7 all or none");
    cr_assert_not(xcr0_valid(0xe3, all), "AVX-512 without AVX");
    cr_assert_not(xcr0_valid(0xf, 0xffffffff), "MPX bit 3 without bit 4");
    cr_assert(xcr0_valid(0x1b, 0xffffffff), "MPX both");
    cr_assert_not(xcr0_valid(0x20003, 0xffffffffff), "AMX 17 without 18");
    cr_assert_not(xcr0_valid(0x19, all), "MPX is not offered to guests");
}

Test(cpuid_policy, x2apic_and_tsc_deadline_with_the_virtual_apic)
{
    struct cpuid_vcpu g = {.apic_id = 0, .lapic = true};
    struct cpuid_leaf r = ask(1, 0, &g);
    cr_assert_neq(r.ecx & (1u << 21), 0, "x2APIC with the virtual local APIC");
    cr_assert_neq(r.ecx & (1u << 24), 0, "TSC deadline with it");
    g.lapic = false;
    r = ask(1, 0, &g);
    cr_assert_eq(r.ecx & ((1u << 21) | (1u << 24)), 0, "neither without");
}

/* fake_host with the extended leaves up to 80000008H (their values: the leaf number). */
static void fake_host_ext(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_leaf *out)
{
    if (leaf == CPUID_EXT_BASE)
        *out = (struct cpuid_leaf){CPUID_EXT_BASE + 8, 0, 0, 0};
    else if (leaf > CPUID_EXT_BASE && leaf <= CPUID_EXT_BASE + 8)
        *out = (struct cpuid_leaf){leaf, sub, 0, 0};
    else
        fake_host(ctx, leaf, sub, out);
}

/* The table answers as cpuid_guest does, for every leaf it holds and any vCPU. */
static void table_agrees(cpuid_host_fn fn, const struct cpuid_table *t, const struct cpuid_vcpu *g)
{
    static const uint32_t leaves[] = {
        0, 1, 2, 5, 6, 0xa, 0x16, CPUID_EXT_BASE, CPUID_EXT_BASE + 1, CPUID_EXT_BASE + 8};
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct cpuid_leaf want, got;
        enum cpuid_hit h = cpuid_table_get(t, leaves[i], &got);
        if (h == CPUID_MISS)
            continue;
        if (h == CPUID_HIT_ADJUST)
            cpuid_vcpu_adjust(g, leaves[i], 0, &got);
        cpuid_guest(fn, NULL, g, leaves[i], 0, 0x10000, &want);
        cr_assert_eq(memcmp(&want, &got, sizeof(want)), 0, "leaf 0x%x", leaves[i]);
    }
}

Test(cpuid_policy, table_holds_leaves_without_subleaves)
{
    struct cpuid_table t;
    struct cpuid_leaf r;
    cpuid_table_build(fake_host_ext, NULL, &t);
    cr_assert_eq(cpuid_table_get(&t, 0, &r), CPUID_HIT);
    cr_assert_eq(r.eax, 0x1f, "leaf 0 as the host has it");
    cr_assert_eq(cpuid_table_get(&t, 1, &r), CPUID_HIT_ADJUST, "leaf 1 has the vCPU's APIC ID");
    cr_assert_eq(r.ecx & (1u << 5), 0, "VMX hidden in the table too");
    cr_assert_eq(cpuid_table_get(&t, 5, &r), CPUID_HIT);
    cr_assert_eq(r.eax | r.ebx | r.ecx | r.edx, 0, "no MONITOR/MWAIT");
    static const uint32_t subleaf_leaves[] = {4, 7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x1f};
    for (size_t i = 0; i < sizeof(subleaf_leaves) / sizeof(subleaf_leaves[0]); i++)
        cr_assert_eq(cpuid_table_get(&t, subleaf_leaves[i], &r), CPUID_MISS, "leaf 0x%x",
                     subleaf_leaves[i]);
    cr_assert_eq(cpuid_table_get(&t, 0x20, &r), CPUID_MISS, "beyond the table");
    cr_assert_eq(cpuid_table_get(&t, CPUID_HV_BASE, &r), CPUID_MISS, "Vanderpool's leaves");
    cr_assert_eq(cpuid_table_get(&t, CPUID_EXT_BASE + 8, &r), CPUID_HIT);
    cr_assert_eq(r.eax, CPUID_EXT_BASE + 8);
    cr_assert_eq(cpuid_table_get(&t, CPUID_EXT_BASE + 9, &r), CPUID_MISS);
}

Test(cpuid_policy, table_agrees_with_the_policy)
{
    struct cpuid_table t;
    cpuid_table_build(fake_host_ext, NULL, &t);
    struct cpuid_vcpu a = {.apic_id = 0, .xcr0 = 1};
    struct cpuid_vcpu b = {.apic_id = 7, .lapic = true, .cr4 = CR4_OSXSAVE | CR4_PKE, .xcr0 = 7};
    table_agrees(fake_host_ext, &t, &a);
    table_agrees(fake_host_ext, &t, &b);
    struct cpuid_leaf r;
    cpuid_table_get(&t, 1, &r);
    cpuid_vcpu_adjust(&b, 1, 0, &r);
    cr_assert_eq(r.ebx >> 24, 7, "APIC ID of the vCPU");
    cr_assert_neq(r.ecx & (1u << 27), 0, "OSXSAVE from its CR4");
}

Test(cpuid_policy, table_stops_at_the_hosts_highest_leaves)
{
    struct cpuid_table t;
    struct cpuid_leaf r;
    host[0].r.eax = 1; /* a host whose highest basic leaf is 1, without extended leaves */
    cpuid_table_build(fake_host, NULL, &t);
    host[0].r.eax = 0x1f;
    cr_assert_eq(cpuid_table_get(&t, 1, &r), CPUID_HIT_ADJUST);
    cr_assert_eq(cpuid_table_get(&t, 2, &r), CPUID_MISS, "above the host's highest leaf");
    cr_assert_eq(cpuid_table_get(&t, CPUID_EXT_BASE, &r), CPUID_MISS, "no extended leaves");
}

Test(cpuid_policy, tsc_frequency_leaves)
{
    struct cpuid_vcpu g = {.tsc_khz = 50000}; /* Bochs: a 50 MHz TSC */
    struct cpuid_leaf r = ask(0x15, 0, &g);
    cr_assert_eq((uint64_t)r.ecx * r.ebx / r.eax, 50000000ull, "15H gives 50 MHz");
    cr_assert_eq(r.ecx % 1000, 0, "the crystal in whole kHz");
    r = ask(0x16, 0, &g);
    cr_assert_eq(r.eax, 50, "16H base MHz");
    cr_assert_eq(r.ebx, 50, "16H maximum MHz");
    g.tsc_khz = 4800000; /* 4.8 GHz: its Hz do not fit in ECX */
    r = ask(0x15, 0, &g);
    uint64_t hz = (uint64_t)r.ecx * r.ebx / r.eax;
    cr_assert(hz <= 4800000000ull && hz > 4799990000ull, "15H gives about 4.8 GHz, not %lu", hz);
    g.tsc_khz = 0; /* unknown: the host's (empty here) leaf */
    cr_assert_eq(ask(0x15, 0, &g).ecx, 0, "no rate: the host's leaf");
}

Test(cpuid_policy, table_answer_only_for_whole_answers)
{
    struct cpuid_table t;
    cpuid_table_build(fake_host_ext, NULL, &t);
    const struct cpuid_leaf *r = cpuid_table_answer(&t, 0);
    cr_assert_not_null(r, "leaf 0 needs nothing of the vCPU");
    cr_assert_eq(r->eax, 0x1f);
    cr_assert_eq(r, &t.basic[0], "the table's own entry");
    cr_assert_null(cpuid_table_answer(&t, 1), "leaf 1 has the vCPU's APIC ID: not whole");
    cr_assert_null(cpuid_table_answer(&t, 4), "a leaf with sub-leaves is not held");
    cr_assert_null(cpuid_table_answer(&t, 0x20), "beyond the basic part");
    cr_assert_null(cpuid_table_answer(&t, CPUID_HV_BASE), "Vanderpool's leaves are computed");
    r = cpuid_table_answer(&t, CPUID_EXT_BASE + 8);
    cr_assert_not_null(r);
    cr_assert_eq(r->eax, CPUID_EXT_BASE + 8);
    cr_assert_null(cpuid_table_answer(&t, CPUID_EXT_BASE + 9), "beyond the extended part");
    cr_assert_null(cpuid_table_answer(&t, 0xffffffffu), "the top leaf");
    for (uint32_t leaf = 0; leaf < CPUID_TABLE_BASIC; leaf++) {
        struct cpuid_leaf got;
        enum cpuid_hit h = cpuid_table_get(&t, leaf, &got);
        cr_assert_eq(cpuid_table_answer(&t, leaf) != NULL, h == CPUID_HIT, "leaf 0x%x", leaf);
    }
}

Test(cpuid_policy, table_answer_empty_table)
{
    struct cpuid_table t;
    memset(&t, 0, sizeof(t));
    cr_assert_null(cpuid_table_answer(&t, 0));
    cr_assert_null(cpuid_table_answer(&t, CPUID_EXT_BASE));
}

Test(cpuid_policy, prerequisites_applied)
{
    struct cpuid_vcpu g = {.xcr0 = 0x7};
    /* AMX shown by the host, its tile state never offered (cpuid_guest_xcr0_mask) */
    cr_assert_eq(ask(7, 0, &g).edx & ((1u << 22) | (1u << 24) | (1u << 25)), 0, "AMX hidden");
    host[1].r.ecx &= ~(1u << 26); /* a host without XSAVE */
    struct cpuid_leaf l1 = ask(1, 0, &g), l7 = ask(7, 0, &g);
    host[1].r.ecx |= 1u << 26;
    cr_assert_eq(l1.ecx & (1u << 28), 0, "no AVX without XSAVE");
    cr_assert_eq(l7.ebx & (1u << 5), 0, "and so no AVX2");
    cr_assert_neq(ask(7, 0, &g).ebx & (1u << 5), 0, "AVX2 with XSAVE back");
    struct cpuid_table t;
    cpuid_table_build(fake_host, NULL, &t);
    struct cpuid_leaf r;
    cr_assert_eq(cpuid_table_get(&t, 1, &r), CPUID_HIT_ADJUST);
    cr_assert_neq(r.ecx & (1u << 28), 0, "the table's leaf 1 keeps AVX");
}

Test(cpuid_policy, component_without_size_not_offered)
{
    struct cpuid_vcpu g = {.xcr0 = 0x7};
    cr_assert_neq(ask(0xd, 0, &g).eax & (1u << 9), 0, "PKRU offered with its size");
    cr_assert_neq(ask(7, 0, &g).ecx & (1u << 3), 0, "and PKU shown");
    host[14].r = (struct cpuid_leaf){0, 0, 0, 0}; /* Bochs's icelake_u: PKRU of size 0 */
    struct cpuid_leaf d = ask(0xd, 0, &g), l7 = ask(7, 0, &g), d9 = ask(0xd, 9, &g);
    host[14].r = (struct cpuid_leaf){8, 2688, 0, 0};
    cr_assert_eq(d.eax & (1u << 9), 0, "PKRU not in the XCR0 mask");
    cr_assert_eq(d.ecx, 2688, "the largest size ends at ZMM_Hi256's end");
    cr_assert_eq(l7.ecx & (1u << 3), 0, "no PKU without PKRU");
    cr_assert_eq(d9.eax | d9.ebx, 0, "its sub-leaf empty");
    host[13].r.eax = 0; /* ZMM_Hi256 (7) without a size: no AVX-512 state at all */
    d = ask(0xd, 0, &g);
    l7 = ask(7, 0, &g);
    host[13].r.eax = 1024;
    cr_assert_eq(d.eax & 0xe0, 0, "AVX-512's components all or none");
    cr_assert_eq(l7.ebx & (1u << 16), 0, "AVX-512F hidden");
}
