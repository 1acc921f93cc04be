/*
 * guests/lib/io.h - the instructions the test guests need, as inline functions: port I/O, TSC,
 * CPUID, halting. The one place in guests/ (besides the entry assembly) that uses `asm`; it
 * builds for 32-bit and 64-bit guests alike.
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline unsigned long read_cr0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

/* 32-bit MMIO (the APICs; their registers take aligned 32-bit accesses only). */
static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}
static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static inline void irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}
static inline void irq_disable(void)
{
    __asm__ volatile("cli" : : : "memory");
}
/* EFLAGS.IF */
static inline int irq_enabled(void)
{
    unsigned long f;
    __asm__ volatile("pushf\n\tpop %0" : "=r"(f));
    return (f >> 9) & 1;
}
/* STI; HLT: interrupts are recognised only once HLT runs (the STI shadow, SDM 6.8.3), so an
 * interrupt that is already pending ends the HLT instead of coming before it. */
static inline void sti_hlt(void)
{
    __asm__ volatile("sti\n\thlt" : : : "memory");
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause");
}

static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

#endif
