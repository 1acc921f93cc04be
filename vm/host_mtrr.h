/* vm/host_mtrr.h - the memory type the host's MTRRs give a physical range (book 6.1.10). */
#ifndef VM_HOST_MTRR_H
#define VM_HOST_MTRR_H

#include <stdint.h>

/* The single MTRR type of [base, base + size) on this machine, as an EPT memory type.
 * Write-back when the CPU has no MTRRs; uncached (and a warning) when the range is of mixed
 * or undefined type. */
uint8_t host_mtrr_type(uint64_t base, uint64_t size);

#endif
