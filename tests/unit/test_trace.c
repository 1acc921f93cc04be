/* tests/unit/test_trace.c - platform/trace.c: ring contents and order through wrap-around,
 * counts, the text form of records and dumps, and reads racing with the writer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "platform/trace.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Collects dump lines, one string each. */
struct lines {
    char text[64][TRACE_LINE_MAX];
    int n;
};

static void collect(void *ctx, const char *line)
{
    struct lines *l = ctx;
    cr_assert_lt(l->n, (int)ARRAY_LEN(l->text), "too many lines");
    snprintf(l->text[l->n++], TRACE_LINE_MAX, "%s", line);
}

/* Appends records 0..n-1 whose values are derived from their number. */
static void fill(struct trace_ring *r, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        trace_append(r, 1000 + i, TRACE_TEST, i, i * 2, i * 3, ~i);
}

static void check_record(const struct trace_record *rec, uint64_t n, uint16_t cpu)
{
    cr_assert_eq(rec->seq, (uint32_t)n);
    cr_assert_eq(rec->tsc, 1000 + n);
    cr_assert_eq(rec->cpu, cpu);
    cr_assert_eq(rec->type, TRACE_TEST);
    cr_assert_eq(rec->v[0], n);
    cr_assert_eq(rec->v[1], n * 2);
    cr_assert_eq(rec->v[2], n * 3);
    cr_assert_eq(rec->v[3], ~n);
}

Test(trace, empty_ring)
{
    struct trace_record store[8];
    struct trace_ring r;
    struct trace_record out;
    struct lines l = {.n = 0};
    trace_ring_init(&r, store, 8, 3);
    cr_assert_eq(trace_count(&r), 0);
    cr_assert_eq(trace_total(&r), 0);
    cr_assert_not(trace_get(&r, 0, &out));
    trace_dump(&r, collect, &l);
    cr_assert_eq(l.n, 2);
    cr_assert_str_eq(l.text[0], "TRACE-BEGIN cpu=3 count=0 total=0 dropped=0");
    cr_assert_str_eq(l.text[1], "TRACE-END cpu=3");
}

Test(trace, fill_below_capacity)
{
    struct trace_record store[8];
    struct trace_ring r;
    struct trace_record out;
    trace_ring_init(&r, store, 8, 1);
    fill(&r, 5);
    cr_assert_eq(trace_count(&r), 5);
    cr_assert_eq(trace_total(&r), 5);
    for (uint32_t i = 0; i < 5; i++) {
        cr_assert(trace_get(&r, i, &out));
        check_record(&out, i, 1);
    }
    cr_assert_not(trace_get(&r, 5, &out));
}

Test(trace, wrap_around_keeps_newest_oldest_first)
{
    struct trace_record store[4 + 1];
    struct trace_ring r;
    struct trace_record out;
    memset(&store[4], 0xAB, sizeof(store[4])); /* guard after the ring */
    trace_ring_init(&r, store, 4, 2);
    fill(&r, 4 * 5 + 3); /* wraps five times */
    cr_assert_eq(trace_count(&r), 4);
    cr_assert_eq(trace_total(&r), 23);
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert(trace_get(&r, i, &out));
        check_record(&out, 19 + i, 2);
    }
    cr_assert_not(trace_get(&r, 4, &out));
    cr_assert_eq(((unsigned char *)&store[4])[0], 0xAB, "wrote past the ring");
}

Test(trace, dump_reports_dropped_records)
{
    struct trace_record store[4];
    struct trace_ring r;
    struct lines l = {.n = 0};
    trace_ring_init(&r, store, 4, 0);
    fill(&r, 10);
    trace_dump(&r, collect, &l);
    cr_assert_eq(l.n, 6);
    cr_assert_str_eq(l.text[0], "TRACE-BEGIN cpu=0 count=4 total=10 dropped=6");
    cr_assert_str_eq(l.text[1], "TRACE cpu=0 seq=6 tsc=1006 type=TEST v0=0x6 v1=0xc v2=0x12 "
                                "v3=0xfffffffffffffff9");
    cr_assert_str_eq(l.text[4], "TRACE cpu=0 seq=9 tsc=1009 type=TEST v0=0x9 v1=0x12 v2=0x1b "
                                "v3=0xfffffffffffffff6");
    cr_assert_str_eq(l.text[5], "TRACE-END cpu=0");
}

