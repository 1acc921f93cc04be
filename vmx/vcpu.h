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
#include "vmx/guest_msr.h"
#include "vmx/event.h"
#include "vmx/apicv.h"
#include "vmx/watchdog.h"
#include "platform/x86.h"

struct guest_regs { /* order fixed by vmx/vmx_entry.S */
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

enum vcpu_state { VCPU_NEW, VCPU_RUNNING, VCPU_STOPPED };

/* What the exit handler wants next: enter the guest again, stop it for good, or give the CPU
 * to another vCPU (time slice over) and come back later. */
enum exit_action { EXIT_RESUME, EXIT_STOP, EXIT_YIELD };

/* How a vCPU starts (book 6.3-6.4). */
enum vcpu_mode {
    VCPU_MODE_LONG64,  /* 64-bit, CPL 0, on the page tables at `cr3` (built-in guests) */
    VCPU_MODE_PROT32,  /* 32-bit protected mode, flat segments, paging off (Multiboot) */
    VCPU_MODE_REAL,    /* real-address mode at cs:ip (raw images, the book's GuestBoot) */
    VCPU_MODE_GUEST64, /* 64-bit on the guest's own GDT and page tables (Linux 64-bit boot) */
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
    uint64_t tsc_offset; /* the guest's TSC = host TSC + tsc_offset, when tsc_offset_valid */
    bool tsc_offset_valid;
    bool device_time; /* devices have timers: the preemption timer also wakes the vCPU */
    /* VCPU_MODE_GUEST64: CS = cs, SS = DS = ES = FS = GS = ss (in the guest's GDT), CR3 = cr3,
     * and these: */
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint64_t cr4, efer, rsi;
};

struct vcpu;

/* A task-switch VM exit as the VMX layer decodes it (exit_task_switch.c): the qualification
 * (SDM 28.2.1 table 28-2) and, for a task gate in the IDT, the event being delivered through
 * it (IDT-vectoring information, SDM 28.2.4). */
struct vcpu_task_switch {
    uint16_t selector;  /* the new TSS */
    unsigned source;    /* 0 CALL, 1 IRET, 2 JMP, 3 task gate in the IDT */
    uint64_t saved_rip; /* the EIP the old task saves: past the CALL, JMP, IRET or INT n; the
                           interrupted instruction for an exception, NMI or interrupt */
    bool ext;           /* the event is external (hardware exception, NMI, interrupt) */
    bool exception;     /* it is a hardware exception (a fault of the switch may merge with
                           it into #DF, SDM 6.15) */
    bool nmi;           /* an NMI: blocked in the new task until its IRET (SDM 6.7.1) */
    bool has_error;     /* a hardware exception with an error code, pushed by the switch */
    uint32_t error;
};

/* Services of the VM layer (vm/). Any hook may be NULL. */
struct vcpu_ops {
    /* Port I/O by the guest: return true when a device handled it. */
    bool (*io)(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *value);
    /* INS/OUTS, REP or not (qualification: SDM 28.2.1 table 28-5); NULL: the guest stops. */
    enum exit_action (*string_io)(struct vcpu *v, uint64_t qualification);
    /* A task switch (SDM 26.4.2): the VM layer performs it; NULL: the guest stops. */
    enum exit_action (*task_switch)(struct vcpu *v, const struct vcpu_task_switch *ts);
    /* A monitor-trap-flag exit (SDM 26.5.2): one guest instruction done. NULL: go on. */
    enum exit_action (*mtf)(struct vcpu *v);
    /* A VMCALL the VMX layer does not serve itself. */
    bool (*hypercall)(struct vcpu *v);
    /* An EPT violation (SDM 29.3.3.2) at guest-physical `gpa`: a device model may serve it;
     * otherwise the guest is stopped with the decoded qualification. */
    enum exit_action (*ept_violation)(struct vcpu *v, uint64_t gpa, uint64_t qualification);
    /* The highest external interrupt the vCPU's interrupt controllers hold for it, or -1;
     * and its acknowledgement once it is injected (Xen's peek / check / ack). */
    int (*intr_peek)(struct vcpu *v);
    void (*intr_ack)(struct vcpu *v, int vector);
    /* The host TSC of the next device event for this vCPU, UINT64_MAX for none: the
     * VMX-preemption timer brings the vCPU back for it (a halted one too). */
    uint64_t (*next_event)(struct vcpu *v);
    /* An MSR the VMX layer does not hold (the local APIC's): 0 done, -1 #GP, 1 not known. */
    int (*msr)(struct vcpu *v, uint32_t msr, bool write, uint64_t *value);
    /* How the vCPU starts: 0 with *c filled, 1 not yet (a secondary vCPU waiting for its
     * SIPI), -1 never (its VM ended first). NULL: at once, with the config it was given. */
    int (*start_state)(struct vcpu *v, struct vcpu_config *c);
    /* The vCPU stopped for good (status and reason set): its VM stops too. */
    void (*stopped)(struct vcpu *v);
    /* Copy len bytes of guest-physical memory at gpa into buf; false outside its RAM. */
    bool (*read_gpa)(struct vcpu *v, uint64_t gpa, void *buf, unsigned len);
    /* Copy len bytes of buf to guest-physical memory at gpa; false outside its RAM. */
    bool (*write_gpa)(struct vcpu *v, uint64_t gpa, const void *buf, unsigned len);
    /* Describe the EPT entry that makes `gpa` misconfigured (SDM 29.3.3.1), into buf. */
    void (*explain_misconfig)(struct vcpu *v, uint64_t gpa, char *buf, unsigned len);
    /* APIC virtualization (vmx/apicv.h): whether the local APIC is in x2APIC mode; the
     * vectors whose EOI the model must see (EOI-exit bitmap); the model's part of an
     * APIC-write exit (page offset) and of an EOI-induced exit (vector). */
    bool (*apic_x2apic)(struct vcpu *v);
    void (*apic_eoi_exit_bitmap)(struct vcpu *v, uint64_t bitmap[4]);
    void (*apic_write)(struct vcpu *v, unsigned offset);
    void (*apic_eoi)(struct vcpu *v, uint8_t vector);
    /* Its watchdog says it made no progress for a period (vmx/watchdog.h): stop it (and its
     * VM) or let it go on. NULL: it is stopped with VCPU_STOP_NO_PROGRESS. */
    enum exit_action (*no_progress)(struct vcpu *v);
};

struct vcpu {
    struct guest_regs regs; /* first: vmx_run takes its address */
    uint64_t vmcs_phys;
    bool launched;
    /* Another CPU kicked it (vcpu_kick): vmx_entry.S looks at this flag last before every entry
     * and comes back to vmx_kicked when it is set. Offsets fixed by vmx/vmx_entry.S. */
    volatile uint8_t kicked;
    bool kick_nmi;  /* it is kicked with an NMI (NMI exiting is on): vcpu_kick.c */
    bool kick_exit; /* the current exit is a kick's NMI: not progress for the watchdog */
    volatile enum vcpu_state state;
    uint32_t id;
    uint32_t apic_id; /* its local APIC ID, as CPUID shows it (0 for the first vCPU) */
    uint32_t index;   /* its number in its VM */
    bool lapic;       /* it has a (virtual) local APIC: CPUID shows x2APIC, TSC deadline */
    bool halted;      /* it executed HLT: it sleeps until an event comes (event_inject.c) */
    uint32_t host_cpu;
    const char *name;
    const struct vcpu_ops *ops;
    void *vm; /* owner (vm layer) */

