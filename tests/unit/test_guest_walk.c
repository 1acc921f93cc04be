/* tests/unit/test_guest_walk.c - the guest page walker (vm/guest_walk): every paging mode,
 * every page-fault error-code bit, reserved bits, accessed/dirty flags, the copy helpers. The
 * guest's RAM is a host buffer; page tables are written into it by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/unit/guest_ram.h"
#include "vm/guest_walk.h"

#define RAM_SIZE (2u << 20)
static uint8_t ram[RAM_SIZE];
static int pte_writes, changed_once;

static int rd_pte(void *ctx, uint64_t gpa, uint64_t *val)
{
    (void)ctx;
    if (gpa + 8 > RAM_SIZE || (gpa & 7))
        return -1;
    memcpy(val, ram + gpa, 8);
    return 0;
}

static int wr_pte(void *ctx, uint64_t gpa, uint64_t old, uint64_t val)
{
    (void)ctx;
    uint64_t cur;
    if (gpa + 8 > RAM_SIZE)
        return -1;
    memcpy(&cur, ram + gpa, 8);
    if (changed_once) { /* another CPU changes the entry once, before our update */
        changed_once = 0;
        cur |= 1ULL << 9;
        memcpy(ram + gpa, &cur, 8);
    }
    if (cur != old)
        return GW_MEM_CHANGED;
    memcpy(ram + gpa, &val, 8);
    pte_writes++;
    return 0;
}

static struct test_ram tram = {ram, RAM_SIZE};
static const struct gw_mem mem = {&tram, rd_pte, wr_pte, test_ram_read, test_ram_write};

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    pte_writes = 0;
    changed_once = 0;
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(guest_walk, .init = setup);

static void put64(uint64_t gpa, uint64_t v)
{
    memcpy(ram + gpa, &v, 8);
}

static uint64_t get64(uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, ram + gpa, 8);
    return v;
}

static void put32(uint64_t gpa, uint32_t v)
{
    memcpy(ram + gpa, &v, 4);
}

static uint32_t get32(uint64_t gpa)
{
    uint32_t v;
    memcpy(&v, ram + gpa, 4);
    return v;
}

#define P   GW_PTE_P
#define RW  GW_PTE_RW
#define US  GW_PTE_US
#define PS  GW_PTE_PS
#define XD  GW_PTE_XD
#define URW (P | RW | US)

/* 4-level state: CR3 = 0x1000, PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000 */
static struct gw_state long_state(void)
{
    struct gw_state s = {
        .cr0 = CR0_PG | CR0_WP | 1,
        .cr3 = 0x1000,
        .cr4 = CR4_PAE,
        .efer = EFER_LME | EFER_LMA | EFER_NXE,
        .maxphyaddr = 40,
        .page1gb = true,
        .pse36 = true,
    };
    return s;
}

/* maps linear 0x0000_0000 - 0x001f_ffff (PT at 0x4000) with flags `f` at every level */
static void long_tables(uint64_t f)
{
    put64(0x1000, 0x2000 | f);
    put64(0x2000, 0x3000 | f);
    put64(0x3000, 0x4000 | f);
}

static int tr(const struct gw_state *s, uint64_t la, unsigned acc, struct gw_result *r)
{
    return gw_translate(s, &mem, la, acc, r);
}

Test(guest_walk, no_paging_is_identity_in_32_bits)
{
    struct gw_state s = {.maxphyaddr = 36};
    struct gw_result r;
    cr_assert_eq(gw_paging_mode(&s), GW_MODE_NONE);
    cr_assert_eq(tr(&s, 0x1234567890ULL, GW_WRITE, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x34567890);
    cr_expect_eq(r.page_size, 4096);
}

Test(guest_walk, paging_modes)
{
    struct gw_state s = long_state();
    cr_expect_eq(gw_paging_mode(&s), GW_MODE_4LEVEL);
    s.cr4 |= CR4_LA57;
    cr_expect_eq(gw_paging_mode(&s), GW_MODE_5LEVEL);
    s.efer = 0;
    cr_expect_eq(gw_paging_mode(&s), GW_MODE_PAE);
    s.cr4 = 0;
    cr_expect_eq(gw_paging_mode(&s), GW_MODE_32BIT);
}

Test(guest_walk, four_level_4k_page)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000 + 5 * 8, 0x9000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x5abc, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x9abc);
    cr_expect_eq(r.page_size, 4096);
    cr_expect(r.user && r.writable && !r.nx);
}

