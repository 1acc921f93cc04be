/*
 * platform/trace.h - the debug record: a per-CPU ring of fixed-size binary records (pure).
 *
 * Each CPU owns one ring and is its only writer; appends take no lock. A record is written
 * completely before the ring's head is advanced with a release store, so a reader on another
 * CPU, or the panic path, sees only complete records; a reader that races with the writer
 * overwriting a slot notices it and skips that record (see trace_get). The text form of the
 * records and the dump (format 2) is described in docs/trace.md; tools/vptrace reads it.
 */
#ifndef PLATFORM_TRACE_H
#define PLATFORM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version of the dump format (docs/trace.md): the first line of a dump set is
 * "TRACE-FORMAT 2". Format 1 had no such line and no TRACE-VCPU lines. */
#define TRACE_FORMAT_VERSION 2

/* Record types. Values are part of the dump format: add new ones, never renumber. What the
 * hypervisor writes into v0..v3 (docs/trace.md has the table); unused values are 0. */
enum trace_type {
    TRACE_BOOT_STAGE = 1,     /* v0 = stage number (platform/boot.c) */
    TRACE_CPU_ONLINE = 2,     /* v0 = CPU index, v1 = APIC ID read by the CPU itself */
    TRACE_IPI = 3,            /* v0 = destination CPU index, v1 = vector */
    TRACE_XCALL = 4,          /* v0 = function address, v1 = argument (on the target CPU) */
    TRACE_EXCEPTION = 5,      /* v0 = vector, v1 = error code, v2 = RIP, v3 = CR2 */
    TRACE_TEST = 6,           /* free for tests and scenarios */
    TRACE_VM_EXIT = 16,       /* v0 = exit reason, v1 = guest RIP, v2 = qualification,
                               * v3 = handler ticks; tsc = when the handler started */
    TRACE_VM_ENTRY = 17,      /* v0 = vCPU id, v1 = launched before, v2 = trace vCPU number */
    TRACE_VM_ENTRY_FAIL = 18, /* reserved: not written (failed entries are VM_EXIT records
                               * with exit reason bit 31, or a console report) */
    TRACE_NOTE = 32,          /* v0 = what (a tag), v1..v3 free */
    TRACE_TYPE_LIMIT = 64     /* types below this may have a name */
};

/* VM_ENTRY v2 when the vCPU could not be given a trace number (docs/trace.md, TRACE-VCPU). */
#define TRACE_VCPU_NONE 0xffffffffu
/* Longest vCPU name a TRACE-VCPU line carries (longer names are cut). */
#define TRACE_VCPU_NAME_MAX 31

struct trace_record {
    uint64_t tsc;  /* time stamp counter when appended */
    uint32_t seq;  /* number of the record since the ring was initialised (low 32 bits) */
    uint16_t cpu;  /* CPU that wrote it: filled in by the reader from its ring (trace_get);
                    * trace_append does not store it, one store less on the exit path */
    uint16_t type; /* enum trace_type */
    uint64_t v[4];
};
_Static_assert(sizeof(struct trace_record) == 48, "trace records are 48 bytes");

struct trace_ring {
    struct trace_record *records; /* a ring without storage: one sink record, never read */
    uint32_t capacity;            /* a power of two; 0: the ring drops everything */
    uint32_t mask; /* capacity - 1 (0 without storage): record n lives in slot n & mask */
    uint16_t cpu;
    uint64_t head; /* records appended since init */
};

/* Longest line trace_format_record produces, with its NUL. */
#define TRACE_LINE_MAX 192

/* Makes r an empty ring over storage[capacity]. A capacity that is not a power of two is
 * rounded down to one. */
void trace_ring_init(struct trace_ring *r, struct trace_record *storage, uint32_t capacity,
                     uint16_t cpu);

/* Appends a record; only r's own CPU may call it. Overwrites the oldest record when full.
 * Inline: it sits on the VM-exit path, where it costs a load of the head, five instructions
 * for the slot's address, seven stores and the head's update (no test: a ring without
 * storage writes into its sink). */
static inline void trace_append(struct trace_ring *r, uint64_t tsc, uint16_t type, uint64_t a,
                                uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t m = __atomic_load_n(&r->head, __ATOMIC_RELAXED); /* only this CPU writes head */
    struct trace_record *slot = &r->records[m & r->mask];
    __atomic_store_n(&slot->seq, (uint32_t)m, __ATOMIC_RELAXED); /* marks the slot as changing */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&slot->tsc, tsc, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->type, type, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->v[0], a, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->v[1], b, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->v[2], c, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->v[3], d, __ATOMIC_RELAXED);
    __atomic_store_n(&r->head, m + 1, __ATOMIC_RELEASE); /* publishes the complete record */
}

/* Records currently held: min(appended, capacity). */
uint32_t trace_count(const struct trace_ring *r);

/* Records appended since init; those beyond trace_count have been overwritten. */
uint64_t trace_total(const struct trace_ring *r);

/* Copies the i-th held record, oldest first (i = 0 is the oldest). Returns false when i is out
 * of range, or when the writer overwrote that record while it was being copied. */
bool trace_get(const struct trace_ring *r, uint32_t i, struct trace_record *out);

/* The name of a record type without its TRACE_ prefix ("VM_EXIT"), or NULL when unknown. */
const char *trace_type_name(uint16_t type);

/* Formats one record as a single line, without newline (see docs/trace.md):
 * TRACE cpu=<cpu> seq=<seq> tsc=<tsc> type=<name or number> v0=0x<hex> ... v3=0x<hex>
 * Returns the length as fmt_snprintf does. */
int trace_format_record(char *buf, size_t size, const struct trace_record *rec);

/* Emits, one line each (without newline): TRACE-BEGIN cpu=<n> count=<held> total=<appended>
 * dropped=<overwritten>, the held records oldest first, TRACE-END cpu=<n>. */
void trace_dump(const struct trace_ring *r, void (*emit_line)(void *ctx, const char *line),
                void *ctx);

/* The line that starts a set of dumps: "TRACE-FORMAT 2". Returns the length. */
int trace_format_header(char *buf, size_t size);

/* The line that names a vCPU: TRACE-VCPU vcpu=<number> id=<vCPU id> cpu=<host CPU> name=<name>.
 * number is what VM_ENTRY records carry in v2; bytes of name outside '!'..'~' print as '_',
 * an empty or NULL name as '?', and at most TRACE_VCPU_NAME_MAX bytes of it are used. */
int trace_format_vcpu(char *buf, size_t size, uint32_t number, uint32_t id, uint32_t cpu,
                      const char *name);

/* Appends the records src holds, oldest first, to dst (keeping their tsc, type and values;
 * dst numbers them anew): to move a ring to bigger storage. Returns the number copied. Only
 * dst's CPU may call it. */
uint32_t trace_ring_copy(struct trace_ring *dst, const struct trace_ring *src);

#endif
