/*
 * tools/vptrace.c - what the hypervisor did, from its debug record (docs/trace.md): reads a
 * serial log or a saved dump (format 1 or 2) and writes the exit table, a CSV of the records,
 * an SVG timeline and an SVG histogram of handler cost.
 *
 *   vptrace [--table] [--csv FILE] [--timeline FILE.svg] [--histogram FILE.svg]
 *           [--range FROM:TO] [LOG]
 *
 * LOG "-" or none: standard input. Without an output option the table is printed. Exit
 * status: 0 done; 1 the input is unreadable, malformed or holds no dump; 2 bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vptrace_analyse.h"
#include "tools/vptrace_parse.h"
#include "tools/vptrace_report.h"
#include "tools/vptrace_svg.h"

static const char usage[] =
    "usage: vptrace [--table] [--csv FILE] [--timeline FILE.svg] [--histogram FILE.svg]\n"
    "               [--range FROM:TO] [LOG]\n"
    "Reads the debug-record dump in LOG (a serial log of a run with the hypervisor option\n"
    "`tracedump`, or a saved dump; standard input when LOG is - or missing) and writes:\n"
    "  --table          the VM exits per vCPU and CPU: count, share, handler ticks\n"
    "                   (total, average, min, max), and the check against the hypervisor's\n"
    "                   exit statistics (the default when no other output is asked for)\n"
    "  --csv FILE       every record as a CSV line (- for standard output)\n"
    "  --timeline FILE  an SVG timeline: a lane per CPU, a mark per VM exit\n"
    "  --histogram FILE an SVG histogram of handler ticks per exit reason\n"
    "  --range FROM:TO  the timeline shows only ticks FROM to TO, counted from the first\n"
    "                   VM record (e.g. --range 0:2000000)\n"
    "Ticks are TSC ticks; in Bochs one tick is one emulated instruction. docs/trace.md\n"
    "describes the format and the outputs.\n";

static int parse_range(const char *s, struct vpt_timeline_opts *o)
{
    char *end;
    errno = 0;
    unsigned long long from = strtoull(s, &end, 10);
    if (errno || end == s || *end != ':' || s[0] == '-')
        return -1;
    const char *t = end + 1;
    unsigned long long to = strtoull(t, &end, 10);
    if (errno || end == t || *end != '\0' || t[0] == '-' || to <= from)
        return -1;
    o->range = true;
    o->from = from;
    o->to = to;
    return 0;
}

/* Opens path for writing ("-": stdout), runs fn, closes; 0 or 1 with a message. */
static int write_out(const char *path, const char *what,
                     int (*fn)(FILE *f, void *ctx, char *err, size_t errlen), void *ctx)
{
    char err[256] = "";
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "vptrace: cannot write %s %s: %s\n", what, path, strerror(errno));
        return 1;
    }
    int rc = fn(f, ctx, err, sizeof(err));
    int closed = f == stdout ? fflush(f) : fclose(f);
    if (closed != 0) {
        fprintf(stderr, "vptrace: writing %s %s failed: %s\n", what, path, strerror(errno));
        return 1;
    }
    if (rc) {
        fprintf(stderr, "vptrace: %s: %s\n", what, err);
        return 1;
    }
    return 0;
}

struct job {
    const struct vpt_trace *t;
    const struct vpt_analysis *a;
    struct vpt_timeline_opts range;
};

static int do_csv(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct job *j = ctx;
    (void)err;
    (void)errlen;
    vpt_write_csv(f, j->t, j->a);
    return 0;
}

static int do_timeline(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct job *j = ctx;
    return vpt_write_timeline(f, j->t, j->a, &j->range, err, errlen);
}

static int do_histogram(FILE *f, void *ctx, char *err, size_t errlen)
{
    const struct job *j = ctx;
    return vpt_write_histogram(f, j->t, j->a, err, errlen);
}

int main(int argc, char **argv)
{
    const char *csv = NULL, *timeline = NULL, *histogram = NULL, *log = "-";
    bool table = false, have_log = false;
    struct job job = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool takes_value = strcmp(a, "--csv") == 0 || strcmp(a, "--timeline") == 0 ||
                           strcmp(a, "--histogram") == 0 || strcmp(a, "--range") == 0;
        if (takes_value && i + 1 >= argc) {
            fprintf(stderr, "vptrace: %s needs a value\n%s", a, usage);
            return 2;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--table") == 0) {
            table = true;
        } else if (strcmp(a, "--csv") == 0) {
            csv = argv[++i];
        } else if (strcmp(a, "--timeline") == 0) {
            timeline = argv[++i];
        } else if (strcmp(a, "--histogram") == 0) {
            histogram = argv[++i];
        } else if (strcmp(a, "--range") == 0) {
            if (parse_range(argv[++i], &job.range)) {
                fprintf(stderr, "vptrace: --range takes FROM:TO in ticks, FROM < TO, not '%s'\n",
                        argv[i]);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vptrace: unknown option %s\n%s", a, usage);
            return 2;
        } else if (have_log) {
            fprintf(stderr, "vptrace: one LOG only (%s and %s)\n", log, a);
            return 2;
        } else {
            log = a;
            have_log = true;
        }
    }
    if (csv == NULL && timeline == NULL && histogram == NULL)
        table = true;

    FILE *in = strcmp(log, "-") == 0 ? stdin : fopen(log, "r");
    if (in == NULL) {
        fprintf(stderr, "vptrace: cannot open %s: %s\n", log, strerror(errno));
        return 1;
    }
    const char *shown = strcmp(log, "-") == 0 ? "standard input" : log;
    struct vpt_trace t;
    struct vpt_analysis an;
    char err[512];
    vpt_init(&t);
    int rc = vpt_parse_file(&t, in, err, sizeof(err));
    if (in != stdin)
        fclose(in);
    if (rc) {
        fprintf(stderr, "vptrace: %s %s\n", shown, err);
        vpt_free(&t);
        return 1;
    }
    if (t.ndump == 0) {
        fprintf(stderr,
                "vptrace: %s holds no trace dump (TRACE-BEGIN ... TRACE-END); run the "
                "hypervisor with the option tracedump\n",
                shown);
        vpt_free(&t);
        return 1;
    }
    if (vpt_analyse(&t, &an)) {
        fprintf(stderr, "vptrace: out of memory\n");
        vpt_free(&t);
        return 1;
    }
    job.t = &t;
    job.a = &an;
    int status = 0;
    if (csv)
        status |= write_out(csv, "CSV", do_csv, &job);
    if (timeline)
        status |= write_out(timeline, "timeline", do_timeline, &job);
    if (histogram)
        status |= write_out(histogram, "histogram", do_histogram, &job);
    if (table) {
        vpt_write_table(stdout, &t, &an);
        fflush(stdout);
    }
    vpt_analysis_free(&an);
    vpt_free(&t);
    return status;
}
