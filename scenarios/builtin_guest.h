/* scenarios/builtin_guest.h - run one of the built-in guests (guests/builtin/) on this CPU,
 * with its debug console (port 0xE9) printed as "<name>: <line>". */
#ifndef SCENARIOS_BUILTIN_GUEST_H
#define SCENARIOS_BUILTIN_GUEST_H

#include "vmx/vcpu.h"

/* Enters VMX operation on this CPU if needed, sets up *v for entry(), runs it until it stops.
 * Returns 0 when the guest ran (see v->stop_reason, v->exit_reason), -1 when it could not. */
int builtin_guest_run(struct vcpu *v, const char *name, void (*entry)(void));

#endif
