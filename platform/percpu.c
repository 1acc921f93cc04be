/* platform/percpu.c - per-CPU blocks and the per-CPU debug-record rings (book 1.5, 1.6.3). */
#include "platform/percpu.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/mem.h"
#include "platform/trace_vcpu.h"

struct percpu cpus[MAX_CPUS];
static struct trace_record bsp_trace_storage[TRACE_RING_SIZE];
uint32_t cpu_count = 1;
uint32_t trace_ring_records = TRACE_RING_SIZE;

void percpu_setup(uint32_t id, uint32_t apic_id)
{
    struct percpu *p = &cpus[id];
    p->self = p;
    p->id = id;
    p->apic_id = apic_id;
    if (!p->trace_storage && id == 0)
        p->trace_storage = bsp_trace_storage; /* before any allocator exists */
    if (!p->trace.records)
        trace_ring_init(&p->trace, p->trace_storage, trace_ring_records, (uint16_t)id);
    wrmsr(MSR_GS_BASE, (uint64_t)p);
}

void trace(uint16_t type, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    trace_append(&this_cpu()->trace, rdtsc(), type, a, b, c, d);
}

static void emit_line(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("%s\n", line);
}

void trace_dump_cpu(uint32_t id)
{
    console_lock();
    trace_dump(&cpus[id].trace, emit_line, NULL);
    console_unlock();
}

void trace_dump_tail(uint32_t id, uint32_t n)
{
    const struct trace_ring *r = &cpus[id].trace;
    uint32_t held = trace_count(r), first = held > n ? held - n : 0;
    char line[TRACE_LINE_MAX];
    struct trace_record rec;
    console_lock();
    kprintf("TRACE-TAIL cpu=%u last=%u of count=%u\n", id, held - first, held);
    for (uint32_t i = first; i < held; i++)
        if (trace_get(r, i, &rec) && trace_format_record(line, sizeof(line), &rec) >= 0)
            kprintf("%s\n", line);
    console_unlock();
}

void trace_dump_all(void)
{
    char line[TRACE_LINE_MAX];
    trace_format_header(line, sizeof(line));
    console_lock();
    kprintf("%s\n", line);
    trace_vcpu_dump(emit_line, NULL);
    console_unlock();
    for (uint32_t i = 0; i < cpu_count; i++)
        if (cpus[i].trace.records)
            trace_dump_cpu(i);
}

int trace_rings_enlarge(uint32_t records)
{
    struct percpu *p = this_cpu();
    size_t pages = ((size_t)records * sizeof(struct trace_record) + 4095) / 4096;
    uint64_t storage = mem_alloc_pages(pages);
    if (!storage)
        return -1;
    struct trace_ring old = p->trace, ring;
    trace_ring_init(&ring, phys_to_virt(storage), records, (uint16_t)p->id);
    trace_ring_copy(&ring, &old); /* the boot stages so far */
    p->trace_storage = phys_to_virt(storage);
    p->trace = ring;
    trace_ring_records = ring.capacity;
    return 0;
}
