/*
 * guests/events/cases.c - what the events test guest asks for in each mode, and what its
 * handlers must have seen. [inject] cases ask the hypervisor with VP_HC_INJECT (they run only
 * under Vanderpool); [insn] cases raise the event with an instruction and run bare too, where
 * they must print the same lines.
 *
 * The rules checked (SDM vol. 3): an event pushes an error code only for the exceptions that
 * have one (6.13) and only in protected mode (20.1.4; SDM 27.2.1.3 for an injected one); a
 * fault returns to the faulting instruction, a trap or interrupt to the next one (6.5); a
 * software interrupt or exception injected with instruction length L returns L bytes past the
 * current instruction pointer (27.6.1.1); RF is 1 in the EFLAGS a fault pushes and 0 for
 * traps and interrupts (18.3.1.1; injected faults: 27.6.1.1 leaves RF to the VMM, which sets
 * it, docs/events.md); after an NMI, NMIs stay blocked until the next IRET (6.7.1; 26.7.6 the
 * NMI window); after STI, interrupts stay blocked for one more instruction (6.8.3; 26.7.5 the
 * interrupt window); a fault while delivering a contributory exception is a double fault,
 * #DF(0) (6.15 table 6-5).
 */
#include <string.h>
#include "guests/events/events.h"
#include "guests/lib/test.h"
#include "platform/fmt.h"

#define M_P   (1u << EV_PM32)
#define M_V   (1u << EV_V86)
#define M_R   (1u << EV_REAL)
#define M_L   (1u << EV_LONG)
#define M_PRL (M_P | M_R | M_L)
#define M_ALL (M_P | M_V | M_R | M_L)

#define REFUSED 0xfffffffeu /* VP_HC_EINVAL, ~1, as EAX holds it */

enum ret { R_NEXT, R_AT, R_STI, R_NONE };
enum check { C_ONE, C_REFUSED, C_NMI2, C_DF, C_OTHER };

struct ev_case {
    uint32_t modes;
    const char *what;
    struct ev_req req;
    enum check check;
    int vector;     /* the vector the handler sees */
    bool err;       /* an error code is pushed (in protected mode) */
    uint32_t error; /* its value */
    enum ret ret;
    int rf; /* RF in the pushed EFLAGS: 1, 0 */
};

#define INJ(t, v, e, l, f)                                                                         \
    {                                                                                              \
        EV_OP_INJECT, t, v, e, l, f, 0, 0                                                          \
    }
#define INSN(i, f)                                                                                 \
    {                                                                                              \
        EV_OP_INSN, 0, 0, 0, 0, f, i, 0                                                            \
    }

