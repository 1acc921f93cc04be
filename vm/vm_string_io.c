/*
 * vm/vm_string_io.c - INS and OUTS (with or without REP) of a VM's guest (SDM 26.1.3, 28.2.1):
 * the VMX layer hands the exit over (vcpu_ops.string_io), this file gathers the guest's state
 * from the VMCS, runs vm/string_io.c over the guest's page tables (vm/guest_walk.c) and RAM,
 * with the VM's port devices, and turns the outcome into the next step: skip the instruction,
 * re-enter it (a REP interrupted between iterations, as the CPU allows), or deliver the fault
 * the CPU would have given (#PF with its CR2, #GP, #SS, #AC). Bounded: at most SIO_BUDGET
 * elements per exit, so a huge RCX neither holds the CPU nor delays the guest's interrupts.
 */
#include <string.h>
#include "platform/console.h"
#include "platform/cpu.h"
#include "vm/guest_walk.h"
#include "vm/string_io.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"

#define SIO_BUDGET 256 /* elements per exit */

static int port(void *ctx, uint16_t p, unsigned size, bool in, uint32_t *val)
{
    struct vcpu *v = ctx;
    vm_port_io(v, p, size, in, val);
    return ((struct vm *)v->vm)->stop ? -1 : 0; /* a device asked for the VM to end */
}

enum exit_action vm_string_io(struct vcpu *v, uint64_t qualification)
{
    struct vm *vm = v->vm;
    uint64_t rflags = vmcs_read(GUEST_RFLAGS);
    struct gw_state paging;
    struct gw_mem mem;
    vm_guest_paging(v, &paging);
    vm_guest_mem(vm, &mem);
    struct sio_input in = {
        .qualification = qualification,
        .info_valid = vmx.caps.ins_outs_info, /* IA32_VMX_BASIC[54] (SDM A.1) */
        .info = (uint32_t)vmcs_read(VMX_INSTRUCTION_INFO),
        .mode =
            sio_guest_mode(paging.cr0, rflags, paging.efer, (uint32_t)vmcs_read(GUEST_CS_AR_BYTES)),
        .paging = &paging,
        .mem = &mem,
        .port = port,
        .port_ctx = v,
        .budget = SIO_BUDGET,
    };
    for (unsigned i = 0; i < 6; i++) { /* ES CS SS DS FS GS: VMCS order (SDM B.1.2) */
        in.seg[i].base = vmcs_read(GUEST_ES_BASE + 2 * i);
        in.seg[i].limit = (uint32_t)vmcs_read(GUEST_ES_LIMIT + 2 * i);
        in.seg[i].ar = (uint32_t)vmcs_read(GUEST_ES_AR_BYTES + 2 * i);
    }
    struct vm_fetch fc = {&paging, &mem, in.seg[1].base, v->guest_rip, in.mode != SIO_MODE_LONG64};
    in.fetch = vm_fetch_byte;
    in.fetch_ctx = &fc;

    struct sio_regs regs = {v->regs.rsi, v->regs.rdi, v->regs.rcx, rflags};
    struct sio_result res;
    char msg[160];
    int st = sio_step(&in, &regs, &res, msg, sizeof(msg));
    if (st == SIO_DONE || st == SIO_MORE || st == SIO_FAULT) {
        v->regs.rsi = regs.rsi;
        v->regs.rdi = regs.rdi;
        v->regs.rcx = regs.rcx;
    }
    switch (st) {
    case SIO_DONE:
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    case SIO_MORE:
        /* Enter the REP instruction again where it stopped; RF keeps an instruction
         * breakpoint on it from firing a second time (SDM 18.3.1.1). */
        vmcs_write(GUEST_RFLAGS, rflags | RFLAGS_RF);
        return EXIT_RESUME;
    case SIO_FAULT:
        if (res.vector == X86_EXC_PF)
            vcpu_set_cr2(v, res.cr2);
        vcpu_inject_exception(v, res.vector, true, res.error_code);
        return EXIT_RESUME;
    case SIO_ERR_PORT:
        return vm->stop ? EXIT_RESUME : vcpu_stop(v, VCPU_STOP_UNHANDLED, "%s", msg);
    case SIO_ERR_MEM:
        vm->stop = true;
        return vcpu_stop(v, VCPU_STOP_MEMORY, "%s %s at RIP 0x%lx: %s", res.in ? "INS" : "OUTS",
                         "to or from memory outside the VM's RAM", v->guest_rip, msg);
    default:
        return vcpu_stop(v, VCPU_STOP_UNHANDLED, "string I/O at RIP 0x%lx: %s", v->guest_rip, msg);
    }
}
