/*
 * vmx/entry_explain.h - the software VM-entry checker (vmx/entry_check.h) run on the CPU's
 * current VMCS: which rule a failed VM entry broke, next to what the CPU answered.
 *
 * It runs by itself when an entry fails (VMfailValid 7, 8 or 26 in vcpu.c, exit reasons 33, 34
 * and 41 in exit_misc.c) and, with the command-line option entrycheck=1, before the first
 * VMLAUNCH of every vCPU. The lines it prints (docs/entry-checker.md):
 *
 *   entry-check: badstate: the CPU says VM exit 33 (invalid guest state), qualification 0
 *   entry-check: badstate:   guest.rflags.bit1: RFLAGS 0x0 has bit 1 clear [SDM 27.3.1.4; VM ...]
 *   entry-check: badstate:     (RFLAGS bit 1 is 1)
 *   entry-check: badstate: 1 rule failed; the checker expects VM exit 33 (...): agrees with the CPU
 *
 * The VMCS is read with VMREAD without the error reports of vmcs_read() (a field the CPU does
 * not have reads as refused), physical memory only inside RAM of the firmware map.
 */
#ifndef VMX_ENTRY_EXPLAIN_H
#define VMX_ENTRY_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/entry_check.h"
#include "vmx/entry_compare.h"
#include "vmx/vcpu.h"

/* vmcs_read_fn over the current VMCS: 0 and *value, or -1 when VMREAD fails (quietly). */
int vmx_entry_vmread(void *ctx, uint32_t encoding, uint64_t *value);

/* entry_phys_read_fn: 8 bytes at an 8-byte aligned address inside RAM, else -1. */
int vmx_entry_phys_read(void *ctx, uint64_t addr, uint64_t *value);

/* Fills env for this CPU: the quiet VMREAD and RAM readers, the capability MSRs, MAXPHYADDR
 * and the linear-address width, RTM/SGX and the IA32_PERF_GLOBAL_CTRL bits from CPUID, the
 * current-VMCS pointer. The instruction and launch state stay unknown. */
void vmx_entry_env(struct entry_check_env *env);

/*
 * Runs the checker on the current VMCS (v's) and prints every failed or unchecked rule, then
 * the checker's verdict next to cpu, what the CPU answered (NULL: before a VMLAUNCH, which is
 * then assumed with a clear VMCS), and whether they agree (vmx/entry_compare.h): a checker that
 * finds nothing while the CPU refused the entry is said to disagree. Returns the number of
 * failed rules.
 */
int vmx_entry_explain(struct vcpu *v, const struct entry_verdict *cpu);

/* What the last vmx_entry_explain on this CPU found (for scenarios that check it). */
struct vmx_entry_explained {
    bool valid;               /* vmx_entry_explain ran on this CPU */
    unsigned failed;          /* failed rules */
    enum entry_rule first;    /* the rule that decides the verdict (ENTRY_RULE_COUNT: none) */
    struct entry_verdict cpu; /* what the CPU answered (PASS before a VMLAUNCH) */
    enum entry_agreement how; /* ENTRY_AGREE... (vmx/entry_compare.h); AGREE before a launch */
};
void vmx_entry_last(struct vmx_entry_explained *out);

/* The call sites: VMfailValid with VM-instruction error n (explained for 7, 8 and 26), and a
 * VM-entry failure exit (basic reason 33 or 34; 41, machine-check during entry, is only said). */
void vmx_entry_explain_vmfail(struct vcpu *v, uint32_t n);
void vmx_entry_explain_exit(struct vcpu *v, uint32_t exit_reason, uint64_t qualification);

#endif
