/* vmx/exit_timer.c - the VMX-preemption timer (SDM 26.5.1): it counts down in VMX non-root
 * operation and causes a VM exit at zero. Here that means a device event is due or the vCPU's
 * time slice is over. */
#include "vmx/exit.h"

/* The timer ran out: a device event is due (the step before the entry injects it), or the
 * time slice is over (vcpu_timer_recharge then gives the CPU to the next vCPU, vm/sched.c). */
enum exit_action exit_preemption_timer(struct vcpu *v)
{
    if (v->hlt_native && exit_hlt_check(v) != EXIT_RESUME)
        return EXIT_STOP; /* halted with interrupts disabled (vcpu.h: VCPU_HLT_CHECK_MS) */
    if (v->device_time)
        v->attention = true;
    else if (v->time_slice) {
        v->timer_exits++;
        return EXIT_YIELD;
    }
    return EXIT_RESUME;
}
