/* Unit tests for platform/mb2.c: info blocks are assembled in an aligned buffer by a small
 * builder, then parsed; malformed blocks must fail with the specific error. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "platform/mb2.h"

/* ---- builder ---- */

struct bld {
    uint64_t words[512]; /* 4 KiB, 8-byte aligned */
    size_t len;
};

static uint8_t *b_bytes(struct bld *b)
{
    return (uint8_t *)b->words;
}

static void b_put32(struct bld *b, size_t off, uint32_t v)
{
    memcpy(b_bytes(b) + off, &v, 4);
}

static void b_init(struct bld *b)
{
    memset(b, 0, sizeof(*b));
    b->len = 8;
}

/* Append a tag of 8 + plen bytes (payload copied if non-NULL), pad to 8; return its offset. */
static size_t b_tag(struct bld *b, uint32_t type, const void *payload, uint32_t plen)
{
    size_t off = b->len;
    b_put32(b, off, type);
    b_put32(b, off + 4, 8 + plen);
    if (payload != NULL)
        memcpy(b_bytes(b) + off + 8, payload, plen);
    b->len = (off + 8 + plen + 7) & ~(size_t)7;
    return off;
}

static size_t b_str(struct bld *b, uint32_t type, const char *s)
{
    return b_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

static size_t b_mmap(struct bld *b, uint32_t n, uint32_t esize, uint32_t version)
{
    uint8_t payload[8 + 16 * 32] = {0};
    memcpy(payload, &esize, 4);
    memcpy(payload + 4, &version, 4);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t base = (uint64_t)i << 20, length = 0x1000ull * (i + 1);
        uint32_t type = i + 1;
        memcpy(payload + 8 + i * esize, &base, 8);
        memcpy(payload + 8 + i * esize + 8, &length, 8);
        memcpy(payload + 8 + i * esize + 16, &type, 4);
    }
    return b_tag(b, MB2_TAG_MMAP, payload, 8 + n * esize);
}

static size_t b_module(struct bld *b, uint32_t start, uint32_t end, const char *s)
{
    uint8_t payload[64] = {0};
    memcpy(payload, &start, 4);
    memcpy(payload + 4, &end, 4);
    strcpy((char *)payload + 8, s);
    return b_tag(b, MB2_TAG_MODULE, payload, 8 + (uint32_t)strlen(s) + 1);
}

static size_t b_rsdp(struct bld *b, uint32_t type, uint32_t len, uint8_t marker)
{
    uint8_t payload[64];
    memset(payload, marker, sizeof(payload));
    memcpy(payload, "RSD PTR ", 8);
    return b_tag(b, type, payload, len);
}

/* Append the end tag and set total_size. */
static void b_end(struct bld *b)
{
    b_tag(b, MB2_TAG_END, NULL, 0);
    b_put32(b, 0, (uint32_t)b->len);
}

/* ---- parse helper ---- */

static struct mb2_mmap_entry g_mmap[8];
static struct mb2_module g_mods[4];
static char g_msg[160];

static int parse_n(struct bld *b, struct mb2_info *info, size_t mmap_cap, size_t mod_cap)
{
    memset(info, 0, sizeof(*info));
    memset(g_mmap, 0, sizeof(g_mmap));
    memset(g_mods, 0, sizeof(g_mods));
    info->mmap = g_mmap;
    info->mmap_cap = mmap_cap;
    info->modules = g_mods;
    info->modules_cap = mod_cap;
    return mb2_parse(b->words, b->len, info, g_msg, sizeof(g_msg));
}

static int parse(struct bld *b, struct mb2_info *info)
{
    return parse_n(b, info, 8, 4);
}

/* builder with a valid memory map and then the caller's tags */
static void b_init_mmap(struct bld *b)
{
    b_init(b);
    b_mmap(b, 3, 24, 0);
}

/* ---- magic ---- */

Test(mb2, magic_accepts_only_mb2_value)
{
    cr_assert_eq(mb2_check_magic(0x36d76289u), MB2_OK);
    cr_assert_eq(mb2_check_magic(0x2badb002u), MB2_ERR_BAD_MAGIC); /* Multiboot 1 */
    cr_assert_eq(mb2_check_magic(0), MB2_ERR_BAD_MAGIC);
}

/* ---- valid blocks ---- */

