/* vmx/invalidate.c - INVEPT and INVVPID with the types the CPU supports (SDM 31.3). */
#include "platform/console.h"
#include "vmx/invalidate.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_insn.h"

#define INVEPT_SINGLE_CONTEXT  1 /* SDM 31.3 INVEPT: types 1 and 2 */
#define INVEPT_ALL_CONTEXT     2
#define INVVPID_SINGLE_CONTEXT 1 /* SDM 31.3 INVVPID: types 0-3 */
#define INVVPID_ALL_CONTEXT    2

int vmx_invept_context(uint64_t eptp)
{
    struct invept_desc d = {.eptp = eptp, .reserved = 0};
    uint64_t type;
    if (!vmx.caps.ept.invept)
        return -1;
    if (vmx.caps.ept.invept_single_context)
        type = INVEPT_SINGLE_CONTEXT;
    else if (vmx.caps.ept.invept_all_context)
        type = INVEPT_ALL_CONTEXT;
    else
        return -1;
    if (invept(type, &d) != VMX_OK) {
        pr_err("vmx: INVEPT type %lu for EPTP 0x%lx failed\n", type, eptp);
        return -1;
    }
    return 0;
}

int vmx_invvpid_context(uint16_t vpid)
{
    struct invvpid_desc d = {.vpid = vpid, .linear_address = 0};
    uint64_t type;
    if (!vmx.caps.vpid.invvpid || !vpid)
        return -1;
    if (vmx.caps.vpid.single_context)
        type = INVVPID_SINGLE_CONTEXT;
    else if (vmx.caps.vpid.all_context)
        type = INVVPID_ALL_CONTEXT;
    else
        return -1;
    if (invvpid(type, &d) != VMX_OK) {
        pr_err("vmx: INVVPID type %lu for VPID %u failed\n", type, vpid);
        return -1;
    }
    return 0;
}
