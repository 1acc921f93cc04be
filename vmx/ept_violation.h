/*
 * vmx/ept_violation.h - the exit qualification of an EPT violation (pure): decoding into
 * named fields and a one-line message. SDM 28.2.1, table "Exit Qualification for EPT
 * Violations".
 *
 *     struct ept_violation v;
 *     ept_violation_decode(&v, qual, vmcs_read(GUEST_PHYSICAL_ADDRESS),
 *                          vmcs_read(GUEST_LINEAR_ADDRESS), caps.ept.advanced_exit_info, mbec);
 *     char msg[200];
 *     ept_violation_format(&v, msg, sizeof(msg));
 *     // EPT violation: write to GPA 0x1000 (linear 0xffff800000001000, a translation access)
 *     //   in a page that is readable, not writable, executable
 */
#ifndef VMX_EPT_VIOLATION_H
#define VMX_EPT_VIOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* exit-qualification bits (SDM 28.2.1) */
#define EPT_VQ_READ            (1ULL << 0) /* the access was a data read */
#define EPT_VQ_WRITE           (1ULL << 1) /* a data write */
#define EPT_VQ_FETCH           (1ULL << 2) /* an instruction fetch */
#define EPT_VQ_READABLE        (1ULL << 3) /* AND of bit 0 of the EPT entries */
#define EPT_VQ_WRITABLE        (1ULL << 4) /* AND of bit 1 */
#define EPT_VQ_EXECUTABLE      (1ULL << 5) /* AND of bit 2 (supervisor-mode with MBEC) */
#define EPT_VQ_USER_EXECUTABLE (1ULL << 6) /* AND of bit 10 (with MBEC only) */
#define EPT_VQ_LINEAR_VALID    (1ULL << 7) /* the guest linear-address field is valid */
#define EPT_VQ_TRANSLATION                                                                         \
    (1ULL << 8)                             /* 1: the access was to the linear address's           \
                                               translation; 0: to a guest paging-structure         \
                                               entry (or its A/D update) */
#define EPT_VQ_LINEAR_USER     (1ULL << 9)  /* advanced info: user-mode linear address */
#define EPT_VQ_LINEAR_WRITABLE (1ULL << 10) /* advanced info: read/write linear address */
#define EPT_VQ_LINEAR_NX       (1ULL << 11) /* advanced info: execute-disable linear address */
#define EPT_VQ_NMI_UNBLOCKING  (1ULL << 12) /* NMI unblocking due to IRET */
#define EPT_VQ_SHADOW_STACK    (1ULL << 13) /* a shadow-stack access */
#define EPT_VQ_SSS_PAGE        (1ULL << 14) /* supervisor shadow-stack page (EPTP bit 7) */
#define EPT_VQ_GUEST_PAGING    (1ULL << 15) /* guest-paging verification */
#define EPT_VQ_ASYNC           (1ULL << 16) /* asynchronous to instruction execution */

struct ept_violation {
    uint64_t qualification, gpa, linear;
    bool read, write, fetch;             /* the access */
    bool readable, writable, executable; /* what the EPT allowed (bits 3-5) */
    bool mbec;                           /* bit 5 means supervisor-executable, bit 6 valid */
    bool user_executable;                /* bit 6, only with mbec */
    bool linear_valid;                   /* bit 7: `linear` means something */
    bool translation;                    /* bit 8 (only when linear_valid) */
    bool advanced;                       /* bits 9-11 are valid */
    bool linear_user, linear_writable, linear_nx; /* bits 9-11 (only when advanced) */
    bool nmi_unblocking, shadow_stack, sss_page, guest_paging, async;
};

/* Decodes qual. linear is the guest linear-address field (ignored unless bit 7 is set);
 * advanced_info says the processor reports bits 9-11 (IA32_VMX_EPT_VPID_CAP[22], SDM A.10);
 * mbec says the "mode-based execute control for EPT" VM-execution control is 1. Bits whose
 * meaning depends on another bit are false when that bit says they are undefined.
 * Returns 0, or -1 when v is NULL. */
int ept_violation_decode(struct ept_violation *v, uint64_t qual, uint64_t gpa, uint64_t linear,
                         bool advanced_info, bool mbec);

/* One line, snprintf semantics (returns the full length; -1 when v is NULL):
 * "EPT violation: <access> to GPA 0x<gpa> (<linear part>) in a page that is <perms>[; extra]"
 * access: read, write, read and write, instruction fetch (or "access" when none is set);
 * linear part: "linear 0x..., a translation access" / "linear 0x..., a paging-structure
 * access" [+ "; linear page user|supervisor, writable|read-only, executable|execute-disable"]
 * or "no linear address"; perms: readable|not readable, writable|not writable,
 * executable|not executable (with MBEC: supervisor-executable..., user-executable...);
 * extras: "NMI unblocking due to IRET", "shadow-stack access", "supervisor shadow-stack page",
 * "guest-paging verification", "asynchronous to instruction execution". */
int ept_violation_format(const struct ept_violation *v, char *buf, size_t n);

#endif