Test(mb2, all_tags)
{
    struct bld b;
    struct mb2_info info;
    uint32_t meminfo[2] = {639, 261120};

    b_init(&b);
    b_str(&b, MB2_TAG_CMDLINE, "scenario=3-1 cpus=2");
    b_str(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    b_tag(&b, MB2_TAG_MEMINFO, meminfo, 8);
    b_mmap(&b, 3, 24, 0);
    b_module(&b, 0x200000, 0x201000, "guest.bin");
    b_module(&b, 0x300000, 0x300000, "");
    b_tag(&b, MB2_TAG_FRAMEBUFFER, NULL, 24);
    b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, 0x11);
    b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, 0x22);
    b_end(&b);

    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.total_size, b.len);
    cr_assert_str_eq(info.cmdline, "scenario=3-1 cpus=2");
    cr_assert_str_eq(info.loader_name, "GRUB 2.06");
    cr_assert(info.has_meminfo);
    cr_assert_eq(info.mem_lower_kb, 639);
    cr_assert_eq(info.mem_upper_kb, 261120);
    cr_assert_eq(info.mmap_count, 3);
    cr_assert_eq(info.mmap_total, 3);
    cr_assert_not(info.mmap_overflow);
    cr_assert_eq(g_mmap[2].base, 2ull << 20);
    cr_assert_eq(g_mmap[2].length, 0x3000);
    cr_assert_eq(g_mmap[2].type, 3);
    cr_assert_eq(info.modules_count, 2);
    cr_assert_eq(g_mods[0].start, 0x200000);
    cr_assert_eq(g_mods[0].end, 0x201000);
    cr_assert_str_eq(g_mods[0].cmdline, "guest.bin");
    cr_assert_str_eq(g_mods[1].cmdline, "");
    cr_assert(info.has_framebuffer);
    cr_assert(info.rsdp_is_new);
    cr_assert_eq(info.rsdp_len, 36);
    cr_assert_eq(((const uint8_t *)info.rsdp)[20], 0x22);
    cr_assert_eq(memcmp(info.rsdp, "RSD PTR ", 8), 0);
    cr_assert_eq(info.unknown_tags, 0);
}

Test(mb2, minimal_block)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_mmap(&b, 1, 24, 0);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.total_size, 8 + 16 + 24 + 8);
    cr_assert_null(info.cmdline);
    cr_assert_null(info.loader_name);
    cr_assert_null(info.rsdp);
    cr_assert_not(info.has_meminfo);
    cr_assert_not(info.has_framebuffer);
    cr_assert_eq(info.modules_count, 0);
    cr_assert_eq(info.mmap_count, 1);
    cr_assert_eq(g_mmap[0].type, 1);
}

Test(mb2, unknown_tags_skipped_with_padding)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_tag(&b, 21, NULL, 4);  /* load base address, size 12 -> padded to 16 */
    b_tag(&b, 99, NULL, 13); /* invented type, size 21 -> padded to 24 */
    b_mmap(&b, 2, 24, 0);
    b_str(&b, MB2_TAG_CMDLINE, "abc"); /* size 12 */
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.unknown_tags, 2);
    cr_assert_eq(info.mmap_count, 2);
    cr_assert_str_eq(info.cmdline, "abc");
}

Test(mb2, framebuffer_recognised_not_unknown)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_FRAMEBUFFER, NULL, 30);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert(info.has_framebuffer);
    cr_assert_eq(info.unknown_tags, 0);
}

Test(mb2, old_rsdp_only)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, 0x33);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_not_null(info.rsdp);
    cr_assert_not(info.rsdp_is_new);
    cr_assert_eq(info.rsdp_len, 20);
    cr_assert_eq(((const uint8_t *)info.rsdp)[19], 0x33);
}

Test(mb2, new_rsdp_preferred_even_when_first)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, 0x22);
    b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, 0x11);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert(info.rsdp_is_new);
    cr_assert_eq(((const uint8_t *)info.rsdp)[10], 0x22);
}

Test(mb2, mmap_overflow_keeps_first_entries)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_mmap(&b, 5, 24, 0);
    b_end(&b);
    cr_assert_eq(parse_n(&b, &info, 2, 4), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.mmap_count, 2);
    cr_assert_eq(info.mmap_total, 5);
    cr_assert(info.mmap_overflow);
    cr_assert_eq(g_mmap[1].base, 1ull << 20);
    cr_assert_eq(g_mmap[2].length, 0, "entry past capacity must not be written");
}

Test(mb2, module_overflow)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_module(&b, 0x1000, 0x2000, "a");
    b_module(&b, 0x3000, 0x4000, "b");
    b_end(&b);
    cr_assert_eq(parse_n(&b, &info, 8, 1), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.modules_count, 1);
    cr_assert_eq(info.modules_total, 2);
    cr_assert(info.modules_overflow);
    cr_assert_str_eq(g_mods[0].cmdline, "a");
}

