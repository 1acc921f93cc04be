/* tests/unit/test_string_io.c - INS/OUTS emulation (vm/string_io): REP in bounded chunks,
 * buffers across pages, #PF with partial progress, DF, address-size wrap, segment faults,
 * RCX = 0, the decode path without instruction information. Guest RAM is a host buffer. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/unit/guest_ram.h"
#include "vm/string_io.h"

#define RAM_SIZE (2u << 20)
static uint8_t ram[RAM_SIZE];

static struct test_ram tram = {ram, RAM_SIZE};
static const struct gw_mem mem = TEST_RAM_MEM(&tram);

/* the device: OUT bytes go to a log, IN returns 0x1000 + the number of reads */
static uint8_t out_log[8192];
static size_t out_len;
static unsigned in_reads, port_calls;
static int refuse_after = -1;

static int port(void *ctx, uint16_t p, unsigned size, bool in, uint32_t *val)
{
    (void)ctx;
    cr_assert_eq(p, 0x3f8);
    port_calls++;
    if (refuse_after >= 0 && port_calls > (unsigned)refuse_after)
        return -1;
    if (in) {
        *val = 0x1000 + in_reads++;
        if (size < 4)
            *val &= (1u << (8 * size)) - 1;
    } else {
        for (unsigned i = 0; i < size && out_len < sizeof(out_log); i++)
            out_log[out_len++] = (uint8_t)(*val >> (8 * i));
    }
    return 0;
}

static struct gw_state paging;

#define URW (GW_PTE_P | GW_PTE_RW | GW_PTE_US)

/* 4-level paging: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000, linear 0-2 MiB identity */
static void map(uint64_t la, uint64_t gpa, uint64_t flags)
{
    uint64_t e = gpa | flags;
    memcpy(ram + 0x4000 + 8 * (la >> 12), &e, 8);
}

static uint64_t pte(uint64_t la)
{
    uint64_t e;
    memcpy(&e, ram + 0x4000 + 8 * (la >> 12), 8);
    return e;
}

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    uint64_t e = 0x2000 | URW;
    memcpy(ram + 0x1000, &e, 8);
    e = 0x3000 | URW;
    memcpy(ram + 0x2000, &e, 8);
    e = 0x4000 | URW;
    memcpy(ram + 0x3000, &e, 8);
    for (uint64_t la = 0; la < RAM_SIZE; la += 4096)
        map(la, la, URW);
    paging = (struct gw_state){
        .cr0 = CR0_PG | CR0_WP | 1,
        .cr3 = 0x1000,
        .cr4 = CR4_PAE,
        .efer = EFER_LME | EFER_LMA | EFER_NXE,
        .maxphyaddr = 40,
        .page1gb = true,
    };
    memset(out_log, 0, sizeof(out_log));
    out_len = 0;
    in_reads = port_calls = 0;
    refuse_after = -1;
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(string_io, .init = setup);

/* exit qualification: size 1/2/4, IN or OUT, string, REP, port 0x3f8 */
static uint64_t qual(unsigned size, bool in, bool rep)
{
    return (uint64_t)(size - 1) | (in ? 8u : 0) | 16u | (rep ? 32u : 0) | (0x3f8ULL << 16);
}

/* instruction information: address size code (0 16, 1 32, 2 64), segment */
static uint32_t info(unsigned asz_code, unsigned seg)
{
    return (asz_code << 7) | (seg << 15);
}

static const struct sio_segment flat = {0, 0xffffffff, 0x93}; /* read/write data, accessed */

static struct sio_input input(enum sio_mode mode, uint64_t q, uint32_t inf)
{
    struct sio_input in = {
        .qualification = q,
        .info_valid = true,
        .info = inf,
        .mode = mode,
        .paging = &paging,
        .mem = &mem,
        .port = port,
        .budget = 64,
    };
    for (int i = 0; i < 6; i++)
        in.seg[i] = flat;
    in.seg[INSN_SEG_CS].ar = 0x9b | (mode == SIO_MODE_LONG64 ? (1u << 13) : AR_DB);
    if (mode == SIO_MODE_PROT32)
        for (int i = 0; i < 6; i++)
            in.seg[i].ar |= AR_DB;
    return in;
}

