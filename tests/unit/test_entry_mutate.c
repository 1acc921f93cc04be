/*
 * tests/unit/test_entry_mutate.c - the VMCS mutation generator (vmx/entry_mutate.c):
 * determinism per index and seed, every image differs from its base, and the safety contract
 * of vmx/entry_mutate.h (protected fields and control bits, host fields only to failing values,
 * MSR areas only failing, guest RIP and activity state) over every single mutation and many
 * seeded combinations of the base images of tests/unit/entry_fixture.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/entry_fixture.h"
#include "vmx/entry_check.h"
#include "vmx/entry_mutate.h"
#include "vmx/vmcs_fields.h"

#define SEEDS 300

static struct ef_setup s;
static struct entry_mutate_cfg cfg;

static void setup_base(enum ef_base b)
{
    cr_assert(ef_build(&s, b), "fixture %s", ef_model(b));
    cfg.caps = &s.caps;
    cfg.maxphyaddr = EF_MAXPHYADDR;
}

/* The verdict of base with only the fields of m applied. */
static struct entry_verdict verdict_of_alone(const struct entry_mutation *m)
{
    struct ef_setup t = s;
    struct entry_check_result res;
    ef_rebind(&t);
    for (unsigned i = 0; i < m->nfields; i++)
        vmcs_image_set(&t.im, m->enc[i], m->value[i]);
    entry_check(&t.env, NULL, NULL, &res);
    return res.verdict;
}

static bool is_host_field(uint32_t enc)
{
    return vmcs_enc_area(enc) == VMCS_AREA_HOST;
}

static uint64_t get(const struct vmcs_image *im, uint32_t enc)
{
    uint64_t v = 0;
    vmcs_image_get(im, enc, &v);
    return v;
}