Test(mb2, larger_mmap_entry_size)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_mmap(&b, 3, 32, 0); /* future, larger entries stay readable */
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.mmap_count, 3);
    cr_assert_eq(g_mmap[2].base, 2ull << 20);
    cr_assert_eq(g_mmap[2].type, 3);
}

Test(mb2, reserved_field_ignored_and_generous_bound)
{
    struct bld b;
    struct mb2_info info = {0}; /* mmap/modules arrays are inputs: none here */

    b_init_mmap(&b);
    b_end(&b);
    b_put32(&b, 4, 0xdeadbeef);
    memset(g_msg, 'x', sizeof(g_msg));
    int rc = mb2_parse(b.words, sizeof(b.words), &info, g_msg, sizeof(g_msg));
    cr_assert_eq(rc, MB2_OK, "%s", g_msg);
    cr_assert_eq(info.total_size, b.len);
    cr_assert_str_eq(g_msg, "", "message must be cleared on success");
}

Test(mb2, null_message_buffer_tolerated)
{
    struct bld b;
    struct mb2_info info = {0};

    b_init(&b);
    b_end(&b);
    cr_assert_eq(mb2_parse(b.words, b.len, &info, NULL, 0), MB2_ERR_NO_MMAP);
}

Test(mb2, message_truncated_to_buffer)
{
    struct bld b;
    struct mb2_info info = {0};
    char small[8];

    b_init(&b);
    b_end(&b);
    memset(small, 'x', sizeof(small));
    cr_assert_eq(mb2_parse(b.words, b.len, &info, small, sizeof(small)), MB2_ERR_NO_MMAP);
    cr_assert_eq(strlen(small), 7);
    cr_assert_eq(strncmp(small, "no memo", 7), 0);
}

Test(mb2, error_strings_distinct)
{
    for (int e = MB2_OK; e >= MB2_ERR_LAST; e--) {
        const char *s = mb2_error_str(e);
        cr_assert_not_null(s);
        cr_assert_str_neq(s, "unknown error", "code %d has no text", e);
        for (int f = e - 1; f >= MB2_ERR_LAST; f--)
            cr_assert_str_neq(s, mb2_error_str(f), "codes %d and %d share text", e, f);
    }
    cr_assert_str_eq(mb2_error_str(MB2_ERR_LAST - 1), "unknown error");
    cr_assert_str_eq(mb2_error_str(5), "unknown error");
}

/* ---- malformed blocks ---- */

#define EXPECT_ERR(b, err)                                                                         \
    do {                                                                                           \
        struct mb2_info info_;                                                                     \
        int rc_ = parse((b), &info_);                                                              \
        cr_assert_eq(rc_, (err), "got %d (%s): %s", rc_, mb2_error_str(rc_), g_msg);               \
        cr_assert_neq(g_msg[0], '\0', "detail message must be filled");                            \
    } while (0)

Test(mb2_bad, null_info)
{
    struct mb2_info info = {0};
    cr_assert_eq(mb2_parse(NULL, 64, &info, g_msg, sizeof(g_msg)), MB2_ERR_BAD_ARG);
}

Test(mb2_bad, bound_below_fixed_part)
{
    struct bld b;
    struct mb2_info info = {0};

    b_init_mmap(&b);
    b_end(&b);
    cr_assert_eq(mb2_parse(b.words, 4, &info, g_msg, sizeof(g_msg)), MB2_ERR_BAD_ARG);
}

Test(mb2_bad, misaligned_pointer)
{
    struct bld b;
    struct mb2_info info = {0};

    b_init_mmap(&b);
    b_end(&b);
    cr_assert_eq(mb2_parse(b_bytes(&b) + 4, b.len, &info, g_msg, sizeof(g_msg)),
                 MB2_ERR_MISALIGNED);
    cr_assert_not_null(strstr(g_msg, "aligned"));
}

Test(mb2_bad, total_size_below_8)
{
    struct bld b;

    b_init_mmap(&b);
    b_end(&b);
    b_put32(&b, 0, 4);
    EXPECT_ERR(&b, MB2_ERR_TOTAL_TOO_SMALL);
}

Test(mb2_bad, total_size_zero)
{
    struct bld b;

    b_init_mmap(&b);
    b_end(&b);
    b_put32(&b, 0, 0);
    EXPECT_ERR(&b, MB2_ERR_TOTAL_TOO_SMALL);
}

Test(mb2_bad, total_size_beyond_bound)
{
    struct bld b;

    b_init_mmap(&b);
    b_end(&b);
    b_put32(&b, 0, (uint32_t)b.len + 8);
    EXPECT_ERR(&b, MB2_ERR_TOTAL_TOO_LARGE);
    cr_assert_not_null(strstr(g_msg, "readable"));
}

