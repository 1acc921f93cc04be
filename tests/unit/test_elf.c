/* Unit tests for vm/elf.c: ELF32 and ELF64 executables are assembled in a buffer, parsed,
 * and each malformation must fail with its own error code and a message naming it. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "vm/elf.h"

#define EIMG_MAX 0x4000

struct eimg {
    uint8_t b[EIMG_MAX];
    size_t len;
    unsigned bits;
};

static void e_put16(struct eimg *e, size_t off, uint16_t v)
{
    memcpy(e->b + off, &v, 2);
}

static void e_put32(struct eimg *e, size_t off, uint32_t v)
{
    memcpy(e->b + off, &v, 4);
}

static void e_put64(struct eimg *e, size_t off, uint64_t v)
{
    memcpy(e->b + off, &v, 8);
}

static size_t e_phoff(const struct eimg *e)
{
    return e->bits == 32 ? 52 : 64;
}

static size_t e_phsize(const struct eimg *e)
{
    return e->bits == 32 ? 32 : 56;
}

/* ELF header of an x86 executable with nph program headers right after it. */
static void e_init(struct eimg *e, unsigned bits, uint64_t entry, uint16_t nph)
{
    memset(e, 0, sizeof(*e));
    e->bits = bits;
    e->len = 0x3000;
    memcpy(e->b,
           "\x7f"
           "ELF",
           4);
    e->b[4] = bits == 32 ? 1 : 2;
    e->b[5] = 1;
    e->b[6] = 1;
    e_put16(e, 16, 2);                   /* ET_EXEC */
    e_put16(e, 18, bits == 32 ? 3 : 62); /* EM_386 / EM_X86_64 */
    e_put32(e, 20, 1);                   /* e_version */
    if (bits == 32) {
        e_put32(e, 24, (uint32_t)entry);
        e_put32(e, 28, 52); /* e_phoff */
        e_put16(e, 40, 52); /* e_ehsize */
        e_put16(e, 42, 32); /* e_phentsize */
        e_put16(e, 44, nph);
    } else {
        e_put64(e, 24, entry);
        e_put64(e, 32, 64);
        e_put16(e, 52, 64);
        e_put16(e, 54, 56);
        e_put16(e, 56, nph);
    }
}

static void e_ph(struct eimg *e, unsigned i, uint32_t type, uint64_t off, uint64_t vaddr,
                 uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    size_t p = e_phoff(e) + i * e_phsize(e);
    e_put32(e, p, type);
    if (e->bits == 32) {
        e_put32(e, p + 4, (uint32_t)off);
        e_put32(e, p + 8, (uint32_t)vaddr);
        e_put32(e, p + 12, (uint32_t)paddr);
        e_put32(e, p + 16, (uint32_t)filesz);
        e_put32(e, p + 20, (uint32_t)memsz);
        e_put32(e, p + 24, 5);
    } else {
        e_put32(e, p + 4, 5);
        e_put64(e, p + 8, off);
        e_put64(e, p + 16, vaddr);
        e_put64(e, p + 24, paddr);
        e_put64(e, p + 32, filesz);
        e_put64(e, p + 40, memsz);
    }
}

/* Two PT_LOADs and a PT_NOTE: text at 1 MiB, data + bss after it. */
static void e_std(struct eimg *e, unsigned bits)
{
    e_init(e, bits, 0x100010, 3);
    e_ph(e, 0, 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800);
    e_ph(e, 1, 4, 0x200, 0, 0, 0x10, 0x10); /* PT_NOTE: ignored */
    e_ph(e, 2, 1, 0x2000, 0x101000, 0x101000, 0x100, 0x1000);
}

static char msg[256];
static struct elf_info info;
static struct elf_segment segs[8];

static int parse(struct eimg *e, uint64_t limit)
{
    memset(msg, 0, sizeof(msg));
    return elf_parse(e->b, e->len, limit, &info, segs, 8, msg, sizeof(msg));
}

#define EXPECT_ERR(call, code, text)                                                               \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        cr_assert_eq(rc_, code, "rc %d (%s), msg: %s", rc_, elf_error_str(rc_), msg);              \
        cr_assert(strstr(msg, text) != NULL, "message \"%s\" lacks \"%s\"", msg, text);            \
    } while (0)

