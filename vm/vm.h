/*
 * vm/vm.h - a virtual machine (book 6.3-6.4): guest RAM in its own EPT, a loaded image, its
 * vCPUs, and the buses its devices sit on. Created from a struct vm_config (vm/vm_config.h).
 *
 * The device models live in devices/, a layer above this one (DESIGN §6): the board that
 * assembles a PC-like machine (devices/pc.c) registers each model's port and MMIO ranges on
 * the VM's buses (vm/io_bus.h) and gives the VM its interrupt and time hooks (struct
 * vm_board_ops). The VM layer routes accesses, applies the policy for addresses no device
 * has, and asks the board, before each VM entry, what interrupt each vCPU should take.
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include "platform/spinlock.h"
#include "vm/io_bus.h"
#include "vm/loader.h"
#include "vm/vm_config.h"
#include "vm/vm_stop.h"
#include "vmx/ept.h"
#include "vmx/vcpu.h"

#define VM_MAX VM_CONFIG_MAX

/*
 * What a board gives the VM layer (all may be NULL; ctx is the board's). Called with the VM's
 * device lock held, from the CPU that runs vCPU `vcpu`.
 *  - advance:    bring the devices' time up to now (host TSC), raising their lines: those
 *                the vCPUs share, and this vCPU's own (its local APIC timer);
 *  - next_event: the host TSC of the next device event for this vCPU (UINT64_MAX: none), so
 *                the VMX-preemption timer brings the vCPU back for it;
 *  - intr_peek / intr_ack: the highest interrupt this vCPU's controllers hold for it, and its
 *                acknowledgement when it is injected (Xen's has_pending_irq / ack_pending_irq);
 *  - msr:        the MSRs of its local APIC (IA32_APIC_BASE, x2APIC, TSC deadline): 0 done,
 *                -1 #GP, 1 not the board's;
 *  - unclaimed_port: what an access to a port no device has does (the board's policy);
 *  - apic_*:     for APIC virtualization (vm/vm_apicv.c): the local APIC's register page
 *                (4 KiB aligned: it becomes the virtual-APIC page), whether it is in x2APIC
 *                mode, its EOI-exit bitmap, its part of APIC-write and EOI-induced exits, and
 *                apic_cpu_delivers: the CPU delivers its interrupts (virtual-interrupt
 *                delivery), so intr_peek gives only the 8259's;
 *  - cpu_start:  a secondary vCPU starts from its SIPI (on its host CPU, before its VMCS is
 *                set up): what an INIT left to do to its devices is done here.
 */
struct vm_board_ops {
    void (*advance)(void *ctx, uint32_t vcpu, uint64_t now);
    uint64_t (*next_event)(void *ctx, uint32_t vcpu);
    int (*intr_peek)(void *ctx, uint32_t vcpu);
    void (*intr_ack)(void *ctx, uint32_t vcpu, int vector);
    int (*msr)(void *ctx, uint32_t vcpu, uint32_t msr, bool write, uint64_t *value);
    void (*unclaimed_port)(void *ctx, uint16_t port, unsigned size, bool in, uint32_t *value);
    void *(*apic_page)(void *ctx, uint32_t vcpu);
    bool (*apic_x2apic)(void *ctx, uint32_t vcpu);
    void (*apic_eoi_exit_bitmap)(void *ctx, uint32_t vcpu, uint64_t bitmap[4]);
    void (*apic_write)(void *ctx, uint32_t vcpu, unsigned offset);
    void (*apic_eoi)(void *ctx, uint32_t vcpu, uint8_t vector);
    void (*apic_cpu_delivers)(void *ctx, uint32_t vcpu, bool on);
    /* One line on what the vCPU's interrupt controllers hold and when its next device event
     * is (the watchdog's report of a VM that stopped moving; under the VM's lock). */
    void (*describe)(void *ctx, uint32_t vcpu, char *buf, size_t len);
    void (*cpu_start)(void *ctx, uint32_t vcpu);
};

