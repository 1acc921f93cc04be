/* platform/desc.h - GDT, TSS and IDT: per-CPU descriptor tables (SDM 3.4.5, 8.2.3, 6.14). */
#ifndef PLATFORM_DESC_H
#define PLATFORM_DESC_H

#include <stdint.h>

#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_TSS    0x18

/* 64-bit TSS (SDM 8.7, figure 8-11). */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct gdt_block {
    uint64_t entries[5]; /* null, code64, data, TSS (two slots) */
    struct tss64 tss;
} __attribute__((aligned(16)));

/* Interrupt stack-table slot used for #DF, NMI and #MC. */
#define IST_CRITICAL 1

void gdt_init_cpu(struct gdt_block *g, uint64_t ist_top);
void idt_init(void); /* build the shared IDT (once, on the BSP) */
void idt_load(void); /* load it on this CPU */

#endif
