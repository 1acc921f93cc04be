/*
 * tools/vptrace_parse.c - the dump parser of tools/vptrace (docs/trace.md): a line-by-line
 * state machine over TRACE-FORMAT, TRACE-VCPU, TRACE-BEGIN, TRACE, TRACE-END and TRACE-TAIL
 * lines, plus the hypervisor's exit-statistics lines. Every check names the input line.
 */
#include "tools/vptrace_parse.h"
#include "tools/vptrace_fields.h"

#include <stdlib.h>
#include <string.h>

#include "platform/trace.h"

/* Grows an array of `size`-byte elements so that one more fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return VPT_OK;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, ncap * size);
    if (p == NULL)
        return VPT_ENOMEM;
    *arr = p;
    *cap = ncap;
    return VPT_OK;
}

void vpt_init(struct vpt_trace *t)
{
    memset(t, 0, sizeof(*t));
    t->open = -1;
}

void vpt_free(struct vpt_trace *t)
{
    free(t->rec);
    free(t->dump);
    free(t->vcpu);
    free(t->stat);
    vpt_init(t);
}

int vpt_type_number(const char *name, size_t len)
{
    for (int type = 0; type < TRACE_TYPE_LIMIT; type++) {
        const char *n = trace_type_name((uint16_t)type);
        if (n != NULL && strlen(n) == len && memcmp(n, name, len) == 0)
            return type;
    }
    return -1;
}

const struct vpt_vcpu *vpt_find_vcpu(const struct vpt_trace *t, uint32_t number)
{
    for (size_t i = 0; i < t->nvcpu; i++)
        if (t->vcpu[i].number == number)
            return &t->vcpu[i];
    return NULL;
}

/* --- the line types ---------------------------------------------------------------------- */

static struct vpt_dump *open_dump(struct vpt_trace *t)
{
    return t->open >= 0 ? &t->dump[t->open] : NULL;
}

/* Drops the records of the current set: a new set replaces it. */
static void forget_set(struct vpt_trace *t)
{
    if (t->in_set)
        t->sets_skipped++;
    t->nrec = t->ndump = t->nvcpu = 0;
    t->in_set = false;
    t->format = 0;
}

static int start_format1_set(struct vpt_trace *t)
{
    if (!t->in_set) {
        t->in_set = true;
        t->format = 1;
    }
    return VPT_OK;
}

/* Lines that may not come while a dump is open (all but TRACE lines). */
static int not_in_dump(struct vpt_cursor *c, const char *what)
{
    const struct vpt_dump *d = open_dump(c->t);
    if (d == NULL)
        return VPT_OK;
    if (d->tail)
        return vpt_bad(c, VPT_ESTRUCTURE,
                       "%s, but the TRACE-TAIL of CPU %u at line %u announced %u records and "
                       "only %zu came",
                       what, d->cpu, d->line, d->count, d->n);
    return vpt_bad(c, VPT_ESTRUCTURE,
                   "%s inside the dump of CPU %u begun at line %u (its TRACE-END is missing)", what,
                   d->cpu, d->line);
}

static int parse_format(struct vpt_cursor *c)
{
    const char *tok;
    size_t len;
    uint64_t version;
    int rc = not_in_dump(c, "TRACE-FORMAT");
    if (rc || (rc = vpt_token(c, "the format number", &tok, &len)) ||
        (rc = vpt_decimal(c, "TRACE-FORMAT", tok, len, UINT32_MAX, &version)) ||
        (rc = vpt_no_more(c, "the format number")))
        return rc;
    if (version < VPT_FORMAT_MIN)
        return vpt_bad(c, VPT_EFORMAT, "TRACE-FORMAT %llu: formats count from %d",
                       (unsigned long long)version, VPT_FORMAT_MIN);
    if (version > VPT_FORMAT_MAX)
        return vpt_bad(c, VPT_EVERSION,
                       "trace format %llu; this tool reads formats %d to %d (a newer tools/vptrace "
                       "reads it)",
                       (unsigned long long)version, VPT_FORMAT_MIN, VPT_FORMAT_MAX);
    forget_set(c->t);
    c->t->in_set = true;
    c->t->format = (int)version;
    return VPT_OK;
}

