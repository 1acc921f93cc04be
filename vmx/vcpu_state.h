/*
 * vmx/vcpu_state.h - the guest state a VM exit leaves in the CPU (book 3.5; SDM 28.3, 28.5).
 *
 * A VM exit saves and loads only what the VMCS holds. The rest stays in the processor as the
 * guest left it: the x87/SSE/AVX registers (and XCR0), DR0-DR3 and DR6, CR2, and the MSRs
 * the guest may use without exits: STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE, TSC_AUX. The
 * hypervisor itself uses none of them (it is built without SSE, takes no page faults, sets no
 * breakpoints and makes no system calls), so they are switched lazily: when a host CPU goes
 * from one vCPU to another, the first vCPU's values are saved and the second's loaded, and
 * never between two entries of the same vCPU. Each vCPU starts with its own clean values, so
 * no guest sees another's registers.
 */
#ifndef VMX_VCPU_STATE_H
#define VMX_VCPU_STATE_H

#include <stdint.h>

struct vcpu;

struct vcpu_hw_state {
    uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
    uint64_t dr[4], dr6;
    uint64_t cr2;
    uint64_t xcr0;
    uint8_t *fpu; /* XSAVE area (or the 512-byte FXSAVE area without XSAVE), 64-byte aligned */
};

/* The size of the FPU area of every vCPU: CPUID.(EAX=0DH,ECX=0):ECX for all the features the
 * CPU supports (SDM vol. 1 13.2), or 512 for FXSAVE. */
uint32_t vcpu_fpu_area_size(void);

/* Gives v its power-up values (SDM 10.1.1 table 10-1: x87 FCW 0x37f, MXCSR 0x1f80, DR6
 * 0xffff0ff0, the rest 0; XCR0 1) and its FPU area. 0, or -1 when out of memory. */
int vcpu_state_init(struct vcpu *v);

/* This CPU leaves the vCPU whose state it holds (if any) for v: that one's state is saved
 * into it, v's is loaded. Nothing happens when v's state is already there. */
void vcpu_state_switch_to(struct vcpu *v);

/* v is being set up afresh (its struct may be reused): if this CPU holds v's old state, it is
 * dropped without saving, so the next switch loads v's new values. */
void vcpu_state_forget(const struct vcpu *v);

/* CR2 of v, which this CPU holds: a #PF the hypervisor delivers sets it (SDM 4.7). */
void vcpu_set_cr2(struct vcpu *v, uint64_t cr2);

/* Set bits in DR6 of v, which this CPU holds: a #DB the hypervisor delivers reports its cause
 * there (SDM 17.2.3; BT for the task-switch trap). */
void vcpu_set_dr6_bits(struct vcpu *v, uint64_t bits);

/* XCR0 of the vCPU whose state the CPU holds changed (XSETBV): keeps the record in step. */
void vcpu_state_set_xcr0(struct vcpu *v, uint64_t xcr0);

#endif
