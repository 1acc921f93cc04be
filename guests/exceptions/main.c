/*
 * guests/exceptions/main.c - the exceptions test guest (book example 7-1), 32-bit protected
 * mode with paging. It takes, each through its own IDT (guests/lib/trap):
 *   #PF reading a page that is not present (error 0) and writing a read-only one with CR0.WP
 *   (error 3), each with CR2 = the address (SDM 4.7, 6.15 interrupt 14);
 *   #DE (DIV by 0); #GP(0x1230) (a selector beyond the GDT limit);
 *   #DF(0): a #GP whose gate is not present faults with #NP(0x6b: IDT, EXT) while it is delivered,
 * a contributory pair (SDM 6.15 table 6-5); #UD with its frame pushed on the page at EXC_LAZY_PAGE,
 * which the hypervisor's EPT leaves out until that first touch (eptlazy=): the delivery exits and
 * the #UD is injected again. Bare it prints the same lines (same_as_bare). Output and exit as
 * guests/lib/test.h says.
 */
#include <stdint.h>
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

#define EXC_NP_PAGE   0x600000u /* not present in the guest's page tables */
#define EXC_RO_PAGE   0x601000u /* present, read-only */
#define EXC_LAZY_PAGE 0x3ff000u /* the tests give eptlazy=0x3ff000 */
#define EXC_BAD_SEL   0x1230u

uint32_t exc_div0(void);
uint32_t exc_load(uint32_t addr);
uint32_t exc_store(uint32_t addr);
uint32_t exc_bad_selector(void);
uint32_t exc_ud_on_stack(uint32_t stack_top);

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[2][1024] __attribute__((aligned(4096)));

/* 0-8 MiB identity-mapped with 4K pages, present and writable (SDM 4.3), but two. */
static void paging_on(void)
{
    for (uint32_t i = 0; i < 2048; i++)
        pt[i / 1024][i % 1024] = (i << 12) | 3; /* P, R/W */
    pt[EXC_NP_PAGE >> 22][(EXC_NP_PAGE >> 12) & 1023] = 0;
    pt[EXC_RO_PAGE >> 22][(EXC_RO_PAGE >> 12) & 1023] &= ~2u;
    pd[0] = (uint32_t)(uintptr_t)pt[0] | 3;
    pd[1] = (uint32_t)(uintptr_t)pt[1] | 3;
    uint32_t cr0;
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pd) : "memory");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 |= (1u << 31) | (1u << 16); /* PG, WP: supervisor writes obey R/W (SDM 2.5) */
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

/* The IDT trap_init loaded (SIDT), to take a gate's present bit away. */
static volatile uint64_t *idt_base(void)
{
    struct __attribute__((packed)) {
        uint16_t limit; /* cppcheck-suppress unusedStructMember */
        uint32_t base;
    } p;
    __asm__ volatile("sidt %0" : "=m"(p));
    return (volatile uint64_t *)(uintptr_t)p.base;
}

static void check_pf(const char *what, uint32_t r, uint32_t addr, uint32_t error)
{
    test_checkf(r == 15 && trap_info.error == error && trap_info.cr2 == addr,
                "#PF %s: error 0x%x, CR2 0x%x (got vector %d, error 0x%x, CR2 0x%x)", what, error,
                addr, (int)r - 1, (unsigned)trap_info.error, (unsigned)trap_info.cr2);
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    (void)magic, (void)info;
    test_init("exceptions");
    trap_init();
    paging_on();
    test_note("paging on: 0x%x not present, 0x%x read-only", EXC_NP_PAGE, EXC_RO_PAGE);

    check_pf("reading a page that is not present", exc_load(EXC_NP_PAGE + 0x10), EXC_NP_PAGE + 0x10,
             0);
    check_pf("writing a read-only page", exc_store(EXC_RO_PAGE + 8), EXC_RO_PAGE + 8, 3);

    uint32_t r = exc_div0();
    test_checkf(r == 1, "#DE from DIV by 0 (got vector %d)", (int)r - 1);

    r = exc_bad_selector();
    test_checkf(r == 14 && trap_info.error == EXC_BAD_SEL,
                "#GP(0x%x) from a selector beyond the GDT limit (got vector %d, error 0x%x)",
                EXC_BAD_SEL, (int)r - 1, (unsigned)trap_info.error);

    /* #GP while its gate is not present: #NP(13 * 8 + 2 + 1: IDT and EXT, SDM 6.13) during the
     * delivery of a contributory exception, so #DF(0) (SDM 6.15 table 6-5) */
    volatile uint64_t *idt = idt_base();
    idt[13] &= ~(1ull << 47);
    r = exc_bad_selector();
    idt[13] |= 1ull << 47;
    test_checkf(r == 9 && trap_info.error == 0,
                "#DF(0) from #NP(0x6b) while #GP is delivered (got vector %d, error 0x%x)",
                (int)r - 1, (unsigned)trap_info.error);

    /* #UD whose frame goes on a page touched for the first time: EIP, CS, EFLAGS pushed below
     * the top (SDM 6.12.1) */
    volatile uint32_t *top = (volatile uint32_t *)(uintptr_t)(EXC_LAZY_PAGE + 4096);
    r = exc_ud_on_stack(EXC_LAZY_PAGE + 4096);
    test_checkf(r == 7 && top[-2] == 0x08 && top[-3] == trap_info.eip,
                "#UD delivered with its frame on a fresh page (got vector %d, CS 0x%x)", (int)r - 1,
                (unsigned)top[-2]);
    test_finish();
}
