/*
 * tools/vptrace_timeline.c - the timeline picture of tools/vptrace: lanes per CPU with guest
 * time per vCPU and one mark per VM exit (or exits per pixel column above
 * VPT_TIMELINE_MARKS_MAX), an axis in ticks and a legend (docs/trace.md, "Timeline").
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"
#include "tools/vptrace_svg.h"
#include "vmx/vmx_names.h"

#define TOP         64 /* first lane */
#define LANE        66 /* lane height */
#define GUEST_Y     6  /* guest row: offset and height in a lane */
#define GUEST_H     18
#define EXIT_Y      28 /* exit row */
#define EXIT_H      30
#define LEGEND_COLS 4
#define LEGEND_ROW  18

struct view {
    const struct vpt_trace *t;
    const struct vpt_analysis *a;
    uint64_t t0, t1; /* shown: [t0, t1) */
    uint32_t *lanes; /* CPUs with VM records, ascending */
    size_t nlanes;
    size_t marks; /* exits in the range */
    bool per_pixel;
};

static double px(const struct view *v, uint64_t tsc)
{
    if (tsc <= v->t0)
        return VPT_SVG_LEFT;
    if (tsc >= v->t1)
        return VPT_SVG_LEFT + VPT_SVG_PLOT;
    return VPT_SVG_LEFT + (double)(tsc - v->t0) * VPT_SVG_PLOT / (double)(v->t1 - v->t0);
}

static int lane_of(const struct view *v, uint32_t cpu)
{
    for (size_t i = 0; i < v->nlanes; i++)
        if (v->lanes[i] == cpu)
            return (int)i;
    return -1;
}

static bool in_range(const struct view *v, uint64_t from, uint64_t to)
{
    return to >= v->t0 && from < v->t1;
}

/* Walks the guest intervals of the records: from a VM_ENTRY, or the end of an exit handler,
 * to the next exit of the same CPU. */
static void guest_intervals(const struct view *v,
                            void (*fn)(const struct view *v, int lane, uint32_t group,
                                       uint64_t from, uint64_t to, void *ctx),
                            void *ctx)
{
    const struct vpt_trace *t = v->t;
    for (size_t di = 0; di < t->ndump; di++) {
        const struct vpt_dump *d = &t->dump[di];
        bool have = false;
        uint64_t prev = 0;
        int lane = lane_of(v, d->cpu);
        for (size_t i = d->first; !d->superseded && lane >= 0 && i < d->first + d->n; i++) {
            const struct vpt_record *r = &t->rec[i];
            uint32_t g = v->a->group_of[i];
            if (g == VPT_NONE)
                continue;
            if (r->type == TRACE_VM_ENTRY) {
                prev = r->tsc;
                have = true;
                continue;
            }
            if (have && r->tsc > prev && in_range(v, prev, r->tsc))
                fn(v, lane, g, prev, r->tsc, ctx);
            prev = r->tsc + r->v[3];
            have = true;
        }
    }
}

/* Guest time per lane, vCPU group and pixel column, in pixels (0..1 of each column). */
struct coverage {
    double *c; /* [lane][group][column] */
    size_t ngroup;
};

static void cover(const struct view *v, int lane, uint32_t group, uint64_t from, uint64_t to,
                  void *ctx)
{
    struct coverage *cv = ctx;
    double x0 = px(v, from) - VPT_SVG_LEFT, x1 = px(v, to) - VPT_SVG_LEFT;
    double *row = cv->c + ((size_t)lane * cv->ngroup + group) * VPT_SVG_PLOT;
    for (int col = (int)floor(x0); col < VPT_SVG_PLOT && col <= (int)floor(x1); col++) {
        double lo = x0 > col ? x0 : col, hi = x1 < col + 1 ? x1 : col + 1;
        if (hi > lo)
            row[col] += hi - lo;
    }
}

