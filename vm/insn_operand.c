/*
 * vm/insn_operand.c - what a decoded instruction (vm/insn_decode.h) does with its operands
 * (pure): effective and linear addresses, register-file access by encoding number, the value
 * a store writes and the register write-back of a load, and a one-line description.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/insn_decode.h"
#include "platform/fmt.h"

static uint64_t truncate(uint64_t v, unsigned bytes)
{
    return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

uint64_t insn_mem_offset(const struct insn *in, const struct insn_mem *m, const uint64_t gpr[16],
                         uint64_t rip)
{
    uint64_t ea = (uint64_t)m->disp;
    if (m->base == INSN_REG_RIP)
        ea += rip + in->len; /* relative to the next instruction (SDM vol. 2 2.2.1.6) */
    else if (m->base >= 0 && m->base < 16)
        ea += gpr[m->base];
    if (m->index >= 0 && m->index < 16)
        ea += gpr[m->index] * m->scale;
    return truncate(ea, in->addr_size); /* SDM vol. 1 3.7.5: the address size truncates */
}

uint64_t insn_mem_linear(const struct insn *in, const struct insn_mem *m, const uint64_t gpr[16],
                         uint64_t rip, const uint64_t seg_base[6])
{
    uint64_t off = insn_mem_offset(in, m, gpr, rip);
    uint64_t base = (seg_base && m->seg < 6) ? seg_base[m->seg] : 0;
    if (in->mode == INSN_MODE_64) /* SDM 3.4.4: only FS and GS have a base in 64-bit mode */
        return (m->seg == INSN_SEG_FS || m->seg == INSN_SEG_GS) ? base + off : off;
    return (base + off) & 0xffffffffULL;
}

uint64_t insn_reg_get(const uint64_t gpr[16], int reg, unsigned size)
{
    if (reg >= INSN_REG_AH && reg <= INSN_REG_BH)
        return (gpr[reg - INSN_REG_AH] >> 8) & 0xff;
    if (reg < 0 || reg > 15)
        return 0;
    return truncate(gpr[reg], size);
}

void insn_reg_set(uint64_t gpr[16], int reg, unsigned size, uint64_t val)
{
    if (reg >= INSN_REG_AH && reg <= INSN_REG_BH) {
        uint64_t *r = &gpr[reg - INSN_REG_AH];
        *r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
        return;
    }
    if (reg < 0 || reg > 15)
        return;
    if (size >= 8)
        gpr[reg] = val;
    else if (size == 4)
        gpr[reg] = (uint32_t)val; /* 32-bit results zero-extend (SDM vol. 1 3.4.1.1) */
    else {
        uint64_t mask = (1ULL << (8 * size)) - 1;
        gpr[reg] = (gpr[reg] & ~mask) | (val & mask);
    }
}

int insn_store_value(const struct insn *in, const uint64_t gpr[16], uint64_t *val)
{
    if (!in || !val || in->dst != INSN_OPND_MEM)
        return -1;
    if (in->op == INSN_OP_MOV && in->src == INSN_OPND_IMM)
        *val = truncate(in->imm, in->mem_size);
    else if ((in->op == INSN_OP_MOV || in->op == INSN_OP_STOS) && in->src == INSN_OPND_REG)
        *val = insn_reg_get(gpr, in->reg, in->mem_size);
    else
        return -1;
    return 0;
}

int insn_load_complete(const struct insn *in, uint64_t gpr[16], uint64_t mem_val)
{
    if (!in || in->dst != INSN_OPND_REG || in->src != INSN_OPND_MEM)
        return -1;
    uint64_t v = truncate(mem_val, in->mem_size);
    switch (in->op) {
    case INSN_OP_MOV:
    case INSN_OP_MOVZX:
    case INSN_OP_LODS:
        break;
    case INSN_OP_MOVSX:
        v = truncate((uint64_t)sext(v, in->mem_size), in->op_size);
        break;
    default:
        return -1;
    }
    insn_reg_set(gpr, in->reg, in->op_size, v);
    return 0;
}

const char *insn_op_name(enum insn_op op)
{
    static const char *const names[] = {
        [INSN_OP_MOV] = "mov",   [INSN_OP_MOVZX] = "movzx", [INSN_OP_MOVSX] = "movsx",
        [INSN_OP_ADD] = "add",   [INSN_OP_OR] = "or",       [INSN_OP_ADC] = "adc",
        [INSN_OP_SBB] = "sbb",   [INSN_OP_AND] = "and",     [INSN_OP_SUB] = "sub",
        [INSN_OP_XOR] = "xor",   [INSN_OP_CMP] = "cmp",     [INSN_OP_TEST] = "test",
        [INSN_OP_MOVS] = "movs", [INSN_OP_STOS] = "stos",   [INSN_OP_LODS] = "lods",
        [INSN_OP_INS] = "ins",   [INSN_OP_OUTS] = "outs",
    };
    if ((unsigned)op < sizeof(names) / sizeof(names[0]) && names[op])
        return names[op];
    return "?";
}

