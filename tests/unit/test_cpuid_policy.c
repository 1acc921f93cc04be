/* tests/unit/test_cpuid_policy.c - the guest's CPUID: hidden features, APIC IDs, OSXSAVE,
 * FSRM/ERMS, XSAVE sizes computed from the components, XCR0 rules. */
#include <criterion/criterion.h>
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
    cr_assert_eq(r.ebx & (1u << 1), 0, "TSC_ADJUST");
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
