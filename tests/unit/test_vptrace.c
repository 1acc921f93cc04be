/* tests/unit/test_vptrace.c - tools/vptrace: the dump parser on good and malformed input (every
 * error names its line, nothing crashes), the analysis (attribution of exits to vCPUs, the
 * exit table, the check against the exit statistics) and the CSV and SVG writers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"
#include "tools/vptrace_analyse.h"
#include "tools/vptrace_parse.h"
#include "tools/vptrace_report.h"
#include "tools/vptrace_svg.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A format-2 dump as the hypervisor prints it: guest0 on CPU 0 with three exits, then the exit
 * statistics; other lines of the log around it. */
static const char good[] =
    "Vanderpool - a VT-x hypervisor - booting\n"
    "  exits cpu=0 reason=10 CPUID                  count=2 avg_ticks=80\n"
    "  exits cpu=0 reason=30 IO_INSTRUCTION         count=1 avg_ticks=500\n"
    "TRACE-FORMAT 2\n"
    "TRACE-VCPU vcpu=0 id=0 cpu=0 name=guest0\n"
    "TRACE-BEGIN cpu=0 count=5 total=5 dropped=0\n"
    "TRACE cpu=0 seq=0 tsc=100 type=BOOT_STAGE v0=0x1 v1=0x0 v2=0x0 v3=0x0\n"
    "TRACE cpu=0 seq=1 tsc=1000 type=VM_ENTRY v0=0x0 v1=0x0 v2=0x0 v3=0x0\n"
    "TRACE cpu=0 seq=2 tsc=1100 type=VM_EXIT v0=0xa v1=0x1000 v2=0x0 v3=0x50\n"
    "TRACE cpu=0 seq=3 tsc=1300 type=VM_EXIT v0=0x1e v1=0x1004 v2=0x3f8 "
    "v3=0x1f4\n"
    "TRACE cpu=0 seq=4 tsc=2000 type=VM_EXIT v0=0xa v1=0x1008 v2=0x0 v3=0x6e\n"
    "TRACE-END cpu=0\n"
    "Vanderpool: power off (end of scenario)\n";

static int parse(struct vpt_trace *t, const char *text, char *err, size_t errlen)
{
    vpt_init(t);
    err[0] = '\0';
    return vpt_parse_text(t, text, strlen(text), err, errlen);
}

