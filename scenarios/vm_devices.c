/* scenarios/vm_devices.c - assembling a VM's devices (devices/) onto the VM (vm/). */
#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "devices/port_policy.h"
#include "devices/shutdown_port.h"
#include "devices/uart16550.h"
#include "platform/console.h"
#include "scenarios/vm_devices.h"

struct pc_devices {
    struct vm *vm;
    struct uart16550 uart;
    struct debugcon con;
    struct debug_exit dexit;
    struct shutdown_port power;
    struct port_log ports;
};

static struct pc_devices sets[VM_MAX];

static void print_line(void *ctx, const char *line)
{
    const struct vm *vm = ctx;
    kprintf("%s: %s\n", vm->cfg.name, line);
}

static bool uart(void *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                 struct vm_stop_request *stop)
{
    (void)stop;
    return uart_io(&((struct pc_devices *)d)->uart, port, size, in, value);
}

static bool console(void *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                    struct vm_stop_request *stop)
{
    (void)stop;
    return debugcon_io(&((struct pc_devices *)d)->con, port, size, in, value);
}

static bool debug_exit(void *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                       struct vm_stop_request *stop)
{
    return debug_exit_io(&((struct pc_devices *)d)->dexit, port, size, in, value, stop);
}

static bool power(void *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                  struct vm_stop_request *stop)
{
    return shutdown_port_io(&((struct pc_devices *)d)->power, port, size, in, value, stop);
}

/* Claims every port: the documented policy for ports no device models (devices/port_policy). */
static bool unclaimed(void *d, uint16_t port, unsigned size, bool in, uint32_t *value,
                      struct vm_stop_request *stop)
{
    struct pc_devices *p = d;
    (void)stop;
    if (port_policy_note(&p->ports, port)) {
        char msg[128];
        port_policy_message(&p->ports, port, size, in, msg, sizeof(msg));
        pr_info("%s: %s\n", p->vm->cfg.name, msg);
    }
    port_policy_access(size, in, value);
    return true;
}

int vm_attach_pc_devices(struct vm *vm)
{
    if (vm->id >= VM_MAX)
        return -1;
    struct pc_devices *p = &sets[vm->id];
    p->vm = vm;
    uart_attach(&p->uart, 0x3f8, print_line, vm);
    debugcon_init(&p->con, print_line, vm);
    debug_exit_init(&p->dexit, DEBUG_EXIT_PORT, 1);
    shutdown_port_init(&p->power, BOCHS_SHUTDOWN_PORT, 0x604);
    port_log_init(&p->ports);
    int err = vm_attach_port_device(vm, uart, p) | vm_attach_port_device(vm, console, p);
    if (!vm->cfg.no_debugexit)
        err |= vm_attach_port_device(vm, debug_exit, p);
    err |= vm_attach_port_device(vm, power, p) | vm_attach_port_device(vm, unclaimed, p);
    return err;
}
