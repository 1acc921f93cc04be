/*
 * vmx/vmx_names.c - names of VM-exit reasons (SDM appendix C), decoding of the exit-reason
 * field (SDM 25.9.1), VM-entry failures (SDM 27.8), VMX-abort indicators (SDM 28.7) and the
 * texts of VM-instruction errors (SDM 31.4) (pure).
 */
#include "vmx/vmx_names.h"

#include <stdarg.h>

#include "platform/fmt.h"

static const char *const exit_reason_names[VM_EXIT_REASON_MAX + 1] = {
#define EXIT_REASON_NAME(num, name) [num] = #name,
    VM_EXIT_REASON_LIST(EXIT_REASON_NAME)
#undef EXIT_REASON_NAME
};

const char *vmx_exit_reason_name(uint32_t basic)
{
    if (basic > VM_EXIT_REASON_MAX)
        return NULL;
    return exit_reason_names[basic]; /* NULL for the unused numbers */
}

struct vmx_exit_reason_info vmx_exit_reason_decode(uint32_t exit_reason)
{
    struct vmx_exit_reason_info info = {
        .basic = (uint16_t)(exit_reason & VMX_EXIT_BASIC_MASK),
        .bus_lock_detected = (exit_reason & VMX_EXIT_BUS_LOCK_DETECTED) != 0,
        .enclave_mode = (exit_reason & VMX_EXIT_ENCLAVE_MODE) != 0,
        .pending_mtf = (exit_reason & VMX_EXIT_PENDING_MTF) != 0,
        .from_vmx_root = (exit_reason & VMX_EXIT_FROM_VMX_ROOT) != 0,
        .entry_failure = (exit_reason & VMX_EXIT_ENTRY_FAILURE) != 0,
        .reserved = exit_reason & VMX_EXIT_REASON_RESERVED_MASK,
    };
    return info;
}

/* snprintf at offset len of the text being built in buf[size]; returns the new total length.
 * Once the text no longer fits, only the length keeps growing. */
static int __attribute__((format(printf, 4, 5)))
append(char *buf, size_t size, int len, const char *fmt, ...)
{
    size_t at = (size_t)len < size ? (size_t)len : size;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(at < size ? buf + at : NULL, size - at, fmt, ap);
    va_end(ap);
    return len + n;
}

int vmx_exit_reason_format(uint32_t exit_reason, char *buf, size_t size)
{
    struct vmx_exit_reason_info info = vmx_exit_reason_decode(exit_reason);
    const char *name = vmx_exit_reason_name(info.basic);
    int len = append(buf, size, 0, "%s (%u)", name ? name : "unknown", (unsigned)info.basic);

    if (info.entry_failure)
        len = append(buf, size, len, " entry-failure");
    if (info.from_vmx_root)
        len = append(buf, size, len, " from-vmx-root");
    if (info.pending_mtf)
        len = append(buf, size, len, " pending-mtf");
    if (info.enclave_mode)
        len = append(buf, size, len, " enclave-mode");
    if (info.bus_lock_detected)
        len = append(buf, size, len, " bus-lock");
    if (info.reserved)
        len = append(buf, size, len, " reserved=%#x", (unsigned)info.reserved);
    return len;
}

int vmx_entry_failure_format(uint32_t exit_reason, uint64_t qualification, char *buf, size_t size)
{
    /* SDM 27.8: the qualification of basic reason 33 */
    static const char *const invalid_guest[] = {"no further information", "not used",
                                                "PDPTE loading failed", "NMI injection blocked",
                                                "invalid VMCS link pointer"};
    uint32_t basic = exit_reason & VMX_EXIT_BASIC_MASK;
    if (!(exit_reason & VMX_EXIT_ENTRY_FAILURE))
        return append(buf, size, 0, "no VM-entry failure (bit 31 of the exit reason is clear)");
    switch (basic) {
    case VM_EXIT_REASON_INVALID_GUEST_STATE: /* the checks of SDM 27.3.1 */
        return append(buf, size, 0, "%s",
                      qualification < 5 ? invalid_guest[qualification]
                                        : "a qualification the SDM does not define");
    case VM_EXIT_REASON_MSR_LOAD_FAIL: /* SDM 27.4: the entries count from 1 */
        return append(buf, size, 0, "entry %lu of the VM-entry MSR-load list",
                      (unsigned long)qualification);
    case VM_EXIT_REASON_MCE_DURING_ENTRY:
        /* SDM 27.9: a machine-check event during the entry may end it as a failed entry with
         * basic reason 41; the host state is loaded as for a VM exit (SDM 27.8) and the
         * machine check is the host's matter. No field of the VMCS is at fault, but the guest
         * state may be partly loaded: the vCPU cannot be entered again as it is. It cannot be
         * provoked in Bochs (no machine-check events), so the unit tests cover this text. */
        return append(buf, size, 0,
                      "machine-check event during VM entry: no VMCS rule is broken; the host "
                      "handles the machine check and the guest state may be partly loaded");
    default:
        return append(buf, size, 0, "basic reason %u with bit 31: no VM-entry failure of SDM 27.8",
                      (unsigned)basic);
    }
}

const char *vmx_abort_indicator_name(uint32_t indicator)
{
    static const char *const names[] = {
        NULL,
        "saving guest MSRs failed",                               /* SDM 28.4 */
        "host PDPTE checking failed",                             /* SDM 28.5.4 */
        "the current VMCS is corrupted",                          /* SDM 28.7 */
        "loading host MSRs failed",                               /* SDM 28.6 */
        "machine-check event during VM exit",                     /* SDM 28.8 */
        "IA-32e mode before the exit, host address-space size 0", /* SDM 28.5 */
    };
    return indicator < sizeof(names) / sizeof(names[0]) ? names[indicator] : NULL;
}

#define INSN_ERROR_MAX 28u

static const char *const insn_error_texts[INSN_ERROR_MAX + 1] = {
#define INSN_ERROR_TEXT(num, name, text) [num] = text,
    VMX_INSN_ERROR_LIST(INSN_ERROR_TEXT)
#undef INSN_ERROR_TEXT
};

const char *vmx_insn_error_name(uint32_t err)
{
    if (err > INSN_ERROR_MAX)
        return NULL;
    return insn_error_texts[err]; /* NULL for 0 and the unused numbers */
}
