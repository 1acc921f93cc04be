/* platform/trace_vcpu.c - trace numbers and names of vCPUs (docs/trace.md, TRACE-VCPU). */
#include "platform/trace_vcpu.h"

#include <string.h>
#include "platform/percpu.h"
#include "platform/trace.h"

struct trace_vcpu_slot {
    const void *vcpu;
    uint32_t id;
    uint32_t number;
    char name[TRACE_VCPU_NAME_MAX + 1];
};

/* One row per host CPU, written only by that CPU; `used` is published with a release store
 * after the slot is filled, so a reader on another CPU sees only filled slots. */
struct trace_vcpu_row {
    uint32_t used;
    struct trace_vcpu_slot slot[TRACE_VCPUS_PER_CPU];
};

static struct trace_vcpu_row rows[MAX_CPUS];
static uint32_t numbers_given;

static bool same_name(const char *kept, const char *name)
{
    if (name == NULL)
        return kept[0] == '\0';
    return strncmp(kept, name, TRACE_VCPU_NAME_MAX) == 0;
}

uint32_t trace_vcpu_number(const void *vcpu, uint32_t id, const char *name)
{
    struct trace_vcpu_row *row = &rows[this_cpu_id()];
    uint32_t used = row->used; /* only this CPU writes it */
    for (uint32_t i = 0; i < used; i++) {
        const struct trace_vcpu_slot *s = &row->slot[i];
        if (s->vcpu == vcpu && s->id == id && same_name(s->name, name))
            return s->number;
    }
    if (used == TRACE_VCPUS_PER_CPU)
        return TRACE_VCPU_NONE;
    struct trace_vcpu_slot *s = &row->slot[used];
    s->vcpu = vcpu;
    s->id = id;
    s->number = __atomic_fetch_add(&numbers_given, 1, __ATOMIC_RELAXED);
    size_t n = 0;
    for (; name != NULL && name[n] != '\0' && n < TRACE_VCPU_NAME_MAX; n++)
        s->name[n] = name[n];
    s->name[n] = '\0';
    __atomic_store_n(&row->used, used + 1, __ATOMIC_RELEASE);
    return s->number;
}

void trace_vcpu_dump(void (*emit_line)(void *ctx, const char *line), void *ctx)
{
    char line[TRACE_LINE_MAX];
    uint32_t given = __atomic_load_n(&numbers_given, __ATOMIC_ACQUIRE);
    for (uint32_t number = 0; number < given; number++) {
        for (uint32_t cpu = 0; cpu < MAX_CPUS; cpu++) {
            const struct trace_vcpu_row *row = &rows[cpu];
            uint32_t used = __atomic_load_n(&row->used, __ATOMIC_ACQUIRE);
            for (uint32_t i = 0; i < used; i++) {
                const struct trace_vcpu_slot *s = &row->slot[i];
                if (s->number != number)
                    continue;
                trace_format_vcpu(line, sizeof(line), number, s->id, cpu, s->name);
                emit_line(ctx, line);
            }
        }
    }
}