    /* The current VM exit (SDM 28.2): reason and RIP filled before the handler runs, the
     * qualification by the handlers that read it (valid only for them). */
    uint32_t exit_reason;
    uint64_t exit_qualification;
    uint64_t guest_rip;
    uint64_t idle_rsp; /* guest RSP at the last watchdog sample (vm/vm_watchdog.c's report) */
    union {            /* a traced exit: TSC when its handler started, stored as RDTSC gave it */
        uint64_t exit_tsc;
        struct {
            uint32_t exit_tsc_lo, exit_tsc_hi;
        };
    };

    /* Outcome once stopped. */
    int exit_status;
    char stop_reason[256];

    /* Bitmaps (physical addresses) and virtualised state. */
    uint64_t io_bitmap_a, io_bitmap_b, msr_bitmap;
    struct vcpu_hw_state hw;   /* guest registers outside the VMCS (vmx/vcpu_state.h) */
    struct guest_mtrr mtrr;    /* its virtual MTRRs (vmx/guest_msr.h) */
    struct vcpu_events events; /* pending events (vmx/event.h) */
    struct vcpu_apicv apicv;   /* APIC virtualization, set by the VM layer (vmx/apicv.h) */
    /* Work before the next entry: vmx_exit_handler tests the word once after the handler and
     * leaves its fast path when any of these is set. */
    union {
        struct {
            bool attention;      /* the step before the entry has work (events, windows) */
            bool timer_recharge; /* reload the preemption timer: the rest of the time slice,
                                  * device events, the watchdog's next sample */
        };
        uint16_t entry_work;
    };
    bool windows_open;    /* interrupt- or NMI-window exiting is on */
    int test_irq;         /* VP_HC_INJECT's external interrupt line: a vector, or -1 */
    uint64_t misc_enable; /* IA32_MISC_ENABLE as it reads it */
    uint64_t tsc_offset;  /* guest TSC = host TSC + tsc_offset (SDM 26.3, TSC offsetting) */
    uint64_t tsc_adjust;  /* its IA32_TSC_ADJUST: 0 at power-up (SDM 18.17.3) */
    uint64_t cr0_mask, cr4_mask;
    uint64_t exits;
    uint64_t slices;      /* times it was switched in by vcpu_run */
    uint64_t timer_exits; /* VMX-preemption timer expiries */
    uint64_t mtf_exits;   /* monitor-trap-flag exits */
    uint32_t time_slice;
    uint64_t slice_end;             /* TSC at which the current slice ends */
    bool tsc_offsetting;            /* TSC_OFFSET is in use */
    bool device_time;               /* the preemption timer also serves device events */
    bool hlt_native;                /* HLT runs in the guest, without an exit (vcpu_init) */
    bool hlt_exiting;               /* with hlt_native: HLT exits for now (vcpu_hlt_exiting) */
    uint64_t hlt_check;             /* with hlt_native: TSC ticks between looks at a halt */
    bool own_timer;                 /* time_slice set by the VM itself, kept when it runs alone */
    volatile bool *stop_request;    /* set by another CPU: stop at the next exit (vcpu_run points
                                     * it at a false flag when nobody can stop it) */
    enum exit_action last_action;   /* why vmx_run returned */
    struct trace_ring *ring;        /* the running CPU's debug record */
    struct vmx_exit_stats *stats;   /* the running CPU's exit statistics */
    uint32_t unhandled_port_log[8]; /* ports already reported as unmodelled */

