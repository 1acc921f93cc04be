/* guests/lib/trap.c - the GDT, the IDT and the exception handler of the 32-bit test guests
 * (see trap.h). */
#include "guests/lib/trap.h"
#include "guests/lib/test.h"

volatile struct trap_info trap_info;
extern uint32_t trap_recover;

/* The registers trap_common pushes (PUSHA order: EDI ESI EBP ESP EBX EDX ECX EAX), the
 * vector and error code of the stub, then what the CPU pushed: EIP, CS, EFLAGS (SDM 6.12.1). */
enum { R_EDI, R_ESI, R_EBP, R_ESP, R_EBX, R_EDX, R_ECX, R_EAX, R_VECTOR, R_ERROR, R_EIP };
struct frame {
    uint32_t r[R_EIP + 3];
};
/* trap_handle may change the frame (the EFLAGS IRET restores). */

/* Flat 4 GiB code and data (SDM 3.4.5): 0x08 code, 0x10 data. */
static const uint64_t gdt[3]
    __attribute__((aligned(8))) = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
static uint64_t idt[256] __attribute__((aligned(8)));
static volatile trap_handler_fn handlers[256];

/* The operand of LGDT and LIDT (SDM 3.5.1); read by the instructions, not by C. */
struct __attribute__((packed)) table_ptr {
    uint16_t limit; /* cppcheck-suppress unusedStructMember */
    uint32_t base;  /* cppcheck-suppress unusedStructMember */
};

/* The 32 exception entry points, in vector order, and the 224 interrupt entry points, one
 * every TRAP_IRQ_STUB_SIZE bytes from vector 32 on (guests/lib/trap32.S). */
extern const uint32_t trap_stubs[32];
extern const uint8_t trap_irq_stubs[];
#define TRAP_IRQ_STUB_SIZE 16

void trap_load(void)
{
    struct table_ptr g = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "ljmp $0x08, $1f\n"
                     "1:\tmov $0x10, %%ax\n\t"
                     "mov %%ax, %%ds\n\tmov %%ax, %%es\n\tmov %%ax, %%ss\n\t"
                     "mov %%ax, %%fs\n\tmov %%ax, %%gs"
                     :
                     : "m"(g)
                     : "eax", "memory");
    struct table_ptr t = {sizeof(idt) - 1, (uint32_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(t));
}

void trap_init(void)
{
    for (int i = 0; i < 256; i++) { /* 32-bit interrupt gates, DPL 0 (SDM 6.11) */
        uint32_t off = i < 32 ? trap_stubs[i]
                              : (uint32_t)(uintptr_t)&trap_irq_stubs[(i - 32) * TRAP_IRQ_STUB_SIZE];
        idt[i] = (off & 0xffff) | (0x08u << 16) | ((uint64_t)0x8e00 << 32) |
                 ((uint64_t)(off >> 16) << 48);
    }
    trap_load();
}

void trap_set_handler(uint8_t vector, trap_handler_fn fn)
{
    handlers[vector] = fn;
}

uint32_t trap_handle(struct frame *f);

uint32_t trap_handle(struct frame *f)
{
    trap_handler_fn fn = handlers[f->r[R_VECTOR] & 0xff];
    if (fn) {
        fn(f->r[R_VECTOR]);
        return 0;
    }
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    trap_info.vector = f->r[R_VECTOR];
    trap_info.error = f->r[R_ERROR];
    trap_info.eip = f->r[R_EIP];
    trap_info.cr2 = cr2;
    trap_info.ecx = f->r[R_ECX];
    trap_info.esi = f->r[R_ESI];
    trap_info.edi = f->r[R_EDI];
    trap_info.count++;
    if (trap_recover)
        return trap_recover;
    if (f->r[R_VECTOR] == 1) { /* #DB: recorded, single-stepping ends, the guest goes on */
        __asm__ volatile("mov %%db6, %0" : "=r"(trap_info.error)); /* DR6 (SDM 18.2.3) */
        f->r[R_EIP + 2] &= ~(1u << 8);                             /* EFLAGS.TF */
        return 0;
    }
    test_checkf(false, "unexpected %s %u (error 0x%x) at EIP 0x%x",
                f->r[R_VECTOR] < 32 ? "exception" : "interrupt", (unsigned)f->r[R_VECTOR],
                (unsigned)f->r[R_ERROR], (unsigned)f->r[R_EIP]);
    test_finish();
}
