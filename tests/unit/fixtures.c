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

/* Hand-built, Skylake-like: TRUE controls, EPT+VPID, UG, VMFUNC, PML, #VE; no APIC-register
 * virtualization, no virtual-interrupt delivery, no posted interrupts, no tertiary controls. */
const struct vmx_msr_values fixture_skylake_like = {
    .basic = 0x00da040000000004ULL,
    .pinbased = 0x0000007f00000016ULL,
    .procbased = 0xfff9fffe0401e172ULL,
    .exit = 0x01ffffff00036dffULL,
    .entry = 0x0003ffff000011ffULL,
    .misc = 0x000000007004c1e7ULL,
    .cr0_fixed0 = 0x80000021ULL,
    .cr0_fixed1 = 0xffffffffULL,
    .cr4_fixed0 = 0x00002000ULL,
    .cr4_fixed1 = 0x003767ffULL,
    .vmcs_enum = 0x2eULL,
    .procbased2 = 0x0017fcff00000000ULL,
    .ept_vpid_cap = 0x00000f0106734141ULL,
    .true_pin = 0x0000007f00000016ULL,
    .true_proc = 0xfff9fffe04006172ULL,
    .true_exit = 0x01ffffff00036dfbULL,
    .true_entry = 0x0003ffff000011fbULL,
    .vmfunc = 0x1ULL,
    .present_mask = VMX_MSR_PRESENT_ALL,
};
