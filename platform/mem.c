/* platform/mem.c - physical memory set-up and allocation for the kernel (around pmm.c). */
#include <string.h>
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/pmm.h"
#include "platform/spinlock.h"

#define MAX_RANGES 64

extern char __image_start[], __image_end[];

static struct pmm pmm;
static struct spinlock pmm_lock;
static uint64_t ram_top;
static struct pmm_range ram[MAX_RANGES]; /* RAM-like ranges of the map, for caching */
static size_t ram_count;

int mem_init(const struct mb2_info *mb, uint64_t info_phys)
{
    struct pmm_range usable[MAX_RANGES], reserved[MAX_RANGES + 16], free[MAX_RANGES];
    size_t nu = 0, nr = 0, nf = 0;

    reserved[nr++] = (struct pmm_range){0, 0x100000}; /* real-mode area, BIOS, trampoline */
    reserved[nr++] = (struct pmm_range){(uint64_t)__image_start, (uint64_t)__image_end};
    reserved[nr++] = (struct pmm_range){info_phys, info_phys + mb->total_size};
    for (size_t i = 0; i < mb->modules_count; i++)
        reserved[nr++] = (struct pmm_range){mb->modules[i].start, mb->modules[i].end};
    for (size_t i = 0; i < mb->mmap_count; i++) {
        const struct mb2_mmap_entry *e = &mb->mmap[i];
        struct pmm_range r = {e->base, e->base + e->length};
        if (e->type == MB2_MMAP_AVAILABLE) {
            if (nu < MAX_RANGES)
                usable[nu++] = r;
            if (r.end > ram_top)
                ram_top = r.end;
        } else if (nr < MAX_RANGES + 16) {
            reserved[nr++] = r;
        }
        if ((e->type == MB2_MMAP_AVAILABLE || e->type == MB2_MMAP_ACPI ||
             e->type == MB2_MMAP_NVS) &&
            ram_count < MAX_RANGES)
            ram[ram_count++] = r;
    }
    int err = pmm_build_free_list(usable, nu, reserved, nr, free, MAX_RANGES, &nf);
    if (err) {
        pr_err("memory: cannot build the free list: %s\n", pmm_strerror(err));
        return err;
    }
    size_t bytes = pmm_bitmap_bytes(free, nf);
    uint64_t bitmap;
    err = pmm_place_bitmap(free, &nf, bytes, &bitmap);
    if (!err)
        err = pmm_init(&pmm, phys_to_virt(bitmap), bytes, free, nf);
    if (err) {
        pr_err("memory: cannot start the page allocator: %s\n", pmm_strerror(err));
        return err;
    }
    return 0;
}

uint64_t mem_alloc_aligned(size_t pages, uint64_t align, uint64_t max_phys)
{
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    uint64_t p = pages == 1 && align <= PMM_PAGE_SIZE && !max_phys
                     ? pmm_alloc_page(&pmm)
                     : pmm_alloc_contig(&pmm, pages, align, max_phys);
    spin_unlock_irqrestore(&pmm_lock, flags);
    if (p)
        memset(phys_to_virt(p), 0, pages * PMM_PAGE_SIZE);
    return p;
}

uint64_t mem_alloc_pages(size_t pages)
{
    return mem_alloc_aligned(pages, PMM_PAGE_SIZE, 0);
}

void mem_free_pages(uint64_t phys, size_t pages)
{
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    int err = pmm_free(&pmm, phys, pages);
    spin_unlock_irqrestore(&pmm_lock, flags);
    if (err)
        pr_err("memory: free of %zu pages at 0x%lx refused: %s\n", pages, phys, pmm_strerror(err));
}

void mem_print_stats(void)
{
    char line[128];
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    pmm_format_stats(line, sizeof(line), &pmm);
    spin_unlock_irqrestore(&pmm_lock, flags);
    pr_info("%s\n", line);
}

uint64_t mem_ram_top(void)
{
    return ram_top;
}

uint64_t mem_used_bytes(void)
{
    struct pmm_stats s;
    pmm_stats(&pmm, &s);
    return s.used_pages * PMM_PAGE_SIZE;
}

int mem_is_ram(uint64_t base, uint64_t end)
{
    /* Overlaps a RAM-like range of the firmware map. */
    for (size_t i = 0; i < ram_count; i++)
        if (base < ram[i].end && end > ram[i].base)
            return 1;
    return 0;
}

uint64_t mem_image_bytes(void)
{
    return (uintptr_t)__image_end - (uintptr_t)__image_start;
}
