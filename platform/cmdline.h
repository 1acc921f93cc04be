/*
 * platform/cmdline.h - schema-driven parser for the hypervisor command line (pure).
 *
 * The line is a list of words separated by blanks: `key=value` or a bare `key`. A value may
 * contain double-quoted parts, which can hold blanks; the quotes are removed
 * (`note="two words"`). Words are read as GRUB writes them (cmdline_word), so a line that
 * went through GRUB means what the user wrote in grub.cfg's single quotes. The caller
 * describes the options in a table:
 *
 *   static const char *const levels[] = {"error", "warn", "info", "debug", "trace", NULL};
 *   const struct cmdline_option opts[] = {
 *       {.key = "log", .type = CMDLINE_ENUM, .dest.index = &cfg.log, .names = levels,
 *        .help = "least important message level printed"},
 *       {.key = "cpus", .type = CMDLINE_UINT, .dest.uint = &cfg.cpus, .min = 1, .max = 64,
 *        .help = "number of CPUs to start"},
 *   };
 *
 * Values:
 *   CMDLINE_STR   copied with its NUL into dest.str, a buffer of .size bytes.
 *   CMDLINE_UINT  decimal or 0x hex, optional suffix K, M or G (x 2^10, 2^20, 2^30), within
 *                 .min ... .max inclusive.
 *   CMDLINE_BOOL  1/0 yes/no on/off true/false (any case); a bare key means true.
 *   CMDLINE_ENUM  one of .names (any case); dest.index receives its position in .names.
 * Errors do not stop the parse: each bad token adds one line (ending in '\n') to the error
 * buffer and leaves its destination unchanged; good tokens are applied. The first occurrence
 * of a key counts; a repeated key is an error and is ignored. A NULL destination accepts and
 * checks the option but stores nothing.
 */
#ifndef PLATFORM_CMDLINE_H
#define PLATFORM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/fmt.h"

#define CMDLINE_MAX_OPTIONS 64   /* entries in one option table */
#define CMDLINE_WORD_MAX    1024 /* longest word, with its NUL */
#define CMDLINE_NO_WORD     ((size_t)-1)

/*
 * Reads the next word of *p into out (cut to out_size, NUL-terminated) and moves *p past it;
 * returns the word's full length, or CMDLINE_NO_WORD at the end of the line. The rules undo
 * what GRUB does when it builds a kernel command line from grub.cfg words (it escapes '"', '\''
 * and '\\' with a backslash and wraps a word holding blanks in double quotes):
 *   - blanks separate words;
 *   - a backslash takes the next character as it is (a '\"' is a plain quote character);
 *   - a word that starts with '"' runs to the matching '"'; these two quotes are dropped;
 *   - any other '"' is kept in the word, and blanks up to the next '"' do not split it, so
 *     `vm=a:cmdline="x y,z=1"` stays one word, quotes included, for the value's own parser.
 * *unterminated (may be NULL) tells whether a quote was left open.
 */
size_t cmdline_word(const char **p, char *out, size_t out_size, bool *unterminated);

enum cmdline_type { CMDLINE_STR, CMDLINE_UINT, CMDLINE_BOOL, CMDLINE_ENUM };

struct cmdline_option {
    const char *key;
    enum cmdline_type type;
    union {
        char *str;       /* CMDLINE_STR */
        uint64_t *uint;  /* CMDLINE_UINT */
        bool *boolean;   /* CMDLINE_BOOL */
        uint32_t *index; /* CMDLINE_ENUM */
    } dest;
    size_t size;              /* CMDLINE_STR: bytes in dest.str, including the NUL */
    const char *const *names; /* CMDLINE_ENUM: allowed names, NULL-terminated */
    uint64_t min, max;        /* CMDLINE_UINT: accepted range, inclusive */
    const char *help;         /* one line for cmdline_help */
    bool repeatable;          /* may appear several times (e.g. vm=, parsed elsewhere) */
};

/* Parses line (NULL counts as empty) against the nopts options of opts. The messages go to err
 * (cleared first, always NUL-terminated when err_size > 0, cut short when full); returns the
 * number of errors, 0 when every token was applied. */
int cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nopts, char *err,
                  size_t err_size);

/* Describes every option, two lines each, through put(ctx, c):
 *   "  <key>  <type>  <allowed values>, default <current value of dest>\n"
 *   "      <help>\n" */
void cmdline_help(const struct cmdline_option *opts, size_t nopts, fmt_putc_fn put, void *ctx);

#endif