Test(mb2_bad, tag_size_below_8)
{
    struct bld b;

    b_init_mmap(&b);
    size_t off = b_str(&b, MB2_TAG_CMDLINE, "hello");
    b_end(&b);
    b_put32(&b, off + 4, 4);
    EXPECT_ERR(&b, MB2_ERR_TAG_TOO_SMALL);
}

Test(mb2_bad, tag_size_zero)
{
    struct bld b;

    b_init(&b);
    b_tag(&b, 77, NULL, 0);
    b_end(&b);
    b_put32(&b, 12, 0);
    EXPECT_ERR(&b, MB2_ERR_TAG_TOO_SMALL);
    cr_assert_not_null(strstr(g_msg, "offset 8"), "%s", g_msg);
}

Test(mb2_bad, tag_runs_past_total)
{
    struct bld b;

    b_init_mmap(&b);
    size_t off = b_str(&b, MB2_TAG_CMDLINE, "hello");
    b_end(&b);
    b_put32(&b, off + 4, 64);
    EXPECT_ERR(&b, MB2_ERR_TAG_OVERRUN);
}

Test(mb2_bad, tag_size_huge_no_wraparound)
{
    struct bld b;

    b_init_mmap(&b);
    size_t off = b_tag(&b, 50, NULL, 0);
    b_end(&b);
    b_put32(&b, off + 4, 0xfffffff9u);
    EXPECT_ERR(&b, MB2_ERR_TAG_OVERRUN);
}

Test(mb2_bad, padding_runs_past_total)
{
    struct bld b;

    b_init_mmap(&b);
    size_t off = b_tag(&b, 50, NULL, 4); /* size 12: fits, its padding does not */
    b_put32(&b, 0, (uint32_t)off + 12);
    b.len = off + 16;
    EXPECT_ERR(&b, MB2_ERR_TAG_PADDING);
}

Test(mb2_bad, no_end_tag)
{
    struct bld b;

    b_init_mmap(&b);
    b_put32(&b, 0, (uint32_t)b.len);
    EXPECT_ERR(&b, MB2_ERR_NO_END_TAG);
}

Test(mb2_bad, header_only)
{
    struct bld b;

    b_init(&b);
    b_put32(&b, 0, 8);
    EXPECT_ERR(&b, MB2_ERR_NO_END_TAG);
}

Test(mb2_bad, end_tag_wrong_size)
{
    struct bld b;

    b_init_mmap(&b);
    size_t off = b.len;
    b_end(&b);
    b_put32(&b, off + 4, 16);
    b.len += 8;
    b_put32(&b, 0, (uint32_t)b.len);
    EXPECT_ERR(&b, MB2_ERR_END_TAG_SIZE);
}

Test(mb2_bad, end_tag_not_last)
{
    struct bld b;

    b_init_mmap(&b);
    b_end(&b);
    b_str(&b, MB2_TAG_CMDLINE, "after end");
    b_put32(&b, 0, (uint32_t)b.len);
    EXPECT_ERR(&b, MB2_ERR_END_NOT_LAST);
}

Test(mb2_bad, cmdline_not_terminated)
{
    struct bld b;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_CMDLINE, "abcd", 4);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_UNTERMINATED);
    cr_assert_not_null(strstr(g_msg, "command line"));
}

Test(mb2_bad, cmdline_empty_tag)
{
    struct bld b;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_CMDLINE, NULL, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_UNTERMINATED);
}

Test(mb2_bad, loader_name_not_terminated)
{
    struct bld b;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_LOADER_NAME, "GRUB", 4); /* NUL in the padding does not count */
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_UNTERMINATED);
    cr_assert_not_null(strstr(g_msg, "loader"));
}

Test(mb2_bad, module_cmdline_not_terminated)
{
    struct bld b;
    uint32_t payload[3] = {0x1000, 0x2000, 0x41414141};

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_MODULE, payload, 12);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_UNTERMINATED);
    cr_assert_not_null(strstr(g_msg, "module"));
}

Test(mb2_bad, module_too_short)
{
    struct bld b;
    uint32_t start = 0x1000;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_MODULE, &start, 4);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_TAG_SHORT);
}

Test(mb2_bad, module_end_before_start)
{
    struct bld b;

    b_init_mmap(&b);
    b_module(&b, 0x5000, 0x4fff, "guest");
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MODULE_RANGE);
    cr_assert_not_null(strstr(g_msg, "0x4fff"), "%s", g_msg);
}

Test(mb2_bad, mmap_entry_size_too_small)
{
    struct bld b;

    b_init(&b);
    b_mmap(&b, 2, 16, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MMAP_ENTRY_SIZE);
}

