/*
 * vm/vm.h - a virtual machine (book 6.3-6.4): guest RAM in its own EPT, a loaded image, a vCPU,
 * and the port devices attached to it. Created from a struct vm_config (vm/vm_config.h).
 * The device models live in devices/, a layer above this one: whoever assembles the machine
 * (scenarios/vm_devices.c) attaches them with vm_attach_port_device, and the VM offers each
 * port access to them in order.
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "platform/spinlock.h"
#include "vm/loader.h"
#include "vm/vm_config.h"
#include "vm/vm_stop.h"
#include "vmx/ept.h"
#include "vmx/vcpu.h"

#define VM_MAX         8
#define VM_MAX_DEVICES 8

/* A port device: returns true when it claimed the access; it may ask for the VM to stop. */
typedef bool (*vm_port_fn)(void *dev, uint16_t port, unsigned size, bool in, uint32_t *value,
                           struct vm_stop_request *stop);

struct vm_port_device {
    vm_port_fn io;
    void *dev;
};

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
    char module_cmdline[VM_CMDLINE_MAX]; /* the image module's arguments, when no cmdline= */
    struct vcpu vcpu;
    struct vcpu_config start;
    uint32_t host_cpu;

    struct spinlock lock; /* devices are shared by the VM's vCPUs */
    struct vm_port_device devs[VM_MAX_DEVICES];
    unsigned ndevs;

    volatile bool stop; /* a device or handler asked the whole VM to stop */
    int status;
    char why[256];
};

/* Create a VM from its description: guest RAM, EPT, devices, the image loaded. On failure
 * the VM is marked VM_FAILED with the reason printed; other VMs are not affected. */
int vm_create(struct vm *vm, uint32_t id, const struct vm_config *cfg);

/* Attach a port device; devices are asked in the order they were attached, so the last one
 * may claim every port (the unclaimed-port policy). 0, or -1 when the VM has no room. */
int vm_attach_port_device(struct vm *vm, vm_port_fn io, void *dev);

/* Do not start a created VM after all: the reason is printed now and in its summary. */
int vm_refuse(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Put the VM's vCPU on a host CPU's run queue (vm/sched.h). */
int vm_schedule(struct vm *vm, uint32_t host_cpu);

/* The VM's exit status: the guest's own (>= 0) or the hypervisor's stop (enum
 * vcpu_stop_status); VCPU_STOP_HOST for a VM that could not be started. */
int vm_status(const struct vm *vm);

/* One line: name, exit status (and, when negative, which stop of the hypervisor's), exits,
 * reason. */
void vm_print_summary(const struct vm *vm);

/* Host memory the VM uses besides its RAM (EPT tables, VMCS, bitmaps), in bytes. */
uint64_t vm_overhead_bytes(const struct vm *vm);

/* A port access of the guest, offered to the VM's devices in order (vcpu_ops.io). */
bool vm_port_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value);

/* INS/OUTS (vcpu_ops.string_io; vm/vm_string_io.c). */
enum exit_action vm_string_io(struct vcpu *v, uint64_t qualification);

/* Guest RAM access by guest-physical address: NULL outside RAM. */
uint8_t *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len);

#endif