static const char *reg_name(int reg, unsigned size)
{
    static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    static const char *const r32[16] = {"eax",  "ecx",  "edx",  "ebx", "esp",  "ebp",
                                        "esi",  "edi",  "r8d",  "r9d", "r10d", "r11d",
                                        "r12d", "r13d", "r14d", "r15d"};
    static const char *const r16[16] = {"ax",   "cx",   "dx",   "bx",  "sp",   "bp",
                                        "si",   "di",   "r8w",  "r9w", "r10w", "r11w",
                                        "r12w", "r13w", "r14w", "r15w"};
    static const char *const r8[16] = {"al",   "cl",   "dl",   "bl",  "spl",  "bpl",
                                       "sil",  "dil",  "r8b",  "r9b", "r10b", "r11b",
                                       "r12b", "r13b", "r14b", "r15b"};
    static const char *const high[4] = {"ah", "ch", "dh", "bh"};
    if (reg == INSN_REG_RIP)
        return size == 4 ? "eip" : "rip";
    if (reg >= INSN_REG_AH && reg <= INSN_REG_BH)
        return high[reg - INSN_REG_AH];
    if (reg < 0 || reg > 15)
        return "?";
    return size == 8 ? r64[reg] : size == 4 ? r32[reg] : size == 2 ? r16[reg] : r8[reg];
}

/* Appends to an snprintf-style buffer and keeps the would-be length. */
struct out {
    char *buf;
    size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = (o->buf && o->len < o->n) ? o->buf + o->len : NULL;
    int k = fmt_vsnprintf(at, at ? o->n - o->len : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->len += (size_t)k;
}

static void put_mem(struct out *o, const struct insn *in, const struct insn_mem *m)
{
    static const char *const segs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
    put(o, "%s:[", m->seg < 6 ? segs[m->seg] : "?");
    bool any = false;
    if (m->base != INSN_REG_NONE) {
        put(o, "%s", reg_name(m->base, in->addr_size));
        any = true;
    }
    if (m->index != INSN_REG_NONE) {
        put(o, "%s%s", any ? "+" : "", reg_name(m->index, in->addr_size));
        if (m->scale > 1)
            put(o, "*%u", m->scale);
        any = true;
    }
    if (m->disp || !any) {
        uint64_t mag = truncate(m->disp < 0 && any ? -(uint64_t)m->disp : (uint64_t)m->disp,
                                any ? 8 : in->addr_size);
        put(o, "%s0x%llx", any ? (m->disp < 0 ? "-" : "+") : "", (unsigned long long)mag);
    }
    put(o, "]");
}

static void put_operand(struct out *o, const struct insn *in, enum insn_operand kind, bool dst)
{
    switch (kind) {
    case INSN_OPND_MEM:
        put_mem(o, in, (in->op == INSN_OP_MOVS && dst) ? &in->mem2 : &in->mem);
        break;
    case INSN_OPND_REG:
        put(o, "%s", reg_name(in->reg, in->op_size));
        break;
    case INSN_OPND_IMM:
        put(o, "0x%llx", (unsigned long long)in->imm);
        break;
    case INSN_OPND_PORT:
        put(o, "port dx");
        break;
    default:
        put(o, "-");
    }
}

int insn_format(const struct insn *in, char *buf, size_t n)
{
    if (!in)
        return -1;
    struct out o = {buf, n, 0};
    if (buf && n)
        buf[0] = 0;
    bool string = in->op >= INSN_OP_MOVS;
    if (in->lock)
        put(&o, "lock ");
    if (string && (in->rep || in->repne))
        put(&o, "rep ");
    put(&o, "%s ", insn_op_name(in->op));
    put_operand(&o, in, in->dst, true);
    put(&o, ", ");
    put_operand(&o, in, in->src, false);
    const char *what = in->mem_read && in->mem_write ? "read-modify-write"
                       : in->mem_write               ? "write"
                                                     : "read";
    if (in->op == INSN_OP_MOVS)
        what = "read and write";
    put(&o, " (%u-byte %s)", in->mem_size, what);
    return (int)o.len;
}
