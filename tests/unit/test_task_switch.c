/* tests/unit/test_task_switch.c - the task switch (vm/task_switch): JMP, CALL and IRET with the
 * busy flags, back-link and NT; task gates with an error code; 16-bit TSSs; CR3 loads; the T
 * flag; each check of SDM table 8-1 with its fault and error code, before and after the commit
 * point. The guest's RAM is a host buffer holding a GDT, an LDT and the TSSs. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/unit/guest_ram.h"
#include "platform/x86.h"
#include "vm/task_switch.h"

#define RAM_SIZE (8u << 20)
static uint8_t ram[RAM_SIZE];

static struct test_ram tram = {ram, RAM_SIZE};
static const struct gw_mem mem = TEST_RAM_MEM(&tram);

/* Layout: GDT at 0x1000, TSS A (current, 32-bit) 0x2000, TSS B (32-bit) 0x3000, TSS C (16-bit)
 * 0x4000, LDT 0x5000, stacks below 0x80000. */
#define GDT        0x1000u
#define TSS_A      0x2000u
#define TSS_B      0x3000u
#define TSS_C      0x4000u
#define LDT_BASE   0x5000u
#define SEL_CODE   0x08
#define SEL_DATA   0x10
#define SEL_A      0x18
#define SEL_B      0x20
#define SEL_C      0x28
#define SEL_LDT    0x30
#define SEL_CODE16 0x38
#define SEL_DATA16 0x40
#define SEL_SPARE  0x48 /* tests put what they need here */
#define SEL_DPL3   0x50 /* a DPL-3 data segment */