    /* An INIT reset it (set by the VM layer, with attention): it yields its CPU at the next
     * entry and the scheduler starts it again through start_state (SDM 11.4.7.3, 9.1). */
    volatile bool reset_request;
    struct watchdog watchdog; /* no progress for a period: reported and stopped */
    struct {                  /* real-mode interrupts delivered by the hypervisor */
        bool on;              /* set by its VM (rmint=on) before vcpu_init */
        uint16_t idtr_limit;  /* the guest's IDTR; the VMCS holds limit 0 */
        uint32_t idtr_base;
        uint32_t shown;
    } rm_int;               /* vmx/exit_rm_int.c, book example 7-4 */
    struct {                /* intercepted exceptions, book example 7-1 (vmx/exit_exception.c) */
        uint32_t bitmap;    /* set by its VM (exceptions=) before vcpu_init */
        uint32_t pfec_mask; /* pfmask=, pfmatch= (SDM 25.6.3, 26.2) */
        uint32_t pfec_match;
        uint32_t shown; /* reflections printed */
    } exc;
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
    VCPU_STOP_NO_PROGRESS = -7,  /* its watchdog: no progress for a period (vmx/watchdog.h) */
};
#define VCPU_STOP_STATUS_MIN VCPU_STOP_NO_PROGRESS

/* A vCPU that runs HLT itself exits at least this often (the VMX-preemption timer), so that
 * one halted with interrupts disabled is found (exit_hlt_check) even with no event ahead. */
#define VCPU_HLT_CHECK_MS 1000

/* "triple fault" for VCPU_STOP_TRIPLE_FAULT...; NULL for a status >= 0 (the guest's own). */
const char *vcpu_stop_status_name(int status);

/* Stop the guest with a status (enum vcpu_stop_status, or the guest's own) and a reason that
 * is printed. */
enum exit_action vcpu_stop(struct vcpu *v, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Exits of reason 0 that exit_exception gives to the real-mode delivery (rmint=on, a #GP in
 * real mode); exit_rm_int.c. */
bool vcpu_rm_int_owns(const struct vcpu *v, uint8_t vector);
enum exit_action exit_rm_int_gp(struct vcpu *v);
/* Exceptions reflected by exit_exception so far, by all vCPUs (book example 7-1). */
uint64_t vcpu_exceptions_reflected(void);

/* Real-mode interrupt delivery by the hypervisor (vmx/exit_rm_int.c): the guest's IDTR kept,
 * the VMCS's limit 0, #GP intercepted. Called by vcpu_init for a real-mode start. */
void vcpu_rm_int_start(struct vcpu *v);
/* Events delivered that way so far, by all vCPUs. */
uint64_t vcpu_rm_int_delivered(void);

/* The CR0/CR4 value the CPU runs with when the guest asked for `guest_value`. */
uint64_t vcpu_real_cr0(const struct vcpu *v, uint64_t guest_value);
uint64_t vcpu_real_cr4(const struct vcpu *v, uint64_t guest_value);

/* Events (vmx/event_inject.c, vmx/event.h). Handlers only queue: the exception is merged with
 * what is pending (SDM 6.15) and the step before the next VM entry (vcpu_prepare_entry)
 * injects it, with RF for faults and without an error code in real mode. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
void vcpu_inject_nmi(struct vcpu *v);

/* The kick (vmx/vcpu_kick.c): make v, perhaps running on another host CPU, look at its
 * attention before its next entry. vcpu_kick_init installs the host's NMI handler (once);
 * vcpu_nmi_exit is the exit of a kick's NMI (reason 0, type NMI). */
void vcpu_kick(struct vcpu *v);
void vcpu_kick_init(void);
enum exit_action vcpu_nmi_exit(struct vcpu *v);
/* Handlers of exits that can happen while an event is being delivered (EPT violation,
 * exception, APIC access, task switch...) call this first: the event is re-injected. */
void vcpu_record_vectoring(struct vcpu *v);
/* The step before every VM entry: injection and interrupt/NMI windows. */
enum exit_action vcpu_prepare_entry(struct vcpu *v);
/* The rare parts of completing an emulated instruction: IP/EIP wrap-around in 16- and 32-bit
 * code, the single-step trap of RFLAGS.TF, the end of STI and MOV SS blocking (vcpu.c). */
void vcpu_skip_finish(struct vcpu *v, uint64_t next_rip, uint64_t rflags, uint32_t blocking);

/* Move the guest past the instruction that caused the exit, as if it had executed it: RIP +
 * VM-exit instruction length (SDM 28.2.5), wrapped to the code's operand size; a pending
 * single-step #DB when RFLAGS.TF is set; STI and MOV SS blocking end (SDM 25.4.2, table 25-3:
 * the blocking lasts until the next instruction completes). Inline: most handlers end with
 * it. The common case is three VMREADs and the VMWRITE of RIP, with one test for all the rare
 * cases; the exit-path accessors (vmcs_exit_read) need no failure branch here. */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
    uint64_t old = v->guest_rip, rip = old + vmcs_exit_read(VM_EXIT_INSTRUCTION_LEN);
    uint64_t rflags = vmcs_exit_read(GUEST_RFLAGS);
    uint64_t blocking = vmcs_exit_read(GUEST_INTERRUPTIBILITY_INFO) & 3;
    /* Wrap-around (IP at 64 KiB, EIP at 4 GiB) is possible only where the new RIP leaves the
     * old one's 64 KiB: that case too goes to vcpu_skip_finish, which decides by the code
     * segment (in 64-bit code it only costs the slower path at a 64 KiB boundary). */
    if (__builtin_expect(((rflags & RFLAGS_TF) | blocking | ((old ^ rip) >> 16)) != 0, 0)) {
        /* RFLAGS and the blocking read again there: the test may consume its copies */
        vcpu_skip_finish(v, rip, vmcs_exit_read(GUEST_RFLAGS),
                         (uint32_t)vmcs_exit_read(GUEST_INTERRUPTIBILITY_INFO) & 3);
        return;
    }
    v->guest_rip = rip;
    vmcs_exit_write(GUEST_RIP, rip);
}

/* Move RIP past an instruction of `len` bytes the hypervisor emulated from its decoding (an
 * EPT violation gives no instruction length): as vcpu_skip_instruction does. */
static inline void vcpu_advance_rip(struct vcpu *v, unsigned len)
{
    uint64_t old = v->guest_rip, rip = old + len;
    vcpu_skip_finish(v, rip, vmcs_read(GUEST_RFLAGS),
                     (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & 3);
}

/* The guest's view of CR0/CR4: the bits it owns from the VMCS, the others from the read
 * shadow (SDM 25.6.6). */
static inline uint64_t vcpu_guest_cr0(const struct vcpu *v)
{
    return (vmcs_read(GUEST_CR0) & ~v->cr0_mask) | (vmcs_read(CR0_READ_SHADOW) & v->cr0_mask);
}
static inline uint64_t vcpu_guest_cr4(const struct vcpu *v)
{
    return (vmcs_read(GUEST_CR4) & ~v->cr4_mask) | (vmcs_read(CR4_READ_SHADOW) & v->cr4_mask);
}

/* The guest executes 64-bit code: IA-32e mode active and CS.L (SDM 3.4.5). */
bool vcpu_in_64bit_code(const struct vcpu *v);

/* General-purpose register n in the encoding order of exit qualifications (0 RAX, 1 RCX,
 * 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15; SDM 28.2.1 table 28-3). Outside
 * 64-bit code only the low 32 bits exist for the instruction (SDM vol. 1 3.4.1.1), so the
 * read gives those and a write zero-extends. */
uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n);
void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t value);

/* A hypercall or emulated instruction's 64-bit result into RAX: truncated to 32 bits (and
 * zero-extended) when the guest is not in 64-bit code. */
void vcpu_set_result(struct vcpu *v, uint64_t value);

/* The CPU's XCR0 bits a guest may use (vmx/cpuid_policy.h; exit_cpuid.c). */
uint64_t vcpu_xcr0_allowed(void);

/* The exit reasons that get a debug record (vmx/trace_mask.h), from the command line's
 * trace= (log=trace: all of them, each also printed). 0, or -1 after printing the error. */
extern struct trace_mask vmx_trace_mask;
int vmx_trace_setup(void);
/* Replace the trace mask (scenario bench traces everything for its second run): the exit path
 * reads it only through what this rebuilds, its routing tables (exit_route, exit_traced) and
 * the handler variant the exit stub calls (vmx_exit_fn). Not while a vCPU runs. */
void vmx_trace_set(const struct trace_mask *m);

/* Print exit statistics of this CPU (count, average handler ticks, per reason). */
void vmx_print_exit_stats(uint32_t cpu);

#endif