static int draw_guest(FILE *f, const struct view *v)
{
    struct coverage cv = {.ngroup = v->a->ngroup};
    cv.c = calloc(v->nlanes * cv.ngroup * VPT_SVG_PLOT + 1, sizeof(double));
    if (cv.c == NULL)
        return -1;
    guest_intervals(v, cover, &cv);
    for (size_t lane = 0; lane < v->nlanes; lane++) {
        int y = TOP + (int)lane * LANE + GUEST_Y;
        long open_g = -1;
        int open_level = 0, open_x = 0;
        /* One pass per column, and one past the end to close the last span. */
        for (int col = 0; col <= VPT_SVG_PLOT; col++) {
            long best = -1;
            double sum = 0, most = 0;
            for (size_t g = 0; col < VPT_SVG_PLOT && g < cv.ngroup; g++) {
                double c = cv.c[(lane * cv.ngroup + g) * VPT_SVG_PLOT + (size_t)col];
                sum += c;
                if (c > most) {
                    most = c;
                    best = (long)g;
                }
            }
            int level = (int)lround((sum > 1 ? 1 : sum) * 10); /* opacity in tenths */
            if (level == 0)
                best = -1;
            if (best == open_g && level == open_level)
                continue;
            if (open_g >= 0) {
                fprintf(f,
                        "<rect class=\"guest g%ld\" x=\"%d\" y=\"%d\" width=\"%d\" "
                        "height=\"%d\" fill-opacity=\"%.1f\"><title>",
                        open_g, VPT_SVG_LEFT + open_x, y, col - open_x, GUEST_H, open_level / 10.0);
                vpt_svg_escaped(f, v->a->group[open_g].name);
                fprintf(f, " in the guest: %d%% of this time</title></rect>\n", open_level * 10);
            }
            open_g = best;
            open_level = level;
            open_x = col;
        }
    }
    free(cv.c);
    return 0;
}

static void mark_title(FILE *f, const struct view *v, size_t i)
{
    const struct vpt_record *r = &v->t->rec[i];
    char name[24];
    fprintf(f, "<title>");
    vpt_svg_escaped(f, v->a->group[v->a->group_of[i]].name);
    fprintf(f, " seq %u: %s, %" PRIu64 " ticks at +%" PRIu64 ", RIP 0x%" PRIx64 "</title>", r->seq,
            vpt_reason_name((uint32_t)(r->v[0] & VMX_EXIT_BASIC_MASK), name, sizeof(name)), r->v[3],
            r->tsc - v->a->first_tsc, r->v[1]);
}

static bool shown_exit(const struct view *v, size_t i)
{
    const struct vpt_record *r = &v->t->rec[i];
    return r->type == TRACE_VM_EXIT && v->a->group_of[i] != VPT_NONE && lane_of(v, r->cpu) >= 0 &&
           in_range(v, r->tsc, r->tsc + r->v[3]);
}

static void draw_marks(FILE *f, const struct view *v)
{
    for (size_t i = 0; i < v->t->nrec; i++) {
        if (!shown_exit(v, i))
            continue;
        const struct vpt_record *r = &v->t->rec[i];
        double x0 = px(v, r->tsc), x1 = px(v, r->tsc + r->v[3]);
        double w = x1 - x0 < 1.0 ? 1.0 : x1 - x0;
        int y = TOP + lane_of(v, r->cpu) * LANE + EXIT_Y;
        fprintf(f, "<rect class=\"exit r%u\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\">",
                (unsigned)(r->v[0] & VMX_EXIT_BASIC_MASK), x0, y, w, EXIT_H);
        mark_title(f, v, i);
        fprintf(f, "</rect>\n");
    }
}

/* Above VPT_TIMELINE_MARKS_MAX exits: per lane and pixel column a stack of the reasons. */
static int draw_columns(FILE *f, const struct view *v)
{
    const struct vpt_analysis *a = v->a;
    size_t nr = a->nranked;
    uint32_t *n = calloc(v->nlanes * VPT_SVG_PLOT * nr + 1, sizeof(uint32_t));
    char name[24];
    if (n == NULL)
        return -1;
    for (size_t i = 0; i < v->t->nrec; i++) {
        if (!shown_exit(v, i))
            continue;
        const struct vpt_record *r = &v->t->rec[i];
        int col = (int)(px(v, r->tsc) - VPT_SVG_LEFT);
        col = col >= VPT_SVG_PLOT ? VPT_SVG_PLOT - 1 : col;
        int rank = vpt_reason_rank(a, (uint32_t)(r->v[0] & VMX_EXIT_BASIC_MASK));
        n[((size_t)lane_of(v, r->cpu) * VPT_SVG_PLOT + (size_t)col) * nr + (size_t)rank]++;
    }
    for (size_t lane = 0; lane < v->nlanes; lane++) {
        for (int col = 0; col < VPT_SVG_PLOT; col++) {
            const uint32_t *c = &n[(lane * VPT_SVG_PLOT + (size_t)col) * nr];
            uint64_t all = 0;
            for (size_t k = 0; k < nr; k++)
                all += c[k];
            double y = TOP + (double)lane * LANE + EXIT_Y;
            for (size_t k = 0; all && k < nr; k++) {
                if (c[k] == 0)
                    continue;
                double h = (double)EXIT_H * c[k] / (double)all;
                fprintf(f,
                        "<rect class=\"exits r%u\" x=\"%d\" y=\"%.2f\" width=\"1\" "
                        "height=\"%.2f\"><title>%u %s</title></rect>\n",
                        a->reason_rank[k], VPT_SVG_LEFT + col, y, h, c[k],
                        vpt_reason_name(a->reason_rank[k], name, sizeof(name)));
                y += h;
            }
        }
    }
    free(n);
    return 0;
}

