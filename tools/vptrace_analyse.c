/*
 * tools/vptrace_analyse.c - from parsed records to exit tables, runs and the cross-check with
 * the hypervisor's exit statistics (docs/trace.md, "What vptrace computes").
 */
#include "tools/vptrace_analyse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"
#include "vmx/vmx_names.h"

const char *vpt_reason_name(uint32_t reason, char *buf, size_t size)
{
    const char *n = vmx_exit_reason_name(reason);
    if (n != NULL)
        return n;
    snprintf(buf, size, "reason %u", reason);
    return buf;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, ncap * size);
    if (p == NULL)
        return VPT_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* The group of (cpu, number, id), added when new; VPT_NONE when out of memory. */
static uint32_t group_for(const struct vpt_trace *t, struct vpt_analysis *a, size_t *cap,
                          uint32_t cpu, uint32_t number, uint32_t id)
{
    for (size_t i = 0; i < a->ngroup; i++) {
        const struct vpt_group *g = &a->group[i];
        if (g->cpu == cpu && g->number == number && g->id == id)
            return (uint32_t)i;
    }
    if (grow((void **)&a->group, cap, a->ngroup, sizeof(*a->group)))
        return VPT_NONE;
    struct vpt_group *g = &a->group[a->ngroup];
    memset(g, 0, sizeof(*g));
    g->cpu = cpu;
    g->number = number;
    g->id = id;
    const struct vpt_vcpu *v = number != VPT_NONE ? vpt_find_vcpu(t, number) : NULL;
    if (v != NULL)
        snprintf(g->name, sizeof(g->name), "%s", v->name);
    else if (number != VPT_NONE)
        snprintf(g->name, sizeof(g->name), "vcpu %u", number);
    else if (id != VPT_NONE)
        snprintf(g->name, sizeof(g->name), "vCPU id %u", id);
    else
        snprintf(g->name, sizeof(g->name), "unknown");
    return (uint32_t)a->ngroup++;
}

static int count_exit(struct vpt_group *g, uint32_t reason, uint64_t ticks)
{
    struct vpt_reason_stat *s = NULL;
    for (size_t i = 0; i < g->nreason && s == NULL; i++)
        if (g->reason[i].reason == reason)
            s = &g->reason[i];
    if (s == NULL) {
        if (grow((void **)&g->reason, &g->capreason, g->nreason, sizeof(*g->reason)))
            return VPT_ENOMEM;
        s = &g->reason[g->nreason++];
        *s = (struct vpt_reason_stat){.reason = reason, .min = UINT64_MAX};
    }
    s->count++;
    s->total += ticks;
    s->min = ticks < s->min ? ticks : s->min;
    s->max = ticks > s->max ? ticks : s->max;
    g->exits++;
    g->handler_ticks += ticks;
    return 0;
}

/* The vCPU that exits before the ring's first VM_ENTRY belong to: the only one the TRACE-VCPU
 * lines put on this CPU, if there is exactly one. */
static const struct vpt_vcpu *only_vcpu_of(const struct vpt_trace *t, uint32_t cpu)
{
    const struct vpt_vcpu *found = NULL;
    for (size_t i = 0; i < t->nvcpu; i++) {
        if (t->vcpu[i].cpu != cpu)
            continue;
        if (found != NULL)
            return NULL;
        found = &t->vcpu[i];
    }
    return found;
}

struct walk {
    uint32_t group; /* current vCPU of the CPU, VPT_NONE before the first entry */
    long run;       /* its run in a->run, -1 when none */
    uint64_t prev_end;
    size_t capgroup, caprun;
};

static int start_run(struct vpt_analysis *a, struct walk *w, uint32_t cpu, uint32_t group,
                     uint64_t tsc)
{
    if (grow((void **)&a->run, &w->caprun, a->nrun, sizeof(*a->run)))
        return VPT_ENOMEM;
    a->run[a->nrun] = (struct vpt_run){.cpu = cpu, .group = group, .start = tsc, .end = tsc};
    w->run = (long)a->nrun++;
    w->group = group;
    w->prev_end = tsc;
    a->group[group].runs++;
    return 0;
}

static void span(struct vpt_analysis *a, uint64_t from, uint64_t to)
{
    if (!a->have_vm || from < a->first_tsc)
        a->first_tsc = from;
    if (!a->have_vm || to > a->last_tsc)
        a->last_tsc = to;
    a->have_vm = true;
}

