/* platform/panic.h - fatal errors: report, dump the debug record, stop. */
#ifndef PLATFORM_PANIC_H
#define PLATFORM_PANIC_H

#include <stdbool.h>

enum panic_action { PANIC_HALT, PANIC_POWEROFF };

void panic_set_action(enum panic_action a);

/* Print the message, this CPU's debug-record tail, and stop this CPU
 * (with `onpanic=poweroff`, the whole machine). Never returns. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_stop_cpu(const char *why) __attribute__((noreturn));

/* Stop this CPU for good: interrupts off, HLT forever (NMIs end in HLT again). */
void cpu_halt_forever(void) __attribute__((noreturn));

#endif
