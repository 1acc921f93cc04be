/*
 * guests/selfipi/main.c - the selfipi test guest (book example 7-3): self IPIs in x2APIC mode,
 * one at a time, each taken by its handler (EOI through the x2APIC EOI MSR) before the next.
 * Command line:
 *   via=msr   through the SELF IPI MSR 0x83f (SDM 11.12.11), the default
 *   via=icr   through the ICR (MSR 0x830) with the self destination shorthand (SDM 11.6.1)
 *   n=N       how many (default 1000)
 * Under Vanderpool the VM's exit counts show what each one cost: with virtual-interrupt
 * delivery and virtualize-x2APIC mode a write of the SELF IPI MSR is self-IPI virtualization,
 * no exit (SDM 30.5, 30.1.4); an ICR write is a WRMSR exit (the MSR bitmap intercepts it);
 * with apicv=off both, and the EOIs, are WRMSR exits. Bare it prints the same lines. Output and
 * exit as guests/lib/test.h says.
 */
#include <string.h>
#include "guests/lib/args.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

#define SELF_VECTOR 0x40
#define SPINS       1000000

static volatile uint32_t taken;

static void on_self(uint32_t vector)
{
    (void)vector;
    taken++;
    lapic_eoi();
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    static struct mb_info mbi;
    char msg[96] = "", via[8] = "msr", num[12] = "1000";
    test_init("selfipi");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    const char *cmdline = mbi.has_cmdline ? mbi.cmdline : "";
    args_get(cmdline, "via", via, sizeof(via));
    args_get(cmdline, "n", num, sizeof(num));
    uint32_t n = 0;
    for (const char *c = num; *c >= '0' && *c <= '9'; c++)
        n = n * 10 + (uint32_t)(*c - '0');
    bool icr = strncmp(via, "icr", sizeof(via)) == 0;
    if (!test_checkf(icr || strncmp(via, "msr", sizeof(via)) == 0, "via=%s is msr or icr", via))
        test_finish();
    outb(0x21, 0xff); /* nothing but the self IPIs: the 8259 pair masked (8259A datasheet, OCW1) */
    outb(0xa1, 0xff);
    trap_init();
    trap_set_handler(SELF_VECTOR, on_self);
    lapic_init();
    if (!test_check(lapic_x2apic_offered() && lapic_use_x2apic(), "x2APIC mode"))
        test_finish();
    lapic_enable();
    __asm__ volatile("sti");
    uint32_t lost = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (icr)
            lapic_send_ipi(0, ICR_DEST_SELF | ICR_FIXED | SELF_VECTOR);
        else
            lapic_write(LAPIC_SELF_IPI, SELF_VECTOR); /* bits 7:0: the vector (SDM 11.12.11) */
        uint32_t spins = 0;
        while (taken < i + 1 && spins < SPINS) {
            __asm__ volatile("pause");
            spins++;
        }
        if (taken < i + 1)
            lost++;
    }
    __asm__ volatile("cli");
    test_checkf(taken == n && lost == 0, "%u self IPIs through %s arrived, one handler run each",
                (unsigned)n, icr ? "the ICR (self shorthand)" : "the SELF IPI MSR");
    test_finish();
}
