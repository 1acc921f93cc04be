/*
 * vm/sched.h - running vCPUs on host CPUs (book 6.4: several VMs).
 *
 * Each vCPU is assigned to one host CPU (its VMCS holds that CPU's host state). A host CPU
 * with one vCPU runs it until it stops; with several, it time-slices them with the
 * VMX-preemption timer (SDM 26.5.1): each slice ends in exit reason 52, the CPU switches
 * VMCS with VMPTRLD and enters the next one.
 */
#ifndef VM_SCHED_H
#define VM_SCHED_H

#include <stdint.h>
#include "vmx/vcpu.h"

#define SCHED_MAX_PER_CPU 8

/* A vCPU waiting to run: how to start it, and where. */
struct sched_entry {
    struct vcpu *v;
    struct vcpu_config start;
    bool started;             /* its VMCS is built (a secondary vCPU: after its SIPI) */
    uint64_t contended_ticks; /* TSC ticks it ran while another vCPU of its CPU was runnable */
    uint64_t contended_slices;
};

/* Put v on host CPU `cpu`'s run queue. 0, or -1 when the queue is full or the CPU is not
 * online. */
int sched_assign(uint32_t cpu, struct vcpu *v, const struct vcpu_config *start);

/* Run every queue: other CPUs through cross-CPU calls, this CPU's own queue here. Returns
 * when every vCPU has stopped. The time slice applies to CPUs with two or more vCPUs. */
void sched_run_all(uint32_t time_slice_ticks);

/* Forget all assignments (between scenarios). */
void sched_reset(void);

/* Time-slice switches done so far on a CPU. */
uint64_t sched_switches(uint32_t cpu);

/* For every CPU that time-sliced vCPUs: each one's share of the time while they competed,
 * one line per CPU: "sched: CPU 1 shares: s1 50% (12 slices), s2 50% (12 slices)". */
void sched_print_shares(void);

#endif