Test(mb2_bad, mmap_entry_size_not_multiple_of_8)
{
    struct bld b;

    b_init(&b);
    b_mmap(&b, 2, 28, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MMAP_ENTRY_SIZE);
}

Test(mb2_bad, mmap_entry_size_zero)
{
    struct bld b;

    b_init(&b);
    size_t off = b_mmap(&b, 1, 24, 0);
    b_put32(&b, off + 8, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MMAP_ENTRY_SIZE);
}

Test(mb2_bad, mmap_version_not_zero)
{
    struct bld b;

    b_init(&b);
    b_mmap(&b, 2, 24, 1);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MMAP_VERSION);
}

Test(mb2_bad, mmap_entries_do_not_fit)
{
    struct bld b;

    b_init(&b);
    size_t off = b_mmap(&b, 2, 24, 0);
    b_put32(&b, off + 4, 16 + 24 + 16); /* one and two thirds entries */
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_MMAP_ENTRIES);
}

Test(mb2_bad, mmap_tag_too_short)
{
    struct bld b;
    uint32_t esize = 24;

    b_init(&b);
    b_tag(&b, MB2_TAG_MMAP, &esize, 4);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_TAG_SHORT);
}

Test(mb2_bad, duplicate_cmdline)
{
    struct bld b;

    b_init_mmap(&b);
    b_str(&b, MB2_TAG_CMDLINE, "one");
    b_str(&b, MB2_TAG_CMDLINE, "two");
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_DUPLICATE_TAG);
    cr_assert_not_null(strstr(g_msg, "command line"));
}

Test(mb2_bad, duplicate_mmap)
{
    struct bld b;

    b_init_mmap(&b);
    b_mmap(&b, 1, 24, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_DUPLICATE_TAG);
    cr_assert_not_null(strstr(g_msg, "memory map"));
}

Test(mb2_bad, meminfo_too_short)
{
    struct bld b;
    uint32_t lower = 639;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_MEMINFO, &lower, 4);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_TAG_SHORT);
}

Test(mb2_bad, old_rsdp_too_short)
{
    struct bld b;

    b_init_mmap(&b);
    b_rsdp(&b, MB2_TAG_ACPI_OLD, 16, 0);
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_RSDP_SHORT);
}

Test(mb2_bad, new_rsdp_too_short)
{
    struct bld b;

    b_init_mmap(&b);
    b_rsdp(&b, MB2_TAG_ACPI_NEW, 20, 0); /* a v1-sized copy in the v2 tag */
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_RSDP_SHORT);
    cr_assert_not_null(strstr(g_msg, "new"));
}

Test(mb2_bad, missing_mmap)
{
    struct bld b;

    b_init(&b);
    b_str(&b, MB2_TAG_CMDLINE, "x");
    b_end(&b);
    EXPECT_ERR(&b, MB2_ERR_NO_MMAP);
}

Test(mb2_bad, mmap_entries_beyond_block_rejected_before_copy)
{
    struct bld b;

    b_init(&b);
    size_t off = b_mmap(&b, 1, 24, 0);
    b_end(&b);
    b_put32(&b, off + 4, 16 + 24 * 4); /* claims 4 entries, block holds 1 */
    EXPECT_ERR(&b, MB2_ERR_TAG_OVERRUN);
    cr_assert_eq(g_mmap[0].length, 0, "nothing may be copied from a tag that overruns");
}

/* ---- UEFI: EFI memory map (tag 17), system table pointers (11, 12), boot services (18) ---- */

#include "platform/mb2_efi.h"

struct efi_desc {
    uint32_t type;
    uint64_t start, pages;
};

/* An EFI memory-map tag with descriptors of `dsize` bytes (>= 40; the rest zero-padded). */
static size_t b_efi_mmap(struct bld *b, const struct efi_desc *d, uint32_t n, uint32_t dsize,
                         uint32_t version)
{
    uint8_t payload[8 + 16 * 64] = {0};
    memcpy(payload, &dsize, 4);
    memcpy(payload + 4, &version, 4);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = payload + 8 + i * dsize;
        uint64_t virt = 0xdead0000, attr = 0xf; /* UC|WC|WT|WB: ignored by the parser */
        memcpy(e, &d[i].type, 4);
        memcpy(e + 8, &d[i].start, 8);
        memcpy(e + 16, &virt, 8);
        memcpy(e + 24, &d[i].pages, 8);
        memcpy(e + 32, &attr, 8);
    }
    return b_tag(b, MB2_TAG_EFI_MMAP, payload, 8 + n * dsize);
}

