/*
 * vmx/vmx_controls.h - allowed settings of the VMX control fields, their bit names, and
 * the adjustment of a wanted control value to what the processor allows (pure).
 *
 * Allowed settings (SDM A.3-A.5): a control MSR reports allowed-0 settings in bits 31:0
 * (a bit set there means the control must be 1) and allowed-1 settings in bits 63:32
 * (a bit clear there means the control must be 0). The tertiary processor-based and the
 * secondary VM-exit controls are 64-bit fields whose MSR reports allowed-1 settings only
 * (SDM A.3.4, A.4.2): every bit may be 0.
 */
#ifndef VMX_VMX_CONTROLS_H
#define VMX_VMX_CONTROLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmx_msr.h"

enum vmx_ctl {
    VMX_CTL_PIN,   /* pin-based VM-execution controls */
    VMX_CTL_PROC,  /* primary processor-based VM-execution controls */
    VMX_CTL_PROC2, /* secondary processor-based VM-execution controls */
    VMX_CTL_PROC3, /* tertiary processor-based VM-execution controls (64-bit) */
    VMX_CTL_EXIT,  /* primary VM-exit controls */
    VMX_CTL_EXIT2, /* secondary VM-exit controls (64-bit) */
    VMX_CTL_ENTRY, /* VM-entry controls */
    VMX_CTL_COUNT
};

enum vmx_ctl_error {
    VMX_CTL_OK = 0,
    VMX_CTL_EINVAL = -1,        /* bad argument */
    VMX_CTL_ENOMSR = -2,        /* the control field does not exist on this processor */
    VMX_CTL_EUNSUPPORTED = -3,  /* a required control may not be 1 */
    VMX_CTL_EINCONSISTENT = -4, /* the MSR says a bit must be 1 and may not be 1 */
    VMX_CTL_EFIXED = -5,        /* a CR0/CR4 value violates the fixed bits */
};

/* Effective allowed settings of one control field. */
struct vmx_ctl_allowed {
    bool available;    /* the field exists (its capability MSR exists and was read) */
    bool from_true;    /* taken from an IA32_VMX_TRUE_*_CTLS MSR (IA32_VMX_BASIC[55]) */
    uint32_t msr;      /* the MSR the settings come from */
    uint64_t allowed0; /* bit set: the control must be 1 */
    uint64_t allowed1; /* bit set: the control may be 1 */
};

/* Fills *out for `which` from the raw values; returns 0 or VMX_CTL_ENOMSR/EINVAL.
 * Uses the TRUE MSR for pin/proc/exit/entry when IA32_VMX_BASIC[55] is 1 (SDM A.3-A.5). */
int vmx_ctl_get_allowed(enum vmx_ctl which, const struct vmx_msr_values *v,
                        struct vmx_ctl_allowed *out);

/* "PINBASED", "PROCBASED", "PROCBASED2", "PROCBASED3", "EXIT", "EXIT2", "ENTRY". */
const char *vmx_ctl_short_name(enum vmx_ctl which);
/* "pin-based VM-execution controls", ... (the SDM's name of the field). */
const char *vmx_ctl_long_name(enum vmx_ctl which);
/* SDM name of a control bit without the field prefix ("VIRTUAL_NMIS"), or NULL. */
const char *vmx_ctl_bit_name(enum vmx_ctl which, unsigned bit);
/* Mask of all bits that have a name (the controls this VMM "knows", SDM 32.5.1). */
uint64_t vmx_ctl_known_mask(enum vmx_ctl which);
/* Default1 class of the field (SDM A.2); 0 for secondary/tertiary/exit2. */
uint64_t vmx_ctl_default1_mask(enum vmx_ctl which);

/*
 * Computes the value of a control field (SDM A.3-A.5, SDM 32.5.1 algorithm 2):
 *   out = (wanted | required | must-be-1) & may-be-1, plus, when the TRUE MSRs are used,
 *   every default1 control that may be 0 or 1 and has no name here (the VMM does not know
 *   its meaning) set to 1; known default1 controls (e.g. CR3-load exiting) follow `wanted`.
 * If a `required` bit may not be 1, fails with VMX_CTL_EUNSUPPORTED and writes to err
 *   "<field name>: required but not supported: NAME, NAME" (every such bit; unnamed ones as
 *   "bit N"); *out is not written on failure.
 * Wanted bits that may not be 1 are dropped; they are reported in *dropped (may be NULL).
 * err may be NULL / errlen 0. vmx_adjust_controls works on the low 32 bits of the field
 * (every 32-bit field, and every bit defined today in the 64-bit ones).
 */
int vmx_adjust_controls(enum vmx_ctl which, uint32_t wanted, uint32_t required,
                        const struct vmx_msr_values *v, uint32_t *out, uint32_t *dropped, char *err,
                        size_t errlen);
int vmx_adjust_controls64(enum vmx_ctl which, uint64_t wanted, uint64_t required,
                          const struct vmx_msr_values *v, uint64_t *out, uint64_t *dropped,
                          char *err, size_t errlen);

/*
 * CR0/CR4 fixed bits in VMX operation (SDM A.7, A.8): a bit set in FIXED0 must be 1, a bit
 * clear in FIXED1 must be 0. vmx_fixed_cr returns (value | fixed0) & fixed1.
 */
uint64_t vmx_fixed_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1);

/* CR0.PE | CR0.PG: not checked against FIXED0 for a guest when "unrestricted guest" is 1
 * (SDM 27.3.1.1). */
#define VMX_CR0_UNRESTRICTED_EXEMPT 0x80000001ULL

/*
 * Checks value against the fixed bits of CR`cr` (0 or 4). With unrestricted_guest (CR0
 * only) PE and PG are exempt from FIXED0. Returns 0, VMX_CTL_EFIXED with err naming every
 * offending bit ("CR0: must be 1: PE, NE; must be 0: bit 40"), or VMX_CTL_EINVAL.
 */
int vmx_check_fixed_cr(unsigned cr, uint64_t value, uint64_t fixed0, uint64_t fixed1,
                       bool unrestricted_guest, char *err, size_t errlen);

#endif
