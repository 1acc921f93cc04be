/*
 * platform/fmt.c - printf-style formatter (pure): one streaming core, fmt_vformat, that hands
 * each character to a callback, and snprintf built on top of it. Follows C11 7.21.6.1
 * (fprintf) for the integer, character and string conversions.
 */
#include "platform/fmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FMT_MAX_WIDTH 4096 /* cap on width/precision so counts cannot overflow an int */

enum fmt_len {
    FMT_LEN_NONE,
    FMT_LEN_HH,
    FMT_LEN_H,
    FMT_LEN_L,
    FMT_LEN_LL,
    FMT_LEN_Z,
    FMT_LEN_J,
    FMT_LEN_T
};

struct fmt_out {
    fmt_putc_fn put;
    void *ctx;
    int count;
};

struct fmt_spec {
    bool left, zero, plus, space, alt;
    int width;
    int prec; /* -1: none given */
    enum fmt_len len;
    char conv;
};

static void fmt_putc(struct fmt_out *o, char c)
{
    o->put(o->ctx, c);
    o->count++;
}

static void fmt_repeat(struct fmt_out *o, char c, int n)
{
    for (; n > 0; n--)
        fmt_putc(o, c);
}

static void fmt_puts(struct fmt_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fmt_putc(o, s[i]);
}

/* Pads text of length n to the field width, on the left or (flag '-') on the right. */
static void fmt_field(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
    int pad = sp->width > (int)n ? sp->width - (int)n : 0;
    if (!sp->left)
        fmt_repeat(o, ' ', pad);
    fmt_puts(o, s, n);
    if (sp->left)
        fmt_repeat(o, ' ', pad);
}

/* Integer conversion of magnitude mag (C11 7.21.6.1p6, p8): sign or 0x prefix, precision zeros,
 * digits, padded with spaces or (flag '0' without a precision) zeros after the prefix. */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t mag, bool neg)
{
    const char *digit_set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
    char digits[24]; /* 22 octal digits cover 64 bits; stored least significant first */
    int nd = 0;
    const char *prefix = "";
    bool nonzero = mag != 0;

    if (!(mag == 0 && sp->prec == 0)) { /* precision 0 with value 0 prints no digits */
        do {
            digits[nd++] = digit_set[mag % base];
            mag /= base;
        } while (mag != 0);
    }
    int zeros = sp->prec > nd ? sp->prec - nd : 0;
    if (sp->conv == 'o' && sp->alt && zeros == 0 && (nd == 0 || digits[nd - 1] != '0'))
        zeros = 1; /* '#' with o: the first digit is a zero */

    if (sp->conv == 'd' || sp->conv == 'i')
        prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    else if (sp->alt && nonzero && (sp->conv == 'x' || sp->conv == 'X'))
        prefix = sp->conv == 'x' ? "0x" : "0X"; /* '#' with x: only for a nonzero value */

    int plen = (int)strlen(prefix);
    int total = plen + zeros + nd;
    int pad = sp->width > total ? sp->width - total : 0;
    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += pad; /* '0' flag: pad with zeros after the sign/prefix */
        pad = 0;
    }
    if (!sp->left)
        fmt_repeat(o, ' ', pad);
    fmt_puts(o, prefix, (size_t)plen);
    fmt_repeat(o, '0', zeros);
    while (nd > 0)
        fmt_putc(o, digits[--nd]);
    if (sp->left)
        fmt_repeat(o, ' ', pad);
}

static intmax_t fmt_arg_signed(enum fmt_len len, va_list *ap)
{
    switch (len) {
    case FMT_LEN_HH:
        return (signed char)va_arg(*ap, int);
    case FMT_LEN_H:
        return (short)va_arg(*ap, int);
    case FMT_LEN_L:
        return va_arg(*ap, long);
    case FMT_LEN_LL:
        return va_arg(*ap, long long);
    case FMT_LEN_Z:
        return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
    case FMT_LEN_J:
        return va_arg(*ap, intmax_t);
    case FMT_LEN_T:
        return va_arg(*ap, ptrdiff_t);
    default:
        return va_arg(*ap, int);
    }
}

static uintmax_t fmt_arg_unsigned(enum fmt_len len, va_list *ap)
{
    switch (len) {
    case FMT_LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case FMT_LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case FMT_LEN_L:
        return va_arg(*ap, unsigned long);
    case FMT_LEN_LL:
        return va_arg(*ap, unsigned long long);
    case FMT_LEN_Z:
        return va_arg(*ap, size_t);
    case FMT_LEN_J:
        return va_arg(*ap, uintmax_t);
    case FMT_LEN_T:
        return (size_t)va_arg(*ap, ptrdiff_t); /* the unsigned type of ptrdiff_t's width */
    default:
        return va_arg(*ap, unsigned int);
    }
}

