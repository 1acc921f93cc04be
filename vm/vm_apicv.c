/*
 * vm/vm_apicv.c - a VM's APIC virtualization (SDM ch. 30): chosen at VM creation from the
 * CPU's capability MSRs unless apicv=off (vmx/apicv_policy.h), then every vCPU's VMCS uses
 * its local APIC model's register page as the virtual-APIC page (vmx/apicv.c); and the
 * hooks through which the exits give the model its part (under the VM's device lock).
 */
#include "platform/config.h"
#include "platform/console.h"
#include "platform/mem.h"
#include "vm/vm.h"
#include "vmx/vmx_cpu.h"

int vm_apicv_setup(struct vm *vm)
{
    const struct vm_board_ops *b = vm->board;
    struct apicv_plan plan;
    apicv_plan_from_caps(&vmx.caps, config.apicv == 0 && b && b->apic_page && b->apic_x2apic,
                         &plan);
    plan.posted = false; /* not wired: no Bochs model has it (docs/interrupts.md) */
    uint64_t access = 0;
    if (plan.apic_access) {
        /* SDM 30.4: accesses whose EPT translation is the APIC-access address are
         * virtualized; the page itself is never read or written by the guest. */
        access = mem_alloc_pages(1);
        if (!access ||
            ept_map(&vm->ept, APICV_XAPIC_GPA, access, 4096, EPT_R | EPT_W, EPT_MT_UC, true))
            return vm_refuse(vm, "no memory for its APIC-access page");
    }
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        struct vcpu_apicv *a = &vm->vcpus[i].apicv;
        *a = (struct vcpu_apicv){.plan = plan, .apic_access = access};
        if (plan.tpr_shadow) /* the model's page: 4 KiB aligned (vm_alloc_page) */
            a->virtual_apic = (uint64_t)(uintptr_t)b->apic_page(vm->board_ctx, i);
        if (b && b->apic_cpu_delivers)
            b->apic_cpu_delivers(vm->board_ctx, i, plan.vid);
    }
    char what[160];
    apicv_plan_format(&plan, what, sizeof(what));
    pr_info("vm %s: APIC virtualization: %s%s\n", vm->cfg.name, what,
            config.apicv ? " (apicv=off)" : "");
    return 0;
}

void vm_apicv_report(const struct vm *vm)
{
    uint64_t n[5] = {0};
    if (!vm->board || !vm->board->apic_page)
        return;
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        const struct vcpu_apicv *a = &vm->vcpus[i].apicv;
        n[0] += a->tpr_threshold_exits;
        n[1] += a->apic_access_exits;
        n[2] += a->eoi_exits;
        n[3] += a->apic_write_exits;
        n[4] += a->x2apic_msr_exits;
    }
    pr_info("vm %s: APIC virtualization exits: TPR below threshold %lu, APIC access %lu, "
            "virtualized EOI %lu, APIC write %lu; x2APIC MSR exits %lu\n",
            vm->cfg.name, n[0], n[1], n[2], n[3], n[4]);
}

bool vm_apic_x2apic(struct vcpu *v)
{
    struct vm *vm = v->vm;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    bool x2 = vm->board->apic_x2apic(vm->board_ctx, v->index);
    spin_unlock_irqrestore(&vm->lock, flags);
    return x2;
}

void vm_apic_eoi_exit_bitmap(struct vcpu *v, uint64_t bitmap[4])
{
    struct vm *vm = v->vm;
    if (!vm->board->apic_eoi_exit_bitmap)
        return;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    vm->board->apic_eoi_exit_bitmap(vm->board_ctx, v->index, bitmap);
    spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_apic_write(struct vcpu *v, unsigned offset)
{
    struct vm *vm = v->vm;
    if (!vm->board->apic_write)
        return;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    vm->board->apic_write(vm->board_ctx, v->index, offset);
    spin_unlock_irqrestore(&vm->lock, flags);
}

void vm_apic_eoi(struct vcpu *v, uint8_t vector)
{
    struct vm *vm = v->vm;
    if (!vm->board->apic_eoi)
        return;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    vm->board->apic_eoi(vm->board_ctx, v->index, vector);
    spin_unlock_irqrestore(&vm->lock, flags);
}
