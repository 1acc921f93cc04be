/* tools/vptrace_svg.c - SVG helpers of tools/vptrace and the handler-cost histogram. */
#include "tools/vptrace_svg.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"
#include "vmx/vmx_names.h"

/* Distinct fills for the most frequent reasons; the others share the last, grey. */
static const char *const reason_fill[] = {
    "#2b6cb0", "#dd6b20", "#38a169", "#e53e3e", "#805ad5", "#975a16", "#d53f8c", "#319795",
    "#b7791f", "#4a5568", "#00a3c4", "#9c4221", "#276749", "#c53030", "#6b46c1", "#a0aec0",
};
#define REASON_FILLS (sizeof(reason_fill) / sizeof(reason_fill[0]))

static const char *const group_fill[] = {"#63b3ed", "#68d391", "#f6ad55", "#fc8181",
                                         "#b794f4", "#4fd1c5", "#f6e05e", "#f687b3"};
#define GROUP_FILLS (sizeof(group_fill) / sizeof(group_fill[0]))

const char *vpt_reason_colour(const struct vpt_analysis *a, uint32_t reason)
{
    int rank = vpt_reason_rank(a, reason);
    if (rank < 0 || (size_t)rank >= REASON_FILLS - 1)
        return reason_fill[REASON_FILLS - 1];
    return reason_fill[rank];
}

const char *vpt_group_colour(uint32_t group)
{
    return group_fill[group % GROUP_FILLS];
}

void vpt_svg_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            /* XML 1.0 allows no control characters but tab, newline and return. */
            fputc((unsigned char)*s < ' ' ? '?' : *s, f);
        }
    }
}

void vpt_svg_begin(FILE *f, int height, const char *title, const struct vpt_analysis *a)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            VPT_SVG_WIDTH, height, VPT_SVG_WIDTH, height);
    fprintf(f, "<title>");
    vpt_svg_escaped(f, title);
    fprintf(f, "</title>\n<style type=\"text/css\"><![CDATA[\n");
    fprintf(f, ".bg{fill:#f4f5f7} .axis{stroke:#333;stroke-width:1} .grid{stroke:#d5d8dc;"
               "stroke-width:1} .small{font-size:10px;fill:#555} .head{font-weight:bold}\n");
    for (size_t i = 0; i < a->nranked; i++)
        fprintf(f, ".r%u{fill:%s}\n", a->reason_rank[i], vpt_reason_colour(a, a->reason_rank[i]));
    for (size_t g = 0; g < a->ngroup; g++)
        fprintf(f, ".g%zu{fill:%s}\n", g, vpt_group_colour((uint32_t)g));
    fprintf(f, "]]></style>\n");
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
            VPT_SVG_WIDTH, height);
    fprintf(f, "<text class=\"head\" x=\"10\" y=\"22\" font-size=\"15\">");
    vpt_svg_escaped(f, title);
    fprintf(f, "</text>\n");
}

void vpt_svg_end(FILE *f)
{
    fprintf(f, "</svg>\n");
}

uint64_t vpt_nice_step(uint64_t span, unsigned most)
{
    static const uint64_t mult[] = {1, 2, 5};
    for (uint64_t p = 1;; p *= 10) {
        for (size_t i = 0; i < 3; i++) {
            uint64_t step = p * mult[i];
            if (span / step < most)
                return step;
        }
        if (p > UINT64_MAX / 100)
            return p * 10;
    }
}

void vpt_short_number(uint64_t v, char *buf, size_t size)
{
    static const struct {
        uint64_t unit;
        const char *suffix;
    } units[] = {{1000000000000ull, "T"}, {1000000000ull, "G"}, {1000000ull, "M"}, {1000ull, "k"}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        uint64_t u = units[i].unit;
        if (v < u || (v < 10000 && u == 1000))
            continue;
        if (v % u == 0)
            snprintf(buf, size, "%" PRIu64 "%s", v / u, units[i].suffix);
        else
            snprintf(buf, size, "%.1f%s", (double)v / (double)u, units[i].suffix);
        return;
    }
    snprintf(buf, size, "%" PRIu64, v);
}

/* --- histogram --------------------------------------------------------------------------- */

#define HIST_BUCKETS 65 /* bucket 0: 0 ticks; bucket k >= 1: [2^(k-1), 2^k) ticks */
#define HIST_TOP     70
#define HIST_PANEL   64 /* height of one reason's panel, bars up to HIST_BAR */
#define HIST_BAR     48

static unsigned bucket_of(uint64_t ticks)
{
    return ticks ? 64u - (unsigned)__builtin_clzll(ticks) : 0u;
}

static void bucket_range(unsigned k, char *buf, size_t size)
{
    char lo[16], hi[16];
    if (k == 0) {
        snprintf(buf, size, "0 ticks");
        return;
    }
    uint64_t low = 1ull << (k - 1), high = k < 64 ? (1ull << k) - 1 : UINT64_MAX;
    vpt_short_number(low, lo, sizeof(lo));
    vpt_short_number(high, hi, sizeof(hi));
    snprintf(buf, size, "%s to %s ticks", lo, hi);
}

