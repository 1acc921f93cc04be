/* tools/vptrace_fields.c - the fields of a trace line for tools/vptrace_parse.c: one space
 * between key=value tokens, decimal and 0x hex numbers with range checks, and the messages
 * that name the line (docs/trace.md, "The format"). */
#include "tools/vptrace_fields.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int vpt_bad(struct vpt_cursor *c, int code, const char *fmt, ...)
{
    if (c->errlen == 0)
        return code;
    int n = snprintf(c->err, c->errlen, "line %u: ", c->t->line);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* --- tokens: one space between fields, none at the end ----------------------------------- */

/* The next space-separated token of a trace line; error if there is none, or if it is empty
 * (two spaces) or the line ends in a space. `want` names what was expected, for messages. */
int vpt_token(struct vpt_cursor *c, const char *want, const char **tok, size_t *len)
{
    if (c->p >= c->end)
        return vpt_bad(c, VPT_EFORMAT, "the line ends where %s should follow", want);
    const char *s = c->p;
    while (c->p < c->end && *c->p != ' ')
        c->p++;
    *tok = s;
    *len = (size_t)(c->p - s);
    if (*len == 0)
        return vpt_bad(c, VPT_EFORMAT, "two spaces before %s (fields are separated by one space)",
                       want);
    if (c->p < c->end) {
        c->p++; /* the one space */
        if (c->p == c->end)
            return vpt_bad(c, VPT_EFORMAT, "a space at the end of the line");
    }
    return VPT_OK;
}

int vpt_no_more(struct vpt_cursor *c, const char *after)
{
    if (c->p < c->end)
        return vpt_bad(c, VPT_EFORMAT, "unexpected text after %s: '%.40s'", after, c->p);
    return VPT_OK;
}

/* Shows a token in a message: at most VPT_SHOW_MAX bytes, and non-printing bytes as '?'. */
const char *vpt_show(const char *s, size_t len, char buf[VPT_SHOW_MAX + 1])
{
    char *out = buf;
    for (const char *p = s; p < s + len && out < buf + VPT_SHOW_MAX; p++)
        *out++ = *p >= ' ' && *p <= '~' ? *p : '?';
    *out = '\0';
    return buf;
}

/* The next token must be key=<value>; returns the value. */
int vpt_field(struct vpt_cursor *c, const char *key, const char **val, size_t *vlen)
{
    char want[32];
    const char *tok;
    size_t len, klen = strlen(key);
    snprintf(want, sizeof(want), "'%s='", key);
    int rc = vpt_token(c, want, &tok, &len);
    if (rc)
        return rc;
    if (len <= klen || memcmp(tok, key, klen) != 0 || tok[klen] != '=') {
        char seen[VPT_SHOW_MAX + 1];
        return vpt_bad(c, VPT_EFORMAT, "expected '%s=', found '%s'", key, vpt_show(tok, len, seen));
    }
    if (len == klen + 1)
        return vpt_bad(c, VPT_EFORMAT, "'%s=' has no value", key);
    *val = tok + klen + 1;
    *vlen = len - klen - 1;
    return VPT_OK;
}

int vpt_decimal(struct vpt_cursor *c, const char *key, const char *s, size_t len, uint64_t max,
                uint64_t *out)
{
    char seen[VPT_SHOW_MAX + 1];
    uint64_t v = 0;
    if (len == 0)
        return vpt_bad(c, VPT_EFORMAT, "'%s=' has no value", key);
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return vpt_bad(c, VPT_EFORMAT, "%s='%s' is not a decimal number", key,
                           vpt_show(s, len, seen));
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return vpt_bad(c, VPT_EFORMAT, "%s=%s is too big (at most %llu)", key,
                           vpt_show(s, len, seen), (unsigned long long)max);
        v = v * 10 + d;
    }
    *out = v;
    return VPT_OK;
}

int vpt_hex(struct vpt_cursor *c, const char *key, const char *s, size_t len, uint64_t *out)
{
    char seen[VPT_SHOW_MAX + 1];
    uint64_t v = 0;
    if (len < 3 || s[0] != '0' || s[1] != 'x' || len > 18)
        return vpt_bad(c, VPT_EFORMAT, "%s='%s': expected 0x and 1 to 16 hex digits", key,
                       vpt_show(s, len, seen));
    for (size_t i = 2; i < len; i++) {
        char ch = s[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            return vpt_bad(c, VPT_EFORMAT, "%s='%s': '%c' is not a hex digit", key,
                           vpt_show(s, len, seen), ch >= ' ' && ch <= '~' ? ch : '?');
        v = v << 4 | d;
    }
    *out = v;
    return VPT_OK;
}

/* key=<decimal> as the next field. */
int vpt_dec_field(struct vpt_cursor *c, const char *key, uint64_t max, uint64_t *out)
{
    const char *val;
    size_t len;
    int rc = vpt_field(c, key, &val, &len);
    return rc ? rc : vpt_decimal(c, key, val, len, max, out);
}