static int walk_dump(const struct vpt_trace *t, struct vpt_analysis *a, struct walk *w,
                     const struct vpt_dump *d)
{
    w->group = VPT_NONE;
    w->run = -1;
    for (size_t i = d->first; i < d->first + d->n; i++) {
        const struct vpt_record *r = &t->rec[i];
        uint32_t g;
        if (r->type == TRACE_VM_ENTRY) {
            bool numbered = t->format >= 2 && r->v[2] != TRACE_VCPU_NONE;
            g = group_for(t, a, &w->capgroup, d->cpu, numbered ? (uint32_t)r->v[2] : VPT_NONE,
                          (uint32_t)r->v[0]);
            if (g == VPT_NONE || start_run(a, w, d->cpu, g, r->tsc))
                return VPT_ENOMEM;
            a->group_of[i] = g;
            span(a, r->tsc, r->tsc);
            continue;
        }
        if (r->type != TRACE_VM_EXIT)
            continue;
        if (w->group == VPT_NONE) { /* its VM_ENTRY was overwritten or never written */
            const struct vpt_vcpu *only = only_vcpu_of(t, d->cpu);
            g = only ? group_for(t, a, &w->capgroup, d->cpu, only->number, only->id)
                     : group_for(t, a, &w->capgroup, d->cpu, VPT_NONE, VPT_NONE);
            if (g == VPT_NONE || start_run(a, w, d->cpu, g, r->tsc))
                return VPT_ENOMEM;
        }
        g = w->group;
        uint64_t ticks = r->v[3];
        uint64_t guest = r->tsc > w->prev_end ? r->tsc - w->prev_end : 0;
        struct vpt_run *run = &a->run[w->run];
        if (count_exit(&a->group[g], (uint32_t)(r->v[0] & VMX_EXIT_BASIC_MASK), ticks))
            return VPT_ENOMEM;
        a->group[g].guest_ticks += guest;
        run->guest_ticks += guest;
        run->exits++;
        w->prev_end = r->tsc + ticks;
        run->end = w->prev_end;
        a->group_of[i] = g;
        a->exits++;
        span(a, r->tsc, r->tsc + ticks);
    }
    return 0;
}

static int rank_reasons(struct vpt_analysis *a)
{
    size_t cap = 0;
    uint64_t *count = NULL;
    for (size_t gi = 0; gi < a->ngroup; gi++) {
        const struct vpt_group *g = &a->group[gi];
        for (size_t k = 0; k < g->nreason; k++) {
            size_t j = 0;
            while (j < a->nranked && a->reason_rank[j] != g->reason[k].reason)
                j++;
            if (j == a->nranked) {
                size_t c2 = cap;
                if (grow((void **)&a->reason_rank, &cap, a->nranked, sizeof(uint32_t)) ||
                    grow((void **)&count, &c2, a->nranked, sizeof(uint64_t))) {
                    free(count);
                    return VPT_ENOMEM;
                }
                a->reason_rank[a->nranked] = g->reason[k].reason;
                count[a->nranked++] = 0;
            }
            count[j] += g->reason[k].count;
        }
    }
    for (size_t i = 1; i < a->nranked; i++) { /* insertion sort: most exits first */
        for (size_t j = i; j > 0; j--) {
            bool before = count[j] > count[j - 1] ||
                          (count[j] == count[j - 1] && a->reason_rank[j] < a->reason_rank[j - 1]);
            if (!before)
                break;
            uint64_t c = count[j];
            count[j] = count[j - 1];
            count[j - 1] = c;
            uint32_t r = a->reason_rank[j];
            a->reason_rank[j] = a->reason_rank[j - 1];
            a->reason_rank[j - 1] = r;
        }
    }
    free(count);
    return 0;
}

int vpt_reason_rank(const struct vpt_analysis *a, uint32_t reason)
{
    for (size_t i = 0; i < a->nranked; i++)
        if (a->reason_rank[i] == reason)
            return (int)i;
    return -1;
}

/* Exits of this reason the records show on this CPU, over its vCPUs. */
static uint64_t records_of(const struct vpt_analysis *a, uint32_t cpu, uint32_t reason)
{
    uint64_t n = 0;
    for (size_t gi = 0; gi < a->ngroup; gi++)
        for (size_t k = 0; a->group[gi].cpu == cpu && k < a->group[gi].nreason; k++)
            if (a->group[gi].reason[k].reason == reason)
                n += a->group[gi].reason[k].count;
    return n;
}

static void note(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(char *msg, size_t size, const char *fmt, ...)
{
    size_t used = strlen(msg);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, size - used, fmt, ap);
    va_end(ap);
}

