/* vmx/watchdog.c - the no-progress watchdog of a vCPU (see watchdog.h). */
#include "vmx/vmx_names.h"
#include "vmx/watchdog.h"

void watchdog_start(struct watchdog *w, uint64_t period, uint64_t now)
{
    w->period = period;
    w->progress = now;
    w->next_check = now + period / WATCHDOG_SAMPLES;
    w->sig = 0;
    w->rip = 0;
    w->moved = false;
}

/* WATCHDOG_IDLE_EXITS names these reasons by number (SDM appendix C) */
_Static_assert(WATCHDOG_IDLE_EXITS ==
                   ((1ull << VM_EXIT_REASON_EXTERNAL_INTERRUPT) |
                    (1ull << VM_EXIT_REASON_INTERRUPT_WINDOW) |
                    (1ull << VM_EXIT_REASON_NMI_WINDOW) | (1ull << VM_EXIT_REASON_HLT) |
                    (1ull << VM_EXIT_REASON_PAUSE) | (1ull << VM_EXIT_REASON_PREEMPTION_TIMER)),
               "the idle exits");

bool watchdog_exit_is_progress(uint32_t basic_reason)
{
    return !watchdog_exit_is_idle(basic_reason);
}

void watchdog_progress(struct watchdog *w, uint64_t now)
{
    w->progress = now;
}

static uint64_t regs_sig(const uint64_t *gprs, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the registers */
    for (unsigned i = 0; i < n; i++) {
        h ^= gprs[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

bool watchdog_sample(struct watchdog *w, uint64_t now, const uint64_t *gprs, unsigned n,
                     uint64_t rip)
{
    if (!w->period)
        return false;
    if ((int64_t)(now - w->next_check) >= 0) {
        uint64_t sig = regs_sig(gprs, n);
        uint64_t dist = rip > w->rip ? rip - w->rip : w->rip - rip;
        if (sig != w->sig || dist >= WATCHDOG_RIP_SPAN)
            w->progress = now; /* it computes, or runs other code */
        w->sig = sig;
        w->rip = rip;
        w->next_check = now + w->period / WATCHDOG_SAMPLES;
    }
    return now - w->progress >= w->period;
}

uint64_t watchdog_deadline(const struct watchdog *w)
{
    return w->period ? w->next_check : UINT64_MAX;
}