/* Reads a decimal number or '*' (an int argument); returns the value capped to FMT_MAX_WIDTH. */
static int fmt_number(const char **p, va_list *ap, bool *from_arg)
{
    int v = 0;
    *from_arg = false;
    if (**p == '*') {
        (*p)++;
        *from_arg = true;
        v = va_arg(*ap, int);
        return v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : v < -FMT_MAX_WIDTH ? -FMT_MAX_WIDTH : v;
    }
    while (**p >= '0' && **p <= '9') {
        if (v < FMT_MAX_WIDTH)
            v = v * 10 + (**p - '0');
        (*p)++;
    }
    return v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : v;
}

/* Parses flags, width, precision and length after a '%'; leaves *p on the conversion char. */
static void fmt_parse_spec(const char **p, va_list *ap, struct fmt_spec *sp)
{
    bool star;
    memset(sp, 0, sizeof(*sp));
    sp->prec = -1;
    for (;; (*p)++) {
        if (**p == '-')
            sp->left = true;
        else if (**p == '0')
            sp->zero = true;
        else if (**p == '+')
            sp->plus = true;
        else if (**p == ' ')
            sp->space = true;
        else if (**p == '#')
            sp->alt = true;
        else
            break;
    }
    sp->width = fmt_number(p, ap, &star);
    if (sp->width < 0) { /* a negative '*' width is a '-' flag (C11 7.21.6.1p5) */
        sp->left = true;
        sp->width = -sp->width;
    }
    if (**p == '.') {
        (*p)++;
        sp->prec = fmt_number(p, ap, &star);
        if (sp->prec < 0) /* a negative '*' precision counts as omitted */
            sp->prec = -1;
    }
    static const struct {
        char s[3];
        enum fmt_len len;
    } mods[] = {{"hh", FMT_LEN_HH}, {"h", FMT_LEN_H}, {"ll", FMT_LEN_LL}, {"l", FMT_LEN_L},
                {"z", FMT_LEN_Z},   {"j", FMT_LEN_J}, {"t", FMT_LEN_T}};
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        size_t n = strlen(mods[i].s);
        if (strncmp(*p, mods[i].s, n) == 0) {
            sp->len = mods[i].len;
            *p += n;
            break;
        }
    }
    sp->conv = **p;
}

/* Performs one conversion; returns false when the conversion is not supported. */
static bool fmt_convert(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
    switch (sp->conv) {
    case 'd':
    case 'i': {
        intmax_t v = fmt_arg_signed(sp->len, ap);
        fmt_integer(o, sp, v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v, v < 0);
        return true;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        fmt_integer(o, sp, fmt_arg_unsigned(sp->len, ap), false);
        return true;
    case 'p': { /* always 0x and 16 digits, so addresses line up; only width and '-' apply */
        uint64_t v = (uint64_t)(uintptr_t)va_arg(*ap, void *);
        char s[18] = {'0', 'x'};
        for (int i = 17; i >= 2; i--, v >>= 4)
            s[i] = "0123456789abcdef"[v & 0xf];
        fmt_field(o, sp, s, sizeof(s));
        return true;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        fmt_field(o, sp, &c, 1);
        return true;
    }
    case 's': {
        const char *s = va_arg(*ap, const char *);
        size_t n = 0;
        if (s == NULL)
            s = "(null)";
        while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n] != '\0')
            n++; /* never reads past the precision: the string need not be terminated */
        fmt_field(o, sp, s, n);
        return true;
    }
    case '%':
        fmt_putc(o, '%');
        return true;
    default:
        return false;
    }
}

int fmt_vformat(fmt_putc_fn put, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out o = {put, ctx, 0};
    va_list args;
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            fmt_putc(&o, *fmt++);
            continue;
        }
        const char *start = fmt++;
        struct fmt_spec sp;
        fmt_parse_spec(&fmt, &args, &sp);
        if (sp.conv == '\0') { /* the format ends inside a specification: copy it */
            fmt_puts(&o, start, (size_t)(fmt - start));
            break;
        }
        if (!fmt_convert(&o, &sp, &args))
            fmt_puts(&o, start, (size_t)(fmt + 1 - start)); /* unknown: copy literally */
        fmt++;
    }
    va_end(args);
    return o.count;
}

int fmt_format(fmt_putc_fn put, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vformat(put, ctx, fmt, ap);
    va_end(ap);
    return n;
}

struct fmt_buf {
    char *buf;
    size_t size;
    size_t pos;
};

static void fmt_buf_putc(void *ctx, char c)
{
    struct fmt_buf *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_buf b = {buf, size, 0};
    int n = fmt_vformat(fmt_buf_putc, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void fmt_msg(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (buf == NULL || len == 0)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}
