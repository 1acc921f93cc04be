/* platform/mem.h - the hypervisor's physical memory: set-up from the boot memory map,
 * page allocation (zeroed), statistics. Physical memory is identity-mapped, so a physical
 * address returned here is also a usable pointer. */
#ifndef PLATFORM_MEM_H
#define PLATFORM_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "platform/mb2.h"

/* Build the free list from the multiboot2 memory map minus the image, the info block,
 * the modules and the low 1 MiB; start the page allocator. 0 or a negative error. */
int mem_init(const struct mb2_info *mb, uint64_t info_phys);

uint64_t mem_alloc_pages(size_t pages); /* zeroed, page-aligned, 0 when out of memory */
uint64_t mem_alloc_aligned(size_t pages, uint64_t align, uint64_t max_phys);
void mem_free_pages(uint64_t phys, size_t pages);
void mem_print_stats(void);
uint64_t mem_ram_top(void); /* end of the highest usable RAM range */
uint64_t mem_used_bytes(void);
uint64_t mem_image_bytes(void); /* the hypervisor image, bss included */

/* Does [base, end) overlap RAM (usable, ACPI reclaim or NVS) in the firmware map?
 * Paging maps such memory write-back and everything else uncached. */
int mem_is_ram(uint64_t base, uint64_t end);

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)phys;
}

#endif
