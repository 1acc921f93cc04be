/*
 * guests/lapic-timer/idle.c - the idle=N mode of the lapic-timer guest, for scripts/bench.sh:
 * the periodic local APIC timer at 1 kHz (x2APIC mode when CPUID offers it, as Linux runs)
 * and a STI; HLT loop until N interrupts came, then a "BENCH timer_irqs N" line. The
 * hypervisor's exit counts of a run with idle=0 and one with idle=N give the exits per timer
 * interrupt of an idle guest. No TEST lines but the parsed arguments.
 */
#include "guests/lapic-timer/lt.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

static volatile uint32_t idle_ticks;

static void idle_irq(uint32_t vector)
{
    (void)vector;
    idle_ticks++;
    lapic_eoi();
}

void lt_idle(uint32_t n)
{
    if (lapic_x2apic_offered())
        lapic_use_x2apic();
    lapic_enable();
    lapic_write(LAPIC_TPR, 0);
    uint32_t per_ms = lapic_timer_calibrate();
    if (n && per_ms) {
        trap_set_handler(VEC_TIMER, idle_irq);
        lapic_write(LAPIC_TIMER_DCR, 0xb); /* divide by 1 (SDM 11.5.4, figure 11-10) */
        lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
        lapic_write(LAPIC_TIMER_ICR, per_ms); /* a period of 1 ms */
        /* no clock polled meanwhile: every exit counted is the timer's (or the idle loop's) */
        for (;;) {
            irq_disable(); /* checked with IF=0, then STI; HLT: no wake-up is lost between */
            if (idle_ticks >= n)
                break;
            sti_hlt();
        }
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
        lapic_write(LAPIC_TIMER_ICR, 0);
        irq_disable();
    }
    test_printf("BENCH timer_irqs %u\n", (unsigned)idle_ticks);
    test_finish();
}
