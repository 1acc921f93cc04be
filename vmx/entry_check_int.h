/*
 * vmx/entry_check_int.h - what the parts of the VM-entry checker share (pure, internal to
 * vmx/entry_check*.c; users include vmx/entry_check.h).
 *
 * One struct ec holds the environment, the reporting state and the values every part needs
 * (controls, CR0/CR4, RFLAGS, the segment registers...), read once by entry_check().
 */
#ifndef VMX_ENTRY_CHECK_INT_H
#define VMX_ENTRY_CHECK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx/entry_check.h"

/* Bits used by several parts (SDM vol. 3A 2.5, 2.3). */
#define EC_CR0_PE    (1ULL << 0)
#define EC_CR0_WP    (1ULL << 16)
#define EC_CR0_NW    (1ULL << 29)
#define EC_CR0_CD    (1ULL << 30)
#define EC_CR0_PG    (1ULL << 31)
#define EC_CR4_PAE   (1ULL << 5)
#define EC_CR4_PCIDE (1ULL << 17)
#define EC_CR4_CET   (1ULL << 23)
#define EC_RFLAGS_TF (1ULL << 8)
#define EC_RFLAGS_IF (1ULL << 9)
#define EC_RFLAGS_VM (1ULL << 17)
#define EC_EFER_LME  (1ULL << 8)
#define EC_EFER_LMA  (1ULL << 10)

/* VM-entry interruption information (SDM 25.8.3) */
#define EC_INTR_VALID        (1u << 31)
#define EC_INTR_DELIVER_EC   (1u << 11)
#define EC_INTR_TYPE(i)      (((i) >> 8) & 7u)
#define EC_INTR_VECTOR(i)    ((i)&0xffu)
#define EC_TYPE_EXT_INTR     0u
#define EC_TYPE_NMI          2u
#define EC_TYPE_HW_EXCEPTION 3u
#define EC_TYPE_SW_INTR      4u
#define EC_TYPE_PRIV_SW_EXC  5u
#define EC_TYPE_SW_EXCEPTION 6u
#define EC_TYPE_OTHER        7u

/* Interruptibility state (SDM 25.4.2 Table 25-3) and activity states. */
#define EC_BLOCK_STI    (1u << 0)
#define EC_BLOCK_MOV_SS (1u << 1)
#define EC_BLOCK_SMI    (1u << 2)
#define EC_BLOCK_NMI    (1u << 3)
#define EC_ENCLAVE_INTR (1u << 4)
#define EC_ACT_ACTIVE   0u
#define EC_ACT_HLT      1u
#define EC_ACT_SHUTDOWN 2u
#define EC_ACT_SIPI     3u

/* Segment access rights (SDM 25.4.1 Table 25-2). */
#define EC_AR_TYPE(ar)  ((ar)&0xfu)
#define EC_AR_S         (1u << 4)
#define EC_AR_DPL(ar)   (((ar) >> 5) & 3u)
#define EC_AR_P         (1u << 7)
#define EC_AR_RSV_11_8  0xf00u
#define EC_AR_L         (1u << 13)
#define EC_AR_DB        (1u << 14)
#define EC_AR_G         (1u << 15)
#define EC_AR_UNUSABLE  (1u << 16)
#define EC_AR_RSV_31_17 0xfffe0000u

enum ec_seg { EC_ES, EC_CS, EC_SS, EC_DS, EC_FS, EC_GS, EC_LDTR, EC_TR, EC_SEG_COUNT };

struct ec_seg_state {
    uint16_t sel;
    uint64_t base;
    uint32_t limit, ar;
};

struct ec {
    const struct entry_check_env *env;
    const struct vmx_caps *caps;
    entry_report_fn report;
    void *rctx;
    struct entry_check_result *res;
    unsigned maxphyaddr, linear_width;
    bool have_first;
    /* controls, read once; inactive secondary/tertiary/exit2/VM-function fields are 0 */
    uint32_t pin, proc, proc2, exit, entry;
    uint64_t proc3, exit2, vmfunc;
    /* guest facts used by several parts */
    bool ug, ept, ia32e_guest, host64, v86;
    uint64_t cr0, cr4, rflags, debugctl;
    uint32_t intr_info, interruptibility, activity;
    bool inject;
    unsigned itype, ivector;
    struct ec_seg_state seg[EC_SEG_COUNT];
};

/* A field's value through env->read; 0 (and res->unreadable counted) when refused. */
uint64_t ec_read(struct ec *e, uint32_t encoding);
/* A quadword of physical memory; false when there is no reader or it failed. */
bool ec_phys(struct ec *e, uint64_t addr, uint64_t *value);

/* Records a failed rule with the rule's own exit qualification / with qualification q. */
void ec_fail(struct ec *e, enum entry_rule r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ec_fail_q(struct ec *e, enum entry_rule r, uint64_t q, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records a rule that could not be checked. */
void ec_skip(struct ec *e, enum entry_rule r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when a is canonical for the processor's linear-address width. */
bool ec_canonical(const struct ec *e, uint64_t a);
/* True when a sets a bit at or above MAXPHYADDR. */
bool ec_beyond_width(const struct ec *e, uint64_t a);
/* As ec_beyond_width, and bits 63:32 when IA32_VMX_BASIC[48] is 1 (VMX structure addresses,
 * SDM A.1). */
bool ec_addr_beyond(const struct ec *e, uint64_t a);

#define EC_EFER_DEFAULT_ALLOWED     0xd01ULL  /* SCE, LME, LMA, NXE (SDM vol. 3A 2.2.1) */
#define EC_DEBUGCTL_DEFAULT_ALLOWED 0xffc3ULL /* bits 0, 1, 6-15 (SDM vol. 3B 17.4.1) */

/* Reports the must-be-1 / must-be-0 bits of a CR against its FIXED0/FIXED1 MSRs (SDM A.7, A.8);
 * exempt: bits not checked at all. */
void ec_check_fixed_cr(struct ec *e, const char *what, uint64_t v, uint64_t fixed0, uint64_t fixed1,
                       uint64_t exempt, enum entry_rule r1, enum entry_rule r0);
/* True when every byte of a PAT value is a memory type: 0, 1, 4, 5, 6 or 7; else the first bad
 * byte's index in *bad_byte (SDM vol. 3A 13.12.2). */
bool ec_pat_valid(uint64_t pat, unsigned *bad_byte);

/* The parts, each in SDM order. */
void ec_check_basic(struct ec *e);      /* 27.1, entry_check.c */
void ec_check_exec(struct ec *e);       /* 27.2.1.1, entry_check_ctl.c */
void ec_check_exit_entry(struct ec *e); /* 27.2.1.2, 27.2.1.3, entry_check_ctl.c */
void ec_check_host(struct ec *e);       /* 27.2.2-27.2.4, entry_check_host.c */
void ec_check_guest_regs(struct ec *e); /* 27.3.1.1, entry_check_guest.c */
void ec_check_segments(struct ec *e);   /* 27.3.1.2, 27.3.1.3, entry_check_seg.c */
void ec_check_guest_rest(struct ec *e); /* 27.3.1.4-27.3.1.6, entry_check_guest.c */
void ec_check_msr_load(struct ec *e);   /* 27.4, entry_check.c */

#endif
