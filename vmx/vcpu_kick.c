/*
 * vmx/vcpu_kick.c - how another CPU makes a running vCPU look at the work it left for it (an
 * interrupt posted to its APIC, a stop request): the kick.
 *
 * The sender sets the vCPU's attention (the step before the entry has work) and its kick flag,
 * then interrupts the vCPU's host CPU. A kick is an NMI where the vCPU has NMI exiting, and a
 * fixed interrupt (VEC_KICK) otherwise:
 *
 * - In the guest, an NMI causes a VM exit whatever the guest's RFLAGS.IF (SDM 26.2), and is
 *   taken before a virtual interrupt could be delivered (SDM 30.2.2: NMIs have priority over
 *   virtual-interrupt delivery). A fixed interrupt would do as well on an Intel CPU (external-
 *   interrupt exiting, SDM 26.2), but not in Bochs 2.7: when a virtual interrupt is pending
 *   and held back by RFLAGS.IF = 0, a host interrupt makes Bochs deliver that virtual
 *   interrupt into the guest (bochs/cpu/event.cc, InterruptAcknowledge tests the virtual
 *   interrupt as pending, not as unmasked) instead of exiting. A Linux guest then takes its
 *   timer interrupt inside a section that holds a runqueue lock with interrupts off and spins
 *   on that lock for ever (docs/interrupts.md). The test guest ipi shows it (vm-ipi-2cpu).
 * - An NMI's VM exit leaves NMIs blocked until the next IRET, as its delivery would (SDM
 *   6.7.1); vcpu_nmi_exit ends the blocking with an IRET to itself (vmx_nmi_unblock).
 * - In VMX root operation nothing holds an NMI back until the entry, as IF = 0 holds a fixed
 *   interrupt: the host's NMI handler runs at once. The kick flag is therefore the last thing
 *   vmx_entry.S looks at before VMLAUNCH/VMRESUME, and an NMI that comes between that look and
 *   the entry moves the interrupted RIP back to the look (vcpu_host_nmi): the flag, set before
 *   the NMI was sent, is seen, and the entry waits for the work.
 */
#include <stddef.h>
#include "platform/percpu.h"
#include "platform/smp.h"
#include "platform/trap.h"
#include "vmx/exit.h"
#include "vmx/vcpu.h"

extern char vmx_run_window[], vmx_run_window_end[], vmx_run_resume[], vmx_run_window2_end[];
extern char vmx_resume_window[], vmx_resume_window_end[];
void vmx_nmi_unblock(void);

/* vmx_entry.S reads these two flags at fixed offsets */
_Static_assert(offsetof(struct vcpu, launched) == 128, "V_LAUNCHED in vmx/vmx_entry.S");
_Static_assert(offsetof(struct vcpu, kicked) == 129, "V_KICKED in vmx/vmx_entry.S");

void vcpu_kick(struct vcpu *v)
{
    __atomic_store_n(&v->attention, true, __ATOMIC_RELEASE);
    if (v->host_cpu == this_cpu_id())
        return; /* its own CPU (it or its time-slice sibling runs this): the step before its
                 * next entry, still ahead, sees attention */
    /* the flag before the interrupt (a full barrier: the ICR write is not ordered after the
     * stores by itself in x2APIC mode, SDM 11.12.3; lapic_send_ipi fences as well) */
    __atomic_store_n(&v->kicked, 1, __ATOMIC_SEQ_CST);
    if (v->state == VCPU_RUNNING)
        smp_kick(v->host_cpu, v->kick_nmi);
}

static bool within(uint64_t rip, const char *start, const char *end)
{
    return rip >= (uint64_t)(uintptr_t)start && rip < (uint64_t)(uintptr_t)end;
}

/* The host's NMI handler (VMX root operation). Between the kick flag's last look and the
 * entry, back to the look; elsewhere nothing to do: the look is still ahead. */
static void vcpu_host_nmi(struct trap_frame *f)
{
    if (within(f->rip, vmx_resume_window, vmx_resume_window_end))
        f->rip = (uint64_t)(uintptr_t)vmx_resume_window;
    else if (within(f->rip, vmx_run_window, vmx_run_window_end) ||
             within(f->rip, vmx_run_resume, vmx_run_window2_end))
        f->rip = (uint64_t)(uintptr_t)vmx_run_window;
}

void vcpu_kick_init(void)
{
    trap_set_handler(2, vcpu_host_nmi);
}

enum exit_action vcpu_nmi_exit(struct vcpu *v)
{
    vmx_nmi_unblock();
    v->kick_exit = true; /* waiting, not progress: vcpu_before_entry */
    /* the flag is taken; the attention the sender set first makes the step before the entry
     * run (vmx_exit_handler), after this store (sequentially consistent) */
    __atomic_store_n(&v->kicked, 0, __ATOMIC_SEQ_CST);
    return v->hlt_native ? exit_hlt_check(v) : EXIT_RESUME;
}
