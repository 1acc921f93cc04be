/*
 * guests/builtin/event_demo.c - built-in guests of the event scenarios (scenarios/event_demo.c,
 * book examples 4-1, 4-2 and 5-2). Each records what its exception and NMI handlers see
 * (guest_trap_record) and checks it from inside; the VMM side prints what it did.
 *  - pending_dbg (4-1): the VMM writes the pending-debug-exceptions field at a hypercall; the
 *    #DB arrives right after the VMCALL with those bits in DR6 when BS or the enabled-breakpoint
 *    bit is set, and not at all for B0 alone (SDM 27.7.3).
 *  - mtf (4-2): monitor-trap-flag single-stepping over a few instructions, one of which also
 *    raises a single-step #DB; an injected exception with MTF on (SDM 26.5.2, 27.7.4).
 *  - priority (5-2): which of several due events comes first, seen from inside.
 */
#include "guests/builtin/guest_lib.h"
#include "platform/cpu.h"

/* Hypercalls the scenarios serve (scenarios/event_demo.c). */
#define HC_PENDING_DBG 0x120 /* RBX: the value for the pending-debug-exceptions field */
#define HC_DBG_AND_NMI 0x121 /* pending debug exceptions BS and an NMI at the same entry */
#define HC_MTF_ON      0x122
#define HC_MTF_OFF     0x123
#define HC_MTF_UD      0x124 /* MTF on and #UD injected at the same entry */
#define HC_UD_AND_NMI  0x125 /* #UD and an NMI raised by the same exit */
#define VP_HC_INJECT   3
#define VP_HC_EXIT     1

#define DR6_B0         (1ull << 0)  /* SDM 18.2.3; DR6_BS and DR6_INIT: platform/x86.h */
#define PDE_ENABLED_BP (1ull << 12) /* pending debug exceptions: SDM 25.4.2, table 25-4 */

static struct guest_seen seen[8];

static void idt(void)
{
    uint16_t limit;
    uint64_t base = guest_idt_setup(&limit);
    struct desc_ptr idtr = {limit, base};
    lidt(&idtr);
}

static void finish(const char *name)
{
    guest_trap_record(0, 0);
    guest_printf("GUEST %s: %u checks, %u failed\n", name, guest_checks(), guest_failures());
    guest_vmcall(VP_HC_EXIT, guest_failures());
}

static void show(const char *what)
{
    uint32_t n = guest_trap_seen();
    guest_printf("GUEST %s: %u event(s):", what, n);
    for (uint32_t i = 0; i < n && i < 8; i++)
        guest_printf(" vector %u at RIP 0x%lx%s", seen[i].vector, seen[i].rip,
                     i + 1 < n ? "," : "\n");
    if (!n)
        guest_printf(" none\n");
}

extern char guest_isr_stubs[], guest_tf_cpuid_after[];
static uint64_t stub(unsigned vector)
{
    return (uint64_t)guest_isr_stubs + 16u * vector; /* guest_ops.S: 16 bytes a stub */
}

void guest_pending_dbg_main(void)
{
    idt();
    __asm__ volatile("mov %0, %%dr6" : : "r"(DR6_INIT));
    guest_trap_record(seen, 8);
    guest_vmcall_trap(HC_PENDING_DBG, DR6_BS);
    show("pending-dbg BS");
    guest_check(guest_trap_seen() == 1 && seen[0].vector == 1,
                "pending debug exceptions BS: one #DB right after the VMCALL");
    guest_check((seen[0].dr6 & DR6_BS) != 0, "DR6.BS is set in the #DB handler");

    /* valid pending debug exceptions need BS or the enabled-breakpoint bit 12 (SDM 27.7.3) */
    guest_trap_record(seen, 8);
    guest_vmcall_trap(HC_PENDING_DBG, DR6_B0);
    show("pending-dbg B0");
    guest_check(guest_trap_seen() == 0, "pending debug exceptions B0 alone: no #DB");

    guest_trap_record(seen, 8);
    guest_vmcall_trap(HC_PENDING_DBG, DR6_B0 | PDE_ENABLED_BP);
    show("pending-dbg B0 and enabled breakpoint");
    guest_check(
        guest_trap_seen() == 1 && seen[0].vector == 1 && (seen[0].dr6 & DR6_B0) &&
            !(seen[0].dr6 & DR6_BS),
        "pending debug exceptions B0 and enabled breakpoint: one #DB, DR6.B0 set, BS clear");

    guest_trap_record(seen, 8);
    guest_vmcall_trap(HC_DBG_AND_NMI, 0);
    show("pending-dbg BS with an injected NMI");
    guest_check(guest_trap_seen() == 1 && seen[0].vector == 2,
                "an injected NMI: the NMI only, the pending #DB is discarded");

    guest_trap_record(seen, 8);
    guest_tf_cpuid();
    show("TF over CPUID");
    guest_check(guest_trap_seen() == 1 && seen[0].vector == 1 && (seen[0].dr6 & DR6_BS) &&
                    seen[0].rip == (uint64_t)guest_tf_cpuid_after,
                "TF over an emulated CPUID: one #DB with DR6.BS, after the instruction");
    finish("pending-dbg");
}

void guest_mtf_main(void)
{
    idt();
    guest_trap_record(seen, 8);
    guest_mtf_walk(HC_MTF_ON, HC_MTF_OFF);
    show("mtf walk");
    guest_check(guest_trap_seen() == 1 && seen[0].vector == 1,
                "the single-step #DB came after the NOP that follows POPF");
    guest_trap_record(seen, 8);
    uint32_t r = guest_vmcall_trap(HC_MTF_UD, 0);
    guest_check(r == 6 + 1, "#UD injected with MTF on reaches the guest's #UD handler");
    guest_trap_record(seen, 8);
    uint64_t rax = guest_hypercall4(VP_HC_INJECT, 7, 0, 0, 0); /* other event: pending MTF */
    guest_printf("GUEST mtf: VP_HC_INJECT of the other event (pending MTF) returned 0x%lx\n", rax);
    guest_check(guest_trap_seen() == 0, "the pending MTF VM exit is not seen by the guest");
    finish("mtf");
}

void guest_priority_main(void)
{
    idt();
    guest_trap_record(seen, 8);
    uint32_t r = guest_vmcall_trap(HC_UD_AND_NMI, 0);
    show("#UD and NMI");
    guest_check(r == 6 + 1 && guest_trap_seen() == 2 && seen[0].vector == 2 &&
                    seen[0].rip == stub(6) && seen[1].vector == 6,
                "#UD and NMI raised together: #UD delivered first, the NMI at its handler's "
                "first instruction");

    guest_trap_record(seen, 8);
    r = guest_lock_cpuid_safe();
    guest_check(r == 6 + 1, "LOCK CPUID: #UD, before the CPUID VM exit (SDM 26.1.1)");

    guest_trap_record(seen, 8);
    guest_tf_cpuid();
    show("TF over CPUID");
    guest_check(guest_trap_seen() == 1 && seen[0].vector == 1 &&
                    seen[0].rip == (uint64_t)guest_tf_cpuid_after,
                "TF over CPUID: the VM exit first, the single-step #DB after the instruction");
    finish("priority");
}