/* clang-format off */
static const struct ev_case cases[] = {
    /* External interrupts: with IF = 1 at once; with IF = 0 after STI and one more instruction */
    {M_PRL, "[inject] external interrupt 0x40, IF=1", INJ(0, 0x40, 0, 0, EV_F_IF), C_ONE, 0x40,
     false, 0, R_NEXT, 0},
    {M_PRL, "[inject] external interrupt 0x40 asked with IF=0, then STI; NOP",
     INJ(0, 0x40, 0, 0, EV_F_STI), C_ONE, 0x40, false, 0, R_STI, 0},
    {M_V, "[inject] external interrupt 0x40 asked in ring 0, then STI; NOP in v8086",
     INJ(0, 0x40, 0, 0, EV_F_STI), C_ONE, 0x40, false, 0, R_STI, 0},
    /* NMIs: blocked from the first NMI until its handler's IRET */
    {M_PRL, "[inject] NMI", INJ(2, 2, 0, 0, 0), C_ONE, 2, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] 2nd NMI asked in the 1st NMI's handler", INJ(2, 2, 0, 0, EV_F_NMI2), C_NMI2,
     2, false, 0, R_NEXT, 0},
    {M_V, "[inject] 2nd NMI asked in the 1st NMI's handler, which IRETs to v8086",
     INJ(2, 2, 0, 0, EV_F_NMI2 | EV_F_V86ENTER), C_NMI2, 2, false, 0, R_NEXT, 0},
    /* Hardware exceptions */
    {M_PRL, "[inject] #GP(0x1234)", INJ(3, 13, 0x1234, 0, 0), C_ONE, 13, true, 0x1234, R_NEXT, 1},
    {M_PRL, "[inject] #UD", INJ(3, 6, 0, 0, 0), C_ONE, 6, false, 0, R_NEXT, 1},
    {M_PRL, "[inject] #PF(0x2)", INJ(3, 14, 2, 0, 0), C_ONE, 14, true, 2, R_NEXT, 1},
    {M_PRL, "[inject] #DB", INJ(3, 1, 0, 0, 0), C_ONE, 1, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] #BP as a hardware exception", INJ(3, 3, 0, 0, 0), C_ONE, 3, false, 0,
     R_NEXT, 0},
    {M_PRL, "[inject] #DF(0)", INJ(3, 8, 0, 0, 0), C_ONE, 8, true, 0, R_NEXT, 0},
    {M_R, "[inject] #GP(0x12345), accepted: real mode delivers no error code",
     INJ(3, 13, 0x12345, 0, 0), C_ONE, 13, false, 0, R_NEXT, 1},
    {M_P | M_L, "[inject] #GP(0x1234), IDT of vectors 0-8: its delivery faults: #DF(0)",
     INJ(3, 13, 0x1234, 0, EV_F_SMALL_IDT), C_DF, 8, true, 0, R_NONE, 0},
    /* Software interrupts and exceptions: the return address moves by the instruction length */
    {M_PRL, "[inject] INT 0x41 (software interrupt), length 2", INJ(4, 0x41, 0, 2, 0), C_ONE,
     0x41, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] INT 0x41 (software interrupt), length 15", INJ(4, 0x41, 0, 15, 0), C_ONE,
     0x41, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] INT 13 (software interrupt, not #GP), length 2", INJ(4, 13, 0, 2, 0), C_ONE,
     13, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] INT1 (privileged software exception), length 1", INJ(5, 1, 0, 1, 0), C_ONE,
     1, false, 0, R_NEXT, 0},
    {M_PRL, "[inject] INT3 (software exception), length 1", INJ(6, 3, 0, 1, 0), C_ONE, 3, false, 0,
     R_NEXT, 0},
    {M_P | M_R, "[inject] INTO (software exception), length 1", INJ(6, 4, 0, 1, 0), C_ONE, 4,
     false, 0, R_NEXT, 0},
    {M_P, "[inject] other event (a pending MTF VM exit)", INJ(7, 0, 0, 0, 0), C_OTHER, -1, false,
     0, R_NONE, 0},
    /* Requests VM entry would refuse (SDM 27.2.1.3): ~1, nothing delivered */
    {M_P, "[inject] refused: type 1", INJ(1, 0x40, 0, 0, 0), C_REFUSED, -1, false, 0, R_NONE, 0},
    {M_P, "[inject] refused: NMI, vector 5", INJ(2, 5, 0, 0, 0), C_REFUSED, -1, false, 0, R_NONE,
     0},
    {M_P, "[inject] refused: hardware exception, vector 32", INJ(3, 32, 0, 0, 0), C_REFUSED, -1,
     false, 0, R_NONE, 0},
    {M_P, "[inject] refused: hardware exception, vector 2", INJ(3, 2, 0, 0, 0), C_REFUSED, -1,
     false, 0, R_NONE, 0},
    {M_P | M_L, "[inject] refused: #GP(0x12345), error code bits 31:16 set",
     INJ(3, 13, 0x12345, 0, 0), C_REFUSED, -1, false, 0, R_NONE, 0},
    {M_P, "[inject] refused: external interrupt 15", INJ(0, 15, 0, 0, 0), C_REFUSED, -1, false, 0,
     R_NONE, 0},
    {M_P, "[inject] refused: software interrupt, length 0", INJ(4, 0x41, 0, 0, 0), C_REFUSED, -1,
     false, 0, R_NONE, 0},
    {M_P, "[inject] refused: software interrupt, length 16", INJ(4, 0x41, 0, 16, 0), C_REFUSED,
     -1, false, 0, R_NONE, 0},
    {M_P, "[inject] refused: privileged software exception, vector 3", INJ(5, 3, 0, 1, 0),
     C_REFUSED, -1, false, 0, R_NONE, 0},
    {M_P, "[inject] refused: software exception, vector 5", INJ(6, 5, 0, 1, 0), C_REFUSED, -1,
     false, 0, R_NONE, 0},
    {M_P, "[inject] refused: type 8", INJ(8, 0, 0, 0, 0), C_REFUSED, -1, false, 0, R_NONE, 0},
    /* The same events raised by instructions, bare and under the hypervisor alike */
    {M_ALL, "[insn] INT 0x41", INSN(EV_I_INT41, 0), C_ONE, 0x41, false, 0, R_NEXT, 0},
    {M_ALL, "[insn] INT3", INSN(EV_I_INT3, 0), C_ONE, 3, false, 0, R_NEXT, 0},
    {M_P | M_V | M_R, "[insn] INTO, OF=1", INSN(EV_I_INTO, 0), C_ONE, 4, false, 0, R_NEXT, 0},
    {M_ALL, "[insn] INT1 (ICEBP)", INSN(EV_I_INT1, 0), C_ONE, 1, false, 0, R_NEXT, 0},
    {M_ALL, "[insn] UD2: #UD", INSN(EV_I_UD2, 0), C_ONE, 6, false, 0, R_AT, 1},
    {M_ALL, "[insn] DIV by 0: #DE", INSN(EV_I_DIV0, 0), C_ONE, 0, false, 0, R_AT, 1},
    {M_P | M_L, "[insn] MOV DS, 0x1230 (beyond the GDT): #GP(0x1230)", INSN(EV_I_BADSEL, 0),
     C_ONE, 13, true, 0x1230, R_AT, 1},
    {M_P | M_L, "[insn] MOV DS, 0x1230, IDT of vectors 0-8: #GP's delivery faults: #DF(0)",
     INSN(EV_I_BADSEL, EV_F_SMALL_IDT), C_DF, 8, true, 0, R_NONE, 0},
    {M_V, "[insn] INT 0x42 at CPL 3, gate DPL 0: #GP(0x212)", INSN(EV_I_INT42, 0), C_ONE, 13,
     true, 0x42 * 8 + 2, R_AT, 1},
    {M_V, "[insn] HLT at CPL 3: #GP(0)", INSN(EV_I_HLT, 0), C_ONE, 13, true, 0, R_AT, 1},
    {M_V, "[insn] VMCALL at CPL 3: #UD", INSN(EV_I_VMCALL, 0), C_ONE, 6, false, 0, R_AT, 1},
};
/* clang-format on */