static size_t b_efi_systab(struct bld *b, bool is_64, uint64_t addr)
{
    if (is_64)
        return b_tag(b, MB2_TAG_EFI64, &addr, 8);
    uint32_t a32 = (uint32_t)addr;
    return b_tag(b, MB2_TAG_EFI32, &a32, 4);
}

/* OVMF-like: low RAM, boot services data next to conventional memory (one usable run), ACPI
 * tables, NVS, runtime data, an empty descriptor and MMIO (flash). */
static const struct efi_desc ovmf_like[] = {
    {EFI_CONVENTIONAL_MEMORY, 0x0, 0xa0},        {EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700},
    {EFI_BOOT_SERVICES_DATA, 0x800000, 0x6},     {EFI_LOADER_DATA, 0x806000, 0x2},
    {EFI_ACPI_MEMORY_NVS, 0x808000, 0x8},        {EFI_ACPI_RECLAIM_MEMORY, 0x810000, 0x12},
    {EFI_RUNTIME_SERVICES_DATA, 0x822000, 0x10}, {EFI_CONVENTIONAL_MEMORY, 0x832000, 0},
    {EFI_RUNTIME_SERVICES_CODE, 0x832000, 0x4},  {EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400},
};
#define OVMF_N (sizeof(ovmf_like) / sizeof(ovmf_like[0]))

Test(mb2_efi, efi_map_used_when_no_mmap_tag)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_str(&b, MB2_TAG_CMDLINE, "scenario=boot");
    b_efi_systab(&b, true, 0xf5eb018);
    b_efi_mmap(&b, ovmf_like, OVMF_N, 48, 1);
    b_end(&b);

    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert(info.mmap_from_efi);
    cr_assert(info.has_efi_mmap);
    cr_assert_eq(info.efi_desc_count, OVMF_N);
    cr_assert_eq(info.efi_desc_size, 48);
    cr_assert_eq(info.efi_desc_version, 1);
    /* runs: [0,0xa0000) usable; [0x100000,0x808000) usable (conventional + boot services +
     * loader data); NVS; ACPI; runtime data + code as one reserved run; MMIO reserved */
    cr_assert_eq(info.mmap_count, 6);
    cr_assert_eq(info.mmap_total, 6);
    cr_assert_not(info.mmap_overflow);
    cr_assert_eq(g_mmap[0].base, 0);
    cr_assert_eq(g_mmap[0].length, 0xa0000);
    cr_assert_eq(g_mmap[0].type, MB2_MMAP_AVAILABLE);
    cr_assert_eq(g_mmap[1].base, 0x100000);
    cr_assert_eq(g_mmap[1].length, 0x708000);
    cr_assert_eq(g_mmap[1].type, MB2_MMAP_AVAILABLE);
    cr_assert_eq(g_mmap[2].type, MB2_MMAP_NVS);
    cr_assert_eq(g_mmap[2].length, 0x8000);
    cr_assert_eq(g_mmap[3].type, MB2_MMAP_ACPI);
    cr_assert_eq(g_mmap[3].base, 0x810000);
    cr_assert_eq(g_mmap[4].type, 2);
    cr_assert_eq(g_mmap[4].base, 0x822000);
    cr_assert_eq(g_mmap[4].length, 0x14000);
    cr_assert_eq(g_mmap[5].base, 0xffc00000);
    cr_assert_eq(g_mmap[5].length, 0x400000);
    cr_assert_eq(g_mmap[5].type, 2);
    cr_assert_eq(info.efi_systab, 0xf5eb018);
    cr_assert(info.efi_systab_is_64);
    cr_assert(mb2_booted_by_efi(&info));
}

Test(mb2_efi, mmap_tag_wins_over_efi_map)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_mmap(&b, ovmf_like, OVMF_N, 40, 1); /* before tag 6: order must not matter */
    b_mmap(&b, 3, 24, 0);
    b_end(&b);

    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_not(info.mmap_from_efi);
    cr_assert(info.has_efi_mmap);
    cr_assert_not_null(info.efi_mmap);
    cr_assert_eq(info.efi_desc_count, OVMF_N);
    cr_assert_eq(info.mmap_count, 3);
    cr_assert_eq(g_mmap[2].type, 3); /* the tag 6 entries */

    /* bootinfo=efi: the caller converts the EFI map afterwards, replacing tag 6's entries */
    mb2_efi_mmap_convert(info.efi_mmap, info.efi_mmap_size, &info);
    cr_assert(info.mmap_from_efi);
    cr_assert_eq(info.mmap_count, 6);
    cr_assert_eq(g_mmap[1].length, 0x708000);
}

