/*
 * tests/unit/fixtures.c - loading the capability MSR fixtures captured from Bochs CPU models
 * (host only). The parsing is tools/vmx_dump.c, the same code `vmxcap --file` uses.
 */
#include <stdio.h>

#include "tests/unit/fixtures.h"
#include "tools/vmx_dump.h"

int fixture_load_vmx_msg(const char *model, struct vmx_msr_values *out, char *err, size_t errlen)
{
    char path[256];
    if (!model || !out) {
        if (err && errlen)
            snprintf(err, errlen, "no model or no output given");
        return VMX_DUMP_EIO;
    }
    snprintf(path, sizeof(path), "%s/vmx_%s.txt", FIXTURE_DIR, model);
    return vmx_dump_load(path, out, err, errlen);
}

int fixture_load_vmx(const char *model, struct vmx_msr_values *out)
{
    char err[256] = "";
    int rc = fixture_load_vmx_msg(model, out, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "fixture %s: %s\n", model ? model : "(null)", err);
    return rc;
}
