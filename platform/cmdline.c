/*
 * platform/cmdline.c - the command-line parser (pure): splits the line into key=value tokens,
 * checks each against the caller's option table, stores good values and collects one message
 * per bad token. See platform/cmdline.h for the accepted syntax.
 */
#include "platform/cmdline.h"

#include <string.h>

#define CMDLINE_VALUE_MAX 128 /* longest non-string value kept for checking and messages */

struct cmdline_errors {
    char *buf;
    size_t size;
    size_t len;
    int count;
};

/* One token: key[0..key_len), and when has_value the raw (still quoted) value [val, val_end). */
struct cmdline_token {
    const char *key;
    size_t key_len;
    bool has_value;
    bool unterminated; /* the value opens a quote that never closes */
    const char *val;
    const char *val_end;
};

static void cmdline_error(struct cmdline_errors *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void cmdline_error(struct cmdline_errors *e, const char *fmt, ...)
{
    e->count++;
    if (e->size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(e->buf + e->len, e->size - e->len, fmt, ap);
    va_end(ap);
    e->len += (size_t)n;
    if (e->len < e->size - 1)
        e->buf[e->len++] = '\n';
    if (e->len > e->size - 1)
        e->len = e->size - 1; /* full: later messages are dropped, still counted */
    e->buf[e->len] = '\0';
}

static bool cmdline_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char cmdline_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool cmdline_ieq(const char *a, const char *b)
{
    while (*a != '\0' && cmdline_lower(*a) == cmdline_lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

size_t cmdline_word(const char **p, char *out, size_t out_size, bool *unterminated)
{
    const char *s = *p;
    size_t n = 0;
    bool wrapped, quoted = false;
    while (cmdline_blank(*s))
        s++;
    if (*s == '\0') {
        *p = s;
        return CMDLINE_NO_WORD;
    }
    /* GRUB wraps an argument that holds blanks in double quotes (grub-core/lib/cmdline.c). */
    wrapped = *s == '"';
    if (wrapped)
        s++;
    for (; *s != '\0'; s++) {
        char c = *s;
        if (c == '\\' && s[1] != '\0') {
            c = *++s; /* GRUB's escape of '"', '\'' and '\\': the character itself */
        } else if (c == '"' && wrapped) {
            wrapped = false; /* the end of GRUB's wrapping: the quote is not part of the word */
            continue;
        } else if (c == '"') {
            quoted = !quoted; /* a quote of the user's: kept, and blanks inside do not split */
        } else if (cmdline_blank(c) && !quoted && !wrapped) {
            break;
        }
        if (n + 1 < out_size)
            out[n] = c;
        n++;
    }
    if (out_size > 0)
        out[n < out_size ? n : out_size - 1] = '\0';
    if (unterminated)
        *unterminated = quoted || wrapped;
    *p = s;
    return n;
}

/* Splits one word into a token: key, and the raw (still quoted) value after the first '='. */
static void cmdline_token_of(const char *word, struct cmdline_token *t)
{
    const char *s = word;
    memset(t, 0, sizeof(*t));
    t->key = s;
    while (*s != '\0' && *s != '=' && *s != '"')
        s++;
    t->key_len = (size_t)(s - t->key);
    if (*s == '=') {
        bool quoted = false;
        t->has_value = true;
        t->val = ++s;
        for (; *s != '\0'; s++)
            if (*s == '"')
                quoted = !quoted;
        t->val_end = s;
        t->unterminated = quoted;
    }
}

/* Copies the value without its quotes into out (NUL-terminated, cut to out_size); returns the
 * full unquoted length. */
static size_t cmdline_unquote(const struct cmdline_token *t, char *out, size_t out_size)
{
    size_t n = 0;
    for (const char *s = t->val; s < t->val_end; s++) {
        if (*s == '"')
            continue;
        if (n + 1 < out_size)
            out[n] = *s;
        n++;
    }
    if (out_size > 0)
        out[n < out_size ? n : out_size - 1] = '\0';
    return n;
}

/* Decimal or 0x hex, then an optional K/M/G binary multiplier; false on junk or overflow. */
static bool cmdline_uint(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    const char *digits;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (digits = s;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && cmdline_lower(*s) >= 'a' && cmdline_lower(*s) <= 'f')
            d = (unsigned)(cmdline_lower(*s) - 'a' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (s == digits)
        return false;
    unsigned shift = 0;
    switch (*s) {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
    case 'm':
        shift = 20;
        break;
    case 'G':
    case 'g':
        shift = 30;
        break;
    default:
        break;
    }
    if (shift != 0) {
        if (v > UINT64_MAX >> shift)
            return false;
        v <<= shift;
        s++;
    }
    if (*s != '\0')
        return false;
    *out = v;
    return true;
}

static bool cmdline_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (cmdline_ieq(s, yes[i]) || cmdline_ieq(s, no[i])) {
            *out = cmdline_ieq(s, yes[i]);
            return true;
        }
    }
    return false;
}

/* The names of an enum option joined by sep, for messages and help (cut to size). */
static void cmdline_names(const struct cmdline_option *o, const char *sep, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; o->names != NULL && o->names[i] != NULL && len < size; i++)
        len += (size_t)fmt_snprintf(buf + len, size - len, "%s%s", i > 0 ? sep : "", o->names[i]);
}

static void cmdline_apply_str(const struct cmdline_option *o, const struct cmdline_token *t,
                              struct cmdline_errors *e)
{
    size_t n = cmdline_unquote(t, NULL, 0);
    if (o->dest.str == NULL)
        return; /* checked elsewhere (e.g. vm= by vm/vm_config.c) */
    if (n >= o->size) {
        cmdline_error(e, "value too long for option '%s': at most %zu characters", o->key,
                      o->size ? o->size - 1 : 0);
        return;
    }
    cmdline_unquote(t, o->dest.str, o->size);
}

/* Checks and stores the value of a token whose key matched option o. */
static void cmdline_apply(const struct cmdline_option *o, const struct cmdline_token *t,
                          struct cmdline_errors *e)
{
    char val[CMDLINE_VALUE_MAX];
    char names[CMDLINE_VALUE_MAX];
    uint64_t u;
    bool b;

    if (!t->has_value && o->type == CMDLINE_BOOL) {
        if (o->dest.boolean != NULL)
            *o->dest.boolean = true; /* a bare key switches a boolean on */
        return;
    }
    if (!t->has_value || t->val == t->val_end) {
        cmdline_error(e, "missing value for option '%s'", o->key);
        return;
    }
    if (t->unterminated) {
        cmdline_error(e, "unterminated quote in value for option '%s'", o->key);
        return;
    }
    if (o->type == CMDLINE_STR) {
        cmdline_apply_str(o, t, e);
        return;
    }
    bool whole = cmdline_unquote(t, val, sizeof(val)) < sizeof(val);
    switch (o->type) {
    case CMDLINE_UINT:
        if (whole && cmdline_uint(val, &u) && u >= o->min && u <= o->max) {
            if (o->dest.uint != NULL)
                *o->dest.uint = u;
            return;
        }
        cmdline_error(e, "bad value '%s' for option '%s': expected a number from %llu to %llu", val,
                      o->key, (unsigned long long)o->min, (unsigned long long)o->max);
        return;
    case CMDLINE_BOOL:
        if (whole && cmdline_bool(val, &b)) {
            if (o->dest.boolean != NULL)
                *o->dest.boolean = b;
            return;
        }
        cmdline_error(e,
                      "bad value '%s' for option '%s': expected one of: on off yes no true false "
                      "1 0",
                      val, o->key);
        return;
    case CMDLINE_ENUM:
        for (uint32_t i = 0; whole && o->names != NULL && o->names[i] != NULL; i++) {
            if (cmdline_ieq(val, o->names[i])) {
                if (o->dest.index != NULL)
                    *o->dest.index = i;
                return;
            }
        }
        cmdline_names(o, " ", names, sizeof(names));
        cmdline_error(e, "bad value '%s' for option '%s': expected one of: %s", val, o->key, names);
        return;
    default:
        cmdline_error(e, "option '%s' has an unknown type %d", o->key, (int)o->type);
        return;
    }
}

int cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nopts, char *err,
                  size_t err_size)
{
    struct cmdline_errors e = {err, err_size, 0, 0};
    struct cmdline_token t;
    uint64_t seen = 0; /* bit i: option i has appeared */

    if (err_size > 0)
        err[0] = '\0';
    if (nopts > CMDLINE_MAX_OPTIONS) {
        cmdline_error(&e, "option table has %zu entries, more than %d", nopts, CMDLINE_MAX_OPTIONS);
        return e.count;
    }
    if (line == NULL)
        line = "";
    char word[CMDLINE_WORD_MAX];
    bool open;
    size_t len;
    while ((len = cmdline_word(&line, word, sizeof(word), &open)) != CMDLINE_NO_WORD) {
        if (len >= sizeof(word)) {
            cmdline_error(&e, "a word of %zu characters is longer than %d: '%.40s...'", len,
                          CMDLINE_WORD_MAX - 1, word);
            continue;
        }
        cmdline_token_of(word, &t);
        t.unterminated = t.unterminated || open;
        size_t i = 0;
        while (i < nopts &&
               !(strncmp(opts[i].key, t.key, t.key_len) == 0 && opts[i].key[t.key_len] == '\0'))
            i++;
        if (i == nopts) {
            if (t.has_value) {
                char val[CMDLINE_VALUE_MAX];
                cmdline_unquote(&t, val, sizeof(val));
                cmdline_error(&e, "unknown option '%.*s' (value '%s')", (int)t.key_len, t.key, val);
            } else {
                cmdline_error(&e, "unknown option '%.*s'", (int)t.key_len, t.key);
            }
        } else if ((seen & (1ULL << i)) && !opts[i].repeatable) {
            cmdline_error(&e, "option '%s' given twice", opts[i].key);
        } else {
            seen |= 1ULL << i;
            cmdline_apply(&opts[i], &t, &e);
        }
    }
    return e.count;
}

void cmdline_help(const struct cmdline_option *opts, size_t nopts, fmt_putc_fn put, void *ctx)
{
    static const char *const type_names[] = {"str", "uint", "bool", "enum"};
    int key_width = 0;
    for (size_t i = 0; i < nopts; i++) {
        int n = (int)strlen(opts[i].key);
        key_width = n > key_width ? n : key_width;
    }
    for (size_t i = 0; i < nopts; i++) {
        const struct cmdline_option *o = &opts[i];
        char allowed[CMDLINE_VALUE_MAX];
        char now[CMDLINE_VALUE_MAX];
        const char *type = (unsigned)o->type < 4 ? type_names[o->type] : "?";

        now[0] = '\0';
        switch (o->type) {
        case CMDLINE_STR:
            fmt_snprintf(allowed, sizeof(allowed), "text of up to %zu characters",
                         o->size ? o->size - 1 : 0);
            if (o->dest.str != NULL)
                fmt_snprintf(now, sizeof(now), "\"%s\"", o->dest.str);
            break;
        case CMDLINE_UINT:
            fmt_snprintf(allowed, sizeof(allowed), "%llu..%llu", (unsigned long long)o->min,
                         (unsigned long long)o->max);
            if (o->dest.uint != NULL)
                fmt_snprintf(now, sizeof(now), "%llu", (unsigned long long)*o->dest.uint);
            break;
        case CMDLINE_BOOL:
            fmt_snprintf(allowed, sizeof(allowed), "on|off");
            if (o->dest.boolean != NULL)
                fmt_snprintf(now, sizeof(now), "%s", *o->dest.boolean ? "on" : "off");
            break;
        case CMDLINE_ENUM:
            cmdline_names(o, "|", allowed, sizeof(allowed));
            if (o->dest.index != NULL) {
                uint32_t k = 0;
                while (o->names != NULL && o->names[k] != NULL && k < *o->dest.index)
                    k++;
                if (o->names != NULL && o->names[k] != NULL)
                    fmt_snprintf(now, sizeof(now), "%s", o->names[k]);
                else
                    fmt_snprintf(now, sizeof(now), "%u", (unsigned)*o->dest.index);
            }
            break;
        default:
            allowed[0] = '\0';
            break;
        }
        fmt_format(put, ctx, "  %-*s  %-4s  %s%s%s\n", key_width, o->key, type, allowed,
                   now[0] ? ", default " : "", now);
        if (o->help != NULL)
            fmt_format(put, ctx, "      %s\n", o->help);
    }
}