Test(string_io, rep_outsb_5000_bytes_across_pages_in_chunks_of_64)
{
    /* the buffer spans linear 0x20ff0-0x22377, three pages scattered in guest RAM */
    map(0x20000, 0x80000, URW);
    map(0x21000, 0x60000, URW);
    map(0x22000, 0x90000, URW);
    uint8_t expect[5000];
    for (int i = 0; i < 5000; i++) {
        uint64_t la = 0x20ff0 + (uint64_t)i;
        uint64_t gpa = (pte(la) & ~0xfffULL) | (la & 0xfff);
        ram[gpa] = expect[i] = (uint8_t)(i * 7 + 3);
    }
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, true), info(2, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0x20ff0, .rdi = 0x5555, .rcx = 5000, .rflags = 2};
    struct sio_result res;
    char msg[160];
    int calls = 0, rc;
    while ((rc = sio_step(&in, &r, &res, msg, sizeof(msg))) == SIO_MORE) {
        calls++;
        cr_assert_eq(res.iterations, 64);
        cr_assert_eq(r.rcx, 5000 - 64 * (uint64_t)calls, "RCX after each chunk");
        cr_assert_lt(calls, 100);
    }
    cr_assert_eq(rc, SIO_DONE, "%s", msg);
    cr_expect_eq(calls, 78, "5000 = 78 * 64 + 8");
    cr_expect_eq(res.iterations, 8);
    cr_expect_eq(r.rcx, 0);
    cr_expect_eq(r.rsi, 0x20ff0 + 5000);
    cr_expect_eq(r.rdi, 0x5555, "OUTS leaves RDI alone");
    cr_assert_eq(out_len, 5000);
    cr_expect_arr_eq(out_log, expect, 5000);
    cr_expect(pte(0x21000) & GW_PTE_A, "the walker set the accessed flag");
    cr_expect_not(pte(0x21000) & GW_PTE_D, "a read does not set dirty");
    cr_expect(res.rep && !res.in);
    cr_expect_eq(res.port, 0x3f8);
    cr_expect_eq(res.addr_size, 8);
}

Test(string_io, rep_insw_onto_a_non_present_page)
{
    map(0x34000, 0, 0); /* not present */
    struct sio_input in = input(SIO_MODE_LONG64, qual(2, true, true), info(2, 0));
    struct sio_regs r = {.rdi = 0x33ff0, .rcx = 100, .rflags = 2};
    struct sio_result res;
    char msg[160];
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_PF);
    cr_expect_eq(res.error_code, PF_ERR_W, "not present, write, supervisor");
    cr_expect_eq(res.cr2, 0x34000);
    cr_expect_eq(res.iterations, 8);
    cr_expect_eq(r.rdi, 0x34000, "RDI points at the element that faulted");
    cr_expect_eq(r.rcx, 92);
    cr_expect_eq(in_reads, 8, "the port is not read for the faulting element");
    uint16_t w;
    memcpy(&w, ram + 0x33ffe, 2);
    cr_expect_eq(w, 0x1007);
    cr_expect(pte(0x33000) & GW_PTE_D);
    cr_expect_str_eq(msg, "#PF: page fault at 0x34000, error code 0x2 (not present, write, "
                          "supervisor)");
}

Test(string_io, element_straddling_into_a_non_present_page)
{
    map(0x34000, 0, 0);
    paging.cpl = 3;
    struct sio_input in = input(SIO_MODE_LONG64, qual(4, true, true), info(2, 0));
    struct sio_regs r = {.rdi = 0x33ff5, .rcx = 10, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.cr2, 0x34000, "CR2 is the first byte in the missing page");
    cr_expect_eq(res.error_code, PF_ERR_W | PF_ERR_U);
    cr_expect_eq(res.iterations, 2); /* 0x33ff5, 0x33ff9; 0x33ffd crosses */
    cr_expect_eq(r.rdi, 0x33ffd);
    cr_expect_eq(r.rcx, 8);
    cr_expect_eq(in_reads, 2);
    cr_expect_eq(ram[0x33ffd], 0, "nothing of the faulting element is written");
    /* the same element with the page present lands on both pages */
    map(0x34000, 0x50000, URW);
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(ram[0x33ffd], 0x02);
    cr_expect_eq(ram[0x33fff], 0x00);
    cr_expect_eq(ram[0x50000], 0x00);
    cr_expect_eq(ram[0x33ffe], 0x10);
    cr_expect_eq(r.rcx, 0);
}

