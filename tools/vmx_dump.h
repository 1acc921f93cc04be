/*
 * tools/vmx_dump.h - reading a saved dump of the VMX capability MSRs (host only, libc).
 *
 * The dump format is what scenario `caps` prints, one line per capability MSR that exists:
 *     VMXMSR <name> 0x<msr> = 0x<value>
 * e.g. "VMXMSR IA32_VMX_BASIC 0x480 = 0x00d8100000000004". A dump line is one where the word
 * VMXMSR (at the line start or after white space) is followed by a name starting "IA32_"; all
 * other lines are ignored, so a whole serial log can be read. White space (and '\r') around
 * the parts is ignored. Used by tools/vmxcap (--file) and by the unit-test fixtures.
 */
#ifndef TOOLS_VMX_DUMP_H
#define TOOLS_VMX_DUMP_H

#include <stddef.h>
#include <stdio.h>

#include "vmx/vmx_msr.h"

enum vmx_dump_error {
    VMX_DUMP_OK = 0,
    VMX_DUMP_EIO = -1,       /* the file cannot be opened or read */
    VMX_DUMP_EFORMAT = -2,   /* a VMXMSR line is malformed or names the wrong MSR */
    VMX_DUMP_ECONFLICT = -3, /* the same MSR twice with different values */
    VMX_DUMP_ENOBASIC = -4,  /* no IA32_VMX_BASIC line: nothing to decode */
};

/*
 * Parses one line (without or with its '\n'). Returns 1 when it was a VMXMSR line and the
 * value was stored in *v (vmx_msr_store), 0 when the line is not a VMXMSR line, or a negative
 * vmx_dump_error with err naming what is wrong ("bad MSR number '0x12'").
 */
int vmx_dump_parse_line(const char *line, struct vmx_msr_values *v, char *err, size_t errlen);

/*
 * Reads every VMXMSR line of f into *v (cleared first); `what` names the input in messages
 * ("dump.txt line 12: ..."). Returns the number of VMXMSR lines (> 0) or a negative
 * vmx_dump_error; VMX_DUMP_ENOBASIC when IA32_VMX_BASIC is missing.
 */
int vmx_dump_read(FILE *f, const char *what, struct vmx_msr_values *v, char *err, size_t errlen);

/* Opens `path` ("-" is stdin) and reads it with vmx_dump_read. */
int vmx_dump_load(const char *path, struct vmx_msr_values *v, char *err, size_t errlen);

/*
 * Compares what the dump holds with what the existence rules (vmx_msr_readable, SDM A.1-A.11)
 * say: MSRs that should exist but are missing, and MSRs present that cannot exist. Calls
 * note(ctx, message) for each; returns the number of such findings (0: the dump is complete).
 */
int vmx_dump_check(const struct vmx_msr_values *v, void (*note)(void *ctx, const char *msg),
                   void *ctx);

/* Writes *v in the dump format, one line per MSR that exists (the input of --file). */
void vmx_dump_write(FILE *f, const struct vmx_msr_values *v);

#endif
