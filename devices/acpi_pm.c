/* devices/acpi_pm.c - the ACPI PM timer and PM1a event block (pure; see acpi_pm.h). */
#include "devices/acpi_pm.h"

void acpi_pm_init(struct acpi_pm *pm)
{
    pm->sts = pm->en = 0;
}

uint32_t acpi_pm_timer(uint64_t now_ns)
{
    /* ticks = ns * 3579545 / 10^9, without overflow for centuries of VM time */
    uint64_t s = now_ns / 1000000000u, rest = now_ns % 1000000000u;
    uint64_t ticks = s * ACPI_PM_TMR_HZ + rest * ACPI_PM_TMR_HZ / 1000000000u;
    return (uint32_t)(ticks & 0xffffff);
}

/* One byte of the PM1 block at byte offset i (0-1 PM1_STS, 2-3 PM1_EN). */
static uint8_t evt_read(const struct acpi_pm *pm, unsigned i)
{
    uint16_t r = i < 2 ? pm->sts : pm->en;
    return (uint8_t)(r >> (8 * (i & 1)));
}

static void evt_write(struct acpi_pm *pm, unsigned i, uint8_t b)
{
    unsigned shift = 8 * (i & 1);
    if (i < 2) /* status bits are cleared by writing 1 (ACPI 6.4 4.8.3.1) */
        pm->sts &= (uint16_t) ~((unsigned)b << shift);
    else
        pm->en = (uint16_t)((pm->en & ~(0xffu << shift)) | ((unsigned)b << shift));
}

bool acpi_pm_io(struct acpi_pm *pm, uint16_t port, unsigned size, bool in, uint32_t *value,
                uint64_t now_ns)
{
    if (size != 1 && size != 2 && size != 4)
        return false;
    if (port >= ACPI_PM_TMR_PORT && port + size <= ACPI_PM_TMR_PORT + 4) {
        if (in) /* read-only; a narrower read gives the bytes it covers */
            *value = (acpi_pm_timer(now_ns) >> (8 * (port - ACPI_PM_TMR_PORT))) &
                     (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
        return true;
    }
    if (port < ACPI_PM_EVT_PORT || port + size > ACPI_PM_EVT_PORT + 4)
        return false;
    uint32_t v = 0;
    for (unsigned b = 0; b < size; b++) {
        unsigned i = port - ACPI_PM_EVT_PORT + b;
        if (in)
            v |= (uint32_t)evt_read(pm, i) << (8 * b);
        else
            evt_write(pm, i, (uint8_t)(*value >> (8 * b)));
    }
    if (in)
        *value = v;
    return true;
}