Test(string_io, outs_from_a_supervisor_page_at_cpl3)
{
    map(0x40000, 0x40000, GW_PTE_P | GW_PTE_RW);
    paging.cpl = 3;
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, false), info(2, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0x40000, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.error_code, PF_ERR_P | PF_ERR_U);
    cr_expect_eq(port_calls, 0);
}

Test(string_io, direction_flag_counts_down)
{
    for (int i = 0; i < 4; i++)
        ram[0x30000 + i] = (uint8_t)(0xa0 + i);
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, true), info(2, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0x30003, .rcx = 4, .rflags = 2 | (1u << 10)};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(r.rsi, 0x2ffff);
    uint8_t expect[4] = {0xa3, 0xa2, 0xa1, 0xa0};
    cr_assert_eq(out_len, 4);
    cr_expect_arr_eq(out_log, expect, 4);
    /* rep insw backwards */
    in = input(SIO_MODE_LONG64, qual(2, true, true), info(2, 0));
    r = (struct sio_regs){.rdi = 0x30104, .rcx = 3, .rflags = 2 | (1u << 10)};
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(r.rdi, 0x300fe);
    cr_expect_eq(ram[0x30104], 0x00);
    cr_expect_eq(ram[0x30102], 0x01);
    cr_expect_eq(ram[0x30100], 0x02);
}

Test(string_io, sixteen_bit_address_wrap_in_real_mode)
{
    paging = (struct gw_state){.maxphyaddr = 36}; /* no paging */
    struct sio_input in = input(SIO_MODE_REAL, qual(1, false, true), info(0, INSN_SEG_DS));
    for (int i = 0; i < 6; i++)
        in.seg[i] = (struct sio_segment){0x50000, 0xffff, 0x93};
    ram[0x5fffe] = 1;
    ram[0x5ffff] = 2;
    ram[0x50000] = 3;
    ram[0x50001] = 4;
    ram[0x60000] = 0xee; /* would be read without the wrap */
    struct sio_regs r = {.rsi = 0x123400000000fffeULL, .rcx = 0xffff00000004ULL, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    uint8_t expect[4] = {1, 2, 3, 4};
    cr_assert_eq(out_len, 4);
    cr_expect_arr_eq(out_log, expect, 4);
    cr_expect_eq(r.rsi, 0x1234000000000002ULL, "only SI changes");
    cr_expect_eq(r.rcx, 0xffff00000000ULL, "only CX counts");
    cr_expect_eq(res.addr_size, 2);
}

Test(string_io, word_at_offset_ffff_exceeds_a_64k_limit)
{
    paging = (struct gw_state){.maxphyaddr = 36};
    struct sio_input in = input(SIO_MODE_REAL, qual(2, true, false), info(0, 0));
    for (int i = 0; i < 6; i++)
        in.seg[i] = (struct sio_segment){0x50000, 0xffff, 0x93};
    struct sio_regs r = {.rdi = 0xffff, .rflags = 2};
    struct sio_result res;
    char msg[160];
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_GP);
    cr_expect_eq(res.error_code, 0);
    cr_expect_str_eq(msg, "#GP(0): ES limit 0xffff exceeded by offset 0xffff size 2");
    cr_expect_eq(r.rdi, 0xffff);
    cr_expect_eq(port_calls, 0);
}

Test(string_io, thirty_two_bit_address_size_ignores_upper_rcx)
{
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, true), info(1, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0xffffffff00030000ULL, .rcx = 0x100000000ULL, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE, "ECX = 0: nothing to do");
    cr_expect_eq(port_calls, 0);
    r.rcx = 0xabcd00000002ULL;
    ram[0x30000] = 0x11;
    ram[0x30001] = 0x22;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(out_len, 2);
    cr_expect_eq(out_log[1], 0x22, "ESI is the offset, upper bits ignored");
    cr_expect_eq(r.rsi, 0x30002, "32-bit updates zero-extend");
    cr_expect_eq(r.rcx, 0);
}