Test(vptrace, parses_a_format_2_dump)
{
    struct vpt_trace t;
    char err[256];
    cr_assert_eq(parse(&t, good, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(t.format, 2);
    cr_assert_eq(t.ndump, 1);
    cr_assert_eq(t.nrec, 5);
    cr_assert_eq(t.nvcpu, 1);
    cr_assert_str_eq(t.vcpu[0].name, "guest0");
    cr_assert_eq(t.nstat, 2);
    cr_assert_eq(t.stat[1].reason, 30);
    cr_assert_eq(t.stat[1].count, 1);
    cr_assert_eq(t.dump[0].count, 5);
    cr_assert_eq(t.rec[3].type, TRACE_VM_EXIT);
    cr_assert_eq(t.rec[3].tsc, 1300);
    cr_assert_eq(t.rec[3].v[2], 0x3f8);
    cr_assert_eq(t.rec[3].v[3], 500);
    cr_assert_eq(t.rec[3].line, 10);
    vpt_free(&t);
}

Test(vptrace, analysis_attributes_exits_and_counts_ticks)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char err[256];
    cr_assert_eq(parse(&t, good, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(vpt_analyse(&t, &a), 0);
    cr_assert_eq(a.exits, 3);
    cr_assert_eq(a.ngroup, 1);
    const struct vpt_group *g = &a.group[0];
    cr_assert_str_eq(g->name, "guest0");
    cr_assert_eq(g->exits, 3);
    cr_assert_eq(g->runs, 1);
    cr_assert_eq(g->handler_ticks, 0x50 + 0x1f4 + 0x6e);
    /* guest: 1000->1100, 1180->1300, 1800->2000 */
    cr_assert_eq(g->guest_ticks, 100 + 120 + 200);
    cr_assert_eq(a.nranked, 2);
    cr_assert_eq(a.reason_rank[0], 10, "CPUID has the most exits");
    for (size_t k = 0; k < g->nreason; k++) {
        if (g->reason[k].reason != 10)
            continue;
        cr_assert_eq(g->reason[k].count, 2);
        cr_assert_eq(g->reason[k].min, 0x50);
        cr_assert_eq(g->reason[k].max, 0x6e);
        cr_assert_eq(g->reason[k].total, 0x50 + 0x6e);
    }
    cr_assert_eq(a.first_tsc, 1000);
    cr_assert_eq(a.last_tsc, 2000 + 0x6e);
    cr_assert_eq(a.check, VPT_CHECK_MATCH, "%s", a.check_msg);
    cr_assert_eq(a.group_of[0], VPT_NONE, "a BOOT_STAGE record belongs to no vCPU");
    cr_assert_eq(a.group_of[2], 0);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

/* Replaces the first `from` in text by `to` (a copy the caller frees). */
static char *edited(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    cr_assert_not_null(at, "'%s' not in the text", from);
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    size_t head = (size_t)(at - text);
    memcpy(s, text, head);
    strcpy(s + head, to);
    strcat(s, at + strlen(from));
    return s;
}

static void analyse_text(const char *text, struct vpt_trace *t, struct vpt_analysis *a)
{
    char err[256];
    cr_assert_eq(parse(t, text, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(vpt_analyse(t, a), 0);
}

Test(vptrace, check_finds_a_count_that_differs)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *s = edited(good, "reason=10 CPUID                  count=2", "reason=10 CPUID count=3");
    analyse_text(s, &t, &a);
    cr_assert_eq(a.check, VPT_CHECK_MISMATCH);
    cr_assert(strstr(a.check_msg, "CPU 0 CPUID: 2 records, statistics 3") != NULL, "%s",
              a.check_msg);
    vpt_analysis_free(&a);
    vpt_free(&t);
    free(s);
}

Test(vptrace, check_finds_a_reason_without_statistics)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *s =
        edited(good, "  exits cpu=0 reason=30 IO_INSTRUCTION         count=1 avg_ticks=500\n", "");
    analyse_text(s, &t, &a);
    cr_assert_eq(a.check, VPT_CHECK_MISMATCH);
    cr_assert(strstr(a.check_msg, "IO_INSTRUCTION: 1 records, no statistics") != NULL, "%s",
              a.check_msg);
    vpt_analysis_free(&a);
    vpt_free(&t);
    free(s);
}

Test(vptrace, check_is_not_claimed_when_records_were_dropped)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *s = edited(good, "count=5 total=5 dropped=0", "count=5 total=9 dropped=4");
    analyse_text(s, &t, &a);
    cr_assert_eq(a.check, VPT_CHECK_INCOMPLETE);
    cr_assert(strstr(a.check_msg, "4 records dropped") != NULL, "%s", a.check_msg);
    cr_assert_eq(a.dropped, 4);
    vpt_analysis_free(&a);
    vpt_free(&t);
    free(s);
}

Test(vptrace, check_needs_statistics)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(strstr(good, "TRACE-FORMAT"), &t, &a);
    cr_assert_eq(a.check, VPT_CHECK_NO_STATS);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, format_1_dump_without_header_attributes_by_vcpu_id)
{
    static const char v1[] = "TRACE-BEGIN cpu=1 count=4 total=4 dropped=0\n"
                             "TRACE cpu=1 seq=0 tsc=10 type=VM_ENTRY v0=0x3 v1=0x0 v2=0x0 v3=0x0\n"
                             "TRACE cpu=1 seq=1 tsc=20 type=VM_EXIT v0=0x1e v1=0x0 v2=0x0 v3=0x5\n"
                             "TRACE cpu=1 seq=2 tsc=30 type=VM_ENTRY v0=0x4 v1=0x1 v2=0x0 v3=0x0\n"
                             "TRACE cpu=1 seq=3 tsc=40 type=VM_EXIT v0=0x34 v1=0x0 v2=0x0 v3=0x5\n"
                             "TRACE-END cpu=1\n";
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(v1, &t, &a);
    cr_assert_eq(t.format, 1);
    cr_assert_eq(a.ngroup, 2);
    cr_assert_str_eq(a.group[0].name, "vCPU id 3");
    cr_assert_str_eq(a.group[1].name, "vCPU id 4");
    cr_assert_eq(a.group[1].reason[0].reason, 52);
    cr_assert_eq(a.group[0].exits, 1);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

/* Two vCPUs time-sliced on one CPU: each exit belongs to the last VM_ENTRY before it. */
Test(vptrace, exits_follow_the_last_vm_entry_of_their_cpu)
{
    static const char two[] = "TRACE-FORMAT 2\n"
                              "TRACE-VCPU vcpu=0 id=0 cpu=1 name=s1\n"
                              "TRACE-VCPU vcpu=1 id=1 cpu=1 name=s2\n"
                              "TRACE-BEGIN cpu=1 count=6 total=6 dropped=0\n"
                              "TRACE cpu=1 seq=0 tsc=10 type=VM_ENTRY v0=0x0 v1=0x0 v2=0x0 v3=0x0\n"
                              "TRACE cpu=1 seq=1 tsc=20 type=VM_EXIT v0=0x34 v1=0x0 v2=0x0 v3=0x5\n"
                              "TRACE cpu=1 seq=2 tsc=30 type=VM_ENTRY v0=0x1 v1=0x0 v2=0x1 v3=0x0\n"
                              "TRACE cpu=1 seq=3 tsc=40 type=VM_EXIT v0=0x34 v1=0x0 v2=0x0 v3=0x5\n"
                              "TRACE cpu=1 seq=4 tsc=50 type=VM_ENTRY v0=0x0 v1=0x1 v2=0x0 v3=0x0\n"
                              "TRACE cpu=1 seq=5 tsc=60 type=VM_EXIT v0=0x1e v1=0x0 v2=0x0 v3=0x5\n"
                              "TRACE-END cpu=1\n";
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(two, &t, &a);
    cr_assert_eq(a.ngroup, 2);
    cr_assert_str_eq(a.group[0].name, "s1");
    cr_assert_eq(a.group[0].exits, 2);
    cr_assert_eq(a.group[0].runs, 2);
    cr_assert_str_eq(a.group[1].name, "s2");
    cr_assert_eq(a.group[1].exits, 1);
    cr_assert_eq(a.nrun, 3);
    cr_assert_eq(a.group_of[5], 0);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, exits_before_the_first_entry_go_to_the_only_vcpu_of_the_cpu)
{
    char *s =
        edited(good, "TRACE cpu=0 seq=1 tsc=1000 type=VM_ENTRY v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", "");
    char *s2 = edited(s, "count=5 total=5 dropped=0", "count=4 total=5 dropped=1");
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(s2, &t, &a);
    cr_assert_eq(a.ngroup, 1);
    cr_assert_str_eq(a.group[0].name, "guest0");
    cr_assert_eq(a.group[0].exits, 3);
    cr_assert_eq(a.check, VPT_CHECK_INCOMPLETE);
    vpt_analysis_free(&a);
    vpt_free(&t);
    free(s);
    free(s2);
}

Test(vptrace, a_later_set_replaces_an_earlier_one)
{
    static const char sets[] = "TRACE-FORMAT 2\n"
                               "TRACE-BEGIN cpu=0 count=1 total=1 dropped=0\n"
                               "TRACE cpu=0 seq=0 tsc=5 type=TEST v0=0x1 v1=0x0 v2=0x0 v3=0x0\n"
                               "TRACE-END cpu=0\n"
                               "TRACE-FORMAT 2\n"
                               "TRACE-BEGIN cpu=0 count=2 total=2 dropped=0\n"
                               "TRACE cpu=0 seq=0 tsc=5 type=TEST v0=0x1 v1=0x0 v2=0x0 v3=0x0\n"
                               "TRACE cpu=0 seq=1 tsc=6 type=NOTE v0=0xe5 v1=0x0 v2=0x0 v3=0x0\n"
                               "TRACE-END cpu=0\n";
    struct vpt_trace t;
    char err[256];
    cr_assert_eq(parse(&t, sets, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(t.sets_skipped, 1);
    cr_assert_eq(t.ndump, 1);
    cr_assert_eq(t.nrec, 2);
    cr_assert_eq(t.rec[1].type, TRACE_NOTE);
    vpt_free(&t);
}

Test(vptrace, panic_tail_is_used_only_without_a_whole_dump)
{
    static const char tail[] =
        "TRACE-TAIL cpu=0 last=2 of count=40\n"
        "TRACE cpu=0 seq=38 tsc=5 type=VM_ENTRY v0=0x0 v1=0x1 v2=0x0 v3=0x0\n"
        "TRACE cpu=0 seq=39 tsc=9 type=VM_EXIT v0=0x2 v1=0x0 v2=0x0 v3=0x7\n"
        "TRACE-TAIL cpu=1 last=0 of count=0\n";
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(tail, &t, &a);
    cr_assert_eq(t.ndump, 2);
    cr_assert(t.dump[0].tail);
    cr_assert_not(t.dump[0].superseded);
    cr_assert_eq(a.exits, 1);
    cr_assert_eq(a.tails, 2);
    vpt_analysis_free(&a);
    vpt_free(&t);

    char text[2048];
    snprintf(text, sizeof(text), "%s%s", tail,
             "TRACE-BEGIN cpu=0 count=1 total=1 dropped=0\n"
             "TRACE cpu=0 seq=0 tsc=5 type=TEST v0=0x1 v1=0x0 v2=0x0 v3=0x0\n"
             "TRACE-END cpu=0\n");
    analyse_text(text, &t, &a);
    cr_assert(t.dump[0].superseded, "the whole dump of CPU 0 replaces its tail");
    cr_assert_eq(a.exits, 0);
    cr_assert_eq(a.records, 1);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, crlf_lines_and_type_numbers_are_read)
{
    static const char crlf[] = "TRACE-FORMAT 2\r\n"
                               "TRACE-BEGIN cpu=2 count=1 total=1 dropped=0\r\n"
                               "TRACE cpu=2 seq=7 tsc=5 type=40 v0=0xABC v1=0x0 v2=0x0 v3=0x0\r\n"
                               "TRACE-END cpu=2\r\n";
    struct vpt_trace t;
    char err[256];
    cr_assert_eq(parse(&t, crlf, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(t.rec[0].type, 40);
    cr_assert_eq(t.rec[0].v[0], 0xabc);
    vpt_free(&t);
}

/* --- malformed and truncated input: an error naming the line, never a crash -------------- */

struct bad_case {
    const char *text;
    int code;
    const char *says; /* expected in the message, after "line N: " */
};

#define B  "TRACE-BEGIN cpu=0 count=2 total=2 dropped=0\n"
#define R0 "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n"
#define E  "TRACE-END cpu=0\n"

static const struct bad_case bad_cases[] = {
    /* 1 */ {R0, VPT_ESTRUCTURE, "line 1: a TRACE record outside a dump"},
    /* 2 */ {B "TRACE cpu=0 seq=0 tsc=1\n", VPT_EFORMAT, "line 2: the line ends where 'type='"},
    /* 3 */
    {B "TRACE cpu=0 sqe=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: expected 'seq=', found 'sqe=0'"},
    /* 4 */
    {B "TRACE cpu=0 seq=x1 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: seq='x1' is not a decimal number"},
    /* 5 */
    {B "TRACE cpu=0 seq=4294967296 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: seq=4294967296 is too big"},
    /* 6 */
    {B "TRACE cpu=0 seq=0 tsc=18446744073709551616 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n",
     VPT_EFORMAT, "line 2: tsc=18446744073709551616 is too big"},
    /* 7 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=12 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: v0='12': expected 0x"},
    /* 8 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x0 v1=0xfg v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: v1='0xfg': 'g' is not a hex digit"},
    /* 9 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x10000000000000000 v3=0x0\n",
     VPT_EFORMAT, "line 2: v2='0x10000000000000000'"},
    /* 10 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=VM_EXITS v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: unknown record type 'VM_EXITS'"},
    /* 11 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0 v4=0x0\n", VPT_EFORMAT,
     "line 2: unexpected text after v3"},
    /* 12 */
    {B "TRACE cpu=0 seq=0  tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: two spaces before 'tsc='"},
    /* 13 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0 \n", VPT_EFORMAT,
     "line 2: a space at the end of the line"},
    /* 14 */
    {B "TRACE cpu=1 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_ESTRUCTURE,
     "line 2: a record of CPU 1 inside the dump of CPU 0"},
    /* 15 */ {B R0 R0, VPT_ESTRUCTURE, "line 3: seq=0 does not follow seq=0"},
    /* 16 */
    {"TRACE-BEGIN cpu=0 count=1 total=1 dropped=0\n" R0 R0, VPT_ESTRUCTURE,
     "line 3: more records than the 1 that line 1 announced"},
    /* 17 */ {E, VPT_ESTRUCTURE, "line 1: TRACE-END of CPU 0 without its TRACE-BEGIN"},
    /* 18 */ {B "TRACE-END cpu=3\n", VPT_ESTRUCTURE, "line 2: TRACE-END of CPU 3 ends the dump of"},
    /* 19 */ {B B, VPT_ESTRUCTURE, "line 2: TRACE-BEGIN inside the dump of CPU 0 begun at line 1"},
    /* 20 */
    {"TRACE-BEGIN cpu=0 count=2 total=3 dropped=0\n", VPT_EFORMAT,
     "line 1: dropped=0, but total - count = 1"},
    /* 21 */
    {"TRACE-BEGIN cpu=0 count=4 total=3 dropped=0\n", VPT_EFORMAT,
     "line 1: count=4 is more than total=3"},
    /* 22 */
    {B R0, VPT_ETRUNCATED, "line 2: the input ends inside the dump of CPU 0 begun at line 1"},
    /* 23 */ {B "TRACE cpu=0 seq=0 tsc=12", VPT_EFORMAT, "line 2: the line ends where 'type='"},
    /* 24 */
    {"TRACE-FORMAT 3\n", VPT_EVERSION, "line 1: trace format 3; this tool reads formats 1 to 2"},
    /* 25 */ {"TRACE-FORMAT two\n", VPT_EFORMAT, "line 1: TRACE-FORMAT='two' is not a decimal"},
    /* 26 */ {"TRACE-FORMAT 0\n", VPT_EFORMAT, "line 1: TRACE-FORMAT 0: formats count from 1"},
    /* 27 */
    {B "TRACE-FORMAT 2\n", VPT_ESTRUCTURE, "line 2: TRACE-FORMAT inside the dump of CPU 0"},
    /* 28 */
    {"TRACE-VCPU vcpu=0 id=0 cpu=0 name=x\n", VPT_ESTRUCTURE,
     "line 1: TRACE-VCPU before any TRACE-FORMAT 2 line"},
    /* 29 */
    {"TRACE-FORMAT 2\nTRACE-VCPU vcpu=0 id=0 cpu=0 name=x\n"
     "TRACE-VCPU vcpu=0 id=1 cpu=0 name=y\n",
     VPT_ESTRUCTURE, "line 3: vcpu=0 was already named differently at line 2"},
    /* 30 */
    {"TRACE-FORMAT 2\nTRACE-VCPU vcpu=0 id=0 cpu=0\n", VPT_EFORMAT,
     "line 2: the line ends where 'name='"},
    /* 31 */
    {"TRACE-FORMAT 2\nTRACE-VCPU vcpu=0 id=0 cpu=0 name=\n", VPT_EFORMAT,
     "line 2: 'name=' has no value"},
    /* 32 */
    {"TRACE-FORMAT 2\nTRACE-VCPU vcpu=0 id=0 cpu=0 name=0123456789012345678901234567890123\n",
     VPT_EFORMAT, "line 2: the name is longer than 31 bytes"},
    /* 33 */ {"TRACE-STUFF cpu=0\n", VPT_EFORMAT, "line 1: unknown trace line 'TRACE-STUFF'"},
    /* 34 */ {"TRACE\n", VPT_EFORMAT, "line 1: a TRACE line without fields"},
    /* 35 */ {"TRACE-END\n", VPT_EFORMAT, "line 1: TRACE-END without its fields"},
    /* 36 */ {B R0 E B, VPT_ESTRUCTURE, "line 4: a second dump of CPU 0 in one set"},
    /* 37 */
    {"TRACE-TAIL cpu=0 last=2 of count=9\n" R0, VPT_ETRUNCATED,
     "line 2: the input ends, but the TRACE-TAIL of CPU 0 at line 1 announced 2 records"},
    /* 38 */
    {"TRACE-TAIL cpu=0 last=2 count=9\n", VPT_EFORMAT, "line 1: expected 'of' after last="},
    /* 39 */
    {"TRACE-TAIL cpu=0 last=10 of count=9\n", VPT_EFORMAT, "line 1: last=10 is more than count=9"},
    /* 40 */
    {"TRACE-TAIL cpu=0 last=2 of count=9\n" R0 B, VPT_ESTRUCTURE,
     "line 3: TRACE-BEGIN, but the TRACE-TAIL of CPU 0 at line 1 announced 2 records"},
    /* 41 */
    {"  exits cpu=0 reason=ten CPUID count=1 avg_ticks=2\n", VPT_EFORMAT,
     "line 1: reason='ten' is not a decimal number"},
    /* 42 */
    {"  exits cpu=0 reason=10 CPUID count=1\n", VPT_EFORMAT,
     "line 1: exit statistics line ends early"},
    /* 43 */
    {B "TRACE cpu=-1 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: cpu='-1' is not a decimal number"},
    /* 44 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=TEST v0=0x v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: v0='0x': expected 0x and 1 to 16 hex digits"},
    /* 45 */
    {B "TRACE cpu=0 seq=0 tsc=1 type= v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: 'type=' has no value"},
    /* 46 */
    {B "TRACE cpu=0 seq=0 tsc=1 type=70000 v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: type=70000 is too big (at most 65535)"},
    /* 47 */ {B "TRACE-END cpu=0 extra\n", VPT_EFORMAT, "line 2: unexpected text after cpu="},
    /* 48 */
    {B "TRACE cpu=70000 seq=0 tsc=1 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n", VPT_EFORMAT,
     "line 2: cpu=70000 is too big (at most 65535)"},
};

Test(vptrace, malformed_inputs_name_their_line)
{
    cr_assert_geq(ARRAY_LEN(bad_cases), 20);
    for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct vpt_trace t;
        char err[256];
        int rc = parse(&t, c->text, err, sizeof(err));
        cr_expect_eq(rc, c->code, "case %zu: code %d, want %d (%s)", i + 1, rc, c->code, err);
        cr_expect(strncmp(err, "line ", 5) == 0, "case %zu: '%s' names no line", i + 1, err);
        cr_expect(strstr(err, c->says) != NULL, "case %zu: '%s' does not say '%s'", i + 1, err,
                  c->says);
        vpt_free(&t);
    }
}

Test(vptrace, a_nul_byte_in_a_record_is_an_error)
{
    static const char text[] = "TRACE-BEGIN cpu=0 count=1 total=1 dropped=0\n"
                               "TRACE cpu=0 seq=0 tsc=1\0 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n"
                               "TRACE-END cpu=0\n";
    struct vpt_trace t;
    char err[256];
    vpt_init(&t);
    int rc = vpt_parse_text(&t, text, sizeof(text) - 1, err, sizeof(err));
    cr_assert_eq(rc, VPT_EFORMAT);
    cr_assert(strstr(err, "line 2: tsc='1?' is not a decimal number") != NULL, "%s", err);
    vpt_free(&t);
}

/* Every prefix of a good dump (a log cut anywhere) parses or gives a line-numbered error. */
Test(vptrace, every_truncation_is_an_error_or_a_whole_dump)
{
    size_t len = strlen(good), end = (size_t)(strstr(good, "TRACE-END cpu=0\n") - good) + 16;
    for (size_t cut = 0; cut <= len; cut++) {
        struct vpt_trace t;
        char err[256] = "";
        vpt_init(&t);
        int rc = vpt_parse_text(&t, good, cut, err, sizeof(err));
        /* From "TRACE" of TRACE-BEGIN on, until TRACE-END's line is whole (its newline may
         * be missing), a cut leaves a broken line or an open dump. */
        size_t begin = (size_t)(strstr(good, "TRACE-BEGIN") - good);
        bool inside = cut >= begin + 5 && cut < end - 1;
        if (inside)
            cr_assert_neq(rc, VPT_OK, "cut at %zu parsed", cut);
        if (rc != VPT_OK)
            cr_assert(strncmp(err, "line ", 5) == 0, "cut at %zu: '%s'", cut, err);
        vpt_free(&t);
    }
}

/* Flipping any one byte of the dump into each of a few bad bytes never crashes the parser. */
Test(vptrace, corrupted_bytes_never_crash)
{
    static const char bytes[] = {' ', '=', '\n', 'x', '9', '\0', '-', (char)0xff};
    size_t len = strlen(good);
    char *copy = malloc(len);
    cr_assert_not_null(copy);
    for (size_t i = 0; i < len; i++) {
        for (size_t b = 0; b < sizeof(bytes); b++) {
            struct vpt_trace t;
            struct vpt_analysis a;
            char err[256] = "";
            memcpy(copy, good, len);
            copy[i] = bytes[b];
            vpt_init(&t);
            if (vpt_parse_text(&t, copy, len, err, sizeof(err)) == VPT_OK) {
                cr_assert_eq(vpt_analyse(&t, &a), 0);
                vpt_analysis_free(&a);
            } else {
                cr_assert(strncmp(err, "line ", 5) == 0, "byte %zu: '%s'", i, err);
            }
            vpt_free(&t);
        }
    }
    free(copy);
}

/* --- outputs ----------------------------------------------------------------------------- */

/* Runs a writer into a string (freed by the caller). */
static char *capture(void (*fn)(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a),
                     const struct vpt_trace *t, const struct vpt_analysis *a)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    cr_assert_not_null(f);
    fn(f, t, a);
    fclose(f);
    return buf;
}

static size_t occurrences(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

Test(vptrace, table_lists_reasons_most_first_and_the_check)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(good, &t, &a);
    char *s = capture(vpt_write_table, &t, &a);
    cr_assert(strstr(s, "guest0 (vcpu 0, id 0) on CPU 0: 3 exits in 1 run") != NULL, "%s", s);
    const char *cpuid = strstr(s, "  CPUID "), *io = strstr(s, "  IO_INSTRUCTION ");
    cr_assert(cpuid != NULL && io != NULL && cpuid < io, "%s", s);
    cr_assert(strstr(s, "  CPUID                             2  66.67%          190  27.54%        "
                        "95        80       110\n") != NULL,
              "%s", s);
    cr_assert(strstr(s, "check: ok: per CPU and reason") != NULL, "%s", s);
    free(s);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, table_flags_dropped_records)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *text = edited(good, "count=5 total=5 dropped=0", "count=5 total=1029 dropped=1024");
    analyse_text(text, &t, &a);
    char *s = capture(vpt_write_table, &t, &a);
    cr_assert(strstr(s, "CPU 0: 5 of 1029 records, 1024 DROPPED") != NULL, "%s", s);
    cr_assert(strstr(s, "check: not made: CPU 0: 1024 records dropped") != NULL, "%s", s);
    free(s);
    free(text);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, csv_has_a_line_per_record_with_decoded_exits)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(good, &t, &a);
    char *s = capture(vpt_write_csv, &t, &a);
    cr_assert_eq(occurrences(s, "\n"), 1 + 5);
    cr_assert(strncmp(s, "cpu,seq,tsc,type,v0,v1,v2,v3,vcpu,vm,exit_reason,", 48) == 0, "%s", s);
    cr_assert(strstr(s, "\n0,3,1300,VM_EXIT,0x1e,0x1004,0x3f8,0x1f4,0,guest0,30,IO_INSTRUCTION,"
                        "0x1004,0x3f8,500,10\n") != NULL,
              "%s", s);
    cr_assert(strstr(s, "\n0,0,100,BOOT_STAGE,0x1,0x0,0x0,0x0,,,,,,,,7\n") != NULL, "%s", s);
    free(s);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

static void timeline_default(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a)
{
    char err[128];
    cr_assert_eq(vpt_write_timeline(f, t, a, NULL, err, sizeof(err)), 0, "%s", err);
}

static void histogram(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a)
{
    char err[128];
    cr_assert_eq(vpt_write_histogram(f, t, a, err, sizeof(err)), 0, "%s", err);
}

Test(vptrace, timeline_has_one_mark_per_exit_and_escapes_names)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *text = edited(good, "name=guest0", "name=a<b&c");
    analyse_text(text, &t, &a);
    char *s = capture(timeline_default, &t, &a);
    cr_assert(strncmp(s, "<?xml version=\"1.0\"", 19) == 0);
    cr_assert(strstr(s, "</svg>\n") != NULL);
    cr_assert_eq(occurrences(s, "<rect class=\"exit "), 3);
    cr_assert_eq(occurrences(s, "<rect class=\"exit r10\""), 2);
    cr_assert(strstr(s, "a&lt;b&amp;c") != NULL);
    cr_assert_null(strstr(s, "a<b"));
    cr_assert_eq(occurrences(s, "<rect"),
                 occurrences(s, "/>") - occurrences(s, "<line") + occurrences(s, "</rect>"),
                 "every rect is closed");
    free(s);
    free(text);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

/* A dump of n exits on CPU 0, alternating CPUID and I/O. */
static char *many_exits(size_t n)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    cr_assert_not_null(f);
    fprintf(f, "TRACE-FORMAT 2\nTRACE-VCPU vcpu=0 id=0 cpu=0 name=g\n");
    fprintf(f, "TRACE-BEGIN cpu=0 count=%zu total=%zu dropped=0\n", n + 1, n + 1);
    fprintf(f, "TRACE cpu=0 seq=0 tsc=1000 type=VM_ENTRY v0=0x0 v1=0x0 v2=0x0 v3=0x0\n");
    for (size_t i = 1; i <= n; i++)
        fprintf(f, "TRACE cpu=0 seq=%zu tsc=%zu type=VM_EXIT v0=0x%x v1=0x0 v2=0x0 v3=0x%zx\n", i,
                1000 + i * 100, i % 2 ? 10u : 30u, 20 + i % 7);
    fprintf(f, "TRACE-END cpu=0\n");
    fclose(f);
    return buf;
}

Test(vptrace, timeline_counts_per_pixel_above_the_mark_limit)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *text = many_exits(VPT_TIMELINE_MARKS_MAX + 1);
    analyse_text(text, &t, &a);
    char *s = capture(timeline_default, &t, &a);
    cr_assert_eq(occurrences(s, "<rect class=\"exit "), 0);
    size_t cols = occurrences(s, "<rect class=\"exits ");
    cr_assert_gt(cols, 0);
    cr_assert_leq(cols, 2 * VPT_SVG_PLOT, "at most one rect per reason and pixel column");
    cr_assert(strstr(s, "above 5000, the marks count the exits of each pixel column") != NULL);
    free(s);
    free(text);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, timeline_range_shows_only_its_exits)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char *text = many_exits(100), *s = NULL, err[160];
    size_t size = 0;
    analyse_text(text, &t, &a);
    struct vpt_timeline_opts o = {.range = true, .from = 1000, .to = 2000}; /* exits 10..20 */
    FILE *f = open_memstream(&s, &size);
    cr_assert_eq(vpt_write_timeline(f, &t, &a, &o, err, sizeof(err)), 0, "%s", err);
    fclose(f);
    cr_assert_eq(occurrences(s, "<rect class=\"exit "), 10, "%s", s);
    free(s);
    o.from = 1000000;
    o.to = 2000000;
    f = open_memstream(&s, &size);
    cr_assert_eq(vpt_write_timeline(f, &t, &a, &o, err, sizeof(err)), -1);
    fclose(f);
    cr_assert(strstr(err, "after the last record") != NULL, "%s", err);
    free(s);
    free(text);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, histogram_has_bars_per_reason_and_bucket)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    analyse_text(good, &t, &a);
    char *s = capture(histogram, &t, &a);
    /* CPUID: 0x50 and 0x6e both in [64, 128); I/O: 0x1f4 in [256, 512) */
    cr_assert_eq(occurrences(s, "<rect class=\"bar r10\""), 1);
    cr_assert_eq(occurrences(s, "<rect class=\"bar r30\""), 1);
    cr_assert(strstr(s, "CPUID: 2 exits of 64 to 127 ticks") != NULL, "%s", s);
    free(s);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, pictures_need_vm_records)
{
    struct vpt_trace t;
    struct vpt_analysis a;
    char err[128] = "";
    analyse_text(B R0 "TRACE cpu=0 seq=1 tsc=2 type=TEST v0=0x0 v1=0x0 v2=0x0 v3=0x0\n" E, &t, &a);
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    cr_assert_eq(vpt_write_timeline(f, &t, &a, NULL, err, sizeof(err)), -1);
    cr_assert(strstr(err, "no VM_ENTRY or VM_EXIT records") != NULL, "%s", err);
    cr_assert_eq(vpt_write_histogram(f, &t, &a, err, sizeof(err)), -1);
    cr_assert(strstr(err, "no VM exits") != NULL, "%s", err);
    fclose(f);
    vpt_analysis_free(&a);
    vpt_free(&t);
}

