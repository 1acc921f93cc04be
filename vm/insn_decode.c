/*
 * vm/insn_decode.c - the decoder (pure): prefixes, REX, opcode, ModRM/SIB/displacement and
 * immediates of the instructions listed in vm/insn_decode.h. SDM vol. 2 chapter 2
 * ("Instruction Format", 2.1 legacy prefixes, 2.1.5 ModR/M and SIB tables 2-1 to 2-3,
 * 2.2.1 REX prefixes, 2.2.1.6 RIP-relative addressing) and appendix A ("Opcode Map").
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/insn_decode.h"
#include "platform/fmt.h"

#define MAX_LEN 15 /* SDM vol. 2 2.3.11; longer raises #GP(0) (vol. 3 6.15, interrupt 13) */

#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

struct cursor {
    struct insn *in;
    insn_fetch_fn fetch;
    void *ctx;
    char *msg;
    size_t msg_size;
};

static int fail(struct cursor *c, int err, const char *what)
{
    char hex[3 * MAX_LEN + 1];
    size_t k = 0;
    for (unsigned i = 0; i < c->in->len && k + 4 <= sizeof(hex); i++)
        k += (size_t)fmt_snprintf(hex + k, sizeof(hex) - k, i ? " %02x" : "%02x", c->in->bytes[i]);
    hex[k] = 0;
    fmt_msg(c->msg, c->msg_size, "insn: %s (bytes %s)", what, k ? hex : "none");
    return err;
}

static int next(struct cursor *c, uint8_t *b)
{
    struct insn *in = c->in;
    if (in->len >= MAX_LEN)
        return fail(c, INSN_ERR_TOO_LONG, "longer than 15 bytes");
    if (c->fetch(c->ctx, in->len, b) != 0)
        return fail(c, INSN_ERR_FETCH, "cannot fetch the next byte");
    in->bytes[in->len++] = *b;
    return INSN_OK;
}

/* n little-endian bytes (1, 2, 4 or 8), zero-extended */
static int take(struct cursor *c, unsigned n, uint64_t *val)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b;
        int rc = next(c, &b);
        if (rc)
            return rc;
        v |= (uint64_t)b << (8 * i);
    }
    *val = v;
    return INSN_OK;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
    unsigned sh = 64 - 8 * bytes;
    return (int64_t)(v << sh) >> sh;
}

