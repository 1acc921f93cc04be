/*
 * vmx/vmcs_dump.h - human-readable dump of a VMCS, driven by the field table (pure).
 *
 * vmcs_dump() walks vmx/vmcs_fields.def area by area in the SDM's order (25.6-25.8 controls,
 * 25.4 guest state, 25.5 host state, 25.9 VM-exit information), reads every field through a
 * callback (VMREAD on the machine, an array in the tests) and emits one line per field:
 *
 *   "  GUEST_CS_AR_BYTES             0x4816 = 0x0000a09b [type=0xb S=1 DPL=0 P=1 L=1 D/B=0 G=1]"
 *
 * name padded to VMCS_DUMP_NAME_WIDTH, encoding, value in as many hex digits as the field is
 * wide (4, 8 or 16), then a decoding in brackets where one helps. The decoders are public so
 * that error messages elsewhere can use them. They follow the snprintf contract: they write at
 * most n-1 characters plus a NUL (when n > 0) and return the length the whole text has.
 *
 * Only fields in use are shown: a field whose feature (its `requires`) is off in the current
 * VMCS's own controls is skipped and counted as inactive (vmcs_field_active); the control
 * fields themselves and fields every processor has are always shown.
 */
#ifndef VMX_VMCS_DUMP_H
#define VMX_VMCS_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmx/vmcs_fields.h"
#include "vmx/vmx_controls.h"

/* Reads one field: 0 and *value set when it was read, non-zero when the processor refused it
 * (VMREAD VMfailValid, error 12 "unsupported VMCS component", SDM 31.4). */
typedef int (*vmcs_read_fn)(void *ctx, uint32_t encoding, uint64_t *value);
/* Receives one line of output, without a newline. */
typedef void (*vmcs_emit_fn)(void *ctx, const char *line);

struct vmcs_dump_stats {
    unsigned printed;     /* fields read and emitted */
    unsigned unsupported; /* fields the read callback refused (skipped silently) */
    unsigned beyond_enum; /* fields above IA32_VMX_VMCS_ENUM's highest index, not read */
    unsigned inactive;    /* fields whose feature the current controls leave off, not read */
};

/*
 * The VMX controls of one VMCS, as far as they decide which fields are in use. A field that
 * could not be read is 0, and so is a field that is not active itself: secondary when
 * primary bit 31 is 0, tertiary when primary bit 17 is 0 (SDM 25.6.2), secondary exit when
 * exit bit 31 is 0 (SDM 25.7.1), VM-function controls when "enable VM functions" is 0
 * (SDM 25.6.14).
 */
struct vmcs_controls {
    uint32_t pin;    /* PIN_BASED_VM_EXEC_CONTROL, SDM 25.6.1 */
    uint32_t proc;   /* CPU_BASED_VM_EXEC_CONTROL, SDM 25.6.2 */
    uint32_t proc2;  /* SECONDARY_VM_EXEC_CONTROL */
    uint64_t proc3;  /* TERTIARY_VM_EXEC_CONTROL */
    uint32_t exit;   /* VM_EXIT_CONTROLS, SDM 25.7.1 */
    uint64_t exit2;  /* SECONDARY_VM_EXIT_CONTROLS */
    uint32_t entry;  /* VM_ENTRY_CONTROLS, SDM 25.8.1 */
    uint64_t vmfunc; /* VM_FUNCTION_CONTROL, SDM 25.6.14 */
};

#define VMCS_DUMP_NAME_WIDTH 29  /* longest name in the table (VM_ENTRY_EXCEPTION_ERROR_CODE) */
#define VMCS_DUMP_LINE_MAX   512 /* vmcs_dump's line buffer; longer lines end in "..." */

/*
 * Emits a header line per section ("VMCS control fields", "VMCS guest-state fields",
 * "VMCS host-state fields", "VMCS VM-exit information fields", in that order) followed by
 * the section's fields in table order. Fields whose index exceeds ia32_vmx_vmcs_enum (SDM A.9)
 * are not read. The controls are read first (vmcs_read_controls) and fields that are not
 * vmcs_field_active under them are not read either (stats->inactive). stats may be NULL; it
 * is zeroed first. Does nothing if read or emit is NULL.
 */
void vmcs_dump(vmcs_read_fn read, void *rctx, uint64_t ia32_vmx_vmcs_enum, vmcs_emit_fn emit,
               void *ectx, struct vmcs_dump_stats *stats);

/* Fills *c through read (0 for a field that is refused or whose index exceeds
 * ia32_vmx_vmcs_enum, SDM A.9), reading a dependent field only when its activating control is
 * 1. *c is all 0 when read is NULL. */
