/* guests/lib/smp.c - starting the APs and giving them work in the test guests (see smp.h). */
#include <string.h>
#include "guests/lib/smp.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/pit.h"
#include "guests/lib/trap.h"
#include "platform/fmt.h"

#define AP_STACK_SIZE 8192
#define SIPI_VECTOR   (SMP_TRAMPOLINE >> 12)

struct smp_cpu smp_cpus[SMP_MAX_CPUS];
uint32_t smp_ncpus;
volatile bool smp_ap_hlt;

static uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));

/* guests/lib/ap_tramp.S */
extern const uint8_t smp_tramp_start[], smp_tramp_end[];
extern const uint8_t smp_tramp_stack[], smp_tramp_idx[], smp_tramp_entry[];

/* The data word of the trampoline's copy that corresponds to sym. */
static volatile uint32_t *tramp_word(const uint8_t *sym)
{
    return (volatile uint32_t *)(uintptr_t)(SMP_TRAMPOLINE + (uintptr_t)sym -
                                            (uintptr_t)smp_tramp_start);
}

static void smp_wake(uint32_t vector)
{
    (void)vector;
    lapic_eoi();
}

uint32_t smp_self(void)
{
    uint32_t id = lapic_id();
    for (uint32_t i = 0; i < smp_ncpus; i++)
        if (smp_cpus[i].apic_id == id)
            return i;
    return SMP_MAX_CPUS;
}

static void ap_wait_for_commands(struct smp_cpu *c, uint32_t idx)
{
    for (;;) {
        irq_disable();
        smp_fn fn = c->cmd;
        if (fn) {
            fn(idx);
            c->cmd = NULL;
            __atomic_fetch_add(&c->cmds_done, 1, __ATOMIC_SEQ_CST);
        } else if (smp_ap_hlt) {
            sti_hlt(); /* an IPI ends it; its handler runs, then the mailbox is read again */
        } else {
            cpu_relax();
        }
    }
}

void smp_ap_entry(uint32_t idx);

/* The AP in C, on its own stack (ap_tramp.S). */
void smp_ap_entry(uint32_t idx)
{
    trap_load();
    struct smp_cpu *c = &smp_cpus[idx < SMP_MAX_CPUS ? idx : 0];
    __atomic_fetch_add(&c->boots, 1, __ATOMIC_SEQ_CST);
    lapic_enable();
    uint32_t a, b, cx, d;
    cpuid(1, &a, &b, &cx, &d);
    c->cpuid_id = b >> 24;
    c->lapic_id = lapic_id();
    c->cr0 = (uint32_t)read_cr0();
    __atomic_store_n(&c->online, 1, __ATOMIC_SEQ_CST);
    ap_wait_for_commands(c, idx);
}

int smp_init(const struct acpi_madt *m, char *msg, size_t msg_len)
{
    uint32_t self = lapic_id();
    bool found = false;
    smp_ncpus = 1;
    for (uint32_t i = 0; i < m->cpu_count; i++) {
        if (!m->cpus[i].enabled)
            continue;
        if (m->cpus[i].apic_id == self) {
            found = true;
            smp_cpus[0].apic_id = self;
        } else if (smp_ncpus < SMP_MAX_CPUS) {
            smp_cpus[smp_ncpus++].apic_id = m->cpus[i].apic_id;
        }
    }
    if (!found) {
        fmt_msg(msg, msg_len, "this CPU's APIC ID %u is not an enabled CPU of the MADT",
                (unsigned)self);
        return -1;
    }
    smp_cpus[0].online = 1;
    smp_cpus[0].lapic_id = self;
    trap_set_handler(SMP_WAKE_VECTOR, smp_wake);
    memcpy((void *)(uintptr_t)SMP_TRAMPOLINE, smp_tramp_start,
           (size_t)((uintptr_t)smp_tramp_end - (uintptr_t)smp_tramp_start));
    return 0;
}

void smp_prepare_ap(uint32_t idx)
{
    struct smp_cpu *c = &smp_cpus[idx];
    *tramp_word(smp_tramp_stack) = (uint32_t)(uintptr_t)&ap_stacks[idx][AP_STACK_SIZE];
    *tramp_word(smp_tramp_idx) = idx;
    *tramp_word(smp_tramp_entry) = (uint32_t)(uintptr_t)smp_ap_entry;
    c->online = 0;
    c->cmd = NULL;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool smp_sipi(uint32_t idx)
{
    return lapic_send_ipi(smp_cpus[idx].apic_id, ICR_STARTUP | SIPI_VECTOR);
}

bool smp_wait_online(uint32_t idx, uint32_t timeout_us)
{
    uint32_t start = pit_clock_us();
    while (!smp_cpus[idx].online) {
        if (pit_clock_us() - start >= timeout_us)
            return false;
        cpu_relax();
    }
    return true;
}

bool smp_start_ap(uint32_t idx, uint32_t timeout_us)
{
    smp_prepare_ap(idx);
    /* SDM 8.4.4.1: INIT (level assert), 10 ms, SIPI, 200 us, SIPI */
    if (!lapic_send_ipi(smp_cpus[idx].apic_id, ICR_INIT | ICR_ASSERT))
        return false;
    pit_delay_us(10000);
    if (!smp_sipi(idx))
        return false;
    pit_delay_us(200);
    if (!smp_sipi(idx))
        return false;
    return smp_wait_online(idx, timeout_us);
}

void smp_post(uint32_t idx, smp_fn fn)
{
    smp_cpus[idx].cmd = fn;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (smp_ap_hlt)
        lapic_send_ipi(smp_cpus[idx].apic_id, ICR_FIXED | SMP_WAKE_VECTOR);
}

bool smp_wait_done(uint32_t idx, uint32_t timeout_us)
{
    uint32_t start = pit_clock_us();
    while (smp_cpus[idx].cmd != NULL) {
        if (pit_clock_us() - start >= timeout_us)
            return false;
        cpu_relax();
    }
    return true;
}

bool smp_call(uint32_t idx, smp_fn fn, uint32_t timeout_us)
{
    smp_post(idx, fn);
    return smp_wait_done(idx, timeout_us);
}
