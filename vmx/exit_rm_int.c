/*
 * vmx/exit_rm_int.c - interrupts of a real-mode guest delivered by the hypervisor (book
 * example 7-4; `rmint=on` in the VM's description). The guest's IDTR limit in the VMCS is 0
 * and #GP is intercepted: every INT n, external interrupt or exception the guest takes then
 * faults on the IVT limit (SDM vol. 2A INT n, REAL-ADDRESS-MODE: #GP when vector * 4 + 3 is
 * beyond the IDTR limit) and exits with the event in the IDT-vectoring information (SDM
 * 28.2.4). The hypervisor completes the delivery against the guest's own IDTR, kept here, as
 * the CPU would (SDM 20.1.4, INT n pseudo-code): the limit check (#GP, then #DF, then a triple
 * fault when the handler's entry is beyond it too), FLAGS, CS and IP pushed at SS:SP, IF, TF
 * and AC cleared, CS:IP from the IVT entry. An IDTR the guest loads itself (LIDT, no exit) is
 * taken over at its next intercepted event; until then SIDT shows it, after that a limit of 0.
 */
#include "platform/console.h"
#include "platform/x86.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmcs.h"

#define RM_INT_SHOWN 16 /* deliveries printed per vCPU */

static uint64_t delivered; /* by all vCPUs, for the scenario's verdict */

uint64_t vcpu_rm_int_delivered(void)
{
    return __atomic_load_n(&delivered, __ATOMIC_RELAXED);
}

void vcpu_rm_int_start(struct vcpu *v)
{
    v->rm_int.idtr_base = (uint32_t)vmcs_read(GUEST_IDTR_BASE);
    v->rm_int.idtr_limit = (uint16_t)vmcs_read(GUEST_IDTR_LIMIT);
    vmcs_write(GUEST_IDTR_LIMIT, 0);
    vmcs_write(EXCEPTION_BITMAP, vmcs_read(EXCEPTION_BITMAP) | (1u << X86_EXC_GP));
}

static bool rm_push(struct vcpu *v, uint64_t ss_base, uint16_t *sp, uint16_t value)
{
    *sp = (uint16_t)(*sp - 2); /* SP wraps within the 64 KiB segment */
    return v->ops->write_gpa && v->ops->write_gpa(v, ss_base + *sp, &value, 2);
}

static const char *const rm_kind[8] = {
    "external interrupt", "", "NMI", "exception", "INT n", "INT1", "INT3/INTO", ""};

/* Deliver vector through the guest's IVT; return_ip is pushed, fault_ip is where a fault of
 * the delivery itself (beyond the limit) returns. */
static enum exit_action rm_deliver(struct vcpu *v, uint8_t vector, uint16_t return_ip,
                                   uint16_t fault_ip, const char *kind)
{
    for (;;) {
        if ((uint32_t)vector * 4 + 3 <= v->rm_int.idtr_limit)
            break;
        if (v->rm_int.shown < RM_INT_SHOWN)
            pr_info("%s: real mode: %s 0x%02x beyond the IDTR limit 0x%x: %s\n", v->name, kind,
                    vector, v->rm_int.idtr_limit,
                    vector == X86_EXC_DF   ? "triple fault"
                    : vector == X86_EXC_GP ? "#DF"
                                           : "#GP");
        if (vector == X86_EXC_DF) /* SDM 6.15, interrupt 8: a fault delivering #DF */
            return vcpu_stop(v, VCPU_STOP_TRIPLE_FAULT,
                             "triple fault in real mode: #DF beyond the IDTR limit 0x%x",
                             v->rm_int.idtr_limit);
        vector = vector == X86_EXC_GP ? X86_EXC_DF : X86_EXC_GP; /* #GP, then #DF */
        kind = "exception";
        return_ip = fault_ip; /* a fault: it returns to the instruction */
    }
    uint16_t entry[2]; /* offset, segment (SDM 20.1.4) */
    if (!v->ops || !v->ops->read_gpa ||
        !v->ops->read_gpa(v, v->rm_int.idtr_base + (uint32_t)vector * 4, entry, 4))
        return vcpu_stop(v, VCPU_STOP_MEMORY, "real mode: IVT entry 0x%02x outside the VM", vector);
    uint64_t rflags = vmcs_read(GUEST_RFLAGS), ss_base = vmcs_read(GUEST_SS_BASE);
    uint16_t sp = (uint16_t)vmcs_read(GUEST_RSP), cs = (uint16_t)vmcs_read(GUEST_CS_SELECTOR);
    if (!rm_push(v, ss_base, &sp, (uint16_t)rflags) || !rm_push(v, ss_base, &sp, cs) ||
        !rm_push(v, ss_base, &sp, return_ip))
        return vcpu_stop(v, VCPU_STOP_MEMORY, "real mode: stack at 0x%lx outside the VM",
                         ss_base + sp);
    if (v->rm_int.shown < RM_INT_SHOWN) {
        v->rm_int.shown++;
        pr_info("%s: real mode: %s 0x%02x at %04x:%04x delivered by the hypervisor to "
                "%04x:%04x\n",
                v->name, kind, vector, cs, return_ip, entry[1], entry[0]);
    }
    vmcs_write(GUEST_RSP, (vmcs_read(GUEST_RSP) & ~0xffffull) | sp);
    vmcs_write(GUEST_RFLAGS, rflags & ~(uint64_t)(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC));
    vmcs_write(GUEST_CS_SELECTOR, entry[1]);
    vmcs_write(GUEST_CS_BASE, (uint64_t)entry[1] << 4);
    vmcs_write(GUEST_RIP, entry[0]);
    __atomic_add_fetch(&delivered, 1, __ATOMIC_RELAXED);
    return EXIT_RESUME;
}

bool vcpu_rm_int_owns(const struct vcpu *v, uint8_t vector)
{
    return v->rm_int.on && vector == X86_EXC_GP && !(vmcs_read(GUEST_CR0) & CR0_PE);
}

/* A #GP exit of a real-mode guest with rmint=on (exit_exception hands it over). */
enum exit_action exit_rm_int_gp(struct vcpu *v)
{
    uint16_t limit = (uint16_t)vmcs_read(GUEST_IDTR_LIMIT);
    if (limit) { /* the guest loaded an IDTR of its own: take it over */
        v->rm_int.idtr_base = (uint32_t)vmcs_read(GUEST_IDTR_BASE);
        v->rm_int.idtr_limit = limit;
        vmcs_write(GUEST_IDTR_LIMIT, 0);
    }
    uint16_t ip = (uint16_t)v->guest_rip;
    uint32_t idt = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    if (!(idt & INTR_INFO_VALID)) /* a #GP of an instruction: the guest's own */
        return rm_deliver(v, X86_EXC_GP, ip, ip, "exception");
    uint32_t type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
    uint16_t ret = ip;
    if (type >= 4) /* software interrupt and exceptions: after the instruction (SDM 28.2.4) */
        ret = (uint16_t)(ip + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
    return rm_deliver(v, (uint8_t)(idt & INTR_INFO_VECTOR_MASK), ret, ip, rm_kind[type]);
}
