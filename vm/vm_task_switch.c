/*
 * vm/vm_task_switch.c - a VM's task switches (vcpu_ops.task_switch): the VMX layer decoded the
 * exit (vmx/exit_task_switch.c); this file gathers the guest state from the VMCS, runs the
 * switch (vm/task_switch.c) over the guest's page tables and RAM (vm/vm_guest.c), writes the
 * new task's state back and delivers what the switch raised: a fault before the commit point
 * in the old task (nothing changed, RIP still on the instruction), one after it in the new
 * task (SDM 8.3), and the T flag's debug trap (SDM 8.2.1, 17.2.3).
 */
#include "platform/console.h"
#include "vm/task_switch.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"

/* GPRs in encoding order (EAX ECX EDX EBX ESP EBP ESI EDI); ESP lives in the VMCS (4 is
 * never asked for). */
static uint64_t *gpr_slot(struct vcpu *v, unsigned i)
{
    switch (i) {
    case 0:
        return &v->regs.rax;
    case 1:
        return &v->regs.rcx;
    case 2:
        return &v->regs.rdx;
    case 3:
        return &v->regs.rbx;
    case 5:
        return &v->regs.rbp;
    case 6:
        return &v->regs.rsi;
    default:
        return &v->regs.rdi;
    }
}

static void read_seg(struct ts_seg *s, uint32_t sel_field, uint32_t base_field,
                     uint32_t limit_field, uint32_t ar_field)
{
    s->sel = (uint16_t)vmcs_read(sel_field);
    s->base = (uint32_t)vmcs_read(base_field);
    s->limit = (uint32_t)vmcs_read(limit_field);
    s->ar = (uint32_t)vmcs_read(ar_field);
}

static void write_seg(const struct ts_seg *s, uint32_t sel_field, uint32_t base_field,
                      uint32_t limit_field, uint32_t ar_field)
{
    vmcs_write(sel_field, s->sel);
    vmcs_write(base_field, s->base);
    vmcs_write(limit_field, s->limit);
    vmcs_write(ar_field, s->ar);
}

static void read_state(struct vcpu *v, const struct vcpu_task_switch *ts, struct ts_state *st)
{
    for (unsigned i = 0; i < 8; i++)
        st->gpr[i] = (uint32_t)(i == 4 ? vmcs_read(GUEST_RSP) : *gpr_slot(v, i));
    st->eip = (uint32_t)ts->saved_rip;
    st->eflags = (uint32_t)vmcs_read(GUEST_RFLAGS);
    for (unsigned i = 0; i < 6; i++) /* ES CS SS DS FS GS: VMCS order (SDM B.1.2) */
        read_seg(&st->seg[i], GUEST_ES_SELECTOR + 2 * i, GUEST_ES_BASE + 2 * i,
                 GUEST_ES_LIMIT + 2 * i, GUEST_ES_AR_BYTES + 2 * i);
    read_seg(&st->ldtr, GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
             GUEST_LDTR_AR_BYTES);
    read_seg(&st->tr, GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES);
    st->gdt_base = (uint32_t)vmcs_read(GUEST_GDTR_BASE);
    st->gdt_limit = (uint32_t)vmcs_read(GUEST_GDTR_LIMIT);
    st->cr0 = (uint32_t)vcpu_guest_cr0(v);
    st->cr3 = (uint32_t)vmcs_read(GUEST_CR3);
    st->dr7 = (uint32_t)vmcs_read(GUEST_DR7);
}

static void write_state(struct vcpu *v, const struct ts_state *st, const struct ts_result *r)
{
    for (unsigned i = 0; i < 8; i++) {
        if (i == 4)
            vmcs_write(GUEST_RSP, st->gpr[4]);
        else
            *gpr_slot(v, i) = st->gpr[i];
    }
    v->guest_rip = st->eip;
    vmcs_write(GUEST_RIP, st->eip);
    vmcs_write(GUEST_RFLAGS, st->eflags);
    for (unsigned i = 0; i < 6; i++)
        write_seg(&st->seg[i], GUEST_ES_SELECTOR + 2 * i, GUEST_ES_BASE + 2 * i,
                  GUEST_ES_LIMIT + 2 * i, GUEST_ES_AR_BYTES + 2 * i);
    write_seg(&st->ldtr, GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
              GUEST_LDTR_AR_BYTES);
    write_seg(&st->tr, GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES);
    /* CR0.TS: the running value with the VMX fixed bits, the guest's through the shadow. */
    vmcs_write(GUEST_CR0, vcpu_real_cr0(v, st->cr0));
    vmcs_write(CR0_READ_SHADOW, st->cr0);
    vmcs_write(GUEST_DR7, st->dr7);
    if (r->cr3_loaded) {
        vmcs_write(GUEST_CR3, st->cr3);
        if (vcpu_guest_cr4(v) & CR4_PAE) /* with EPT the CPU takes them from here (27.3.2.4) */
            for (unsigned i = 0; i < 4; i++)
                vmcs_write(GUEST_PDPTR0 + 2 * i, r->pdpte[i]);
    }
    /* The new task starts with no STI or MOV SS blocking (the old task's instruction ended). */
    uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
    vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
               intr & ~(uint64_t)(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS));
}

enum exit_action vm_task_switch(struct vcpu *v, const struct vcpu_task_switch *ts)
{
    struct vm *vm = v->vm;
    struct gw_state paging;
    struct gw_mem mem;
    struct ts_state st;
    struct ts_result r;
    char msg[160];
    vm_guest_paging(v, &paging);
    vm_guest_mem(vm, &mem);
    read_state(v, ts, &st);
    struct ts_request rq = {
        .source = (enum ts_source)ts->source,
        .selector = ts->selector,
        .ext = ts->ext,
        .has_error = ts->has_error,
        .error = ts->error,
    };
    int rc = ts_switch(&rq, &st, &paging, &mem, &r, msg, sizeof(msg));
    if (rc == TS_MEM_ERROR) {
        vm->stop = true;
        return vcpu_stop(v, VCPU_STOP_MEMORY, "%s (%s to TSS 0x%x at RIP 0x%lx)", msg,
                         ts_source_name(rq.source), ts->selector, v->guest_rip);
    }
    if (rc != TS_OK && rc != TS_FAULT)
        return vcpu_stop(v, VCPU_STOP_UNHANDLED, "task switch (%s to TSS 0x%x) at RIP 0x%lx: %s",
                         ts_source_name(rq.source), ts->selector, v->guest_rip,
                         "not possible in IA-32e mode");
    if (rc == TS_OK || r.committed) {
        write_state(v, &st, &r);
        if (ts->nmi) /* an NMI handler task runs with NMIs blocked until its IRET (6.7.1) */
            vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
                       vmcs_read(GUEST_INTERRUPTIBILITY_INFO) | BLOCKING_BY_NMI);
    }
    if (rc == TS_FAULT) {
        /* A fault before the commit point while an exception was being delivered: the pair
         * combines as the CPU would (contributory on contributory gives #DF, SDM 6.15). */
        if (!r.committed && ts->exception)
            vcpu_record_vectoring(v);
        if (r.vector == X86_EXC_PF)
            vcpu_set_cr2(v, r.cr2);
        vcpu_inject_exception(v, r.vector, r.has_error, r.error);
    } else if (r.debug_trap) {
        vcpu_set_dr6_bits(v, TS_DR6_BT); /* SDM 17.2.3: BT reports the task-switch trap */
        vcpu_inject_exception(v, X86_EXC_DB, false, 0);
    }
    return EXIT_RESUME;
}
