/* guests/builtin/tiny.c - the smallest built-in guest: one breakpoint, then it asks to stop.
 * The exit scenarios (scenarios/exit_demo.c) use it to show what the VMM does with an exit it
 * has no handler for, and with a VM entry that fails. */
#include "guests/builtin/guest_lib.h"

void guest_tiny_main(void)
{
    guest_printf("GUEST tiny: running; next an INT3\n");
    __asm__ volatile("int3");
    guest_printf("GUEST tiny: after INT3\n");
    guest_vmcall(1, 0); /* VP_HC_EXIT */
}
