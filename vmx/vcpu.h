/*
 * vmx/vcpu.h - a virtual CPU: its VMCS, the guest registers the VMCS does not hold, the
 * state of the current VM exit, and the hooks through which the VM layer serves it.
 */
#ifndef VMX_VCPU_H
#define VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmcs.h"
#include "platform/trace.h"
#include "vmx/vmx_cpu.h"
#include "vmx/trace_mask.h"
#include "vmx/vcpu_state.h"

struct guest_regs { /* order fixed by vmx/vmx_entry.S */
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vcpu_state { VCPU_NEW, VCPU_RUNNING, VCPU_STOPPED };

/* What the exit handler wants next: enter the guest again, stop it for good, or give the CPU
 * to another vCPU (time slice over) and come back later. */
enum exit_action { EXIT_RESUME, EXIT_STOP, EXIT_YIELD };

/* How a vCPU starts (book 6.3-6.4). */
enum vcpu_mode {
    VCPU_MODE_LONG64, /* 64-bit, CPL 0, on the page tables at `cr3` (built-in guests) */
    VCPU_MODE_PROT32, /* 32-bit protected mode, flat segments, paging off (Multiboot) */
    VCPU_MODE_REAL,   /* real-address mode at cs:ip (raw images, the book's GuestBoot) */
};

struct vcpu_config {
    enum vcpu_mode mode;
    uint64_t rip, rsp, rax, rbx;
    uint16_t cs, ss;   /* real mode: CS and SS selectors (base = selector << 4) */
    uint64_t cr3;      /* long mode */
    uint64_t idt_base; /* long mode */
    uint16_t idt_limit;
    uint64_t eptp;       /* 0: no EPT (long mode on the host's page tables only) */
    uint16_t vpid;       /* 0: no VPID */
    uint32_t time_slice; /* VMX-preemption timer ticks per slice, 0: none */
    uint64_t eptp_list;  /* physical address of an EPTP list: enables VMFUNC 0 */
};

struct vcpu;

/* Services of the VM layer (vm/). Any hook may be NULL. */
struct vcpu_ops {
    /* Port I/O by the guest: return true when a device handled it. */
    bool (*io)(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value);
    /* A VMCALL the VMX layer does not serve itself. */
    bool (*hypercall)(struct vcpu *v);
    /* An EPT violation (SDM 29.3.3.2) at guest-physical `gpa`: a device model may serve it;
     * otherwise the guest is stopped with the decoded qualification. */
    enum exit_action (*ept_violation)(struct vcpu *v, uint64_t gpa, uint64_t qualification);
    /* Describe the EPT entry that makes `gpa` misconfigured (SDM 29.3.3.1), into buf. */
    void (*explain_misconfig)(struct vcpu *v, uint64_t gpa, char *buf, unsigned len);
};

struct vcpu {
    struct guest_regs regs; /* first: vmx_run takes its address */
    uint64_t vmcs_phys;
    bool launched;
    volatile enum vcpu_state state;
    uint32_t id;
    uint32_t host_cpu;
    const char *name;
    const struct vcpu_ops *ops;
    void *vm; /* owner (vm layer) */

    /* The current VM exit (SDM 28.2), filled before the handler runs. */
    uint32_t exit_reason;
    uint64_t exit_qualification;
    uint64_t guest_rip;

    /* Outcome once stopped. */
    int exit_status;
    char stop_reason[256];