/* Could the records of this CPU be complete? Says why not into msg. */
static bool cpu_complete(const struct vpt_trace *t, uint32_t cpu, char *msg, size_t size)
{
    bool seen = false;
    for (size_t i = 0; i < t->ndump; i++) {
        const struct vpt_dump *d = &t->dump[i];
        if (d->cpu != cpu || d->superseded)
            continue;
        seen = true;
        if (d->tail) {
            note(msg, size, "%sCPU %u: only a panic's last records", msg[0] ? "; " : "", cpu);
            return false;
        }
        if (d->dropped || d->gaps) {
            note(msg, size, "%sCPU %u: %llu records dropped (the ring was full)",
                 msg[0] ? "; " : "", cpu, (unsigned long long)(d->dropped + d->gaps));
            return false;
        }
    }
    if (!seen)
        note(msg, size, "%sCPU %u: statistics but no dump", msg[0] ? "; " : "", cpu);
    return seen;
}

static void cross_check(const struct vpt_trace *t, struct vpt_analysis *a)
{
    char name[24];
    size_t bad = 0;
    a->check_msg[0] = '\0';
    if (t->nstat == 0) {
        a->check = VPT_CHECK_NO_STATS;
        snprintf(a->check_msg, sizeof(a->check_msg), "the log has no exit statistics lines");
        return;
    }
    bool complete = true;
    for (size_t i = 0; i < t->nstat; i++) {
        bool first = true; /* each CPU once */
        for (size_t j = 0; j < i; j++)
            first = first && t->stat[j].cpu != t->stat[i].cpu;
        if (first && !cpu_complete(t, t->stat[i].cpu, a->check_msg, sizeof(a->check_msg)))
            complete = false;
    }
    if (!complete) {
        a->check = VPT_CHECK_INCOMPLETE;
        return;
    }
    for (size_t i = 0; i < t->nstat; i++) {
        const struct vpt_stat *s = &t->stat[i];
        uint64_t n = records_of(a, s->cpu, s->reason);
        if (n != s->count && bad++ < 5)
            note(a->check_msg, sizeof(a->check_msg), "%sCPU %u %s: %llu records, statistics %llu",
                 bad > 1 ? "; " : "", s->cpu, vpt_reason_name(s->reason, name, sizeof(name)),
                 (unsigned long long)n, (unsigned long long)s->count);
    }
    for (size_t gi = 0; gi < a->ngroup; gi++) {
        const struct vpt_group *g = &a->group[gi];
        for (size_t k = 0; k < g->nreason; k++) {
            bool listed = false;
            for (size_t i = 0; i < t->nstat && !listed; i++)
                listed = t->stat[i].cpu == g->cpu && t->stat[i].reason == g->reason[k].reason;
            if (!listed && bad++ < 5)
                note(a->check_msg, sizeof(a->check_msg), "%sCPU %u %s: %llu records, no statistics",
                     bad > 1 ? "; " : "", g->cpu,
                     vpt_reason_name(g->reason[k].reason, name, sizeof(name)),
                     (unsigned long long)g->reason[k].count);
        }
    }
    if (bad) {
        a->check = VPT_CHECK_MISMATCH;
        return;
    }
    a->check = VPT_CHECK_MATCH;
    snprintf(a->check_msg, sizeof(a->check_msg),
             "per CPU and reason, the exit counts equal the hypervisor's exit statistics (%zu "
             "lines)",
             t->nstat);
}

int vpt_analyse(const struct vpt_trace *t, struct vpt_analysis *a)
{
    struct walk w = {0};
    memset(a, 0, sizeof(*a));
    a->group_of = malloc((t->nrec ? t->nrec : 1) * sizeof(uint32_t));
    if (a->group_of == NULL)
        return VPT_ENOMEM;
    for (size_t i = 0; i < t->nrec; i++)
        a->group_of[i] = VPT_NONE;
    for (size_t i = 0; i < t->ndump; i++) {
        const struct vpt_dump *d = &t->dump[i];
        if (d->superseded)
            continue;
        a->records += d->n;
        a->dropped += d->dropped;
        a->gaps += d->gaps;
        a->tails += d->tail;
        if (walk_dump(t, a, &w, d)) {
            vpt_analysis_free(a);
            return VPT_ENOMEM;
        }
    }
    if (rank_reasons(a)) {
        vpt_analysis_free(a);
        return VPT_ENOMEM;
    }
    cross_check(t, a);
    return 0;
}

void vpt_analysis_free(struct vpt_analysis *a)
{
    for (size_t i = 0; i < a->ngroup; i++)
        free(a->group[i].reason);
    free(a->group);
    free(a->run);
    free(a->group_of);
    free(a->reason_rank);
    memset(a, 0, sizeof(*a));
}
