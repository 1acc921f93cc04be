/*
 * vmx/entry_compare.h - does a processor's answer to a VM entry agree with the software
 * VM-entry checker (vmx/entry_check.h)? (pure)
 *
 * Two things stand between the checker's findings and "the" answer:
 *  - the latitude the SDM leaves: the checks of SDM 27.2 (controls, host state) may be made
 *    in any order, so with failures in both a processor may answer VMfailValid 7 or 8; and
 *    the checker takes the guest-state checks as unordered too, so an exit 33 may carry the
 *    qualification of any failing guest-state rule (0, 2, 3 or 4; SDM 27.8);
 *  - the platform: where the processor (here Bochs 2.7, the emulator the tests run on) does not
 *    do what the SDM says. Each such difference is one row of the deviation table below, with
 *    what the platform does and where in its source; the checker itself stays on the SDM.
 *
 * entry_compare() first asks whether the answer is one the SDM allows for the findings
 * (ENTRY_AGREE). If not, it applies the deviation rows that fit the state (drops findings of
 * rules the platform does not check, rewrites qualifications, adds failures of checks only the
 * platform makes) and asks again (ENTRY_AGREE_DEVIATION, with the rows it used); otherwise
 * ENTRY_DISAGREE.
 */
#ifndef VMX_ENTRY_COMPARE_H
#define VMX_ENTRY_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/entry_check.h"

/*
 * What the processor answered, as a struct entry_verdict: ENTRY_VERDICT_PASS when the guest
 * was entered (any VM exit without bit 31 of the exit reason), ENTRY_VERDICT_VMFAIL with the
 * VM-instruction error (code 0 stands for VMfailInvalid), ENTRY_VERDICT_EXIT with the basic
 * exit reason (33 or 34) and the exit qualification of a VM-entry failure.
 */

enum entry_agreement {
    ENTRY_AGREE,           /* an answer the SDM allows for the checker's findings */
    ENTRY_AGREE_DEVIATION, /* allowed once documented platform deviations are applied */
    ENTRY_DISAGREE,
};

enum entry_dev_kind {
    ENTRY_DEV_NOT_CHECKED,   /* the platform does not check the rule(s) in this case */
    ENTRY_DEV_QUALIFICATION, /* it fails the rule with another exit qualification */
    ENTRY_DEV_EXTRA,         /* it fails a check the SDM does not make (or makes otherwise) */
};

/* One row of the deviation table. */
struct entry_deviation {
    const char *id;    /* "bochs27.ss_rpl0_64bit" */
    const char *rules; /* the checker rules concerned, blank-separated ("" for none) */
    enum entry_dev_kind kind;
    const char *what;  /* what the platform does, one sentence */
    const char *where; /* where its source does it ("bochs/cpu/vmx.cc, VMenterLoadCheck...") */
};

#define ENTRY_DEV_MAX 32 /* rows fit in the bit mask of struct entry_compare_result */

/* The rows of the table (Bochs 2.7), in a fixed order; NULL when i is out of range. */
size_t entry_deviation_count(void);
const struct entry_deviation *entry_deviation_at(size_t i);

struct entry_compare_result {
    enum entry_agreement how;
    uint32_t deviations;         /* bit i: row i applied (ENTRY_AGREE_DEVIATION only) */
    struct entry_verdict expect; /* the checker's verdict (entry_verdict_of the findings) */
};

/*
 * True when cpu is an answer the SDM allows for findings f[0..n-1] (in entry_check's order;
 * skipped findings do not count): none failed: entered; else the lowest category decides:
 * SDM 27.1 its first rule's VMfailValid; 27.2 VMfailValid 7 if a control rule failed, 8 if a
 * host-state rule failed; 27.3 exit 33 with the qualification of any failed guest rule; 27.4
 * exit 34 with the first failing entry.
 */
bool entry_verdict_allowed(const struct entry_finding *f, size_t n,
                           const struct entry_verdict *cpu);

/*
 * Compares cpu with the findings of the VMCS env reads (the deviation rows read the fields they
 * need through env->read). Returns 0 and fills *r, or -1 when an argument is missing.
 */
int entry_compare(const struct entry_check_env *env, const struct entry_finding *f, size_t n,
                  const struct entry_verdict *cpu, struct entry_compare_result *r);

/* "bochs27.ss_rpl0_64bit bochs27.debugctl" for a mask of rows (empty for 0). */
int entry_deviation_format(char *buf, size_t len, uint32_t mask);

#endif
