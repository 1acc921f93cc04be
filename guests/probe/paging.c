/*
 * guests/probe/paging.c - the probes that need the guest's own page tables (PAE paging, SDM
 * 4.4): the identity map of the first GiB with 2 MiB pages, except 2-4 MiB, mapped with 4 KiB
 * pages so one of them (MISSING) can be left out.
 *   do=pae   turns PAE paging on with one MOV to CR0 that also sets CR0.NE, a bit the
 *            hypervisor owns: the write exits, and the hypervisor must load the PDPTEs (with
 *            EPT the CPU takes them from the VMCS at VM entry, SDM 27.3.2.4); then a PDPTE
 *            with a reserved bit must make the same kind of write fault with #GP (SDM 4.4.1).
 *   do=strio REP OUTSB and REP INSB, emulated by the hypervisor through these tables: to the
 *            UART and the debug console from a buffer across a page boundary, 20,000 bytes
 *            to a port without a device (many exits' worth), 6000 bytes in from it, and a
 *            REP INSB that runs onto the missing page: #PF with CR2 at its first byte,
 *            error code "write, not present", and ECX/EDI showing the bytes done (SDM vol. 2
 *            INS; 4.7).
 */
#include <string.h>
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/probe/probe.h"

#define CR0_PG  (1u << 31)
#define CR0_NE  (1u << 5)
#define CR4_PAE (1u << 5)
#define PTE_P   1ull
#define PTE_RW  2ull
#define PTE_PS  0x80ull
#define MISSING 0x300000u /* the page left out of the 4 KiB map */
#define PF      (14 + 1)
#define GP      (13 + 1)

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));

static void build_tables(void)
{
    for (unsigned i = 0; i < 512; i++) {
        pd[i] = (uint64_t)i * 0x200000 | PTE_P | PTE_RW | PTE_PS;
        pt[i] = (0x200000ull + (uint64_t)i * 4096) | PTE_P | PTE_RW;
    }
    pd[1] = (uint32_t)(uintptr_t)pt | PTE_P | PTE_RW; /* 2-4 MiB in 4 KiB pages */
    pt[(MISSING - 0x200000) / 4096] = 0;
    pdpt[0] = (uint32_t)(uintptr_t)pd | PTE_P; /* PAE PDPTE: P only (bits 2:1, 8:5 reserved) */
}

/* PAE paging on: CR4.PAE and CR3 (neither exits), then CR0.PG together with CR0.NE in one
 * write (which exits when NE changes). Returns safe_write_cr0's result. */
static uint32_t paging_on(void)
{
    uint32_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    safe_write_cr4(cr4 | CR4_PAE);
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)(uintptr_t)pdpt) : "memory");
    return safe_write_cr0((uint32_t)read_cr0() | CR0_PG | CR0_NE);
}

void probe_pae(void)
{
    build_tables();
    uint32_t cr0 = (uint32_t)read_cr0();
    test_checkf(!(cr0 & CR0_NE), "CR0.NE starts clear (CR0 0x%x), so setting it exits",
                (unsigned)cr0);
    uint32_t r = paging_on();
    /* Still running: the instruction fetches after the write went through the new tables. */
    test_checkf(r == 0, "MOV to CR0 with PG and NE (0x%x) completed",
                (unsigned)(cr0 | CR0_PG | CR0_NE));
    test_checkf((uint32_t)read_cr0() == (cr0 | CR0_PG | CR0_NE), "CR0 reads back 0x%x",
                (unsigned)(uint32_t)read_cr0());
    volatile uint32_t *probe = (volatile uint32_t *)(uintptr_t)0x3ff000; /* a 4 KiB page */
    *probe = 0x5a5aa5a5;
    test_check(*probe == 0x5a5aa5a5, "memory reads and writes through PAE paging");

    /* Paging off (PG alone is the guest's: no exit), a PDPTE with reserved bit 1, and PG on
     * again in a write that clears NE (exits): the PDPTE load must fault. */
    safe_write_cr0((uint32_t)read_cr0() & ~CR0_PG);
    pdpt[1] = (uint32_t)(uintptr_t)pd | PTE_P | 2;
    r = safe_write_cr0(((uint32_t)read_cr0() | CR0_PG) & ~CR0_NE);
    test_checkf(r == GP, "a present PDPTE with a reserved bit: MOV to CR0 raises #GP (%u)",
                (unsigned)r);
    test_check(!((uint32_t)read_cr0() & CR0_PG), "after the #GP paging is still off");
}

static char buf[3 * 4096] __attribute__((aligned(4096)));

void probe_strio(void)
{
    static const char line_uart[] = "probe: strio: REP OUTSB to the UART, across a page\n";
    static const char line_e9[] = "probe: strio: REP OUTSB to port 0xe9, across a page\n";
    build_tables();
    if (!test_check(paging_on() == 0, "PAE paging on"))
        return;
    /* 1, 2: lines that straddle the boundary between buf's first and second page */
    char *at = buf + 4096 - 20;
    memcpy(at, line_uart, sizeof(line_uart) - 1);
    test_check(safe_rep_outsb(0x3f8, at, sizeof(line_uart) - 1) == 0, "REP OUTSB to the UART");
    memcpy(at, line_e9, sizeof(line_e9) - 1);
    test_check(safe_rep_outsb(0xe9, at, sizeof(line_e9) - 1) == 0, "REP OUTSB to port 0xe9");
    /* 3: many elements: done in chunks, re-entered where it stopped */
    uint32_t ecx;
    __asm__ volatile("cld; rep outsb"
                     : "=c"(ecx)
                     : "c"(20000), "d"(0x4d4), "S"((uint32_t)(uintptr_t)buf)
                     : "memory");
    test_checkf(ecx == 0, "REP OUTSB of 20000 bytes ran to the end (ECX %u)", (unsigned)ecx);
    /* 4: in from a port without a device: all ones */
    memset(buf, 0, sizeof(buf));
    test_check(safe_rep_insb(0x4d4, buf + 100, 6000) == 0, "REP INSB of 6000 bytes");
    unsigned ones = 0;
    for (unsigned i = 100; i < 6100; i++)
        ones += (uint8_t)buf[i] == 0xff;
    test_checkf(ones == 6000 && buf[99] == 0 && buf[6100] == 0,
                "every byte read 0xff, none beyond (%u of 6000)", ones);
    /* 5: onto the missing page: #PF after 16 bytes */
    uint32_t r = safe_rep_insb(0x4d4, (void *)(uintptr_t)(MISSING - 16), 64);
    test_checkf(r == PF, "REP INSB onto a missing page raises #PF (%u)", (unsigned)r);
    test_checkf(trap_info.cr2 == MISSING, "CR2 is the missing page's first byte (0x%x)",
                (unsigned)trap_info.cr2);
    test_checkf(trap_info.error == 2, "error code: write, not present (0x%x)",
                (unsigned)trap_info.error);
    test_checkf(trap_info.ecx == 48 && trap_info.edi == MISSING,
                "16 bytes done: ECX 48 left, EDI at the page (ECX %u, EDI 0x%x)",
                (unsigned)trap_info.ecx, (unsigned)trap_info.edi);
    uint8_t *before = (uint8_t *)(uintptr_t)(MISSING - 16);
    test_check(before[0] == 0xff && before[15] == 0xff, "the bytes before the page arrived");
    /* 6: a count of 0 moves nothing */
    test_check(safe_rep_insb(0x4d4, buf, 0) == 0, "REP INSB with ECX 0");
}
