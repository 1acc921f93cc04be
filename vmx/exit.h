/*
 * vmx/exit.h - VM-exit handling (book chapter 5; SDM 28 and appendix C): one table indexed by
 * the basic exit reason. A reason with no handler is reported with its name, qualification,
 * guest RIP and a VMCS dump, and the guest is stopped; the rest of the system goes on.
 */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include "vmx/vcpu.h"

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v);

/* The exit table: basic exit reason -> handler; NULL where there is none. */
extern const exit_handler_fn exit_table[VM_EXIT_REASONS];

/* Entry failures (bit 31) and reasons without a handler are reported; the rest go to their
 * handler. The hot path (vmx_exit_handler) calls the handlers through its routing table (the
 * exit table with the trace mask applied, vmx/vcpu.c) and comes here only for exits off it. */
enum exit_action exit_dispatch(struct vcpu *v, uint32_t basic_reason);

exit_handler_fn exit_handler_for(uint32_t basic_reason);

/* Handlers, by file. */
enum exit_action exit_cpuid(struct vcpu *v); /* exit_cpuid.c */
/* Computes the CPUID answers the guests get from the host's, once (vmx_detect). */
void exit_cpuid_setup(void);
enum exit_action exit_rdmsr(struct vcpu *v); /* exit_msr.c */
enum exit_action exit_wrmsr(struct vcpu *v);
enum exit_action exit_io(struct vcpu *v);        /* exit_io.c */
enum exit_action exit_cr_access(struct vcpu *v); /* exit_cr.c */
enum exit_action exit_xsetbv(struct vcpu *v);    /* exit_xsetbv.c */
enum exit_action exit_vmcall(struct vcpu *v);    /* exit_misc.c */
enum exit_action exit_hlt(struct vcpu *v);
/* A vCPU that runs HLT itself (hlt_native), at an exit that may have come in its HLT state:
 * stopped when it halted with interrupts disabled and nothing can wake it; else EXIT_RESUME. */
enum exit_action exit_hlt_check(struct vcpu *v);
enum exit_action exit_exception(struct vcpu *v); /* exit_exception.c */
enum exit_action exit_invd(struct vcpu *v);
enum exit_action exit_wbinvd(struct vcpu *v);
enum exit_action exit_vmx_instruction(struct vcpu *v);
enum exit_action exit_monitor_mwait(struct vcpu *v);
enum exit_action exit_rdpmc(struct vcpu *v);
enum exit_action exit_mtf(struct vcpu *v);
enum exit_action exit_triple_fault(struct vcpu *v);
enum exit_action exit_external_interrupt(struct vcpu *v);
enum exit_action exit_entry_failure(struct vcpu *v);
enum exit_action exit_event_window(struct vcpu *v);  /* event_inject.c */
enum exit_action exit_ept_violation(struct vcpu *v); /* exit_ept.c */
enum exit_action exit_ept_misconfig(struct vcpu *v);
enum exit_action exit_preemption_timer(struct vcpu *v);    /* exit_timer.c */
enum exit_action exit_vmfunc(struct vcpu *v);              /* exit_vmfunc.c */
enum exit_action exit_tpr_below_threshold(struct vcpu *v); /* apicv.c */
enum exit_action exit_apic_access(struct vcpu *v);
enum exit_action exit_virtualized_eoi(struct vcpu *v);
enum exit_action exit_apic_write(struct vcpu *v);
enum exit_action exit_task_switch(struct vcpu *v); /* exit_task_switch.c */

/* Stops the guest with its EPT violation decoded and worded by vmx/ept_violation.h
 * ("EPT violation: write to GPA 0x... (...) in a page that is ... at RIP 0x..."): what
 * exit_ept_violation does when no hook serves the access, and what a hook calls when it
 * does not serve it either. */
enum exit_action exit_ept_violation_stop(struct vcpu *v, uint64_t gpa, uint64_t qualification);

/* Open the MSRs a guest may access directly in a 4 KiB MSR bitmap (SDM 25.6.9). */
void exit_msr_setup_bitmap(uint8_t *bitmap);
/* The power-up values of a vCPU's own MSRs (MTRRs, IA32_MISC_ENABLE). */
void exit_msr_init_vcpu(struct vcpu *v);

/* Hypercall numbers (VMCALL, number in RAX, result in RAX): see docs/hypercalls.md. */
#define VP_HC_VERSION       0
#define VP_HC_EXIT          1          /* RBX: exit status; the guest stops */
#define VP_HC_NOP           2          /* returns 0: the cheapest round trip, for benchmarks */
#define VP_HC_INJECT        3          /* RBX type, RCX vector, RDX error, RSI length: an event */
#define VP_HC_VERSION_VALUE 0x00010000 /* 1.0 */
#define VP_HC_ENOSYS        (~0ull)
#define VP_HC_EINVAL        (~1ull)

#endif
