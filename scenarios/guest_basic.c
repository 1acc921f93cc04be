/*
 * scenarios/guest_basic.c - the first guest (book chapter 5): a 64-bit guest that exercises
 * CPUID, RDMSR/WRMSR, port I/O, CR access, HLT, VMCALL, INVD/WBINVD, XSETBV and a VMX
 * instruction, then triple-faults. Its console (port 0xE9) is printed with a prefix.
 * PASS when the guest reports all its checks passed, the VMM saw the triple fault, and every
 * exit reason the guest provokes was counted.
 */
#include <string.h>
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_names.h"
#include "scenarios/scenario.h"
#include "guests/builtin/guest_lib.h"

void guest_basic_main(void);

#define GUEST_STACK_PAGES 4

struct console_line {
    char buf[160];
    unsigned len;
};

static bool console_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    struct console_line *l = v->vm;
    if (port != GUEST_CONSOLE_PORT || size != 1)
        return false;
    if (in) {
        *value = 0xe9; /* the Bochs/QEMU debug port reads back 0xE9 */
        return true;
    }
    char c = (char)*value;
    if (c != '\n' && l->len < sizeof(l->buf) - 1) {
        l->buf[l->len++] = c;
        return true;
    }
    l->buf[l->len] = 0;
    kprintf("%s: %s\n", v->name, l->buf);
    l->len = 0;
    return true;
}

static const struct vcpu_ops basic_ops = {.io = console_io};

static const uint32_t expected_exits[] = {
    VM_EXIT_REASON_CPUID,  VM_EXIT_REASON_RDMSR,          VM_EXIT_REASON_WRMSR,
    VM_EXIT_REASON_IO_INSTRUCTION, VM_EXIT_REASON_CR_ACCESS, VM_EXIT_REASON_HLT,
    VM_EXIT_REASON_VMCALL, VM_EXIT_REASON_INVD,           VM_EXIT_REASON_XSETBV,
    VM_EXIT_REASON_VMXON,  VM_EXIT_REASON_TRIPLE_FAULT,
};

static bool run(void)
{
    static struct vcpu v;
    static struct console_line line;
    if (!vmx.usable || vmx_enable_this_cpu())
        return false;
    uint64_t stack = mem_alloc_pages(GUEST_STACK_PAGES);
    memset(&v, 0, sizeof(v));
    v.name = "guest0";
    v.ops = &basic_ops;
    v.vm = &line;
    if (!stack || vcpu_init_long_mode(&v, (uint64_t)guest_basic_main,
                                      stack + GUEST_STACK_PAGES * 4096 - 8, 0, 0))
        return false;
    vcpu_run(&v);

    struct vmx_cpu *c = vmx_this_cpu();
    bool all_seen = true;
    for (size_t i = 0; i < sizeof(expected_exits) / sizeof(expected_exits[0]); i++) {
        if (!c->exits[expected_exits[i]].count) {
            kprintf("guest-basic: no %s exit was counted\n",
                    vmx_exit_reason_name(expected_exits[i]));
            all_seen = false;
        }
    }
    vmx_print_exit_stats(this_cpu_id());
    bool triple = (v.exit_reason & 0xffff) == VM_EXIT_REASON_TRIPLE_FAULT;
    kprintf("guest-basic: guest stopped by %s\n", triple ? "a triple fault" : v.stop_reason);
    return triple && all_seen;
}

const struct scenario scenario_guest_basic = {
    .name = "guest-basic",
    .book = "5",
    .summary = "a 64-bit guest: CPUID, MSRs, I/O, CRs, HLT, VMCALL, XSETBV, #UD, triple fault",
    .run = run,
};
