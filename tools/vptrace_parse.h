/*
 * tools/vptrace_parse.h - reading debug-record dumps (docs/trace.md) out of a serial log or a
 * saved dump (host only, libc). Lines that are not trace lines are skipped, so a whole serial
 * log can be read. Every malformed or truncated input gives an error naming its line; the
 * parser never reads past the line it is given.
 */
#ifndef TOOLS_VPTRACE_PARSE_H
#define TOOLS_VPTRACE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Dump formats this parser reads: 1 (no TRACE-FORMAT line) and 2. */
#define VPT_FORMAT_MIN 1
#define VPT_FORMAT_MAX 2

enum vpt_error {
    VPT_OK = 0,
    VPT_EFORMAT = -1,    /* a malformed line */
    VPT_EVERSION = -2,   /* a TRACE-FORMAT this tool does not read */
    VPT_ESTRUCTURE = -3, /* lines in an impossible order (END without BEGIN, ...) */
    VPT_ETRUNCATED = -4, /* the input ends inside a dump */
    VPT_ENOMEM = -5,
    VPT_EIO = -6,
};

struct vpt_record {
    uint64_t tsc;
    uint64_t v[4];
    uint32_t seq;
    uint32_t line; /* input line it came from */
    uint16_t cpu;
    uint16_t type; /* enum trace_type */
    uint32_t dump; /* index of its dump in vpt_trace.dump */
};

/* One TRACE-BEGIN ... TRACE-END block, or one TRACE-TAIL block (a panic's last records). */
struct vpt_dump {
    uint32_t cpu;
    uint32_t line;    /* of its TRACE-BEGIN or TRACE-TAIL */
    uint32_t count;   /* records the header announced */
    uint64_t total;   /* appended since the ring was set up (TRACE-BEGIN only) */
    uint64_t dropped; /* overwritten because the ring was full (TRACE-BEGIN only) */
    size_t first, n;  /* its records: rec[first .. first + n) */
    uint32_t gaps;    /* records missing inside the block (seq jumps) */
    bool tail;        /* a TRACE-TAIL block: only the last records of the ring */
    bool superseded;  /* a tail of a CPU that also has a whole dump in the set: unused */
};

struct vpt_vcpu {
    uint32_t number; /* what VM_ENTRY records carry in v2 */
    uint32_t id;     /* the vCPU's own id (VM_ENTRY v0) */
    uint32_t cpu;    /* host CPU */
    uint32_t line;
    char name[32];
};

/* An exit-statistics line of the hypervisor ("  exits cpu=0 reason=10 CPUID count=28 ..."). */
struct vpt_stat {
    uint32_t cpu;
    uint32_t reason;
    uint64_t count;
    uint64_t avg_ticks;
    uint32_t line;
};

struct vpt_trace {
    int format; /* of the set kept: 1 or 2; 0 when the input had no dump */
    struct vpt_record *rec;
    size_t nrec, caprec;
    struct vpt_dump *dump;
    size_t ndump, capdump;
    struct vpt_vcpu *vcpu;
    size_t nvcpu, capvcpu;
    struct vpt_stat *stat;
    size_t nstat, capstat;
    uint32_t sets_skipped; /* earlier dump sets in the input, replaced by a later one */
    /* parser state */
    uint32_t line;      /* lines read so far */
    long open;          /* index of the dump being read, or -1 */
    uint32_t tail_left; /* records still expected by an open TRACE-TAIL */
    bool in_set;        /* a set has started (TRACE-FORMAT, or a format-1 dump) */
};

void vpt_init(struct vpt_trace *t);
void vpt_free(struct vpt_trace *t);

/* Parses the next line of the input (len bytes, without or with its "\n" or "\r\n"). Returns
 * VPT_OK, or a vpt_error with err holding "line N: what is wrong". */
int vpt_parse_line(struct vpt_trace *t, const char *line, size_t len, char *err, size_t errlen);

/* Ends the input: a dump still open is an error (VPT_ETRUNCATED); tails of CPUs that also
 * have a whole dump are marked superseded. */
int vpt_parse_end(struct vpt_trace *t, char *err, size_t errlen);

/* Parses a whole text (lines separated by '\n'), then vpt_parse_end. */
int vpt_parse_text(struct vpt_trace *t, const char *text, size_t len, char *err, size_t errlen);

/* Reads f to its end with vpt_parse_line and vpt_parse_end. */
int vpt_parse_file(struct vpt_trace *t, FILE *f, char *err, size_t errlen);

/* The number of a record type name ("VM_EXIT" -> 16, as platform/trace.c names them), or -1. */
int vpt_type_number(const char *name, size_t len);

/* The vCPU with this trace number, or NULL. */
const struct vpt_vcpu *vpt_find_vcpu(const struct vpt_trace *t, uint32_t number);

#endif
