/* platform/lapic.c - local APIC access in xAPIC and x2APIC mode, IPIs, timer calibration. */
#include "platform/lapic.h"
#include "platform/console.h"
#include "platform/cpu.h"

#define APIC_BASE_BSP    (1ull << 8)
#define APIC_BASE_EXTD   (1ull << 10) /* x2APIC mode (SDM 11.12.1) */
#define APIC_BASE_ENABLE (1ull << 11)
#define X2APIC_MSR_BASE  0x800

static enum lapic_mode wanted = LAPIC_AUTO;
static bool x2apic;
static volatile uint32_t *xapic_mmio;
static uint64_t tsc_ms = 1000000; /* until calibrated: a harmless guess */

void lapic_set_mode(enum lapic_mode m)
{
    wanted = m;
}

bool lapic_x2apic(void)
{
    return x2apic;
}

uint32_t lapic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4)); /* SDM 11.12.1.2 */
    return xapic_mmio[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t v)
{
    if (x2apic)
        wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
    else
        xapic_mmio[reg / 4] = v;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
    /* x2APIC: the full 32-bit ID; xAPIC: bits 31:24 (SDM 11.4.6, 11.12.5.1). */
    return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    bool can_x2 = (cpuid(1, 0).ecx >> 21) & 1; /* CPUID.1:ECX.x2APIC */
    if (wanted == LAPIC_X2APIC && !can_x2)
        pr_warn("apic=x2apic asked, but the CPU has no x2APIC: using xAPIC\n");
    x2apic = can_x2 && wanted != LAPIC_XAPIC;
    base |= APIC_BASE_ENABLE;
    if (x2apic)
        base |= APIC_BASE_EXTD; /* xAPIC -> x2APIC directly is allowed (SDM 11.12.5) */
    wrmsr(MSR_APIC_BASE, base);
    xapic_mmio = (volatile uint32_t *)(base & 0xfffff000ull);

    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_TIMER, 1u << 16); /* masked */
    lapic_write(LAPIC_LVT_LINT0, 1u << 16);
    lapic_write(LAPIC_LVT_LINT1, 1u << 16);
    lapic_write(LAPIC_LVT_ERROR, 1u << 16);
    lapic_write(LAPIC_SVR, 0x100 | 0xff); /* software enable, spurious vector 0xff */
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    if (x2apic) {
        /* WRMSR to an x2APIC register is not serializing (SDM 11.12.3): the fence makes the
         * stores before it (the message the IPI announces) visible before the IPI. */
        __asm__ volatile("mfence" ::: "memory");
        /* One 64-bit write, destination in bits 63:32 (SDM 11.12.9). */
        wrmsr(X2APIC_MSR_BASE + (LAPIC_ICR_LO >> 4), ((uint64_t)apic_id << 32) | icr_low);
        return true;
    }
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, icr_low);
    for (int i = 0; i < 1000000; i++) /* delivery status (SDM 11.6.1) */
        if (!(lapic_read(LAPIC_ICR_LO) & ICR_PENDING))
            return true;
    return false;
}

uint64_t tsc_per_ms(void)
{
    return tsc_ms;
}

void udelay(uint64_t us)
{
    uint64_t start = rdtsc(), ticks = us * tsc_ms / 1000;
    while (rdtsc() - start < ticks) /* elapsed ticks: safe when the TSC wraps */
        cpu_relax();
}

/* PIT channel 2 as a one-shot 10 ms gate (Intel 8254 data sheet; port 0x61 bits 0 and 5). */
#define PIT_HZ       1193182u
#define CALIBRATE_MS 10

static void pit_wait(void)
{
    uint16_t count = PIT_HZ / 1000 * CALIBRATE_MS;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate on, speaker off */
    outb(0x43, 0xb0);                       /* channel 2, lo/hi byte, mode 0, binary */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    while (!(inb(0x61) & 0x20))
        cpu_relax();
}

/* ACPI PM timer: 3.579545 MHz, 24 or 32 bits wide (ACPI 6.4 4.8.3.3). */
#define PM_HZ 3579545u

static void pm_wait(uint16_t port, bool wide)
{
    uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
    uint32_t start = inl(port) & mask;
    uint32_t ticks = PM_HZ / 1000 * CALIBRATE_MS;
    while (((inl(port) - start) & mask) < ticks)
        cpu_relax();
}

int lapic_calibrate(struct timer_calibration *out, uint16_t pm_port, bool pm_32bit)
{
    lapic_write(LAPIC_TIMER_DCR, 0x3); /* divide by 16 */
    lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
    uint64_t t0 = rdtsc();
    if (pm_port)
        pm_wait(pm_port, pm_32bit);
    else
        pit_wait();
    uint64_t t1 = rdtsc();
    uint32_t left = lapic_read(LAPIC_TIMER_CCR);
    lapic_write(LAPIC_TIMER_ICR, 0);
    out->tsc_per_ms = (t1 - t0) / CALIBRATE_MS;
    out->lapic_ticks_per_ms = (0xffffffffu - left) / CALIBRATE_MS;
    out->reference = pm_port ? "ACPI PM timer" : "PIT";
    if (!out->tsc_per_ms)
        return -1;
    tsc_ms = out->tsc_per_ms;
    return 0;
}
