/*
 * guests/builtin/ept_demo.c - built-in guests for the EPT scenarios (book 6.1.9, 6.1.11).
 *  - views: reads one page in EPT view 0, switches to view 1 with VMFUNC leaf 0 (EPTP
 *    switching, no VM exit), reads it again, switches back, and tries an EPTP index the VMM did
 *    not fill (that one exits, and the VMM answers #UD).
 *  - dirty: writes three pages of a tracked region, asks the VMM (hypercall 0x100) which pages
 *    were written; then writes one more and asks again.
 */
#include "guests/builtin/guest_lib.h"
#include "platform/cpu.h"

volatile uint64_t *guest_views_page; /* set by the scenario before the guest starts */
volatile uint8_t *guest_dirty_region;

#define HC_DIRTY_REPORT 0x100

void guest_views_main(void)
{
    uint16_t limit;
    uint64_t base = guest_idt_setup(&limit);
    struct desc_ptr idtr = {limit, base};
    lidt(&idtr);
    uint64_t a = *guest_views_page;
    guest_check(guest_vmfunc_safe(0, 1) == 0, "VMFUNC 0 (EPTP switching) to view 1");
    uint64_t b = *guest_views_page;
    guest_check(guest_vmfunc_safe(0, 0) == 0, "VMFUNC 0 back to view 0");
    uint64_t c = *guest_views_page;
    guest_printf("GUEST views: the page reads 0x%lx in view 0, 0x%lx in view 1, 0x%lx again\n", a,
                 b, c);
    guest_check(a != b && a == c, "the page differs between the views");
    guest_check(guest_vmfunc_safe(0, 7) == 6 + 1, "VMFUNC to an empty EPTP-list entry: #UD");
    guest_printf("GUEST views: %u checks, %u failed\n", guest_checks(), guest_failures());
    guest_vmcall(1, guest_failures()); /* VP_HC_EXIT */
}

void guest_dirty_main(void)
{
    guest_dirty_region[0x1000] = 1;
    guest_dirty_region[0x5000] = 2;
    guest_dirty_region[0x9000] = 3;
    (void)guest_dirty_region[0xa000]; /* read only: accessed, not dirty */
    guest_vmcall(HC_DIRTY_REPORT, 0);
    guest_dirty_region[0x3000] = 4;
    guest_vmcall(HC_DIRTY_REPORT, 1);
    guest_vmcall(1, 0); /* VP_HC_EXIT */
}