Test(vptrace, nice_steps_and_short_numbers)
{
    char buf[16];
    cr_assert_eq(vpt_nice_step(7600000, 10), 1000000);
    cr_assert_eq(vpt_nice_step(60000, 10), 10000);
    cr_assert_eq(vpt_nice_step(9, 10), 1);
    cr_assert_eq(vpt_nice_step(150, 10), 20);
    vpt_short_number(1234, buf, sizeof(buf));
    cr_assert_str_eq(buf, "1234");
    vpt_short_number(56000, buf, sizeof(buf));
    cr_assert_str_eq(buf, "56k");
    vpt_short_number(2500000, buf, sizeof(buf));
    cr_assert_str_eq(buf, "2.5M");
}

/* Text of a dump set written by platform/trace.c itself, for the round trip below. */
struct dump_text {
    char buf[8192];
    size_t len;
};

static void dump_line(void *ctx, const char *line)
{
    struct dump_text *d = ctx;
    int n = snprintf(d->buf + d->len, sizeof(d->buf) - d->len, "%s\n", line);
    cr_assert(n > 0 && (size_t)n < sizeof(d->buf) - d->len, "dump too long");
    d->len += (size_t)n;
}

/* A ring that wrapped (12 records into 8 slots), dumped by trace_dump and read back by the
 * parser: the 8 newest records with every field, the dropped count; cut anywhere inside the
 * dump, the text is an error naming its line, never a shorter dump taken as whole. */