Test(mb2_efi, efi_map_overflow_counts_all_runs)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_mmap(&b, ovmf_like, OVMF_N, 48, 1);
    b_end(&b);

    cr_assert_eq(parse_n(&b, &info, 2, 4), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.mmap_count, 2);
    cr_assert_eq(info.mmap_total, 6);
    cr_assert(info.mmap_overflow);
    cr_assert_eq(g_mmap[1].length, 0x708000); /* the stored runs are complete */
}

Test(mb2_efi, adjacent_same_type_only_merged)
{
    struct bld b;
    struct mb2_info info;
    const struct efi_desc d[] = {
        {EFI_CONVENTIONAL_MEMORY, 0x100000, 0x10},
        {EFI_CONVENTIONAL_MEMORY, 0x200000, 0x10}, /* a gap: a new run */
        {EFI_UNUSABLE_MEMORY, 0x210000, 0x1},
        {EFI_PERSISTENT_MEMORY, 0x211000, 0x1},
        {EFI_UNACCEPTED_MEMORY, 0x212000, 0x1},
    };

    b_init(&b);
    b_efi_mmap(&b, d, 5, 40, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.mmap_count, 4);
    cr_assert_eq(g_mmap[0].length, 0x10000);
    cr_assert_eq(g_mmap[1].base, 0x200000);
    cr_assert_eq(g_mmap[2].type, MB2_MMAP_BADRAM);
    cr_assert_eq(g_mmap[3].base, 0x211000); /* persistent + unaccepted: one reserved run */
    cr_assert_eq(g_mmap[3].length, 0x2000);
    cr_assert_eq(g_mmap[3].type, 2);
}

Test(mb2_efi, type_conversion_table)
{
    cr_assert_eq(mb2_efi_mmap_type(EFI_RESERVED_MEMORY_TYPE), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_LOADER_CODE), MB2_MMAP_AVAILABLE);
    cr_assert_eq(mb2_efi_mmap_type(EFI_LOADER_DATA), MB2_MMAP_AVAILABLE);
    cr_assert_eq(mb2_efi_mmap_type(EFI_BOOT_SERVICES_CODE), MB2_MMAP_AVAILABLE);
    cr_assert_eq(mb2_efi_mmap_type(EFI_BOOT_SERVICES_DATA), MB2_MMAP_AVAILABLE);
    cr_assert_eq(mb2_efi_mmap_type(EFI_RUNTIME_SERVICES_CODE), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_RUNTIME_SERVICES_DATA), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_CONVENTIONAL_MEMORY), MB2_MMAP_AVAILABLE);
    cr_assert_eq(mb2_efi_mmap_type(EFI_UNUSABLE_MEMORY), MB2_MMAP_BADRAM);
    cr_assert_eq(mb2_efi_mmap_type(EFI_ACPI_RECLAIM_MEMORY), MB2_MMAP_ACPI);
    cr_assert_eq(mb2_efi_mmap_type(EFI_ACPI_MEMORY_NVS), MB2_MMAP_NVS);
    cr_assert_eq(mb2_efi_mmap_type(EFI_MEMORY_MAPPED_IO), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_MEMORY_MAPPED_IO_PORT), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_PAL_CODE), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_PERSISTENT_MEMORY), 2);
    cr_assert_eq(mb2_efi_mmap_type(EFI_UNACCEPTED_MEMORY), 2);
    cr_assert_eq(mb2_efi_mmap_type(0x80000000u), 2); /* OEM range */
}

Test(mb2_efi, future_descriptor_version_accepted_and_recorded)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_mmap(&b, ovmf_like, 2, 48, 2);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.efi_desc_version, 2);
    cr_assert_eq(info.mmap_count, 2);
}

Test(mb2_efi, system_table_pointers)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_efi_systab(&b, false, 0x7f00018);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.efi_systab, 0x7f00018);
    cr_assert_not(info.efi_systab_is_64);
    cr_assert(mb2_booted_by_efi(&info));
    cr_assert_not(info.has_efi_mmap);

    b_init_mmap(&b); /* both: the 64-bit one wins, whatever the order */
    b_efi_systab(&b, true, 0x1234567890ull);
    b_efi_systab(&b, false, 0x7f00018);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(info.efi_systab, 0x1234567890ull);
    cr_assert(info.efi_systab_is_64);
}

Test(mb2_efi, boot_services_tag_and_bios_boot)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_not(mb2_booted_by_efi(&info));
    cr_assert_null(info.efi_mmap);
    cr_assert_eq(info.efi_systab, 0);

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_EFI_BS, NULL, 0);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert(info.efi_boot_services);
    cr_assert(mb2_booted_by_efi(&info));
    cr_assert_eq(info.unknown_tags, 0);
}

