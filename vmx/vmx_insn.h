/*
 * vmx/vmx_insn.h - the VMX instructions as C functions (SDM 31, "VMX instruction reference").
 *
 * Every VMX instruction ends in one of three ways (SDM 31.2): VMsucceed (CF=ZF=0),
 * VMfailInvalid (CF=1: no current VMCS, or a bad pointer) or VMfailValid (ZF=1: the
 * VM-instruction error field says why, SDM 31.4). The wrappers return that outcome;
 * callers turn VMfailValid into a name with vmx_insn_error_name(vmread(VM_INSTRUCTION_ERROR)).
 */
#ifndef VMX_VMX_INSN_H
#define VMX_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

enum vmx_status { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

static inline enum vmx_status vmx_outcome(bool cf, bool zf)
{
    return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

static inline enum vmx_status vmxon(uint64_t phys)
{
    bool cf, zf;
    __asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmxoff(void)
{
    bool cf, zf;
    __asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmclear(uint64_t phys)
{
    bool cf, zf;
    __asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmptrld(uint64_t phys)
{
    bool cf, zf;
    __asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(phys) : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmptrst(uint64_t *phys)
{
    bool cf, zf;
    __asm__ volatile("vmptrst %2" : "=@ccc"(cf), "=@ccz"(zf), "=m"(*phys) : : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmread(uint64_t field, uint64_t *value)
{
    bool cf, zf;
    __asm__ volatile("vmread %3, %2"
                     : "=@ccc"(cf), "=@ccz"(zf), "=rm"(*value)
                     : "r"(field)
                     : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status vmwrite(uint64_t field, uint64_t value)
{
    bool cf, zf;
    __asm__ volatile("vmwrite %3, %2"
                     : "=@ccc"(cf), "=@ccz"(zf)
                     : "r"(field), "rm"(value)
                     : "memory");
    return vmx_outcome(cf, zf);
}

/* INVEPT / INVVPID descriptors (SDM 31.3, INVEPT and INVVPID). */
struct invept_desc {
    uint64_t eptp, reserved;
};
struct invvpid_desc {
    uint64_t vpid, linear_address;
};

static inline enum vmx_status invept(uint64_t type, const struct invept_desc *d)
{
    bool cf, zf;
    __asm__ volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(*d), "r"(type) : "memory");
    return vmx_outcome(cf, zf);
}

static inline enum vmx_status invvpid(uint64_t type, const struct invvpid_desc *d)
{
    bool cf, zf;
    __asm__ volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(*d), "r"(type) : "memory");
    return vmx_outcome(cf, zf);
}

#endif
