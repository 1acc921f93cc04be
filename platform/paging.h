/* platform/paging.h - the hypervisor's own page tables (SDM 4.5, 4-level paging). */
#ifndef PLATFORM_PAGING_H
#define PLATFORM_PAGING_H

#include <stdint.h>

/* Identity-map all physical memory (at least 4 GiB) with 2 MiB pages, RAM write-back and
 * the rest uncached, everything no-execute; then the hypervisor image with 4 KiB pages:
 * text read-only+executable, rodata read-only, data and bss writable. Loads CR3.
 * Returns 0, or -1 when out of memory (the boot tables stay in use). */
int paging_init(void);
uint64_t paging_cr3(void);
uint64_t paging_mapped_bytes(void); /* size of the identity map */

#endif
