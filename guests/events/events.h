/*
 * guests/events/events.h - the events test guest: what the C part (main.c, cases.c, check.c)
 * and the assembly drivers of each mode (pm32.S, low16.S, long64.S) share.
 *
 * The C part fills a list of requests; the driver of a mode runs them one by one, each either
 * a VP_HC_INJECT hypercall (docs/hypercalls.md) followed by 15 NOPs (the room a software
 * interrupt's instruction length moves the return address into), or one instruction that
 * raises the event natively. Every interrupt or exception handler records what it found on
 * its stack into the request's slot: the vector, the size of the frame the CPU pushed (which
 * tells whether an error code is on it), the frame itself, and how many handlers were active.
 * The C part then checks the records. Requests, slots and the driver's variables live in low
 * memory at fixed addresses (the real-mode and virtual-8086 code reach them with segment 0).
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

/* Low memory: the 16-bit blob (low16.S) is copied to EV_LOW_BASE; stacks below it. */
#define EV_LOW_BASE 0x8000
#define EV_LOW_MAX  0x6000 /* bytes the blob may take: up to 0xe000 */
#define EV_REAL_SP  0x6800 /* real-mode stack top (SS = 0) */
#define EV_V86_SP   0x7000 /* virtual-8086 stack top (SS = 0) */
#define EV_RING0_SP 0x7800 /* TSS.ESP0: where a v8086 event's frame is pushed */
#define EV_MAX_REQS 48

/* Selectors of the guest's GDT (desc.c). */
#define EV_SEL_CODE32 0x08
#define EV_SEL_DATA32 0x10
#define EV_SEL_CODE16 0x18
#define EV_SEL_DATA16 0x20
#define EV_SEL_CODE64 0x28
#define EV_SEL_TSS    0x30

/* Request operations. */
#define EV_OP_END    0
#define EV_OP_INJECT 1 /* VMCALL VP_HC_INJECT: EBX type, ECX vector, EDX error, ESI length */
#define EV_OP_INSN   2 /* one instruction that raises the event (insn, below) */

/* Request flags. */
#define EV_F_IF        0x01 /* STI right before the VMCALL: RFLAGS.IF = 1 at the request */
#define EV_F_STI       0x02 /* IF = 0 at the request; some instructions later STI; NOP */
#define EV_F_NMI2      0x04 /* the first NMI handler asks for another NMI before its IRET */
#define EV_F_SMALL_IDT 0x08 /* the IDT covers vectors 0-8 only while the event is delivered */
#define EV_F_TINY_IDT  0x10 /* the IDT covers vectors 0-7 only: no #DF handler either */
#define EV_F_V86ENTER  0x20 /* with EV_F_NMI2: the first NMI's handler IRETs to v8086 mode */

/* Native instructions (EV_OP_INSN); each mode's driver has those that exist in it. */
#define EV_I_INT41  1  /* INT 0x41 */
#define EV_I_INT3   2  /* INT3 (0xcc) */
#define EV_I_INTO   3  /* INTO with OF = 1 */
#define EV_I_INT1   4  /* INT1 / ICEBP (0xf1) */
#define EV_I_UD2    5  /* UD2 */
#define EV_I_BADSEL 6  /* MOV to DS of selector 0x1230, beyond the GDT limit: #GP(0x1230) */
#define EV_I_DIV0   7  /* DIV by 0 */
#define EV_I_INT42  8  /* INT 0x42, whose gate has DPL 0 */
#define EV_I_HLT    9  /* HLT */
#define EV_I_VMCALL 10 /* VMCALL VP_HC_INJECT (in v8086 mode: at CPL 3) */
#define EV_I_COUNT  11

/* struct ev_req (32 bytes) */
#define REQ_OP     0
#define REQ_TYPE   4
#define REQ_VECTOR 8
#define REQ_ERROR  12
#define REQ_LEN    16
#define REQ_FLAGS  20
#define REQ_INSN   24
#define REQ_SIZE   32

/* struct ev_hit (64 bytes) */
#define HIT_VECTOR      0
#define HIT_FSIZE       4
#define HIT_DEPTH       8
#define HIT_AUX         12
#define HIT_FRAME       16
#define HIT_FRAME_BYTES 48
#define HIT_SIZE        64

