/*
 * guests/smp/main.c - the smp test guest (multiboot v1): the guest's CPUs, started as an OS
 * starts them. The MADT lists the processors; the BSP (IA32_APIC_BASE.BSP) starts each AP with
 * INIT-SIPI-SIPI through its local APIC's ICR (guests/lib/smp.c, a real-mode trampoline at
 * 0x8000) and checks what every AP reports from C: it ran the trampoline once (the second SIPI
 * is ignored), its local APIC ID is its MADT ID and its CPUID initial APIC ID, CR0.PE set and
 * PG clear, IA32_APIC_BASE.BSP clear. Then all CPUs at once: LOCK-prefixed increments and a
 * spinlock over shared memory. Then INIT and SIPI on their own: INIT stops a running AP (it
 * takes no command), a SIPI restarts it, a SIPI to a running AP is ignored, and a full
 * INIT-SIPI-SIPI restart. The APs wait for commands spinning (no interrupts): this guest
 * needs INIT and SIPI only; guests/ipi tests interrupts between CPUs.
 *
 * Command line: cpus=N (optional): the number of CPUs the MADT must list. hang=ap: after the
 * APs start, leave them waiting (interrupts off) and compute on the BSP for ever (a stuck CPU
 * beside a working one, for the hypervisor's watchdog).
 * With one CPU there is nothing to start: the AP checks are skipped with a note.
 */
#include "guests/lib/args.h"
#include "guests/lib/i8259.h"
#include "guests/lib/io.h"
#include "guests/lib/lapic.h"
#include "guests/lib/madt.h"
#include "guests/lib/mb.h"
#include "guests/lib/pit.h"
#include "guests/lib/smp.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"

#define START_TIMEOUT_US 200000
#define CALL_TIMEOUT_US  1000000
#define LOCK_ROUNDS      20000
#define SPIN_ROUNDS      2000
#define SPIN_MAX         10000000 /* a bound for spinning on another CPU, not a time */

static struct mb_info mbi;
static struct acpi_madt madt;
static volatile uint32_t go, shared_atomic, shared_plain, lock_word, lock_timeouts;
static volatile uint32_t ap_is_bsp[SMP_MAX_CPUS], ap_pinged[SMP_MAX_CPUS];

static bool spin_lock(void)
{
    for (uint32_t i = 0; i < SPIN_MAX; i++) {
        if (!__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
            return true;
        cpu_relax();
    }
    __atomic_fetch_add(&lock_timeouts, 1, __ATOMIC_SEQ_CST);
    return false;
}

static void spin_unlock(void)
{
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

/* What every CPU does at once: waits for go, then adds to the shared counters. */
static void work(uint32_t idx)
{
    (void)idx;
    for (uint32_t i = 0; !go && i < SPIN_MAX; i++)
        cpu_relax();
    for (uint32_t i = 0; i < LOCK_ROUNDS; i++)
        __atomic_fetch_add(&shared_atomic, 1, __ATOMIC_SEQ_CST); /* LOCK XADD */
    for (uint32_t i = 0; i < SPIN_ROUNDS; i++) {
        if (!spin_lock())
            return;
        shared_plain = shared_plain + 1; /* a plain read-modify-write, under the lock */
        spin_unlock();
    }
}

static void whoami(uint32_t idx)
{
    ap_is_bsp[idx] = (rdmsr(IA32_APIC_BASE) & APIC_BASE_BSP) != 0;
}

static void ping(uint32_t idx)
{
    ap_pinged[idx]++;
}

static uint32_t start_all(void)
{
    uint32_t up = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++) {
        uint32_t t0 = pit_clock_us();
        bool ok = smp_start_ap(i, START_TIMEOUT_US);
        uint32_t us = pit_clock_us() - t0;
        test_note("AP %u (APIC ID %u): %s after %u us", (unsigned)i, (unsigned)smp_cpus[i].apic_id,
                  ok ? "online" : "did not come up", (unsigned)us);
        up += ok;
    }
    return up;
}

static void check_aps(uint32_t up)
{
    uint32_t aps = smp_ncpus - 1, once = 0, ids = 0, mode = 0, notbsp = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++) {
        struct smp_cpu *c = &smp_cpus[i];
        once += c->boots == 1;
        ids += c->lapic_id == c->apic_id && c->cpuid_id == (c->apic_id & 0xff);
        mode += (c->cr0 & 1) && !(c->cr0 & 0x80000000u);
        if (c->online && smp_call(i, whoami, CALL_TIMEOUT_US) && !ap_is_bsp[i])
            notbsp++;
    }
    test_checkf(up == aps, "every AP of the MADT started with INIT-SIPI-SIPI and runs C (%u of %u)",
                (unsigned)up, (unsigned)aps);
    test_checkf(once == aps,
                "each AP ran the trampoline once: the second SIPI was ignored "
                "(%u of %u)",
                (unsigned)once, (unsigned)aps);
    test_checkf(ids == aps,
                "each AP's local APIC ID is its MADT APIC ID and its CPUID initial APIC ID "
                "(%u of %u)",
                (unsigned)ids, (unsigned)aps);
    test_checkf(mode == aps, "each AP runs in protected mode without paging (%u of %u)",
                (unsigned)mode, (unsigned)aps);
    test_checkf(notbsp == aps, "each AP's IA32_APIC_BASE has the BSP flag clear (%u of %u)",
                (unsigned)notbsp, (unsigned)aps);
}