static const char *const mode_names[EV_MODES] = {"pm32", "v86", "real", "long"};
static const uint32_t mode_cs[EV_MODES] = {EV_SEL_CODE32, 0, 0, EV_SEL_CODE64};
static const unsigned mode_unit[EV_MODES] = {4, 4, 2, 8}; /* bytes per pushed item */

static uint64_t word(const struct ev_hit *h, enum ev_mode m, unsigned i)
{
    uint64_t v = 0;
    memcpy(&v, h->frame + i * mode_unit[m], mode_unit[m]);
    return v;
}

/* The frame of one handler against the case's expectations; a description of the first
 * difference into why, or "" when there is none. */
static void check_hit(const struct ev_case *c, enum ev_mode m, const struct ev_hit *h,
                      uint32_t want_ip, char *why, size_t n)
{
    unsigned u = mode_unit[m];
    bool err = c->err && m != EV_REAL; /* real mode: never an error code (SDM 20.1.4) */
    uint32_t noerr = m == EV_V86 ? 36 : m == EV_LONG ? 40 : 3 * u;
    unsigned e = err ? 1 : 0;
    uint64_t flags = word(h, m, e + 2);
    why[0] = 0;
    if ((int)h->vector != c->vector)
        fmt_snprintf(why, n, "vector %u, expected %d", (unsigned)h->vector, c->vector);
    else if (h->frame_size != noerr + (err ? u : 0))
        fmt_snprintf(why, n, "a frame of %u bytes, expected %u (%s error code)",
                     (unsigned)h->frame_size, (unsigned)(noerr + (err ? u : 0)),
                     err ? "with an" : "without");
    else if (err && word(h, m, 0) != c->error)
        fmt_snprintf(why, n, "error code 0x%x, expected 0x%x", (unsigned)word(h, m, 0),
                     (unsigned)c->error);
    else if (want_ip && word(h, m, e) != want_ip)
        fmt_snprintf(why, n, "return address 0x%x, expected 0x%x", (unsigned)word(h, m, e),
                     (unsigned)want_ip);
    else if (word(h, m, e + 1) != mode_cs[m])
        fmt_snprintf(why, n, "CS 0x%x, expected 0x%x", (unsigned)word(h, m, e + 1),
                     (unsigned)mode_cs[m]);
    else if (m != EV_REAL && c->ret != R_NONE && ((flags >> 16) & 1) != (uint64_t)c->rf)
        fmt_snprintf(why, n, "RF=%u in the pushed EFLAGS 0x%x, expected %d",
                     (unsigned)((flags >> 16) & 1), (unsigned)flags, c->rf);
    else if (m == EV_V86 && !((flags >> 17) & 1))
        fmt_snprintf(why, n, "VM=0 in the pushed EFLAGS 0x%x", (unsigned)flags);
}

