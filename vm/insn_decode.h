/*
 * vm/insn_decode.h - decoding one x86 instruction that touches memory (pure): the forms a
 * guest uses for memory-mapped I/O (MOV, MOVZX, MOVSX, MOVSXD, immediate stores, the ALU
 * forms against memory, TEST) and the string instructions (MOVS, STOS, LODS, INS, OUTS), in
 * 16-, 32- and 64-bit code. SDM vol. 2 chapter 2 "Instruction Format" and the instruction
 * pages; appendix A "Opcode Map".
 *
 *     struct insn in;
 *     char msg[120];
 *     int rc = insn_decode(&in, INSN_MODE_64, fetch_at_cs_rip, vcpu, msg, sizeof(msg));
 *     if (rc) -> stop the guest with msg: "insn: opcode 0f 0b is not supported (bytes 0f 0b)"
 *     uint64_t la = insn_mem_linear(&in, &in.mem, gpr, rip, seg_base);
 *     if (in.mem_write && in.op == INSN_OP_MOV)  insn_store_value(&in, gpr, &value) -> device
 *     if (in.op is a load)                       insn_load_complete(&in, gpr, value_read)
 *
 * Registers are numbered in encoding order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 = 0..15);
 * gpr[16] arrays passed to the helpers use that order, which is not struct guest_regs'.
 */
#ifndef VM_INSN_DECODE_H
#define VM_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code's default operand and address size: CS.L / CS.D (SDM 3.4.5, 5.2.1). */
enum insn_mode { INSN_MODE_16 = 16, INSN_MODE_32 = 32, INSN_MODE_64 = 64 };

/* Segments in the SDM's encoding order (also the VM-exit instruction-information field's). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

/* Register numbers: 0-15 general registers, then the legacy high-byte registers (without a
 * REX prefix, byte register encodings 4-7 mean AH CH DH BH; SDM 3.4.1.1), RIP. */
#define INSN_REG_NONE (-1)
#define INSN_REG_RAX  0
#define INSN_REG_RCX  1
#define INSN_REG_RDX  2
#define INSN_REG_RBX  3
#define INSN_REG_RSP  4
#define INSN_REG_RBP  5
#define INSN_REG_RSI  6
#define INSN_REG_RDI  7
#define INSN_REG_AH   16 /* bits 15:8 of RAX; CH, DH, BH follow */
#define INSN_REG_BH   19
#define INSN_REG_RIP  20 /* a RIP-relative base (64-bit mode) */

enum insn_op {
    INSN_OP_MOV,
    INSN_OP_MOVZX,
    INSN_OP_MOVSX, /* also MOVSXD */
    INSN_OP_ADD,   /* ADD..CMP in the order of their opcode rows (SDM vol. 2 A.3) */
    INSN_OP_OR,
    INSN_OP_ADC,
    INSN_OP_SBB,
    INSN_OP_AND,
    INSN_OP_SUB,
    INSN_OP_XOR,
    INSN_OP_CMP,
    INSN_OP_TEST,
    INSN_OP_MOVS,
    INSN_OP_STOS,
    INSN_OP_LODS,
    INSN_OP_INS,
    INSN_OP_OUTS,
};

/* What an operand is. */
enum insn_operand { INSN_OPND_NONE, INSN_OPND_MEM, INSN_OPND_REG, INSN_OPND_IMM, INSN_OPND_PORT };

/* A memory operand: offset = base + index * scale + disp (truncated to the address size),
 * linear = segment base + offset. */
struct insn_mem {
    uint8_t seg;   /* enum insn_seg actually used: the default or the override */
    int8_t base;   /* INSN_REG_NONE, 0-15, or INSN_REG_RIP */
    int8_t index;  /* INSN_REG_NONE or 0-15 */
    uint8_t scale; /* 1, 2, 4 or 8 */
    int64_t disp;  /* sign-extended displacement; for moffs (A0-A3) the whole offset */
};