Test(trace, exact_line_format)
{
    struct trace_record rec = {.tsc = 123456789,
                               .seq = 7,
                               .cpu = 2,
                               .type = TRACE_VM_EXIT,
                               .v = {0x30, 0x1a4, 0xfffff000, 0}};
    char line[TRACE_LINE_MAX];
    int n = trace_format_record(line, sizeof(line), &rec);
    cr_assert_str_eq(line,
                     "TRACE cpu=2 seq=7 tsc=123456789 type=VM_EXIT v0=0x30 v1=0x1a4 v2=0xfffff000 "
                     "v3=0x0");
    cr_assert_eq(n, (int)strlen(line));
}

Test(trace, longest_line_fits_trace_line_max)
{
    struct trace_record rec = {.tsc = UINT64_MAX,
                               .seq = UINT32_MAX,
                               .cpu = UINT16_MAX,
                               .type = TRACE_VM_ENTRY_FAIL,
                               .v = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    char line[TRACE_LINE_MAX];
    int n = trace_format_record(line, sizeof(line), &rec);
    cr_assert_lt(n, TRACE_LINE_MAX);
    cr_assert_eq(n, (int)strlen(line));
    cr_assert_eq(trace_format_record(line, 10, &rec), n, "truncation changes the length");
    cr_assert_str_eq(line, "TRACE cpu");
}

Test(trace, type_names)
{
    cr_assert_str_eq(trace_type_name(TRACE_BOOT_STAGE), "BOOT_STAGE");
    cr_assert_str_eq(trace_type_name(TRACE_CPU_ONLINE), "CPU_ONLINE");
    cr_assert_str_eq(trace_type_name(TRACE_IPI), "IPI");
    cr_assert_str_eq(trace_type_name(TRACE_XCALL), "XCALL");
    cr_assert_str_eq(trace_type_name(TRACE_EXCEPTION), "EXCEPTION");
    cr_assert_str_eq(trace_type_name(TRACE_TEST), "TEST");
    cr_assert_str_eq(trace_type_name(TRACE_VM_EXIT), "VM_EXIT");
    cr_assert_str_eq(trace_type_name(TRACE_VM_ENTRY), "VM_ENTRY");
    cr_assert_str_eq(trace_type_name(TRACE_VM_ENTRY_FAIL), "VM_ENTRY_FAIL");
    cr_assert_str_eq(trace_type_name(TRACE_NOTE), "NOTE");
}

Test(trace, unknown_types_print_as_numbers)
{
    static const uint16_t unknown[] = {0, 7, TRACE_TYPE_LIMIT - 1, TRACE_TYPE_LIMIT, 65535};
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++)
        cr_assert_null(trace_type_name(unknown[i]), "type %u", unknown[i]);
    struct trace_record rec = {.tsc = 5, .seq = 1, .cpu = 0, .type = 65535, .v = {1, 2, 3, 4}};
    char line[TRACE_LINE_MAX];
    trace_format_record(line, sizeof(line), &rec);
    cr_assert_str_eq(line, "TRACE cpu=0 seq=1 tsc=5 type=65535 v0=0x1 v1=0x2 v2=0x3 v3=0x4");
}

Test(trace, two_rings_as_two_cpus)
{
    struct trace_record sa[4], sb[8];
    struct trace_ring a, b;
    struct trace_record out;
    trace_ring_init(&a, sa, 4, 0);
    trace_ring_init(&b, sb, 8, 1);
    for (uint64_t i = 0; i < 6; i++) {
        trace_append(&a, 100 + i, TRACE_IPI, i, 0, 0, 0);
        trace_append(&b, 200 + i, TRACE_XCALL, 10 + i, 0, 0, 0);
        trace_append(&b, 300 + i, TRACE_XCALL, 20 + i, 0, 0, 0);
    }
    cr_assert_eq(trace_count(&a), 4);
    cr_assert_eq(trace_total(&a), 6);
    cr_assert_eq(trace_count(&b), 8);
    cr_assert_eq(trace_total(&b), 12);
    for (uint32_t i = 0; i < 4; i++) { /* a holds its records 2..5 */
        cr_assert(trace_get(&a, i, &out));
        cr_assert_eq(out.cpu, 0);
        cr_assert_eq(out.seq, 2 + i);
        cr_assert_eq(out.type, TRACE_IPI);
        cr_assert_eq(out.v[0], 2 + i);
    }
    for (uint32_t i = 0; i < 8; i++) { /* b holds its records 4..11, pairs from steps 2..5 */
        cr_assert(trace_get(&b, i, &out));
        cr_assert_eq(out.cpu, 1);
        cr_assert_eq(out.seq, 4 + i);
        cr_assert_eq(out.v[0], (i % 2 ? 20 : 10) + 2 + i / 2);
    }
}

