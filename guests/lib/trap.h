/*
 * guests/lib/trap.h - exceptions in the 32-bit test guests (pure guest code, no hypervisor
 * headers). trap_init() gives the guest a GDT of its own (flat code 0x08, flat data 0x10; the
 * multiboot loader leaves GDTR undefined) and an IDT with all 32 exception vectors. The safe_*
 * functions run one instruction that may fault: they return 0 when it completed, or the vector
 * + 1 when it faulted, with the error code, CR2 and the registers at the fault in trap_info.
 * The IDT covers all 256 vectors: trap_set_handler gives a vector (an exception, the NMI, an
 * interrupt) a C handler that runs and returns with IRET. Any other exception or interrupt
 * prints its vector and EIP and fails the test.
 */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include <stdint.h>

struct trap_info {
    uint32_t vector, error, eip, cr2; /* for #DB, error holds DR6 */
    uint32_t ecx, esi, edi;           /* at the fault: the progress of a REP string instruction */
    uint32_t count;                   /* exceptions taken since trap_init */
};
extern volatile struct trap_info trap_info;

/* Builds the GDT and IDT and loads them on this CPU (the bootstrap processor, once). */
void trap_init(void);
/* Loads the GDT and IDT trap_init built on another CPU (an application processor). */
void trap_load(void);

/* A handler of vector `vector`: an interrupt gate, so it runs with IF=0 (it may STI); for an
 * exception with an error code, the code is dropped. NULL removes the handler. */
typedef void (*trap_handler_fn)(uint32_t vector);
void trap_set_handler(uint8_t vector, trap_handler_fn fn);

uint32_t safe_rdmsr(uint32_t msr, uint64_t *value);
uint32_t safe_wrmsr(uint32_t msr, uint64_t value);
uint32_t safe_write_cr0(uint32_t value);
uint32_t safe_write_cr4(uint32_t value);
uint32_t safe_xsetbv(uint32_t xcr, uint64_t value);
/* REP OUTSB / REP INSB of count bytes between buf and port (EDI/ESI, ECX as the CPU leaves
 * them in trap_info when it faults). */
uint32_t safe_rep_outsb(uint16_t port, const void *buf, uint32_t count);
uint32_t safe_rep_insb(uint16_t port, void *buf, uint32_t count);

#endif
