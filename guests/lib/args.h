/*
 * guests/lib/args.h - the command-line arguments of the test guests (pure).
 *
 * A guest's command line (struct mb_info.cmdline) is a list of blank-separated `key=value`
 * words; numbers are decimal or 0x hexadecimal.
 */
#ifndef GUEST_ARGS_H
#define GUEST_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of `key=` in the blank-separated command line, copied into val (at most n bytes
 * with the terminator; n > 0); false when the key is absent. */
bool args_get(const char *cmdline, const char *key, char *val, size_t n);

/* Decimal or 0x hexadecimal, nothing after it; false on anything else or on overflow. */
bool args_parse_u64(const char *s, uint64_t *out);

#endif
