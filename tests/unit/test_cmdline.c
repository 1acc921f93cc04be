/* tests/unit/test_cmdline.c - platform/cmdline.c: good lines set the values, bad tokens give
 * exact messages and leave the values alone, help text. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "platform/cmdline.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };
static const char *const log_names[] = {"error", "warn", "info", "debug", "trace", NULL};

static struct {
    uint32_t log;
    uint64_t cpus;
    uint64_t mem;
    bool debugport;
    char scenario[16];
    char note[8];
} cfg;

static const struct cmdline_option opts[] = {
    {.key = "log",
     .type = CMDLINE_ENUM,
     .dest.index = &cfg.log,
     .names = log_names,
     .help = "least important level printed"},
    {.key = "scenario",
     .type = CMDLINE_STR,
     .dest.str = cfg.scenario,
     .size = sizeof(cfg.scenario),
     .help = "scenario to run"},
    {.key = "cpus",
     .type = CMDLINE_UINT,
     .dest.uint = &cfg.cpus,
     .min = 1,
     .max = 64,
     .help = "number of CPUs to start"},
    {.key = "mem",
     .type = CMDLINE_UINT,
     .dest.uint = &cfg.mem,
     .min = 0,
     .max = UINT64_MAX,
     .help = "guest memory in bytes"},
    {.key = "debugport",
     .type = CMDLINE_BOOL,
     .dest.boolean = &cfg.debugport,
     .help = "enable the 0xe9 debug port"},
    {.key = "note",
     .type = CMDLINE_STR,
     .dest.str = cfg.note,
     .size = sizeof(cfg.note),
     .help = "free text"},
};

static char err[512];

/* Resets the configuration to its defaults and parses line. */
static int parse(const char *line)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.log = LOG_INFO;
    cfg.cpus = 1;
    strcpy(cfg.scenario, "none");
    memset(err, 'Z', sizeof(err));
    return cmdline_parse(line, opts, ARRAY_LEN(opts), err, sizeof(err));
}

Test(cmdline, empty_and_null_lines_keep_defaults)
{
    cr_assert_eq(parse(""), 0);
    cr_assert_str_eq(err, "");
    cr_assert_eq(cfg.log, LOG_INFO);
    cr_assert_eq(parse(NULL), 0);
    cr_assert_eq(parse("   \t  "), 0);
    cr_assert_eq(cfg.cpus, 1);
    cr_assert_str_eq(cfg.scenario, "none");
}

Test(cmdline, typical_line_sets_every_value)
{
    cr_assert_eq(parse("log=debug scenario=boot cpus=4 debugport=1"), 0);
    cr_assert_str_eq(err, "");
    cr_assert_eq(cfg.log, LOG_DEBUG);
    cr_assert_str_eq(cfg.scenario, "boot");
    cr_assert_eq(cfg.cpus, 4);
    cr_assert(cfg.debugport);
}

Test(cmdline, blanks_and_hex)
{
    cr_assert_eq(parse("  log=trace\t cpus=0x10  \n"), 0);
    cr_assert_eq(cfg.log, LOG_TRACE);
    cr_assert_eq(cfg.cpus, 16);
}

Test(cmdline, enum_and_bool_ignore_case)
{
    cr_assert_eq(parse("log=DEBUG debugport=On"), 0);
    cr_assert_eq(cfg.log, LOG_DEBUG);
    cr_assert(cfg.debugport);
}

Test(cmdline, bool_spellings)
{
    static const char *const on[] = {"debugport", "debugport=1", "debugport=yes", "debugport=on",
                                     "debugport=true"};
    static const char *const off[] = {"debugport=0", "debugport=no", "debugport=off",
                                      "debugport=false"};
    for (size_t i = 0; i < ARRAY_LEN(on); i++) {
        cr_assert_eq(parse(on[i]), 0, "%s", on[i]);
        cr_assert(cfg.debugport, "%s", on[i]);
    }
    for (size_t i = 0; i < ARRAY_LEN(off); i++) {
        parse("");
        cfg.debugport = true;
        cr_assert_eq(cmdline_parse(off[i], opts, ARRAY_LEN(opts), err, sizeof(err)), 0);
        cr_assert_not(cfg.debugport, "%s", off[i]);
    }
}