static uint64_t desc(uint32_t base, uint32_t limit, unsigned type_s_dpl_p, unsigned flags)
{
    return (limit & 0xffffull) | (uint64_t)(base & 0xffffff) << 16 |
           (uint64_t)(type_s_dpl_p & 0xff) << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
           (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static void set_desc(uint16_t sel, uint64_t d)
{
    memcpy(ram + GDT + (sel & ~7u), &d, 8);
}

static uint8_t desc_type(uint16_t sel)
{
    return ram[GDT + (sel & ~7u) + 5] & 0x1f;
}

static void put32(uint32_t a, uint32_t v)
{
    memcpy(ram + a, &v, 4);
}
static void put16(uint32_t a, uint16_t v)
{
    memcpy(ram + a, &v, 2);
}
static uint32_t get32(uint32_t a)
{
    uint32_t v;
    memcpy(&v, ram + a, 4);
    return v;
}
static uint16_t get16(uint32_t a)
{
    uint16_t v;
    memcpy(&v, ram + a, 2);
    return v;
}

/* A 32-bit TSS image at `at` for a flat ring-0 task starting at eip with stack esp. */
static void tss32(uint32_t at, uint32_t eip, uint32_t esp, uint32_t eflags)
{
    memset(ram + at, 0, 0x68);
    put32(at + 0x20, eip);
    put32(at + 0x24, eflags);
    for (unsigned i = 0; i < 8; i++)
        put32(at + 0x28 + 4 * i, 0x1000 * (i + 1) + i); /* EAX.. */
    put32(at + 0x38, esp);
    for (unsigned i = 0; i < 6; i++)
        put16(at + 0x48 + 4 * i, i == 1 ? SEL_CODE : SEL_DATA);
    put16(at + 0x66, 0x68);
}

static struct ts_state st;
static struct gw_state pg;
static struct ts_result res;
static char msg[160];

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    set_desc(SEL_CODE, desc(0, 0xfffff, 0x9b, 0xc));
    set_desc(SEL_DATA, desc(0, 0xfffff, 0x93, 0xc));
    set_desc(SEL_A, desc(TSS_A, 0x67, 0x8b, 0)); /* busy: the current task */
    set_desc(SEL_B, desc(TSS_B, 0x67, 0x89, 0));
    set_desc(SEL_C, desc(TSS_C, 0x2b, 0x81, 0)); /* 16-bit, available */
    set_desc(SEL_LDT, desc(LDT_BASE, 0x17, 0x82, 0));
    set_desc(SEL_CODE16, desc(0x60000, 0xffff, 0x9b, 0));
    set_desc(SEL_DATA16, desc(0x70000, 0xffff, 0x93, 0));
    set_desc(SEL_DPL3, desc(0, 0xfffff, 0xf3, 0xc));
    tss32(TSS_A, 0, 0, 0x2);
    tss32(TSS_B, 0x200000, 0x7fff0, 0x202);
    memset(&st, 0, sizeof(st));
    for (unsigned i = 0; i < 8; i++)
        st.gpr[i] = 0xa0000000u + i;
    st.eip = 0x100123;
    st.eflags = 0x246;
    for (unsigned i = 0; i < 6; i++)
        st.seg[i] = (struct ts_seg){i == 1 ? SEL_CODE : SEL_DATA, 0, 0xffffffff,
                                    i == 1 ? 0xc09bu : 0xc093u};
    st.ldtr = (struct ts_seg){0, 0, 0, AR_UNUSABLE};
    st.tr = (struct ts_seg){SEL_A, TSS_A, 0x67, 0x8b};
    st.gdt_base = GDT;
    st.gdt_limit = 0x7f;
    st.cr0 = 0x11; /* PE ET */
    st.dr7 = 0x455;
    pg = (struct gw_state){.cr0 = 0x11, .maxphyaddr = 39};
    memset(&res, 0, sizeof(res));
}

static int do_switch(enum ts_source src, uint16_t sel)
{
    struct ts_request rq = {.source = src, .selector = sel};
    return ts_switch(&rq, &st, &pg, &mem, &res, msg, sizeof(msg));
}

// cppcheck-suppress unknownMacro
TestSuite(task_switch, .init = setup);

Test(task_switch, jmp_saves_old_loads_new_moves_busy)
{
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert_eq(get32(TSS_A + 0x20), 0x100123);            /* EIP saved */
    cr_assert_eq(get32(TSS_A + 0x24), 0x246);               /* EFLAGS */
    cr_assert_eq(get32(TSS_A + 0x28 + 4 * 3), 0xa0000003u); /* EBX */
    cr_assert_eq(get16(TSS_A + 0x4c), SEL_CODE);
    cr_assert_eq(desc_type(SEL_A), 0x09, "JMP frees the old task");
    cr_assert_eq(desc_type(SEL_B), 0x0b, "and marks the new one busy");
    cr_assert_eq(get16(TSS_B), 0, "no back-link");
    cr_assert_eq(st.eip, 0x200000);
    cr_assert_eq(st.eflags, 0x202, "NT unchanged by JMP");
    cr_assert_eq(st.gpr[4], 0x7fff0);
    cr_assert_eq(st.gpr[0], 0x1000);
    cr_assert_eq(st.tr.sel, SEL_B);
    cr_assert_eq(st.tr.base, TSS_B);
    cr_assert_eq(st.tr.ar & 0xf, 0xb);
    cr_assert(st.cr0 & CR0_TS, "CR0.TS set");
    cr_assert_eq(st.dr7, 0x400, "L0-L3 and LE cleared");
    cr_assert_eq(st.seg[TS_CS].sel, SEL_CODE);
    cr_assert_eq(st.seg[TS_SS].limit, 0xffffffff);
    cr_assert(res.committed && !res.cr3_loaded && !res.debug_trap);
}

Test(task_switch, call_links_back_sets_nt_and_iret_returns)
{
    cr_assert_eq(do_switch(TS_CALL, SEL_B), TS_OK, "%s", msg);
    cr_assert_eq(get16(TSS_B), SEL_A, "back-link");
    cr_assert(st.eflags & RFLAGS_NT, "NT set in the new task");
    cr_assert_eq(desc_type(SEL_A), 0x0b, "CALL leaves the old task busy");
    cr_assert_eq(desc_type(SEL_B), 0x0b);
    st.eip = 0x200010;
    st.gpr[0] = 0x55;
    cr_assert_eq(do_switch(TS_IRET, SEL_A), TS_OK, "%s", msg);
    cr_assert_eq(desc_type(SEL_B), 0x09, "IRET frees the task it leaves");
    cr_assert_eq(desc_type(SEL_A), 0x0b);
    cr_assert_eq(get32(TSS_B + 0x24) & RFLAGS_NT, 0, "NT cleared in the saved image");
    cr_assert_eq(get32(TSS_B + 0x20), 0x200010);
    cr_assert_eq(get32(TSS_B + 0x28), 0x55);
    cr_assert_eq(st.eip, 0x100123, "back where the CALL left");
    cr_assert_eq(st.eflags, 0x246);
    cr_assert_eq(st.gpr[3], 0xa0000003u);
    cr_assert_eq(st.tr.sel, SEL_A);
}

Test(task_switch, jmp_or_call_to_busy_task_is_gp)
{
    set_desc(SEL_B, desc(TSS_B, 0x67, 0x8b, 0));
    struct ts_state before = st;
    cr_assert_eq(do_switch(TS_CALL, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_GP);
    cr_assert_eq(res.error, SEL_B);
    cr_assert(!res.committed);
    cr_assert_eq(memcmp(&before, &st, sizeof(st)), 0, "state untouched");
    cr_assert_eq(get32(TSS_A + 0x20), 0, "nothing saved");
    cr_assert_eq(do_switch(TS_JMP, SEL_A), TS_FAULT, "JMP to itself: busy");
    cr_assert_eq(res.vector, X86_EXC_GP);
}

Test(task_switch, iret_to_free_task_is_ts)
{
    cr_assert_eq(do_switch(TS_IRET, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_B);
}

Test(task_switch, descriptor_checks)
{
    set_desc(SEL_B, desc(TSS_B, 0x67, 0x09, 0)); /* not present */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_NP);
    cr_assert_eq(res.error, SEL_B);
    set_desc(SEL_B, desc(TSS_B, 0x66, 0x89, 0)); /* limit one short */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_B);
    cr_assert_eq(do_switch(TS_JMP, SEL_DATA), TS_FAULT, "not a TSS");
    cr_assert_eq(res.vector, X86_EXC_GP);
    cr_assert_eq(res.error, SEL_DATA);
    cr_assert_eq(do_switch(TS_IRET, SEL_LDT), TS_FAULT, "an LDT is no TSS");
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(do_switch(TS_JMP, 0x80), TS_FAULT, "outside the GDT");
    cr_assert_eq(res.vector, X86_EXC_GP);
    cr_assert_eq(res.error, 0x80);
    cr_assert_eq(do_switch(TS_JMP, SEL_B | 4), TS_FAULT, "in the LDT");
    cr_assert_eq(res.vector, X86_EXC_GP);
    cr_assert_eq(res.error, SEL_B | 4);
    st.tr.limit = 0x50;
    set_desc(SEL_B, desc(TSS_B, 0x67, 0x89, 0));
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT, "old TSS too small");
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_A);
}

