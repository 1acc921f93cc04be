/* platform/paging.c - build and load the final page tables. */
#include "boot/boot_defs.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/mem.h"
#include "platform/paging.h"

/* Page-table entry bits (SDM 4.5, tables 4-15 to 4-20). */
#define PG_P    (1ull << 0)
#define PG_W    (1ull << 1)
#define PG_PWT  (1ull << 3)
#define PG_PCD  (1ull << 4)
#define PG_PS   (1ull << 7)
#define PG_NX   (1ull << 63)
#define PG_ADDR 0x000ffffffffff000ull

#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t cr3, mapped;
static uint64_t nx; /* PG_NX when EFER.NXE is on */

static uint64_t *table(void)
{
    /* Below 4 GiB: the AP trampoline loads CR3 in 32-bit mode. */
    return phys_to_virt(mem_alloc_aligned(1, 4096, 1ull << 32));
}

static uint64_t cache_bits(uint64_t base, uint64_t size)
{
    /* PCD|PWT selects PAT entry 3, UC with the power-up PAT (SDM 12.12.2). */
    return mem_is_ram(base, base + size) ? 0 : PG_PCD | PG_PWT;
}

static uint64_t image_perm(uint64_t a)
{
    if (a >= (uint64_t)__image_start && a < (uint64_t)__text_end)
        return 0; /* text: read-only, executable */
    if (a >= (uint64_t)__text_end && a < (uint64_t)__rodata_end)
        return nx; /* rodata */
    if (a >= (uint64_t)__rodata_end && a < (uint64_t)__image_end)
        return PG_W | nx;
    if (a >= AP_TRAMPOLINE_PHYS && a < AP_TRAMPOLINE_PHYS + 4096)
        return PG_W; /* the AP trampoline runs here */
    return PG_W | nx;
}

/* Map a 2 MiB region with 4 KiB pages so the image gets per-section permissions. */
static int map_small(uint64_t *pd_entry, uint64_t base)
{
    uint64_t *pt = table();
    if (!pt)
        return -1;
    for (int i = 0; i < 512; i++) {
        uint64_t a = base + (uint64_t)i * 4096;
        pt[i] = a | PG_P | image_perm(a) | cache_bits(a, 4096);
    }
    *pd_entry = (uint64_t)pt | PG_P | PG_W;
    return 0;
}

int paging_init(void)
{
    nx = (rdmsr(MSR_EFER) & EFER_NXE) ? PG_NX : 0;
    uint64_t top = mem_ram_top();
    if (top < (4ull << 30))
        top = 4ull << 30;
    top = (top + SZ_1G - 1) & ~(SZ_1G - 1);

    uint64_t *pml4 = table(), *pdpt = NULL;
    if (!pml4)
        return -1;
    uint64_t img_lo = (uint64_t)__image_start & ~(SZ_2M - 1);
    uint64_t img_hi = (uint64_t)__image_end;

    for (uint64_t gb = 0; gb < top; gb += SZ_1G) {
        if (gb % (512 * SZ_1G) == 0) {
            if (!(pdpt = table()))
                return -1;
            pml4[gb / (512 * SZ_1G)] = (uint64_t)pdpt | PG_P | PG_W;
        }
        uint64_t *pd = table();
        if (!pd)
            return -1;
        pdpt[(gb / SZ_1G) % 512] = (uint64_t)pd | PG_P | PG_W;
        for (int i = 0; i < 512; i++) {
            uint64_t a = gb + (uint64_t)i * SZ_2M;
            bool small = a < SZ_2M || (a + SZ_2M > img_lo && a < img_hi);
            if (small) {
                if (map_small(&pd[i], a))
                    return -1;
            } else {
                pd[i] = a | PG_P | PG_W | PG_PS | nx | cache_bits(a, SZ_2M);
            }
        }
    }
    mapped = top;
    cr3 = (uint64_t)pml4;
    write_cr3(cr3);
    /* CR0.WP makes read-only pages read-only for the kernel too (SDM 2.5). */
    write_cr0(read_cr0() | CR0_WP);
    return 0;
}

uint64_t paging_cr3(void)
{
    return cr3;
}

uint64_t paging_mapped_bytes(void)
{
    return mapped;
}