Test(mb2_efi, old_rsdp_kept_beside_new)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, 0x11);
    b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, 0x22);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert(info.rsdp_is_new);
    cr_assert_eq(((const uint8_t *)info.rsdp)[19], 0x22);
    cr_assert_not_null(info.rsdp_old);
    cr_assert_eq(info.rsdp_old_len, 20);
    cr_assert_eq(((const uint8_t *)info.rsdp_old)[19], 0x11);
}

/* ---- malformed EFI tags ---- */

Test(mb2_efi_bad, descriptor_size_too_small)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_mmap(&b, ovmf_like, 2, 32, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_EFI_DESC_SIZE);
    cr_assert_not_null(strstr(g_msg, "descriptor_size 32"), "%s", g_msg);
}

Test(mb2_efi_bad, descriptors_do_not_fill_tag)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    size_t off = b_efi_mmap(&b, ovmf_like, 2, 48, 1);
    b_put32(&b, off + 4, 16 + 2 * 48 - 8); /* size cuts the second descriptor short */
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_EFI_ENTRIES);
    cr_assert_not_null(strstr(g_msg, "not a multiple of descriptor_size 48"), "%s", g_msg);
}

Test(mb2_efi_bad, tag_shorter_than_header)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_EFI_MMAP, NULL, 4);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_TAG_SHORT);
    cr_assert_not_null(strstr(g_msg, "EFI memory map"), "%s", g_msg);
}

Test(mb2_efi_bad, misaligned_descriptor)
{
    struct bld b;
    struct mb2_info info;
    const struct efi_desc d[] = {{EFI_CONVENTIONAL_MEMORY, 0x100000, 1},
                                 {EFI_CONVENTIONAL_MEMORY, 0x200800, 1}};

    b_init(&b);
    b_efi_mmap(&b, d, 2, 40, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_EFI_RANGE);
    cr_assert_not_null(strstr(g_msg, "descriptor 1 starts at 0x200800"), "%s", g_msg);
}

Test(mb2_efi_bad, descriptor_past_top_of_address_space)
{
    struct bld b;
    struct mb2_info info;
    const struct efi_desc wrap[] = {{EFI_RESERVED_MEMORY_TYPE, 0xfffffffffff00000ull, 0x100}};
    const struct efi_desc fits[] = {{EFI_RESERVED_MEMORY_TYPE, 0xffffffffff000000ull, 0xfff}};

    b_init(&b);
    b_efi_mmap(&b, wrap, 1, 40, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_EFI_RANGE);
    cr_assert_not_null(strstr(g_msg, "runs past the end"), "%s", g_msg);

    b_init(&b);
    b_efi_mmap(&b, fits, 1, 40, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_OK, "%s", g_msg);
    cr_assert_eq(g_mmap[0].base + g_mmap[0].length, 0xfffffffffffff000ull);
}

Test(mb2_efi_bad, checked_even_when_mmap_tag_present)
{
    struct bld b;
    struct mb2_info info;

    b_init_mmap(&b);
    b_efi_mmap(&b, ovmf_like, 2, 24, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_EFI_DESC_SIZE);
}

Test(mb2_efi_bad, duplicates)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_mmap(&b, ovmf_like, 2, 40, 1);
    b_efi_mmap(&b, ovmf_like, 2, 40, 1);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_DUPLICATE_TAG);
    cr_assert_not_null(strstr(g_msg, "second EFI memory map tag"), "%s", g_msg);

    b_init_mmap(&b);
    b_efi_systab(&b, true, 0x1000);
    b_efi_systab(&b, true, 0x2000);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_DUPLICATE_TAG);

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_EFI_BS, NULL, 0);
    b_tag(&b, MB2_TAG_EFI_BS, NULL, 0);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_DUPLICATE_TAG);
}

Test(mb2_efi_bad, system_table_tags_too_short)
{
    struct bld b;
    struct mb2_info info;
    uint32_t a32 = 0x1000;

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_EFI64, &a32, 4); /* a 64-bit pointer tag with 4 bytes */
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_TAG_SHORT);
    cr_assert_not_null(strstr(g_msg, "EFI 64-bit system table"), "%s", g_msg);

    b_init_mmap(&b);
    b_tag(&b, MB2_TAG_EFI32, NULL, 0);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_TAG_SHORT);
}

Test(mb2_efi_bad, neither_map)
{
    struct bld b;
    struct mb2_info info;

    b_init(&b);
    b_efi_systab(&b, true, 0x1000);
    b_end(&b);
    cr_assert_eq(parse(&b, &info), MB2_ERR_NO_MMAP);
    cr_assert_not_null(strstr(g_msg, "nor EFI memory map tag (type 17)"), "%s", g_msg);
}
