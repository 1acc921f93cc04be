/*
 * platform/console.h - formatted output with log levels.
 *
 * Output goes to the serial console (and to the Bochs/QEMU debug port 0xE9
 * when `debugport=1`). One call prints under one lock, so lines from several
 * CPUs never interleave. A CPU that faults while printing may print again
 * (the lock is recursive per CPU), so the panic path always gets through.
 */
#ifndef PLATFORM_CONSOLE_H
#define PLATFORM_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

extern const char *const log_level_names[]; /* NULL-terminated, indexed by log_level */

void console_init(void);
void console_set_level(enum log_level level);
enum log_level console_level(void);
void console_set_debugport(bool on);

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define pr_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

/* Hold the console across several calls (e.g. a multi-line dump). Recursive per CPU. */
void console_lock(void);
void console_unlock(void);

#endif
