/* platform/idt.c - the interrupt descriptor table: 256 gates to the stubs in isr.S. */
#include "platform/cpu.h"
#include "platform/desc.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern char isr_stubs[]; /* 256 stubs, 16 bytes apart (isr.S) */

#define ISR_STUB_SIZE 16

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)isr_stubs + (uint64_t)v * ISR_STUB_SIZE;
        idt[v].offset_lo = addr & 0xffff;
        idt[v].selector = SEL_CODE64;
        /* #DF (8), NMI (2) and #MC (18) run on a known-good stack (SDM 6.14.5). */
        idt[v].ist = (v == 2 || v == 8 || v == 18) ? IST_CRITICAL : 0;
        idt[v].type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate (SDM 6.14.1) */
        idt[v].offset_mid = (addr >> 16) & 0xffff;
        idt[v].offset_hi = addr >> 32;
        idt[v].reserved = 0;
    }
}

void idt_load(void)
{
    struct desc_ptr p = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};
    lidt(&p);
}
