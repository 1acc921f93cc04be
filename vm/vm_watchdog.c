/*
 * vm/vm_watchdog.c - the no-progress watchdog of a VM (`watchdog=SECONDS`, docs/vm-config.md):
 * when one vCPU's watchdog (vmx/watchdog.h) finds it idle for a period, and every other vCPU
 * of the VM is idle too (or never started: a secondary vCPU still waiting for its SIPI), the
 * VM is waiting for something that will never come. Its vCPUs are reported with their RIPs and
 * it is stopped with VCPU_STOP_NO_PROGRESS instead of running into the machine's timeout.
 */
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/lapic.h"
#include "vm/vm.h"
#include "vm/vm_guest.h"

uint64_t vm_watchdog_ticks(uint32_t seconds)
{
    return (uint64_t)seconds * 1000 * tsc_per_ms();
}

static const char *vcpu_what(const struct vm *vm, uint32_t i)
{
    const struct vcpu *u = &vm->vcpus[i];
    if (vm->cpu_start[i] != VM_CPU_RUNS)
        return "never started (waiting for INIT/SIPI)";
    if (u->state == VCPU_STOPPED)
        return "stopped";
    return "at its last exit";
}

/* Reads up to n words of guest linear memory at la through cur's page tables: how many. */
static size_t read_words(struct vcpu *cur, uint64_t la, uint64_t *words, size_t n)
{
    struct gw_state s;
    struct gw_mem m;
    struct gw_result res;
    vm_guest_paging(cur, &s);
    vm_guest_mem(cur->vm, &m);
    size_t got = 0;
    while (got < n) { /* page by page: a stack ends at an unmapped guard page */
        uint64_t at = la + got * 8, room = (4096 - (at & 4095)) / 8;
        size_t k = n - got < room ? n - got : room;
        if (!k || gw_read(&s, &m, at, words + got, k * 8, 0, &res) != GW_OK)
            break;
        got += k;
    }
    return got;
}

/* An interrupt or exception frame of a 64-bit guest at words[i] (SDM 6.14.2: RIP, CS, RFLAGS,
 * RSP, SS): a code address, a ring-0 CS, RFLAGS with bit 1 set, then a stack pointer. */
static bool is_frame(const uint64_t *w, uint64_t rip, uint64_t rsp)
{
    return w[0] >> 30 == rip >> 30 && (w[1] == 0x10 || w[1] == 0x8) && (w[2] & 2) &&
           w[2] < 0x400000 && w[3] >> 47 == rsp >> 47 && !(w[3] & 7);
}

#define STACK_WORDS 256

/* The words on a stack that look like return addresses (in the same GiB as RIP), and the
 * interrupt frames among them with the RFLAGS of the context they interrupted; a stack
 * pointer that leads off this stack (an IRQ stack's link to the task's) is followed once. */
static void report_stack_words(struct vcpu *cur, uint64_t rip, uint64_t rsp, int depth)
{
    const char *name = ((struct vm *)cur->vm)->cfg.name;
    static uint64_t words[STACK_WORDS]; /* under the console: one report at a time */
    unsigned n = (unsigned)read_words(cur, rsp & ~7ull, words, STACK_WORDS);
    if (!n) {
        pr_info("vm %s: watchdog:   stack at 0x%lx: not readable\n", name, rsp);
        return;
    }
    char line[200];
    int len = 0;
    pr_info("vm %s: watchdog:   stack at 0x%lx:\n", name, rsp);
    for (unsigned i = 0; i < n; i++) {
        uint64_t w = words[i];
        if (i + 5 <= n && is_frame(&words[i], rip, rsp))
            pr_info("vm %s: watchdog:     +%u: interrupted at RIP 0x%lx, RFLAGS 0x%lx, RSP 0x%lx\n",
                    name, i * 8, w, words[i + 2], words[i + 3]);
        if (w >> 30 == rip >> 30 && w != rip)
            len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, " +%u:%lx", i * 8, w);
        if (len > 150) {
            pr_info("vm %s: watchdog:    %s\n", name, line);
            len = 0;
        }
    }
    if (len)
        pr_info("vm %s: watchdog:    %s\n", name, line);
    /* the last word below a stack's guard page: an IRQ stack keeps the task's RSP there */
    uint64_t top = words[n - 1];
    if (depth == 0 && n < STACK_WORDS && top >> 47 == rsp >> 47 && !(top & 7) &&
        (top < rsp - 0x4000 || top > rsp + 0x4000))
        report_stack_words(cur, rip, top, 1);
}

/* A vCPU's general registers at its last exit, and its stack read through the page tables of
 * the vCPU whose VMCS is current (a kernel's stacks are mapped in all of its address spaces):
 * where a guest spins or waits, and on what (a lock's address is often in a register). */
