/*
 * vmx/entry_check.h - the software VM-entry checker (pure): which rule of SDM 27.1-27.4 a VMCS
 * breaks, and what the processor answers to VMLAUNCH/VMRESUME for it.
 *
 * Every rule has a stable dotted identifier, <area>.<object>.<condition>:
 *   area   basic (27.1), ctl (27.2.1), host (27.2.2-27.2.4), guest (27.3.1), msr_load (27.4)
 *   object a control, a field or a register ("pin", "eptp", "cs", "cr0", "intr_info")
 *   condition what is wrong ("must_be_1", "align", "width", "canonical", "type")
 * e.g. "ctl.pin.must_be_0", "host.cr4.must_be_1", "guest.cs.type.unrestricted". The full table
 * (identifier, SDM section, verdict) is vmx/entry_rules.def and docs/entry-checker.md.
 *
 * Use (kernel, after a failed entry or before a first VMLAUNCH):
 *     struct entry_check_env env = { .read = vmcs_read_cb, .caps = &caps, .maxphyaddr = 46,
 *                                    .phys_read = phys_read_cb };
 *     struct entry_check_result res;
 *     entry_check(&env, print_finding, NULL, &res);
 *     if (res.verdict.kind != ENTRY_VERDICT_PASS) ...
 * print_finding gets one struct entry_finding per failed (or skipped) rule; entry_format_finding
 * turns it into the line
 *     "entry-check: guest.cs.type: CS type 0x3 ... [SDM 27.3.1.2; VM exit 33, qualification 0]"
 *
 * The checker only reads: the VMCS through env->read, physical memory through env->phys_read
 * (8 bytes at a time; NULL skips the rules that need memory and reports them as skipped).
 * A field the read callback refuses counts as 0 (res->unreadable counts them).
 */
#ifndef VMX_ENTRY_CHECK_H
#define VMX_ENTRY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_dump.h"
#include "vmx/vmx_caps.h"

/* The rules, in SDM order (vmx/entry_rules.def). */
enum entry_rule {
#define ENTRY_RULE(name, id, section, cat, arg, text) ENTRY_RULE_##name,
#include "vmx/entry_rules.def"
#undef ENTRY_RULE
    ENTRY_RULE_COUNT
};

/* Where a rule belongs; also the order in which the processor checks (SDM 27.1-27.4). */
enum entry_category {
    ENTRY_CAT_BASIC, /* SDM 27.1: VMfailValid with the rule's error number */
    ENTRY_CAT_CTL,   /* SDM 27.2.1: VMfailValid 7, invalid control field(s) */
    ENTRY_CAT_HOST,  /* SDM 27.2.2-27.2.4: VMfailValid 8, invalid host-state field(s) */
    ENTRY_CAT_GUEST, /* SDM 27.3: VM exit 33, invalid guest state */
    ENTRY_CAT_MSR,   /* SDM 27.4: VM exit 34, MSR loading */
    ENTRY_CAT_COUNT
};

enum entry_verdict_kind {
    ENTRY_VERDICT_PASS,   /* the VM entry succeeds (as far as these rules tell) */
    ENTRY_VERDICT_VMFAIL, /* VMfailValid; code = VM-instruction error number (SDM 31.4) */
    ENTRY_VERDICT_EXIT,   /* VM-entry failure: VM exit with reason code | bit 31 (SDM 27.8) */
};

#define ENTRY_ERR_CONTROL          7u  /* invalid control field(s), SDM 31.4 */
#define ENTRY_ERR_HOST             8u  /* invalid host-state field(s) */
#define ENTRY_ERR_MOV_SS           26u /* VM entry with events blocked by MOV SS */
#define ENTRY_EXIT_INVALID_GUEST   33u /* basic exit reason, SDM appendix C */
#define ENTRY_EXIT_MSR_LOADING     34u
#define ENTRY_QUAL_PDPTE           2u /* exit qualifications of exit 33, SDM 27.8 */
#define ENTRY_QUAL_NMI_BLOCKED_STI 3u
#define ENTRY_QUAL_LINK_POINTER    4u

struct entry_verdict {
    enum entry_verdict_kind kind;
    uint32_t code;          /* VM-instruction error or basic exit reason; 0 for PASS */
    uint64_t qualification; /* exit qualification (exit 33: 0/2/3/4; exit 34: entry index) */
};

/* Reads 8 bytes of physical memory at addr (8-byte aligned); 0 on success. */
typedef int (*entry_phys_read_fn)(void *ctx, uint64_t addr, uint64_t *value);

enum entry_insn { ENTRY_INSN_UNKNOWN, ENTRY_INSN_VMLAUNCH, ENTRY_INSN_VMRESUME };
enum entry_launch_state { ENTRY_LAUNCH_UNKNOWN, ENTRY_LAUNCH_CLEAR, ENTRY_LAUNCH_LAUNCHED };