Test(guest_walk, four_level_2m_and_1g_pages)
{
    struct gw_state s = long_state();
    put64(0x1000, 0x2000 | URW);
    put64(0x2000 + 8, 0x40000000 | URW | PS);   /* 1 GiB at linear 1 GiB */
    put64(0x2000, 0x3000 | URW);                /* PD for the first GiB */
    put64(0x3000 + 8 * 3, 0x00e00000 | P | PS); /* 2 MiB page at linear 6 MiB, read-only */
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x40123456, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x40123456);
    cr_expect_eq(r.page_size, 1ULL << 30);
    cr_assert_eq(tr(&s, 0x6abcde, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0xeabcde);
    cr_expect_eq(r.page_size, 2ULL << 20);
    cr_expect(!r.user && !r.writable);
    /* the PAT bit (12) of a large page is not an address bit */
    put64(0x3000 + 8 * 3, 0x00e00000 | P | PS | (1 << 12));
    cr_assert_eq(tr(&s, 0x600000, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0xe00000);
}

Test(guest_walk, five_level_uses_bits_56_to_48)
{
    struct gw_state s = long_state();
    s.cr4 |= CR4_LA57;
    s.cr3 = 0x5000;
    uint64_t la = (3ULL << 48) | 0x7123;
    put64(0x5000 + 3 * 8, 0x1000 | URW); /* PML5[3] -> PML4 at 0x1000 */
    long_tables(URW);
    put64(0x4000 + 7 * 8, 0xa000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, la, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0xa123);
    /* the same address is not canonical with 4-level paging, and the walker says so */
    s.cr4 &= ~CR4_LA57;
    cr_expect_not(gw_canonical(&s, la));
    cr_expect_eq(tr(&s, la, 0, &r), GW_NONCANONICAL);
    cr_expect_eq(r.cr2, la);
    cr_expect(gw_canonical(&s, 0xffff800000000000ULL));
    cr_expect_not(gw_canonical(&s, 0x0000800000000000ULL));
}

Test(guest_walk, not_present_at_each_level)
{
    struct gw_state s = long_state();
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x1000, 0, &r), GW_PAGE_FAULT); /* PML4E not present */
    cr_expect_eq(r.error_code, 0);
    cr_expect_eq(r.cr2, 0x1000);
    long_tables(URW);
    cr_assert_eq(tr(&s, 0x1000, GW_WRITE, &r), GW_PAGE_FAULT); /* PTE not present */
    cr_expect_eq(r.error_code, PF_ERR_W);
    s.cpl = 3;
    cr_assert_eq(tr(&s, 0x1000, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_W | PF_ERR_U);
    cr_assert_eq(tr(&s, 0x1000, GW_FETCH, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_U | PF_ERR_I, "I/D with NXE, W/R clear for a fetch");
}

Test(guest_walk, reserved_bits_four_level)
{
    struct gw_state s = long_state();
    struct gw_result r;
    long_tables(URW);
    put64(0x4000, (1ULL << 40) | 0x9000 | URW); /* above MAXPHYADDR 40 */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    s.maxphyaddr = 41; /* now bit 40 is an address bit */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, (1ULL << 40) | 0x9000);

    s.maxphyaddr = 40;
    put64(0x4000, 0x9000 | URW | (0x7ffULL << 52)); /* bits 62:52 are ignored */
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);
    put64(0x4000, 0x9000 | URW | XD); /* XD is reserved without NXE */
    s.efer &= ~EFER_NXE;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    s.efer |= EFER_NXE;
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);

    put64(0x1000, 0x2000 | URW | PS); /* PS in a PML4E */
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD | PF_ERR_W);
    long_tables(URW);
    put64(0x3000, 0x200000 | URW | PS | (1ULL << 13)); /* 2 MiB page, bit 13 */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    put64(0x2000, 0x40000000 | URW | PS | (1ULL << 29)); /* 1 GiB page, bit 29 */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    put64(0x2000, 0x40000000 | URW | PS);
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);
    s.page1gb = false; /* PS in a PDPTE without 1-GiB pages is reserved */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
}

