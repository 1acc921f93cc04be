/* platform/smp.c - AP start-up (INIT-SIPI-SIPI, SDM 9.4.4) and cross-CPU calls. */
#include <string.h>
#include "boot/boot_defs.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/desc.h"
#include "platform/lapic.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "platform/trap.h"

struct ap_boot_data { /* mirrors the tail of boot/ap_trampoline.S */
    uint32_t cr3;
    uint32_t efer;
    uint64_t stack;
    uint64_t entry;
    uint32_t cpu;
};

extern char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_data[];

struct mailbox {
    xcall_fn fn;
    void *arg;
    volatile uint32_t busy;
};
static struct mailbox mailboxes[MAX_CPUS];

#define AP_START_TIMEOUT_MS 200
#define XCALL_TIMEOUT_MS    5000

static void ap_entry(uint32_t id) __attribute__((noreturn));

static void ap_entry(uint32_t id)
{
    struct percpu *p = &cpus[id];
    percpu_setup(id, p->apic_id);
    gdt_init_cpu(&p->gdt, p->ist_top);
    idt_load();
    lapic_init();
    if (lapic_id() != p->apic_id)
        pr_warn("CPU %u: APIC id is %u, the MADT said %u\n", id, lapic_id(), p->apic_id);
    trace(TRACE_CPU_ONLINE, id, lapic_id(), 0, 0);
    __atomic_store_n(&p->state, CPU_ONLINE, __ATOMIC_RELEASE);
    ap_idle_loop();
}

void ap_idle_loop(void)
{
    struct mailbox *m = &mailboxes[this_cpu_id()];
    for (;;) {
        irq_disable();
        if (__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE)) {
            irq_enable();
            trace(TRACE_XCALL, (uint64_t)m->fn, (uint64_t)m->arg, 0, 0);
            m->fn(m->arg);
            __atomic_store_n(&m->busy, 0, __ATOMIC_RELEASE);
            continue;
        }
        irq_enable_and_halt(); /* an IPI arriving after the check still wakes us */
    }
}

static void xcall_ipi(struct trap_frame *f)
{
    (void)f; /* the IPI only wakes the idle loop; trap_dispatch sends the EOI */
}

static bool start_one(uint32_t id, uint64_t cr3, uint32_t efer_bits)
{
    struct percpu *p = &cpus[id];
    uint64_t stack = mem_alloc_pages(CPU_STACK_SIZE / 4096);
    uint64_t ist = mem_alloc_pages(1);
    size_t trace_pages = ((size_t)trace_ring_records * sizeof(struct trace_record) + 4095) / 4096;
    p->trace_storage = phys_to_virt(mem_alloc_pages(trace_pages));
    if (!stack || !ist || !p->trace_storage) {
        pr_err("CPU %u: no memory for its stacks\n", id);
        return false;
    }
    p->stack_top = stack + CPU_STACK_SIZE;
    p->ist_top = ist + 4096;
    p->state = CPU_STARTING;

    struct ap_boot_data *d =
        (struct ap_boot_data *)(AP_TRAMPOLINE_PHYS +
                                ((uintptr_t)ap_trampoline_data - (uintptr_t)ap_trampoline_start));
    d->cr3 = (uint32_t)cr3;
    d->efer = efer_bits;
    d->stack = p->stack_top;
    d->entry = (uint64_t)ap_entry;
    d->cpu = id;

    /* INIT, 10 ms, SIPI, 200 us, SIPI if still not started (SDM 9.4.4.1). */
    lapic_send_ipi(p->apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    udelay(10000);
    uint32_t sipi = ICR_STARTUP | (AP_TRAMPOLINE_PHYS >> 12);
    for (int attempt = 0; attempt < 2; attempt++) {
        lapic_send_ipi(p->apic_id, sipi);
        uint64_t start = rdtsc();
        uint64_t wait = (attempt ? AP_START_TIMEOUT_MS * 1000 : 200) * tsc_per_ms() / 1000;
        while (rdtsc() - start < wait) { /* elapsed ticks: safe when the TSC wraps */
            if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == CPU_ONLINE)
                return true;
            cpu_relax();
        }
    }
    /* It may still be running the trampoline: wait a little more before giving up. */
    udelay(AP_START_TIMEOUT_MS * 1000);
    if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == CPU_ONLINE)
        return true;
    p->state = CPU_FAILED;
    return false;
}