Test(string_io, segment_limit_gp_after_partial_progress)
{
    paging = (struct gw_state){.maxphyaddr = 36, .cr0 = 1};
    struct sio_input in = input(SIO_MODE_PROT32, qual(1, true, true), info(1, 0));
    in.seg[INSN_SEG_ES] = (struct sio_segment){0x100000, 0x1fff, 0x93 | AR_DB};
    struct sio_regs r = {.rdi = 0x1ffc, .rcx = 10, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_GP);
    cr_expect_eq(res.iterations, 4);
    cr_expect_eq(r.rdi, 0x2000);
    cr_expect_eq(r.rcx, 6);
    cr_expect_eq(ram[0x101fff], 0x03);
}

Test(string_io, segment_type_and_usability_faults)
{
    paging = (struct gw_state){.maxphyaddr = 36, .cr0 = 1};
    struct sio_input in = input(SIO_MODE_PROT32, qual(1, true, false), info(1, 0));
    struct sio_regs r = {.rdi = 0x100, .rflags = 2};
    struct sio_result res;
    char msg[160];
    in.seg[INSN_SEG_ES].ar = 0x91 | AR_DB; /* read-only data */
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_GP);
    cr_expect_str_eq(msg, "#GP(0): ES is not a writable data segment");
    in.seg[INSN_SEG_ES].ar = AR_UNUSABLE;
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_str_eq(msg, "#GP(0): ES is unusable (null selector)");
    /* OUTS from an execute-only code segment through CS */
    in = input(SIO_MODE_PROT32, qual(1, false, false), info(1, INSN_SEG_CS));
    in.seg[INSN_SEG_CS].ar = 0x99 | AR_DB;
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_str_eq(msg, "#GP(0): CS is an execute-only code segment");
    in.seg[INSN_SEG_CS].ar = 0x9b | AR_DB; /* readable code: fine */
    cr_expect_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_DONE);
    /* SS: #SS(0) */
    in = input(SIO_MODE_PROT32, qual(4, false, false), info(1, INSN_SEG_SS));
    in.seg[INSN_SEG_SS].limit = 0x100;
    r.rsi = 0x100;
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_SS);
    cr_expect_str_eq(msg, "#SS(0): SS limit 0x100 exceeded by offset 0x100 size 4");
    /* real mode: no type check */
    in = input(SIO_MODE_REAL, qual(1, true, false), info(0, 0));
    in.seg[INSN_SEG_ES].ar = 0x91;
    in.seg[INSN_SEG_ES].limit = 0xffff;
    cr_expect_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_DONE);
}

Test(string_io, expand_down_segment)
{
    paging = (struct gw_state){.maxphyaddr = 36, .cr0 = 1};
    struct sio_input in = input(SIO_MODE_PROT32, qual(2, true, false), info(1, 0));
    in.seg[INSN_SEG_ES] = (struct sio_segment){0x100000, 0x0fff, 0x97 | AR_DB};
    struct sio_regs r = {.rdi = 0x0800, .rflags = 2};
    struct sio_result res;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT, "at or below the limit");
    r.rdi = 0x2000;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(ram[0x102000], 0x00);
    cr_expect_eq(ram[0x102001], 0x10);
    in.seg[INSN_SEG_ES].ar = 0x97; /* 16-bit expand-down: the top is 0xffff */
    r.rdi = 0xffff;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
}

Test(string_io, non_canonical_addresses_in_64_bit_mode)
{
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, false), info(2, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0x0000800000000000ULL, .rflags = 2};
    struct sio_result res;
    char msg[160];
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_GP);
    cr_expect_str_eq(msg, "#GP(0): DS address 0x800000000000 is not canonical");
    in.info = info(2, INSN_SEG_SS);
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_SS);
    /* the last byte crosses into the non-canonical half */
    in = input(SIO_MODE_LONG64, qual(4, false, false), info(2, INSN_SEG_DS));
    r.rsi = 0x00007ffffffffffeULL;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_GP);
    /* the DS base does not apply in 64-bit mode, the FS base does */
    in = input(SIO_MODE_LONG64, qual(1, false, false), info(2, INSN_SEG_DS));
    in.seg[INSN_SEG_DS].base = 0xffff800000000000ULL;
    r.rsi = 0x30000;
    ram[0x30000] = 0x42;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(out_log[0], 0x42);
    in.info = info(2, INSN_SEG_FS);
    in.seg[INSN_SEG_FS].base = 0x10000;
    ram[0x40000] = 0x43;
    r.rsi = 0x30000;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(out_log[1], 0x43);
}

