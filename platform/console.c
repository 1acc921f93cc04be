/* platform/console.c - the console: log levels, the per-line lock, serial and port 0xE9. */
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/percpu.h"
#include "platform/serial.h"

const char *const log_level_names[] = {"error", "warn", "info", "debug", "trace", NULL};
static const char *const level_prefix[] = {"ERROR: ", "WARN: ", "", "", ""};

static enum log_level current_level = LOG_INFO;
static bool use_debugport;

/* Recursive per-CPU lock: owner is the CPU id + 1, 0 when free. */
static volatile uint32_t owner;
static uint32_t depth;
static uint64_t saved_flags;

#define PORT_E9 0xe9

void console_init(void)
{
    serial_init(SERIAL_COM1);
}

void console_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level console_level(void)
{
    return current_level;
}

void console_set_debugport(bool on)
{
    use_debugport = on;
}

void console_lock(void)
{
    uint32_t me = this_cpu_id() + 1;
    uint64_t flags = read_rflags();
    irq_disable();
    if (__atomic_load_n(&owner, __ATOMIC_ACQUIRE) == me) {
        depth++;
        return;
    }
    uint32_t expected = 0;
    while (!__atomic_compare_exchange_n(&owner, &expected, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        expected = 0;
        cpu_relax();
    }
    depth = 1;
    saved_flags = flags;
}

void console_unlock(void)
{
    if (--depth)
        return;
    uint64_t flags = saved_flags;
    __atomic_store_n(&owner, 0, __ATOMIC_RELEASE);
    if (flags & RFLAGS_IF)
        irq_enable();
}

static void console_putc(void *ctx, char c)
{
    (void)ctx;
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
    if (use_debugport)
        outb(PORT_E9, (uint8_t)c);
}

void kvprintf(const char *fmt, va_list ap)
{
    console_lock();
    fmt_vformat(console_putc, NULL, fmt, ap);
    console_unlock();
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > current_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    console_lock();
    kprintf("%s", level_prefix[level]);
    kvprintf(fmt, ap);
    console_unlock();
    va_end(ap);
}
