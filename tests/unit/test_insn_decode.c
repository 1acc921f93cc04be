/* tests/unit/test_insn_decode.c - the instruction decoder (vm/insn_decode) and its operand
 * helpers. The byte sequences are what gcc 12 -O2 emits for Linux-style readb..writeq and
 * volatile accesses (x86-64 and -m32), and what GNU as assembles for the other forms; each
 * row was checked against objdump's disassembly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/insn_decode.h"

#define M16  INSN_MODE_16
#define M32  INSN_MODE_32
#define M64  INSN_MODE_64
#define NONE INSN_REG_NONE
#define RIP  INSN_REG_RIP
#define ES   INSN_SEG_ES
#define SS   INSN_SEG_SS
#define DS   INSN_SEG_DS
#define FS   INSN_SEG_FS
#define GS   INSN_SEG_GS
#define MEM  INSN_OPND_MEM
#define REG  INSN_OPND_REG
#define IMM  INSN_OPND_IMM
#define PORT INSN_OPND_PORT
#define AH   INSN_REG_AH
#define DH   (INSN_REG_AH + 2)

struct row {
    enum insn_mode mode;
    const char *hex;
    enum insn_op op;
    enum insn_operand dst, src;
    bool rd, wr;
    uint8_t op_size, mem_size, addr_size;
    uint8_t seg;
    int8_t base, index;
    uint8_t scale;
    int64_t disp;
    int8_t reg;
    uint64_t imm;
    const char *text;
};

/* clang-format off */
static const struct row rows[] = {
    /* x86-64, Linux readq/writeq/readb/readw/readl/writeb/writew/writel at -O2 */
    {M64, "48 8b 47 30", INSN_OP_MOV, REG, MEM, 1, 0, 8, 8, 8, DS, 7, NONE, 1, 0x30, 0, 0,
     "mov rax, ds:[rdi+0x30] (8-byte read)"},
    {M64, "48 89 b7 08 03 00 00", INSN_OP_MOV, MEM, REG, 0, 1, 8, 8, 8, DS, 7, NONE, 1, 0x308, 6,
     0, "mov ds:[rdi+0x308], rsi (8-byte write)"},
    {M64, "8a 07", INSN_OP_MOV, REG, MEM, 1, 0, 1, 1, 8, DS, 7, NONE, 1, 0, 0, 0,
     "mov al, ds:[rdi] (1-byte read)"},
    {M64, "66 8b 47 02", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 8, DS, 7, NONE, 1, 2, 0, 0,
     "mov ax, ds:[rdi+0x2] (2-byte read)"},
    {M64, "8b 87 f0 00 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0xf0, 0, 0,
     "mov eax, ds:[rdi+0xf0] (4-byte read)"},
    {M64, "40 88 77 01", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 8, DS, 7, NONE, 1, 1, 6, 0,
     "mov ds:[rdi+0x1], sil (1-byte write)"},
    {M64, "66 89 37", INSN_OP_MOV, MEM, REG, 0, 1, 2, 2, 8, DS, 7, NONE, 1, 0, 6, 0,
     "mov ds:[rdi], si (2-byte write)"},
    {M64, "89 b7 b0 00 00 00", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 8, DS, 7, NONE, 1, 0xb0, 6, 0,
     "mov ds:[rdi+0xb0], esi (4-byte write)"},
    {M64, "8b 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, 0, NONE, 1, 0, 0, 0,
     "mov eax, ds:[rax] (4-byte read)"},
    /* volatile accesses: MOVZX, MOVSX, MOVSXD, RIP-relative globals */
    {M64, "0f b7 47 06", INSN_OP_MOVZX, REG, MEM, 1, 0, 4, 2, 8, DS, 7, NONE, 1, 6, 0, 0,
     "movzx eax, ds:[rdi+0x6] (2-byte read)"},
    {M64, "0f be 47 05", INSN_OP_MOVSX, REG, MEM, 1, 0, 4, 1, 8, DS, 7, NONE, 1, 5, 0, 0,
     "movsx eax, ds:[rdi+0x5] (1-byte read)"},
    {M64, "48 63 47 04", INSN_OP_MOVSX, REG, MEM, 1, 0, 8, 4, 8, DS, 7, NONE, 1, 4, 0, 0,
     "movsx rax, ds:[rdi+0x4] (4-byte read)"},
    {M64, "c7 05 00 00 00 00 07 00 00 00", INSN_OP_MOV, MEM, IMM, 0, 1, 4, 4, 8, DS, RIP, NONE, 1,
     0, NONE, 7, "mov ds:[rip], 0x7 (4-byte write)"},
    {M64, "8b 05 00 00 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, RIP, NONE, 1, 0, 0, 0,
     "mov eax, ds:[rip] (4-byte read)"},
    /* REX.R/X/B, SIB, stack bases */
    {M64, "45 89 4c 24 10", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 8, DS, 12, NONE, 1, 0x10, 9, 0,
     "mov ds:[r12+0x10], r9d (4-byte write)"},
    {M64, "4f 8b 54 f5 08", INSN_OP_MOV, REG, MEM, 1, 0, 8, 8, 8, DS, 13, 14, 8, 8, 10, 0,
     "mov r10, ds:[r13+r14*8+0x8] (8-byte read)"},
    {M64, "46 88 1c 78", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 8, DS, 0, 15, 2, 0, 11, 0,
     "mov ds:[rax+r15*2], r11b (1-byte write)"},
    {M64, "88 22", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 8, DS, 2, NONE, 1, 0, AH, 0,
     "mov ds:[rdx], ah (1-byte write)"},
    {M64, "8b 0c 24", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, SS, 4, NONE, 1, 0, 1, 0,
     "mov ecx, ss:[rsp] (4-byte read)"},
    {M64, "8b 4d 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, SS, 5, NONE, 1, 0, 1, 0,
     "mov ecx, ss:[rbp] (4-byte read)"},
    {M64, "8b 04 8d 78 56 34 12", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, NONE, 1, 4,
     0x12345678, 0, 0, "mov eax, ds:[rcx*4+0x12345678] (4-byte read)"},
    /* immediate stores */
    {M64, "48 c7 43 20 ff ff ff ff", INSN_OP_MOV, MEM, IMM, 0, 1, 8, 8, 8, DS, 3, NONE, 1, 0x20,
     NONE, 0xffffffffffffffffULL, "mov ds:[rbx+0x20], 0xffffffffffffffff (8-byte write)"},
    {M64, "66 c7 01 34 12", INSN_OP_MOV, MEM, IMM, 0, 1, 2, 2, 8, DS, 1, NONE, 1, 0, NONE, 0x1234,
     "mov ds:[rcx], 0x1234 (2-byte write)"},
    {M64, "c6 47 fc 80", INSN_OP_MOV, MEM, IMM, 0, 1, 1, 1, 8, DS, 7, NONE, 1, -4, NONE, 0x80,
     "mov ds:[rdi-0x4], 0x80 (1-byte write)"},
    /* MOVZX / MOVSX forms */
    {M64, "45 0f b6 08", INSN_OP_MOVZX, REG, MEM, 1, 0, 4, 1, 8, DS, 8, NONE, 1, 0, 9, 0,
     "movzx r9d, ds:[r8] (1-byte read)"},
    {M64, "48 0f b7 47 02", INSN_OP_MOVZX, REG, MEM, 1, 0, 8, 2, 8, DS, 7, NONE, 1, 2, 0, 0,
     "movzx rax, ds:[rdi+0x2] (2-byte read)"},
    {M64, "0f bf 16", INSN_OP_MOVSX, REG, MEM, 1, 0, 4, 2, 8, DS, 6, NONE, 1, 0, 2, 0,
     "movsx edx, ds:[rsi] (2-byte read)"},
    {M64, "48 0f be 44 0f ff", INSN_OP_MOVSX, REG, MEM, 1, 0, 8, 1, 8, DS, 7, 1, 1, -1, 0, 0,
     "movsx rax, ds:[rdi+rcx-0x1] (1-byte read)"},
    {M64, "48 63 05 04 00 00 00", INSN_OP_MOVSX, REG, MEM, 1, 0, 8, 4, 8, DS, RIP, NONE, 1, 4, 0, 0,
     "movsx rax, ds:[rip+0x4] (4-byte read)"},
    /* address-size prefix, segment prefixes, moffs */
    {M64, "67 8b 05 00 10 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, DS, RIP, NONE, 1, 0x1000,
     0, 0, "mov eax, ds:[eip+0x1000] (4-byte read)"},
    {M64, "64 48 8b 04 25 28 00 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 8, 8, 8, FS, NONE, NONE, 1,
     0x28, 0, 0, "mov rax, fs:[0x28] (8-byte read)"},
    {M64, "65 8b 07", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, GS, 7, NONE, 1, 0, 0, 0,
     "mov eax, gs:[rdi] (4-byte read)"},
    {M64, "3e 8b 07", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 0, 0,
     "mov eax, ds:[rdi] (4-byte read)"},
    {M64, "64 26 8b 07", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, FS, 7, NONE, 1, 0, 0, 0,
     "mov eax, fs:[rdi] (4-byte read)"},
    {M64, "a1 f0 00 e0 fe 00 00 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 8, DS, NONE, NONE, 1,
     0xfee000f0, 0, 0, "mov eax, ds:[0xfee000f0] (4-byte read)"},
    {M64, "a2 80 00 e0 fe 00 00 00 00", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 8, DS, NONE, NONE, 1,
     0xfee00080, 0, 0, "mov ds:[0xfee00080], al (1-byte write)"},
    /* REX then a legacy prefix: the REX is ignored; the other order keeps it */
    {M64, "48 66 8b 07", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 8, DS, 7, NONE, 1, 0, 0, 0,
     "mov ax, ds:[rdi] (2-byte read)"},
    {M64, "66 48 8b 07", INSN_OP_MOV, REG, MEM, 1, 0, 8, 8, 8, DS, 7, NONE, 1, 0, 0, 0,
     "mov rax, ds:[rdi] (8-byte read)"},
    /* ALU and TEST forms against memory */
    {M64, "81 4f 10 00 01 00 00", INSN_OP_OR, MEM, IMM, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0x10, NONE,
     0x100, "or ds:[rdi+0x10], 0x100 (4-byte read-modify-write)"},
    {M64, "83 27 fe", INSN_OP_AND, MEM, IMM, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0, NONE, 0xfffffffe,
     "and ds:[rdi], 0xfffffffe (4-byte read-modify-write)"},
    {M64, "31 47 04", INSN_OP_XOR, MEM, REG, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 4, 0, 0,
     "xor ds:[rdi+0x4], eax (4-byte read-modify-write)"},
    {M64, "08 0f", INSN_OP_OR, MEM, REG, 1, 1, 1, 1, 8, DS, 7, NONE, 1, 0, 1, 0,
     "or ds:[rdi], cl (1-byte read-modify-write)"},
    {M64, "09 0f", INSN_OP_OR, MEM, REG, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0, 1, 0,
     "or ds:[rdi], ecx (4-byte read-modify-write)"},
    {M64, "4c 0b 07", INSN_OP_OR, REG, MEM, 1, 0, 8, 8, 8, DS, 7, NONE, 1, 0, 8, 0,
     "or r8, ds:[rdi] (8-byte read)"},
    {M64, "21 0f", INSN_OP_AND, MEM, REG, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0, 1, 0,
     "and ds:[rdi], ecx (4-byte read-modify-write)"},
    {M64, "23 0f", INSN_OP_AND, REG, MEM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 1, 0,
     "and ecx, ds:[rdi] (4-byte read)"},
    {M64, "01 17", INSN_OP_ADD, MEM, REG, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0, 2, 0,
     "add ds:[rdi], edx (4-byte read-modify-write)"},
    {M64, "2b 1f", INSN_OP_SUB, REG, MEM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 3, 0,
     "sub ebx, ds:[rdi] (4-byte read)"},
    {M64, "33 07", INSN_OP_XOR, REG, MEM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 0, 0,
     "xor eax, ds:[rdi] (4-byte read)"},
    {M64, "83 bf 00 03 00 00 00", INSN_OP_CMP, MEM, IMM, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0x300,
     NONE, 0, "cmp ds:[rdi+0x300], 0x0 (4-byte read)"},
    {M64, "39 07", INSN_OP_CMP, MEM, REG, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 0, 0,
     "cmp ds:[rdi], eax (4-byte read)"},
    {M64, "f7 87 00 03 00 00 00 10 00 00", INSN_OP_TEST, MEM, IMM, 1, 0, 4, 4, 8, DS, 7, NONE, 1,
     0x300, NONE, 0x1000, "test ds:[rdi+0x300], 0x1000 (4-byte read)"},
    {M64, "85 07", INSN_OP_TEST, MEM, REG, 1, 0, 4, 4, 8, DS, 7, NONE, 1, 0, 0, 0,
     "test ds:[rdi], eax (4-byte read)"},
    {M64, "f6 07 01", INSN_OP_TEST, MEM, IMM, 1, 0, 1, 1, 8, DS, 7, NONE, 1, 0, NONE, 1,
     "test ds:[rdi], 0x1 (1-byte read)"},
    {M64, "84 0f", INSN_OP_TEST, MEM, REG, 1, 0, 1, 1, 8, DS, 7, NONE, 1, 0, 1, 0,
     "test ds:[rdi], cl (1-byte read)"},
    {M64, "48 83 0f ff", INSN_OP_OR, MEM, IMM, 1, 1, 8, 8, 8, DS, 7, NONE, 1, 0, NONE,
     0xffffffffffffffffULL, "or ds:[rdi], 0xffffffffffffffff (8-byte read-modify-write)"},
    {M64, "66 81 27 ff 7f", INSN_OP_AND, MEM, IMM, 1, 1, 2, 2, 8, DS, 7, NONE, 1, 0, NONE, 0x7fff,
     "and ds:[rdi], 0x7fff (2-byte read-modify-write)"},
    {M64, "f0 83 0f 01", INSN_OP_OR, MEM, IMM, 1, 1, 4, 4, 8, DS, 7, NONE, 1, 0, NONE, 1,
     "lock or ds:[rdi], 0x1 (4-byte read-modify-write)"},
    /* string instructions */
    {M64, "f3 ab", INSN_OP_STOS, MEM, REG, 0, 1, 4, 4, 8, ES, 7, NONE, 1, 0, 0, 0,
     "rep stos es:[rdi], eax (4-byte write)"},
    {M64, "f3 a4", INSN_OP_MOVS, MEM, MEM, 1, 1, 1, 1, 8, DS, 6, NONE, 1, 0, NONE, 0,
     "rep movs es:[rdi], ds:[rsi] (1-byte read and write)"},
    {M64, "48 ad", INSN_OP_LODS, REG, MEM, 1, 0, 8, 8, 8, DS, 6, NONE, 1, 0, 0, 0,
     "lods rax, ds:[rsi] (8-byte read)"},
    {M64, "66 f3 6f", INSN_OP_OUTS, PORT, MEM, 1, 0, 2, 2, 8, DS, 6, NONE, 1, 0, NONE, 0,
     "rep outs port dx, ds:[rsi] (2-byte read)"},
    {M64, "f3 6c", INSN_OP_INS, MEM, PORT, 0, 1, 1, 1, 8, ES, 7, NONE, 1, 0, NONE, 0,
     "rep ins es:[rdi], port dx (1-byte write)"},
    {M64, "64 6f", INSN_OP_OUTS, PORT, MEM, 1, 0, 4, 4, 8, FS, 6, NONE, 1, 0, NONE, 0,
     "outs port dx, fs:[rsi] (4-byte read)"},
    {M64, "67 66 f3 6d", INSN_OP_INS, MEM, PORT, 0, 1, 2, 2, 4, ES, 7, NONE, 1, 0, NONE, 0,
     "rep ins es:[edi], port dx (2-byte write)"},
    {M64, "48 6d", INSN_OP_INS, MEM, PORT, 0, 1, 4, 4, 8, ES, 7, NONE, 1, 0, NONE, 0,
     "ins es:[rdi], port dx (4-byte write)"},
    {M64, "26 f3 6c", INSN_OP_INS, MEM, PORT, 0, 1, 1, 1, 8, ES, 7, NONE, 1, 0, NONE, 0,
     "rep ins es:[rdi], port dx (1-byte write)"},

    /* 32-bit code: gcc -m32 -O2 accessors, absolute MMIO addresses, overrides */
    {M32, "8a 00", INSN_OP_MOV, REG, MEM, 1, 0, 1, 1, 4, DS, 0, NONE, 1, 0, 0, 0,
     "mov al, ds:[eax] (1-byte read)"},
    {M32, "66 8b 40 02", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 4, DS, 0, NONE, 1, 2, 0, 0,
     "mov ax, ds:[eax+0x2] (2-byte read)"},
    {M32, "8b 80 f0 00 00 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, DS, 0, NONE, 1, 0xf0, 0, 0,
     "mov eax, ds:[eax+0xf0] (4-byte read)"},
    {M32, "88 50 01", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 4, DS, 0, NONE, 1, 1, 2, 0,
     "mov ds:[eax+0x1], dl (1-byte write)"},
    {M32, "66 89 02", INSN_OP_MOV, MEM, REG, 0, 1, 2, 2, 4, DS, 2, NONE, 1, 0, 0, 0,
     "mov ds:[edx], ax (2-byte write)"},
    {M32, "89 90 b0 00 00 00", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 4, DS, 0, NONE, 1, 0xb0, 2, 0,
     "mov ds:[eax+0xb0], edx (4-byte write)"},
    {M32, "0f b7 40 06", INSN_OP_MOVZX, REG, MEM, 1, 0, 4, 2, 4, DS, 0, NONE, 1, 6, 0, 0,
     "movzx eax, ds:[eax+0x6] (2-byte read)"},
    {M32, "c7 80 00 00 00 00 07 00 00 00", INSN_OP_MOV, MEM, IMM, 0, 1, 4, 4, 4, DS, 0, NONE, 1,
     0, NONE, 7, "mov ds:[eax], 0x7 (4-byte write)"},
    {M32, "8b 44 24 04", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, SS, 4, NONE, 1, 4, 0, 0,
     "mov eax, ss:[esp+0x4] (4-byte read)"},
    {M32, "89 4c b3 10", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 4, DS, 3, 6, 4, 0x10, 1, 0,
     "mov ds:[ebx+esi*4+0x10], ecx (4-byte write)"},
    {M32, "8b 45 04", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, SS, 5, NONE, 1, 4, 0, 0,
     "mov eax, ss:[ebp+0x4] (4-byte read)"},
    {M32, "c7 05 00 03 e0 fe 78 56 34 12", INSN_OP_MOV, MEM, IMM, 0, 1, 4, 4, 4, DS, NONE, NONE, 1,
     (int32_t)0xfee00300, NONE, 0x12345678, "mov ds:[0xfee00300], 0x12345678 (4-byte write)"},
    {M32, "a1 20 00 e0 fe", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, DS, NONE, NONE, 1, 0xfee00020, 0,
     0, "mov eax, ds:[0xfee00020] (4-byte read)"},
    {M32, "a3 10 00 c0 fe", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 4, DS, NONE, NONE, 1, 0xfec00010, 0,
     0, "mov ds:[0xfec00010], eax (4-byte write)"},
    {M32, "26 66 c7 07 01 00", INSN_OP_MOV, MEM, IMM, 0, 1, 2, 2, 4, ES, 7, NONE, 1, 0, NONE, 1,
     "mov es:[edi], 0x1 (2-byte write)"},
    {M32, "36 8b 03", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 4, SS, 3, NONE, 1, 0, 0, 0,
     "mov eax, ss:[ebx] (4-byte read)"},
    {M32, "67 8b 00", INSN_OP_MOV, REG, MEM, 1, 0, 4, 4, 2, DS, 3, 6, 1, 0, 0, 0,
     "mov eax, ds:[bx+si] (4-byte read)"},
    {M32, "82 0f 01", INSN_OP_OR, MEM, IMM, 1, 1, 1, 1, 4, DS, 7, NONE, 1, 0, NONE, 1,
     "or ds:[edi], 0x1 (1-byte read-modify-write)"},
    {M32, "f3 6e", INSN_OP_OUTS, PORT, MEM, 1, 0, 1, 1, 4, DS, 6, NONE, 1, 0, NONE, 0,
     "rep outs port dx, ds:[esi] (1-byte read)"},
    {M32, "f3 6d", INSN_OP_INS, MEM, PORT, 0, 1, 4, 4, 4, ES, 7, NONE, 1, 0, NONE, 0,
     "rep ins es:[edi], port dx (4-byte write)"},
    {M32, "26 66 6f", INSN_OP_OUTS, PORT, MEM, 1, 0, 2, 2, 4, ES, 6, NONE, 1, 0, NONE, 0,
     "outs port dx, es:[esi] (2-byte read)"},

    /* 16-bit code: the ModRM table 2-1 forms */
    {M16, "8b 00", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 2, DS, 3, 6, 1, 0, 0, 0,
     "mov ax, ds:[bx+si] (2-byte read)"},
    {M16, "8a 4b 12", INSN_OP_MOV, REG, MEM, 1, 0, 1, 1, 2, SS, 5, 7, 1, 0x12, 1, 0,
     "mov cl, ss:[bp+di+0x12] (1-byte read)"},
    {M16, "a1 34 12", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 2, DS, NONE, NONE, 1, 0x1234, 0, 0,
     "mov ax, ds:[0x1234] (2-byte read)"},
    {M16, "c6 46 fe 05", INSN_OP_MOV, MEM, IMM, 0, 1, 1, 1, 2, SS, 5, NONE, 1, -2, NONE, 5,
     "mov ss:[bp-0x2], 0x5 (1-byte write)"},
    {M16, "67 66 89 06", INSN_OP_MOV, MEM, REG, 0, 1, 4, 4, 4, DS, 6, NONE, 1, 0, 0, 0,
     "mov ds:[esi], eax (4-byte write)"},
    {M16, "c7 06 00 7c aa 55", INSN_OP_MOV, MEM, IMM, 0, 1, 2, 2, 2, DS, NONE, NONE, 1, 0x7c00,
     NONE, 0x55aa, "mov ds:[0x7c00], 0x55aa (2-byte write)"},
    {M16, "88 77 10", INSN_OP_MOV, MEM, REG, 0, 1, 1, 1, 2, DS, 3, NONE, 1, 0x10, DH, 0,
     "mov ds:[bx+0x10], dh (1-byte write)"},
    {M16, "8b 46 00", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 2, SS, 5, NONE, 1, 0, 0, 0,
     "mov ax, ss:[bp] (2-byte read)"},
    {M16, "8b 87 00 80", INSN_OP_MOV, REG, MEM, 1, 0, 2, 2, 2, DS, 3, NONE, 1, -0x8000, 0, 0,
     "mov ax, ds:[bx-0x8000] (2-byte read)"},
    {M16, "f3 6e", INSN_OP_OUTS, PORT, MEM, 1, 0, 1, 1, 2, DS, 6, NONE, 1, 0, NONE, 0,
     "rep outs port dx, ds:[si] (1-byte read)"},
    {M16, "f3 6d", INSN_OP_INS, MEM, PORT, 0, 1, 2, 2, 2, ES, 7, NONE, 1, 0, NONE, 0,
     "rep ins es:[di], port dx (2-byte write)"},
    {M16, "81 0d 80 00", INSN_OP_OR, MEM, IMM, 1, 1, 2, 2, 2, DS, 7, NONE, 1, 0, NONE, 0x80,
     "or ds:[di], 0x80 (2-byte read-modify-write)"},
    {M16, "26 8a 04", INSN_OP_MOV, REG, MEM, 1, 0, 1, 1, 2, ES, 6, NONE, 1, 0, 0, 0,
     "mov al, es:[si] (1-byte read)"},
};
/* clang-format on */

