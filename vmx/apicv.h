/*
 * vmx/apicv.h - APIC virtualization in the VMCS of a vCPU (hardware; SDM ch. 30). The VM layer
 * chooses the plan at VM creation (vm/vm_apicv.c, vmx/apicv_policy.h) and gives each vCPU its
 * virtual-APIC page, which is its local APIC model's register page, and the VM's APIC-access
 * page. vcpu_init sets the controls and addresses; before every VM entry apicv_prepare_entry
 * writes what the CPU cannot know from the page (RVI/SVI, the EOI-exit bitmap, the TPR
 * threshold) and follows the guest's switch to x2APIC mode; the exits 43, 44, 45 and 56 give
 * their work to the model through the vCPU's hooks (vmx/vcpu.h).
 */
#ifndef VMX_APICV_H
#define VMX_APICV_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/apicv_policy.h"

/* The guest-physical address of the xAPIC page: its base cannot be moved (SDM 11.4.4; the
 * model refuses relocation), so the APIC-access page is mapped there. */
#define APICV_XAPIC_GPA 0xfee00000ull

/* A vCPU's APIC virtualization (in struct vcpu). An empty plan: the software local APIC. */
struct vcpu_apicv {
    struct apicv_plan plan;
    uint64_t virtual_apic; /* physical address of the virtual-APIC page (the model's registers) */
    uint64_t apic_access;  /* physical address of the VM's APIC-access page, 0 for none */
    bool x2apic;           /* the controls and MSR bitmap are set for a guest in x2APIC mode */
    uint64_t eoi_exit[4];  /* what the VMCS's EOI-exit bitmap holds */
    uint64_t tpr_threshold_exits, apic_access_exits, eoi_exits, apic_write_exits;
    uint64_t x2apic_msr_exits; /* RDMSR/WRMSR exits of 0x800-0x8FF (the rest is virtualized) */
};

struct vcpu;

/* Controls, addresses and the MSR bitmap at vcpu_init (the VMCS is current; the primary and
 * secondary controls are written already). */
void apicv_vcpu_setup(struct vcpu *v);
/* Before each VM entry, once the devices' time is up to date (vmx/event_inject.c). */
void apicv_prepare_entry(struct vcpu *v);

#endif