static int parse_vcpu(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    uint64_t number, id, cpu;
    const char *name;
    size_t len;
    int rc = not_in_dump(c, "TRACE-VCPU");
    if (rc)
        return rc;
    if (!t->in_set || t->format < 2)
        return vpt_bad(c, VPT_ESTRUCTURE, "TRACE-VCPU before any TRACE-FORMAT 2 line");
    if ((rc = vpt_dec_field(c, "vcpu", UINT32_MAX, &number)) ||
        (rc = vpt_dec_field(c, "id", UINT32_MAX, &id)) ||
        (rc = vpt_dec_field(c, "cpu", UINT16_MAX, &cpu)) ||
        (rc = vpt_field(c, "name", &name, &len)) || (rc = vpt_no_more(c, "the name")))
        return rc;
    if (len > TRACE_VCPU_NAME_MAX)
        return vpt_bad(c, VPT_EFORMAT, "the name is longer than %d bytes", TRACE_VCPU_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return vpt_bad(c, VPT_EFORMAT, "byte 0x%02x in the name (printable ASCII only)",
                           (unsigned)(unsigned char)name[i]);
    if (number == TRACE_VCPU_NONE)
        return vpt_bad(c, VPT_EFORMAT, "vcpu=%llu is the 'no number' value",
                       (unsigned long long)number);
    const struct vpt_vcpu *old = vpt_find_vcpu(t, (uint32_t)number);
    if (old != NULL) {
        if (old->id == id && old->cpu == cpu && strlen(old->name) == len &&
            memcmp(old->name, name, len) == 0)
            return VPT_OK; /* the same line twice */
        return vpt_bad(c, VPT_ESTRUCTURE, "vcpu=%llu was already named differently at line %u",
                       (unsigned long long)number, old->line);
    }
    if (grow((void **)&t->vcpu, &t->capvcpu, t->nvcpu, sizeof(*t->vcpu)))
        return vpt_bad(c, VPT_ENOMEM, "out of memory");
    struct vpt_vcpu *v = &t->vcpu[t->nvcpu++];
    memset(v, 0, sizeof(*v));
    v->number = (uint32_t)number;
    v->id = (uint32_t)id;
    v->cpu = (uint32_t)cpu;
    v->line = t->line;
    memcpy(v->name, name, len);
    return VPT_OK;
}

static struct vpt_dump *new_dump(struct vpt_cursor *c, uint32_t cpu)
{
    struct vpt_trace *t = c->t;
    if (grow((void **)&t->dump, &t->capdump, t->ndump, sizeof(*t->dump)))
        return NULL;
    struct vpt_dump *d = &t->dump[t->ndump];
    memset(d, 0, sizeof(*d));
    d->cpu = cpu;
    d->line = t->line;
    d->first = t->nrec;
    t->open = (long)t->ndump++;
    return d;
}

static int parse_begin(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    uint64_t cpu, count, total, dropped;
    int rc = not_in_dump(c, "TRACE-BEGIN");
    if (rc || (rc = vpt_dec_field(c, "cpu", UINT16_MAX, &cpu)) ||
        (rc = vpt_dec_field(c, "count", UINT32_MAX, &count)) ||
        (rc = vpt_dec_field(c, "total", UINT64_MAX, &total)) ||
        (rc = vpt_dec_field(c, "dropped", UINT64_MAX, &dropped)) ||
        (rc = vpt_no_more(c, "dropped=")))
        return rc;
    if (count > total)
        return vpt_bad(c, VPT_EFORMAT, "count=%llu is more than total=%llu",
                       (unsigned long long)count, (unsigned long long)total);
    if (dropped != total - count)
        return vpt_bad(c, VPT_EFORMAT, "dropped=%llu, but total - count = %llu",
                       (unsigned long long)dropped, (unsigned long long)(total - count));
    start_format1_set(t);
    for (size_t i = 0; i < t->ndump; i++)
        if (!t->dump[i].tail && t->dump[i].cpu == cpu)
            return vpt_bad(c, VPT_ESTRUCTURE,
                           "a second dump of CPU %llu in one set (the first began at line %u; a "
                           "new set starts with TRACE-FORMAT)",
                           (unsigned long long)cpu, t->dump[i].line);
    struct vpt_dump *d = new_dump(c, (uint32_t)cpu);
    if (d == NULL)
        return vpt_bad(c, VPT_ENOMEM, "out of memory");
    d->count = (uint32_t)count;
    d->total = total;
    d->dropped = dropped;
    return VPT_OK;
}

static int parse_end(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    struct vpt_dump *d = open_dump(t);
    uint64_t cpu;
    int rc;
    if (d != NULL && d->tail)
        return not_in_dump(c, "TRACE-END");
    if ((rc = vpt_dec_field(c, "cpu", UINT16_MAX, &cpu)) || (rc = vpt_no_more(c, "cpu=")))
        return rc;
    if (d == NULL)
        return vpt_bad(c, VPT_ESTRUCTURE, "TRACE-END of CPU %llu without its TRACE-BEGIN",
                       (unsigned long long)cpu);
    if (cpu != d->cpu)
        return vpt_bad(c, VPT_ESTRUCTURE, "TRACE-END of CPU %llu ends the dump of CPU %u (line %u)",
                       (unsigned long long)cpu, d->cpu, d->line);
    d->gaps = d->count - (uint32_t)d->n; /* records overwritten while the dump ran */
    t->open = -1;
    return VPT_OK;
}

static int parse_tail(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    uint64_t cpu, last, count;
    const char *tok;
    size_t len;
    int rc = not_in_dump(c, "TRACE-TAIL");
    if (rc || (rc = vpt_dec_field(c, "cpu", UINT16_MAX, &cpu)) ||
        (rc = vpt_dec_field(c, "last", UINT32_MAX, &last)) ||
        (rc = vpt_token(c, "'of'", &tok, &len)))
        return rc;
    if (len != 2 || memcmp(tok, "of", 2) != 0)
        return vpt_bad(c, VPT_EFORMAT, "expected 'of' after last=");
    if ((rc = vpt_dec_field(c, "count", UINT32_MAX, &count)) || (rc = vpt_no_more(c, "count=")))
        return rc;
    if (last > count)
        return vpt_bad(c, VPT_EFORMAT, "last=%llu is more than count=%llu",
                       (unsigned long long)last, (unsigned long long)count);
    start_format1_set(t);
    struct vpt_dump *d = new_dump(c, (uint32_t)cpu);
    if (d == NULL)
        return vpt_bad(c, VPT_ENOMEM, "out of memory");
    d->tail = true;
    d->count = (uint32_t)last;
    d->total = count;
    t->tail_left = (uint32_t)last;
    if (last == 0)
        t->open = -1;
    return VPT_OK;
}

static int parse_record(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    struct vpt_dump *d = open_dump(t);
    struct vpt_record r;
    uint64_t cpu, seq, type;
    const char *val;
    size_t len;
    static const char *const vkeys[4] = {"v0", "v1", "v2", "v3"};
    int rc;

    if (d == NULL)
        return vpt_bad(c, VPT_ESTRUCTURE,
                       "a TRACE record outside a dump (no TRACE-BEGIN before it)");
    memset(&r, 0, sizeof(r));
    if ((rc = vpt_dec_field(c, "cpu", UINT16_MAX, &cpu)) ||
        (rc = vpt_dec_field(c, "seq", UINT32_MAX, &seq)) ||
        (rc = vpt_dec_field(c, "tsc", UINT64_MAX, &r.tsc)) ||
        (rc = vpt_field(c, "type", &val, &len)))
        return rc;
    if (len > 0 && val[0] >= '0' && val[0] <= '9') {
        if ((rc = vpt_decimal(c, "type", val, len, UINT16_MAX, &type)))
            return rc;
    } else {
        int n = vpt_type_number(val, len);
        if (n < 0) {
            char seen[VPT_SHOW_MAX + 1];
            return vpt_bad(c, VPT_EFORMAT, "unknown record type '%s'", vpt_show(val, len, seen));
        }
        type = (uint64_t)n;
    }
    for (int i = 0; i < 4; i++)
        if ((rc = vpt_field(c, vkeys[i], &val, &len)) ||
            (rc = vpt_hex(c, vkeys[i], val, len, &r.v[i])))
            return rc;
    if ((rc = vpt_no_more(c, "v3")))
        return rc;
    if (cpu != d->cpu)
        return vpt_bad(c, VPT_ESTRUCTURE,
                       "a record of CPU %llu inside the dump of CPU %u (line %u)",
                       (unsigned long long)cpu, d->cpu, d->line);
    if (d->n >= d->count)
        return vpt_bad(c, VPT_ESTRUCTURE, "more records than the %u that line %u announced",
                       d->count, d->line);
    if (d->n > 0) {
        uint32_t prev = t->rec[t->nrec - 1].seq, step = (uint32_t)seq - prev;
        if (step == 0 || step >= 0x80000000u)
            return vpt_bad(c, VPT_ESTRUCTURE,
                           "seq=%llu does not follow seq=%u (records come oldest "
                           "first)",
                           (unsigned long long)seq, prev);
    }
    if (grow((void **)&t->rec, &t->caprec, t->nrec, sizeof(*t->rec)))
        return vpt_bad(c, VPT_ENOMEM, "out of memory");
    r.seq = (uint32_t)seq;
    r.cpu = (uint16_t)cpu;
    r.type = (uint16_t)type;
    r.line = t->line;
    r.dump = (uint32_t)t->open;
    t->rec[t->nrec++] = r;
    d->n++;
    if (d->tail && --t->tail_left == 0)
        t->open = -1;
    return VPT_OK;
}

/* "  exits cpu=0 reason=10 CPUID                  count=28 avg_ticks=80" (vmx/vcpu.c):
 * white space between the fields may be any run of spaces. */
static int ws_token(struct vpt_cursor *c, const char **tok, size_t *len)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    const char *s = c->p;
    while (c->p < c->end && *c->p != ' ')
        c->p++;
    *tok = s;
    *len = (size_t)(c->p - s);
    return *len ? VPT_OK : vpt_bad(c, VPT_EFORMAT, "exit statistics line ends early");
}

