/* platform/panic.c - the panic path. */
#include "platform/panic.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/percpu.h"
#include "platform/power.h"

static enum panic_action action = PANIC_HALT;

void panic_set_action(enum panic_action a)
{
    action = a;
}

void cpu_halt_forever(void)
{
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}

void panic_stop_cpu(const char *why)
{
    irq_disable();
    console_lock();
    kprintf("PANIC: CPU %u stopped: %s\n", this_cpu_id(), why);
    trace_dump_tail(this_cpu_id(), 32);
    console_unlock();
    this_cpu()->state = CPU_HALTED;
    if (action == PANIC_POWEROFF)
        power_off("panic");
    /* The marker the harness (scripts/run.sh) ends a run on once the output goes quiet. */
    kprintf("Vanderpool: CPU %u halted (onpanic=halt; onpanic=poweroff powers off instead)\n",
            this_cpu_id());
    cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    console_lock();
    kprintf("PANIC: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    console_unlock();
    va_end(ap);
    panic_stop_cpu("panic");
}