Test(task_switch, bad_ldt_faults_after_commit)
{
    put16(TSS_B + 0x60, SEL_DATA); /* not an LDT */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_DATA);
    cr_assert(res.committed, "in the new task's context");
    cr_assert_eq(st.tr.sel, SEL_B);
    cr_assert_eq(st.eip, 0x200000);
    cr_assert_eq(desc_type(SEL_B), 0x0b);
    cr_assert(strstr(msg, "LDT"), "%s", msg);

    setup();
    put16(TSS_B + 0x60, SEL_LDT | 4);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_LDT | 4, "the TI bit stays in the error code");

    setup();
    set_desc(SEL_LDT, desc(LDT_BASE, 0x17, 0x02, 0)); /* not present: #TS, not #NP */
    put16(TSS_B + 0x60, SEL_LDT);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_LDT);
}

Test(task_switch, ldt_loaded_and_used_for_segments)
{
    uint64_t code = desc(0x10000, 0xffff, 0x9b, 0x4);
    memcpy(ram + LDT_BASE + 8, &code, 8);
    put16(TSS_B + 0x60, SEL_LDT);
    put16(TSS_B + 0x4c, 0x0c); /* LDT entry 1, RPL 0 */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert_eq(st.ldtr.sel, SEL_LDT);
    cr_assert_eq(st.ldtr.base, LDT_BASE);
    cr_assert_eq(st.ldtr.limit, 0x17);
    cr_assert_eq(st.seg[TS_CS].base, 0x10000);
    cr_assert_eq(st.seg[TS_CS].sel, 0x0c);
}