static int stat_field(struct vpt_cursor *c, const char *key, uint64_t *out)
{
    const char *tok;
    size_t len, klen = strlen(key);
    int rc = ws_token(c, &tok, &len);
    if (rc)
        return rc;
    if (len <= klen + 1 || memcmp(tok, key, klen) != 0 || tok[klen] != '=') {
        char seen[VPT_SHOW_MAX + 1];
        return vpt_bad(c, VPT_EFORMAT, "exit statistics line: expected '%s=', found '%s'", key,
                       vpt_show(tok, len, seen));
    }
    return vpt_decimal(c, key, tok + klen + 1, len - klen - 1, UINT64_MAX, out);
}

static int parse_stat(struct vpt_cursor *c)
{
    struct vpt_trace *t = c->t;
    uint64_t cpu, reason, count, avg;
    const char *name;
    size_t len;
    int rc;
    c->p += strlen("exits ");
    if ((rc = stat_field(c, "cpu", &cpu)) || (rc = stat_field(c, "reason", &reason)) ||
        (rc = ws_token(c, &name, &len)) || (rc = stat_field(c, "count", &count)) ||
        (rc = stat_field(c, "avg_ticks", &avg)))
        return rc;
    while (c->p < c->end && *c->p == ' ')
        c->p++;
    if ((rc = vpt_no_more(c, "avg_ticks=")))
        return rc;
    if (cpu > UINT16_MAX || reason > UINT16_MAX)
        return vpt_bad(c, VPT_EFORMAT, "exit statistics line: cpu or reason out of range");
    for (size_t i = 0; i < t->nstat; i++) {
        if (t->stat[i].cpu == cpu && t->stat[i].reason == reason) { /* a later print wins */
            t->stat[i].count = count;
            t->stat[i].avg_ticks = avg;
            t->stat[i].line = t->line;
            return VPT_OK;
        }
    }
    if (grow((void **)&t->stat, &t->capstat, t->nstat, sizeof(*t->stat)))
        return vpt_bad(c, VPT_ENOMEM, "out of memory");
    t->stat[t->nstat++] = (struct vpt_stat){.cpu = (uint32_t)cpu,
                                            .reason = (uint32_t)reason,
                                            .count = count,
                                            .avg_ticks = avg,
                                            .line = t->line};
    return VPT_OK;
}