Test(guest_walk, reserved_bit_before_not_present_below)
{
    struct gw_state s = long_state();
    struct gw_result r;
    put64(0x1000, 0x2000 | URW | (1ULL << 45)); /* reserved in the PML4E, PDPT empty */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    put64(0x1000, (1ULL << 45) | (URW & ~P)); /* not present: reserved bits are not checked */
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, 0);
}

Test(guest_walk, pae_paging)
{
    struct gw_state s = long_state();
    s.efer = EFER_NXE; /* PAE paging: no LMA */
    s.pdpte[2] = 0x3000 | P;
    put64(0x3000 + 8 * 1, 0x4000 | URW);        /* PD[1] -> PT */
    put64(0x4000 + 8 * 2, 0x7000 | URW | XD);   /* 4 KiB, execute-disable */
    put64(0x3000 + 8 * 5, 0x600000 | URW | PS); /* 2 MiB */
    uint64_t la = 0x80000000ULL | (1 << 21) | (2 << 12) | 0x10;
    struct gw_result r;
    cr_assert_eq(gw_paging_mode(&s), GW_MODE_PAE);
    cr_assert_eq(tr(&s, la | 0xffffffff00000000ULL, 0, &r), GW_OK, "32-bit linear address");
    cr_expect_eq(r.gpa, 0x7010);
    cr_expect(r.nx);
    cr_assert_eq(tr(&s, la, GW_FETCH, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_I);
    cr_assert_eq(tr(&s, 0x80a12345, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x612345);
    cr_expect_eq(r.page_size, 2u << 20);
    /* PDPTE 0 not present, PDPTE 2 with reserved bits 2:1 and 8:5 */
    cr_assert_eq(tr(&s, 0x1000, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, 0);
    s.pdpte[2] = 0x3000 | P | RW;
    cr_assert_eq(tr(&s, la, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    s.pdpte[2] = 0x3000 | P | (1 << 6);
    cr_assert_eq(tr(&s, la, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    /* PAE: bits 62:M of a PDE are reserved (they are ignored in 4-level paging) */
    s.pdpte[2] = 0x3000 | P;
    put64(0x3000 + 8 * 1, 0x4000 | URW | (1ULL << 55));
    cr_assert_eq(tr(&s, la, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    /* the PDPTE registers are used, never the memory CR3 points at */
    put64(0x1000, 0);
    cr_expect_eq(tr(&s, 0x80a12345, 0, &r), GW_OK);
}

/* 32-bit paging: CR3 = 0x1000, PD at 0x1000, PT at 0x2000 */
static struct gw_state legacy_state(void)
{
    struct gw_state s = {
        .cr0 = CR0_PG | CR0_WP | 1, .cr3 = 0x1000, .maxphyaddr = 40, .pse36 = true};
    return s;
}

Test(guest_walk, legacy_4k_and_4m_pages)
{
    struct gw_state s = legacy_state();
    put32(0x1000 + 4 * 1, 0x2000 | URW);                         /* PDE[1]: 4-8 MiB via PT */
    put32(0x2000 + 4 * 3, 0x9000 | URW);                         /* PTE[3] */
    put32(0x1000 + 4 * 2, 0x00c00000 | URW | PS);                /* PDE[2]: 4 MiB page */
    put32(0x1000 + 4 * 3, 0x00c00000 | URW | PS | (0x12 << 13)); /* PSE-36: bits 39:32 */
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x403abc, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x9abc);
    /* without CR4.PSE the PS bit is ignored: PDE[2] is a page table at 0xc00000 */
    cr_assert_eq(tr(&s, 0x812345, 0, &r), GW_MEM_ERROR);
    cr_expect_eq(r.mem_gpa, 0xc00048); /* PTE 0x12 of that table */
    s.cr4 = CR4_PSE;
    cr_assert_eq(tr(&s, 0x812345, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0xc12345);
    cr_expect_eq(r.page_size, 4u << 20);
    cr_assert_eq(tr(&s, 0xc12345, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x1200c12345ULL);
    /* MAXPHYADDR 36: bits 21:17 are reserved, so 0x12 << 13 (bit 17) faults */
    s.maxphyaddr = 36;
    cr_assert_eq(tr(&s, 0xc12345, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    put32(0x1000 + 4 * 3, 0x00c00000 | URW | PS | (0x9 << 13));
    cr_assert_eq(tr(&s, 0xc12345, 0, &r), GW_OK);
    cr_expect_eq(r.gpa, 0x900c12345ULL);
    /* no PSE-36: bits 21:13 are all reserved */
    s.pse36 = false;
    cr_assert_eq(tr(&s, 0xc12345, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_RSVD);
    /* bit 63 of a PTE does not exist: NXE is ignored and fetches never set I/D */
    s.efer = EFER_NXE;
    put32(0x2000 + 4 * 4, 0x9000 | P);
    s.cpl = 3;
    cr_assert_eq(tr(&s, 0x404000, GW_FETCH, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_U);
}

Test(guest_walk, supervisor_write_and_cr0_wp)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000, 0x9000 | P | US); /* user, read-only */
    put64(0x4008, 0xa000 | P);      /* supervisor, read-only */
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x1000, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W);
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    s.cr0 &= ~CR0_WP;
    cr_expect_eq(tr(&s, 0x1000, GW_WRITE, &r), GW_OK);
    cr_expect_eq(tr(&s, 0x0, GW_WRITE, &r), GW_OK);
    s.cpl = 3; /* WP does not matter to user-mode writes */
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    cr_assert_eq(tr(&s, 0x1000, 0, &r), GW_PAGE_FAULT, "user read of a supervisor page");
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_U);
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);
}

Test(guest_walk, user_bit_must_be_set_at_every_level)
{
    struct gw_state s = long_state();
    s.cpl = 3;
    long_tables(URW);
    put64(0x2000, 0x3000 | P | RW); /* PDPTE without U/S */
    put64(0x4000, 0x9000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_U);
    s.cpl = 0;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_OK);
    cr_expect_not(r.user);
}

Test(guest_walk, smap_and_implicit_accesses)
{
    struct gw_state s = long_state();
    s.cr4 |= CR4_SMAP;
    long_tables(URW);
    put64(0x4000, 0x9000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x10, 0, &r), GW_PAGE_FAULT, "SMAP, AC = 0");
    cr_expect_eq(r.error_code, PF_ERR_P);
    cr_assert_eq(tr(&s, 0x10, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W);
    s.ac = true;
    cr_expect_eq(tr(&s, 0x10, GW_WRITE, &r), GW_OK, "explicit access with AC = 1");
    cr_assert_eq(tr(&s, 0x10, GW_IMPLICIT, &r), GW_PAGE_FAULT, "implicit: AC does not help");
    s.cpl = 3; /* an implicit access at CPL 3 is a supervisor-mode access: U/S clear */
    cr_assert_eq(tr(&s, 0x10, GW_IMPLICIT | GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W);
    cr_expect_eq(tr(&s, 0x10, GW_WRITE, &r), GW_OK, "user-mode access to a user page");
    s.cr4 &= ~CR4_SMAP;
    cr_expect_eq(tr(&s, 0x10, GW_IMPLICIT, &r), GW_OK);
}

Test(guest_walk, smep_and_execute_disable)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000, 0x9000 | URW);
    put64(0x4008, 0xa000 | P | RW | XD);
    struct gw_result r;
    cr_expect_eq(tr(&s, 0x0, GW_FETCH, &r), GW_OK, "supervisor fetch from a user page");
    s.cr4 |= CR4_SMEP;
    cr_assert_eq(tr(&s, 0x0, GW_FETCH, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_I);
    cr_assert_eq(tr(&s, 0x1000, GW_FETCH, &r), GW_PAGE_FAULT, "XD");
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_I);
    cr_expect_eq(tr(&s, 0x1000, 0, &r), GW_OK, "XD does not stop reads");
    s.cpl = 3;
    cr_expect_eq(tr(&s, 0x0, GW_FETCH, &r), GW_OK, "SMEP does not stop user fetches");
    /* I/D from SMEP alone: 32-bit paging has no NXE */
    struct gw_state l = legacy_state();
    l.cr4 = CR4_SMEP;
    cr_assert_eq(tr(&l, 0x400000, GW_FETCH, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_I);
}

Test(guest_walk, protection_keys)
{
    struct gw_state s = long_state();
    s.cr4 |= CR4_PKE;
    long_tables(URW);
    put64(0x4000, 0x9000 | URW | (5ULL << 59));    /* user page, key 5 */
    put64(0x4008, 0xa000 | P | RW | (5ULL << 59)); /* supervisor page: keys do not apply */
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_OK);
    cr_expect_eq(r.pkey, 5);
    s.pkru = 1u << 10; /* AD5 */
    s.cpl = 3;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_U | PF_ERR_PK);
    cr_expect_eq(tr(&s, 0x0, GW_FETCH, &r), GW_OK, "keys do not apply to fetches");
    s.cpl = 0;
    cr_expect_eq(tr(&s, 0x1000, 0, &r), GW_OK);
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_PAGE_FAULT, "AD applies to supervisor accesses too");
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_PK);
    s.pkru = 1u << 11; /* WD5 */
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT, "WD with CR0.WP");
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_PK);
    s.cr0 &= ~CR0_WP;
    cr_expect_eq(tr(&s, 0x0, GW_WRITE, &r), GW_OK, "WD ignored by supervisor writes, WP = 0");
    s.cpl = 3;
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_PK);
    /* a read-only page and WD: both reasons, the PK bit is set by the key rule */
    put64(0x4000, 0x9000 | P | US | (5ULL << 59));
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_U | PF_ERR_PK);
    s.pkru = 0;
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.error_code, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    /* without CR4.PKE the key bits are ignored */
    s.cr4 &= ~CR4_PKE;
    s.pkru = ~0u;
    cr_expect_eq(tr(&s, 0x0, 0, &r), GW_OK);
}

