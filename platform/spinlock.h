/* platform/spinlock.h - a test-and-test-and-set spin lock, with IRQ-saving variants. */
#ifndef PLATFORM_SPINLOCK_H
#define PLATFORM_SPINLOCK_H

#include <stdint.h>
#include "platform/cpu.h"

struct spinlock {
    volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Take the lock with interrupts off; returns the previous RFLAGS for the unlock. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = read_rflags();
    irq_disable();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    if (flags & RFLAGS_IF)
        irq_enable();
}

#endif