Test(task_switch, segment_checks_and_their_faults)
{
    put16(TSS_B + 0x50, 0); /* null SS */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, 0);

    setup();
    set_desc(SEL_SPARE, desc(0, 0xfffff, 0x13, 0xc)); /* SS not present */
    put16(TSS_B + 0x50, SEL_SPARE);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_SS);
    cr_assert_eq(res.error, SEL_SPARE);

    setup();
    put16(TSS_B + 0x50, SEL_CODE); /* SS a code segment */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_CODE);

    setup();
    put16(TSS_B + 0x50, SEL_DPL3 | 3); /* SS DPL 3 with CPL 0 */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_DPL3);

    setup();
    set_desc(SEL_SPARE, desc(0, 0xfffff, 0x13, 0xc)); /* DS not present */
    put16(TSS_B + 0x54, SEL_SPARE);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_NP);
    cr_assert_eq(res.error, SEL_SPARE);
    cr_assert_eq(st.seg[TS_DS].sel, SEL_SPARE, "the selector is loaded");
    cr_assert_eq(st.seg[TS_SS].sel, SEL_DATA);

    setup();
    set_desc(SEL_SPARE, desc(0, 0xfffff, 0x9a & ~0x2, 0xc)); /* ES execute-only code */
    put16(TSS_B + 0x48, SEL_SPARE);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_SPARE);

    setup();
    set_desc(SEL_SPARE, desc(0, 0xfffff, 0x1b, 0xc)); /* CS not present */
    put16(TSS_B + 0x4c, SEL_SPARE);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_NP);
    cr_assert_eq(res.error, SEL_SPARE);

    setup();
    put16(TSS_B + 0x4c, SEL_DATA); /* CS a data segment */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_DATA);

    setup();
    put16(TSS_B + 0x4c, 0); /* null CS */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, 0);

    setup();
    put16(TSS_B + 0x5c, 0x78); /* GS outside the GDT */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, 0x78);
}

Test(task_switch, accessed_bit_set_on_load)
{
    set_desc(SEL_SPARE, desc(0, 0xfffff, 0x92, 0xc));
    put16(TSS_B + 0x54, SEL_SPARE);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert_eq(desc_type(SEL_SPARE), 0x13);
    cr_assert_eq(st.seg[TS_DS].ar & 0xff, 0x93);
}

