/* scenarios/builtin_guest.h - run one of the built-in guests (guests/builtin/) on this CPU,
 * with its debug console (port 0xE9) printed as "<name>: <line>". */
#ifndef SCENARIOS_BUILTIN_GUEST_H
#define SCENARIOS_BUILTIN_GUEST_H

#include "vmx/vcpu.h"

/* Optional extras: run under EPT (the guest keeps the host's page tables, so the EPT should
 * identity-map what it touches), with an EPTP list for VMFUNC, and a hypercall handler for
 * VMCALL numbers the VMX layer does not serve. */
struct builtin_opts {
    uint64_t eptp, eptp_list;
    bool (*hypercall)(struct vcpu *v);
    uint32_t exception_bitmap; /* exceptions that exit instead of reaching the guest */
    void (*tweak)(void);       /* called with the VMCS current, before the first entry */
    void (*explain)(struct vcpu *v, uint64_t gpa, char *buf, unsigned len); /* EPT misconfig */
    enum exit_action (*mtf)(struct vcpu *v); /* monitor-trap-flag exits; NULL: go on */
};

/* Enters VMX operation on this CPU if needed, sets up *v for entry(), runs it until it stops.
 * Returns 0 when the guest ran (see v->stop_reason, v->exit_reason), -1 when it could not.
 * o may be NULL. */
int builtin_guest_run(struct vcpu *v, const char *name, void (*entry)(void),
                      const struct builtin_opts *o);

#endif