static size_t parse_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    char *end;
    for (const char *p = hex; *p; p = end) {
        unsigned long v = strtoul(p, &end, 16);
        if (end == p)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

static int decode_hex(struct insn *in, enum insn_mode mode, const char *hex, char *msg, size_t n)
{
    uint8_t b[32];
    size_t len = parse_hex(hex, b);
    return insn_decode_buf(in, mode, b, len, msg, n);
}

Test(insn_decode, table_of_encodings)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *t = &rows[i];
        uint8_t b[32];
        size_t len = parse_hex(t->hex, b);
        struct insn in;
        char msg[160] = "";
        int rc = insn_decode_buf(&in, t->mode, b, len, msg, sizeof(msg));
        cr_assert_eq(rc, INSN_OK, "%d-bit \"%s\": %s", t->mode, t->hex, msg);
        const char *h = t->hex;
        cr_expect_eq(in.len, len, "%s: length", h);
        cr_expect_arr_eq(in.bytes, b, len, "%s: bytes", h);
        cr_expect_eq(in.op, t->op, "%s: op", h);
        cr_expect_eq(in.dst, t->dst, "%s: dst", h);
        cr_expect_eq(in.src, t->src, "%s: src", h);
        cr_expect_eq(in.mem_read, t->rd, "%s: read", h);
        cr_expect_eq(in.mem_write, t->wr, "%s: write", h);
        cr_expect_eq(in.op_size, t->op_size, "%s: op_size %u", h, in.op_size);
        cr_expect_eq(in.mem_size, t->mem_size, "%s: mem_size %u", h, in.mem_size);
        cr_expect_eq(in.addr_size, t->addr_size, "%s: addr_size", h);
        cr_expect_eq(in.mem.seg, t->seg, "%s: seg %u", h, in.mem.seg);
        cr_expect_eq(in.mem.base, t->base, "%s: base %d", h, in.mem.base);
        cr_expect_eq(in.mem.index, t->index, "%s: index %d", h, in.mem.index);
        cr_expect_eq(in.mem.scale, t->scale, "%s: scale", h);
        cr_expect_eq(in.mem.disp, t->disp, "%s: disp %lld", h, (long long)in.mem.disp);
        cr_expect_eq(in.reg, t->reg, "%s: reg %d", h, in.reg);
        cr_expect_eq(in.imm, t->imm, "%s: imm 0x%llx", h, (unsigned long long)in.imm);
        char text[160];
        int n = insn_format(&in, text, sizeof(text));
        cr_expect_str_eq(text, t->text, "%s", h);
        cr_expect_eq((size_t)n, strlen(text));
    }
}

