/*
 * vmx/vmcs.h - reading and writing fields of the current VMCS (SDM 25, 31 VMREAD/VMWRITE).
 *
 * vmcs_read()/vmcs_write() are the hot-path accessors: on VMfailInvalid or VMfailValid they
 * log the field by name with the VM-instruction error (SDM 31.4) and return 0 / -1.
 * The width-named variants only document and truncate; VMREAD/VMWRITE take 64-bit operands
 * in 64-bit mode for every field width (SDM 25.11.2).
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include <stdint.h>
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_insn.h"

/* The cold path's report. It keeps every register (no_caller_saved_registers), so that the
 * failure branch of an inlined access costs its callers no saved registers: the hot path
 * keeps its values where they are. */
__attribute__((no_caller_saved_registers, cold)) void
vmcs_access_failed(uint32_t field, int is_write, enum vmx_status st, uint64_t value);

/* The common case costs two instructions: VMREAD/VMWRITE and a JBE (CF or ZF set means
 * VMfailInvalid or VMfailValid, SDM 31.2) to the cold path, which repeats the access to
 * learn which failure it was and reports it. */
static inline uint64_t vmcs_read(uint32_t field)
{
    uint64_t v = 0; /* cppcheck does not read asm goto outputs */
    __asm__ goto("vmread %1, %0\n\tjbe %l[failed]"
                 : "=r"(v)
                 : "r"((uint64_t)field)
                 : "cc", "memory"
                 : failed);
    return v;
failed: /* cppcheck-suppress unusedLabel */
    vmcs_access_failed(field, 0, vmread(field, &v), 0);
    return 0;
}

static inline int vmcs_write(uint32_t field, uint64_t value)
{
    __asm__ goto("vmwrite %1, %0\n\tjbe %l[failed]"
                 :
                 : "r"((uint64_t)field), "rm"(value)
                 : "cc", "memory"
                 : failed);
    return 0;
failed: /* cppcheck-suppress unusedLabel */
    vmcs_access_failed(field, 1, vmwrite(field, value), value);
    return -1;
}

/* The exit path's accessors, one instruction each (plus the field number): no failure branch.
 * VMREAD and VMWRITE fail only without a current VMCS, for a field the CPU does not support,
 * or (VMWRITE) for a read-only field (SDM 31.3 VMREAD, VMWRITE). In an exit handler the VMCS
 * the CPU just exited from is current (a VM exit keeps the current-VMCS pointer, SDM 28), so
 * these are for the fields every VMX CPU has (the exit reason, instruction length and
 * qualification, guest RIP, RFLAGS, interruptibility, SS access rights: SDM appendix B) and
 * only there. Anywhere else use vmcs_read/vmcs_write, which report a failure. */
static inline uint64_t vmcs_exit_read(uint32_t field)
{
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)field) : "cc");
    return v;
}

static inline void vmcs_exit_write(uint32_t field, uint64_t value)
{
    __asm__ volatile("vmwrite %1, %0" : : "r"((uint64_t)field), "rm"(value) : "cc", "memory");
}

static inline uint16_t vmcs_read16(uint32_t f)
{
    return (uint16_t)vmcs_read(f);
}
static inline uint32_t vmcs_read32(uint32_t f)
{
    return (uint32_t)vmcs_read(f);
}
static inline uint64_t vmcs_read64(uint32_t f)
{
    return vmcs_read(f);
}

/* The VM-instruction error of the last failed VMX instruction, as SDM 31.4 text. */
const char *vmcs_last_error(uint32_t *number);

/* Dump every field of the current VMCS the CPU supports, by area, decoded. */
void vmcs_dump_current(void);

#endif