/*
 * What the checker looks at. Zero-initialise and fill read, caps and maxphyaddr; the rest
 * describes the processor executing the VM entry and defaults to the usual case (64-bit VMM
 * outside SMM, no MOV-SS blocking, unknown instruction and pointers).
 */
struct entry_check_env {
    vmcs_read_fn read; /* required */
    void *read_ctx;
    const struct vmx_caps *caps;  /* required */
    unsigned maxphyaddr;          /* CPUID.80000008H:EAX[7:0]; 0 means 36 */
    unsigned linear_width;        /* CPUID.80000008H:EAX[15:8]; 0 means 48 */
    entry_phys_read_fn phys_read; /* optional: link-pointer revision, VTPR, PDPTEs, MSR list */
    void *phys_ctx;
    /* facts about the processor that executes VMLAUNCH/VMRESUME */
    bool in_smm;          /* SDM 27.2.1.3, 27.3.1.5, 27.4 */
    bool mov_ss_blocking; /* events blocked by MOV SS (SDM 27.1) */
    bool outside_ia32e;   /* IA32_EFER.LMA = 0 (never for this hypervisor) */
    bool rtm, sgx;        /* CPUID.7.0:EBX.RTM[11] / .SGX[2] */
    enum entry_insn insn; /* SDM 27.1 launch-state rules when both known */
    enum entry_launch_state launch_state;
    uint64_t current_vmcs;   /* current-VMCS pointer; 0: unknown (rule not checked) */
    uint64_t executive_vmcs; /* executive-VMCS pointer (SMM); 0: unknown */
    /* writable bits of MSRs whose reserved bits are model-specific; 0: the default
     * (EFER: SCE LME LMA NXE; DEBUGCTL: bits 0, 1, 6-15; PERF_GLOBAL_CTRL: not checked) */
    uint64_t efer_allowed, debugctl_allowed, perf_global_ctrl_allowed;
};

#define ENTRY_MSG_MAX 200

/* One failed rule, or one rule that could not be checked (skipped = true). */
struct entry_finding {
    enum entry_rule rule;
    bool skipped;            /* not checked: the message says what was missing */
    uint64_t qualification;  /* exit qualification for this failure (rule's, or MSR index) */
    char msg[ENTRY_MSG_MAX]; /* the offending value(s), one line without a newline */
};

typedef void (*entry_report_fn)(void *ctx, const struct entry_finding *f);

struct entry_check_result {
    unsigned failed;                   /* findings with skipped = false */
    unsigned skipped;                  /* findings with skipped = true */
    unsigned unreadable;               /* field reads the callback refused (taken as 0) */
    unsigned per_cat[ENTRY_CAT_COUNT]; /* failed rules per category */
    struct entry_verdict verdict;      /* what the processor answers (entry_verdict_of) */
    enum entry_rule first;             /* the rule that decides the verdict (when not PASS) */
};

/*
 * Checks every rule, in SDM order, and calls report (may be NULL) once per failed or skipped
 * rule. Fills *res (may be NULL). Returns the number of failed rules, or -1 when env, its read
 * callback or its caps are missing.
 */
int entry_check(const struct entry_check_env *env, entry_report_fn report, void *rctx,
                struct entry_check_result *res);

/* The same, storing up to max findings into out[] (res->failed + res->skipped may be more). */
int entry_check_collect(const struct entry_check_env *env, struct entry_finding *out, size_t max,
                        size_t *count, struct entry_check_result *res);

/* The overall verdict of findings in the order entry_check reports them: that of the first
 * failed one of the lowest category (skipped findings do not count); PASS when none failed. */
struct entry_verdict entry_verdict_of(const struct entry_finding *f, size_t n);

/* The verdict of one failed rule (its category's VMfailValid/exit; qualification as given). */
struct entry_verdict entry_rule_verdict(enum entry_rule r, uint64_t qualification);

/* Rule metadata; "?" / ENTRY_CAT_COUNT when r is out of range. */
const char *entry_rule_id(enum entry_rule r);      /* "guest.cs.type" */
const char *entry_rule_section(enum entry_rule r); /* "SDM 27.3.1.2" */
const char *entry_rule_text(enum entry_rule r);    /* what must hold */
enum entry_category entry_rule_category(enum entry_rule r);
/* The rule named id, or ENTRY_RULE_COUNT. */
enum entry_rule entry_rule_by_id(const char *id);

/* "VM entry succeeds", "VMfailValid 7 (invalid control field)", "VM exit 33 (invalid guest
 * state), qualification 4 (VMCS link pointer)", "VM exit 34 (MSR loading), entry 2". */
int entry_format_verdict(char *buf, size_t n, const struct entry_verdict *v);
/* "<id>: <msg> [<section>; <verdict>]", or "<id>: not checked: <msg> [<section>]". */
int entry_format_finding(char *buf, size_t n, const struct entry_finding *f);

#endif