Test(insn_decode, prefix_and_encoding_fields)
{
    struct insn in;
    cr_assert_eq(decode_hex(&in, M64, "f0 83 0f 01", NULL, 0), INSN_OK);
    cr_expect(in.lock);
    cr_expect_eq(in.opcode, 0x83);
    cr_expect(in.has_modrm && !in.has_sib);
    cr_expect_eq(in.modrm, 0x0f);
    cr_expect_eq(in.imm_size, 1);
    cr_assert_eq(decode_hex(&in, M64, "4f 8b 54 f5 08", NULL, 0), INSN_OK);
    cr_expect_eq(in.rex, 0x4f);
    cr_expect(in.has_sib);
    cr_expect_eq(in.sib, 0xf5);
    cr_assert_eq(decode_hex(&in, M64, "45 0f b6 08", NULL, 0), INSN_OK);
    cr_expect(in.two_byte);
    cr_expect_eq(in.opcode, 0xb6);
    cr_assert_eq(decode_hex(&in, M64, "f2 f3 a4", NULL, 0), INSN_OK);
    cr_expect(in.rep && !in.repne, "the last of F2/F3 counts");
    cr_assert_eq(decode_hex(&in, M64, "f3 f2 aa", NULL, 0), INSN_OK);
    cr_expect(in.repne && !in.rep);
    cr_expect_eq(in.mem.seg, ES);
    cr_assert_eq(decode_hex(&in, M64, "64 a4", NULL, 0), INSN_OK);
    cr_expect_eq(in.mem.seg, FS, "MOVS source takes the override");
    cr_expect_eq(in.mem2.seg, ES, "MOVS destination is always ES");
    cr_expect_eq(in.mem2.base, INSN_REG_RDI);
    cr_expect_eq(in.seg_override, FS);
    cr_assert_eq(decode_hex(&in, M32, "26 8b 07", NULL, 0), INSN_OK);
    cr_expect_eq(in.seg_override, ES);
    cr_assert_eq(decode_hex(&in, M64, "26 8b 07", NULL, 0), INSN_OK);
    cr_expect_eq(in.seg_override, -1, "ES is a null prefix in 64-bit mode");
    cr_expect_eq(in.mem.seg, DS);
}

