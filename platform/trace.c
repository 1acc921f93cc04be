/*
 * platform/trace.c - the debug record ring (pure): lock-free append by the owning CPU,
 * consistent reads from any CPU, and the one-line text form of a record.
 *
 * Ordering, in C11 terms (a seqlock per slot, with the record's seq as its version):
 *   writer of record m: seq = m; release fence; other fields; head = m + 1 (release store)
 *   reader of record n: head (acquire load) > n; copy fields; acquire fence; seq again;
 *                       the copy is good when both seq loads gave n.
 * If the copy saw any field of a later record m, the writer's fence synchronises with the
 * reader's, so the second seq load sees m and the copy is thrown away.
 * The text form (dump format 2) is described in docs/trace.md.
 */
#include "platform/trace.h"

#include "platform/fmt.h"

#define TRACE_LOAD(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define TRACE_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Where the rings without storage write (trace_append does not test for them); no reader
 * looks at it, as such a ring holds nothing. */
static struct trace_record trace_sink;

void trace_ring_init(struct trace_ring *r, struct trace_record *storage, uint32_t capacity,
                     uint16_t cpu)
{
    while (capacity & (capacity - 1))
        capacity &= capacity - 1; /* keep only the highest set bit */
    if (storage == NULL || capacity == 0) {
        storage = &trace_sink;
        capacity = 0;
    }
    r->records = storage;
    r->capacity = capacity;
    r->mask = capacity != 0 ? capacity - 1 : 0;
    r->cpu = cpu;
    __atomic_store_n(&r->head, 0, __ATOMIC_RELEASE);
}

uint64_t trace_total(const struct trace_ring *r)
{
    return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

static uint32_t trace_held(const struct trace_ring *r, uint64_t head)
{
    return head < r->capacity ? (uint32_t)head : r->capacity;
}

uint32_t trace_count(const struct trace_ring *r)
{
    return trace_held(r, trace_total(r));
}

/* Copies record number n, already published; false if it was overwritten meanwhile. */
static bool trace_read(const struct trace_ring *r, uint64_t n, struct trace_record *out)
{
    const struct trace_record *slot = &r->records[n & r->mask];
    /* Acquire: the field loads below must not move above this load (seqlock read side). */
    uint32_t seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
    out->seq = seq;
    out->tsc = TRACE_LOAD(&slot->tsc);
    out->cpu = r->cpu; /* not stored in the slot */
    out->type = TRACE_LOAD(&slot->type);
    for (int i = 0; i < 4; i++)
        out->v[i] = TRACE_LOAD(&slot->v[i]);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return seq == (uint32_t)n && TRACE_LOAD(&slot->seq) == seq;
}

bool trace_get(const struct trace_ring *r, uint32_t i, struct trace_record *out)
{
    uint64_t head = trace_total(r);
    uint32_t held = trace_held(r, head);
    if (i >= held)
        return false;
    return trace_read(r, head - held + i, out);
}

static const char *const trace_names[TRACE_TYPE_LIMIT] = {
    [TRACE_BOOT_STAGE] = "BOOT_STAGE",
    [TRACE_CPU_ONLINE] = "CPU_ONLINE",
    [TRACE_IPI] = "IPI",
    [TRACE_XCALL] = "XCALL",
    [TRACE_EXCEPTION] = "EXCEPTION",
    [TRACE_TEST] = "TEST",
    [TRACE_VM_EXIT] = "VM_EXIT",
    [TRACE_VM_ENTRY] = "VM_ENTRY",
    [TRACE_VM_ENTRY_FAIL] = "VM_ENTRY_FAIL",
    [TRACE_NOTE] = "NOTE",
};

const char *trace_type_name(uint16_t type)
{
    return type < TRACE_TYPE_LIMIT ? trace_names[type] : NULL;
}

int trace_format_record(char *buf, size_t size, const struct trace_record *rec)
{
    char number[8];
    const char *type = trace_type_name(rec->type);
    if (type == NULL) {
        fmt_snprintf(number, sizeof(number), "%u", (unsigned)rec->type);
        type = number;
    }
    return fmt_snprintf(buf, size,
                        "TRACE cpu=%u seq=%u tsc=%llu type=%s v0=0x%llx v1=0x%llx v2=0x%llx "
                        "v3=0x%llx",
                        (unsigned)rec->cpu, (unsigned)rec->seq, (unsigned long long)rec->tsc, type,
                        (unsigned long long)rec->v[0], (unsigned long long)rec->v[1],
                        (unsigned long long)rec->v[2], (unsigned long long)rec->v[3]);
}

void trace_dump(const struct trace_ring *r, void (*emit_line)(void *ctx, const char *line),
                void *ctx)
{
    char line[TRACE_LINE_MAX];
    uint64_t head = trace_total(r); /* the dump shows the ring as it was at this point */
    uint32_t held = trace_held(r, head);
    struct trace_record rec;

    fmt_snprintf(line, sizeof(line), "TRACE-BEGIN cpu=%u count=%u total=%llu dropped=%llu",
                 (unsigned)r->cpu, (unsigned)held, (unsigned long long)head,
                 (unsigned long long)(head - held));
    emit_line(ctx, line);
    for (uint64_t n = head - held; n < head; n++) {
        if (!trace_read(r, n, &rec))
            continue; /* overwritten during the dump: shows as a gap in seq */
        trace_format_record(line, sizeof(line), &rec);
        emit_line(ctx, line);
    }
    fmt_snprintf(line, sizeof(line), "TRACE-END cpu=%u", (unsigned)r->cpu);
    emit_line(ctx, line);
}

int trace_format_header(char *buf, size_t size)
{
    return fmt_snprintf(buf, size, "TRACE-FORMAT %u", (unsigned)TRACE_FORMAT_VERSION);
}

int trace_format_vcpu(char *buf, size_t size, uint32_t number, uint32_t id, uint32_t cpu,
                      const char *name)
{
    char clean[TRACE_VCPU_NAME_MAX + 1];
    size_t n = 0;
    /* One word without spaces, so that the line splits on spaces like the others. */
    for (; name != NULL && name[n] != '\0' && n < TRACE_VCPU_NAME_MAX; n++)
        clean[n] = name[n] > ' ' && name[n] <= '~' ? name[n] : '_';
    if (n == 0)
        clean[n++] = '?';
    clean[n] = '\0';
    return fmt_snprintf(buf, size, "TRACE-VCPU vcpu=%u id=%u cpu=%u name=%s", (unsigned)number,
                        (unsigned)id, (unsigned)cpu, clean);
}

uint32_t trace_ring_copy(struct trace_ring *dst, const struct trace_ring *src)
{
    uint32_t held = trace_count(src), copied = 0;
    struct trace_record rec;
    for (uint32_t i = 0; i < held; i++) {
        if (!trace_get(src, i, &rec))
            continue; /* overwritten meanwhile */
        trace_append(dst, rec.tsc, rec.type, rec.v[0], rec.v[1], rec.v[2], rec.v[3]);
        copied++;
    }
    return copied;
}