/* The contract of vmx/entry_mutate.h for one produced image and the mutations that made it. */
static void assert_safe(const struct vmcs_image *out, const struct entry_mutation *ms, unsigned n)
{
    static const uint32_t frozen[] = {EXCEPTION_BITMAP,      VMX_PREEMPTION_TIMER_VALUE, HOST_RSP,
                                      HOST_IA32_SYSENTER_CS, HOST_IA32_PERF_GLOBAL_CTRL, GUEST_RSP};
    char text[160];
    /* G1 */
    for (size_t i = 0; i < sizeof(frozen) / sizeof(frozen[0]); i++)
        cr_assert_eq(get(out, frozen[i]), get(&s.im, frozen[i]), "field 0x%x changed", frozen[i]);
    cr_assert_eq(get(out, EPT_POINTER) & 0x000ffffffffff000ULL & ((1ULL << EF_MAXPHYADDR) - 1),
                 get(&s.im, EPT_POINTER) & 0x000ffffffffff000ULL & ((1ULL << EF_MAXPHYADDR) - 1),
                 "EPTP address changed");
    /* G2 */
    cr_assert(get(out, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_ACTIVATE_VMX_PREEMPTION_TIMER);
    cr_assert(get(out, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXTERNAL_INTERRUPT_EXITING);
    cr_assert(get(out, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_NMI_EXITING);
    cr_assert(get(out, CPU_BASED_VM_EXEC_CONTROL) & PROC_BASED_ACTIVATE_SECONDARY_CONTROLS);
    cr_assert(get(out, SECONDARY_VM_EXEC_CONTROL) & PROC_BASED2_ENABLE_EPT);
    uint64_t ex = get(out, VM_EXIT_CONTROLS), ex0 = get(&s.im, VM_EXIT_CONTROLS);
    cr_assert_eq(ex & VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT,
                 ex0 & VM_EXIT_CTL_ACKNOWLEDGE_INTERRUPT_ON_EXIT);
    cr_assert_eq(ex & ex0 & (VM_EXIT_CTL_LOAD_IA32_PAT | VM_EXIT_CTL_LOAD_IA32_EFER),
                 ex0 & (VM_EXIT_CTL_LOAD_IA32_PAT | VM_EXIT_CTL_LOAD_IA32_EFER));
    /* G3: newly set supported entry controls never load guest MSRs */
    uint64_t en = get(out, VM_ENTRY_CONTROLS), en0 = get(&s.im, VM_ENTRY_CONTROLS);
    uint64_t newly = en & ~en0 & s.caps.ctl[VMX_CTL_ENTRY].allowed1;
    cr_assert_eq(newly & 0xffe000u, 0, "entry controls 0x%llx newly set",
                 (unsigned long long)newly);
    for (unsigned i = 0; i < n; i++) {
        const struct entry_mutation *m = &ms[i];
        entry_mutate_format(text, sizeof(text), m);
        /* G4: a changed host field fails on its own (HOST_IA32_PAT/EFER: or is unused) */
        if (is_host_field(m->enc[0])) {
            bool unused = (m->enc[0] == HOST_IA32_PAT && !(ex & VM_EXIT_CTL_LOAD_IA32_PAT)) ||
                          (m->enc[0] == HOST_IA32_EFER && !(ex & VM_EXIT_CTL_LOAD_IA32_EFER));
            struct entry_verdict v = verdict_of_alone(m);
            cr_assert(unused || (v.kind == ENTRY_VERDICT_VMFAIL && v.code == 8),
                      "host mutation %s does not fail the host checks", text);
            if (unused && m->enc[0] == HOST_IA32_PAT)
                cr_assert_eq(get(&s.im, VM_EXIT_CONTROLS) & VM_EXIT_CTL_LOAD_IA32_PAT, 0);
        }
        /* G5: MSR areas only together with a failing address */
        if (m->enc[0] == VM_EXIT_MSR_STORE_COUNT || m->enc[0] == VM_EXIT_MSR_LOAD_COUNT ||
            m->enc[0] == VM_ENTRY_MSR_LOAD_COUNT) {
            struct entry_verdict v = verdict_of_alone(m);
            cr_assert_eq(m->nfields, 2, "%s", text);
            cr_assert(v.kind == ENTRY_VERDICT_VMFAIL && v.code == 7, "%s does not fail", text);
        }
        /* G6 */
        if (m->enc[0] == GUEST_RIP) {
            struct entry_verdict v = verdict_of_alone(m);
            cr_assert_eq(v.code, 33, "%s does not fail", text);
        }
        if (m->enc[0] == GUEST_ACTIVITY_STATE)
            cr_assert(m->value[0] == 1 || m->value[0] >= 4, "%s", text);
    }
}

static void all_singles_are_safe(enum ef_base b)
{
    struct vmcs_image out;
    struct entry_mutation m;
    setup_base(b);
    size_t n = entry_mutate_count(&s.im, &cfg);
    cr_assert_gt(n, 300, "only %zu mutations", n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(entry_mutate_single(&s.im, &cfg, i, &out, &m), 0);
        cr_assert_not(vmcs_image_equal(&out, &s.im), "mutation %zu changes nothing", i);
        cr_assert(m.nfields == 1 || m.nfields == 2);
        for (unsigned f = 0; f < m.nfields; f++)
            cr_assert_eq(get(&out, m.enc[f]), m.value[f]);
        assert_safe(&out, &m, 1);
    }
    cr_assert_eq(entry_mutate_single(&s.im, &cfg, n, &out, &m), -1);
}

Test(entry_mutate, singles_of_64bit_base_differ_and_are_safe)
{
    all_singles_are_safe(EF_64);
}

Test(entry_mutate, singles_of_real_mode_base_differ_and_are_safe)
{
    all_singles_are_safe(EF_REAL);
}

Test(entry_mutate, singles_of_pm32_base_differ_and_are_safe)
{
    all_singles_are_safe(EF_PM32);
}

static void randoms_are_safe(enum ef_base b)
{
    struct vmcs_image out;
    struct entry_mutation ms[ENTRY_MUTATE_MAX_COMBINED];
    unsigned n;
    setup_base(b);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        cr_assert_eq(entry_mutate_random(&s.im, &cfg, seed, &out, ms, &n), 0);
        cr_assert(n >= 2 && n <= 4, "seed %llu: %u mutations", (unsigned long long)seed, n);
        cr_assert_not(vmcs_image_equal(&out, &s.im));
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = i + 1; j < n; j++)
                cr_assert_neq(ms[i].enc[0], ms[j].enc[0], "two mutations of one field");
        assert_safe(&out, ms, n);
    }
}

Test(entry_mutate, random_combinations_of_64bit_base_are_safe)
{
    randoms_are_safe(EF_64);
}

Test(entry_mutate, random_combinations_of_pm32_base_are_safe)
{
    randoms_are_safe(EF_PM32);
}

Test(entry_mutate, same_index_and_seed_give_the_same_image)
{
    struct vmcs_image a, b;
    struct entry_mutation ma[4], mb[4];
    unsigned na, nb;
    setup_base(EF_64);
    size_t n = entry_mutate_count(&s.im, &cfg);
    cr_assert_eq(entry_mutate_count(&s.im, &cfg), n);
    for (size_t i = 0; i < n; i += 7) {
        entry_mutate_single(&s.im, &cfg, i, &a, ma);
        entry_mutate_single(&s.im, &cfg, i, &b, mb);
        cr_assert(vmcs_image_equal(&a, &b));
    }
    for (uint64_t seed = 0; seed < 50; seed++) {
        entry_mutate_random(&s.im, &cfg, seed, &a, ma, &na);
        entry_mutate_random(&s.im, &cfg, seed, &b, mb, &nb);
        cr_assert(vmcs_image_equal(&a, &b), "seed %llu", (unsigned long long)seed);
        cr_assert_eq(na, nb);
    }
}

Test(entry_mutate, different_seeds_give_different_images)
{
    struct vmcs_image a, b;
    unsigned same = 0;
    setup_base(EF_64);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        entry_mutate_random(&s.im, &cfg, seed, &a, NULL, NULL);
        entry_mutate_random(&s.im, &cfg, seed + 1000, &b, NULL, NULL);
        same += vmcs_image_equal(&a, &b);
    }
    cr_assert_lt(same, 3);
}