/* What the line says the handler saw, on success. */
static void describe(const struct ev_case *c, enum ev_mode m, char *buf, size_t n)
{
    static const char *const ip[EV_MODES] = {"EIP", "IP", "IP", "RIP"};
    bool err = c->err && m != EV_REAL;
    bool inject = c->req.op == EV_OP_INJECT;
    char where[48] = "", rf[8] = "", errs[32] = "no error code";
    if (c->check == C_NMI2) {
        fmt_snprintf(buf, n, "the 2nd comes after the 1st one's IRET%s",
                     m == EV_V86 ? ", in v8086 mode" : ", to the same return address");
        return;
    }
    if (c->ret == R_NEXT && inject && c->req.type >= 4 && c->req.type <= 6)
        fmt_snprintf(where, sizeof(where), ", %s after the VMCALL + %u", ip[m],
                     (unsigned)c->req.len);
    else if (c->ret == R_NEXT)
        fmt_snprintf(where, sizeof(where), ", %s after the %s", ip[m],
                     inject ? "VMCALL" : "instruction");
    else if (c->ret == R_AT)
        fmt_snprintf(where, sizeof(where), ", %s at the instruction", ip[m]);
    else if (c->ret == R_STI)
        fmt_snprintf(where, sizeof(where), ", none before, %s after the NOP", ip[m]);
    if (m != EV_REAL && c->ret != R_NONE)
        fmt_snprintf(rf, sizeof(rf), ", RF=%d", c->rf);
    if (err)
        fmt_snprintf(errs, sizeof(errs), "error code 0x%x", (unsigned)c->error);
    fmt_snprintf(buf, n, "vector 0x%x, %s%s%s", (unsigned)c->vector, errs, where, rf);
}

static uint32_t want_ip(const struct ev_case *c, const struct ev_slot *s)
{
    switch (c->ret) {
    case R_NEXT:
        return s->next +
               (c->req.op == EV_OP_INJECT && c->req.type >= 4 && c->req.type <= 6 ? c->req.len : 0);
    case R_AT:
        return s->at;
    case R_STI:
        return s->sti_next;
    default:
        return 0;
    }
}

