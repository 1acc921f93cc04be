/* guests/builtin/tiny.c - the smallest built-in guest: one RDTSC, then it asks to stop.
 * The exit scenarios (scenarios/exit_demo.c) use it to show what the VMM does with an exit it
 * has no handler for, and with a VM entry that fails. */
#include "guests/builtin/guest_lib.h"

void guest_tiny_main(void)
{
    guest_printf("GUEST tiny: running; next an RDTSC\n");
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    guest_printf("GUEST tiny: after RDTSC (%u)\n", lo ^ hi);
    guest_vmcall(1, 0); /* VP_HC_EXIT */
}