Test(entry_mutate, singles_are_distinct)
{
    struct vmcs_image a, b;
    setup_base(EF_REAL);
    size_t n = entry_mutate_count(&s.im, &cfg);
    for (size_t i = 0; i + 1 < n; i++) {
        entry_mutate_single(&s.im, &cfg, i, &a, NULL);
        entry_mutate_single(&s.im, &cfg, i + 1, &b, NULL);
        cr_assert_not(vmcs_image_equal(&a, &b), "mutations %zu and %zu are equal", i, i + 1);
    }
}

Test(entry_mutate, singles_hit_many_rules_and_some_pass)
{
    static bool hit[ENTRY_RULE_COUNT];
    struct vmcs_image out;
    unsigned pass = 0, rules = 0;
    setup_base(EF_64);
    size_t n = entry_mutate_count(&s.im, &cfg);
    for (size_t i = 0; i < n; i++) {
        struct entry_check_result res;
        struct entry_finding f[8];
        size_t nf;
        struct entry_check_env env = s.env;
        entry_mutate_single(&s.im, &cfg, i, &out, NULL);
        env.read_ctx = &out;
        entry_check_collect(&env, f, 8, &nf, &res);
        pass += res.verdict.kind == ENTRY_VERDICT_PASS;
        for (size_t k = 0; k < nf; k++)
            if (!f[k].skipped && !hit[f[k].rule]) {
                hit[f[k].rule] = true;
                rules++;
            }
    }
    cr_assert_gt(pass, 20, "%u mutations pass", pass);
    cr_assert_gt(rules, 100, "the single mutations reach only %u rules", rules);
}

static bool same_mutation(const struct entry_mutation *a, const struct entry_mutation *b)
{
    return a->nfields == b->nfields && a->enc[0] == b->enc[0] && a->value[0] == b->value[0] &&
           a->enc[1] == b->enc[1] && a->value[1] == b->value[1] && a->bit == b->bit &&
           strcmp(a->what, b->what) == 0;
}

static void list_matches_walks(enum ef_base b)
{
    static struct entry_mutation list[2048];
    struct vmcs_image a, c;
    struct entry_mutation ma[4], mc[4];
    unsigned na, nc;
    setup_base(b);
    size_t n = entry_mutate_list(&s.im, &cfg, list, 2048);
    cr_assert_eq(n, entry_mutate_count(&s.im, &cfg));
    cr_assert_lt(n, 2048);
    for (size_t i = 0; i < n; i++) {
        struct entry_mutation m;
        cr_assert_eq(entry_mutate_single(&s.im, &cfg, i, &a, &m), 0);
        cr_assert(same_mutation(&m, &list[i]), "%s: mutation %zu differs", ef_model(b), i);
    }
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        cr_assert_eq(entry_mutate_random(&s.im, &cfg, seed, &a, ma, &na), 0);
        cr_assert_eq(entry_mutate_random_from(&s.im, list, n, seed, &c, mc, &nc), 0);
        cr_assert(vmcs_image_equal(&a, &c), "seed %llu: other image", (unsigned long long)seed);
        cr_assert_eq(na, nc);
        for (unsigned i = 0; i < na; i++)
            cr_assert(same_mutation(&ma[i], &mc[i]), "seed %llu: mutation %u differs",
                      (unsigned long long)seed, i);
    }
}

Test(entry_mutate, list_and_random_from_equal_the_walks_64bit)
{
    list_matches_walks(EF_64);
}

Test(entry_mutate, list_and_random_from_equal_the_walks_real_mode)
{
    list_matches_walks(EF_REAL);
}

Test(entry_mutate, list_stops_at_max_and_refuses_bad_arguments)
{
    struct entry_mutation list[4];
    struct vmcs_image out;
    setup_base(EF_64);
    memset(list, 0xa5, sizeof(list));
    size_t n = entry_mutate_list(&s.im, &cfg, list, 3);
    cr_assert_eq(n, entry_mutate_count(&s.im, &cfg), "the count, not the stored number");
    cr_assert_eq(list[3].nfields, 0xa5a5a5a5u, "nothing stored beyond max");
    cr_assert_eq(entry_mutate_list(&s.im, &cfg, NULL, 0), n, "NULL list: count only");
    cr_assert_eq(entry_mutate_list(NULL, &cfg, list, 4), 0);
    cr_assert_eq(entry_mutate_random_from(&s.im, NULL, n, 1, &out, NULL, NULL), -1);
    cr_assert_eq(entry_mutate_random_from(&s.im, list, 1, 1, &out, NULL, NULL), -1, "one entry");
}

