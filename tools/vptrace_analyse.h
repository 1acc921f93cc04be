/*
 * tools/vptrace_analyse.h - what a parsed dump says (host only): VM exits attributed to the
 * vCPU of the last VM_ENTRY record on their CPU, per vCPU and CPU the exit table (count, handler
 * ticks: total, min, max), guest and handler time, the runs of each vCPU, and the comparison
 * with the hypervisor's own exit statistics (docs/trace.md).
 */
#ifndef TOOLS_VPTRACE_ANALYSE_H
#define TOOLS_VPTRACE_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/vptrace_parse.h"

#define VPT_NONE UINT32_MAX

struct vpt_reason_stat {
    uint32_t reason; /* basic exit reason: bits 15:0 of the exit-reason field (SDM 25.9.1) */
    uint64_t count;
    uint64_t total, min, max; /* handler ticks */
};

/* The exits of one vCPU on one CPU. */
struct vpt_group {
    uint32_t cpu;
    uint32_t number; /* trace number (format 2), VPT_NONE when not known */
    uint32_t id;     /* vCPU id (VM_ENTRY v0), VPT_NONE for exits before any VM_ENTRY */
    char name[40];   /* from TRACE-VCPU; "vCPU <id>" or "unknown" otherwise */
    struct vpt_reason_stat *reason;
    size_t nreason, capreason;
    uint64_t exits, handler_ticks, guest_ticks, runs;
};

/* One stretch of a vCPU on a CPU: from its VM_ENTRY record (or its first exit) to the end of
 * the handler of its last exit before the CPU entered something else. */
struct vpt_run {
    uint32_t cpu;
    uint32_t group;
    uint64_t start, end;
    uint64_t guest_ticks; /* time in the guest within the run */
    uint64_t exits;
};

enum vpt_check {
    VPT_CHECK_NO_STATS,   /* the input has no exit-statistics lines */
    VPT_CHECK_INCOMPLETE, /* records were dropped or cut: no claim is made */
    VPT_CHECK_MATCH,      /* per CPU and reason, the records' counts equal the statistics */
    VPT_CHECK_MISMATCH,
};

struct vpt_analysis {
    struct vpt_group *group;
    size_t ngroup;
    struct vpt_run *run;
    size_t nrun;
    uint32_t *group_of; /* per record: the group of a VM_EXIT or VM_ENTRY, VPT_NONE otherwise */
    uint64_t records;   /* records used (tails of CPUs with a whole dump are not) */
    uint64_t exits;
    uint64_t dropped;             /* records overwritten in the rings, over all dumps used */
    uint64_t gaps;                /* records missing inside dumps */
    uint32_t tails;               /* CPUs known only from a panic's TRACE-TAIL */
    uint64_t first_tsc, last_tsc; /* span of the VM activity: first entry/exit to last exit end */
    bool have_vm;                 /* any VM_ENTRY or VM_EXIT record */
    enum vpt_check check;
    char check_msg[512];
    uint32_t *reason_rank; /* reasons by exit count, most first (nranked entries) */
    size_t nranked;
};

/* Analyses t (parsed completely). 0, or VPT_ENOMEM. Free with vpt_analysis_free. */
int vpt_analyse(const struct vpt_trace *t, struct vpt_analysis *a);
void vpt_analysis_free(struct vpt_analysis *a);

/* Rank of a reason in a->reason_rank (0 = most exits), or -1 when no exit has it. */
int vpt_reason_rank(const struct vpt_analysis *a, uint32_t reason);

/* "IO_INSTRUCTION", or "reason 99" for one SDM appendix C does not name (buf holds it). */
const char *vpt_reason_name(uint32_t reason, char *buf, size_t size);

#endif