int vpt_write_histogram(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a, char *err,
                        size_t errlen)
{
    char name[24], text[64];
    if (a->exits == 0 || a->nranked == 0) {
        snprintf(err, errlen, "no VM exits in the records: nothing to draw");
        return -1;
    }
    uint64_t(*count)[HIST_BUCKETS] = calloc(a->nranked, sizeof(*count));
    if (count == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    unsigned kmin = HIST_BUCKETS, kmax = 0;
    for (size_t i = 0; i < t->nrec; i++) {
        if (a->group_of[i] == VPT_NONE || t->rec[i].type != TRACE_VM_EXIT)
            continue;
        int rank = vpt_reason_rank(a, (uint32_t)(t->rec[i].v[0] & VMX_EXIT_BASIC_MASK));
        unsigned k = bucket_of(t->rec[i].v[3]);
        count[rank][k]++;
        kmin = k < kmin ? k : kmin;
        kmax = k > kmax ? k : kmax;
    }
    unsigned ncol = kmax - kmin + 1;
    double colw = (double)VPT_SVG_PLOT / ncol;
    int axis_y = HIST_TOP + (int)a->nranked * HIST_PANEL;
    int height = axis_y + 70;
    snprintf(text, sizeof(text), "vptrace: handler cost of %" PRIu64 " VM exits per reason",
             a->exits);
    vpt_svg_begin(f, height, text, a);
    fprintf(f, "<text class=\"small\" x=\"10\" y=\"42\">Bars: exits whose handler took a number "
               "of ticks in each power-of-two range (TSC ticks; in Bochs, emulated "
               "instructions), with their number above. Each panel is scaled to its own tallest "
               "bar.</text>\n");
    for (size_t r = 0; r < a->nranked; r++) {
        uint32_t reason = a->reason_rank[r];
        int y = HIST_TOP + (int)r * HIST_PANEL, base = y + HIST_BAR + 4;
        uint64_t most = 0, all = 0;
        for (unsigned k = kmin; k <= kmax; k++) {
            most = count[r][k] > most ? count[r][k] : most;
            all += count[r][k];
        }
        const char *rn = vpt_reason_name(reason, name, sizeof(name));
        fprintf(f, "<rect class=\"bg\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n",
                VPT_SVG_LEFT, y + 4, VPT_SVG_PLOT, HIST_BAR);
        fprintf(f, "<text class=\"head\" x=\"10\" y=\"%d\">%s</text>\n", y + 22, rn);
        fprintf(f, "<text class=\"small\" x=\"10\" y=\"%d\">%" PRIu64 " %s</text>\n", y + 38, all,
                all == 1 ? "exit" : "exits");
        for (unsigned k = kmin; k <= kmax; k++) {
            if (count[r][k] == 0)
                continue;
            double h = (double)(HIST_BAR - 12) * (double)count[r][k] / (double)most;
            h = h < 3.0 ? 3.0 : h; /* a single exit stays visible next to thousands */
            double x = VPT_SVG_LEFT + (k - kmin) * colw;
            bucket_range(k, text, sizeof(text));
            fprintf(f,
                    "<rect class=\"bar r%u\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\"><title>%s: %" PRIu64 " %s of %s</title></rect>\n",
                    reason, x + 1, base - h, colw > 3 ? colw - 2 : colw, h, rn, count[r][k],
                    count[r][k] == 1 ? "exit" : "exits", text);
            if (colw >= 24)
                fprintf(f,
                        "<text class=\"small\" x=\"%.1f\" y=\"%.1f\" "
                        "text-anchor=\"middle\">%" PRIu64 "</text>\n",
                        x + colw / 2, base - h - 2, count[r][k]);
        }
    }
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", VPT_SVG_LEFT,
            axis_y + 4, VPT_SVG_LEFT + VPT_SVG_PLOT, axis_y + 4);
    unsigned every = colw >= 48 ? 1 : (unsigned)(48 / colw) + 1;
    for (unsigned k = kmin; k <= kmax; k++) {
        if ((k - kmin) % every)
            continue;
        double x = VPT_SVG_LEFT + (k - kmin) * colw;
        if (k == 0)
            snprintf(text, sizeof(text), "0");
        else
            vpt_short_number(1ull << (k - 1), text, sizeof(text));
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", x,
                axis_y + 4, x, axis_y + 9);
        fprintf(f, "<text class=\"small\" x=\"%.1f\" y=\"%d\">%s</text>\n", x + 1, axis_y + 21,
                text);
    }
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">handler cost: ticks from the "
            "exit handler's start to its end (each range starts at the number below "
            "it)</text>\n",
            VPT_SVG_LEFT + VPT_SVG_PLOT / 2, axis_y + 44);
    vpt_svg_end(f);
    free(count);
    return 0;
}
