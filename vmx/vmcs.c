/* vmx/vmcs.c - error reporting for VMCS accesses and the dump of the current VMCS. */
#include "platform/console.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_names.h"

const char *vmcs_last_error(uint32_t *number)
{
    uint64_t err = 0;
    if (vmread(VM_INSTRUCTION_ERROR, &err) != VMX_OK) {
        if (number)
            *number = 0;
        return "no current VMCS";
    }
    if (number)
        *number = (uint32_t)err;
    const char *name = vmx_insn_error_name((uint32_t)err);
    return name ? name : "unknown VM-instruction error";
}

void vmcs_access_failed(uint32_t field, int is_write, enum vmx_status st, uint64_t value)
{
    const struct vmcs_field *f = vmcs_field_by_encoding(field);
    const char *name = f ? f->name : "unknown field";
    if (st == VMX_FAIL_INVALID) {
        pr_err("vmx: %s %s (0x%x) failed: VMfailInvalid (no current VMCS)\n",
               is_write ? "VMWRITE" : "VMREAD", name, field);
        return;
    }
    uint32_t n;
    const char *why = vmcs_last_error(&n);
    if (is_write)
        pr_err("vmx: VMWRITE %s (0x%x) = 0x%lx failed: error %u, %s\n", name, field, value, n, why);
    else
        pr_err("vmx: VMREAD %s (0x%x) failed: error %u, %s\n", name, field, n, why);
}

static int read_current(void *ctx, uint32_t encoding, uint64_t *value)
{
    (void)ctx;
    return vmread(encoding, value) == VMX_OK ? 0 : -1;
}

static void emit_line(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("  %s\n", line);
}

void vmcs_dump_current(void)
{
    uint64_t phys = 0;
    struct vmcs_dump_stats st;
    vmptrst(&phys);
    console_lock();
    kprintf("VMCS dump (current VMCS 0x%lx):\n", phys);
    vmcs_dump(read_current, NULL, vmx_msr(IA32_VMX_VMCS_ENUM), emit_line, NULL, &st);
    kprintf("VMCS dump end: %u fields, %u of features these controls do not enable, %u not "
            "supported by this CPU, %u beyond its VMCS enumeration\n",
            st.printed, st.inactive, st.unsupported, st.beyond_enum);
    console_unlock();
}