void vmcs_read_controls(vmcs_read_fn read, void *rctx, uint64_t ia32_vmx_vmcs_enum,
                        struct vmcs_controls *c);

/*
 * True when field f is in use under controls c: its `requires` feature is enabled by the
 * control named in enum vmcs_feature (e.g. VIRTUAL_PROCESSOR_ID needs "enable VPID",
 * GUEST_IA32_PAT "load IA32_PAT" entry or "save IA32_PAT" exit). Always true for
 * VMCS_FEAT_NONE, for the control fields held in struct vmcs_controls, for features no
 * control decides (VMCS_FEAT_SEAM) and when c is NULL; false when f is NULL.
 */
bool vmcs_field_active(const struct vmcs_field *f, const struct vmcs_controls *c);

/* Header text of an area's section ("VMCS guest-state fields"); "?" when out of range. */
const char *vmcs_dump_section_name(enum vmcs_area area);

/* One dump line for field f holding value (the text vmcs_dump emits, without a newline).
 * When the line does not fit, it ends in "..." (n >= 4). */
int vmcs_format_field(char *buf, size_t n, const struct vmcs_field *f, uint64_t value);

/* The bracketed decoding vmcs_format_field appends for f, without the brackets; "" when the
 * field has none. */
int vmcs_format_decoding(char *buf, size_t n, const struct vmcs_field *f, uint64_t value);

/* Segment access rights, SDM 25.4.1 Table 25-2: "type=0xb S=1 DPL=0 P=1 L=1 D/B=0 G=1",
 * " AVL=1" and " reserved=0x..." only when set; "unusable" (bit 16), followed by the other
 * fields in parentheses when any is non-zero. */
int vmcs_format_ar(char *buf, size_t n, uint32_t ar);

/* VM-entry interruption information, SDM 25.8.3 (also the IDT-vectoring
 * information, SDM 25.9.3): "valid, vector 14 (#PF), hardware exception, error code" or
 * "not valid"; set bits 30:12 are shown as ", reserved 0x...". */
int vmcs_format_intr_info(char *buf, size_t n, uint32_t info);
/* VM-exit interruption information, SDM 25.9.2: as above, but bit 12 is
 * ", NMI unblocking due to IRET". */
int vmcs_format_exit_intr_info(char *buf, size_t n, uint32_t info);
/* Interruption type (bits 10:8) name: "external interrupt", "NMI", "hardware exception",
 * "software interrupt", "privileged software exception", "software exception",
 * "other event"; "reserved" for 1 and above 7. SDM 25.8.3 */
const char *vmcs_intr_type_name(uint32_t type);
/* "#PF" for vector 14 etc. (SDM Table 6-1); NULL for reserved vectors and >= 32. */
const char *vmcs_exception_name(uint32_t vector);

/* Names of the set bits of a control field, space-separated (vmx_ctl_bit_name), a bit
 * without a name as "bitN": "NMI_EXITING VIRTUAL_NMIS bit1"; "" for 0. SDM 25.6.1-25.8.1 */
int vmcs_format_controls(char *buf, size_t n, enum vmx_ctl which, uint64_t value);
/* Exception bitmap (SDM 25.6.3): "#DB #PF", unnamed vectors as "bitN"; "" for 0. */
int vmcs_format_exception_bitmap(char *buf, size_t n, uint32_t bitmap);

/* Guest activity state, SDM 25.4.2: "active", "HLT", "shutdown",
 * "wait-for-SIPI"; NULL for other values. */
const char *vmcs_activity_state_name(uint32_t state);
/* Guest interruptibility state, SDM 25.4.2 Table 25-3: "blocking by STI, MOV SS, SMI, NMI,
 * enclave interruption" (the set ones), "no blocking" for 0; bits 31:5 as ", reserved 0x...". */
int vmcs_format_interruptibility(char *buf, size_t n, uint32_t v);

/* Set bits of CR0 / CR4 / IA32_EFER / RFLAGS by name, space-separated, unnamed ones as
 * "bitN"; "" for 0. RFLAGS: bit 1 (always 1) is not shown, IOPL as "IOPL=n" when non-zero. */
int vmcs_format_cr0(char *buf, size_t n, uint64_t cr0);
int vmcs_format_cr4(char *buf, size_t n, uint64_t cr4);
int vmcs_format_efer(char *buf, size_t n, uint64_t efer);
int vmcs_format_rflags(char *buf, size_t n, uint64_t rflags);

#endif
