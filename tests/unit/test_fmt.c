/* tests/unit/test_fmt.c - platform/fmt.c against the host's snprintf, plus the parts where
 * fmt deliberately differs (%p, unknown conversions) and the snprintf buffer rules. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "platform/fmt.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Formats the same way with the host's snprintf and with fmt_snprintf; both must agree. */
#define SAME(f, ...)                                                                               \
    do {                                                                                           \
        char want[256], got[256];                                                                  \
        int rw = snprintf(want, sizeof(want), f, __VA_ARGS__);                                     \
        int rg = fmt_snprintf(got, sizeof(got), f, __VA_ARGS__);                                   \
        cr_assert_str_eq(got, want, "format \"%s\": got \"%s\", want \"%s\"", f, got, want);       \
        cr_assert_eq(rg, rw, "format \"%s\": returned %d, want %d", f, rg, rw);                    \
    } while (0)

/* Calls without the format attribute, for formats the compiler would reject or warn about. */
static int odd_snprintf(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = fmt_vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}

static int host_snprintf(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}

#define EXPECT(want, f, ...)                                                                       \
    do {                                                                                           \
        char got[256];                                                                             \
        int rg = odd_snprintf(got, sizeof(got), f, __VA_ARGS__);                                   \
        cr_assert_str_eq(got, want, "format \"%s\": got \"%s\"", f, got);                          \
        cr_assert_eq(rg, (int)strlen(want), "format \"%s\": returned %d", f, rg);                  \
    } while (0)

static const char *const int_formats[] = {
    "%d",     "%i",      "%5d",   "%-5d|",  "%05d",  "%+d",    "% d", "%.3d",  "%8.3d",  "%-8.3d|",
    "%08.3d", "%.0d",    "%+.0d", "% .0d",  "%x",    "%X",     "%#x", "%#X",   "%o",     "%#o",
    "%#.0o",  "%#5x",    "%#08x", "%-#8x|", "%u",    "%hhd",   "%hd", "%hhu",  "%hhx",   "%hu",
    "%hx",    "%.0x",    "%#.0x", "%+5d",   "% 05d", "%+-6d|", "%1d", "%012u", "%+012d", "%-012d|",
    "%#.5o",  "%#10.4x", "%.12x", "<%d>",   "%d%%",  "%%%d%%",
};
static const int int_values[] = {0,       1,       -1,      7,     -7,    42,
                                 -42,     255,     256,     65535, 65536, 123456,
                                 -987654, INT_MAX, INT_MIN, 0x7f,  -0x80, 0xdeadbee};

Test(fmt, int_table_matches_host)
{
    for (size_t f = 0; f < ARRAY_LEN(int_formats); f++)
        for (size_t v = 0; v < ARRAY_LEN(int_values); v++)
            SAME(int_formats[f], int_values[v]);
}

/* l, ll, z, j, t are all 64 bits wide on x86-64, so one long long value serves for each. */
static const char *const wide_formats[] = {
    "%ld",      "%lld",  "%llx",    "%#llx",   "%llo",  "%llu", "%lu",     "%020lld",
    "%-20lld|", "%+lld", "%.25lld", "%jd",     "%ju",   "%zd",  "%zu",     "%zx",
    "%td",      "%tu",   "%lX",     "%#22llo", "% lld", "%lli", "%016llx",
};
static const long long wide_values[] = {
    0, 1, -1, LLONG_MIN, LLONG_MAX, 1LL << 40, -(1LL << 33), 0x123456789abcdefLL, 999999999999LL};

Test(fmt, wide_table_matches_host)
{
    for (size_t f = 0; f < ARRAY_LEN(wide_formats); f++)
        for (size_t v = 0; v < ARRAY_LEN(wide_values); v++)
            SAME(wide_formats[f], wide_values[v]);
}