Test(cmdline, number_suffixes)
{
    cr_assert_eq(parse("mem=16M"), 0);
    cr_assert_eq(cfg.mem, 16ULL << 20);
    cr_assert_eq(parse("mem=2G"), 0);
    cr_assert_eq(cfg.mem, 2ULL << 30);
    cr_assert_eq(parse("mem=0x4k"), 0);
    cr_assert_eq(cfg.mem, 4096);
    cr_assert_eq(parse("mem=18446744073709551615"), 0);
    cr_assert_eq(cfg.mem, UINT64_MAX);
}

Test(cmdline, quoted_values)
{
    cr_assert_eq(parse("scenario=\"two words\" cpus=2"), 0);
    cr_assert_str_eq(cfg.scenario, "two words");
    cr_assert_eq(cfg.cpus, 2);
    cr_assert_eq(parse("scenario=a\"b c\"d"), 0);
    cr_assert_str_eq(cfg.scenario, "ab cd");
    cr_assert_eq(parse("scenario=\"\""), 0); /* an explicit empty string */
    cr_assert_str_eq(cfg.scenario, "");
    cr_assert_eq(parse("cpus=\"8\""), 0);
    cr_assert_eq(cfg.cpus, 8);
}

Test(cmdline, unknown_option_with_value)
{
    cr_assert_eq(parse("foo=bar"), 1);
    cr_assert_str_eq(err, "unknown option 'foo' (value 'bar')\n");
}

Test(cmdline, unknown_bare_option)
{
    cr_assert_eq(parse("verbose cpus=3"), 1);
    cr_assert_str_eq(err, "unknown option 'verbose'\n");
    cr_assert_eq(cfg.cpus, 3);
}

Test(cmdline, prefix_of_a_key_is_unknown)
{
    cr_assert_eq(parse("cpu=2 cpusx=2"), 2);
    cr_assert_str_eq(err, "unknown option 'cpu' (value '2')\nunknown option 'cpusx' (value '2')\n");
    cr_assert_eq(cfg.cpus, 1);
}

Test(cmdline, bad_numbers)
{
    static const char *const bad[] = {
        "abc", "0", "65", "4x", "0x", "-1", "+3", "1K", "99999999999999999999999", "\"\""};
    static const char *const shown[] = {
        "abc", "0", "65", "4x", "0x", "-1", "+3", "1K", "99999999999999999999999", ""};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char line[64], want[160];
        snprintf(line, sizeof(line), "cpus=%s", bad[i]);
        snprintf(want, sizeof(want),
                 "bad value '%s' for option 'cpus': expected a number from 1 to 64\n", shown[i]);
        cr_assert_eq(parse(line), 1, "%s", line);
        cr_assert_str_eq(err, want);
        cr_assert_eq(cfg.cpus, 1, "%s changed the value", line);
    }
}

Test(cmdline, number_overflowing_with_suffix)
{
    cr_assert_eq(parse("mem=0xffffffffffffffffK"), 1);
    cr_assert_str_eq(err, "bad value '0xffffffffffffffffK' for option 'mem': expected a number "
                          "from 0 to 18446744073709551615\n");
    cr_assert_eq(parse("mem=18446744073709551616"), 1);
}

Test(cmdline, bad_enum_lists_the_names)
{
    cr_assert_eq(parse("log=x"), 1);
    cr_assert_str_eq(
        err, "bad value 'x' for option 'log': expected one of: error warn info debug trace\n");
    cr_assert_eq(cfg.log, LOG_INFO);
}

Test(cmdline, bad_bool)
{
    cr_assert_eq(parse("debugport=maybe"), 1);
    cr_assert_str_eq(err, "bad value 'maybe' for option 'debugport': expected one of: on off yes "
                          "no true false 1 0\n");
    cr_assert_not(cfg.debugport);
}