static bool starts(const struct vpt_cursor *c, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(c->end - c->p) >= n && memcmp(c->p, s, n) == 0;
}

int vpt_parse_line(struct vpt_trace *t, const char *line, size_t len, char *err, size_t errlen)
{
    struct vpt_cursor c = {.p = line, .end = line + len, .t = t, .err = err, .errlen = errlen};
    t->line++;
    if (c.end > c.p && c.end[-1] == '\n')
        c.end--;
    if (c.end > c.p && c.end[-1] == '\r')
        c.end--;

    if (starts(&c, "TRACE ")) {
        c.p += 6;
        return parse_record(&c);
    }
    if (starts(&c, "TRACE-")) {
        static const struct {
            const char *word;
            int (*parse)(struct vpt_cursor *c);
        } kinds[] = {{"TRACE-FORMAT", parse_format},
                     {"TRACE-VCPU", parse_vcpu},
                     {"TRACE-BEGIN", parse_begin},
                     {"TRACE-END", parse_end},
                     {"TRACE-TAIL", parse_tail}};
        const char *w = c.p;
        while (c.p < c.end && *c.p != ' ')
            c.p++;
        size_t wlen = (size_t)(c.p - w);
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
            if (strlen(kinds[i].word) == wlen && memcmp(kinds[i].word, w, wlen) == 0) {
                if (c.p == c.end)
                    return vpt_bad(&c, VPT_EFORMAT, "%s without its fields", kinds[i].word);
                c.p++;
                return kinds[i].parse(&c);
            }
        }
        char seen[VPT_SHOW_MAX + 1];
        return vpt_bad(&c, VPT_EFORMAT, "unknown trace line '%s'", vpt_show(w, wlen, seen));
    }
    if (c.end - c.p == 5 && memcmp(c.p, "TRACE", 5) == 0)
        return vpt_bad(&c, VPT_EFORMAT, "a TRACE line without fields (cut off?)");
    while (c.p < c.end && *c.p == ' ')
        c.p++;
    if (starts(&c, "exits cpu="))
        return parse_stat(&c);
    return VPT_OK; /* any other line of the log */
}