Test(fmt, unsigned_extremes_match_host)
{
    SAME("%llu %llx %llo", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
    SAME("%u %x %X", UINT_MAX, UINT_MAX, UINT_MAX);
    SAME("%zu", (size_t)SIZE_MAX);
    SAME("%ju", (uintmax_t)UINTMAX_MAX);
}

static const char *const str_formats[] = {"%s",       "%10s", "%-10s|", "%.2s", "%10.2s",
                                          "%-10.2s|", "%.0s", "%.10s",  "[%s]", "%3s"};
static const char *const str_values[] = {"", "a", "hello", "hello world, a longer string"};

Test(fmt, string_table_matches_host)
{
    for (size_t f = 0; f < ARRAY_LEN(str_formats); f++)
        for (size_t v = 0; v < ARRAY_LEN(str_values); v++)
            SAME(str_formats[f], str_values[v]);
}

Test(fmt, chars_match_host)
{
    static const char *const formats[] = {"%c", "%3c", "%-3c|", "[%c]"};
    static const int values[] = {'a', 'Z', ' ', '%'};
    for (size_t f = 0; f < ARRAY_LEN(formats); f++)
        for (size_t v = 0; v < ARRAY_LEN(values); v++)
            SAME(formats[f], values[v]);
    SAME("%c%c%c", 'a', 'b', 'c');
}

Test(fmt, star_width_and_precision_match_host)
{
    SAME("%*d", 5, 42);
    SAME("%*d|", -5, 42);
    SAME("%-*d|", 6, -3);
    SAME("%.*d", 3, 7);
    SAME("%.*d", -1, 7);
    SAME("%.*d", 0, 0);
    SAME("%*.*s|", 8, 3, "abcdef");
    SAME("%*.*s|", -8, 3, "abcdef");
    SAME("%.*s", 2, "xyz");
    SAME("%0*x", 10, 0xbeef);
    SAME("%*c|", 4, 'q');
}

Test(fmt, mixed_formats_match_host)
{
    SAME("cpu %u: %s at %#llx (%d%%)", 3u, "ready", 0xfee00000ULL, 99);
    SAME("%s=%d, %s=%d", "a", 1, "b", -2);
    SAME("%5s|%-5s|%05d|%-5x|", "ab", "cd", -12, 0xab);
    SAME("no conversions at all%s", "");
}

Test(fmt, pointer_is_0x_and_16_digits)
{
    EXPECT("0x0000000000001234", "%p", (void *)0x1234);
    EXPECT("0x0000000000000000", "%p", (void *)NULL);
    EXPECT("0xffffffff80001000", "%p", (void *)0xffffffff80001000ULL);
    EXPECT("  0x00000000deadbeef", "%20p", (void *)0xdeadbeef);
    EXPECT("0x00000000deadbeef  |", "%-20p|", (void *)0xdeadbeef);
}

Test(fmt, null_string_prints_null)
{
    EXPECT("(null)", "%s", (const char *)NULL);
    EXPECT("[  (null)]", "[%8s]", (const char *)NULL);
}

Test(fmt, string_precision_does_not_read_past_it)
{
    char raw[3] = {'a', 'b', 'c'}; /* not NUL-terminated */
    EXPECT("abc", "%.3s", raw);
}

Test(fmt, unknown_conversions_are_literal)
{
    EXPECT("%q", "%q", 0);
    EXPECT("a %5q b", "a %5q b", 0);
    EXPECT("%lq", "%lq", 0);
    EXPECT("%n", "%n", 0);
    EXPECT("%f 5", "%f %d", 5); /* an unknown conversion consumes no argument */
    EXPECT("%y%w100%", "%y%w%d%%", 100);
}

Test(fmt, format_ending_inside_a_spec_is_literal)
{
    char got[32];
    cr_assert_eq(odd_snprintf(got, sizeof(got), "%s%", "abc"), 4);
    cr_assert_str_eq(got, "abc%");
    cr_assert_eq(odd_snprintf(got, sizeof(got), "x%-08l", 0), 6);
    cr_assert_str_eq(got, "x%-08l");
}

Test(fmt, truncation_keeps_nul_and_returns_full_length)
{
    char buf[16];
    memset(buf, 'Z', sizeof(buf));
    cr_assert_eq(fmt_snprintf(buf, 5, "hello %s", "world"), 11);
    cr_assert_str_eq(buf, "hell");
    cr_assert_eq(buf[5], 'Z', "wrote past size");

    memset(buf, 'Z', sizeof(buf));
    cr_assert_eq(fmt_snprintf(buf, 6, "%s", "hello"), 5); /* exact fit */
    cr_assert_str_eq(buf, "hello");
    cr_assert_eq(buf[6], 'Z');

    cr_assert_eq(fmt_snprintf(buf, 1, "%d", 12345), 5);
    cr_assert_str_eq(buf, "");
}

Test(fmt, size_zero_writes_nothing)
{
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    cr_assert_eq(fmt_snprintf(buf, 0, "%d-%s", 123, "abc"), 7);
    cr_assert_eq(buf[0], 'Z');
    cr_assert_eq(fmt_snprintf(NULL, 0, "%08x", 1u), 8);
}

Test(fmt, return_value_matches_host_when_truncated)
{
    char want[8], got[8];
    int rw = host_snprintf(want, sizeof(want), "%-12s|%5d", "truncated", -77);
    int rg = fmt_snprintf(got, sizeof(got), "%-12s|%5d", "truncated", -77);
    cr_assert_eq(rg, rw);
    cr_assert_str_eq(got, want);
}

struct sink {
    char text[64];
    int calls;
};

static void sink_putc(void *ctx, char c)
{
    struct sink *s = ctx;
    if (s->calls < (int)sizeof(s->text) - 1)
        s->text[s->calls] = c;
    s->calls++;
}

Test(fmt, streaming_calls_put_once_per_char)
{
    struct sink s = {{0}, 0};
    int n = fmt_format(sink_putc, &s, "[%5d|%s]", 42, "ok");
    cr_assert_eq(n, 10);
    cr_assert_eq(s.calls, 10);
    cr_assert_str_eq(s.text, "[   42|ok]");
}
