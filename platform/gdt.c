/* platform/gdt.c - a per-CPU GDT with a 64-bit TSS; the IDT shared by all CPUs. */
#include <string.h>
#include "platform/cpu.h"
#include "platform/desc.h"

void gdt_init_cpu(struct gdt_block *g, uint64_t ist_top)
{
    memset(g, 0, sizeof(*g));
    g->entries[0] = 0;
    g->entries[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 (SDM 3.4.5) */
    g->entries[2] = 0x00cf92000000ffffull; /* data, DPL 0 */

    g->tss.ist[IST_CRITICAL - 1] = ist_top;
    g->tss.iomap_base = sizeof(struct tss64); /* no I/O permission bitmap */

    /* 64-bit TSS descriptor, type 9 (available), present (SDM 8.2.3, figure 8-4). */
    uint64_t base = (uint64_t)&g->tss;
    uint64_t limit = sizeof(struct tss64) - 1;
    g->entries[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g->entries[4] = base >> 32;

    struct desc_ptr p = {.limit = sizeof(g->entries) - 1, .base = (uint64_t)g->entries};
    lgdt(&p);
    cpu_load_segments(SEL_CODE64, SEL_DATA);
    ltr(SEL_TSS);
}