Test(entry_mutate, refuses_bad_arguments)
{
    struct vmcs_image out, empty;
    struct entry_mutate_cfg nocaps = {NULL, 40};
    setup_base(EF_64);
    vmcs_image_init(&empty);
    cr_assert_eq(entry_mutate_count(NULL, &cfg), 0);
    cr_assert_eq(entry_mutate_count(&s.im, &nocaps), 0);
    cr_assert_eq(entry_mutate_count(&empty, &cfg), 0);
    cr_assert_eq(entry_mutate_single(&s.im, &cfg, 0, NULL, NULL), -1);
    cr_assert_eq(entry_mutate_random(&empty, &cfg, 1, &out, NULL, NULL), -1);
}

Test(entry_mutate, format_names_fields_and_values)
{
    char buf[160];
    struct entry_mutation m = {1, {GUEST_CS_AR_BYTES, 0}, {0xa09a, 0}, "flip bit", 0};
    entry_mutate_format(buf, sizeof(buf), &m);
    cr_assert_str_eq(buf, "GUEST_CS_AR_BYTES = 0xa09a (flip bit 0)");
    m.what = "unusable";
    m.bit = -1;
    entry_mutate_format(buf, sizeof(buf), &m);
    cr_assert_str_eq(buf, "GUEST_CS_AR_BYTES = 0xa09a (unusable)");
    struct entry_mutation m2 = {2,
                                {VM_ENTRY_MSR_LOAD_COUNT, VM_ENTRY_MSR_LOAD_ADDR},
                                {1, 0x9008},
                                "1 entry at a misaligned address",
                                -1};
    entry_mutate_format(buf, sizeof(buf), &m2);
    cr_assert_str_eq(buf, "VM_ENTRY_MSR_LOAD_COUNT = 0x1, VM_ENTRY_MSR_LOAD_ADDR = 0x9008 (1 entry "
                          "at a misaligned address)");
}

Test(entry_mutate, xorshift_sequence_is_fixed)
{
    uint64_t st = 1, a = entry_mutate_rand(&st), b = entry_mutate_rand(&st);
    uint64_t st2 = 1;
    cr_assert_eq(entry_mutate_rand(&st2), a);
    cr_assert_eq(entry_mutate_rand(&st2), b);
    cr_assert_neq(a, b);
}

/* ---- vmx/vmcs_image ---------------------------------------------------------------------- */

Test(vmcs_image, set_get_remove_and_width)
{
    struct vmcs_image im;
    uint64_t v;
    vmcs_image_init(&im);
    cr_assert_not(vmcs_image_get(&im, GUEST_RIP, &v));
    cr_assert_eq(v, 0);
    cr_assert_eq(vmcs_image_set(&im, GUEST_CS_SELECTOR, 0x12345), 0);
    cr_assert(vmcs_image_get(&im, GUEST_CS_SELECTOR, &v));
    cr_assert_eq(v, 0x2345, "16-bit field keeps 16 bits");
    cr_assert_eq(vmcs_image_set(&im, GUEST_CS_LIMIT, 0x1ffffffffULL), 0);
    vmcs_image_get(&im, GUEST_CS_LIMIT, &v);
    cr_assert_eq(v, 0xffffffff);
    cr_assert_eq(vmcs_image_set(&im, 0x7fff, 1), -1, "unknown encoding");
    cr_assert_eq(vmcs_image_set(&im, VMCS_HIGH(EPT_POINTER), 1), -1, "high access");
    cr_assert_eq(vmcs_image_read(&im, GUEST_CS_LIMIT, &v), 0);
    cr_assert_eq(vmcs_image_read(&im, GUEST_RIP, &v), -1);
    cr_assert(vmcs_image_remove(&im, GUEST_CS_SELECTOR));
    cr_assert_not(vmcs_image_remove(&im, GUEST_CS_SELECTOR));
    cr_assert_eq(im.n, 1);
}

Test(vmcs_image, equal_ignores_order)
{
    struct vmcs_image a, b;
    vmcs_image_init(&a);
    vmcs_image_init(&b);
    vmcs_image_set(&a, GUEST_RIP, 1);
    vmcs_image_set(&a, GUEST_RSP, 2);
    vmcs_image_set(&b, GUEST_RSP, 2);
    vmcs_image_set(&b, GUEST_RIP, 1);
    cr_assert(vmcs_image_equal(&a, &b));
    vmcs_image_set(&b, GUEST_RIP, 3);
    cr_assert_not(vmcs_image_equal(&a, &b));
}