Test(elf, elf32_two_segments)
{
    struct eimg e;
    e_std(&e, 32);
    cr_assert_eq(parse(&e, UINT64_MAX), ELF_OK, "%s", msg);
    cr_assert_eq(info.bits, 32);
    cr_assert_eq(info.machine, ELF_EM_386);
    cr_assert_eq(info.nsegs, 2);
    cr_assert_eq(segs[0].lma, 0x100000);
    cr_assert_eq(segs[0].filesz, 0x800);
    cr_assert_eq(segs[1].offset, 0x2000);
    cr_assert_eq(segs[1].memsz, 0x1000);
    cr_assert_eq(segs[1].index, 2);
    cr_assert_not(info.lma_is_vaddr);
    uint64_t entry = 0;
    cr_assert_eq(elf_entry_lma(&info, segs, &entry, msg, sizeof(msg)), ELF_OK);
    cr_assert_eq(entry, 0x100010);
}

Test(elf, elf64_higher_half_entry_moves_to_paddr)
{
    struct eimg e;
    e_init(&e, 64, 0xffffffff80100040ull, 1);
    e_ph(&e, 0, 1, 0x1000, 0xffffffff80100000ull, 0x100000, 0x200, 0x400);
    cr_assert_eq(parse(&e, 0x100000000ull), ELF_OK, "%s", msg);
    cr_assert_eq(info.bits, 64);
    cr_assert_eq(info.machine, ELF_EM_X86_64);
    cr_assert_eq(segs[0].lma, 0x100000);
    cr_assert_eq(segs[0].vaddr, 0xffffffff80100000ull);
    uint64_t entry = 0;
    cr_assert_eq(elf_entry_lma(&info, segs, &entry, msg, sizeof(msg)), ELF_OK);
    cr_assert_eq(entry, 0x100040);
}

Test(elf, paddr_all_zero_loads_at_vaddr)
{
    struct eimg e;
    e_init(&e, 32, 0x200000, 2);
    e_ph(&e, 0, 1, 0x1000, 0x200000, 0, 0x100, 0x100);
    e_ph(&e, 1, 1, 0x2000, 0x201000, 0, 0x100, 0x100);
    cr_assert_eq(parse(&e, UINT64_MAX), ELF_OK, "%s", msg);
    cr_assert(info.lma_is_vaddr);
    cr_assert_eq(segs[0].lma, 0x200000);
    cr_assert_eq(segs[1].lma, 0x201000);
}

Test(elf, zero_memsz_load_is_skipped)
{
    struct eimg e;
    e_init(&e, 32, 0x100000, 2);
    e_ph(&e, 0, 1, 0, 0x500000, 0x500000, 0, 0);
    e_ph(&e, 1, 1, 0x1000, 0x100000, 0x100000, 0x10, 0x10);
    cr_assert_eq(parse(&e, UINT64_MAX), ELF_OK, "%s", msg);
    cr_assert_eq(info.nsegs, 1);
    cr_assert_eq(segs[0].index, 1);
}

Test(elf, truncated_header)
{
    struct eimg e;
    e_std(&e, 64);
    e.len = 40;
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_TRUNCATED, "needs 64");
    e.len = 2;
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_TRUNCATED, "file has 2 bytes");
}

Test(elf, bad_magic)
{
    struct eimg e;
    e_std(&e, 32);
    e.b[1] = 'X';
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_MAGIC, "7f 58 4c 46");
}

Test(elf, bad_class)
{
    struct eimg e;
    e_std(&e, 32);
    e.b[4] = 3;
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_CLASS, "is 3");
}

Test(elf, big_endian)
{
    struct eimg e;
    e_std(&e, 32);
    e.b[5] = 2;
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_DATA, "little-endian");
}

Test(elf, bad_version)
{
    struct eimg e;
    e_std(&e, 32);
    e_put32(&e, 20, 0);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_VERSION, "e_version = 0");
}

Test(elf, bad_machine)
{
    struct eimg e;
    e_std(&e, 64);
    e_put16(&e, 18, 40); /* EM_ARM */
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_MACHINE, "e_machine is 40");
}

Test(elf, not_executable)
{
    struct eimg e;
    e_std(&e, 32);
    e_put16(&e, 16, 3); /* ET_DYN */
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_TYPE, "e_type is 3");
}

