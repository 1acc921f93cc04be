/*
 * guests/events/desc.c - the tables of the events test guest: a GDT with 32-bit, 16-bit and
 * 64-bit segments and a TSS, the 32-bit IDT (protected and virtual-8086 mode), the 64-bit IDT,
 * the real-mode IVT, and page tables for IA-32e mode (1 GiB identity-mapped, 2 MiB pages).
 */
#include <string.h>
#include "guests/events/events.h"

/* Segment descriptors (SDM 3.4.5): base 0, limit 4 GiB or 64 KiB. */
static const uint64_t gdt_init[6] = {
    0,
    0x00cf9a000000ffffull, /* 0x08 32-bit code */
    0x00cf92000000ffffull, /* 0x10 32-bit data */
    0x00009a000000ffffull, /* 0x18 16-bit code, limit 64 KiB (to leave protected mode) */
    0x000092000000ffffull, /* 0x20 16-bit data */
    0x00af9a000000ffffull, /* 0x28 64-bit code: L = 1, D = 0 */
};
static uint64_t gdt[7] __attribute__((aligned(8)));

/* The 32-bit TSS (SDM 8.2.1): only SS0:ESP0 matter, the stack of a virtual-8086 event. */
static struct __attribute__((packed)) {
    uint32_t prev, esp0, ss0, unused[22];
    uint16_t trap, iomap_base;
} tss;

static uint64_t idt32[256] __attribute__((aligned(8)));
static uint64_t idt64[512] __attribute__((aligned(16)));
uint64_t ev_pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

extern const char ev_pm32_stubs[], ev_long_stubs[], ev_real_stubs[], ev_v86_back[];

/* The operand of LGDT (SDM 3.5.1); read by the instruction, not by C. */
struct __attribute__((packed)) table_ptr32 {
    uint16_t limit; /* cppcheck-suppress unusedStructMember */
    uint32_t base;  /* cppcheck-suppress unusedStructMember */
};

/* Gates that software may use from CPL 3 (INT n, INT3, INTO in virtual-8086 mode check the
 * gate's DPL, SDM 6.12.1.1): 3, 4, 0x30 (back to ring 0), 0x41. 0x42 keeps DPL 0. */
static unsigned gate_dpl(unsigned v)
{
    return v == 3 || v == 4 || v == 0x30 || v == 0x41 ? 3 : 0;
}

static uint32_t handler(unsigned v, const char *stubs)
{
    return v == 0x30 && stubs == ev_pm32_stubs ? (uint32_t)(uintptr_t)ev_v86_back
                                               : (uint32_t)(uintptr_t)stubs + 16 * v;
}

void ev_desc_init(void)
{
    memcpy(gdt, gdt_init, sizeof(gdt_init));
    uint32_t base = (uint32_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
    /* 0x30: available 32-bit TSS, DPL 0 (SDM 8.2.2) */
    gdt[6] = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | (0x89ull << 40) |
             ((uint64_t)(base >> 24) << 56);
    memset(&tss, 0, sizeof(tss));
    tss.esp0 = EV_RING0_SP;
    tss.ss0 = EV_SEL_DATA32;
    tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

    for (unsigned v = 0; v < 256; v++) {
        uint64_t type = 0x8e | (gate_dpl(v) << 5); /* present interrupt gate (SDM 6.11) */
        uint32_t h = handler(v, ev_pm32_stubs);
        idt32[v] = (h & 0xffff) | ((uint64_t)EV_SEL_CODE32 << 16) | (type << 40) |
                   ((uint64_t)(h >> 16) << 48);
        h = handler(v, ev_long_stubs); /* 64-bit interrupt gate (SDM 6.14.1) */
        idt64[2 * v] = (h & 0xffff) | ((uint64_t)EV_SEL_CODE64 << 16) | (type << 40) |
                       ((uint64_t)(h >> 16) << 48);
        idt64[2 * v + 1] = 0;
        ev_ivt[2 * v] = (uint16_t)((uintptr_t)ev_real_stubs + 8 * v); /* offset, segment 0 */
        ev_ivt[2 * v + 1] = 0;
    }

    memset(ev_pml4, 0, sizeof(ev_pml4));
    memset(pdpt, 0, sizeof(pdpt));
    ev_pml4[0] = (uint32_t)(uintptr_t)pdpt | 3; /* present, writable (SDM 5.5.4) */
    pdpt[0] = (uint32_t)(uintptr_t)pd | 3;
    for (unsigned i = 0; i < 512; i++)
        pd[i] = ((uint64_t)i << 21) | 0x83; /* 2 MiB page */

    struct table_ptr32 g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmov $0x10, %%ax\n\t"
                     "mov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss\n\t"
                     "mov %%ax, %%fs\n\tmov %%ax, %%gs\n\t"
                     "mov $0x30, %%ax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(g)
                     : "eax", "memory");
    ev_idt_select(EV_PM32);
    __asm__ volatile("lidt %0" : : "m"(ev_vars.idt_full));
}

/* The IDT pointer (limit, then the base: 4 bytes, or 8 in 64-bit mode) for `entries` gates. */
static void idt_ptr(uint8_t *p, const void *base, unsigned gate_size, unsigned entries)
{
    uint16_t limit = (uint16_t)(gate_size * entries - 1);
    uint64_t b = (uint32_t)(uintptr_t)base;
    memcpy(p, &limit, 2);
    memcpy(p + 2, &b, 8);
}

void ev_idt_select(enum ev_mode m)
{
    const void *base = m == EV_LONG   ? (const void *)idt64
                       : m == EV_REAL ? (const void *)ev_ivt
                                      : (const void *)idt32;
    unsigned size = m == EV_LONG ? 16 : m == EV_REAL ? 4 : 8;
    idt_ptr(ev_vars.idt_full, base, size, 256);
    idt_ptr(ev_vars.idt_small, base, size, 9);
    idt_ptr(ev_vars.idt_tiny, base, size, 8);
}