Test(task_switch, sixteen_bit_tss)
{
    memset(ram + TSS_C, 0, 0x2c);
    put16(TSS_C + 0x0e, 0x0010); /* IP */
    put16(TSS_C + 0x10, 0x0002); /* FLAGS */
    put16(TSS_C + 0x12, 0x1234); /* AX */
    put16(TSS_C + 0x1a, 0x0ff0); /* SP */
    put16(TSS_C + 0x22, SEL_DATA16);
    put16(TSS_C + 0x24, SEL_CODE16);
    put16(TSS_C + 0x26, SEL_DATA16);
    put16(TSS_C + 0x28, SEL_DATA16);
    cr_assert_eq(do_switch(TS_CALL, SEL_C), TS_OK, "%s", msg);
    cr_assert_eq(desc_type(SEL_C), 0x03);
    cr_assert_eq(get16(TSS_C), SEL_A, "back-link");
    cr_assert_eq(st.eip, 0x10);
    cr_assert_eq(st.eflags, 0x4002, "NT set, upper half 0");
    cr_assert_eq(st.gpr[0], 0xffff1234u, "upper halves read 0xffff");
    cr_assert_eq(st.seg[TS_CS].base, 0x60000);
    cr_assert(st.seg[TS_FS].ar & AR_UNUSABLE, "FS null");
    cr_assert_eq(st.seg[TS_GS].sel, 0);
    cr_assert_eq(st.tr.ar & 0xf, 0x3);
    /* back with IRET: the 16-bit image is saved */
    st.eip = 0x22;
    st.gpr[0] = 0xffff4321u;
    cr_assert_eq(do_switch(TS_IRET, SEL_A), TS_OK, "%s", msg);
    cr_assert_eq(get16(TSS_C + 0x0e), 0x22);
    cr_assert_eq(get16(TSS_C + 0x12), 0x4321);
    cr_assert_eq(get16(TSS_C + 0x10) & RFLAGS_NT, 0);
    cr_assert_eq(get16(TSS_C + 0x2a), 0, "the LDT field is not written");
    cr_assert_eq(desc_type(SEL_C), 0x01);
    cr_assert_eq(st.eip, 0x100123);
}

Test(task_switch, sixteen_bit_tss_limit)
{
    set_desc(SEL_C, desc(TSS_C, 0x2a, 0x81, 0));
    cr_assert_eq(do_switch(TS_JMP, SEL_C), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, SEL_C);
}

/* 32-bit paging with 4-MiB pages: PD at pd maps the first 8 MiB 1:1 (CR4.PSE). */
static void paging_on(uint32_t pd, bool map_second)
{
    memset(ram + pd, 0, 4096);
    put32(pd, 0x000083);
    if (map_second)
        put32(pd + 4, 0x400083);
    pg.cr0 = st.cr0 = 0x80000011u;
    pg.cr4 = CR4_PSE;
    st.cr3 = pd;
}

Test(task_switch, cr3_loaded_with_paging)
{
    paging_on(0x6000, true);
    paging_on(0x7000, true);
    st.cr3 = 0x6000;
    put32(TSS_B + 0x1c, 0x7000);
    put32(TSS_B + 0x20, 0x500000); /* in the second 4 MiB */
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert(res.cr3_loaded);
    cr_assert_eq(st.cr3, 0x7000);
}

Test(task_switch, cr3_ignored_without_paging)
{
    put32(TSS_B + 0x1c, 0x7000);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert(!res.cr3_loaded);
    cr_assert_eq(st.cr3, 0);
}

Test(task_switch, cr3_pae_loads_pdptes)
{
    pg.cr0 = st.cr0 = 0x80000011u;
    pg.cr4 = CR4_PAE;
    put32(TSS_B + 0x1c, 0x8000);
    uint64_t e[4] = {0x9001, 0, 0, 0};
    memcpy(ram + 0x8000, e, sizeof(e));
    /* the old paging: PDPTEs in pg map the first 2 MiB through a PD at 0x9000 */
    pg.pdpte[0] = 0x9001;
    memset(ram + 0x9000, 0, 4096);
    uint64_t pde = 0x83;
    memcpy(ram + 0x9000, &pde, 8);
    put32(TSS_B + 0x20, 0x1000);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert(res.cr3_loaded);
    cr_assert_eq(res.pdpte[0], 0x9001);

    setup();
    pg.cr0 = st.cr0 = 0x80000011u;
    pg.cr4 = CR4_PAE;
    pg.pdpte[0] = 0x9001;
    memcpy(ram + 0x9000, &pde, 8);
    put32(TSS_B + 0x1c, 0x8000);
    e[1] = 0x9003; /* bit 1 reserved in a PAE PDPTE */
    memcpy(ram + 0x8000, e, sizeof(e));
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert(res.committed);
}