/* struct ev_slot (160 bytes) */
#define SLOT_COUNT    0
#define SLOT_RAX      4
#define SLOT_PRE_STI  8
#define SLOT_AT       12
#define SLOT_NEXT     16
#define SLOT_STI_NEXT 20
#define SLOT_HITS     32
#define SLOT_SIZE     160

/* The drivers' variables (struct ev_vars, at ev_vars in the blob). */
#define VAR_SLOT       0  /* address of the current slot */
#define VAR_REQ        4  /* address of the current request */
#define VAR_FRAME_TOP  8  /* the stack pointer the CPU pushes the next frame below */
#define VAR_NOERR_SIZE 12 /* the size of that frame without an error code */
#define VAR_RESUME     16 /* non-zero: the handler returns there (after a fault) */
#define VAR_DEPTH      20 /* handlers active */
#define VAR_HAS_ERR    24 /* the handler found an error code (scratch) */
#define VAR_SAVED_SP   28 /* the driver's stack, for the way back */
#define VAR_IDT_FULL   32 /* the mode's IDT pointer (limit, base: 6 or 10 bytes) */
#define VAR_IDT_SMALL  48 /* the same IDT limited to vectors 0-8 */
#define VAR_IDT_TINY   64 /* vectors 0-7 */
#define VAR_SAVED_IDT  80 /* the 32-bit IDT pointer while another mode runs */
#define VAR_SIZE       96

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

struct ev_req {
    uint32_t op, type, vector, error, len, flags, insn, pad;
};

struct ev_hit {
    uint32_t vector;
    uint32_t frame_size; /* the frame the CPU pushed, in bytes (an error code included) */
    uint32_t depth;      /* handlers that were active when this one began */
    uint32_t aux;        /* #DB: DR6; the first of two NMIs: the nested request's result */
    uint8_t frame[HIT_FRAME_BYTES];
};

struct ev_slot {
    uint32_t count;    /* handlers run for the request */
    uint32_t rax;      /* the VMCALL's result */
    uint32_t pre_sti;  /* EV_F_STI: handlers run before the STI */
    uint32_t at;       /* the address of the VMCALL or of the instruction */
    uint32_t next;     /* the address after it */
    uint32_t sti_next; /* EV_F_STI: the address after the instruction that follows STI */
    uint32_t pad[2];
    struct ev_hit hit[2];
};

struct ev_vars {
    uint32_t slot, req, frame_top, noerr_size, resume, depth, has_err, saved_sp;
    uint8_t idt_full[16], idt_small[16], idt_tiny[16], saved_idt[16];
};

_Static_assert(sizeof(struct ev_req) == REQ_SIZE, "struct ev_req");
_Static_assert(sizeof(struct ev_hit) == HIT_SIZE, "struct ev_hit");
_Static_assert(sizeof(struct ev_slot) == SLOT_SIZE, "struct ev_slot");
_Static_assert(__builtin_offsetof(struct ev_slot, hit) == SLOT_HITS, "struct ev_slot");
_Static_assert(sizeof(struct ev_vars) == VAR_SIZE, "struct ev_vars");

enum ev_mode { EV_PM32, EV_V86, EV_REAL, EV_LONG, EV_MODES };

/* In the blob (low16.S), valid once it is copied to EV_LOW_BASE (ev_low_install). */
extern struct ev_req ev_reqs[EV_MAX_REQS];
extern struct ev_slot ev_slots[EV_MAX_REQS];
extern struct ev_vars ev_vars;
extern uint16_t ev_ivt[512];
void ev_low_install(void);

/* The drivers: run ev_reqs up to EV_OP_END in the mode. */
void ev_run_pm32(void);
void ev_run_v86(void);  /* pm32.S, with the v8086 code of low16.S */
void ev_run_real(void); /* low16.S */
void ev_run_long(void); /* long64.S */

/* desc.c: the GDT, TSS and the three interrupt tables (IDT32, IDT64, real-mode IVT). */
void ev_desc_init(void);
void ev_idt_select(enum ev_mode m); /* the IDT pointers of ev_vars for mode m */

/* cases.c: the requests of a mode and their checks. */
struct ev_case;
void ev_run_mode(enum ev_mode m, bool hypervisor);
void ev_triple_fault(void) __attribute__((noreturn));

#endif
#endif