Test(vptrace, ring_dump_round_trip_and_truncation)
{
    struct trace_record store[8];
    struct trace_ring r;
    struct dump_text d = {.len = 0};
    char line[TRACE_LINE_MAX];
    trace_ring_init(&r, store, 8, 1);
    trace_append(&r, 10, TRACE_VM_ENTRY, 0, 0, 0, 0);
    for (uint64_t i = 1; i < 12; i++)
        trace_append(&r, 100 * i, TRACE_VM_EXIT, i & 1 ? 10 : 30, 0x1000 + i, i << 32, 50 + i);
    trace_format_header(line, sizeof(line));
    dump_line(&d, line);
    trace_format_vcpu(line, sizeof(line), 0, 0, 1, "g");
    dump_line(&d, line);
    trace_dump(&r, dump_line, &d);

    struct vpt_trace t;
    char err[256];
    cr_assert_eq(parse(&t, d.buf, err, sizeof(err)), VPT_OK, "%s", err);
    cr_assert_eq(t.nrec, 8);
    cr_assert_eq(t.dump[0].total, 12);
    cr_assert_eq(t.dump[0].dropped, 4);
    for (size_t k = 0; k < 8; k++) {
        uint64_t i = 4 + k;
        cr_assert_eq(t.rec[k].seq, i);
        cr_assert_eq(t.rec[k].cpu, 1);
        cr_assert_eq(t.rec[k].type, TRACE_VM_EXIT);
        cr_assert_eq(t.rec[k].tsc, 100 * i);
        cr_assert_eq(t.rec[k].v[0], i & 1 ? 10u : 30u);
        cr_assert_eq(t.rec[k].v[1], 0x1000 + i);
        cr_assert_eq(t.rec[k].v[2], i << 32);
        cr_assert_eq(t.rec[k].v[3], 50 + i);
    }
    vpt_free(&t);

    size_t begin = (size_t)(strstr(d.buf, "TRACE-BEGIN") - d.buf);
    size_t end = (size_t)(strstr(d.buf, "TRACE-END") - d.buf);
    for (size_t cut = begin + 5; cut < end + 5; cut++) {
        vpt_init(&t);
        err[0] = '\0';
        int rc = vpt_parse_text(&t, d.buf, cut, err, sizeof(err));
        cr_assert_neq(rc, VPT_OK, "cut at %zu parsed", cut);
        cr_assert(strncmp(err, "line ", 5) == 0, "cut at %zu: '%s'", cut, err);
        vpt_free(&t);
    }
}
