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

void vmcs_access_failed(uint32_t field, int is_write, enum vmx_status st, uint64_t value);

static inline uint64_t vmcs_read(uint32_t field)
{
    uint64_t v;
    enum vmx_status st = vmread(field, &v);
    if (__builtin_expect(st != VMX_OK, 0)) {
        vmcs_access_failed(field, 0, st, 0);
        return 0;
    }
    return v;
}

static inline int vmcs_write(uint32_t field, uint64_t value)
{
    enum vmx_status st = vmwrite(field, value);
    if (__builtin_expect(st != VMX_OK, 0)) {
        vmcs_access_failed(field, 1, st, value);
        return -1;
    }
    return 0;
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
