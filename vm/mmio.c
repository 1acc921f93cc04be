/*
 * vm/mmio.c - memory-mapped I/O of a VM's devices (DESIGN §6): an EPT violation at a
 * guest-physical address no RAM backs (SDM 29.3.3.2) is the guest touching a device (the
 * IOAPIC at 0xfec00000, the local APIC at 0xfee00000 without APIC virtualization...). The
 * instruction is fetched through the guest's page tables and decoded (vm/insn_decode.c), the
 * access goes to the MMIO bus, a load's value lands in its register, and the guest goes on
 * after the instruction. What is not a device, or not a plain load or store, stops the VM
 * with the reason: never a retry loop.
 */
#include "platform/console.h"
#include "platform/fmt.h"
#include "vm/insn_decode.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/event.h"
#include "vmx/invalidate.h"
#include "vmx/vmx_cpu.h"

/* The guest's registers in encoding order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15), as the
 * decoder's helpers take them; struct guest_regs keeps another order, RSP is in the VMCS. */
static void gpr_get(struct vcpu *v, uint64_t gpr[16])
{
    const struct guest_regs *r = &v->regs;
    const uint64_t in_order[16] = {r->rax, r->rcx, r->rdx, r->rbx, vmcs_read(GUEST_RSP),
                                   r->rbp, r->rsi, r->rdi, r->r8,  r->r9,
                                   r->r10, r->r11, r->r12, r->r13, r->r14,
                                   r->r15};
    for (int i = 0; i < 16; i++)
        gpr[i] = in_order[i];
}

static void gpr_put(struct vcpu *v, const uint64_t gpr[16])
{
    struct guest_regs *r = &v->regs;
    r->rax = gpr[0], r->rcx = gpr[1], r->rdx = gpr[2], r->rbx = gpr[3];
    vmcs_write(GUEST_RSP, gpr[4]);
    r->rbp = gpr[5], r->rsi = gpr[6], r->rdi = gpr[7], r->r8 = gpr[8], r->r9 = gpr[9];
    r->r10 = gpr[10], r->r11 = gpr[11], r->r12 = gpr[12], r->r13 = gpr[13], r->r14 = gpr[14];
    r->r15 = gpr[15];
}

static enum insn_mode code_mode(struct vcpu *v)
{
    if (vcpu_in_64bit_code(v))
        return INSN_MODE_64;
    return (vmcs_read(GUEST_CS_AR_BYTES) & AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

static enum exit_action mmio(struct vcpu *v, uint64_t gpa)
{
    struct vm *vm = v->vm;
    struct gw_state paging;
    struct gw_mem mem;
    struct insn in;
    char msg[160];
    vm_guest_paging(v, &paging);
    vm_guest_mem(vm, &mem);
    enum insn_mode mode = code_mode(v);
    struct vm_fetch f = {&paging, &mem, vmcs_read(GUEST_CS_BASE), v->guest_rip,
                         mode != INSN_MODE_64};
    if (insn_decode(&in, mode, vm_fetch_byte, &f, msg, sizeof(msg)) != INSN_OK)
        return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MMIO at 0x%lx, RIP 0x%lx: %s", gpa, v->guest_rip,
                         msg);
    uint64_t gpr[16], value = 0;
    gpr_get(v, gpr);
    bool store = in.mem_write && !in.mem_read;
    bool load = in.mem_read && !in.mem_write && in.dst == INSN_OPND_REG;
    if (store && insn_store_value(&in, gpr, &value) == 0) {
        uint64_t flags = spin_lock_irqsave(&vm->lock);
        int rc = io_bus_access(&vm->mmio, v, gpa, in.mem_size, true, &value);
        spin_unlock_irqrestore(&vm->lock, flags);
        if (rc != IO_OK)
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MMIO write of %u bytes at 0x%lx refused",
                             in.mem_size, gpa);
    } else if (load) {
        uint64_t flags = spin_lock_irqsave(&vm->lock);
        int rc = io_bus_access(&vm->mmio, v, gpa, in.mem_size, false, &value);
        spin_unlock_irqrestore(&vm->lock, flags);
        if (rc != IO_OK || insn_load_complete(&in, gpr, value) != 0)
            return vcpu_stop(v, VCPU_STOP_UNHANDLED, "MMIO read of %u bytes at 0x%lx refused",
                             in.mem_size, gpa);
        gpr_put(v, gpr);
    } else {
        insn_format(&in, msg, sizeof(msg));
        return vcpu_stop(v, VCPU_STOP_UNHANDLED,
                         "MMIO at 0x%lx by '%s' at RIP 0x%lx: only loads and stores are "
                         "emulated",
                         gpa, msg, v->guest_rip);
    }
    v->attention = true; /* the device may have raised, dropped or acknowledged an interrupt */
    vcpu_advance_rip(v, in.len);
    return EXIT_RESUME;
}

/* eptlazy= (book example 7-1): the first access to the page the VM started without. It is
 * mapped again (an EPT violation invalidates the cached translations of the
 * address, SDM 29.4.3.1; INVEPT makes sure on this CPU), and an event whose delivery the
 * violation interrupted (SDM 28.2.4: the CPU was pushing its frame there) is injected again
 * (SDM 27.6); an instruction's access is simply executed again. */
static enum exit_action eptlazy_touch(struct vcpu *v, uint64_t gpa)
{
    struct vm *vm = v->vm;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    int err = vm->eptlazy_pending
                  ? ept_map(&vm->ept, vm->cfg.eptlazy, vm->ram_hpa + vm->cfg.eptlazy, 4096,
                            EPT_R | EPT_W | EPT_X, vm->memtype, false)
                  : 0;
    vm->eptlazy_pending = false;
    spin_unlock_irqrestore(&vm->lock, flags);
    if (err)
        return vcpu_stop(v, VCPU_STOP_HOST, "eptlazy page 0x%lx: %s", vm->cfg.eptlazy,
                         ept_error_str(err));
    vmx_invept_context(vm->eptp);
    uint32_t idt = (uint32_t)vmcs_read(IDT_VECTORING_INFO_FIELD);
    char during[80] = "an instruction's access: it runs again";
    if (idt & INTR_INFO_VALID) {
        uint32_t type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
        fmt_snprintf(during, sizeof(during),
                     "during delivery of vector 0x%x (type %u, IDT-vectoring): injected again",
                     idt & INTR_INFO_VECTOR_MASK, type);
    }
    pr_info("vm %s: EPT violation at 0x%lx, RIP 0x%lx: eptlazy page 0x%lx mapped; %s\n",
            vm->cfg.name, gpa, v->guest_rip, vm->cfg.eptlazy, during);
    vcpu_record_vectoring(v);
    return EXIT_RESUME;
}

enum exit_action vm_ept_violation(struct vcpu *v, uint64_t gpa, uint64_t q)
{
    struct vm *vm = v->vm;
    if (vm->cfg.has_eptlazy && (gpa & ~0xfffull) == vm->cfg.eptlazy)
        return eptlazy_touch(v, gpa);
    if (io_bus_find(&vm->mmio, gpa)) {
        vcpu_record_vectoring(v); /* an access while an event was being delivered */
        return mmio(v, gpa);
    }
    /* No RAM and no device: an access outside the VM stops it with the decoded violation. */
    vm->stop = true; /* every vCPU of the VM stops */
    return exit_ept_violation_stop(v, gpa, q);
}