static void check_case(const struct ev_case *c, enum ev_mode m, const struct ev_slot *s)
{
    char why[120] = "", desc[120];
    const char *mode = mode_names[m];
    switch (c->check) {
    case C_REFUSED:
        test_checkf(s->rax == REFUSED && s->count == 0, "%s %s: ~1, nothing delivered%s", mode,
                    c->what, s->rax == REFUSED && s->count == 0 ? "" : " (NOT SO)");
        return;
    case C_OTHER: /* accepted with MTF (a VM exit the guest does not see), refused without */
        test_checkf(s->count == 0 && (s->rax == 0 || s->rax == REFUSED),
                    "%s %s: nothing reaches the guest", mode, c->what);
        test_note("%s: the other event was %s", mode,
                  s->rax == 0 ? "accepted (the CPU has MTF)" : "refused (no MTF on this CPU)");
        return;
    default:
        break;
    }
    if (c->req.op == EV_OP_INJECT && s->rax != 0)
        fmt_snprintf(why, sizeof(why), "VP_HC_INJECT returned 0x%x", (unsigned)s->rax);
    else if (c->check == C_NMI2 && s->count != 2)
        fmt_snprintf(why, sizeof(why), "%u NMIs delivered, expected 2", (unsigned)s->count);
    else if (c->check != C_NMI2 && s->count != 1)
        fmt_snprintf(why, sizeof(why), "%u events delivered, expected 1", (unsigned)s->count);
    else if (c->ret == R_STI && s->pre_sti != 0)
        fmt_snprintf(why, sizeof(why), "the interrupt came before STI");
    else if (s->hit[0].depth != 0)
        fmt_snprintf(why, sizeof(why), "delivered inside another handler");
    else if (c->check == C_DF) {
        check_hit(c, m, &s->hit[0], 0, why, sizeof(why));
    } else if (c->check == C_NMI2) {
        const struct ev_hit *h0 = &s->hit[0], *h1 = &s->hit[1];
        if (h0->aux != 0)
            fmt_snprintf(why, sizeof(why), "the second request returned 0x%x", (unsigned)h0->aux);
        else if (h1->depth != 0)
            fmt_snprintf(why, sizeof(why), "the second NMI came inside the first one's handler");
        else if (m == EV_V86) { /* the first in ring 0 after the VMCALL, the second in v8086 */
            check_hit(c, EV_PM32, h0, s->at + 3, why, sizeof(why));
            if (!why[0])
                check_hit(c, m, h1, s->next, why, sizeof(why));
        } else {
            check_hit(c, m, h0, s->next, why, sizeof(why));
            if (!why[0])
                check_hit(c, m, h1, s->next, why, sizeof(why));
        }
    } else {
        check_hit(c, m, &s->hit[0], want_ip(c, s), why, sizeof(why));
    }
    describe(c, m, desc, sizeof(desc));
    if (why[0])
        test_checkf(false, "%s %s: %s", mode, c->what, why);
    else
        test_checkf(true, "%s %s: %s", mode, c->what, desc);
}

void ev_run_mode(enum ev_mode m, bool hypervisor)
{
    const struct ev_case *run[EV_MAX_REQS];
    unsigned n = 0;
    memset(ev_reqs, 0, sizeof(ev_reqs));
    memset(ev_slots, 0, sizeof(ev_slots));
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]) && n < EV_MAX_REQS - 1; i++) {
        if (!(cases[i].modes & (1u << m)) || (cases[i].req.op == EV_OP_INJECT && !hypervisor))
            continue;
        run[n] = &cases[i];
        ev_reqs[n++] = cases[i].req;
    }
    ev_reqs[n].op = EV_OP_END;
    ev_idt_select(m);
    ev_vars.depth = 0;
    static void (*const drivers[EV_MODES])(void) = {ev_run_pm32, ev_run_v86, ev_run_real,
                                                    ev_run_long};
    test_note("%s: %u requests", mode_names[m], n);
    drivers[m]();
    ev_idt_select(EV_PM32);
    for (unsigned i = 0; i < n; i++)
        check_case(run[i], m, &ev_slots[i]);
}

/* A #GP asked for with an IDT of vectors 0-7: #GP, #GP while delivering it, #DF, a fault while
 * delivering #DF: the guest shuts down (SDM 6.15), and the hypervisor stops it (status -2). */
void ev_triple_fault(void)
{
    static const struct ev_req tf = INJ(3, 13, 0, 0, EV_F_TINY_IDT);
    memset(ev_reqs, 0, sizeof(ev_reqs));
    memset(ev_slots, 0, sizeof(ev_slots));
    ev_reqs[0] = tf;
    ev_idt_select(EV_PM32);
    test_note("now a triple fault: #GP injected with an IDT of vectors 0-7");
    ev_run_pm32();
    test_checkf(false, "the guest survived the triple fault (%u handlers ran)",
                (unsigned)ev_slots[0].count);
    test_finish();
}