Test(insn_decode, fifteen_bytes_is_the_limit)
{
    struct insn in;
    char msg[160];
    /* 13 operand-size prefixes + 8b 07 = 15 bytes */
    cr_expect_eq(decode_hex(&in, M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 8b 07", msg, 160),
                 INSN_OK);
    cr_expect_eq(in.len, 15);
    cr_expect_eq(in.op_size, 2);
    cr_expect_eq(decode_hex(&in, M64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 8b 07", msg, 160),
                 INSN_ERR_TOO_LONG);
    cr_expect_str_eq(msg, "insn: longer than 15 bytes (bytes 66 66 66 66 66 66 66 66 66 66 66 66 "
                          "66 66 8b)");
    cr_expect_eq(decode_hex(&in, M64, "c7 87 00 03 00 00 00 10 00 00", msg, 160), INSN_OK);
    cr_expect_eq(
        decode_hex(&in, M64, "66 66 66 66 66 48 c7 84 88 00 03 00 00 00 10 00 00", msg, 160),
        INSN_ERR_TOO_LONG);
}

struct bad {
    enum insn_mode mode;
    const char *hex;
    int err;
    const char *msg;
};

Test(insn_decode, refused_instructions_are_named)
{
    static const struct bad bad[] = {
        {M64, "0f 0b", INSN_ERR_UNSUPPORTED, "insn: opcode 0f 0b is not supported (bytes 0f 0b)"},
        {M64, "90", INSN_ERR_UNSUPPORTED, "insn: opcode 90 is not supported (bytes 90)"},
        {M64, "66 0f c3 07", INSN_ERR_UNSUPPORTED,
         "insn: opcode 0f c3 is not supported (bytes 66 0f c3)"},
        {M64, "8b c0", INSN_ERR_NO_MEMORY,
         "insn: register operand only, no memory access (bytes 8b c0)"},
        {M64, "80 cc 01", INSN_ERR_NO_MEMORY,
         "insn: register operand only, no memory access (bytes 80 cc)"},
        {M64, "48 63 c6", INSN_ERR_NO_MEMORY,
         "insn: register operand only, no memory access (bytes 48 63 c6)"},
        {M64, "f0 89 07", INSN_ERR_INVALID,
         "insn: LOCK prefix on an instruction that raises #UD with it (bytes f0 89 07)"},
        {M64, "f0 39 07", INSN_ERR_INVALID,
         "insn: LOCK prefix on an instruction that raises #UD with it (bytes f0 39 07)"},
        {M64, "f0 0b 07", INSN_ERR_INVALID,
         "insn: LOCK prefix on an instruction that raises #UD with it (bytes f0 0b 07)"},
        {M64, "c7 08 00 00 00 00", INSN_ERR_UNSUPPORTED,
         "insn: this ModRM.reg extension is not supported (bytes c7 08)"},
        {M64, "f7 17", INSN_ERR_UNSUPPORTED,
         "insn: this ModRM.reg extension is not supported (bytes f7 17)"},
        {M64, "82 0f 01", INSN_ERR_UNSUPPORTED, "insn: opcode 82 is not supported (bytes 82)"},
        {M32, "63 07", INSN_ERR_UNSUPPORTED, "insn: opcode 63 is not supported (bytes 63)"},
        {M32, "48 8b 07", INSN_ERR_UNSUPPORTED, "insn: opcode 48 is not supported (bytes 48)"},
        {M64, "c5 f9 7e 07", INSN_ERR_UNSUPPORTED, "insn: opcode c5 is not supported (bytes c5)"},
        {M64, "8b", INSN_ERR_FETCH, "insn: cannot fetch the next byte (bytes 8b)"},
        {M64, "8b 87 f0", INSN_ERR_FETCH, "insn: cannot fetch the next byte (bytes 8b 87 f0)"},
        {M64, "66", INSN_ERR_FETCH, "insn: cannot fetch the next byte (bytes 66)"},
        {M64, "", INSN_ERR_FETCH, "insn: cannot fetch the next byte (bytes none)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct insn in;
        char msg[160] = "";
        int rc = decode_hex(&in, bad[i].mode, bad[i].hex, msg, sizeof(msg));
        cr_expect_eq(rc, bad[i].err, "\"%s\": %d", bad[i].hex, rc);
        cr_expect_str_eq(msg, bad[i].msg, "\"%s\"", bad[i].hex);
    }
}

Test(insn_decode, bad_arguments)
{
    struct insn in;
    uint8_t b[2] = {0x8b, 0x07};
    char msg[80];
    cr_expect_eq(insn_decode(&in, M64, NULL, NULL, msg, sizeof(msg)), INSN_ERR_ARG);
    cr_expect_str_eq(msg, "insn: bad decoder arguments");
    cr_expect_eq(insn_decode_buf(&in, (enum insn_mode)8, b, 2, NULL, 0), INSN_ERR_ARG);
    cr_expect_eq(insn_decode_buf(NULL, M64, b, 2, NULL, 0), INSN_ERR_ARG);
    cr_expect_eq(insn_decode_buf(&in, M64, NULL, 2, NULL, 0), INSN_ERR_FETCH);
}

/* a fetch callback that counts its calls and fails at a given offset (a page boundary) */
struct fetch_ctx {
    const uint8_t *bytes;
    unsigned fail_at, calls;
};

static int fetch_cb(void *ctx, unsigned off, uint8_t *b)
{
    struct fetch_ctx *f = ctx;
    f->calls++;
    if (off >= f->fail_at)
        return -1;
    *b = f->bytes[off];
    return 0;
}

Test(insn_decode, fetch_callback_reads_only_what_it_needs)
{
    static const uint8_t code[] = {0x89, 0xb7, 0xb0, 0x00, 0x00, 0x00, 0xcc, 0xcc};
    struct fetch_ctx f = {code, 100, 0};
    struct insn in;
    cr_assert_eq(insn_decode(&in, M64, fetch_cb, &f, NULL, 0), INSN_OK);
    cr_expect_eq(f.calls, 6);
    f = (struct fetch_ctx){code, 3, 0};
    cr_expect_eq(insn_decode(&in, M64, fetch_cb, &f, NULL, 0), INSN_ERR_FETCH);
    cr_expect_eq(in.len, 3, "the bytes before the failing one are kept");
}

static uint64_t gpr[16];

static void fill_gpr(void)
{
    for (int i = 0; i < 16; i++)
        gpr[i] = 0x1111111111111111ULL * (uint64_t)(i + 1);
}

Test(insn_decode, effective_and_linear_addresses)
{
    struct insn in;
    uint64_t seg[6] = {0x10000, 0x20000, 0x30000, 0x40000, 0x7f0000000000ULL, 0x50000};
    fill_gpr();
    /* 64-bit: mov r10, [r13+r14*8+8]: DS base ignored */
    cr_assert_eq(decode_hex(&in, M64, "4f 8b 54 f5 08", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_offset(&in, &in.mem, gpr, 0), gpr[13] + gpr[14] * 8 + 8);
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, seg), gpr[13] + gpr[14] * 8 + 8);
    /* FS base applies in 64-bit mode */
    cr_assert_eq(decode_hex(&in, M64, "64 48 8b 04 25 28 00 00 00", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, seg), 0x7f0000000028ULL);
    /* RIP-relative: next instruction + disp */
    cr_assert_eq(decode_hex(&in, M64, "48 63 05 04 00 00 00", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0xffffffff81000000ULL, seg),
                 0xffffffff81000000ULL + 7 + 4);
    /* EIP-relative with 67: truncated to 32 bits (0x1fffff000 + 7 + 0x1000 wraps) */
    cr_assert_eq(decode_hex(&in, M64, "67 8b 05 00 10 00 00", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_offset(&in, &in.mem, gpr, 0x1fffff000ULL), 7);
    cr_expect_eq(insn_mem_offset(&in, &in.mem, gpr, 0x1000), 0x2007);
    /* 32-bit: segment base added, wraps at 4 GiB; disp32 sign-extended but truncated */
    cr_assert_eq(decode_hex(&in, M32, "c7 05 00 03 e0 fe 78 56 34 12", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_offset(&in, &in.mem, gpr, 0), 0xfee00300);
    uint64_t seg32[6] = {0, 0, 0, 0x02000000, 0, 0};
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, seg32), 0x00e00300, "wrapped");
    /* 16-bit: [bx+si] wraps at 64 KiB, SS-based [bp+di+0x12] */
    gpr[3] = 0xffff;
    gpr[6] = 0x0003;
    cr_assert_eq(decode_hex(&in, M16, "8b 00", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_offset(&in, &in.mem, gpr, 0), 2);
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, seg), 0x40002);
    gpr[5] = 0x100;
    gpr[7] = 0x20;
    cr_assert_eq(decode_hex(&in, M16, "8a 4b 12", NULL, 0), INSN_OK);
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, seg), 0x30000 + 0x132);
    /* no segment bases given: 0 */
    cr_expect_eq(insn_mem_linear(&in, &in.mem, gpr, 0, NULL), 0x132);
}