Test(guest_walk, accessed_and_dirty_flags)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000, 0x9000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x0, GW_WRITE, &r), GW_OK);
    cr_expect_eq(pte_writes, 0, "no A/D without GW_SET_AD");
    cr_assert_eq(tr(&s, 0x0, GW_SET_AD, &r), GW_OK);
    cr_expect_eq(get64(0x1000), 0x2000 | URW | GW_PTE_A);
    cr_expect_eq(get64(0x2000), 0x3000 | URW | GW_PTE_A);
    cr_expect_eq(get64(0x3000), 0x4000 | URW | GW_PTE_A);
    cr_expect_eq(get64(0x4000), 0x9000 | URW | GW_PTE_A, "a read does not set D");
    cr_expect_eq(pte_writes, 4);
    cr_assert_eq(tr(&s, 0x0, GW_SET_AD | GW_WRITE, &r), GW_OK);
    cr_expect_eq(get64(0x4000), 0x9000 | URW | GW_PTE_A | GW_PTE_D);
    cr_expect_eq(get64(0x3000), 0x4000 | URW | GW_PTE_A, "D only in the last entry");
    cr_expect_eq(pte_writes, 5, "entries already set are not written");
    /* a faulting access sets nothing */
    put64(0x4008, 0xa000 | P | US);
    cr_assert_eq(tr(&s, 0x1000, GW_SET_AD | GW_WRITE, &r), GW_PAGE_FAULT);
    cr_expect_eq(get64(0x4008), 0xa000 | P | US);
    /* D in a 2 MiB page's PDE */
    put64(0x3008, 0x200000 | URW | PS);
    cr_assert_eq(tr(&s, 0x200000, GW_SET_AD | GW_WRITE, &r), GW_OK);
    cr_expect_eq(get64(0x3008), 0x200000 | URW | PS | GW_PTE_A | GW_PTE_D);
}