enum vm_state { VM_EMPTY, VM_READY, VM_RUNNING, VM_ENDED, VM_FAILED };

/* A secondary vCPU's start (SDM 11.4.7.3 / MP start-up: INIT, then a start-up IPI). */
enum vm_cpu_start { VM_CPU_RUNS, VM_CPU_WAIT_INIT, VM_CPU_WAIT_SIPI, VM_CPU_SIPI_RECEIVED };

struct vm {
    struct vm_config cfg;
    uint32_t id;
    enum vm_state state;
    uint64_t ram_hpa; /* guest RAM: host-physical, contiguous, 2 MiB aligned */
    struct ept ept;
    uint64_t eptp;
    bool eptlazy_pending; /* eptlazy=: its page is still out of the EPT (vm/mmio.c) */
    uint8_t memtype;      /* EPT memory type of guest RAM (from the host MTRRs) */
    struct load_result load;
    char module_cmdline[VM_CMDLINE_MAX]; /* the image module's arguments, when no cmdline= */

    struct vcpu vcpus[VM_VCPUS_MAX];
    uint32_t nvcpus;
    struct vcpu_config start; /* vCPU 0's start; the others start at their SIPI */
    volatile enum vm_cpu_start cpu_start[VM_VCPUS_MAX];
    volatile uint8_t sipi_vector[VM_VCPUS_MAX];
    uint32_t host_cpu[VM_VCPUS_MAX];
    uint64_t tsc_offset; /* every vCPU's: the guest's TSC = host TSC + tsc_offset */

    struct spinlock lock;      /* the devices, shared by the VM's vCPUs */
    struct io_bus ports, mmio; /* device ranges (vm/io_bus.h) */
    const struct vm_board_ops *board;
    void *board_ctx;
    uint32_t device_pages; /* host pages the devices took (vm_alloc_page) */

    volatile bool stop;  /* a device or handler asked the whole VM to stop */
    bool watchdog_fired; /* its watchdog reported it (vm/vm_watchdog.c) */
    int status;
    char why[256];
};

/* Create a VM from its description: guest RAM, EPT, the image loaded, its vCPUs' start. On
 * failure the VM is marked VM_FAILED with the reason printed; other VMs are not affected. */
int vm_create(struct vm *vm, uint32_t id, const struct vm_config *cfg);

/* The board's hooks (devices/pc.c), given once the devices are in place. */
void vm_set_board(struct vm *vm, const struct vm_board_ops *ops, void *ctx);

/* A 4 KiB host page for a device (e.g. a local APIC's register page), zeroed; NULL when out
 * of memory. Counted in the VM's overhead. */
void *vm_alloc_page(struct vm *vm);

/* Do not start a created VM after all: the reason is printed now and in its summary. */
int vm_refuse(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Put vCPU `index` of the VM on a host CPU's run queue (vm/sched.h). */
int vm_schedule(struct vm *vm, uint32_t index, uint32_t host_cpu);

/* The VM's exit status: the guest's own (>= 0) or the hypervisor's stop (enum
 * vcpu_stop_status); VCPU_STOP_HOST for a VM that could not be started. */
int vm_status(const struct vm *vm);

/* One line: name, exit status (and, when negative, which stop of the hypervisor's), exits,
 * reason. */
void vm_print_summary(const struct vm *vm);

/* Host memory the VM uses besides its RAM (EPT tables, VMCS, bitmaps), in bytes. */
uint64_t vm_overhead_bytes(const struct vm *vm);

/* Guest RAM access by guest-physical address: NULL outside RAM. */
uint8_t *vm_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t len);

/* ---- devices and I/O (vm/vm_io.c) ---- */

/* Ask for the VM to end (a device did: isa-debug-exit, power-off): every vCPU stops at its
 * next exit with this status and reason. */
