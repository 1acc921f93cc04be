/*
 * guests/events/main.c - the events test guest (multiboot v1): event delivery checked from
 * inside, in 32-bit protected mode, virtual-8086 mode, real-address mode and 64-bit mode, each
 * entered by the guest itself (cases.c says what is checked). Command line:
 *   mode=all|pm32|v86|real|long   the modes to run (default all), in that order for all
 *   do=triple                     a triple fault instead (under Vanderpool: the VM stops, -2)
 * Under Vanderpool (CPUID leaf 0x40000000 says "VanderpoolVM") the [inject] cases ask for every
 * event type with VP_HC_INJECT; bare, only the [insn] cases run, and print the same lines as
 * under the hypervisor. Output and exit as guests/lib/test.h says.
 */
#include <string.h>
#include "guests/events/events.h"
#include "guests/lib/args.h"
#include "guests/lib/io.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"

extern const char ev_low_load[], ev_low_start[], ev_low_end[];

/* Bytes of the low-memory part (the linker script's symbols, compared as addresses). */
static size_t low_size(void)
{
    return (uintptr_t)ev_low_end - (uintptr_t)ev_low_start;
}

void ev_low_install(void)
{
    memcpy((void *)(uintptr_t)EV_LOW_BASE, ev_low_load, low_size());
}

static bool under_vanderpool(void)
{
    uint32_t a, b, c, d;
    char vendor[13];
    cpuid(1, &a, &b, &c, &d);
    if (!(c >> 31)) /* CPUID.1:ECX[31]: a hypervisor is present */
        return false;
    cpuid(0x40000000, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &c, 4);
    memcpy(vendor + 8, &d, 4);
    vendor[12] = 0;
    return strncmp(vendor, "VanderpoolVM", sizeof(vendor)) == 0;
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    static struct mb_info mbi;
    static const char *const names[EV_MODES] = {"pm32", "v86", "real", "long"};
    char msg[128] = "", mode[16] = "all", what[16] = "";
    test_init("events");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    const char *cmdline = mbi.has_cmdline ? mbi.cmdline : "";
    args_get(cmdline, "mode", mode, sizeof(mode));
    args_get(cmdline, "do", what, sizeof(what));
    if (!test_checkf(low_size() <= EV_LOW_MAX, "the low-memory part fits (%u bytes)",
                     (unsigned)low_size()))
        test_finish();
    bool hv = under_vanderpool();
    /* Nothing but the events asked for: bare, the interrupt controllers are masked (8259A
     * datasheet, OCW1); interrupts stay off except where a check turns them on. */
    if (!hv) {
        outb(0x21, 0xff);
        outb(0xa1, 0xff);
    }
    ev_low_install();
    ev_desc_init();
    test_note("%s", hv ? "under Vanderpool: the [inject] cases ask it for each event type"
                       : "no hypervisor: only the [insn] cases run");
    if (strncmp(what, "triple", sizeof(what)) == 0) {
        if (!test_check(hv, "a triple fault is asked for only under Vanderpool"))
            test_finish();
        ev_triple_fault();
    }
    bool any = false;
    for (int m = 0; m < EV_MODES; m++) {
        if (strncmp(mode, "all", sizeof(mode)) != 0 && strncmp(mode, names[m], sizeof(mode)) != 0)
            continue;
        any = true;
        ev_run_mode((enum ev_mode)m, hv);
    }
    test_checkf(any, "mode=%s names a mode (all, pm32, v86, real, long)", mode);
    test_finish();
}
