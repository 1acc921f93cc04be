/* guests/lib/wait.c - bounded waits of the test guests (see wait.h). */
#include "guests/lib/wait.h"
#include "guests/lib/io.h"
#include "guests/lib/pit.h"

static bool wait_loop(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us, int how)
{
    int was_on = irq_enabled();
    uint32_t start = pit_clock_us();
    bool ok = false;
    if (how != 0)
        irq_enable();
    for (;;) {
        if (how == 2)
            irq_disable(); /* checked with IF=0, then STI; HLT: no wake-up is lost between */
        if (*count >= target) {
            ok = true;
            break;
        }
        if (pit_clock_us() - start >= timeout_us)
            break;
        if (how == 2) {
            sti_hlt();
        } else {
            cpu_relax();
        }
    }
    if (!was_on)
        irq_disable();
    return ok;
}

bool wait_count(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us)
{
    return wait_loop(count, target, timeout_us, 1);
}

bool wait_count_noirq(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us)
{
    return wait_loop(count, target, timeout_us, 0);
}

bool hlt_count(const volatile uint32_t *count, uint32_t target, uint32_t timeout_us)
{
    return wait_loop(count, target, timeout_us, 2);
}
