/*
 * tools/vptrace_fields.h - reading the fields of one trace line (host only), for the parser in
 * tools/vptrace_parse.c. Every function returns VPT_OK or a vpt_error, having written
 * "line N: what is wrong" into the cursor's message buffer.
 */
#ifndef TOOLS_VPTRACE_FIELDS_H
#define TOOLS_VPTRACE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "tools/vptrace_parse.h"

/* One line being parsed: what is left of it, and where errors go. */
struct vpt_cursor {
    const char *p, *end;
    struct vpt_trace *t;
    char *err;
    size_t errlen;
};

/* Writes "line N: " and the message into c->err; returns code. */
int vpt_bad(struct vpt_cursor *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next token (fields are separated by exactly one space); `want` names what is expected. */
int vpt_token(struct vpt_cursor *c, const char *want, const char **tok, size_t *len);
/* Nothing may follow `after`. */
int vpt_no_more(struct vpt_cursor *c, const char *after);

/* A token as shown in messages: at most VPT_SHOW_MAX bytes, non-printing bytes as '?'. */
#define VPT_SHOW_MAX 40
const char *vpt_show(const char *s, size_t len, char buf[VPT_SHOW_MAX + 1]);

/* The next token must be key=<value>, the value not empty. */
int vpt_field(struct vpt_cursor *c, const char *key, const char **val, size_t *vlen);
/* A decimal number of at most max; key names it in messages. */
int vpt_decimal(struct vpt_cursor *c, const char *key, const char *s, size_t len, uint64_t max,
                uint64_t *out);
/* 0x and 1 to 16 hex digits. */
int vpt_hex(struct vpt_cursor *c, const char *key, const char *s, size_t len, uint64_t *out);
/* key=<decimal> as the next field. */
int vpt_dec_field(struct vpt_cursor *c, const char *key, uint64_t max, uint64_t *out);

#endif
