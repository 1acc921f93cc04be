/*
 * vmx/exit_io.c - I/O instructions (SDM 26.1.3 and the I/O bitmaps, 25.6.4).
 *
 * The exit qualification (SDM 28.2.1, table 28-5) gives size, direction, string/REP and the
 * port. Non-string accesses go to the VM layer's device hook; a port nobody models reads as
 * all ones and ignores writes (what an ISA bus does with no device), reported once per port.
 * String I/O (INS/OUTS) goes to the VM layer (vcpu_ops.string_io, vm/vm_string_io.c), which
 * reaches guest memory through the guest's page tables.
 */
#include "platform/console.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"

static void note_unmodelled(struct vcpu *v, uint16_t port, bool in)
{
    size_t n = sizeof(v->unhandled_port_log) / sizeof(v->unhandled_port_log[0]);
    for (size_t i = 0; i < n; i++) {
        if (v->unhandled_port_log[i] == port + 1u)
            return;
        if (!v->unhandled_port_log[i]) {
            v->unhandled_port_log[i] = port + 1u;
            break;
        }
    }
    pr_info("vmx: %s: %s port 0x%x: no device there (reads all ones, writes ignored)\n", v->name,
            in ? "IN from" : "OUT to", port);
}

/* INS/OUTS: emulated by the VM layer, through the guest's page tables. */
static __attribute__((noinline)) enum exit_action string_io(struct vcpu *v, uint64_t q)
{
    if (v->ops && v->ops->string_io)
        return v->ops->string_io(v, q);
    return vcpu_stop(v, VCPU_STOP_UNHANDLED, "string I/O (%s) at port 0x%x: no emulation here",
                     (q >> 3) & 1 ? "INS" : "OUTS", (unsigned)(q >> 16) & 0xffff);
}

/* No device took the access: it reads as all ones (returned) and is noted once per port. */
static __attribute__((noinline)) uint32_t unmodelled(struct vcpu *v, uint64_t q, uint32_t mask)
{
    note_unmodelled(v, (uint16_t)(q >> 16), (q >> 3) & 1);
    return mask;
}

/* The value bits of an access of 1, 2 or 4 bytes (qualification bits 2:0 = size - 1). */
static const uint32_t size_mask[8] = {0xff, 0xffff, 0, 0xffffffffu};

enum exit_action exit_io(struct vcpu *v)
{
    uint64_t q = vmcs_exit_read(VM_EXIT_QUALIFICATION);
    v->exit_qualification = q;
    if (__builtin_expect((q >> 4) & 1, 0)) /* string */
        return string_io(v, q);
    unsigned size = (unsigned)(q & 7) + 1; /* 1, 2 or 4 bytes */
    bool in = (q >> 3) & 1;
    uint32_t mask = size_mask[q & 7];
    uint32_t value = in ? mask : (uint32_t)v->regs.rax & mask;
    if (__builtin_expect(
            !v->ops || !v->ops->io || !v->ops->io(v, (uint16_t)(q >> 16), size, in, &value), 0))
        value = unmodelled(v, v->exit_qualification, mask);
    /* After the device: what it needs again comes from v, the only value kept across the call. */
    q = v->exit_qualification;
    if ((q >> 3) & 1) { /* IN */
        mask = size_mask[q & 7];
        if (mask == 0xffffffffu)
            v->regs.rax = value; /* a 32-bit destination zero-extends into RAX */
        else
            v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (value & mask);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