Test(insn_decode, register_file_access)
{
    uint64_t r[16] = {0};
    r[0] = 0x1122334455667788ULL;
    cr_expect_eq(insn_reg_get(r, INSN_REG_AH, 1), 0x77);
    cr_expect_eq(insn_reg_get(r, 0, 1), 0x88);
    cr_expect_eq(insn_reg_get(r, 0, 2), 0x7788);
    cr_expect_eq(insn_reg_get(r, 0, 4), 0x55667788);
    cr_expect_eq(insn_reg_get(r, NONE, 8), 0);
    insn_reg_set(r, INSN_REG_AH, 1, 0xab);
    cr_expect_eq(r[0], 0x112233445566ab88ULL);
    insn_reg_set(r, 0, 2, 0xcdef);
    cr_expect_eq(r[0], 0x112233445566cdefULL);
    insn_reg_set(r, 0, 4, 0x01020304);
    cr_expect_eq(r[0], 0x01020304ULL, "32-bit writes zero-extend");
    insn_reg_set(r, 15, 8, 0xfedcba9876543210ULL);
    cr_expect_eq(r[15], 0xfedcba9876543210ULL);
    insn_reg_set(r, INSN_REG_BH, 1, 0x5a);
    cr_expect_eq(r[3], 0x5a00);
}

