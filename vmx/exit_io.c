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

enum exit_action exit_io(struct vcpu *v)
{
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    unsigned size = (unsigned)(q & 7) + 1; /* 1, 2 or 4 bytes */
    bool in = (q >> 3) & 1;
    bool string = (q >> 4) & 1;
    uint16_t port = (uint16_t)(q >> 16);
    v->exit_qualification = q;
    if (string) { /* emulated by the VM layer, through the guest's page tables */
        if (v->ops && v->ops->string_io)
            return v->ops->string_io(v, q);
        return vcpu_stop(v, VCPU_STOP_UNHANDLED, "string I/O (%s) at port 0x%x: no emulation here",
                         in ? "INS" : "OUTS", port);
    }

    uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    uint32_t value = in ? mask : (uint32_t)v->regs.rax & mask;
    if (!v->ops || !v->ops->io || !v->ops->io(v, port, size, in, &value)) {
        note_unmodelled(v, port, in);
        value = mask;
    }
    if (in) {
        if (size == 4)
            v->regs.rax = value; /* a 32-bit destination zero-extends into RAX */
        else
            v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (value & mask);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}