    /* Bitmaps (physical addresses) and virtualised state. */
    uint64_t io_bitmap_a, io_bitmap_b, msr_bitmap;
    struct vcpu_hw_state hw; /* guest registers outside the VMCS (vmx/vcpu_state.h) */
    uint64_t tsc_offset;     /* guest TSC = host TSC + tsc_offset (SDM 26.3, TSC offsetting) */
    uint64_t cr0_mask, cr4_mask;
    uint64_t exits;
    uint64_t slices;          /* times it was switched in by vcpu_run */
    uint64_t timer_exits; /* VMX-preemption timer expiries */
    uint32_t time_slice;
    uint64_t slice_end;   /* TSC at which the current slice ends */
    bool timer_saved;     /* the CPU saves the timer value at exits (else: recharged here) */
    bool timer_recharge;  /* reload the timer with the rest of the slice before each entry */
    bool tsc_offsetting;  /* TSC_OFFSET is in use */
    bool own_timer;                 /* time_slice set by the VM itself, kept when it runs alone */
    volatile bool *stop_request;    /* set by another CPU: stop at the next exit (may be NULL) */
    enum exit_action last_action;   /* why vmx_run returned */
    struct trace_ring *ring;        /* the running CPU's debug record */
    struct vmx_exit_stat *stats;    /* the running CPU's exit statistics */
    uint32_t unhandled_port_log[8]; /* ports already reported as unmodelled */
};

/* Allocate the VMCS and bitmaps, make the VMCS current on this CPU and fill every field for
 * the start state in *c. The vCPU must then run on this CPU (its host state is this CPU's). */
int vcpu_init(struct vcpu *v, const struct vcpu_config *c);

/* A 64-bit guest that shares the host's page tables (no EPT): entry point, stack top.
 * Allocates the VMCS and bitmaps, makes the VMCS current and fills every field. */
int vcpu_init_long_mode(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t idt_base,
                        uint16_t idt_limit);

/* Run until the guest stops (an exit handler says so, or an entry fails) or its time slice
 * ends; returns the action that ended the run (EXIT_STOP or EXIT_YIELD). */
enum exit_action vcpu_run(struct vcpu *v);

/*
 * Exit statuses of a stopped vCPU and its VM (docs/vms.md). The guest's own requests are >= 0:
 * 0 power-off, (v << 1) | 1 for isa-debug-exit, RBX of VP_HC_EXIT. Stops decided by the
 * hypervisor are negative, one value per cause.
 */
enum vcpu_stop_status {
    VCPU_STOP_ENTRY_FAILED = -1, /* the VM entry failed (VMfailValid, exit reasons 33/34/41) */
    VCPU_STOP_TRIPLE_FAULT = -2, /* triple fault: the guest would reset or shut down */
    VCPU_STOP_UNHANDLED = -3,    /* an exit or instruction the hypervisor does not emulate */
    VCPU_STOP_MEMORY = -4,       /* an access outside the VM's memory, or an EPT misconfiguration */
    VCPU_STOP_HUNG = -5,         /* it can never run again (HLT with interrupts disabled...) */
    VCPU_STOP_HOST = -6,         /* the host could not run it (VMX operation, VMCS set-up) */
};
#define VCPU_STOP_STATUS_MIN VCPU_STOP_HOST

/* "triple fault" for VCPU_STOP_TRIPLE_FAULT...; NULL for a status >= 0 (the guest's own). */
const char *vcpu_stop_status_name(int status);

/* Stop the guest with a status (enum vcpu_stop_status, or the guest's own) and a reason that
 * is printed. */
enum exit_action vcpu_stop(struct vcpu *v, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The CR0/CR4 value the CPU runs with when the guest asked for `guest_value`. */
uint64_t vcpu_real_cr0(const struct vcpu *v, uint64_t guest_value);
uint64_t vcpu_real_cr4(const struct vcpu *v, uint64_t guest_value);

/* Event injection (SDM 27.6): a hardware exception at the next VM entry. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* Move the guest past the instruction that caused the exit: RIP + VM-exit instruction length
 * (SDM 28.2.5). Inline: most handlers end with it. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
    v->guest_rip += vmcs_read(VM_EXIT_INSTRUCTION_LEN);
    vmcs_write(GUEST_RIP, v->guest_rip);
}

/* The exit reasons that get a debug record (vmx/trace_mask.h), from the command line's
 * trace= (log=trace: all of them, each also printed). 0, or -1 after printing the error. */
extern struct trace_mask vmx_trace_mask;
int vmx_trace_setup(void);

/* Print exit statistics of this CPU (count, average handler ticks, per reason). */
void vmx_print_exit_stats(uint32_t cpu);

#endif
