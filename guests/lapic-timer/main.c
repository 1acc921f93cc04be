/*
 * guests/lapic-timer/main.c - the lapic-timer test guest (multiboot v1): the local APIC's timer
 * and priorities, first in xAPIC mode (MMIO), then again in x2APIC mode (MSRs) when CPUID
 * offers it. Every TEST line starts with the mode. timer.c: divide configuration, one-shot and
 * periodic modes with the current count read back, stopping, the LVT mask, waking HLT, the
 * TSC-deadline mode; prio.c: TPR and PPR, ISR nesting, the ESR, and the x2APIC registers.
 *
 * Command line (blank-separated):
 *   x2apic=auto|no|yes        test x2APIC mode when CPUID offers it (auto, the default), not at
 *                             all (no), or fail when it is not offered (yes)
 *   tscdeadline=auto|no|yes   the same for the TSC-deadline timer mode
 *   idle=N                    no tests: N periodic timer interrupts taken in HLT (idle.c)
 * A mode that is skipped prints a note, not a TEST line: when a hypervisor hides x2APIC or
 * TSC-deadline, run bare and in the VM with x2apic=no / tscdeadline=no, and the TEST lines of
 * both runs are the same.
 *
 * Time is the PIT channel 2 clock; the timer's own rate is measured against it (a note).
 * The HLT test's watchdog is the PIT channel 0 through the 8259 and LINT0 (ExtINT), which
 * neither sets ISR bits nor obeys the TPR.
 */
#include <string.h>
#include "guests/lapic-timer/lt.h"
#include "guests/lib/args.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

const char *lt_mode = "xAPIC";
uint32_t lt_per_ms;
enum lt_want lt_want_deadline = LT_AUTO;
static struct mb_info mbi;

static enum lt_want want_arg(const char *key)
{
    char v[16];
    if (!mbi.has_cmdline || !args_get(mbi.cmdline, key, v, sizeof(v)))
        return LT_AUTO;
    if (strcmp(v, "no") == 0)
        return LT_NO;
    if (strcmp(v, "yes") == 0)
        return LT_YES;
    if (strcmp(v, "auto") != 0) {
        test_checkf(false, "%s=%s is auto, no or yes", key, v);
        test_finish();
    }
    return LT_AUTO;
}

static void watchdog_irq(uint32_t vector)
{
    (void)vector;
    pic_eoi(0);
}

/* Everything of one mode. */
static void run_suite(void)
{
    lapic_enable();
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_LINT0, LVT_DM_EXTINT); /* virtual wire: the watchdog's way in */
    uint32_t svr = lapic_read(LAPIC_SVR);
    test_checkf((svr & 0x1ff) == 0x1ff, "%s: SVR reads back enabled, spurious vector 0xff (0x%x)",
                lt_mode, (unsigned)svr);
    lt_per_ms = lapic_timer_calibrate();
    test_note("%s: local APIC %u, version 0x%08x, timer %u counts/ms with divide by 1", lt_mode,
              (unsigned)lapic_id(), (unsigned)lapic_read(LAPIC_VERSION), (unsigned)lt_per_ms);
    if (!test_checkf(lt_per_ms > 0, "%s: the timer counts down (calibrated against the PIT)",
                     lt_mode))
        return;
    lt_test_timer();
    lt_test_deadline();
    lt_test_priority();
    lt_test_nesting();
    lt_test_esr();
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("lapic-timer");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    enum lt_want want_x2 = want_arg("x2apic");
    lt_want_deadline = want_arg("tscdeadline");
    trap_init();
    trap_set_handler(VEC_WATCHDOG, watchdog_irq);
    pit_clock_start();
    pit_ch0_stop();
    pic_init(0x20, 0x28);
    if (!test_check(lapic_present(), "CPUID reports a local APIC"))
        test_finish();
    lapic_init();
    char idle[16];
    uint64_t idle_n;
    if (mbi.has_cmdline && args_get(mbi.cmdline, "idle", idle, sizeof(idle)) &&
        args_parse_u64(idle, &idle_n))
        lt_idle((uint32_t)idle_n);
    uint32_t xapic_id = lapic_id();
    run_suite();

    bool offered = lapic_x2apic_offered();
    if (want_x2 == LT_NO) {
        test_note("x2APIC: %s by CPUID, skipped (x2apic=no)", offered ? "offered" : "not offered");
    } else if (!offered) {
        if (want_x2 == LT_YES)
            test_check(false, "x2APIC offered by CPUID (x2apic=yes)");
        else
            test_note("x2APIC: not offered by CPUID (CPUID.1:ECX[21] clear), skipped");
    } else if (test_check(lapic_use_x2apic(), "x2APIC: IA32_APIC_BASE.EXTD switches to x2APIC "
                                              "mode")) {
        lt_mode = "x2APIC";
        lt_test_x2apic_regs(xapic_id);
        run_suite();
    }
    irq_disable();
    pic_set_mask(0xffff);
    pit_ch0_stop();
    test_note("spurious local APIC interrupts: %u", (unsigned)lapic_spurious_count);
    test_finish();
}