Test(task_switch, page_fault_on_new_tss_before_commit)
{
    paging_on(0x6000, false);
    set_desc(SEL_B, desc(0x400000, 0x67, 0x89, 0)); /* unmapped */
    struct ts_state before = st;
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_PF);
    cr_assert_eq(res.cr2, 0x400000);
    cr_assert_eq(res.error, 0, "not present, read, supervisor");
    cr_assert(!res.committed);
    cr_assert_eq(memcmp(&before, &st, sizeof(st)), 0);
    cr_assert_eq(desc_type(SEL_A), 0x0b, "old task still busy");
}

Test(task_switch, t_flag_gives_debug_trap)
{
    put16(TSS_B + 0x64, 1);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert(res.debug_trap);
    setup();
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK);
    cr_assert(!res.debug_trap);
}

Test(task_switch, gate_pushes_error_code_and_sets_ext)
{
    struct ts_request rq = {
        .source = TS_GATE, .selector = SEL_B, .ext = true, .has_error = true, .error = 0x1234};
    cr_assert_eq(ts_switch(&rq, &st, &pg, &mem, &res, msg, sizeof(msg)), TS_OK, "%s", msg);
    cr_assert_eq(st.gpr[4], 0x7fff0 - 4);
    cr_assert_eq(get32(0x7fff0 - 4), 0x1234);
    cr_assert_eq(get16(TSS_B), SEL_A, "a task gate links back like CALL");
    cr_assert(st.eflags & RFLAGS_NT);

    setup();
    put16(TSS_B + 0x4c, 0);
    cr_assert_eq(ts_switch(&rq, &st, &pg, &mem, &res, msg, sizeof(msg)), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_TS);
    cr_assert_eq(res.error, 1, "EXT set for an external event");
}

Test(task_switch, gate_error_code_needs_stack_room)
{
    set_desc(SEL_SPARE, desc(0, 0xff, 0x93, 0x4)); /* 256-byte stack segment */
    put16(TSS_B + 0x50, SEL_SPARE);
    put32(TSS_B + 0x38, 2);
    struct ts_request rq = {.source = TS_GATE, .selector = SEL_B, .has_error = true};
    cr_assert_eq(ts_switch(&rq, &st, &pg, &mem, &res, msg, sizeof(msg)), TS_FAULT);
    cr_assert_eq(res.vector, X86_EXC_SS);
    cr_assert(res.committed);
}

Test(task_switch, virtual_8086_task)
{
    put32(TSS_B + 0x24, 0x20202);
    put16(TSS_B + 0x4c, 0x1234);
    put16(TSS_B + 0x50, 0x2000);
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_OK, "%s", msg);
    cr_assert_eq(st.seg[TS_CS].base, 0x12340);
    cr_assert_eq(st.seg[TS_SS].base, 0x20000);
    cr_assert_eq(st.seg[TS_CS].ar, 0xf3);
    cr_assert_eq(st.seg[TS_CS].limit, 0xffff);
}

Test(task_switch, bad_arguments_and_memory)
{
    pg.efer = EFER_LMA;
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_ERR_ARG);
    pg.efer = 0;
    set_desc(SEL_B, desc(RAM_SIZE + 0x1000, 0x67, 0x89, 0));
    cr_assert_eq(do_switch(TS_JMP, SEL_B), TS_MEM_ERROR);
    cr_assert_eq(res.mem_gpa, RAM_SIZE + 0x1000);
    cr_assert_str_eq(ts_source_name(TS_GATE), "task gate");
    cr_assert_str_eq(ts_source_name((enum ts_source)7), "?");
}
