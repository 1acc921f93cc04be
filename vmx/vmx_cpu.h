/*
 * vmx/vmx_cpu.h - VMX support, enabling and VMX operation on each CPU (book 2.2-2.3, 3.1;
 * SDM 24.6-24.8): detection, IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, the VMXON region.
 */
#ifndef VMX_VMX_CPU_H
#define VMX_VMX_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_caps.h"
#include "vmx/vmx_msr.h"

#define VM_EXIT_REASONS 80 /* basic exit reasons 0..79 */

struct vcpu;

/* Exit statistics by basic reason: two arrays, so that the exit path's count is one
 * indexed increment. */
struct vmx_exit_stats {
    uint64_t count[VM_EXIT_REASONS];
    uint64_t ticks[VM_EXIT_REASONS]; /* TSC ticks spent in the handlers of traced exits */
};

/* The VMX layer's per-CPU state (reached through this_cpu()->vmx). */
struct vmx_cpu {
    bool on;             /* in VMX operation */
    uint64_t vmxon_phys; /* VMXON region */
    uint64_t vmcs_phys;  /* this CPU's own VMCS (first guest) */
    uint64_t cr0_before, cr4_before;
    struct vcpu *current;     /* whose VMCS is current on this CPU */
    struct vcpu *state_owner; /* whose guest registers the CPU holds (vmx/vcpu_state.h) */
    struct vmx_exit_stats exits;
};

/* What the bootstrap CPU learnt about VMX; the same on every CPU. */
struct vmx_platform {
    bool cpu_has_vmx;         /* CPUID.1:ECX.VMX */
    bool firmware_locked_off; /* IA32_FEATURE_CONTROL locked with VMX disabled */
    bool usable;              /* VMX can be used and every required feature is there */
    struct vmx_msr_values msr;
    struct vmx_caps caps;
    char missing[256]; /* why VMX is not usable: what the CPU lacks, by name */
};

extern struct vmx_platform vmx;

/* Detect VMX and read every capability MSR that exists (BSP, once). Prints what it finds.
 * Returns 0 when VMX is usable by Vanderpool, -1 otherwise (the reason was printed). */
int vmx_detect(void);

/* Enter / leave VMX operation on this CPU. 0 on success; failures are printed. */
int vmx_enable_this_cpu(void);
void vmx_disable_this_cpu(void);

/* On every online CPU through cross-CPU calls; returns how many CPUs are in VMX operation. */
uint32_t vmx_enable_all(void);
void vmx_disable_all(void);

struct vmx_cpu *vmx_this_cpu(void);

/* Read a VMX capability MSR value (0 when the CPU does not have that MSR). */
uint64_t vmx_msr(uint32_t msr);

#endif