/* The kick's handler: the interrupt itself was the message (the EOI follows in trap.c). */
static void kick_ipi(struct trap_frame *f)
{
    (void)f;
}

void smp_kick(uint32_t cpu, bool nmi)
{
    if (cpu < cpu_count && cpus[cpu].state == CPU_ONLINE) /* SDM 11.6.1: NMI ignores the vector */
        lapic_send_ipi(cpus[cpu].apic_id, nmi ? ICR_NMI : ICR_FIXED | VEC_KICK);
}

uint32_t smp_start_aps(uint32_t max_cpus)
{
    size_t len = (uintptr_t)ap_trampoline_end - (uintptr_t)ap_trampoline_start;
    memcpy((void *)AP_TRAMPOLINE_PHYS, ap_trampoline_start, len);
    trap_set_handler(VEC_XCALL, xcall_ipi);
    trap_set_handler(VEC_KICK, kick_ipi);

    uint64_t cr3 = read_cr3();
    uint32_t efer_bits = (uint32_t)(rdmsr(MSR_EFER) & 0x900); /* LME and NXE as on the BSP */
    uint32_t online = 1;
    for (uint32_t id = 1; id < cpu_count; id++) {
        if (id >= max_cpus) {
            pr_info("CPU %u (APIC id %u): not started (cpus=%u)\n", id, cpus[id].apic_id, max_cpus);
            cpus[id].state = CPU_ABSENT;
            continue;
        }
        if (start_one(id, cr3, efer_bits)) {
            online++;
        } else {
            pr_err("CPU %u (APIC id %u) did not start: going on without it\n", id,
                   cpus[id].apic_id);
        }
    }
    return online;
}

uint32_t smp_online_count(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        n += cpus[i].state == CPU_ONLINE;
    return n;
}

int xcall_post(uint32_t cpu, xcall_fn fn, void *arg)
{
    if (cpu >= cpu_count || cpus[cpu].state != CPU_ONLINE || cpu == this_cpu_id())
        return -1;
    struct mailbox *m = &mailboxes[cpu];
    while (__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE))
        cpu_relax();
    m->fn = fn;
    m->arg = arg;
    __atomic_store_n(&m->busy, 1, __ATOMIC_RELEASE);
    trace(TRACE_IPI, cpu, VEC_XCALL, 0, 0);
    lapic_send_ipi(cpus[cpu].apic_id, ICR_FIXED | VEC_XCALL);
    return 0;
}

int xcall_wait(uint32_t cpu, uint64_t timeout_ms)
{
    /* Elapsed time, not a deadline: a TSC near 2^64 would wrap a deadline (guests cannot set
     * the host's TSC, but the firmware could have). */
    uint64_t start = rdtsc(), limit = timeout_ms * tsc_per_ms();
    while (__atomic_load_n(&mailboxes[cpu].busy, __ATOMIC_ACQUIRE)) {
        if (rdtsc() - start > limit) {
            pr_err("CPU %u did not finish its cross-CPU call in %lu ms\n", cpu, timeout_ms);
            return -1;
        }
        cpu_relax();
    }
    return 0;
}

int xcall_run(uint32_t cpu, xcall_fn fn, void *arg)
{
    if (xcall_post(cpu, fn, arg))
        return -1;
    return xcall_wait(cpu, XCALL_TIMEOUT_MS);
}

int xcall_run_all(xcall_fn fn, void *arg)
{
    uint32_t me = this_cpu_id();
    int failed = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        if (i != me && cpus[i].state == CPU_ONLINE && xcall_post(i, fn, arg))
            failed++;
    fn(arg);
    for (uint32_t i = 0; i < cpu_count; i++)
        if (i != me && cpus[i].state == CPU_ONLINE && xcall_wait(i, XCALL_TIMEOUT_MS))
            failed++;
    return failed;
}