Test(guest_walk, accessed_flag_retry_when_entry_changes)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000, 0x9000 | URW);
    changed_once = 1;
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x0, GW_SET_AD, &r), GW_OK);
    cr_expect_eq(get64(0x1000), 0x2000 | URW | GW_PTE_A | (1 << 9), "the new value kept");
}

Test(guest_walk, legacy_accessed_dirty_in_the_right_half)
{
    struct gw_state s = legacy_state();
    put32(0x1000, 0x2000 | URW);
    put32(0x2000 + 4 * 1, 0x9000 | URW); /* odd PTE: upper half of a qword */
    put32(0x2000, 0x8000 | URW);
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x1000, GW_WRITE | GW_SET_AD, &r), GW_OK);
    cr_expect_eq(get32(0x2004), 0x9000 | URW | GW_PTE_A | GW_PTE_D);
    cr_expect_eq(get32(0x2000), 0x8000 | URW, "the neighbour is untouched");
    cr_expect_eq(get32(0x1000), 0x2000 | URW | GW_PTE_A);
}

Test(guest_walk, memory_errors_are_not_page_faults)
{
    struct gw_state s = long_state();
    put64(0x1000, 0x40000000ULL | URW); /* PDPT outside the 2 MiB of RAM */
    struct gw_result r;
    cr_assert_eq(tr(&s, 0x0, 0, &r), GW_MEM_ERROR);
    cr_expect_eq(r.mem_gpa, 0x40000000ULL);
    char msg[120];
    gw_describe(GW_MEM_ERROR, &r, msg, sizeof(msg));
    cr_expect_str_eq(msg, "guest-physical 0x40000000 is not RAM (or kept changing)");
}

