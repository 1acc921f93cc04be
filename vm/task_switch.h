/*
 * vm/task_switch.h - a hardware task switch (pure), as the CPU would make it and as VMX
 * non-root operation never does: every attempt exits (reason 9, SDM 26.4.2) after the CPU has
 * checked the gate, the selector and the new TSS descriptor, and the hypervisor finishes the
 * switch. SDM vol. 3 chapter 8 "Task Management" (7 in older editions): 8.2 the TSS and its
 * descriptor, 8.3 the task-switch steps and table 8-1 (the checks and their faults), 8.4 the
 * back-link, NT and the busy flag, 8.6 16-bit TSSs.
 *
 *     struct ts_state st = the guest's registers, segments (VMCS access-rights format),
 *                          GDTR, CR0, CR3, DR7, with st.eip the EIP the old task saves;
 *     struct ts_request rq = { .source = TS_CALL, .selector = qualification & 0xffff };
 *     struct ts_result r;
 *     switch (ts_switch(&rq, &st, &paging, &mem, &r, msg, sizeof(msg))) {
 *     case TS_OK:        write st back (CR3 changed when r.cr3_loaded); r.debug_trap: #DB
 *     case TS_FAULT:     r.committed ? write st back : leave the guest as it was; then
 *                        inject r.vector (error code r.error when r.has_error; CR2 = r.cr2)
 *     case TS_MEM_ERROR: the TSS or a descriptor is not in the guest's RAM (msg)
 *     }
 *
 * Guest memory (the GDT, LDT and both TSSs) is reached by linear address through the guest's
 * paging (vm/guest_walk.h) as implicit supervisor accesses. Only 32-bit protected mode and
 * virtual-8086 tasks exist here: IA-32e mode has no task switching (the CPU raises #GP before
 * any exit, SDM 26.4.2).
 */
#ifndef VM_TASK_SWITCH_H
#define VM_TASK_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/guest_walk.h"

/* The source of the task switch: exit qualification bits 31:30 (SDM 28.2.1, table 28-2). */
enum ts_source { TS_CALL = 0, TS_IRET = 1, TS_JMP = 2, TS_GATE = 3 /* task gate in the IDT */ };

/* Segment registers in encoding order (the VMCS's too, SDM B.1.2). */
enum ts_seg_index { TS_ES, TS_CS, TS_SS, TS_DS, TS_FS, TS_GS };

/* A segment register: selector and hidden part, access rights as the VMCS holds them
 * (SDM 25.4.1, table 25-2: type, S, DPL, P, AVL, L, D/B, G, bit 16 unusable). */
struct ts_seg {
    uint16_t sel;
    uint32_t base, limit, ar;
};

/* The guest state a task switch reads and writes. */
struct ts_state {
    uint32_t gpr[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI (encoding order) */
    uint32_t eip;    /* in: the EIP the old task saves (the next instruction for CALL, JMP,
                        IRET and INT n; the interrupted one for other events) */
    uint32_t eflags;
    struct ts_seg seg[6]; /* ES CS SS DS FS GS */
    struct ts_seg ldtr, tr;
    uint32_t gdt_base, gdt_limit;
    uint32_t cr0, cr3;
    uint32_t dr7;
};

struct ts_request {
    enum ts_source source;
    uint16_t selector; /* the new TSS's selector (qualification bits 15:0) */
    bool ext;          /* an external event (interrupt, NMI, hardware exception) through a task
                          gate: faults of the switch set EXT in their error code (SDM 6.13) */
    bool has_error;    /* an exception with an error code through a task gate: it is pushed on
                          the new task's stack (SDM 6.13, 8.3 step 14 note) */
    uint32_t error;
};

enum ts_status {
    TS_OK = 0,
    TS_FAULT = -1,     /* the switch raises an exception (r.vector, r.error) */
    TS_MEM_ERROR = -2, /* a guest-physical address the callbacks refused (not a guest fault) */
    TS_ERR_ARG = -3,   /* bad parameters (NULL, IA-32e mode) */
};

struct ts_result {
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint32_t cr2;      /* a #PF: the faulting linear address */
    bool committed;    /* the fault came after the commit point: the new task is current and
                          the exception is delivered in its context (SDM 8.3 step 12) */
    bool cr3_loaded;   /* CR3 was loaded from the new TSS (32-bit TSS with paging) */
    bool debug_trap;   /* the new TSS's T flag: a #DB trap before its first instruction, with
                          DR6.BT (SDM 8.2.1, 17.2.3) */
    uint64_t pdpte[4]; /* cr3_loaded under PAE paging: the PDPTE registers it loaded (4.4.1) */
    uint64_t mem_gpa;  /* TS_MEM_ERROR */
};

/* TSS descriptor types (SDM 3.5, table 3-2) and offsets inside the TSSs (SDM 8.2.1 figure 8-2,
 * 8.6 figure 8-11). */
#define TS_TYPE_TSS16_AVAIL 0x1
#define TS_TYPE_TSS16_BUSY  0x3
#define TS_TYPE_TSS32_AVAIL 0x9
#define TS_TYPE_TSS32_BUSY  0xb
#define TS_TYPE_BUSY_BIT    0x2
#define TS_TSS32_MIN_LIMIT  0x67 /* SDM 8.2.2: a 32-bit TSS needs limit >= 67H */
#define TS_TSS16_MIN_LIMIT  0x2b /* SDM 8.6: a 16-bit TSS is 44 bytes */

/* DR6.BT: the debug exception is the task-switch trap (SDM 17.2.3). */
#define TS_DR6_BT (1u << 15)

/* Make the task switch. st is updated only as the CPU would: not at all on a fault before the
 * commit point, partly on one after it, fully on success. paging holds the guest's CR0/CR4/EFER
 * state; its CR3 is taken from st. Returns an enum ts_status; msg names what failed. */
int ts_switch(const struct ts_request *rq, struct ts_state *st, const struct gw_state *paging,
              const struct gw_mem *mem, struct ts_result *r, char *msg, size_t msg_len);

/* "CALL", "IRET", "JMP", "task gate" (table 28-2); "?" for anything else. */
const char *ts_source_name(enum ts_source s);

#endif