Test(cmdline, given_twice_keeps_the_first)
{
    cr_assert_eq(parse("scenario=boot scenario=ept"), 1);
    cr_assert_str_eq(err, "option 'scenario' given twice\n");
    cr_assert_str_eq(cfg.scenario, "boot");
}

Test(cmdline, missing_values)
{
    cr_assert_eq(parse("cpus"), 1);
    cr_assert_str_eq(err, "missing value for option 'cpus'\n");
    cr_assert_eq(parse("cpus="), 1);
    cr_assert_str_eq(err, "missing value for option 'cpus'\n");
    cr_assert_eq(parse("scenario="), 1);
    cr_assert_str_eq(err, "missing value for option 'scenario'\n");
    cr_assert_str_eq(cfg.scenario, "none");
    cr_assert_eq(parse("debugport="), 1);
    cr_assert_str_eq(err, "missing value for option 'debugport'\n");
}

Test(cmdline, string_too_long)
{
    cr_assert_eq(parse("note=1234567"), 0);
    cr_assert_str_eq(cfg.note, "1234567");
    cr_assert_eq(parse("note=12345678"), 1);
    cr_assert_str_eq(err, "value too long for option 'note': at most 7 characters\n");
    cr_assert_str_eq(cfg.note, "");
}

Test(cmdline, unterminated_quote)
{
    cr_assert_eq(parse("cpus=2 note=\"abc log=debug"), 1);
    cr_assert_str_eq(err, "unterminated quote in value for option 'note'\n");
    cr_assert_eq(cfg.cpus, 2);
    cr_assert_eq(cfg.log, LOG_INFO, "the quote swallowed the rest of the line");
}

Test(cmdline, errors_accumulate_and_good_tokens_apply)
{
    cr_assert_eq(parse("foo=1 cpus=4 log=x debugport cpus=5 =z"), 4);
    cr_assert_str_eq(err, "unknown option 'foo' (value '1')\n"
                          "bad value 'x' for option 'log': expected one of: error warn info "
                          "debug trace\n"
                          "option 'cpus' given twice\n"
                          "unknown option '' (value 'z')\n");
    cr_assert_eq(cfg.cpus, 4);
    cr_assert(cfg.debugport);
    cr_assert_eq(cfg.log, LOG_INFO);
}

Test(cmdline, small_error_buffer_is_cut_but_counted)
{
    char small[20];
    memset(small, 'Z', sizeof(small));
    cr_assert_eq(cmdline_parse("foo bar baz", opts, ARRAY_LEN(opts), small, sizeof(small)), 3);
    cr_assert_str_eq(small, "unknown option 'foo");
    cr_assert_eq(cmdline_parse("a b", opts, ARRAY_LEN(opts), NULL, 0), 2);
}

Test(cmdline, null_destination_checks_but_stores_nothing)
{
    const struct cmdline_option sink[] = {{.key = "n", .type = CMDLINE_UINT, .max = 9}};
    cr_assert_eq(cmdline_parse("n=3", sink, 1, err, sizeof(err)), 0);
    cr_assert_eq(cmdline_parse("n=30", sink, 1, err, sizeof(err)), 1);
    cr_assert_str_eq(err, "bad value '30' for option 'n': expected a number from 0 to 9\n");
}

Test(cmdline, oversized_table_is_refused)
{
    struct cmdline_option big[CMDLINE_MAX_OPTIONS + 1];
    memset(big, 0, sizeof(big));
    for (size_t i = 0; i < ARRAY_LEN(big); i++)
        big[i].key = "k";
    cr_assert_eq(cmdline_parse("k", big, ARRAY_LEN(big), err, sizeof(err)), 1);
    cr_assert_str_eq(err, "option table has 65 entries, more than 64\n");
}

struct text {
    char buf[1024];
    size_t len;
};

static void text_putc(void *ctx, char c)
{
    struct text *t = ctx;
    if (t->len + 1 < sizeof(t->buf))
        t->buf[t->len++] = c;
    t->buf[t->len] = '\0';
}

