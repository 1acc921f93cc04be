/* guests/lib/lapic.c - the local APIC in xAPIC and x2APIC mode, its timer calibration and the
 * HLT watchdog of the test guests (see lapic.h). */
#include "guests/lib/lapic.h"
#include "guests/lib/io.h"
#include "guests/lib/pit.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

#define ICR_SPIN_MAX 1000000 /* polls of the delivery status before giving up */

static uintptr_t lapic_base = LAPIC_DEFAULT_BASE;
static bool x2apic;
volatile uint32_t lapic_spurious_count;
volatile uint32_t lapic_watchdog_ticks;

static uint32_t cpuid1_ecx(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    return c;
}

bool lapic_present(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    return (d >> 9) & 1;
}

bool lapic_x2apic_offered(void)
{
    return (cpuid1_ecx() >> 21) & 1;
}

bool lapic_tsc_deadline_offered(void)
{
    return (cpuid1_ecx() >> 24) & 1;
}

/* The spurious vector needs no EOI (SDM 11.9). */
static void lapic_spurious(uint32_t vector)
{
    (void)vector;
    __atomic_fetch_add(&lapic_spurious_count, 1, __ATOMIC_SEQ_CST);
}

void lapic_init(void)
{
    uint64_t base = 0;
    trap_set_handler(LAPIC_SPURIOUS_VECTOR, lapic_spurious);
    if (safe_rdmsr(IA32_APIC_BASE, &base) != 0) {
        test_note("RDMSR IA32_APIC_BASE faulted: the local APIC is taken at 0x%x",
                  LAPIC_DEFAULT_BASE);
        return;
    }
    if ((base & APIC_BASE_EXTD) || !(base & APIC_BASE_EN)) {
        /* x2APIC -> xAPIC only through the disabled state (SDM 11.12.5, figure 11-27) */
        safe_wrmsr(IA32_APIC_BASE, base & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD));
        base = (base & ~(uint64_t)APIC_BASE_EXTD) | APIC_BASE_EN;
        safe_wrmsr(IA32_APIC_BASE, base);
    }
    lapic_base = (uintptr_t)(base & 0xfffff000u);
    x2apic = false;
}

bool lapic_use_x2apic(void)
{
    uint64_t base = 0;
    if (safe_rdmsr(IA32_APIC_BASE, &base) != 0)
        return false;
    uint32_t err = safe_wrmsr(IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
    if (err) {
        test_note("WRMSR IA32_APIC_BASE with EXTD raised vector %u", (unsigned)(err - 1));
        return false;
    }
    x2apic = true;
    return true;
}

bool lapic_is_x2apic(void)
{
    return x2apic;
}

uint32_t lapic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
    return mmio_read32(lapic_base + reg);
}

void lapic_write(uint32_t reg, uint32_t value)
{
    if (x2apic)
        wrmsr(X2APIC_MSR_BASE + (reg >> 4), value);
    else
        mmio_write32(lapic_base + reg, value);
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);
    return x2apic ? id : id >> 24; /* SDM 11.4.6, 11.12.5.1 */
}

void lapic_enable(void)
{
    lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0); /* x2APIC: a non-zero value raises #GP (SDM 11.12.1.2) */
}

bool lapic_vector_bit(uint32_t reg, uint8_t vector)
{
    return (lapic_read(reg + 0x10u * (vector / 32u)) >> (vector % 32u)) & 1;
}

uint32_t lapic_read_esr(void)
{
    lapic_write(LAPIC_ESR, 0);
    return lapic_read(LAPIC_ESR);
}

static bool icr_idle(void)
{
    for (int i = 0; i < ICR_SPIN_MAX; i++) {
        if (!(lapic_read(LAPIC_ICR_LO) & ICR_DELIVS))
            return true;
        cpu_relax();
    }
    return false;
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
    if (x2apic) { /* one 64-bit write, no delivery status (SDM 11.12.9) */
        wrmsr(X2APIC_MSR_BASE + (LAPIC_ICR_LO >> 4), ((uint64_t)dest << 32) | icr_lo);
        return true;
    }
    if (!icr_idle())
        return false;
    mmio_write32(lapic_base + LAPIC_ICR_HI, dest << 24);
    mmio_write32(lapic_base + LAPIC_ICR_LO, icr_lo); /* the write of the low half sends */
    return icr_idle();
}

uint32_t lapic_timer_calibrate(void)
{
    lapic_write(LAPIC_TIMER_DCR, 0xb); /* divide by 1 (SDM figure 11-10) */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | LAPIC_WATCHDOG_VECTOR);
    pit_clock_start();
    lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
    uint32_t t0 = pit_clock_us();
    uint32_t c0 = lapic_read(LAPIC_TIMER_CCR);
    while (pit_clock_us() - t0 < 10000)
        cpu_relax();
    uint32_t c1 = lapic_read(LAPIC_TIMER_CCR);
    uint32_t t1 = pit_clock_us();
    lapic_write(LAPIC_TIMER_ICR, 0);
    if (c1 >= c0 || t1 <= t0)
        return 0;
    return (uint32_t)((uint64_t)(c0 - c1) * 1000u / (t1 - t0));
}

static void lapic_watchdog(uint32_t vector)
{
    (void)vector;
    lapic_watchdog_ticks++;
    lapic_eoi();
}

void lapic_watchdog_start(uint32_t counts_per_ms, uint32_t period_us)
{
    uint64_t count = (uint64_t)counts_per_ms * period_us / 1000u;
    trap_set_handler(LAPIC_WATCHDOG_VECTOR, lapic_watchdog);
    lapic_write(LAPIC_TIMER_DCR, 0xb);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | LAPIC_WATCHDOG_VECTOR);
    lapic_write(LAPIC_TIMER_ICR, count > 0xffffffffu ? 0xffffffffu : (uint32_t)(count ? count : 1));
}

void lapic_watchdog_stop(void)
{
    lapic_write(LAPIC_TIMER_ICR, 0);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_WATCHDOG_VECTOR);
}