static void test_shared_memory(void)
{
    go = 0;
    shared_atomic = shared_plain = 0;
    for (uint32_t i = 1; i < smp_ncpus; i++)
        if (smp_cpus[i].online)
            smp_post(i, work);
    go = 1;
    work(0);
    uint32_t done = 1;
    for (uint32_t i = 1; i < smp_ncpus; i++)
        done += smp_cpus[i].online && smp_wait_done(i, CALL_TIMEOUT_US);
    test_checkf(shared_atomic == done * LOCK_ROUNDS,
                "LOCK-prefixed increments from all CPUs add up (%u CPUs, %u)", (unsigned)done,
                (unsigned)shared_atomic);
    test_checkf(shared_plain == done * SPIN_ROUNDS && lock_timeouts == 0,
                "a spinlock (XCHG) keeps a plain counter right on all CPUs (%u)",
                (unsigned)shared_plain);
}

/* INIT and SIPI on their own, on the last AP. */
static void test_init_sipi(void)
{
    uint32_t i = smp_ncpus - 1;
    struct smp_cpu *c = &smp_cpus[i];
    uint32_t boots = c->boots;

    lapic_send_ipi(c->apic_id, ICR_INIT | ICR_ASSERT); /* SDM 8.4.1: wait-for-SIPI */
    pit_delay_us(10000);
    uint32_t pinged = ap_pinged[i];
    bool took = smp_call(i, ping, 20000);
    test_checkf(!took && ap_pinged[i] == pinged,
                "after an INIT the AP stops: it takes no command in 20 ms");
    smp_prepare_ap(i);
    smp_sipi(i);
    bool back = smp_wait_online(i, START_TIMEOUT_US);
    test_checkf(back && c->boots == boots + 1,
                "one SIPI then starts it again through the trampoline (boots %u)",
                (unsigned)c->boots);

    smp_sipi(i); /* running, not waiting for SIPI: ignored (SDM 11.6.1) */
    pit_delay_us(10000);
    took = smp_call(i, ping, CALL_TIMEOUT_US);
    test_checkf(took && c->boots == boots + 1,
                "a SIPI to a running AP is ignored: it goes on taking commands (boots %u)",
                (unsigned)c->boots);

    bool again = smp_start_ap(i, START_TIMEOUT_US);
    took = again && smp_call(i, ping, CALL_TIMEOUT_US);
    test_checkf(took && c->boots == boots + 2 && c->lapic_id == c->apic_id,
                "INIT-SIPI-SIPI restarts a running AP, which takes commands again (boots %u)",
                (unsigned)c->boots);
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "";
    test_init("smp");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    uint64_t want_cpus = 0;
    char arg[24];
    if (mbi.has_cmdline && args_get(mbi.cmdline, "cpus", arg, sizeof(arg)) &&
        (!args_parse_u64(arg, &want_cpus) || want_cpus < 1)) {
        test_checkf(false, "cpus=%s is a number of CPUs", arg);
        test_finish();
    }
    trap_init();
    pit_clock_start();
    pit_ch0_stop();
    pic_init(0x20, 0x28);
    if (!test_check(lapic_present(), "CPUID reports a local APIC"))
        test_finish();
    lapic_init();
    lapic_enable();
    err = madt_find(&madt, msg, sizeof(msg));
    if (!test_checkf(err == ACPI_OK, "MADT found and valid%s%s", err ? ": " : "", msg))
        test_finish();
    test_check((rdmsr(IA32_APIC_BASE) & APIC_BASE_BSP) != 0,
               "IA32_APIC_BASE says this CPU is the BSP");
    msg[0] = 0;
    if (!test_checkf(smp_init(&madt, msg, sizeof(msg)) == 0, "%s",
                     msg[0] ? msg : "the BSP is an enabled CPU of the MADT"))
        test_finish();
    uint32_t a, b, cx, d;
    cpuid(1, &a, &b, &cx, &d);
    test_checkf((b >> 24) == (lapic_id() & 0xff),
                "the BSP's CPUID initial APIC ID is its local APIC ID (%u)", (unsigned)(b >> 24));
    test_note("MADT: %u enabled CPUs (%u entries), the BSP has APIC ID %u", (unsigned)smp_ncpus,
              (unsigned)madt.cpu_count, (unsigned)smp_cpus[0].apic_id);
    if (want_cpus)
        test_checkf(smp_ncpus == want_cpus, "the MADT lists cpus=%u CPUs (%u)", (unsigned)want_cpus,
                    (unsigned)smp_ncpus);
    if (smp_ncpus < 2) {
        test_note("one CPU: no AP to start, the AP checks are skipped");
        test_finish();
    }
    smp_ap_hlt = false;
    uint32_t up = start_all();
    check_aps(up);
    if (mbi.has_cmdline && args_get(mbi.cmdline, "hang", arg, sizeof(arg)) && arg[0] == 'a') {
        /* hang=ap: the APs wait with interrupts off for a command that never comes while the
         * BSP goes on working (CPUID, which exits), for the hypervisor's watchdog to catch */
        test_note("hang=ap: the APs spin with interrupts off, the BSP computes for ever");
        for (;;)
            cpuid(0, &a, &b, &cx, &d);
    }
    test_shared_memory();
    test_init_sipi();
    test_finish();
}
