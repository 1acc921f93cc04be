/*
 * tools/vptrace_report.h - the text outputs of tools/vptrace (host only): the exit table per
 * vCPU and CPU, in the manner of `perf kvm stat report`, and a CSV of every record.
 */
#ifndef TOOLS_VPTRACE_REPORT_H
#define TOOLS_VPTRACE_REPORT_H

#include <stdio.h>

#include "tools/vptrace_analyse.h"
#include "tools/vptrace_parse.h"

/* The table: a summary of the dumps (records, drops), then per vCPU and CPU one row per exit
 * reason (count, share, handler ticks total/share/avg/min/max) and the guest/handler time, and
 * last the "check:" line of the comparison with the exit statistics (docs/trace.md). */
void vpt_write_table(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a);

/* Header line, then one line per record used, in dump order (docs/trace.md, "CSV"). */
void vpt_write_csv(FILE *f, const struct vpt_trace *t, const struct vpt_analysis *a);

#endif