struct insn {
    uint8_t bytes[15]; /* what was fetched (on an error: up to the byte at fault) */
    uint8_t len;       /* instruction length (on an error: bytes fetched) */
    enum insn_mode mode;
    enum insn_op op;
    enum insn_operand dst, src; /* e.g. MOV store: MEM <- REG; MOV load: REG <- MEM */
    bool mem_read, mem_write;   /* what the instruction does to its memory operand(s) */
    uint8_t op_size;            /* operand size in bytes: the register, immediate, result */
    uint8_t mem_size;           /* bytes accessed in memory (MOVZX/MOVSX: the source's) */
    uint8_t addr_size;          /* 2, 4 or 8 */
    struct insn_mem mem;        /* the memory operand (MOVS: the source, seg:rSI) */
    struct insn_mem mem2;       /* MOVS only: the destination, ES:rDI */
    int8_t reg;                 /* the register operand (INSN_REG_*), or INSN_REG_NONE */
    uint64_t imm;               /* the immediate as used: sign-extended to op_size, zero above it */
    uint8_t imm_size;           /* encoded immediate bytes (0: none) */
    /* the encoding */
    bool lock, rep, repne, opsize_prefix, addrsize_prefix;
    int8_t seg_override; /* enum insn_seg, or -1 */
    uint8_t rex;         /* 0 when absent */
    uint8_t opcode;      /* the opcode byte (after 0F for two-byte opcodes) */
    bool two_byte;       /* 0F xx */
    uint8_t modrm, sib;
    bool has_modrm, has_sib;
};

enum insn_error {
    INSN_OK = 0,
    INSN_ERR_ARG = -1,         /* NULL out or fetch, a bad mode */
    INSN_ERR_FETCH = -2,       /* the fetch callback failed for byte `len` */
    INSN_ERR_TOO_LONG = -3,    /* longer than 15 bytes: the CPU raises #GP(0) */
    INSN_ERR_UNSUPPORTED = -4, /* an instruction this decoder does not know */
    INSN_ERR_NO_MEMORY = -5,   /* a register-only form (ModRM.mod = 3) */
    INSN_ERR_INVALID = -6,     /* an encoding the CPU rejects with #UD (e.g. LOCK MOV) */
};

/* Fetches the byte at offset `offset` from the instruction's first byte; 0 on success. */
typedef int (*insn_fetch_fn)(void *ctx, unsigned offset, uint8_t *byte);

/* Decodes one instruction. Returns INSN_OK or an enum insn_error; msg (may be NULL) names
 * the reason and the bytes, e.g. "insn: opcode 0f 0b is not supported (bytes 0f 0b)". */
int insn_decode(struct insn *out, enum insn_mode mode, insn_fetch_fn fetch, void *ctx, char *msg,
                size_t msg_size);

/* The same from a buffer of n bytes (fewer than the instruction needs: INSN_ERR_FETCH). */
int insn_decode_buf(struct insn *out, enum insn_mode mode, const uint8_t *buf, size_t n, char *msg,
                    size_t msg_size);

/* The memory operand's offset within its segment (the effective address), truncated to the
 * address size. rip is the instruction's own address (RIP-relative adds the length). */
uint64_t insn_mem_offset(const struct insn *in, const struct insn_mem *m, const uint64_t gpr[16],
                         uint64_t rip);

/* Its linear address: seg_base[enum insn_seg] + offset; in 64-bit mode only FS and GS have a
 * base (SDM 3.4.4), elsewhere the sum wraps at 4 GiB. No limit or canonical check. */
uint64_t insn_mem_linear(const struct insn *in, const struct insn_mem *m, const uint64_t gpr[16],
                         uint64_t rip, const uint64_t seg_base[6]);

/* Register file access by INSN_REG_* number and size (1, 2, 4, 8). A 4-byte write
 * zero-extends into 64 bits; 1- and 2-byte writes keep the other bits (SDM 3.4.1.1). */
uint64_t insn_reg_get(const uint64_t gpr[16], int reg, unsigned size);
void insn_reg_set(uint64_t gpr[16], int reg, unsigned size, uint64_t val);

/* The value a store writes to memory (mem_size bytes): MOV from a register or an immediate,
 * STOS. Returns 0, or -1 for an instruction that is not a plain store. */
int insn_store_value(const struct insn *in, const uint64_t gpr[16], uint64_t *val);

/* Completes a load from memory: puts the mem_size bytes read into the destination register
 * with the instruction's extension (MOV, MOVZX, MOVSX, MOVSXD, LODS). Returns 0, or -1 for
 * an instruction that is not a plain load. */
int insn_load_complete(const struct insn *in, uint64_t gpr[16], uint64_t mem_val);

/* The mnemonic ("mov", "movzx", "movsx", "add", ... "outs"). */
const char *insn_op_name(enum insn_op op);

/* One line for a log, e.g. "mov 4 bytes ds:[rdi+rcx*4+0x10] <- ecx", "movzx 1 byte ...";
 * snprintf semantics. */
int insn_format(const struct insn *in, char *buf, size_t n);

#endif
