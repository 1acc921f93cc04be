/*
 * vm/vm_guest.h - the guest's view of memory for the emulators (vm/vm_string_io.c, vm/mmio.c):
 * its paging state as the walker (vm/guest_walk.h) needs it, read from the VMCS, and its RAM
 * as guest-physical memory.
 */
#ifndef VM_VM_GUEST_H
#define VM_VM_GUEST_H

#include "vm/guest_walk.h"
#include "vm/vm.h"

/* The paging state of the running vCPU: CR0/CR3/CR4 and EFER as the guest sees them, the PAE
 * PDPTE registers (SDM 27.3.2.4), CPL, RFLAGS.AC, MAXPHYADDR and the page-size features. */
void vm_guest_paging(struct vcpu *v, struct gw_state *s);

/* The VM's RAM as the walker's guest-physical memory (accessed/dirty updates are locked
 * compare-exchanges, as the CPU makes them, SDM 4.8). */
void vm_guest_mem(struct vm *vm, struct gw_mem *m);

/* Fetch context for instruction bytes at CS:RIP through the guest's page tables. */
struct vm_fetch {
    const struct gw_state *paging;
    const struct gw_mem *mem;
    uint64_t cs_base, rip;
    bool wrap32; /* outside 64-bit mode linear addresses wrap at 4 GiB */
};
int vm_fetch_byte(void *ctx, unsigned offset, uint8_t *byte); /* an insn_fetch_fn */

#endif
