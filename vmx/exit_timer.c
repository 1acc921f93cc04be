/* vmx/exit_timer.c - the VMX-preemption timer (SDM 26.5.1): it counts down in VMX non-root
 * operation and causes a VM exit at zero; here that ends the vCPU's time slice. */
#include "vmx/exit.h"

/* The time slice is over: give the CPU to the next vCPU (vm/sched.c). */
enum exit_action exit_preemption_timer(struct vcpu *v)
{
    v->timer_exits++;
    return EXIT_YIELD;
}