Test(trace, capacity_one)
{
    struct trace_record store[1];
    struct trace_ring r;
    struct trace_record out;
    trace_ring_init(&r, store, 1, 5);
    cr_assert_eq(trace_count(&r), 0);
    fill(&r, 1);
    cr_assert_eq(trace_count(&r), 1);
    cr_assert(trace_get(&r, 0, &out));
    check_record(&out, 0, 5);
    fill(&r, 3); /* appends numbers 1..3 again with values 0..2: the last has value 2 */
    cr_assert_eq(trace_count(&r), 1);
    cr_assert_eq(trace_total(&r), 4);
    cr_assert(trace_get(&r, 0, &out));
    cr_assert_eq(out.seq, 3);
    cr_assert_eq(out.v[0], 2);
    cr_assert_not(trace_get(&r, 1, &out));
}

Test(trace, capacity_rounds_down_to_a_power_of_two)
{
    struct trace_record store[6];
    struct trace_ring r;
    trace_ring_init(&r, store, 6, 0);
    cr_assert_eq(r.capacity, 4);
    fill(&r, 6);
    cr_assert_eq(trace_count(&r), 4);
}

Test(trace, capacity_zero_drops_everything)
{
    struct trace_ring r;
    struct trace_record out;
    struct lines l = {.n = 0};
    trace_ring_init(&r, NULL, 16, 9);
    cr_assert_eq(r.capacity, 0);
    fill(&r, 3);
    cr_assert_eq(trace_count(&r), 0);
    cr_assert_eq(trace_total(&r), 3);
    cr_assert_not(trace_get(&r, 0, &out));
    trace_dump(&r, collect, &l);
    cr_assert_str_eq(l.text[0], "TRACE-BEGIN cpu=9 count=0 total=3 dropped=3");
}

/* The writer's first step in overwriting a slot is to store the new seq; a reader that sees it
 * must drop the record, and the dump shows the gap. */
Test(trace, record_being_overwritten_is_skipped)
{
    struct trace_record store[4];
    struct trace_ring r;
    struct trace_record out;
    struct lines l = {.n = 0};
    trace_ring_init(&r, store, 4, 0);
    fill(&r, 4);
    // cppcheck-suppress unreadVariable ; read through r
    store[0].seq = 4; /* as trace_append of record 4 does before it publishes */
    cr_assert_not(trace_get(&r, 0, &out));
    cr_assert(trace_get(&r, 1, &out));
    check_record(&out, 1, 0);
    trace_dump(&r, collect, &l);
    cr_assert_eq(l.n, 5);
    cr_assert_str_eq(l.text[0], "TRACE-BEGIN cpu=0 count=4 total=4 dropped=0");
    cr_assert(strstr(l.text[1], " seq=1 ") != NULL, "%s", l.text[1]);
}

/* A real writer thread racing a reader: every record the reader accepts must be whole. */
struct race {
    struct trace_ring ring;
    struct trace_record store[8];
    volatile int done;
};