static uint64_t truncate(uint64_t v, unsigned bytes)
{
    return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

/* Legacy prefixes and REX (SDM vol. 2 2.1.1, 2.2.1): returns the first opcode byte. */
static int prefixes(struct cursor *c, uint8_t *op)
{
    struct insn *in = c->in;
    for (;;) {
        uint8_t b;
        int rc = next(c, &b);
        if (rc)
            return rc;
        bool legacy = true;
        switch (b) {
        case 0xf0:
            in->lock = true;
            break;
        case 0xf2:
            in->repne = true;
            in->rep = false; /* the last of F2/F3 counts */
            break;
        case 0xf3:
            in->rep = true;
            in->repne = false;
            break;
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
            /* ES CS SS DS: ignored in 64-bit mode (SDM vol. 2 2.1.1, group 2) */
            if (in->mode != INSN_MODE_64)
                in->seg_override = (int8_t)((b >> 3) & 3);
            break;
        case 0x64:
            in->seg_override = INSN_SEG_FS;
            break;
        case 0x65:
            in->seg_override = INSN_SEG_GS;
            break;
        case 0x66:
            in->opsize_prefix = true;
            break;
        case 0x67:
            in->addrsize_prefix = true;
            break;
        default:
            legacy = false;
        }
        if (legacy) {
            in->rex = 0; /* a REX followed by a legacy prefix is ignored (SDM vol. 2 2.2.1) */
            continue;
        }
        if (in->mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
            in->rex = b; /* REX: the last one before the opcode counts */
            continue;
        }
        *op = b;
        return INSN_OK;
    }
}

static uint8_t full_size(const struct insn *in)
{
    /* SDM vol. 1 3.6.1 / vol. 2 2.2.1.2: REX.W, then 66 toggles 16/32 */
    if (in->mode == INSN_MODE_64 && (in->rex & REX_W))
        return 8;
    bool wide = in->mode != INSN_MODE_16;
    if (in->opsize_prefix)
        wide = !wide;
    return wide ? 4 : 2;
}

static uint8_t addr_size(const struct insn *in)
{
    /* SDM vol. 1 3.6.1: 67 selects the other size (32 in 64-bit mode) */
    switch (in->mode) {
    case INSN_MODE_16:
        return in->addrsize_prefix ? 4 : 2;
    case INSN_MODE_32:
        return in->addrsize_prefix ? 2 : 4;
    default:
        return in->addrsize_prefix ? 4 : 8;
    }
}

/* The register named by a ModRM.reg (or implicit) field of the given operand size. */
static int8_t reg_operand(const struct insn *in, unsigned num, unsigned size)
{
    if (size == 1 && !in->rex && num >= 4 && num <= 7)
        return (int8_t)(INSN_REG_AH + (num - 4)); /* AH CH DH BH without REX */
    return (int8_t)num;
}

static void set_default_seg(struct insn *in, struct insn_mem *m, bool stack)
{
    m->seg = in->seg_override >= 0 ? (uint8_t)in->seg_override : stack ? INSN_SEG_SS : INSN_SEG_DS;
}

/* 16-bit addressing, SDM vol. 2 table 2-1 */
static int modrm16(struct cursor *c, unsigned mod, unsigned rm)
{
    static const int8_t base16[8] = {3, 3, 5, 5, 6, 7, 5, 3}; /* BX BX BP BP SI DI BP BX */
    static const int8_t index16[8] = {6, 7, 6, 7, -1, -1, -1, -1};
    struct insn *in = c->in;
    struct insn_mem *m = &in->mem;
    uint64_t d = 0;
    int rc = INSN_OK;
    m->scale = 1;
    m->index = index16[rm];
    m->base = base16[rm];
    if (mod == 0 && rm == 6) {
        m->base = INSN_REG_NONE; /* disp16 alone */
        rc = take(c, 2, &d);
        m->disp = sext(d, 2);
    } else if (mod == 1) {
        rc = take(c, 1, &d);
        m->disp = sext(d, 1);
    } else if (mod == 2) {
        rc = take(c, 2, &d);
        m->disp = sext(d, 2);
    }
    set_default_seg(in, m, m->base == INSN_REG_RBP); /* BP-based forms use SS */
    return rc;
}

/* 32- and 64-bit addressing, SDM vol. 2 tables 2-2 and 2-3, 2.2.1.3-2.2.1.6 */
static int modrm32(struct cursor *c, unsigned mod, unsigned rm)
{
    struct insn *in = c->in;
    struct insn_mem *m = &in->mem;
    unsigned rex_b = (in->rex & REX_B) ? 8 : 0;
    uint64_t d = 0;
    int rc;
    m->scale = 1;
    m->index = INSN_REG_NONE;
    bool disp32 = mod == 2;
    if (rm == 4) {
        rc = next(c, &in->sib);
        if (rc)
            return rc;
        in->has_sib = true;
        unsigned idx = ((in->sib >> 3) & 7) | ((in->rex & REX_X) ? 8 : 0);
        unsigned base = in->sib & 7;
        m->scale = (uint8_t)(1u << (in->sib >> 6));
        m->index = idx == 4 ? INSN_REG_NONE : (int8_t)idx; /* 100b without REX.X: none */
        if (base == 5 && mod == 0) {
            m->base = INSN_REG_NONE; /* [index*scale + disp32]; also with REX.B */
            disp32 = true;
        } else {
            m->base = (int8_t)(base | rex_b);
        }
    } else if (rm == 5 && mod == 0) {
        /* disp32 alone; RIP-relative in 64-bit mode whatever REX.B says */
        m->base = in->mode == INSN_MODE_64 ? INSN_REG_RIP : INSN_REG_NONE;
        disp32 = true;
    } else {
        m->base = (int8_t)(rm | rex_b);
    }
    if (disp32) {
        rc = take(c, 4, &d);
        m->disp = sext(d, 4);
    } else if (mod == 1) {
        rc = take(c, 1, &d);
        m->disp = sext(d, 1);
    } else {
        rc = INSN_OK;
    }
    /* SS for rSP/rBP bases (SDM vol. 1 3.7.4, table "Default Segment Selection Rules");
     * R12/R13 are not stack registers */
    set_default_seg(in, m, m->base == INSN_REG_RSP || m->base == INSN_REG_RBP);
    return rc;
}

/* Reads ModRM (and SIB, displacement): the memory operand in in->mem, returns the reg field
 * (extended by REX.R) in *reg. */
static int modrm(struct cursor *c, unsigned *reg)
{
    struct insn *in = c->in;
    int rc = next(c, &in->modrm);
    if (rc)
        return rc;
    in->has_modrm = true;
    unsigned mod = in->modrm >> 6, rm = in->modrm & 7;
    *reg = ((in->modrm >> 3) & 7) | ((in->rex & REX_R) ? 8 : 0);
    if (mod == 3)
        return fail(c, INSN_ERR_NO_MEMORY, "register operand only, no memory access");
    return in->addr_size == 2 ? modrm16(c, mod, rm) : modrm32(c, mod, rm);
}

/* An immediate of `enc` bytes for an operation of op_size bytes. */
static int immediate(struct cursor *c, unsigned enc)
{
    struct insn *in = c->in;
    uint64_t v;
    int rc = take(c, enc, &v);
    if (rc)
        return rc;
    in->imm_size = (uint8_t)enc;
    in->imm = truncate((uint64_t)sext(v, enc), in->op_size);
    in->src = INSN_OPND_IMM;
    return INSN_OK;
}

/* iz: 2 bytes with a 16-bit operand size, else 4 (sign-extended to 8) */
static unsigned iz(unsigned op_size)
{
    return op_size == 2 ? 2 : 4;
}

static void string_operand(struct insn *in, struct insn_mem *m, int8_t reg, bool es)
{
    m->base = reg;
    m->index = INSN_REG_NONE;
    m->scale = 1;
    m->disp = 0;
    if (es)
        m->seg = INSN_SEG_ES; /* rDI operands: ES, no override (SDM vol. 2 MOVS, STOS, INS) */
    else
        set_default_seg(in, m, false);
}

/* A4/A5 MOVS, AA/AB STOS, AC/AD LODS, 6C/6D INS, 6E/6F OUTS */
static int string_op(struct insn *in, uint8_t op)
{
    in->op_size = in->mem_size = (op & 1) ? full_size(in) : 1;
    switch (op & 0xfe) {
    case 0xa4:
        in->op = INSN_OP_MOVS;
        in->dst = in->src = INSN_OPND_MEM;
        in->mem_read = in->mem_write = true;
        string_operand(in, &in->mem, INSN_REG_RSI, false);
        string_operand(in, &in->mem2, INSN_REG_RDI, true);
        break;
    case 0xaa:
        in->op = INSN_OP_STOS;
        in->dst = INSN_OPND_MEM;
        in->src = INSN_OPND_REG;
        in->reg = INSN_REG_RAX;
        in->mem_write = true;
        string_operand(in, &in->mem, INSN_REG_RDI, true);
        break;
    case 0xac:
        in->op = INSN_OP_LODS;
        in->dst = INSN_OPND_REG;
        in->src = INSN_OPND_MEM;
        in->reg = INSN_REG_RAX;
        in->mem_read = true;
        string_operand(in, &in->mem, INSN_REG_RSI, false);
        break;
    case 0x6c:
        in->op = INSN_OP_INS;
        in->op_size = in->mem_size = in->op_size == 8 ? 4 : in->op_size; /* no 64-bit I/O */
        in->dst = INSN_OPND_MEM;
        in->src = INSN_OPND_PORT;
        in->mem_write = true;
        string_operand(in, &in->mem, INSN_REG_RDI, true);
        break;
    default: /* 0x6e */
        in->op = INSN_OP_OUTS;
        in->op_size = in->mem_size = in->op_size == 8 ? 4 : in->op_size;
        in->dst = INSN_OPND_PORT;
        in->src = INSN_OPND_MEM;
        in->mem_read = true;
        string_operand(in, &in->mem, INSN_REG_RSI, false);
        break;
    }
    return INSN_OK;
}

/* reg <-> r/m forms: `to_mem` says the r/m operand is the destination */
static int rm_reg_form(struct cursor *c, enum insn_op op, unsigned size, bool to_mem)
{
    struct insn *in = c->in;
    unsigned reg;
    in->op = op;
    in->op_size = in->mem_size = (uint8_t)size;
    int rc = modrm(c, &reg);
    if (rc)
        return rc;
    in->reg = reg_operand(in, reg, size);
    in->dst = to_mem ? INSN_OPND_MEM : INSN_OPND_REG;
    in->src = to_mem ? INSN_OPND_REG : INSN_OPND_MEM;
    in->mem_read = !(op == INSN_OP_MOV && to_mem);
    in->mem_write = to_mem && op != INSN_OP_CMP && op != INSN_OP_TEST;
    return INSN_OK;
}

/* r/m <- imm forms (80-83 /n, C6/C7 /0, F6/F7 /0); `group_op` < 0: take it from ModRM.reg */
static int rm_imm_form(struct cursor *c, int group_op, unsigned size, unsigned imm_bytes)
{
    struct insn *in = c->in;
    unsigned reg;
    in->op_size = in->mem_size = (uint8_t)size;
    int rc = modrm(c, &reg);
    if (rc)
        return rc;
    if (group_op >= 0) {
        if ((reg & 7) != 0)
            return fail(c, INSN_ERR_UNSUPPORTED, "this ModRM.reg extension is not supported");
        in->op = (enum insn_op)group_op;
    } else {
        in->op = (enum insn_op)(INSN_OP_ADD + (reg & 7)); /* SDM vol. 2 table A-6, group 1 */
    }
    in->dst = INSN_OPND_MEM;
    in->mem_read = in->op != INSN_OP_MOV;
    in->mem_write = in->op != INSN_OP_CMP && in->op != INSN_OP_TEST;
    return immediate(c, imm_bytes);
}

static int two_byte(struct cursor *c)
{
    struct insn *in = c->in;
    uint8_t op;
    int rc = next(c, &op);
    if (rc)
        return rc;
    in->two_byte = true;
    in->opcode = op;
    unsigned reg;
    switch (op) {
    case 0xb6: /* MOVZX r, r/m8 */
    case 0xb7: /* MOVZX r, r/m16 */
    case 0xbe: /* MOVSX r, r/m8 */
    case 0xbf: /* MOVSX r, r/m16 */
        in->op = (op & 8) ? INSN_OP_MOVSX : INSN_OP_MOVZX;
        in->op_size = full_size(in);
        in->mem_size = (op & 1) ? 2 : 1;
        rc = modrm(c, &reg);
        if (rc)
            return rc;
        in->reg = (int8_t)reg;
        in->dst = INSN_OPND_REG;
        in->src = INSN_OPND_MEM;
        in->mem_read = true;
        return INSN_OK;
    default: {
        char what[64];
        fmt_snprintf(what, sizeof(what), "opcode 0f %02x is not supported", op);
        return fail(c, INSN_ERR_UNSUPPORTED, what);
    }
    }
}

static int moffs(struct cursor *c, uint8_t op)
{
    /* A0-A3: MOV AL/rAX <-> moffs; the offset has the address size (SDM vol. 2 MOV) */
    struct insn *in = c->in;
    uint64_t off;
    int rc = take(c, in->addr_size, &off);
    if (rc)
        return rc;
    in->op = INSN_OP_MOV;
    in->op_size = in->mem_size = (op & 1) ? full_size(in) : 1;
    in->reg = INSN_REG_RAX;
    in->mem.base = in->mem.index = INSN_REG_NONE;
    in->mem.scale = 1;
    in->mem.disp = (int64_t)off;
    set_default_seg(in, &in->mem, false);
    bool store = op & 2;
    in->dst = store ? INSN_OPND_MEM : INSN_OPND_REG;
    in->src = store ? INSN_OPND_REG : INSN_OPND_MEM;
    in->mem_read = !store;
    in->mem_write = store;
    return INSN_OK;
}

static int opcode(struct cursor *c, uint8_t op)
{
    struct insn *in = c->in;
    unsigned sz = (op & 1) ? full_size(in) : 1;
    int rc;
    in->opcode = op;
    if (op < 0x40 && (op & 7) < 4) /* ADD OR ADC SBB AND SUB XOR CMP, r/m forms */
        return rm_reg_form(c, (enum insn_op)(INSN_OP_ADD + (op >> 3)), sz, !(op & 2));
    switch (op) {
    case 0x0f:
        return two_byte(c);
    case 0x63:
        if (in->mode != INSN_MODE_64)
            break; /* ARPL */
        /* MOVSXD: r64 <- r/m32 with REX.W, else a plain r32/r16 move (SDM vol. 2 MOVSX) */
        rc = rm_reg_form(c, INSN_OP_MOVSX, full_size(in), false);
        if (rc)
            return rc;
        if (in->op_size == 8)
            in->mem_size = 4;
        return INSN_OK;
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f:
    case 0xa4:
    case 0xa5:
    case 0xaa:
    case 0xab:
    case 0xac:
    case 0xad:
        return string_op(in, op);
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83:
        if (op == 0x82 && in->mode == INSN_MODE_64)
            break; /* #UD in 64-bit mode */
        return rm_imm_form(c, -1, sz, op == 0x81 ? iz(sz) : 1);
    case 0x84:
    case 0x85:
        return rm_reg_form(c, INSN_OP_TEST, sz, true);
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x8b:
        return rm_reg_form(c, INSN_OP_MOV, sz, !(op & 2));
    case 0xa0:
    case 0xa1:
    case 0xa2:
    case 0xa3:
        return moffs(c, op);
    case 0xc6:
    case 0xc7:
        return rm_imm_form(c, INSN_OP_MOV, sz, (op & 1) ? iz(sz) : 1);
    case 0xf6:
    case 0xf7:
        return rm_imm_form(c, INSN_OP_TEST, sz, (op & 1) ? iz(sz) : 1);
    default:
        break;
    }
    char what[64];
    fmt_snprintf(what, sizeof(what), "opcode %02x is not supported", op);
    return fail(c, INSN_ERR_UNSUPPORTED, what);
}

/* LOCK is allowed only on read-modify-write instructions with a memory destination
 * (SDM vol. 2 LOCK): here ADD OR ADC SBB AND SUB XOR. */
static bool lock_ok(const struct insn *in)
{
    return in->op >= INSN_OP_ADD && in->op <= INSN_OP_XOR && in->dst == INSN_OPND_MEM;
}

int insn_decode(struct insn *out, enum insn_mode mode, insn_fetch_fn fetch, void *ctx, char *msg,
                size_t msg_size)
{
    if (!out)
        return INSN_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->seg_override = -1;
    out->reg = INSN_REG_NONE;
    out->mem.base = out->mem.index = out->mem2.base = out->mem2.index = INSN_REG_NONE;
    if (!fetch || (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)) {
        fmt_msg(msg, msg_size, "insn: bad decoder arguments");
        return INSN_ERR_ARG;
    }
    out->mode = mode;
    struct cursor c = {out, fetch, ctx, msg, msg_size};
    uint8_t op;
    int rc = prefixes(&c, &op);
    if (rc)
        return rc;
    out->addr_size = addr_size(out);
    rc = opcode(&c, op);
    if (rc)
        return rc;
    if (out->lock && !lock_ok(out))
        return fail(&c, INSN_ERR_INVALID, "LOCK prefix on an instruction that raises #UD with it");
    return INSN_OK;
}

struct buf_ctx {
    const uint8_t *p;
    size_t n;
};

static int buf_fetch(void *ctx, unsigned offset, uint8_t *byte)
{
    const struct buf_ctx *b = ctx;
    if (offset >= b->n)
        return -1;
    *byte = b->p[offset];
    return 0;
}

int insn_decode_buf(struct insn *out, enum insn_mode mode, const uint8_t *buf, size_t n, char *msg,
                    size_t msg_size)
{
    struct buf_ctx b = {buf, buf ? n : 0};
    return insn_decode(out, mode, buf_fetch, &b, msg, msg_size);
}
