/* guests/builtin/guest_lib.c - console, checks and exception handling of the built-in guests. */
#include <stdarg.h>
#include "guests/builtin/guest_lib.h"
#include "platform/cpu.h"
#include "platform/fmt.h"
#include "platform/trap.h"

/* Per guest CPU (indexed by the initial APIC id from CPUID.1:EBX[31:24]): several CPUs may
 * run built-in guests at the same time. */
#define GUEST_MAX_CPUS 64
static uint32_t checks[GUEST_MAX_CPUS], failures[GUEST_MAX_CPUS];

static uint32_t me(void)
{
    return (cpuid(1, 0).ebx >> 24) % GUEST_MAX_CPUS;
}

struct guest_fixup {
    uint64_t insn, resume;
};
extern const struct guest_fixup __guest_fixups_start[], __guest_fixups_end[];

static void guest_putc(void *ctx, char c)
{
    (void)ctx;
    outb(GUEST_CONSOLE_PORT, (uint8_t)c);
}

void guest_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(guest_putc, 0, fmt, ap);
    va_end(ap);
}

void guest_check(bool ok, const char *what)
{
    uint32_t i = me();
    checks[i]++;
    if (!ok)
        failures[i]++;
    guest_printf("GUEST check: %s %s\n", ok ? "ok" : "FAIL", what);
}

uint32_t guest_failures(void)
{
    return failures[me()];
}

uint32_t guest_checks(void)
{
    return checks[me()];
}

static struct guest_seen *seen_log[GUEST_MAX_CPUS];
static uint32_t seen_max[GUEST_MAX_CPUS], seen_count[GUEST_MAX_CPUS];

void guest_trap_record(struct guest_seen *log, uint32_t max)
{
    uint32_t i = me();
    seen_log[i] = log;
    seen_max[i] = max;
    seen_count[i] = 0;
}

uint32_t guest_trap_seen(void)
{
    return seen_count[me()];
}

/* Record the event into the log, if one is set; true when the handler returns at once: #DB,
 * NMI and #BP come back to where they were recognised, after the instruction (SDM 6.5). */
static bool record(struct trap_frame *f)
{
    uint32_t i = me();
    if (!seen_log[i])
        return false;
    if (seen_count[i] < seen_max[i]) {
        struct guest_seen *s = &seen_log[i][seen_count[i]];
        s->vector = (uint32_t)f->vector;
        s->rip = f->rip;
        s->rflags = f->rflags;
        s->dr6 = 0;
        if (f->vector == 1)
            __asm__ volatile("mov %%dr6, %0" : "=r"(s->dr6));
    }
    seen_count[i]++;
    if (f->vector == 1) {
        __asm__ volatile("mov %0, %%dr6" : : "r"(DR6_INIT)); /* SDM 18.2.3 */
        f->rflags &= ~RFLAGS_TF;                             /* one step only */
    }
    return f->vector == 1 || f->vector == 2 || f->vector == 3;
}

/* Called by the stubs in guest_ops.S for vectors 0-31. */
void guest_trap(struct trap_frame *f)
{
    if (record(f))
        return;
    size_t n = ((uintptr_t)__guest_fixups_end - (uintptr_t)__guest_fixups_start) /
               sizeof(struct guest_fixup);
    for (size_t i = 0; i < n; i++) {
        const struct guest_fixup *x = &__guest_fixups_start[i];
        if (x->insn == f->rip) {
            f->r11 = f->vector + 1;
            f->rip = x->resume;
            return;
        }
    }
    guest_printf("GUEST unexpected exception %lu at RIP 0x%lx error 0x%lx\n", f->vector, f->rip,
                 f->error_code);
    guest_vmcall(1, 2); /* VP_HC_EXIT, status 2 */
}

struct __attribute__((packed)) guest_gate {
    uint16_t off0, sel;
    uint8_t ist, attr;
    uint16_t off1;
    uint32_t off2, zero;
};
static struct guest_gate guest_idt[32] __attribute__((aligned(16)));
extern char guest_isr_stubs[];

uint64_t guest_idt_setup(uint16_t *limit)
{
    for (int v = 0; v < 32; v++) {
        uint64_t a = (uint64_t)guest_isr_stubs + 16u * (uint64_t)v;
        guest_idt[v] = (struct guest_gate){(uint16_t)a,         0x08, 0, 0x8e, (uint16_t)(a >> 16),
                                           (uint32_t)(a >> 32), 0};
    }
    *limit = sizeof(guest_idt) - 1;
    return (uint64_t)guest_idt;
}