static void *race_writer(void *arg)
{
    struct race *rc = arg;
    for (uint64_t i = 0; i < 300000; i++)
        trace_append(&rc->ring, i, TRACE_TEST, i, ~i, i * 7, i ^ 0x5555);
    __atomic_store_n(&rc->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

Test(trace, concurrent_reader_sees_only_whole_records)
{
    static struct race rc;
    pthread_t t;
    uint64_t good = 0;
    trace_ring_init(&rc.ring, rc.store, 8, 1);
    cr_assert_eq(pthread_create(&t, NULL, race_writer, &rc), 0);
    while (!__atomic_load_n(&rc.done, __ATOMIC_ACQUIRE)) {
        struct trace_record out;
        for (uint32_t i = 0; i < 8; i++) {
            if (!trace_get(&rc.ring, i, &out))
                continue;
            uint64_t n = out.tsc;
            cr_assert_eq(out.seq, (uint32_t)n);
            cr_assert_eq(out.v[0], n);
            cr_assert_eq(out.v[1], ~n);
            cr_assert_eq(out.v[2], n * 7);
            cr_assert_eq(out.v[3], n ^ 0x5555);
            good++;
        }
    }
    pthread_join(t, NULL);
    cr_assert_eq(trace_total(&rc.ring), 300000);
    /* On a loaded machine the writer may finish before the reader ran at all: the records it
     * left must then read whole too (the race itself is checked whenever the threads overlap). */
    for (uint32_t i = 0; i < 8; i++) {
        struct trace_record out;
        cr_assert(trace_get(&rc.ring, i, &out), "record %u of a quiet ring", i);
        cr_assert_eq(out.v[1], ~out.tsc);
        good++;
    }
    cr_assert_gt(good, 0);
}

Test(trace, format_header_line)
{
    char line[TRACE_LINE_MAX];
    int n = trace_format_header(line, sizeof(line));
    cr_assert_str_eq(line, "TRACE-FORMAT 2");
    cr_assert_eq(n, 14);
}

Test(trace, vcpu_line_cleans_the_name)
{
    char line[TRACE_LINE_MAX];
    trace_format_vcpu(line, sizeof(line), 3, 1, 2, "s1");
    cr_assert_str_eq(line, "TRACE-VCPU vcpu=3 id=1 cpu=2 name=s1");
    trace_format_vcpu(line, sizeof(line), 0, 0, 0, "a b\tc\x7f");
    cr_assert_str_eq(line, "TRACE-VCPU vcpu=0 id=0 cpu=0 name=a_b_c_");
    trace_format_vcpu(line, sizeof(line), 0, 0, 0, "");
    cr_assert_str_eq(line, "TRACE-VCPU vcpu=0 id=0 cpu=0 name=?");
    trace_format_vcpu(line, sizeof(line), 0, 0, 0, NULL);
    cr_assert_str_eq(line, "TRACE-VCPU vcpu=0 id=0 cpu=0 name=?");
}

Test(trace, vcpu_line_cuts_long_names_and_fits)
{
    char line[TRACE_LINE_MAX], name[80];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    int n = trace_format_vcpu(line, sizeof(line), UINT32_MAX, UINT32_MAX, UINT32_MAX, name);
    cr_assert_lt(n, TRACE_LINE_MAX);
    const char *v = strstr(line, "name=");
    cr_assert_not_null(v);
    cr_assert_eq(strlen(v + 5), TRACE_VCPU_NAME_MAX);
}

Test(trace, ring_copy_keeps_the_held_records_in_order)
{
    struct trace_record small[4], big[16];
    struct trace_ring a, b;
    struct trace_record out;
    trace_ring_init(&a, small, 4, 0);
    fill(&a, 6); /* holds records 2..5 */
    trace_ring_init(&b, big, 16, 0);
    cr_assert_eq(trace_ring_copy(&b, &a), 4);
    cr_assert_eq(trace_count(&b), 4);
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert(trace_get(&b, i, &out));
        cr_assert_eq(out.seq, i, "renumbered");
        cr_assert_eq(out.tsc, 1000 + 2 + i);
        cr_assert_eq(out.v[0], 2 + i);
        cr_assert_eq(out.v[3], ~(uint64_t)(2 + i));
    }
    trace_append(&b, 9, TRACE_NOTE, 1, 2, 3, 4);
    cr_assert_eq(trace_count(&b), 5);
}

/* trace_append does not store the CPU (one store less on the exit path): the slot's cpu
 * bytes stay as they were, and the reader reports the ring's CPU. */
Test(trace, writer_leaves_cpu_to_the_reader)
{
    struct trace_record store[4];
    struct trace_ring r;
    struct trace_record out;
    struct lines l = {.n = 0};
    memset(store, 0xee, sizeof(store));
    trace_ring_init(&r, store, 4, 7);
    fill(&r, 2);
    cr_assert_eq(store[0].cpu, 0xeeee, "the writer stored cpu");
    cr_assert_eq(store[0].type, TRACE_TEST);
    cr_assert(trace_get(&r, 1, &out));
    check_record(&out, 1, 7);
    trace_dump(&r, collect, &l);
    cr_assert(strncmp(l.text[1], "TRACE cpu=7 seq=0 ", 18) == 0, "%s", l.text[1]);
}

/* Storage with capacity 0 (or rounding down to nothing) is never written: the ring writes
 * into its sink, holds nothing and counts what it dropped. */
Test(trace, capacity_zero_with_storage_leaves_it_alone)
{
    struct trace_record store[2];
    struct trace_ring r;
    struct trace_record out;
    memset(store, 0x5c, sizeof(store));
    trace_ring_init(&r, store, 0, 1);
    cr_assert_eq(r.capacity, 0);
    cr_assert_eq(r.mask, 0);
    fill(&r, 5);
    cr_assert_eq(trace_count(&r), 0);
    cr_assert_eq(trace_total(&r), 5);
    cr_assert_not(trace_get(&r, 0, &out));
    for (size_t i = 0; i < sizeof(store); i++)
        cr_assert_eq(((unsigned char *)store)[i], 0x5c, "byte %zu written", i);
}

Test(trace, mask_is_capacity_minus_one)
{
    struct trace_record store[16];
    struct trace_ring r;
    trace_ring_init(&r, store, 16, 0);
    cr_assert_eq(r.mask, 15);
    trace_ring_init(&r, store, 11, 0); /* rounds down to 8 */
    cr_assert_eq(r.mask, 7);
    trace_ring_init(&r, store, 1, 0);
    cr_assert_eq(r.mask, 0);
}

/* seq is the low 32 bits of the record's number: across 2^32 records it wraps to 0, the slot
 * index keeps following the 64-bit head, and reads still check the right version. */
Test(trace, seq_wraps_at_two_to_the_32)
{
    struct trace_record store[4];
    struct trace_ring r;
    struct trace_record out;
    struct lines l = {.n = 0};
    trace_ring_init(&r, store, 4, 3);
    __atomic_store_n(&r.head, 0xfffffffeull, __ATOMIC_RELEASE); /* as after 2^32 - 2 records */
    for (uint64_t i = 0; i < 4; i++)
        trace_append(&r, 50 + i, TRACE_VM_EXIT, 10, 0x1000 + i, 0, 80 + i);
    cr_assert_eq(trace_total(&r), 0x100000002ull);
    cr_assert_eq(trace_count(&r), 4);
    uint32_t want[4] = {0xfffffffe, 0xffffffff, 0, 1};
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert(trace_get(&r, i, &out));
        cr_assert_eq(out.seq, want[i]);
        cr_assert_eq(out.v[1], 0x1000 + i);
    }
    cr_assert_eq(store[0].seq, 0, "record 2^32 lives in slot 0");
    cr_assert_eq(store[2].seq, 0xfffffffe, "record 2^32 - 2 lives in slot 2");
    trace_dump(&r, collect, &l);
    cr_assert_str_eq(l.text[0], "TRACE-BEGIN cpu=3 count=4 total=4294967298 dropped=4294967294");
    cr_assert_str_eq(l.text[3], "TRACE cpu=3 seq=0 tsc=52 type=VM_EXIT v0=0xa v1=0x1002 v2=0x0 "
                                "v3=0x52");
}

/* A VM_EXIT record as the exit path writes it (vmx/vcpu.c exit_traced_run): the handler's
 * start in tsc, reason, RIP, qualification and handler ticks in v0..v3, all 64 bits kept. */
Test(trace, exit_record_keeps_every_field)
{
    struct trace_record store[2];
    struct trace_ring r;
    struct trace_record out;
    trace_ring_init(&r, store, 2, 1);
    trace_append(&r, 0xfedcba9876543210ull, TRACE_VM_EXIT, 0x80000021u, 0xffffffff81000000ull,
                 0xffffffffffffffffull, 0xffffffffull);
    cr_assert(trace_get(&r, 0, &out));
    cr_assert_eq(out.tsc, 0xfedcba9876543210ull);
    cr_assert_eq(out.type, TRACE_VM_EXIT);
    cr_assert_eq(out.cpu, 1);
    cr_assert_eq(out.v[0], 0x80000021u);
    cr_assert_eq(out.v[1], 0xffffffff81000000ull);
    cr_assert_eq(out.v[2], 0xffffffffffffffffull);
    cr_assert_eq(out.v[3], 0xffffffffull);
}