Test(guest_walk, bad_arguments)
{
    struct gw_state s = long_state();
    struct gw_result r;
    s.maxphyaddr = 0;
    cr_expect_eq(tr(&s, 0, 0, &r), GW_ERR_ARG);
    s.maxphyaddr = 53;
    cr_expect_eq(tr(&s, 0, 0, &r), GW_ERR_ARG);
    s.maxphyaddr = 40;
    s.cpl = 4;
    cr_expect_eq(tr(&s, 0, 0, &r), GW_ERR_ARG);
    s.cpl = 0;
    cr_expect_eq(gw_translate(&s, NULL, 0, 0, &r), GW_ERR_ARG);
    cr_expect_eq(gw_translate(&s, &mem, 0, 0, NULL), GW_ERR_ARG);
}

Test(guest_walk, describe_page_faults)
{
    struct gw_result r = {.cr2 = 0x7fff0000, .error_code = PF_ERR_P | PF_ERR_W | PF_ERR_U};
    char msg[120];
    int n = gw_describe(GW_PAGE_FAULT, &r, msg, sizeof(msg));
    cr_expect_str_eq(
        msg, "page fault at 0x7fff0000, error code 0x7 (protection violation, write, user)");
    cr_expect_eq((size_t)n, strlen(msg));
    r.error_code = PF_ERR_I;
    gw_describe(GW_PAGE_FAULT, &r, msg, sizeof(msg));
    cr_expect_str_eq(msg, "page fault at 0x7fff0000, error code 0x10 (not present, fetch, "
                          "supervisor)");
    r.error_code = PF_ERR_P | PF_ERR_RSVD | PF_ERR_PK;
    gw_describe(GW_PAGE_FAULT, &r, msg, sizeof(msg));
    cr_expect_str_eq(msg, "page fault at 0x7fff0000, error code 0x29 (reserved bit set, read, "
                          "supervisor, protection key)");
}

