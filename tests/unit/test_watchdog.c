/* tests/unit/test_watchdog.c - the no-progress watchdog of a vCPU. */
#include <criterion/criterion.h>
#include "vmx/vmx_names.h"
#include "vmx/watchdog.h"

#define P 4000 /* period in ticks: samples every 1000 */

Test(watchdog, waiting_exits_are_no_progress)
{
    cr_assert_not(watchdog_exit_is_progress(VM_EXIT_REASON_PAUSE));
    cr_assert_not(watchdog_exit_is_progress(VM_EXIT_REASON_HLT));
    cr_assert_not(watchdog_exit_is_progress(VM_EXIT_REASON_PREEMPTION_TIMER));
    cr_assert_not(watchdog_exit_is_progress(VM_EXIT_REASON_EXTERNAL_INTERRUPT));
    cr_assert_not(watchdog_exit_is_progress(VM_EXIT_REASON_INTERRUPT_WINDOW));
    cr_assert(watchdog_exit_is_progress(VM_EXIT_REASON_IO_INSTRUCTION));
    cr_assert(watchdog_exit_is_progress(VM_EXIT_REASON_CPUID));
    cr_assert(watchdog_exit_is_progress(VM_EXIT_REASON_EPT_VIOLATION));
}

Test(watchdog, a_spinning_vcpu_becomes_idle_after_a_period)
{
    struct watchdog w;
    uint64_t regs[4] = {1, 2, 3, 4};
    watchdog_start(&w, P, 10000);
    cr_assert_eq(watchdog_deadline(&w), 11000);
    /* the first sample takes the registers: that is a change */
    cr_assert_not(watchdog_sample(&w, 11000, regs, 4, 0x1000));
    uint64_t t = 11000;
    bool idle = false;
    for (int i = 0; i < 8 && !idle; i++) {
        t += 1000;
        idle = watchdog_sample(&w, t, regs, 4, 0x1000 + (uint64_t)(i % 3) * 2);
    }
    cr_assert(idle);
    cr_assert_eq(t, 11000 + P, "idle exactly one period after the last change");
}

Test(watchdog, changing_registers_are_progress)
{
    struct watchdog w;
    uint64_t regs[2] = {0, 7};
    watchdog_start(&w, P, 0);
    for (uint64_t t = 1000; t <= 20 * P; t += 1000) {
        regs[0] = t; /* a counter: it computes */
        cr_assert_not(watchdog_sample(&w, t, regs, 2, 0x2000));
    }
}

Test(watchdog, far_rip_is_progress)
{
    struct watchdog w;
    uint64_t regs[1] = {5};
    watchdog_start(&w, P, 0);
    for (uint64_t t = 1000; t <= 20 * P; t += 1000)
        cr_assert_not(watchdog_sample(&w, t, regs, 1, (t / 1000 % 2) ? 0x1000 : 0x9000));
}

Test(watchdog, progress_and_off)
{
    struct watchdog w;
    uint64_t regs[1] = {5};
    watchdog_start(&w, P, 0);
    cr_assert_not(watchdog_sample(&w, 1000, regs, 1, 0));
    watchdog_progress(&w, 4500); /* an I/O exit, an interrupt delivered */
    cr_assert_not(watchdog_sample(&w, 5000, regs, 1, 0));
    cr_assert_not(watchdog_sample(&w, 8000, regs, 1, 0));
    cr_assert(watchdog_sample(&w, 8500, regs, 1, 0), "a period after the progress");
    watchdog_start(&w, 0, 0);
    cr_assert_not(watchdog_sample(&w, 1ull << 40, regs, 1, 0));
    cr_assert_eq(watchdog_deadline(&w), UINT64_MAX);
}

Test(watchdog, samples_only_at_next_check)
{
    struct watchdog w;
    uint64_t regs[1] = {5};
    watchdog_start(&w, P, 0);
    cr_assert_not(watchdog_sample(&w, 1000, regs, 1, 0));
    regs[0] = 6; /* changed, but seen only at the next check (2000) */
    cr_assert_not(watchdog_sample(&w, 1500, regs, 1, 0));
    cr_assert_eq(w.progress, 1000);
    cr_assert_not(watchdog_sample(&w, 2000, regs, 1, 0));
    cr_assert_eq(w.progress, 2000);
}