Test(insn_decode, store_values)
{
    struct insn in;
    uint64_t v = 0;
    fill_gpr();
    cr_assert_eq(decode_hex(&in, M64, "89 b7 b0 00 00 00", NULL, 0), INSN_OK);
    cr_assert_eq(insn_store_value(&in, gpr, &v), 0);
    cr_expect_eq(v, 0x77777777);
    cr_assert_eq(decode_hex(&in, M64, "88 22", NULL, 0), INSN_OK); /* mov [rdx], ah */
    cr_assert_eq(insn_store_value(&in, gpr, &v), 0);
    cr_expect_eq(v, 0x11);
    cr_assert_eq(decode_hex(&in, M64, "48 c7 43 20 ff ff ff ff", NULL, 0), INSN_OK);
    cr_assert_eq(insn_store_value(&in, gpr, &v), 0);
    cr_expect_eq(v, ~0ULL);
    cr_assert_eq(decode_hex(&in, M64, "66 f3 ab", NULL, 0), INSN_OK); /* rep stosw */
    cr_assert_eq(insn_store_value(&in, gpr, &v), 0);
    cr_expect_eq(v, 0x1111);
    cr_assert_eq(decode_hex(&in, M64, "81 4f 10 00 01 00 00", NULL, 0), INSN_OK);
    cr_expect_eq(insn_store_value(&in, gpr, &v), -1, "OR needs the old value: not a store");
    cr_assert_eq(decode_hex(&in, M64, "8b 07", NULL, 0), INSN_OK);
    cr_expect_eq(insn_store_value(&in, gpr, &v), -1, "a load");
}

