/*
 * vm/vm.h - a virtual machine (book 6.3-6.4): guest RAM in its own EPT, a loaded image, vCPUs,
 * and its devices (16550 UART at 0x3f8, debug console at 0xe9, debug-exit at 0xf4, the Bochs
 * shutdown port and PM1a soft-off). Created from a struct vm_config (vm/vm_config.h).
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "devices/port_policy.h"
#include "devices/shutdown_port.h"
#include "devices/uart16550.h"
#include "platform/spinlock.h"
#include "vm/loader.h"
#include "vm/vm_config.h"
#include "vmx/ept.h"
#include "vmx/vcpu.h"

#define VM_MAX 8

enum vm_state { VM_EMPTY, VM_READY, VM_RUNNING, VM_ENDED, VM_FAILED };

struct vm {
    struct vm_config cfg;
    uint32_t id;
    enum vm_state state;
    uint64_t ram_hpa; /* guest RAM: host-physical, contiguous, 2 MiB aligned */
    struct ept ept;
    uint64_t eptp;
    uint8_t memtype; /* EPT memory type of guest RAM (from the host MTRRs) */
    struct load_result load;
    struct vcpu vcpu;
    struct vcpu_config start;
    uint32_t host_cpu;

    struct spinlock lock; /* devices are shared by the VM's vCPUs */
    struct uart16550 uart;
    struct debugcon con;
    struct debug_exit dexit;
    struct shutdown_port power;
    struct port_log ports;

    volatile bool stop; /* a device or handler asked the whole VM to stop */
    int status;
    char why[256];
};

/* Create a VM from its description: guest RAM, EPT, devices, the image loaded. On failure
 * the VM is marked VM_FAILED with the reason printed; other VMs are not affected. */
int vm_create(struct vm *vm, uint32_t id, const struct vm_config *cfg);

/* Put the VM's vCPU on a host CPU's run queue (vm/sched.h). */
int vm_schedule(struct vm *vm, uint32_t host_cpu);

/* One line: name, exit status, exits, reason. */
void vm_print_summary(const struct vm *vm);

/* Host memory the VM uses besides its RAM (EPT tables, VMCS, bitmaps), in bytes. */
uint64_t vm_overhead_bytes(const struct vm *vm);

/* Guest RAM access by guest-physical address: NULL outside RAM. */
uint8_t *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