Test(elf, phentsize_too_small)
{
    struct eimg e;
    e_std(&e, 64);
    e_put16(&e, 54, 32);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_PHDR_SIZE, "e_phentsize is 32");
}

Test(elf, pn_xnum_refused)
{
    struct eimg e;
    e_std(&e, 32);
    e_put16(&e, 44, 0xffff);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_PHDR_SIZE, "PN_XNUM");
}

Test(elf, phdr_table_outside_file)
{
    struct eimg e;
    e_std(&e, 32);
    e_put32(&e, 28, 0x2ff0); /* 3 x 32 bytes from 0x2ff0 pass 0x3000 */
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_PHDR_RANGE, "[0x2ff0, 0x3050)");
    e_put32(&e, 28, 0xffffffffu);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_PHDR_RANGE, "passes the end of the file");
}

Test(elf, no_program_headers)
{
    struct eimg e;
    e_init(&e, 32, 0, 0);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_NO_LOAD, "e_phnum is 0");
    e_init(&e, 32, 0, 1);
    e_ph(&e, 0, 4, 0x100, 0, 0, 0x10, 0x10);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_NO_LOAD, "no PT_LOAD");
}

Test(elf, load_outside_file)
{
    struct eimg e;
    e_std(&e, 64);
    e_ph(&e, 2, 1, 0x2f00, 0x101000, 0x101000, 0x200, 0x1000);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_SEG_FILE, "program header 2");
    cr_assert(strstr(msg, "[0x2f00, 0x3100)") != NULL, "%s", msg);
}

Test(elf, filesz_above_memsz)
{
    struct eimg e;
    e_std(&e, 32);
    e_ph(&e, 0, 1, 0x1000, 0x100000, 0x100000, 0x900, 0x800);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_SEG_FILESZ, "p_filesz 0x900 > p_memsz 0x800");
}

Test(elf, overlapping_segments)
{
    struct eimg e;
    e_std(&e, 32);
    e_ph(&e, 2, 1, 0x2000, 0x100400, 0x100400, 0x100, 0x1000);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_SEG_OVERLAP, "headers 0 and 2");
}

Test(elf, segment_past_limit)
{
    struct eimg e;
    e_init(&e, 64, 0x100000000ull, 1);
    e_ph(&e, 0, 1, 0x1000, 0xfffff000ull, 0xfffff000ull, 0x100, 0x2000);
    EXPECT_ERR(parse(&e, 0x100000000ull), ELF_ERR_SEG_ADDR, "passes the limit 0x100000000");
    cr_assert_eq(parse(&e, UINT64_MAX), ELF_OK, "%s", msg);
    e_ph(&e, 0, 1, 0x1000, 0xfffffffffffff000ull, 0xfffffffffffff000ull, 0x100, 0x2000);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_SEG_ADDR, "passes the limit"); /* wraps */
}

Test(elf, too_many_segments)
{
    struct eimg e;
    e_init(&e, 32, 0x100000, 9);
    for (unsigned i = 0; i < 9; i++)
        e_ph(&e, i, 1, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10);
    EXPECT_ERR(parse(&e, UINT64_MAX), ELF_ERR_TOO_MANY, "more than 8");
}

Test(elf, entry_outside_segments)
{
    struct eimg e;
    e_std(&e, 32);
    e_put32(&e, 24, 0x300000);
    cr_assert_eq(parse(&e, UINT64_MAX), ELF_OK, "%s", msg);
    uint64_t entry = 0;
    EXPECT_ERR(elf_entry_lma(&info, segs, &entry, msg, sizeof(msg)), ELF_ERR_ENTRY,
               "e_entry 0x300000");
}

Test(elf, null_arguments_and_names)
{
    cr_assert_eq(elf_parse(NULL, 10, UINT64_MAX, &info, segs, 8, msg, sizeof(msg)),
                 ELF_ERR_BAD_ARG);
    cr_assert_str_eq(elf_error_str(ELF_ERR_SEG_OVERLAP), "PT_LOAD segments overlap");
    cr_assert_str_eq(elf_error_str(0), "ok");
    cr_assert_str_eq(elf_error_str(-59), "unknown error");
    for (int e = ELF_ERR_BAD_ARG; e >= ELF_ERR_ENTRY; e--)
        cr_assert_str_neq(elf_error_str(e), "unknown error", "code %d", e);
}
