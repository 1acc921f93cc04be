/* tests/unit/test_debugcon.c - the port 0xE9 debug console. */
#include <criterion/criterion.h>
#include <string.h>
#include "devices/debugcon.h"

static char lines[8][DEBUGCON_LINE];
static int nlines;

static void emit(void *ctx, const char *line)
{
    (void)ctx;
    strcpy(lines[nlines++ % 8], line);
}

static void put(struct debugcon *d, const char *s)
{
    for (; *s; s++) {
        uint32_t v = (uint8_t)*s;
        cr_assert(debugcon_io(d, DEBUGCON_PORT, 1, false, &v));
    }
}

Test(debugcon, whole_lines)
{
    struct debugcon d;
    nlines = 0;
    debugcon_init(&d, emit, NULL);
    put(&d, "hello\r\nwor");
    cr_assert_eq(nlines, 1);
    cr_assert_str_eq(lines[0], "hello");
    put(&d, "ld\n");
    cr_assert_eq(nlines, 2);
    cr_assert_str_eq(lines[1], "world");
}

Test(debugcon, other_ports_and_sizes_are_not_ours)
{
    struct debugcon d;
    uint32_t v = 'x';
    debugcon_init(&d, emit, NULL);
    cr_assert_not(debugcon_io(&d, 0x3f8, 1, false, &v));
    cr_assert_not(debugcon_io(&d, DEBUGCON_PORT, 2, false, &v));
    cr_assert(debugcon_io(&d, DEBUGCON_PORT, 1, true, &v));
    cr_assert_eq(v, 0xe9);
}

Test(debugcon, long_line_is_split_and_flush_hands_over_the_rest)
{
    struct debugcon d;
    char big[DEBUGCON_LINE + 20];
    nlines = 0;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    debugcon_init(&d, emit, NULL);
    put(&d, big);
    cr_assert_eq(nlines, 1);
    cr_assert_eq(strlen(lines[0]), DEBUGCON_LINE - 1);
    debugcon_flush(&d);
    cr_assert_eq(nlines, 2);
    cr_assert_eq(strlen(lines[1]), sizeof(big) - 1 - (DEBUGCON_LINE - 1));
    debugcon_flush(&d);
    cr_assert_eq(nlines, 2);
}

static void copy_line(void *ctx, const char *line)
{
    strcpy(ctx, line);
}

/* Guest bytes that a terminal would act on are shown, not passed on. */
Test(debugcon, control_bytes_escaped)
{
    struct debugcon d;
    static char got[DEBUGCON_LINE];
    debugcon_init(&d, copy_line, got);
    const uint8_t bytes[] = {'a', 0x1b, '[', '2', 'J', 0, '\t', 0xff, 0x7f, 'z', '\n'};
    for (size_t i = 0; i < sizeof(bytes); i++) {
        uint32_t v = bytes[i];
        cr_assert(debugcon_io(&d, DEBUGCON_PORT, 1, false, &v));
    }
    cr_assert_str_eq(got, "a\\x1b[2J\\x00\t\\xff\\x7fz");
}

/* An escape is never split over two lines. */
Test(debugcon, escape_not_split_at_line_end)
{
    struct debugcon d;
    static char got[DEBUGCON_LINE];
    debugcon_init(&d, copy_line, got);
    for (int i = 0; i < DEBUGCON_LINE - 3; i++) {
        uint32_t v = 'x';
        debugcon_io(&d, DEBUGCON_PORT, 1, false, &v);
    }
    uint32_t v = 0x01;
    debugcon_io(&d, DEBUGCON_PORT, 1, false, &v);
    cr_assert_eq(strlen(got), DEBUGCON_LINE - 3, "the line was handed over before the escape");
    debugcon_flush(&d);
    cr_assert_str_eq(got, "\\x01");
}

/* The bytes of s that debugcon_raw_filter lets through, from a fresh state. */
static const char *raw_filter(const char *s)
{
    static char out[128];
    struct debugcon_raw f = {0};
    char seq[DEBUGCON_RAW_SEQ];
    size_t n = 0;
    for (; *s; s++) {
        unsigned k = debugcon_raw_filter(&f, *s, seq);
        cr_assert_leq(k, DEBUGCON_RAW_SEQ);
        cr_assert_lt(n + k, sizeof(out));
        memcpy(out + n, seq, k);
        n += k;
    }
    out[n] = '\0';
    return out;
}

Test(debugcon, raw_pass_text_and_cursor)
{
    cr_assert_str_eq(raw_filter("/ # ls\r\n\tx\b"), "/ # ls\r\n\tx\b");
    cr_assert_str_eq(raw_filter("a\x07"
                                "b\x7f"
                                "c"),
                     "abc", "BEL and DEL dropped");
}

Test(debugcon, raw_passes_line_editing_sequences)
{
    /* what busybox's line editing writes for the arrow keys and history */
    cr_assert_str_eq(raw_filter("\x1b[3C\x1b[J\x1b[K\x1b[2A"), "\x1b[3C\x1b[J\x1b[K\x1b[2A");
    cr_assert_str_eq(raw_filter("\x1b[1;31mred\x1b[0m"), "\x1b[1;31mred\x1b[0m", "SGR colours");
    cr_assert_str_eq(raw_filter("\x1b[12;40H."), "\x1b[12;40H.", "CUP with two parameters");
}

Test(debugcon, raw_drops_other_escape_sequences_whole)
{
    cr_assert_str_eq(raw_filter("/ # \x1b[6npoweroff"), "/ # poweroff",
                     "DSR: a report into the input");
    cr_assert_str_eq(raw_filter("\x1b[?1049hX\x1b[?25l"), "X", "private modes");
    cr_assert_str_eq(raw_filter("\x1b"
                                "cX"),
                     "X", "ESC and one byte (RIS)");
    cr_assert_str_eq(raw_filter("\x1b]0;title\x07ok"), "ok", "OSC ended by BEL");
    cr_assert_str_eq(raw_filter("\x1b]0;title\x1b\\ok"), "ok", "OSC ended by ST");
    cr_assert_str_eq(raw_filter("\x1bPq#0\nok"), "\nok", "an unended DCS ends at a newline");
    cr_assert_str_eq(raw_filter("\x1b[1\nok"), "ok", "a broken sequence is dropped, text goes on");
    cr_assert_str_eq(raw_filter("\x1b[1 qok"), "ok", "an intermediate byte: not editing");
    cr_assert_str_eq(raw_filter("\x1b[11111111111111111111Cok"), "ok", "too long: dropped whole");
    cr_assert_str_eq(raw_filter("\x1b[\x1b[Cok"), "\x1b[Cok",
                     "an ESC inside a sequence begins the next");
}