Test(string_io, rcx_zero_does_nothing)
{
    struct sio_input in = input(SIO_MODE_LONG64, qual(4, true, true), info(2, 0));
    struct sio_regs r = {.rdi = 0x30000, .rcx = 0, .rflags = 2};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(res.iterations, 0);
    cr_expect_eq(port_calls, 0);
    cr_expect_eq(r.rdi, 0x30000);
    /* the same register values are irrelevant without REP: one element */
    in.qualification = qual(4, true, false);
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(res.iterations, 1);
    cr_expect_eq(r.rdi, 0x30004);
    cr_expect_eq(r.rcx, 0, "RCX untouched without REP");
    uint32_t v;
    memcpy(&v, ram + 0x30000, 4);
    cr_expect_eq(v, 0x1000);
}

Test(string_io, budget_exactly_reached_is_done)
{
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, true), info(2, INSN_SEG_DS));
    in.budget = 5;
    struct sio_regs r = {.rsi = 0x30000, .rcx = 5, .rflags = 2};
    struct sio_result res;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE);
    cr_expect_eq(res.iterations, 5);
    r.rcx = 6;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_MORE);
    cr_expect_eq(r.rcx, 1);
}

/* instruction bytes at CS:RIP for the decode path */
static const uint8_t *code;
static size_t code_len;

static int fetch(void *ctx, unsigned off, uint8_t *b)
{
    (void)ctx;
    if (off >= code_len)
        return -1;
    *b = code[off];
    return 0;
}

Test(string_io, without_instruction_information_the_prefixes_are_decoded)
{
    static const uint8_t outs_fs[] = {0x64, 0xf3, 0x66, 0x6f}; /* rep outsw fs:[rsi] */
    code = outs_fs;
    code_len = sizeof(outs_fs);
    struct sio_input in = input(SIO_MODE_LONG64, qual(2, false, true), 0);
    in.info_valid = false;
    in.info = info(2, INSN_SEG_DS); /* must be ignored */
    in.fetch = fetch;
    in.seg[INSN_SEG_FS].base = 0x1000;
    ram[0x31000] = 0x34;
    ram[0x31001] = 0x12;
    struct sio_regs r = {.rsi = 0x30000, .rcx = 1, .rflags = 2};
    struct sio_result res;
    char msg[200];
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_DONE, "%s", msg);
    cr_expect_eq(res.seg, INSN_SEG_FS);
    cr_expect_eq(out_log[0], 0x34);
    cr_expect_eq(out_log[1], 0x12);

    static const uint8_t ins32[] = {0x67, 0xf3, 0x6c}; /* rep insb es:[edi] */
    code = ins32;
    code_len = sizeof(ins32);
    in.qualification = qual(1, true, true);
    r = (struct sio_regs){.rdi = 0x500030000ULL, .rcx = 1, .rflags = 2};
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_DONE, "%s", msg);
    cr_expect_eq(res.addr_size, 4);
    cr_expect_eq(r.rdi, 0x30001);
    cr_expect_eq(ram[0x30000], 0x00);

    /* the bytes are not the instruction of the exit (the guest changed its code) */
    in.qualification = qual(2, false, true);
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_ERR_INSN);
    cr_expect_str_eq(msg, "sio: the instruction at RIP is rep ins es:[edi], port dx (1-byte "
                          "write), not the 2-byte OUTS of the exit");
    static const uint8_t junk[] = {0x0f, 0x0b};
    code = junk;
    code_len = sizeof(junk);
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_ERR_INSN);
    cr_expect_str_eq(msg, "sio: insn: opcode 0f 0b is not supported (bytes 0f 0b)");
}

