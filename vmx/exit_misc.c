/* vmx/exit_misc.c - VMCALL, HLT, INVD/WBINVD, VMX instructions, triple fault, external
 * interrupts and VM-entry failures (SDM 26.1.2-26.2, 27.8). */
#include "platform/console.h"
#include "platform/cpu.h"
#include "vmx/entry_explain.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_names.h"
#include "vmx/vmx_cpu.h"

/* VP_HC_INJECT: RBX the interruption type, RCX the vector, RDX the error code, RSI the
 * instruction length: an event for the guest at the next entry, as the book's chapter 4
 * examples inject them, checked by the rules VM entry applies (SDM 27.2.1.3, event.c) so a bad
 * request is refused, not a failed entry. External interrupts wait on the vCPU's test line for
 * RFLAGS.IF (an interrupt window opens meanwhile); the others are queued at once. */
static __attribute__((noinline)) bool hc_inject(struct vcpu *v)
{
    struct event_request r = {vcpu_get_gpr(v, 3), vcpu_get_gpr(v, 1), vcpu_get_gpr(v, 2),
                              vcpu_get_gpr(v, 6)};
    const char *why = event_request_check(&r, (vmcs_read(GUEST_CR0) & CR0_PE) != 0,
                                          vmx_caps_has(&vmx.caps, VMX_FEATURE_MTF));
    if (why) {
        pr_debug("vmx: %s: VP_HC_INJECT type %lu vector %lu refused: %s\n", v->name, r.type,
                 r.vector, why);
        return false;
    }
    switch (r.type) {
    case EVENT_EXTERNAL_INTERRUPT:
        v->test_irq = (int)r.vector;
        v->attention = true;
        return true;
    case EVENT_NMI:
        vcpu_inject_nmi(v);
        return true;
    case EVENT_HARDWARE_EXCEPTION:
        vcpu_inject_exception(v, (uint8_t)r.vector, exception_has_error_code((uint8_t)r.vector),
                              (uint32_t)r.error);
        return true;
    default: /* software interrupt and exceptions (with their length), the "other event" */
        v->events.reinject =
            (struct event){.valid = true,
                           .type = (uint8_t)r.type,
                           .vector = (uint8_t)r.vector,
                           .insn_len = r.type == EVENT_OTHER ? 0 : (uint32_t)r.len};
        v->attention = true;
        return true;
    }
}

