/*
 * vm/string_io.h - emulation of INS/OUTS (with or without REP) after an I/O-instruction
 * VM exit (pure). One call runs at most `budget` iterations, so a huge RCX is done in bounded
 * chunks and the guest can take interrupts in between: on SIO_MORE the caller re-enters the
 * guest at the same RIP with the updated RSI/RDI/RCX, which re-executes the REP instruction
 * from where it stopped (SDM vol. 2 "REP/REPE/REPZ/REPNE/REPNZ": a REP string instruction
 * may be interrupted between iterations and resumes from the register state).
 *
 *     struct sio_input in = { .qualification = vmcs_read(VM_EXIT_QUALIFICATION),
 *         .info_valid = basic & (1ULL << 54), .info = vmcs_read(VMX_INSTRUCTION_INFO),
 *         .mode = sio_guest_mode(cr0, rflags, efer, cs_ar), .seg = { ES..GS from the VMCS },
 *         .paging = &gw, .mem = &guest_ram, .port = io, .port_ctx = vm, .budget = 64 };
 *     struct sio_regs r = { rsi, rdi, rcx, rflags };
 *     switch (sio_step(&in, &r, &res, msg, sizeof(msg))) {
 *     case SIO_DONE:  write back r; skip the instruction
 *     case SIO_MORE:  write back r; resume at the same RIP
 *     case SIO_FAULT: write back r; inject res.fault (CR2 for #PF); RIP unchanged
 *     default:        stop the guest with msg (not a guest fault)
 *     }
 */
#ifndef VM_STRING_IO_H
#define VM_STRING_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/x86.h"
#include "vm/guest_walk.h"
#include "vm/insn_decode.h"

/* The guest's execution mode, for segmentation and the default sizes. */
enum sio_mode {
    SIO_MODE_REAL,   /* CR0.PE = 0 */
    SIO_MODE_V8086,  /* RFLAGS.VM = 1 */
    SIO_MODE_PROT16, /* protected or compatibility mode, CS.D = 0 */
    SIO_MODE_PROT32, /* protected or compatibility mode, CS.D = 1 */
    SIO_MODE_LONG64, /* IA-32e mode with CS.L = 1 */
};

/* Picks the mode from CR0.PE, RFLAGS.VM, IA32_EFER.LMA and the CS access rights (L bit 13,
 * D/B bit 14 in the VMCS format, SDM 25.4.1). */
enum sio_mode sio_guest_mode(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar);

/* A segment register as the VMCS holds it (SDM 25.4.1, table "Format of Access Rights";
 * the AR_* bits of platform/x86.h). */
struct sio_segment {
    uint64_t base;
    uint32_t limit; /* in bytes (the VMCS limit field is already scaled by G) */
    uint32_t ar;
};

/* The registers the instruction uses and updates. */
struct sio_regs {
    uint64_t rsi, rdi, rcx, rflags;
};

/* Port access: size 1, 2 or 4; *val in the low bits. 0 on success; anything else stops the
 * emulation with SIO_ERR_PORT (e.g. the device asked for the VM to end). */
typedef int (*sio_port_fn)(void *ctx, uint16_t port, unsigned size, bool in, uint32_t *val);

struct sio_input {
    uint64_t qualification; /* exit qualification for I/O instructions (SDM 28.2.1) */
    bool info_valid;        /* IA32_VMX_BASIC[54]: the instruction-information field is
                               valid for INS/OUTS (SDM A.1) */
    uint32_t info;          /* VM-exit instruction-information field (SDM 28.2.5) */
    insn_fetch_fn fetch;    /* without info_valid: fetches the instruction at CS:RIP so the
                               prefixes (address size, segment) can be decoded */
    void *fetch_ctx;
    enum sio_mode mode;
    struct sio_segment seg[6];     /* ES CS SS DS FS GS (enum insn_seg) */
    const struct gw_state *paging; /* CPL and paging state; AC is taken from regs->rflags */
    const struct gw_mem *mem;      /* guest RAM (read_pte, write_pte, read, write) */
    sio_port_fn port;
    void *port_ctx;
    unsigned budget; /* most iterations in this call, >= 1 */
};

enum sio_status {
    SIO_DONE = 0,      /* finished: advance RIP */
    SIO_MORE = 1,      /* budget used up, count left: resume at the same RIP */
    SIO_FAULT = 2,     /* inject res->fault; RIP unchanged, registers show the progress */
    SIO_ERR_MEM = -1,  /* guest-physical res->mem_gpa is not RAM (e.g. INS into MMIO) */
    SIO_ERR_PORT = -2, /* the port callback refused */
    SIO_ERR_INSN = -3, /* the instruction could not be decoded or does not match the exit */
    SIO_ERR_ARG = -4,  /* a bad input (not a string I/O exit, bad size, budget 0...) */
};

/* Faults reported (vector in sio_result): X86_EXC_GP and X86_EXC_SS with error code 0,
 * X86_EXC_PF with the walker's error code and CR2, X86_EXC_AC with 0. Never #UD. */

struct sio_result {
    unsigned iterations; /* elements transferred by this call */
    /* the instruction as understood */
    bool in, rep;
    uint16_t port;
    uint8_t size, addr_size, seg;
    /* SIO_FAULT */
    uint8_t vector;
    uint32_t error_code;
    uint64_t cr2;     /* #PF only */
    uint64_t mem_gpa; /* SIO_ERR_MEM */
};

/* Runs up to in->budget iterations; updates regs (RSI or RDI, and RCX with REP) after each
 * completed one. Returns an enum sio_status; msg (may be NULL) explains faults and errors,
 * e.g. "#GP(0): ES limit 0xffff exceeded by offset 0xffff size 2". */
int sio_step(const struct sio_input *in, struct sio_regs *regs, struct sio_result *res, char *msg,
             size_t msg_size);

#endif
