/* platform/power.c - the clean power-off path used at the end of every scenario. */
#include "platform/power.h"
#include "platform/config.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/lapic.h"
#include "platform/panic.h"
#include "platform/percpu.h"
#include "platform/serial.h"

static uint16_t pm1a, pm1b;
static uint8_t typa, typb;
static void (*hooks[4])(void);
static int nhooks;
static volatile uint32_t powering_off;

void power_set_acpi_s5(uint16_t pm1a_cnt, uint16_t pm1b_cnt, uint8_t slp_typa, uint8_t slp_typb)
{
    pm1a = pm1a_cnt;
    pm1b = pm1b_cnt;
    typa = slp_typa;
    typb = slp_typb;
}

void power_on_shutdown(void (*fn)(void))
{
    if (nhooks < 4)
        hooks[nhooks++] = fn;
}

#define SLP_EN (1u << 13) /* PM1 control register (ACPI 6.4 4.8.3.2.1) */

void power_off(const char *why)
{
    if (__atomic_exchange_n(&powering_off, 1, __ATOMIC_ACQ_REL)) {
        cpu_halt_forever(); /* another CPU is already doing it */
    }
    for (int i = 0; i < nhooks; i++)
        hooks[i]();
    if (config.tracedump)
        trace_dump_all(); /* after the hooks: the exit statistics come first (docs/trace.md) */
    kprintf("Vanderpool: power off (%s)\n", why);
    serial_flush();
    irq_disable();
    if (pm1a) {
        outw(pm1a, (uint16_t)((typa << 10) | SLP_EN));
        if (pm1b)
            outw(pm1b, (uint16_t)((typb << 10) | SLP_EN));
        udelay(100000);
    }
    /* Bochs shutdown port (iodev/unmapped.cc), then QEMU's ACPI PM1a on i440fx/q35. */
    for (const char *s = "Shutdown"; *s; s++)
        outb(0x8900, (uint8_t)*s);
    outw(0x604, SLP_EN);
    udelay(100000);
    kprintf("Vanderpool: the machine did not power off; halted. It is safe to turn it off.\n");
    serial_flush();
    cpu_halt_forever();
}