int vpt_parse_end(struct vpt_trace *t, char *err, size_t errlen)
{
    struct vpt_cursor c = {.t = t, .err = err, .errlen = errlen};
    const struct vpt_dump *d = open_dump(t);
    if (d != NULL && d->tail)
        return vpt_bad(&c, VPT_ETRUNCATED,
                       "the input ends, but the TRACE-TAIL of CPU %u at line %u announced %u "
                       "records and only %zu came",
                       d->cpu, d->line, d->count, d->n);
    if (d != NULL)
        return vpt_bad(&c, VPT_ETRUNCATED,
                       "the input ends inside the dump of CPU %u begun at line %u (no TRACE-END: "
                       "the log is cut off)",
                       d->cpu, d->line);
    for (size_t i = 0; i < t->ndump; i++) {
        struct vpt_dump *tail = &t->dump[i];
        for (size_t j = 0; tail->tail && j < t->ndump; j++)
            if (!t->dump[j].tail && t->dump[j].cpu == tail->cpu)
                tail->superseded = true;
    }
    return VPT_OK;
}

int vpt_parse_text(struct vpt_trace *t, const char *text, size_t len, char *err, size_t errlen)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) + 1 : len - pos;
        int rc = vpt_parse_line(t, text + pos, n, err, errlen);
        if (rc)
            return rc;
        pos += n;
    }
    return vpt_parse_end(t, err, errlen);
}

int vpt_parse_file(struct vpt_trace *t, FILE *f, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = VPT_OK;
    while (rc == VPT_OK && (n = getline(&line, &cap, f)) >= 0)
        rc = vpt_parse_line(t, line, (size_t)n, err, errlen);
    if (rc == VPT_OK && ferror(f)) {
        snprintf(err, errlen, "line %u: read error", t->line + 1);
        rc = VPT_EIO;
    }
    free(line);
    return rc ? rc : vpt_parse_end(t, err, errlen);
}