void vm_request_stop(struct vm *vm, const struct vm_stop_request *r);

/* A port access of the guest (vcpu_ops.io): the port bus, or the policy for a port no device
 * has (an IN reads all ones, an OUT is dropped, each such port reported once). */
bool vm_port_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value);

/* Task switches (vcpu_ops.task_switch; vm/vm_task_switch.c). */
enum exit_action vm_task_switch(struct vcpu *v, const struct vcpu_task_switch *ts);

/* INS/OUTS (vcpu_ops.string_io; vm/vm_string_io.c). */
enum exit_action vm_string_io(struct vcpu *v, uint64_t qualification);

/* An EPT violation (vcpu_ops.ept_violation): a device's MMIO (vm/mmio.c) or the VM stops. */
enum exit_action vm_ept_violation(struct vcpu *v, uint64_t gpa, uint64_t qualification);

/* The guest's time (vm/vm_irq.c): nanoseconds since the VM was created, from the host TSC
 * (which guests cannot change). */
uint64_t vm_time_ns(const struct vm *vm, uint64_t host_tsc);

/* ---- the no-progress watchdog (vm/vm_watchdog.c) ---- */

/* `watchdog=SECONDS` in host TSC ticks. */
uint64_t vm_watchdog_ticks(uint32_t seconds);

/* vcpu_ops.no_progress: when all the VM's vCPUs are idle, report them with their RIPs and stop
 * the VM (VCPU_STOP_NO_PROGRESS); otherwise the vCPU goes on. */
enum exit_action vm_no_progress(struct vcpu *v);

/* ---- interrupts and vCPUs (vm/vm_irq.c) ---- */

/* vCPU `index` has new work (an interrupt raised for it, an IPI, a SIPI): it looks at it
 * before its next entry; a vCPU running on another host CPU is sent an IPI to exit now. */
void vm_kick(struct vm *vm, uint32_t index);

/* An NMI for vCPU `index` (its local APIC delivered one). */
void vm_nmi(struct vm *vm, uint32_t index);

/* INIT and the start-up IPI for vCPU `index` (the board's IPI router calls these for the
 * guest's INIT-SIPI-SIPI): a secondary vCPU that has not started waits for INIT, then starts
 * in real mode at CS = vector << 8, IP = 0 (SDM 11.4.4.1, 8.4.4). An INIT to a running vCPU
 * is refused with a message (it would need a full reset of the vCPU). */
void vm_init_signal(struct vm *vm, uint32_t index);
void vm_sipi(struct vm *vm, uint32_t index, uint8_t vector);

/* The vcpu_ops every vCPU of a VM uses, and their parts in vm/vm_irq.c. */
extern const struct vcpu_ops vm_vcpu_ops;
int vm_intr_peek(struct vcpu *v);
void vm_intr_ack(struct vcpu *v, int vector);
uint64_t vm_next_event(struct vcpu *v);
int vm_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *value);
int vm_start_state(struct vcpu *v, struct vcpu_config *c);
void vm_vcpu_stopped(struct vcpu *v);

/* APIC virtualization (vm/vm_apicv.c): the plan from the CPU's capabilities and apicv=,
 * chosen when the board is attached; the APIC-access page mapped at 0xFEE00000; each vCPU
 * given its virtual-APIC page. 0, or -1 with the VM refused. */
int vm_apicv_setup(struct vm *vm);
/* "vm NAME: APIC virtualization exits: ..." (the counts of exits 43, 44, 45, 56 and of the
 * x2APIC MSR exits), for a VM whose board has a local APIC. */
void vm_apicv_report(const struct vm *vm);
bool vm_apic_x2apic(struct vcpu *v);
void vm_apic_eoi_exit_bitmap(struct vcpu *v, uint64_t bitmap[4]);
void vm_apic_write(struct vcpu *v, unsigned offset);
void vm_apic_eoi(struct vcpu *v, uint8_t vector);

#endif