static void draw_lanes(FILE *f, const struct view *v)
{
    for (size_t lane = 0; lane < v->nlanes; lane++) {
        int y = TOP + (int)lane * LANE;
        fprintf(f, "<text class=\"head\" x=\"10\" y=\"%d\">CPU %u</text>\n", y + 36,
                v->lanes[lane]);
        fprintf(f,
                "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">guest</text>\n"
                "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">exits</text>\n",
                VPT_SVG_LEFT - 6, y + GUEST_Y + 13, VPT_SVG_LEFT - 6, y + EXIT_Y + 19);
        fprintf(f, "<rect class=\"bg\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
                VPT_SVG_LEFT, y + GUEST_Y, VPT_SVG_PLOT, GUEST_H);
        fprintf(f, "<rect class=\"bg\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
                VPT_SVG_LEFT, y + EXIT_Y, VPT_SVG_PLOT, EXIT_H);
    }
}

static void draw_axis(FILE *f, const struct view *v, int y)
{
    char text[32];
    uint64_t span = v->t1 - v->t0, step = vpt_nice_step(span, 10);
    uint64_t base = v->t0 - v->a->first_tsc; /* ticks shown relative to the first VM record */
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", VPT_SVG_LEFT, y,
            VPT_SVG_LEFT + VPT_SVG_PLOT, y);
    for (uint64_t tick = (base + step - 1) / step * step; tick - base <= span; tick += step) {
        double x = px(v, v->a->first_tsc + tick);
        vpt_short_number(tick, text, sizeof(text));
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, TOP,
                x, y);
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x, y, x,
                y + 5);
        fprintf(f, "<text class=\"small\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                x, y + 17, text);
        if (tick > UINT64_MAX - step)
            break;
    }
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">ticks since the first VM record (TSC "
            "%" PRIu64 "); in Bochs a tick is one emulated instruction</text>\n",
            VPT_SVG_LEFT + VPT_SVG_PLOT / 2, y + 36, v->a->first_tsc);
}

static int legend_rows(size_t n)
{
    return (int)((n + LEGEND_COLS - 1) / LEGEND_COLS);
}

static void draw_legend(FILE *f, const struct view *v, int y)
{
    const struct vpt_analysis *a = v->a;
    const int colw = VPT_SVG_PLOT / LEGEND_COLS;
    char name[24];
    fprintf(f, "<text class=\"head\" x=\"10\" y=\"%d\">Exit reasons</text>\n", y + 10);
    if (v->per_pixel)
        fprintf(f,
                "<text class=\"small\" x=\"10\" y=\"%d\">%zu exits shown: above %d, the marks "
                "count the exits of each pixel column, stacked by reason</text>\n",
                y + 26, v->marks, VPT_TIMELINE_MARKS_MAX);
    else
        fprintf(f,
                "<text class=\"small\" x=\"10\" y=\"%d\">one mark per VM exit (%zu shown), as "
                "wide as its handler ran, at least 1 pixel</text>\n",
                y + 26, v->marks);
    y += 36;
    for (size_t i = 0; i < a->nranked; i++) {
        int x = VPT_SVG_LEFT + (int)(i % LEGEND_COLS) * colw;
        int yy = y + (int)(i / LEGEND_COLS) * LEGEND_ROW;
        uint64_t n = 0;
        for (size_t g = 0; g < a->ngroup; g++)
            for (size_t k = 0; k < a->group[g].nreason; k++)
                n += a->group[g].reason[k].reason == a->reason_rank[i] ? a->group[g].reason[k].count
                                                                       : 0;
        fprintf(f, "<rect class=\"r%u\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>\n",
                a->reason_rank[i], x, yy);
        fprintf(f, "<text x=\"%d\" y=\"%d\">%s (%" PRIu64 ")</text>\n", x + 17, yy + 11,
                vpt_reason_name(a->reason_rank[i], name, sizeof(name)), n);
    }
    y += legend_rows(a->nranked) * LEGEND_ROW + 14;
    fprintf(f, "<text class=\"head\" x=\"10\" y=\"%d\">Guest time</text>\n", y + 10);
    fprintf(f,
            "<text class=\"small\" x=\"10\" y=\"%d\">the vCPU in the guest, paler where the "
            "guest had less of the pixel's time (the rest: exit handlers and the host)</text>\n",
            y + 26);
    y += 36;
    for (size_t g = 0; g < a->ngroup; g++) {
        int x = VPT_SVG_LEFT + (int)(g % LEGEND_COLS) * colw;
        int yy = y + (int)(g / LEGEND_COLS) * LEGEND_ROW;
        fprintf(f, "<rect class=\"g%zu\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>\n", g, x,
                yy);
        fprintf(f, "<text x=\"%d\" y=\"%d\">", x + 17, yy + 11);
        vpt_svg_escaped(f, a->group[g].name);
        fprintf(f, " on CPU %u</text>\n", a->group[g].cpu);
    }
}

