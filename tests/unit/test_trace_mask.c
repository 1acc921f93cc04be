/* tests/unit/test_trace_mask.c - the exit-reason trace mask of trace=. */
#include <criterion/criterion.h>
#include <string.h>
#include "vmx/trace_mask.h"
#include "vmx/vmx_names.h"

static struct trace_mask m;
static char err[200];

Test(trace_mask, none_and_empty_trace_nothing)
{
    cr_assert_eq(trace_mask_parse("none", &m, err, sizeof(err)), 0);
    cr_assert_eq(trace_mask_count(&m), 0);
    cr_assert_eq(trace_mask_parse("", &m, err, sizeof(err)), 0);
    cr_assert_eq(trace_mask_parse(NULL, &m, err, sizeof(err)), 0);
    cr_assert_not(trace_mask_has(&m, 10));
}

Test(trace_mask, all_is_every_named_reason)
{
    cr_assert_eq(trace_mask_parse("ALL", &m, err, sizeof(err)), 0);
    cr_assert(trace_mask_has(&m, VM_EXIT_REASON_CPUID));
    cr_assert(trace_mask_has(&m, VM_EXIT_REASON_MAX));
    cr_assert_not(trace_mask_has(&m, VM_EXIT_REASON_MAX + 1));
    cr_assert_not(trace_mask_has(&m, 1000));
}

Test(trace_mask, names_and_numbers)
{
    cr_assert_eq(trace_mask_parse("cpuid,EPT_VIOLATION,30", &m, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(trace_mask_count(&m), 3);
    cr_assert(trace_mask_has(&m, VM_EXIT_REASON_CPUID));
    cr_assert(trace_mask_has(&m, VM_EXIT_REASON_EPT_VIOLATION));
    cr_assert(trace_mask_has(&m, VM_EXIT_REASON_IO_INSTRUCTION));
    cr_assert_not(trace_mask_has(&m, VM_EXIT_REASON_HLT));
}

Test(trace_mask, bad_items_are_named)
{
    cr_assert_eq(trace_mask_parse("cpuid,CPUIDX", &m, err, sizeof(err)), -1);
    cr_assert(strstr(err, "'CPUIDX' is not an exit reason") != NULL, "%s", err);
    cr_assert_eq(trace_mask_count(&m), 0);
    cr_assert_eq(trace_mask_parse("999", &m, err, sizeof(err)), -1);
    cr_assert_eq(trace_mask_parse("cpuid,", &m, err, sizeof(err)), -1);
    cr_assert(strstr(err, "'' is not") != NULL, "%s", err);
    cr_assert_eq(trace_mask_parse("35", &m, err, sizeof(err)), -1, "35 is not an exit reason");
}