Test(insn_decode, load_write_back)
{
    struct insn in;
    fill_gpr();
    cr_assert_eq(decode_hex(&in, M64, "0f be 47 05", NULL, 0), INSN_OK); /* movsx eax, byte */
    cr_assert_eq(insn_load_complete(&in, gpr, 0x80), 0);
    cr_expect_eq(gpr[0], 0xffffff80ULL);
    cr_assert_eq(decode_hex(&in, M64, "48 63 47 04", NULL, 0), INSN_OK); /* movsxd rax */
    cr_assert_eq(insn_load_complete(&in, gpr, 0xffffffff80000000ULL), 0);
    cr_expect_eq(gpr[0], 0xffffffff80000000ULL);
    cr_assert_eq(decode_hex(&in, M64, "48 0f b7 47 02", NULL, 0), INSN_OK); /* movzx rax, word */
    cr_assert_eq(insn_load_complete(&in, gpr, 0xffff8765), 0);
    cr_expect_eq(gpr[0], 0x8765);
    fill_gpr();
    cr_assert_eq(decode_hex(&in, M64, "66 8b 47 02", NULL, 0), INSN_OK); /* mov ax */
    cr_assert_eq(insn_load_complete(&in, gpr, 0xabcd), 0);
    cr_expect_eq(gpr[0], 0x111111111111abcdULL, "16-bit loads merge");
    cr_assert_eq(decode_hex(&in, M16, "8a 7f 01", NULL, 0), INSN_OK); /* mov bh, [bx+1] */
    cr_assert_eq(in.reg, INSN_REG_BH);
    cr_assert_eq(insn_load_complete(&in, gpr, 0x5a), 0);
    cr_expect_eq(gpr[3], 0x4444444444445a44ULL);
    cr_assert_eq(decode_hex(&in, M64, "0f bf 16", NULL, 0), INSN_OK); /* movsx edx, word */
    cr_assert_eq(insn_load_complete(&in, gpr, 0x8000), 0);
    cr_expect_eq(gpr[2], 0xffff8000ULL);
    cr_assert_eq(decode_hex(&in, M64, "48 ad", NULL, 0), INSN_OK); /* lodsq */
    cr_assert_eq(insn_load_complete(&in, gpr, 0x0123456789abcdefULL), 0);
    cr_expect_eq(gpr[0], 0x0123456789abcdefULL);
    cr_assert_eq(decode_hex(&in, M64, "23 0f", NULL, 0), INSN_OK); /* and ecx, [rdi] */
    cr_expect_eq(insn_load_complete(&in, gpr, 1), -1, "AND is not a plain load");
    cr_assert_eq(decode_hex(&in, M64, "89 07", NULL, 0), INSN_OK);
    cr_expect_eq(insn_load_complete(&in, gpr, 1), -1, "a store");
}

Test(insn_decode, names)
{
    cr_expect_str_eq(insn_op_name(INSN_OP_MOVSX), "movsx");
    cr_expect_str_eq(insn_op_name(INSN_OP_OUTS), "outs");
    cr_expect_str_eq(insn_op_name((enum insn_op)99), "?");
    char small[8];
    struct insn in;
    cr_assert_eq(decode_hex(&in, M64, "8b 07", NULL, 0), INSN_OK);
    int n = insn_format(&in, small, sizeof(small));
    cr_expect_eq(n, (int)strlen("mov eax, ds:[rdi] (4-byte read)"));
    cr_expect_str_eq(small, "mov eax");
}