static int collect_lanes(struct view *v)
{
    const struct vpt_trace *t = v->t;
    v->lanes = malloc((t->ndump + 1) * sizeof(uint32_t));
    if (v->lanes == NULL)
        return -1;
    for (size_t i = 0; i < t->nrec; i++) {
        if (v->a->group_of[i] == VPT_NONE || lane_of(v, t->rec[i].cpu) >= 0)
            continue;
        size_t j = v->nlanes++; /* insert in CPU order */
        while (j > 0 && v->lanes[j - 1] > t->rec[i].cpu) {
            v->lanes[j] = v->lanes[j - 1];
            j--;
        }
        v->lanes[j] = t->rec[i].cpu;
    }
    return 0;
}

int vpt_write_timeline(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a,
                       const struct vpt_timeline_opts *o, char *err, size_t errlen)
{
    struct view v = {.t = t, .a = a, .t0 = a->first_tsc, .t1 = a->last_tsc};
    char title[160], from[16], to[16];
    if (!a->have_vm) {
        snprintf(err, errlen, "no VM_ENTRY or VM_EXIT records: nothing to draw");
        return -1;
    }
    if (o != NULL && o->range) {
        if (o->from >= o->to || o->from > a->last_tsc - a->first_tsc) {
            snprintf(err, errlen,
                     "the range %" PRIu64 ":%" PRIu64 " is empty or after the last record (the "
                     "records span 0:%" PRIu64 ")",
                     o->from, o->to, a->last_tsc - a->first_tsc);
            return -1;
        }
        v.t0 = a->first_tsc + o->from;
        v.t1 = o->to > UINT64_MAX - a->first_tsc ? UINT64_MAX : a->first_tsc + o->to;
    }
    if (v.t1 <= v.t0)
        v.t1 = v.t0 + 1;
    if (collect_lanes(&v))
        goto oom;
    for (size_t i = 0; i < t->nrec; i++)
        v.marks += shown_exit(&v, i);
    v.per_pixel = v.marks > VPT_TIMELINE_MARKS_MAX;

    int axis_y = TOP + (int)v.nlanes * LANE + 6;
    int legend_y = axis_y + 54;
    int height = legend_y + 36 + legend_rows(a->nranked) * LEGEND_ROW + 14 + 36 +
                 legend_rows(a->ngroup) * LEGEND_ROW + 10;
    vpt_short_number(v.t0 - a->first_tsc, from, sizeof(from));
    vpt_short_number(v.t1 - a->first_tsc, to, sizeof(to));
    snprintf(title, sizeof(title), "vptrace: VM exits over time, %zu %s, %zu %s (ticks %s to %s)",
             v.nlanes, v.nlanes == 1 ? "CPU" : "CPUs", a->ngroup, a->ngroup == 1 ? "vCPU" : "vCPUs",
             from, to);
    vpt_svg_begin(f, height, title, a);
    if (a->dropped || a->gaps || a->tails)
        fprintf(f,
                "<text class=\"small\" x=\"10\" y=\"42\" fill=\"#c53030\">%" PRIu64
                " records were dropped or cut: the oldest part of the run is missing</text>\n",
                a->dropped + a->gaps);
    draw_lanes(f, &v);
    if (draw_guest(f, &v))
        goto oom;
    if (v.per_pixel ? draw_columns(f, &v) : (draw_marks(f, &v), 0))
        goto oom;
    draw_axis(f, &v, axis_y);
    draw_legend(f, &v, legend_y);
    vpt_svg_end(f);
    free(v.lanes);
    return 0;
oom:
    free(v.lanes);
    snprintf(err, errlen, "out of memory");
    return -1;
}