static void report_stack(struct vcpu *cur, const struct vcpu *u, uint64_t rip, uint64_t rsp)
{
    const struct guest_regs *r = &u->regs;
    const char *name = ((struct vm *)cur->vm)->cfg.name;
    pr_info("vm %s: watchdog:   rax %lx rbx %lx rcx %lx rdx %lx rsi %lx rdi %lx rbp %lx\n", name,
            r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp);
    pr_info("vm %s: watchdog:   r8 %lx r9 %lx r10 %lx r11 %lx r12 %lx r13 %lx r14 %lx r15 %lx\n",
            name, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15);
    report_stack_words(cur, rip, rsp, 0);
}

enum exit_action vm_no_progress(struct vcpu *v)
{
    struct vm *vm = v->vm;
    uint64_t now = rdtsc(), period = v->watchdog.period;
    /* A vCPU that has stood still for a period with RFLAGS.IF = 0 outside HLT (SDM 6.8.1: no
     * maskable interrupt can reach it) waits for something only another CPU could do, while
     * taking no interrupt: a spin on a lock that nobody will free. It is stuck whatever its
     * siblings do (they may go on taking their own timer interrupts). */
    bool stuck = !(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) &&
                 vmcs_read(GUEST_ACTIVITY_STATE) == ACTIVITY_ACTIVE;
    for (uint32_t i = 0; i < vm->nvcpus && !stuck; i++) {
        const struct vcpu *u = &vm->vcpus[i];
        if (u == v || vm->cpu_start[i] != VM_CPU_RUNS || u->state == VCPU_STOPPED)
            continue;
        uint64_t last = __atomic_load_n(&u->watchdog.progress, __ATOMIC_RELAXED);
        if (now - last < period)
            return EXIT_RESUME; /* another vCPU still works: the VM goes on */
    }
    if (__atomic_exchange_n(&vm->watchdog_fired, true, __ATOMIC_ACQ_REL))
        return vcpu_stop(v, VCPU_STOP_NO_PROGRESS, "its VM was stopped by its watchdog");
    uint32_t seconds = vm->cfg.watchdog;
    if (stuck)
        pr_info("vm %s: watchdog: no progress for %u s on vCPU %u with interrupts disabled "
                "(RFLAGS.IF = 0, the same registers; its siblings may still run): stopping it\n",
                vm->cfg.name, seconds, v->index);
    else
        pr_info("vm %s: watchdog: no progress for %u s (only PAUSE/HLT exits or none, no "
                "interrupt delivered, the same registers): stopping it\n",
                vm->cfg.name, seconds);
    for (uint32_t i = 0; i < vm->nvcpus; i++) {
        const struct vcpu *u = &vm->vcpus[i];
        pr_info("vm %s: watchdog: vCPU %u RIP 0x%lx (%s)\n", vm->cfg.name, i,
                u == v ? v->guest_rip : u->guest_rip, u == v ? "now" : vcpu_what(vm, i));
        /* what it waits with: enough to tell a guest that waits for nothing from an
         * interrupt that was raised and not delivered */
        pr_info("vm %s: watchdog:   halted %d, attention %d, pending events %d\n", vm->cfg.name,
                u->halted, u->attention, event_pending(&u->events));
        if (vm->board && vm->board->describe) {
            char line[192];
            uint64_t flags = spin_lock_irqsave(&vm->lock);
            vm->board->describe(vm->board_ctx, i, line, sizeof(line));
            spin_unlock_irqrestore(&vm->lock, flags);
            pr_info("vm %s: watchdog:   %s\n", vm->cfg.name, line);
        }
        if (vm->cpu_start[i] == VM_CPU_RUNS)
            report_stack(v, u, u == v ? v->guest_rip : u->guest_rip,
                         u == v ? vmcs_read(GUEST_RSP) : u->idle_rsp);
    }
    /* the vCPU whose VMCS is current: its state as the next entry would take it */
    pr_info("vm %s: watchdog:   vCPU %u: activity %lu, interruptibility 0x%lx, RFLAGS 0x%lx, "
            "guest interrupt status 0x%lx\n",
            vm->cfg.name, v->index, vmcs_read(GUEST_ACTIVITY_STATE),
            vmcs_read(GUEST_INTERRUPTIBILITY_INFO), vmcs_read(GUEST_RFLAGS),
            v->apicv.plan.vid ? vmcs_read(GUEST_INTR_STATUS) : 0);
    struct vm_stop_request stop = {true, VCPU_STOP_NO_PROGRESS, "no progress (watchdog)"};
    vm_request_stop(vm, &stop);
    for (uint32_t i = 0; i < vm->nvcpus; i++)
        if (&vm->vcpus[i] != v)
            vm_kick(vm, i);
    return vcpu_stop(v, VCPU_STOP_NO_PROGRESS, "no progress for %u s at RIP 0x%lx (watchdog)",
                     seconds, v->guest_rip);
}
