/*
 * vmx/invalidate.h - INVEPT and INVVPID where the SDM requires them (book 6.2; SDM 29.4.3).
 *
 * The processor caches guest-physical and combined mappings tagged by EPTP, and linear
 * mappings tagged by VPID. Vanderpool invalidates:
 *  - an EPTP before its first use (its PML4 page may have served an earlier VM with the same
 *    EPTP value) and after any change that removes or restricts a mapping or clears A/D flags
 *    (SDM 29.4.3.3: software must invalidate after such changes);
 *  - a VPID before a new vCPU first uses it (a VPID may be reused by a later vCPU).
 * Each function uses the narrowest type the CPU supports and falls back to all-context.
 */
#ifndef VMX_INVALIDATE_H
#define VMX_INVALIDATE_H

#include <stdint.h>

/* 0 on success, -1 when the CPU has no INVEPT/INVVPID or the instruction failed. */
int vmx_invept_context(uint64_t eptp);
int vmx_invvpid_context(uint16_t vpid);

#endif
