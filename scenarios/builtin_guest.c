/* scenarios/builtin_guest.c - running a built-in guest with its debug console. */
#include <string.h>
#include "devices/debugcon.h"
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "scenarios/builtin_guest.h"
#include "vmx/vmcs.h"

#define GUEST_STACK_PAGES 4

static void print_line(void *ctx, const char *line)
{
    kprintf("%s: %s\n", (const char *)ctx, line);
}

static bool console_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    return debugcon_io(v->vm, port, size, in, value);
}

static bool (*hypercall_of[MAX_CPUS])(struct vcpu *v);
static void (*explain_of[MAX_CPUS])(struct vcpu *v, uint64_t gpa, char *buf, unsigned len);
static enum exit_action (*mtf_of[MAX_CPUS])(struct vcpu *v);

static enum exit_action builtin_mtf(struct vcpu *v)
{
    enum exit_action (*fn)(struct vcpu *) = mtf_of[this_cpu_id()];
    return fn ? fn(v) : EXIT_RESUME;
}

static void builtin_explain(struct vcpu *v, uint64_t gpa, char *buf, unsigned len)
{
    if (explain_of[this_cpu_id()])
        explain_of[this_cpu_id()](v, gpa, buf, len);
}

static bool builtin_hypercall(struct vcpu *v)
{
    bool (*fn)(struct vcpu *) = hypercall_of[this_cpu_id()];
    return fn && fn(v);
}

static const struct vcpu_ops builtin_ops = {.io = console_io,
                                            .hypercall = builtin_hypercall,
                                            .explain_misconfig = builtin_explain,
                                            .mtf = builtin_mtf};

int builtin_guest_run(struct vcpu *v, const char *name, void (*entry)(void),
                      const struct builtin_opts *o)
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
    hypercall_of[this_cpu_id()] = o ? o->hypercall : NULL;
    explain_of[this_cpu_id()] = o ? o->explain : NULL;
    mtf_of[this_cpu_id()] = o ? o->mtf : NULL;
    struct vcpu_config c = {.mode = VCPU_MODE_LONG64,
                            .rip = (uint64_t)entry,
                            .rsp = stack + GUEST_STACK_PAGES * 4096 - 8,
                            .eptp = o ? o->eptp : 0,
                            .eptp_list = o ? o->eptp_list : 0};
    if (vcpu_init(v, &c))
        return -1;
    if (o && o->exception_bitmap)
        vmcs_write(EXCEPTION_BITMAP, o->exception_bitmap); /* SDM 25.6.3 */
    if (o && o->tweak)
        o->tweak();
    vcpu_run(v);
    debugcon_flush(con);
    return 0;
}
