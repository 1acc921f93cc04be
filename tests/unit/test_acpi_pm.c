/* tests/unit/test_acpi_pm.c - the ACPI PM timer and PM1 event block; the PCI host bridge. */
#include <criterion/criterion.h>
#include "devices/acpi_pm.h"
#include "devices/pci_host.h"

Test(acpi_pm, timer_counts_at_3_579545_mhz_in_24_bits)
{
    cr_assert_eq(acpi_pm_timer(0), 0);
    cr_assert_eq(acpi_pm_timer(1000000000ull), 3579545u & 0xffffff);
    cr_assert_eq(acpi_pm_timer(1000000ull), 3579, "1 ms: 3579.545 ticks");
    /* wraps at 2^24: 16777216 ticks take 4.6869 s */
    uint32_t a = acpi_pm_timer(4686000000ull), b = acpi_pm_timer(4688000000ull);
    cr_assert_lt(b, a, "it wrapped between 4.686 and 4.688 s");
    cr_assert_lt(acpi_pm_timer(~0ull / 2), 1u << 24);
}

Test(acpi_pm, ports)
{
    struct acpi_pm pm;
    uint32_t v = 0;
    acpi_pm_init(&pm);
    cr_assert(acpi_pm_io(&pm, 0x608, 4, true, &v, 2000000000ull));
    cr_assert_eq(v, acpi_pm_timer(2000000000ull));
    cr_assert(acpi_pm_io(&pm, 0x608, 2, true, &v, 2000000000ull));
    cr_assert_eq(v, acpi_pm_timer(2000000000ull) & 0xffff);
    v = 0x0120;
    cr_assert(acpi_pm_io(&pm, 0x602, 2, false, &v, 0));
    cr_assert(acpi_pm_io(&pm, 0x600, 4, true, &v, 0));
    cr_assert_eq(v, 0x01200000, "PM1_EN in the high half");
    pm.sts = 0x8001;
    v = 0x0001;
    acpi_pm_io(&pm, 0x600, 2, false, &v, 0);
    cr_assert_eq(pm.sts, 0x8000, "write 1 to clear");
    cr_assert_not(acpi_pm_io(&pm, 0x604, 2, true, &v, 0), "PM1a_CNT is not this device's");
    cr_assert_not(acpi_pm_io(&pm, 0x60a, 4, true, &v, 0), "past the timer");
    cr_assert_not(acpi_pm_io(&pm, 0x600, 3, true, &v, 0), "bad size");
}

Test(pci_host, only_the_host_bridge)
{
    struct pci_host h;
    struct vm_stop_request stop = {false, 0, 0};
    uint32_t v = 0x80000000u;
    pci_host_init(&h);
    cr_assert(pci_host_io(&h, 0xcf8, 4, false, &v, &stop));
    cr_assert(pci_host_io(&h, 0xcf8, 4, true, &v, &stop));
    cr_assert_eq(v, 0x80000000u, "CONFIG_ADDRESS reads back");
    cr_assert(pci_host_io(&h, 0xcfc, 4, true, &v, &stop));
    cr_assert_eq(v, 0x12378086u);
    cr_assert(pci_host_io(&h, 0xcfe, 2, true, &v, &stop));
    cr_assert_eq(v, 0x1237);
    v = 0x80000800u; /* device 1 */
    pci_host_io(&h, 0xcf8, 4, false, &v, &stop);
    pci_host_io(&h, 0xcfc, 4, true, &v, &stop);
    cr_assert_eq(v, 0xffffffffu, "an absent device reads all ones");
    v = 0x00000000u; /* enable bit clear */
    pci_host_io(&h, 0xcf8, 4, false, &v, &stop);
    pci_host_io(&h, 0xcfc, 4, true, &v, &stop);
    cr_assert_eq(v, 0xffffffffu);
    cr_assert_not(stop.stop);
    v = 0x06;
    pci_host_io(&h, 0xcf9, 1, false, &v, &stop);
    cr_assert(stop.stop, "RST_CPU resets");
    cr_assert_not(pci_host_io(&h, 0xd00, 1, true, &v, &stop));
}
