/* vmx/exit_vmfunc.c - VMFUNC failures (exit 59; SDM 26.5.6). The CPU carries out an enabled
 * VM function itself, without a VM exit; it exits when the function is not enabled in the
 * VM-function controls (SDM 26.5.6.1) or, for EPTP switching, when the index is 512 or more
 * or selects an entry that is not a valid EPTP (SDM 26.5.6.3). */
#include "vmx/exit.h"

/* VMFUNC with a function or EPTP index the VMM did not enable: #UD, as on a CPU without the
 * function (SDM 26.5.6.3 leaves the response to the VMM). */
enum exit_action exit_vmfunc(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_EXC_UD, false, 0);
    return EXIT_RESUME;
}