/* The hypercalls but VP_HC_NOP (exit_vmcall), after the CPL check. */
static __attribute__((noinline)) enum exit_action hypercall(struct vcpu *v)
{
    uint64_t nr = v->regs.rax; /* EAX outside 64-bit code (vcpu_get_gpr, read inline) */
    if ((nr >> 32) && !vcpu_in_64bit_code(v))
        nr = (uint32_t)nr;
    switch (nr) {
    case VP_HC_VERSION:
        vcpu_set_result(v, VP_HC_VERSION_VALUE);
        break;
    case VP_HC_NOP:
        v->regs.rax = 0; /* 0 in every register width */
        break;
    case VP_HC_INJECT:
        vcpu_set_result(v, hc_inject(v) ? 0 : VP_HC_EINVAL);
        break;
    case VP_HC_EXIT:
        /* The status is the guest's own: kept to 31 bits, so it never reads as a stop of the
         * hypervisor's (negative). */
        vcpu_skip_instruction(v);
        return vcpu_stop(v, (int)(vcpu_get_gpr(v, 3) & 0x7fffffff), "VP_HC_EXIT hypercall");
    default:
        if (!v->ops || !v->ops->hypercall || !v->ops->hypercall(v))
            vcpu_set_result(v, VP_HC_ENOSYS); /* all ones of the guest's register width */
        break;
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* VMCALL above CPL 0: #UD. A function of its own, so that exit_vmcall needs no frame. */
static __attribute__((noinline)) enum exit_action vmcall_refused(struct vcpu *v)
{
    vcpu_inject_exception(v, 6, false, 0);
    return EXIT_RESUME;
}

/* VMCALL: hypercall number in RAX, result in RAX (docs/hypercalls.md). Only CPL 0 may call;
 * elsewhere the guest gets #UD, as for VMCALL outside VMX (SDM vol. 3C VMCALL). VP_HC_NOP,
 * the benchmark's round trip, is answered here without a stack frame: RAX = 2 exactly is 2 in
 * every register width. */
enum exit_action exit_vmcall(struct vcpu *v)
{
    if (__builtin_expect((vmcs_exit_read(GUEST_SS_AR_BYTES) >> 5) & 3, 0)) /* CPL = SS.DPL */
        return vmcall_refused(v);                                          /* (SDM 5.5) */
    if (__builtin_expect(v->regs.rax != VP_HC_NOP, 0))
        return hypercall(v);
    v->regs.rax = 0;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

static __attribute__((noinline, cold)) enum exit_action hlt_hung(struct vcpu *v, uint64_t rip)
{
    return vcpu_stop(v, VCPU_STOP_HUNG,
                     "HLT with interrupts disabled at RIP 0x%lx: it can never wake", rip);
}

/* HLT (exiting only where HLT exiting is on: vcpu.c, setup_controls): a guest with interrupt
 * controllers sleeps until its next event (the VMX-preemption timer set for its devices' next
 * event, or an interrupt another CPU kicks it for). Without them (the built-in guests) a HLT
 * with interrupts enabled returns at once, as if an interrupt had come; with interrupts
 * disabled and no event pending it could never wake. */
enum exit_action exit_hlt(struct vcpu *v)
{
    if (!(vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) && !event_pending(&v->events))
        return hlt_hung(v, v->guest_rip);
    vcpu_skip_instruction(v);
    if (v->ops && v->ops->intr_peek && v->device_time) {
        /* It sleeps: the step before the entry puts it in the HLT activity state unless an
         * event is there for it now; the next event wakes it (SDM 25.4.2, 27.6.3). */
        v->halted = true;
        v->attention = true;
    }
    return EXIT_RESUME;
}

/* A vCPU that runs HLT itself can be in the HLT activity state at an exit (the preemption
 * timer, a host interrupt: SDM 28.3.4 saves the state). With RFLAGS.IF = 0, no NMI or other
 * event queued and no INIT coming, only an NMI, SMI or INIT could end it (SDM vol. 2A HLT):
 * stopped as exit_hlt stops it, with the HLT's own RIP, the byte (F4) before the saved one
 * (the HLT completed: the guest resumes after it). The vCPU's timer brings it back within
 * VCPU_HLT_CHECK_MS even without a device event, so the stop comes that soon at the latest. */
enum exit_action exit_hlt_check(struct vcpu *v)
{
    if (vmcs_read(GUEST_ACTIVITY_STATE) != ACTIVITY_HLT || (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) ||
        event_pending(&v->events) || __atomic_load_n(&v->reset_request, __ATOMIC_ACQUIRE))
        return EXIT_RESUME;
    return hlt_hung(v, v->guest_rip - 1);
}

/* INVD would drop the host's dirty cache lines too: write them back instead (SDM vol. 2A
 * INVD recommends WBINVD where cache contents matter). */
enum exit_action exit_invd(struct vcpu *v)
{
    wbinvd();
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

enum exit_action exit_wbinvd(struct vcpu *v)
{
    wbinvd();
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MONITOR and MWAIT: CPUID does not show them (vmx/cpuid_policy.c), so they raise #UD, as on
 * such a CPU (SDM vol. 2B MONITOR: #UD if CPUID.01H:ECX.MONITOR[bit 3] = 0). They exit rather
 * than run: a deep C-state could stop the VMX-preemption timer and with it the time slicing
 * of the host CPU's other vCPUs (SDM 26.5.1). */
enum exit_action exit_monitor_mwait(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_EXC_UD, false, 0);
    return EXIT_RESUME;
}

/* RDPMC: the guest has no performance counters (CPUID leaf 0AH is empty), so every counter
 * index is invalid: #GP(0) (SDM vol. 2B RDPMC). */
enum exit_action exit_rdpmc(struct vcpu *v)
{
    vcpu_inject_exception(v, X86_EXC_GP, true, 0);
    return EXIT_RESUME;
}

/* Monitor trap flag (reason 37): the guest completed one instruction (or an event delivery)
 * with MTF on, or the injected "other event" of vector 0 (SDM 26.5.2, 27.6.2). Counted; the
 * guest goes on, and single-steps on as long as the control stays set. */
enum exit_action exit_mtf(struct vcpu *v)
{
    v->mtf_exits++;
    if (v->ops && v->ops->mtf)
        return v->ops->mtf(v);
    return EXIT_RESUME;
}

/* The guest has no VMX (CPUID.1:ECX.VMX = 0, CR4.VMXE reads 0): VMX instructions and GETSEC
 * raise #UD, as on such a CPU (SDM 31.3, "VMXON ... #UD if CR4.VMXE = 0"). */
enum exit_action exit_vmx_instruction(struct vcpu *v)
{
    vcpu_inject_exception(v, 6, false, 0);
    return EXIT_RESUME;
}

enum exit_action exit_triple_fault(struct vcpu *v)
{
    return vcpu_stop(v, VCPU_STOP_TRIPLE_FAULT, "triple fault at RIP 0x%lx", v->guest_rip);
}

/* An interrupt for the host arrived while the guest ran (or sat in the HLT state). It is
 * still pending in the local APIC (acknowledge-on-exit is off): opening the interrupt window
 * lets the host take it. */
enum exit_action exit_external_interrupt(struct vcpu *v)
{
    irq_enable();
    __asm__ volatile("nop");
    irq_disable();
    return v->hlt_native ? exit_hlt_check(v) : EXIT_RESUME;
}

/* SDM 27.8: exit reason with bit 31 set; qualification for reason 33 (27.8, table). */
enum exit_action exit_entry_failure(struct vcpu *v)
{
    char reason[64], what[192];
    uint64_t q = vmcs_read(VM_EXIT_QUALIFICATION);
    vmx_exit_reason_format(v->exit_reason, reason, sizeof(reason));
    vmx_entry_failure_format(v->exit_reason, q, what, sizeof(what));
    console_lock();
    kprintf("vmx: VM entry of %s failed: exit reason %s, qualification 0x%lx (%s)\n", v->name,
            reason, q, what);
    vmx_entry_explain_exit(v, v->exit_reason, q); /* which rule (vmx/entry_explain.h) */
    vmcs_dump_current();
    console_unlock();
    return vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, "VM entry failed: %s", reason);
}
