/*
 * platform/percpu.h - the per-CPU block (the book's PCB, 1.5): one per logical
 * processor, reached through GS.base so `this_cpu()` costs one load.
 */
#ifndef PLATFORM_PERCPU_H
#define PLATFORM_PERCPU_H

#include <stddef.h>
#include <stdint.h>
#include "platform/desc.h"
#include "platform/trace.h"

#define MAX_CPUS        64
#define CPU_STACK_SIZE  (16 * 1024)
#define TRACE_RING_SIZE 256   /* records per CPU; the BSP's first ring is static */
#define TRACE_RING_DUMP 16384 /* records per CPU with `tracedump` (768 KiB each) */

enum cpu_state { CPU_ABSENT, CPU_STARTING, CPU_ONLINE, CPU_FAILED, CPU_HALTED };

struct percpu {
    struct percpu *self; /* GS:0 */
    uint32_t id;         /* logical index, 0 = bootstrap processor */
    uint32_t apic_id;
    volatile uint32_t state;
    uint64_t stack_top;
    uint64_t ist_top; /* separate stack for #DF, NMI and #MC */
    struct gdt_block gdt;
    struct trace_ring trace;
    struct trace_record *trace_storage; /* trace_ring_records records: static for the BSP
                                         * (until trace_rings_enlarge), allocated when an AP
                                         * is started */
    void *vmx;                          /* the VMX layer's per-CPU state, set by vmx/ */
};

extern struct percpu cpus[MAX_CPUS];
extern uint32_t cpu_count; /* CPUs known from the MADT (or 1) */
/* Capacity of the rings of CPUs started from now on (TRACE_RING_SIZE, or more once
 * trace_rings_enlarge has run). */
extern uint32_t trace_ring_records;

static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

static inline uint32_t this_cpu_id(void)
{
    uint32_t id;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct percpu, id)));
    return id;
}

/* Point GS.base at cpus[id] and initialise its identity fields. */
void percpu_setup(uint32_t id, uint32_t apic_id);

/* Append a record to this CPU's debug-record ring (book 1.6.3). */
void trace(uint16_t type, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
/* Print a dump set (docs/trace.md): TRACE-FORMAT 2, the TRACE-VCPU lines, then the ring of
 * every CPU that has one (the `trace` scenario, and power-off with `tracedump`). */
void trace_dump_all(void);
/* Give this CPU (the BSP, once memory is up and before the APs start) a ring of `records`
 * records, with the records it holds so far, and make that the size of the APs' rings.
 * 0, or -1 when there is no memory for it (nothing changes then). */
int trace_rings_enlarge(uint32_t records);
void trace_dump_cpu(uint32_t id);
/* The last n records of a CPU's ring (the panic path prints these). */
void trace_dump_tail(uint32_t id, uint32_t n);

#endif
