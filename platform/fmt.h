/*
 * platform/fmt.h - printf-style formatting for the kernel console (pure).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%; length modifiers hh h l ll z j t;
 * flags - 0 + space #; width and precision, both also as '*'.
 * %s with a NULL pointer prints "(null)"; %p prints 0x and 16 hex digits.
 * Anything else (including %n and floating point) is copied to the output literally and takes
 * no argument (except for a width or precision given as '*').
 */
#ifndef PLATFORM_FMT_H
#define PLATFORM_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the output one character at a time. */
typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Streams the formatted text to put(ctx, c); returns the number of characters produced. */
int fmt_vformat(fmt_putc_fn put, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_putc_fn put, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* C99 snprintf semantics: writes at most size-1 characters plus a NUL (when size > 0) and
 * returns the length the complete output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Format into an optional message buffer: does nothing when buf is NULL or len is 0. Used by
 * parsers to describe an error in the caller's buffer. */
void fmt_msg(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
