/* platform/trap.c - dispatch of interrupts and exceptions; the fatal-exception report. */
#include "platform/trap.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/lapic.h"
#include "platform/panic.h"
#include "platform/percpu.h"

static trap_handler_fn handlers[256];

/* SDM 6.3.1, table 6-1. */
static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR BOUND range exceeded",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack-segment fault",
    "#GP general protection",
    "#PF page fault",
    "reserved (15)",
    "#MF x87 floating-point error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating-point",
    "#VE virtualization exception",
    "#CP control protection",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security exception",
    "reserved (31)",
};

const char *exception_name(uint8_t vector)
{
    return vector < 32 ? exception_names[vector] : "interrupt";
}

void trap_set_handler(uint8_t vector, trap_handler_fn fn)
{
    handlers[vector] = fn;
}

struct expectation {
    int vector; /* -1: none */
    uint64_t resume_rip;
    uint32_t hits;
};
static struct expectation expect[MAX_CPUS];

void trap_expect(uint8_t vector, uint64_t resume_rip)
{
    struct expectation *e = &expect[this_cpu_id()];
    e->vector = vector;
    e->resume_rip = resume_rip;
}

uint32_t trap_expected_hits(void)
{
    return expect[this_cpu_id()].hits;
}

static void exception_report(struct trap_frame *f)
{
    console_lock();
    kprintf("\n*** EXCEPTION %lu (%s) on CPU %u (APIC id %u) error code 0x%lx\n", f->vector,
            exception_name((uint8_t)f->vector), this_cpu_id(), this_cpu()->apic_id, f->error_code);
    kprintf("RIP %04lx:%016lx RSP %04lx:%016lx RFLAGS %016lx\n", f->cs, f->rip, f->ss, f->rsp,
            f->rflags);
    kprintf("CR0 %016lx CR2 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr2(), read_cr3(),
            read_cr4());
    kprintf("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("RSI %016lx RDI %016lx RBP %016lx R8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("R9  %016lx R10 %016lx R11 %016lx R12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("R13 %016lx R14 %016lx R15 %016lx\n", f->r13, f->r14, f->r15);
    console_unlock();
}

void trap_dispatch(struct trap_frame *f)
{
    uint8_t v = (uint8_t)f->vector;
    if (v == 2 && handlers[2]) { /* an NMI its owner expects (vmx/vcpu_kick.c); no EOI */
        handlers[2](f);
        return;
    }
    if (v < 32) {
        struct expectation *e = &expect[this_cpu_id()];
        if (e->vector == v) {
            e->vector = -1;
            e->hits++;
            f->rip = e->resume_rip;
            return;
        }
        trace(TRACE_EXCEPTION, f->vector, f->error_code, f->rip, read_cr2());
        exception_report(f);
        panic_stop_cpu("unexpected exception");
    }
    if (handlers[v])
        handlers[v](f);
    else if (v != VEC_SPURIOUS)
        pr_warn("CPU %u: interrupt vector 0x%x with no handler\n", this_cpu_id(), v);
    if (v != VEC_SPURIOUS) /* no EOI for the spurious vector (SDM 11.9) */
        lapic_eoi();
}

void trap_init(void)
{
    for (int i = 0; i < MAX_CPUS; i++)
        expect[i].vector = -1;
}
