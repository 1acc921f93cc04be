/*
 * platform/trace_vcpu.h - which vCPU a VM_ENTRY record is about: the VMX layer asks for a
 * vCPU's trace number when it enters the vCPU and writes it into the record; the dump names
 * every number in a TRACE-VCPU line (docs/trace.md), so a tool can attribute exits to VMs.
 */
#ifndef PLATFORM_TRACE_VCPU_H
#define PLATFORM_TRACE_VCPU_H

#include <stdint.h>

/* Most vCPUs one host CPU can number; more get TRACE_VCPU_NONE. */
#define TRACE_VCPUS_PER_CPU 16

/* The trace number of the vCPU at `vcpu` (any stable address standing for it) with this id
 * and name, running on this CPU: the same number every time for the same triple, a new one
 * (counting from 0 over all CPUs) the first time. TRACE_VCPU_NONE when this CPU's table is
 * full. Only the CPU itself writes its table; no lock is taken. */
uint32_t trace_vcpu_number(const void *vcpu, uint32_t id, const char *name);

/* Emits one TRACE-VCPU line per numbered vCPU, in number order. */
void trace_vcpu_dump(void (*emit_line)(void *ctx, const char *line), void *ctx);

#endif