Test(string_io, memory_and_port_errors_are_not_guest_faults)
{
    map(0x30000, 0xfee00000, URW); /* INS into the local APIC page: not RAM */
    struct sio_input in = input(SIO_MODE_LONG64, qual(4, true, true), info(2, 0));
    struct sio_regs r = {.rdi = 0x2fffc, .rcx = 3, .rflags = 2};
    struct sio_result res;
    char msg[160];
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_ERR_MEM);
    cr_expect_eq(res.mem_gpa, 0xfee00000);
    cr_expect_eq(res.iterations, 1);
    cr_expect_eq(r.rcx, 2);
    cr_expect_str_eq(msg, "guest-physical 0xfee00000 is not RAM (or kept changing)");

    in = input(SIO_MODE_LONG64, qual(1, false, true), info(2, INSN_SEG_DS));
    refuse_after = 2;
    port_calls = 0;
    r = (struct sio_regs){.rsi = 0x40000, .rcx = 10, .rflags = 2};
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_ERR_PORT);
    cr_expect_eq(res.iterations, 2);
    cr_expect_eq(r.rcx, 8);
    cr_expect_eq(r.rsi, 0x40002);
    cr_expect_str_eq(msg, "sio: OUT to port 0x3f8 refused");
}

Test(string_io, alignment_check_at_cpl3)
{
    paging.cpl = 3;
    paging.cr0 |= CR0_AM;
    struct sio_input in = input(SIO_MODE_LONG64, qual(2, true, false), info(2, 0));
    struct sio_regs r = {.rdi = 0x30001, .rflags = 2 | RFLAGS_AC};
    struct sio_result res;
    cr_assert_eq(sio_step(&in, &r, &res, NULL, 0), SIO_FAULT);
    cr_expect_eq(res.vector, X86_EXC_AC);
    cr_expect_eq(in_reads, 0);
    r.rflags = 2;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE, "AC clear: no check");
    r.rdi = 0x30002;
    r.rflags = 2 | RFLAGS_AC;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_DONE, "aligned");
}

Test(string_io, bad_inputs)
{
    struct sio_input in = input(SIO_MODE_LONG64, qual(1, false, true), info(2, INSN_SEG_DS));
    struct sio_regs r = {.rsi = 0x30000, .rcx = 1, .rflags = 2};
    struct sio_result res;
    char msg[160];
    in.qualification = 0x3f80000; /* not a string instruction */
    cr_assert_eq(sio_step(&in, &r, &res, msg, sizeof(msg)), SIO_ERR_ARG);
    cr_expect_str_eq(msg, "sio: qualification 0x3f80000 is not a string I/O exit");
    in.qualification = qual(3, false, true); /* size code 2 */
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_ERR_ARG);
    in.qualification = qual(1, false, true);
    in.info = info(3, 0);
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_ERR_ARG);
    in.info = info(2, 6);
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_ERR_ARG);
    in.info = info(2, INSN_SEG_DS);
    in.budget = 0;
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_ERR_ARG);
    in.budget = 1;
    in.info_valid = false; /* and no fetch callback */
    cr_expect_eq(sio_step(&in, &r, &res, NULL, 0), SIO_ERR_ARG);
    cr_expect_eq(sio_step(NULL, &r, &res, NULL, 0), SIO_ERR_ARG);
    cr_expect_eq(port_calls, 0);
    cr_expect_eq(r.rcx, 1);
}

Test(string_io, guest_mode_from_control_registers)
{
    cr_expect_eq(sio_guest_mode(0, 2, 0, 0x9b), SIO_MODE_REAL);
    cr_expect_eq(sio_guest_mode(1, 2 | (1u << 17), 0, 0xf3), SIO_MODE_V8086);
    cr_expect_eq(sio_guest_mode(1, 2, 0, 0x9b), SIO_MODE_PROT16);
    cr_expect_eq(sio_guest_mode(1, 2, 0, 0x9b | AR_DB), SIO_MODE_PROT32);
    cr_expect_eq(sio_guest_mode(0x80000001, 2, EFER_LMA, 0x9b | (1u << 13)), SIO_MODE_LONG64);
    cr_expect_eq(sio_guest_mode(0x80000001, 2, EFER_LMA, 0x9b | AR_DB), SIO_MODE_PROT32,
                 "compatibility mode");
}
