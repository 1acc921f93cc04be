/*
 * vm/vm_irq.c - a VM's interrupts, time and secondary vCPUs, between the VMX layer's injector
 * and the board's device models (DESIGN §6): before an entry the injector asks for the
 * highest interrupt (intr_peek, after the devices' time is brought up to now) and
 * acknowledges what it injects (intr_ack); the VMX-preemption timer is armed for the next
 * device event (next_event); the local APIC's MSRs go to the board (msr). Device models raise
 * lines and send IPIs through the board, which calls vm_kick, vm_nmi, vm_init_signal and
 * vm_sipi here. Everything the devices share is under the VM's lock.
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/lapic.h"
#include "vm/vm.h"

uint64_t vm_time_ns(const struct vm *vm, uint64_t host_tsc)
{
    /* Guest time from the host TSC, calibrated at boot (platform/lapic.c): the guest's own
     * TSC can be written by it, the host's cannot. */
    uint64_t base = -vm->tsc_offset, per_ms = tsc_per_ms();
    uint64_t ticks = host_tsc - base;
    return per_ms ? ticks / per_ms * 1000000 + ticks % per_ms * 1000000 / per_ms : 0;
}

int vm_intr_peek(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (!vm->board || !vm->board->intr_peek)
        return -1; /* no interrupt controllers (VP_HC_INJECT's test line: event_inject.c) */
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    if (vm->board->advance)
        vm->board->advance(vm->board_ctx, v->index, rdtsc());
    int vector = vm->board->intr_peek(vm->board_ctx, v->index);
    spin_unlock_irqrestore(&vm->lock, flags);
    return vector;
}

void vm_intr_ack(struct vcpu *v, int vector)
{
    struct vm *vm = v->vm;
    if (!vm->board || !vm->board->intr_ack)
        return;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    vm->board->intr_ack(vm->board_ctx, v->index, vector);
    spin_unlock_irqrestore(&vm->lock, flags);
}

uint64_t vm_next_event(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (!vm->board || !vm->board->next_event)
        return UINT64_MAX;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    uint64_t t = vm->board->next_event(vm->board_ctx, v->index);
    spin_unlock_irqrestore(&vm->lock, flags);
    return t;
}

int vm_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value)
{
    struct vm *vm = v->vm;
    if (!vm->board || !vm->board->msr)
        return 1;
    uint64_t flags = spin_lock_irqsave(&vm->lock);
    int rc = vm->board->msr(vm->board_ctx, v->index, msr, write, value);
    spin_unlock_irqrestore(&vm->lock, flags);
    v->attention = true;
    return rc;
}

void vm_kick(struct vm *vm, uint32_t index)
{
    if (index >= vm->nvcpus)
        return;
    vcpu_kick(&vm->vcpus[index]); /* it looks before it enters again (vmx/vcpu_kick.c) */
}

void vm_nmi(struct vm *vm, uint32_t index)
{
    if (index >= vm->nvcpus)
        return;
    vm->vcpus[index].events.nmi = true; /* event_queue_nmi: only a flag */
    vm_kick(vm, index);
}

void vm_init_signal(struct vm *vm, uint32_t index)
{
    if (index >= vm->nvcpus)
        return;
    if (vm->cpu_start[index] == VM_CPU_WAIT_INIT) {
        vm->cpu_start[index] = VM_CPU_WAIT_SIPI; /* SDM 11.4.7.3: INIT, then start-up */
        return;
    }
    if (vm->cpu_start[index] == VM_CPU_RUNS && index != 0) {
        /* An INIT puts an AP in the wait-for-SIPI state (SDM 11.4.7.3, 9.1): its vCPU leaves
         * the guest at its next entry and the scheduler starts it again at the SIPI. */
        vm->cpu_start[index] = VM_CPU_WAIT_SIPI;
        __atomic_store_n(&vm->vcpus[index].reset_request, true, __ATOMIC_RELEASE);
        pr_info("vm %s: INIT: vCPU %u waits for a SIPI\n", vm->cfg.name, index);
        vm_kick(vm, index);
    } else if (vm->cpu_start[index] == VM_CPU_RUNS) {
        /* An INIT to the BSP resets it, and it starts again at the reset vector 0xfffffff0
         * (SDM 9.1.4; the BSP flag makes it fetch there instead of waiting for a SIPI, SDM
         * 9.4.1): a reset of the machine, which needs firmware a VM here does not have. The VM
         * is stopped with that reason instead of going on as if nothing had happened. */
        pr_info("vm %s: INIT to the BSP (vCPU 0): a reset of the VM, not emulated: stopping it\n",
                vm->cfg.name);
        struct vm_stop_request r = {true, VCPU_STOP_UNHANDLED,
                                    "INIT to the BSP (a reset of the VM is not emulated)"};
        vm_request_stop(vm, &r);
        for (uint32_t i = 0; i < vm->nvcpus; i++)
            vm_kick(vm, i);
    }
}

void vm_sipi(struct vm *vm, uint32_t index, uint8_t vector)
{
    if (index >= vm->nvcpus || vm->cpu_start[index] != VM_CPU_WAIT_SIPI)
        return; /* a SIPI without INIT, or a second one, is ignored (SDM 11.4.4.1) */
    vm->sipi_vector[index] = vector;
    __atomic_store_n(&vm->cpu_start[index], VM_CPU_SIPI_RECEIVED, __ATOMIC_RELEASE);
}

int vm_start_state(struct vcpu *v, struct vcpu_config *c)
{
    struct vm *vm = v->vm;
    if (vm->stop || vm->state == VM_FAILED)
        return -1;
    switch (__atomic_load_n(&vm->cpu_start[v->index], __ATOMIC_ACQUIRE)) {
    case VM_CPU_RUNS:
        *c = vm->start;
        return 0;
    case VM_CPU_SIPI_RECEIVED: {
        /* Real-address mode at vector:0000, CS = vector << 8 (base vector << 12), as a
         * start-up IPI starts a processor (SDM 11.4.4.1, 9.4.4.2). */
        uint8_t vector = vm->sipi_vector[v->index];
        *c = vm->start;
        c->mode = VCPU_MODE_REAL;
        c->cs = (uint16_t)(vector << 8);
        c->ss = 0;
        c->rip = c->rsp = c->rax = c->rbx = 0;
        vm->cpu_start[v->index] = VM_CPU_RUNS;
        if (vm->board && vm->board->cpu_start) {
            uint64_t flags = spin_lock_irqsave(&vm->lock);
            vm->board->cpu_start(vm->board_ctx, v->index);
            spin_unlock_irqrestore(&vm->lock, flags);
        }
        pr_info("vm %s: vCPU %u starts at %02x00:0000 (SIPI vector 0x%x)\n", vm->cfg.name, v->index,
                vector, vector);
        return 0;
    }
    default:
        return 1;
    }
}

void vm_vcpu_stopped(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (!vm->stop) { /* else the VM was stopping anyway (a device, another vCPU) */
        struct vm_stop_request r = {true, v->exit_status, v->stop_reason};
        vm_request_stop(vm, &r);
    }
    /* Either way the others are kicked: one that sleeps in HLT with no device event ahead
     * would not exit to see the stop otherwise. */
    for (uint32_t i = 0; i < vm->nvcpus; i++)
        if (i != v->index)
            vm_kick(vm, i);
}
