/* scenarios/builtin_guest.c - running a built-in guest with its debug console. */
#include <string.h>
#include "devices/debugcon.h"
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "scenarios/builtin_guest.h"

#define GUEST_STACK_PAGES 4

static void print_line(void *ctx, const char *line)
{
    kprintf("%s: %s\n", (const char *)ctx, line);
}

static bool console_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    return debugcon_io(v->vm, port, size, in, value);
}

static const struct vcpu_ops builtin_ops = {.io = console_io};

int builtin_guest_run(struct vcpu *v, const char *name, void (*entry)(void))
{
    static struct debugcon consoles[MAX_CPUS];
    struct debugcon *con = &consoles[this_cpu_id()];
    if (!vmx.usable || vmx_enable_this_cpu())
        return -1;
    uint64_t stack = mem_alloc_pages(GUEST_STACK_PAGES);
    if (!stack)
        return -1;
    memset(v, 0, sizeof(*v));
    v->name = name;
    v->ops = &builtin_ops;
    v->vm = con;
    debugcon_init(con, print_line, (void *)name);
    if (vcpu_init_long_mode(v, (uint64_t)entry, stack + GUEST_STACK_PAGES * 4096 - 8, 0, 0))
        return -1;
    vcpu_run(v);
    debugcon_flush(con);
    return 0;
}
