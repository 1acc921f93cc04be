/*
 * vmx/watchdog.h - the no-progress watchdog of a vCPU (pure): whether a vCPU has done anything
 * for a while, so that a guest waiting for something that never comes (CPUs that never start,
 * an interrupt from a device it never programmed) is reported and stopped, not left to the
 * machine's timeout.
 *
 * Progress is: a VM exit other than those of a waiting CPU (PAUSE, HLT, the VMX-preemption
 * timer, an external interrupt of the host's, an interrupt or NMI window), or an interrupt or
 * NMI delivered to it. Without exits the hypervisor only sees the guest at its timer exits;
 * there the watchdog samples the general registers and RIP: a guest that computes changes
 * them, one that spins on a flag (PAUSE or not) or sleeps in HLT does not, or moves within a
 * few bytes of code. A period without progress, sampled four times, makes the vCPU idle.
 */
#ifndef VMX_WATCHDOG_H
#define VMX_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#define WATCHDOG_SAMPLES  4   /* samples per period */
#define WATCHDOG_RIP_SPAN 128 /* bytes of code a spin loop stays within */

struct watchdog {
    uint64_t period;     /* TSC ticks without progress that make the vCPU idle; 0: off */
    uint64_t progress;   /* TSC of the last progress */
    uint64_t next_check; /* TSC of the next sample */
    uint64_t sig;        /* the registers at the last sample */
    uint64_t rip;        /* RIP at the last sample */
    bool moved;          /* a progress exit since the last sample (set on the exit path) */
};

/* Arm (period > 0) or disarm (0) at TSC now; the start counts as progress. */
void watchdog_start(struct watchdog *w, uint64_t period, uint64_t now);

/* Whether a VM exit of this basic reason (SDM appendix C) is progress. */
bool watchdog_exit_is_progress(uint32_t basic_reason);

/* Whether a VM exit of this reason is one of a waiting CPU (not progress): a bit test, for the
 * exit path. The reasons (SDM appendix C): 1 external interrupt (the host's), 7 interrupt
 * window, 8 NMI window, 12 HLT, 40 PAUSE, 52 VMX-preemption timer. */
#define WATCHDOG_IDLE_EXITS                                                                        \
    ((1ull << 1) | (1ull << 7) | (1ull << 8) | (1ull << 12) | (1ull << 40) | (1ull << 52))
static inline bool watchdog_exit_is_idle(uint32_t reason)
{
    return reason < 64 && ((WATCHDOG_IDLE_EXITS >> reason) & 1);
}

/* The vCPU made progress at now. */
void watchdog_progress(struct watchdog *w, uint64_t now);

/* A sample at an exit, with the guest's n general registers and RIP: true when the vCPU has
 * been idle for a period. Samples before next_check only look at the time. */
bool watchdog_sample(struct watchdog *w, uint64_t now, const uint64_t *gprs, unsigned n,
                     uint64_t rip);

/* The TSC by which the vCPU must be back for its next sample (UINT64_MAX when off). */
uint64_t watchdog_deadline(const struct watchdog *w);

#endif
