/* tools/vptrace_report.c - the exit table and the CSV of tools/vptrace (docs/trace.md). */
#include "tools/vptrace_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"
#include "vmx/vmx_names.h"

static double percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void write_dumps(FILE *f, const struct vpt_trace *t)
{
    for (size_t i = 0; i < t->ndump; i++) {
        const struct vpt_dump *d = &t->dump[i];
        if (d->superseded)
            continue;
        if (d->tail) {
            fprintf(f,
                    "  CPU %u: only the last %zu of %" PRIu64
                    " records (a panic's TRACE-TAIL, line %u)\n",
                    d->cpu, d->n, d->total, d->line);
        } else if (d->dropped || d->gaps) {
            fprintf(f,
                    "  CPU %u: %zu of %" PRIu64 " records, %" PRIu64
                    " DROPPED (the ring was full): counts are of the records held\n",
                    d->cpu, d->n, d->total, d->dropped + d->gaps);
        } else {
            fprintf(f, "  CPU %u: %zu of %" PRIu64 " records (none dropped)\n", d->cpu, d->n,
                    d->total);
        }
    }
}

/* Reason rows of one group, most exits first (ties: lower reason number first). */
static int by_count(const void *x, const void *y)
{
    const struct vpt_reason_stat *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->reason < b->reason ? -1 : a->reason > b->reason;
}

static void write_group(FILE *f, const struct vpt_group *g)
{
    char name[24];
    uint64_t busy = g->guest_ticks + g->handler_ticks;
    struct vpt_reason_stat *rows = malloc((g->nreason ? g->nreason : 1) * sizeof(*rows));
    if (rows == NULL) {
        fprintf(f, "  (out of memory)\n");
        return;
    }
    memcpy(rows, g->reason, g->nreason * sizeof(*rows));
    qsort(rows, g->nreason, sizeof(*rows), by_count);

    fprintf(f, "\n%s", g->name);
    if (g->number != VPT_NONE)
        fprintf(f, " (vcpu %u, id %u)", g->number, g->id);
    else if (g->id != VPT_NONE)
        fprintf(f, " (id %u)", g->id);
    fprintf(f, " on CPU %u: %" PRIu64 " %s in %" PRIu64 " %s\n", g->cpu, g->exits,
            plural(g->exits, "exit", "exits"), g->runs, plural(g->runs, "run", "runs"));
    fprintf(f,
            "  time in the guest %" PRIu64 " ticks (%.1f%%), in exit handlers %" PRIu64
            " ticks (%.1f%%)\n",
            g->guest_ticks, percent(g->guest_ticks, busy), g->handler_ticks,
            percent(g->handler_ticks, busy));
    fprintf(f, "  %-26s %8s %7s %12s %7s %9s %9s %9s\n", "reason", "count", "count%", "ticks",
            "ticks%", "avg", "min", "max");
    uint64_t min = UINT64_MAX, max = 0;
    for (size_t i = 0; i < g->nreason; i++) {
        const struct vpt_reason_stat *r = &rows[i];
        fprintf(f,
                "  %-26s %8" PRIu64 " %6.2f%% %12" PRIu64 " %6.2f%% %9" PRIu64 " %9" PRIu64
                " %9" PRIu64 "\n",
                vpt_reason_name(r->reason, name, sizeof(name)), r->count,
                percent(r->count, g->exits), r->total, percent(r->total, g->handler_ticks),
                r->total / r->count, r->min, r->max);
        min = r->min < min ? r->min : min;
        max = r->max > max ? r->max : max;
    }
    fprintf(f,
            "  %-26s %8" PRIu64 " %6.2f%% %12" PRIu64 " %6.2f%% %9" PRIu64 " %9" PRIu64 " %9" PRIu64
            "\n",
            "all", g->exits, 100.0, g->handler_ticks, 100.0,
            g->exits ? g->handler_ticks / g->exits : 0, g->exits ? min : 0, max);
    free(rows);
}

void vpt_write_table(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a)
{
    size_t dumps = 0;
    for (size_t i = 0; i < t->ndump; i++)
        dumps += !t->dump[i].superseded;
    fprintf(f, "vptrace: trace format %d; %zu CPU %s, %" PRIu64 " records, %" PRIu64 " VM %s\n",
            t->format, dumps, plural(dumps, "dump", "dumps"), a->records, a->exits,
            plural(a->exits, "exit", "exits"));
    if (t->sets_skipped)
        fprintf(f, "  (%u earlier dump %s in the input replaced by the last one)\n",
                t->sets_skipped, plural(t->sets_skipped, "set", "sets"));
    write_dumps(f, t);
    fprintf(f, "  ticks: TSC ticks (in Bochs, emulated instructions); handler ticks: from the "
               "exit\n  handler's start to its end; guest: from an entry or a handler's end to the "
               "next exit\n");
    for (size_t i = 0; i < a->ngroup; i++)
        if (a->group[i].exits)
            write_group(f, &a->group[i]);
    if (a->exits == 0)
        fprintf(f, "\nno VM exits in the records\n");
    static const char *const verdict[] = {
        [VPT_CHECK_NO_STATS] = "not made",
        [VPT_CHECK_INCOMPLETE] = "not made",
        [VPT_CHECK_MATCH] = "ok",
        [VPT_CHECK_MISMATCH] = "MISMATCH",
    };
    fprintf(f, "\ncheck: %s: %s\n", verdict[a->check], a->check_msg);
}

/* A CSV field: quoted when it holds a comma or a quote (RFC 4180). */
static void csv_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void vpt_write_csv(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a)
{
    char num[16], name[24];
    fprintf(f, "cpu,seq,tsc,type,v0,v1,v2,v3,vcpu,vm,exit_reason,reason_name,guest_rip,"
               "qualification,handler_ticks,line\n");
    for (size_t di = 0; di < t->ndump; di++) {
        const struct vpt_dump *d = &t->dump[di];
        for (size_t i = d->first; !d->superseded && i < d->first + d->n; i++) {
            const struct vpt_record *r = &t->rec[i];
            const char *type = trace_type_name(r->type);
            if (type == NULL) {
                snprintf(num, sizeof(num), "%u", r->type);
                type = num;
            }
            fprintf(f,
                    "%u,%u,%" PRIu64 ",%s,0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64 ",",
                    r->cpu, r->seq, r->tsc, type, r->v[0], r->v[1], r->v[2], r->v[3]);
            uint32_t g = a->group_of[i];
            if (g != VPT_NONE) {
                if (a->group[g].number != VPT_NONE)
                    fprintf(f, "%u", a->group[g].number);
                fputc(',', f);
                csv_text(f, a->group[g].name);
            } else {
                fputc(',', f);
            }
            if (g != VPT_NONE && r->type == TRACE_VM_EXIT) {
                uint32_t reason = (uint32_t)(r->v[0] & VMX_EXIT_BASIC_MASK);
                fprintf(f, ",%u,%s,0x%" PRIx64 ",0x%" PRIx64 ",%" PRIu64, reason,
                        vpt_reason_name(reason, name, sizeof(name)), r->v[1], r->v[2], r->v[3]);
            } else {
                fputs(",,,,,", f);
            }
            fprintf(f, ",%u\n", r->line);
        }
    }
}
