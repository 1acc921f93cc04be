/* vm/sched.c - per-CPU run queues of vCPUs, round robin with the VMX-preemption timer. */
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "vm/sched.h"

struct run_queue {
    struct sched_entry e[SCHED_MAX_PER_CPU];
    uint32_t n;
    uint32_t slice;
    uint64_t switches;
};

static struct run_queue queues[MAX_CPUS];

int sched_assign(uint32_t cpu, struct vcpu *v, const struct vcpu_config *start)
{
    if (cpu >= cpu_count || cpus[cpu].state != CPU_ONLINE) {
        pr_err("sched: %s: host CPU %u is not online\n", v->name, cpu);
        return -1;
    }
    struct run_queue *q = &queues[cpu];
    if (q->n == SCHED_MAX_PER_CPU) {
        pr_err("sched: %s: host CPU %u already runs %d vCPUs\n", v->name, cpu, SCHED_MAX_PER_CPU);
        return -1;
    }
    q->e[q->n] = (struct sched_entry){.v = v, .start = *start};
    q->n++;
    pr_debug("sched: %s runs on host CPU %u (%u vCPU%s there)\n", v->name, cpu, q->n,
             q->n == 1 ? "" : "s");
    return 0;
}

void sched_reset(void)
{
    for (uint32_t i = 0; i < MAX_CPUS; i++)
        queues[i].n = 0;
}

uint64_t sched_switches(uint32_t cpu)
{
    return queues[cpu].switches;
}

/* Runs on the queue's own CPU: VMX on, every vCPU's VMCS built here, then round robin. */
static void run_queue(void *arg)
{
    struct run_queue *q = arg;
    uint32_t live = 0;
    if (vmx_enable_this_cpu()) {
        for (uint32_t i = 0; i < q->n; i++)
            vcpu_stop(q->e[i].v, VCPU_STOP_HOST, "host CPU %u could not enter VMX operation",
                      this_cpu_id());
        return;
    }
    for (uint32_t i = 0; i < q->n; i++) {
        q->e[i].v->host_cpu = this_cpu_id();
        q->e[i].started = false;
        q->e[i].v->state = VCPU_NEW;
        live++;
    }
    while (live) {
        bool ran = false;
        for (uint32_t i = 0; i < q->n; i++) {
            struct sched_entry *e = &q->e[i];
            struct vcpu *v = e->v;
            if (v->state == VCPU_STOPPED)
                continue;
            if (!e->started) {
                /* Its VMCS is built on this CPU when it can start: at once, or when a
                 * secondary vCPU has received its SIPI (vm/vm_irq.c). */
                int st = v->ops && v->ops->start_state ? v->ops->start_state(v, &e->start) : 0;
                if (st > 0)
                    continue;
                if (!v->own_timer)
                    e->start.time_slice = q->n > 1 ? q->slice : 0;
                if (st < 0 || vcpu_init(v, &e->start)) {
                    vcpu_stop(v, st < 0 ? v->exit_status : VCPU_STOP_HOST,
                              st < 0 ? "never started: its VM ended first"
                                     : "its VMCS could not be set up");
                    v->state = VCPU_STOPPED;
                    live--;
                    continue;
                }
                e->started = true;
            }
            ran = true;
            bool contended = live > 1;
            uint64_t t0 = rdtsc();
            enum exit_action a = vcpu_run(v);
            if (contended) { /* what each got while they competed: the fairness figure */
                q->e[i].contended_ticks += rdtsc() - t0;
                q->e[i].contended_slices++;
            }
            if (a == EXIT_STOP) {
                live--;
            } else {
                q->switches++;
                if (__atomic_load_n(&v->reset_request, __ATOMIC_ACQUIRE)) {
                    /* An INIT (vm/vm_irq.c): it waits for a SIPI, then starts afresh. */
                    __atomic_store_n(&v->reset_request, false, __ATOMIC_RELEASE);
                    e->started = false;
                }
            }
        }
        if (!ran)
            cpu_relax(); /* only vCPUs waiting for their SIPI here */
    }
}

void sched_print_shares(void)
{
    for (uint32_t c = 0; c < cpu_count; c++) {
        struct run_queue *q = &queues[c];
        uint64_t total = 0;
        for (uint32_t i = 0; i < q->n; i++)
            total += q->e[i].contended_ticks;
        if (q->n < 2 || !total)
            continue;
        char line[256];
        int len = fmt_snprintf(line, sizeof(line), "sched: CPU %u shares:", c);
        for (uint32_t i = 0; i < q->n && len < (int)sizeof(line); i++)
            len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, "%s %s %lu%% (%lu slices)",
                                i ? "," : "", q->e[i].v->name,
                                q->e[i].contended_ticks * 100 / total, q->e[i].contended_slices);
        kprintf("%s\n", line);
    }
}

void sched_run_all(uint32_t time_slice_ticks)
{
    uint32_t me = this_cpu_id();
    for (uint32_t c = 0; c < cpu_count; c++) {
        queues[c].slice = time_slice_ticks;
        if (c != me && queues[c].n && xcall_post(c, run_queue, &queues[c]))
            pr_err("sched: cannot start the vCPUs of host CPU %u\n", c);
    }
    if (queues[me].n)
        run_queue(&queues[me]);
    for (uint32_t c = 0; c < cpu_count; c++)
        if (c != me && queues[c].n)
            while (xcall_wait(c, 1000000)) /* guests may run for a long time */
                ;
}
