/*
 * tests/unit/fixtures.h - capability MSR values captured from Bochs CPU models (host only).
 *
 * tests/unit/fixtures/vmx_<model>.txt holds the VMXMSR lines that scenario `caps` printed on
 * the Bochs 2.7 CPU model <model> (`cpu: model=<model>`), one line per capability MSR that
 * exists there. The unit tests run from the repository root, so the paths are relative to it.
 */
#ifndef TESTS_UNIT_FIXTURES_H
#define TESTS_UNIT_FIXTURES_H

#include <stddef.h>

#include "vmx/vmx_msr.h"

#define FIXTURE_DIR "tests/unit/fixtures"

/*
 * Loads tests/unit/fixtures/vmx_<model>.txt into *out (cleared first) with vmx_msr_store.
 * Returns the number of MSR lines read (> 0) or a negative vmx_dump_error (tools/vmx_dump.h);
 * on failure the reason is printed to stderr.
 */
int fixture_load_vmx(const char *model, struct vmx_msr_values *out);

/* Same, with the reason in err instead of stderr. */
int fixture_load_vmx_msg(const char *model, struct vmx_msr_values *out, char *err, size_t errlen);

/* A hand-built Skylake-like set of VMX capability MSR values (test_vmx_caps, test_vmx_controls). */
extern const struct vmx_msr_values fixture_skylake_like;

#endif