/* linear 0x1000 -> 0x9000, 0x2000 -> 0x5000 (not contiguous), 0x3000 not present */
static struct gw_state copy_state(void)
{
    struct gw_state s = long_state();
    long_tables(URW);
    put64(0x4000 + 8, 0x9000 | URW);
    put64(0x4000 + 16, 0x5000 | URW);
    return s;
}

Test(guest_walk, copy_across_pages)
{
    struct gw_state s = copy_state();
    uint8_t out[32], in[32];
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(i + 1);
    struct gw_result r;
    cr_assert_eq(gw_write(&s, &mem, 0x1ff0, out, 32, GW_SET_AD, &r), GW_OK);
    cr_expect_arr_eq(ram + 0x9ff0, out, 16);
    cr_expect_arr_eq(ram + 0x5000, out + 16, 16);
    cr_expect(get64(0x4008) & GW_PTE_D);
    cr_expect(get64(0x4010) & GW_PTE_D);
    memset(in, 0, sizeof(in));
    cr_assert_eq(gw_read(&s, &mem, 0x1ff0, in, 32, 0, &r), GW_OK);
    cr_expect_arr_eq(in, out, 32);
}

Test(guest_walk, copy_faults_at_the_first_bad_page)
{
    struct gw_state s = copy_state();
    uint8_t out[32];
    memset(out, 0xab, sizeof(out));
    struct gw_result r;
    cr_assert_eq(gw_write(&s, &mem, 0x2ff8, out, 16, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.cr2, 0x3000, "CR2 is the first byte of the faulting page");
    cr_expect_eq(r.error_code, PF_ERR_W);
    cr_expect_eq(ram[0x5ff8], 0, "nothing written when a later page faults");
    uint8_t in[16];
    ram[0x5ffe] = 0x5a;
    cr_assert_eq(gw_read(&s, &mem, 0x2ff8, in, 16, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.cr2, 0x3000);
    cr_expect_eq(r.error_code, 0);
    cr_expect_eq(in[6], 0x5a, "bytes before the fault were read");
    cr_assert_eq(gw_read(&s, &mem, 0x0ff0, in, 16, 0, &r), GW_PAGE_FAULT);
    cr_expect_eq(r.cr2, 0x0ff0, "first page faults: CR2 is the address itself");
}

Test(guest_walk, copy_wraps_at_4g_in_32_bit_modes)
{
    struct gw_state s = legacy_state();
    put32(0x1000 + 4 * 1023, 0x2000 | URW); /* PDE for 0xffc00000 */
    put32(0x2000 + 4 * 1023, 0x9000 | URW); /* 0xfffff000 -> 0x9000 */
    put32(0x1000, 0x3000 | URW);
    put32(0x3000, 0x5000 | URW); /* 0x0 -> 0x5000 */
    uint8_t out[4] = {1, 2, 3, 4};
    struct gw_result r;
    cr_assert_eq(gw_write(&s, &mem, 0xfffffffe, out, 4, 0, &r), GW_OK);
    cr_expect_eq(ram[0x9ffe], 1);
    cr_expect_eq(ram[0x9fff], 2);
    cr_expect_eq(ram[0x5000], 3);
    cr_expect_eq(ram[0x5001], 4);
}
