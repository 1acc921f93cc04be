/* scenarios/registry.c - the list of scenarios, in the book's order. */
#include <stddef.h>
#include "scenarios/scenario.h"

SCENARIO_DECLARE(boot);
SCENARIO_DECLARE(trace);
SCENARIO_DECLARE(caps);
SCENARIO_DECLARE(vmxon);
SCENARIO_DECLARE(guest_basic);
SCENARIO_DECLARE(bench);
SCENARIO_DECLARE(vms);
SCENARIO_DECLARE(ept_views);
SCENARIO_DECLARE(ept_dirty);
SCENARIO_DECLARE(ept_misconfig);
SCENARIO_DECLARE(unhandled);
SCENARIO_DECLARE(pending_dbg);
SCENARIO_DECLARE(mtf);
SCENARIO_DECLARE(entry_fail);
SCENARIO_DECLARE(vmx_abort);
SCENARIO_DECLARE(priority);
SCENARIO_DECLARE(entry_diff);
SCENARIO_DECLARE(fault);
SCENARIO_DECLARE(exc_reflect);
SCENARIO_DECLARE(self_ipi);
SCENARIO_DECLARE(int_realmode);
SCENARIO_DECLARE(pic_monitor);

/* clang-format off */
const struct scenario *const scenarios[] = {
    &scenario_boot,
    &scenario_trace,
    &scenario_caps,
    &scenario_vmxon,
    &scenario_pending_dbg,
    &scenario_mtf,
    &scenario_guest_basic,
    &scenario_bench,
    &scenario_vms,
    &scenario_ept_views,
    &scenario_ept_dirty,
    &scenario_ept_misconfig,
    &scenario_unhandled,
    &scenario_entry_fail,
    &scenario_vmx_abort,
    &scenario_entry_diff,
    &scenario_priority,
    &scenario_fault,
    &scenario_exc_reflect,
    &scenario_self_ipi,
    &scenario_int_realmode,
    &scenario_pic_monitor,
    NULL,
};
/* clang-format on */
