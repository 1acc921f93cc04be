/*
 * tools/vptrace_svg.h - the pictures of tools/vptrace (host only): standalone SVG 1.1 files
 * (docs/trace.md, "Timeline" and "Histogram").
 *
 * Timeline: one lane per CPU; the upper row of a lane shows which vCPU was in the guest (its
 * colour, paler where less of the pixel's time was guest time), the lower row one mark per VM
 * exit: <rect class="exit rN"> for exit reason N, as wide as the handler ran (at least a
 * pixel), with a <title> tooltip. Above VPT_TIMELINE_MARKS_MAX exits in the range shown, the
 * exits are counted per pixel column instead: <rect class="exits rN"> stacked by reason. An axis
 * in TSC ticks (emulated instructions in Bochs) and a legend of reasons and vCPUs follow.
 *
 * Histogram: per exit reason (most exits first) a panel of bars <rect class="bar rN">: how
 * many exits took handler time in each power-of-two bucket of ticks.
 */
#ifndef TOOLS_VPTRACE_SVG_H
#define TOOLS_VPTRACE_SVG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/vptrace_analyse.h"
#include "tools/vptrace_parse.h"

/* Most exits drawn as one mark each; beyond, marks are per pixel column (docs/trace.md). */
#define VPT_TIMELINE_MARKS_MAX 5000

/* Geometry shared by both pictures (pixels). */
#define VPT_SVG_WIDTH 1200
#define VPT_SVG_LEFT  150 /* labels column */
#define VPT_SVG_RIGHT 30
#define VPT_SVG_PLOT  (VPT_SVG_WIDTH - VPT_SVG_LEFT - VPT_SVG_RIGHT)

struct vpt_timeline_opts {
    bool range;        /* show only [from, to): ticks counted from the first VM record */
    uint64_t from, to; /* with range */
};

/* Writes the timeline. 0, or -1 with err naming the problem (an empty range, no VM records,
 * out of memory). */
int vpt_write_timeline(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a,
                       const struct vpt_timeline_opts *o, char *err, size_t errlen);

/* Writes the histogram. 0, or -1 with err (no VM exits, out of memory). */
int vpt_write_histogram(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a, char *err,
                        size_t errlen);

/* --- shared by the two writers ----------------------------------------------------------- */

/* XML declaration, the <svg> element, a <style> with one class per exit reason (.rN) and per
 * vCPU group (.gN), a white background and the title. */
void vpt_svg_begin(FILE *f, int height, const char *title, const struct vpt_analysis *a);
void vpt_svg_end(FILE *f);

/* s with & < > " ' escaped for XML text and attributes. */
void vpt_svg_escaped(FILE *f, const char *s);

/* Fill colour of an exit reason (by its rank in a) and of a vCPU group. */
const char *vpt_reason_colour(const struct vpt_analysis *a, uint32_t reason);
const char *vpt_group_colour(uint32_t group);

/* A round step (1, 2 or 5 times a power of ten) giving at most `most` steps over span. */
uint64_t vpt_nice_step(uint64_t span, unsigned most);

/* 1234 -> "1234", 56000 -> "56k", 2500000 -> "2.5M". */
void vpt_short_number(uint64_t v, char *buf, size_t size);

#endif