Test(cmdline, help_lists_every_option)
{
    struct text t = {{0}, 0};
    parse("log=warn scenario=boot cpus=2 mem=1K debugport note=hi");
    cmdline_help(opts, ARRAY_LEN(opts), text_putc, &t);
    cr_assert_str_eq(t.buf, "  log        enum  error|warn|info|debug|trace, default warn\n"
                            "      least important level printed\n"
                            "  scenario   str   text of up to 15 characters, default \"boot\"\n"
                            "      scenario to run\n"
                            "  cpus       uint  1..64, default 2\n"
                            "      number of CPUs to start\n"
                            "  mem        uint  0..18446744073709551615, default 1024\n"
                            "      guest memory in bytes\n"
                            "  debugport  bool  on|off, default on\n"
                            "      enable the 0xe9 debug port\n"
                            "  note       str   text of up to 7 characters, default \"hi\"\n"
                            "      free text\n");
}

Test(cmdline, repeatable_option_may_appear_twice)
{
    char msg[256];
    const struct cmdline_option many[] = {
        {.key = "vm", .type = CMDLINE_STR, .dest.str = NULL, .repeatable = true},
        {.key = "n", .type = CMDLINE_UINT, .dest.uint = NULL, .min = 0, .max = 9},
    };
    cr_assert_eq(cmdline_parse("vm=a:mem=1M vm=b:mem=2M", many, 2, msg, sizeof(msg)), 0);
    cr_assert_eq(cmdline_parse("n=1 n=2", many, 2, msg, sizeof(msg)), 1);
    cr_assert_str_eq(msg, "option 'n' given twice\n");
}

Test(cmdline, grub_quoted_word)
{
    char msg[256];
    char name[32] = "";
    const struct cmdline_option one[] = {
        {.key = "note", .type = CMDLINE_STR, .dest.str = name, .size = sizeof(name)},
    };
    cr_assert_eq(cmdline_parse("\"note=two words\"", one, 1, msg, sizeof(msg)), 0);
    cr_assert_str_eq(name, "two words");
}

/* What GRUB makes of grub.cfg words (grub-core/lib/cmdline.c): quotes and backslashes escaped,
 * a word with blanks wrapped in quotes. cmdline_word undoes it. */
Test(cmdline, word_undoes_grub_escapes)
{
    char w[64];
    bool open = true;
    const char *p = "a=1   \"b=x y\"  c=\\\"q,r\\\"  \"d=\\\"s t\\\"\" e=\\\\ f=\"g h\"";
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 3);
    cr_assert_str_eq(w, "a=1");
    cr_assert_not(open);
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 5);
    cr_assert_str_eq(w, "b=x y");
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 7);
    cr_assert_str_eq(w, "c=\"q,r\"");
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 7);
    cr_assert_str_eq(w, "d=\"s t\"");
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 3);
    cr_assert_str_eq(w, "e=\\");
    /* a quote typed straight into the line (no GRUB): kept, and it holds blanks together */
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 7);
    cr_assert_str_eq(w, "f=\"g h\"");
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), CMDLINE_NO_WORD);
}

Test(cmdline, word_reports_open_quote_and_cuts_long_words)
{
    char w[4];
    bool open = false;
    const char *p = "k=\"abc";
    cr_assert_eq(cmdline_word(&p, w, sizeof(w), &open), 6);
    cr_assert_str_eq(w, "k=\"");
    cr_assert(open);
    p = "\"wrapped never closed";
    cmdline_word(&p, w, sizeof(w), &open);
    cr_assert(open);
}

Test(cmdline, escaped_quotes_survive_as_value_quotes)
{
    char msg[256];
    char name[32] = "";
    const struct cmdline_option one[] = {
        {.key = "note", .type = CMDLINE_STR, .dest.str = name, .size = sizeof(name)},
    };
    /* 'note="a b"' in grub.cfg single quotes reaches the kernel as "note=\"a b\"" */
    cr_assert_eq(cmdline_parse("\"note=\\\"a b\\\"\"", one, 1, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_str_eq(name, "a b");
}
