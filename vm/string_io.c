/*
 * vm/string_io.c - INS/OUTS emulation (pure). The instruction pages INS/INSB/INSW/INSD and
 * OUTS/OUTSB/OUTSW/OUTSD and REP (SDM vol. 2), the exit qualification for I/O instructions
 * (SDM 28.2.1) and the VM-exit instruction-information field for INS/OUTS (SDM 28.2.5).
 *
 * The CPU checks I/O permission (CPL/IOPL and the TSS bitmap) before the VM exit (SDM
 * 26.1.1), so those are not repeated here; the memory operand's checks come after the exit
 * and are done per element, in the order of SDM 6.9 (segment faults, then #PF, then #AC).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/string_io.h"
#include "platform/fmt.h"

static const char *const seg_names[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};

enum sio_mode sio_guest_mode(uint64_t cr0, uint64_t rflags, uint64_t efer, uint32_t cs_ar)
{
    if (!(cr0 & CR0_PE))
        return SIO_MODE_REAL;
    if (rflags & RFLAGS_VM)
        return SIO_MODE_V8086;
    if ((efer & EFER_LMA) && (cs_ar & AR_L))
        return SIO_MODE_LONG64; /* SDM vol. 1 3.4.5: CS.L selects 64-bit mode */
    return (cs_ar & AR_DB) ? SIO_MODE_PROT32 : SIO_MODE_PROT16;
}

static uint64_t mask_of(unsigned bytes)
{
    return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* A register updated with the address size: 16 bits keep the rest, 32 bits zero-extend. */
static uint64_t update(uint64_t reg, uint64_t delta, unsigned asz)
{
    if (asz == 8)
        return reg + delta;
    if (asz == 4)
        return (uint32_t)(reg + delta);
    return (reg & ~0xffffULL) | ((reg + delta) & 0xffff);
}

static int fault(struct sio_result *res, uint8_t vector, uint32_t ec, char *msg, size_t n,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fault(struct sio_result *res, uint8_t vector, uint32_t ec, char *msg, size_t n,
                 const char *fmt, ...)
{
    res->vector = vector;
    res->error_code = ec;
    if (msg && n) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(msg, n, fmt, ap);
        va_end(ap);
    }
    return SIO_FAULT;
}

/* Segment checks for one element outside 64-bit mode (SDM 5.3 limit checking, 5.4 type
 * checking, 5.4.1 null selectors; real and virtual-8086 mode check the limit only). */
static int segment_check(const struct sio_input *in, unsigned segno, uint64_t offset, unsigned size,
                         bool write, struct sio_result *res, char *msg, size_t n)
{
    const struct sio_segment *s = &in->seg[segno];
    uint8_t vec = segno == INSN_SEG_SS ? X86_EXC_SS : X86_EXC_GP;
    const char *name = seg_names[segno];
    unsigned type = s->ar & AR_TYPE_MASK;
    bool prot = in->mode == SIO_MODE_PROT16 || in->mode == SIO_MODE_PROT32;
    if (prot) {
        if (s->ar & AR_UNUSABLE)
            return fault(res, vec, 0, msg, n, "#%s(0): %s is unusable (null selector)",
                         vec == X86_EXC_SS ? "SS" : "GP", name);
        bool code = type & 8;
        if (write && (code || !(type & 2)))
            return fault(res, vec, 0, msg, n, "#%s(0): %s is not a writable data segment",
                         vec == X86_EXC_SS ? "SS" : "GP", name);
        if (!write && code && !(type & 2))
            return fault(res, vec, 0, msg, n, "#%s(0): %s is an execute-only code segment",
                         vec == X86_EXC_SS ? "SS" : "GP", name);
    }
    uint64_t last = offset + size - 1;
    bool expand_down = prot && !(type & 8) && (type & 4);
    bool bad;
    if (expand_down) /* valid offsets are limit+1 .. 0xffff or 0xffffffff (SDM 3.4.5.1) */
        bad = offset <= s->limit || last > ((s->ar & AR_DB) ? 0xffffffffULL : 0xffffULL);
    else
        bad = last > s->limit;
    if (bad)
        return fault(res, vec, 0, msg, n, "#%s(0): %s limit 0x%x exceeded by offset 0x%llx size %u",
                     vec == X86_EXC_SS ? "SS" : "GP", name, s->limit, (unsigned long long)offset,
                     size);
    return SIO_DONE;
}

/* The instruction's address size and segment: from the instruction-information field when
 * the CPU provides it (SDM 28.2.5: bits 9:7 address size, 17:15 segment), else decoded. */
static int operands(const struct sio_input *in, struct sio_result *res, char *msg, size_t n)
{
    if (in->info_valid) {
        unsigned asz = (in->info >> 7) & 7, seg = (in->info >> 15) & 7;
        if (asz > 2 || (!res->in && seg > 5)) {
            fmt_msg(msg, n, "sio: bad instruction information 0x%x", in->info);
            return SIO_ERR_ARG;
        }
        res->addr_size = (uint8_t)(2u << asz);
        res->seg = res->in ? INSN_SEG_ES : (uint8_t)seg; /* INS always writes ES:rDI */
        return SIO_DONE;
    }
    enum insn_mode m = in->mode == SIO_MODE_LONG64   ? INSN_MODE_64
                       : in->mode == SIO_MODE_PROT32 ? INSN_MODE_32
                                                     : INSN_MODE_16;
    struct insn d;
    char why[120];
    int rc = insn_decode(&d, m, in->fetch, in->fetch_ctx, why, sizeof(why));
    if (rc) {
        fmt_msg(msg, n, "sio: %s", why);
        return SIO_ERR_INSN;
    }
    enum insn_op want = res->in ? INSN_OP_INS : INSN_OP_OUTS;
    if (d.op != want || d.op_size != res->size) {
        insn_format(&d, why, sizeof(why));
        fmt_msg(msg, n, "sio: the instruction at RIP is %s, not the %u-byte %s of the exit", why,
                res->size, res->in ? "INS" : "OUTS");
        return SIO_ERR_INSN;
    }
    res->addr_size = d.addr_size;
    res->seg = d.mem.seg;
    return SIO_DONE;
}

/* #PF from the walker, or a host-side error. */
static int walk_error(int rc, const struct gw_result *g, struct sio_result *res, char *msg,
                      size_t n)
{
    if (rc == GW_PAGE_FAULT) {
        res->cr2 = g->cr2;
        char why[120];
        gw_describe(rc, g, why, sizeof(why));
        return fault(res, X86_EXC_PF, g->error_code, msg, n, "#PF: %s", why);
    }
    gw_describe(rc, g, msg, n);
    if (rc == GW_MEM_ERROR) {
        res->mem_gpa = g->mem_gpa;
        return SIO_ERR_MEM;
    }
    return SIO_ERR_ARG;
}

/* INS: the destination must be writable on every page it touches before the port is read
 * (a device read has side effects; the CPU faults before it completes the iteration). */
static int check_writable(const struct gw_state *ps, const struct gw_mem *m, uint64_t la,
                          unsigned size, bool wide, struct sio_result *res, char *msg, size_t n)
{
    struct gw_result g;
    int rc = gw_translate(ps, m, la, GW_WRITE, &g);
    if (rc)
        return walk_error(rc, &g, res, msg, n);
    uint64_t next = (la | 0xfff) + 1; /* the next page, if the element reaches it */
    if (!wide)
        next &= 0xffffffffULL;
    if (((la + size - 1) & ~0xfffULL) != (la & ~0xfffULL)) {
        rc = gw_translate(ps, m, next, GW_WRITE, &g);
        if (rc)
            return walk_error(rc, &g, res, msg, n);
    }
    return SIO_DONE;
}

/* One element: checks, memory, port. */
static int element(const struct sio_input *in, const struct gw_state *ps, struct sio_regs *r,
                   struct sio_result *res, char *msg, size_t n)
{
    bool wide = in->mode == SIO_MODE_LONG64;
    unsigned size = res->size;
    uint64_t offset = (res->in ? r->rdi : r->rsi) & mask_of(res->addr_size);
    const struct sio_segment *s = &in->seg[res->seg];
    uint64_t la;
    if (wide) {
        /* SDM 3.4.4: only FS and GS have a base; the address must be canonical */
        la = offset + ((res->seg == INSN_SEG_FS || res->seg == INSN_SEG_GS) ? s->base : 0);
        if (!gw_canonical(ps, la) || !gw_canonical(ps, la + size - 1)) {
            uint8_t vec = res->seg == INSN_SEG_SS ? X86_EXC_SS : X86_EXC_GP;
            return fault(res, vec, 0, msg, n, "#%s(0): %s address 0x%llx is not canonical",
                         vec == X86_EXC_SS ? "SS" : "GP", seg_names[res->seg],
                         (unsigned long long)la);
        }
    } else {
        int rc = segment_check(in, res->seg, offset, size, res->in, res, msg, n);
        if (rc)
            return rc;
        la = (s->base + offset) & 0xffffffffULL;
    }
    /* alignment check (SDM 6.15, interrupt 17): CR0.AM, RFLAGS.AC, CPL 3 */
    bool ac = (ps->cr0 & CR0_AM) && ps->ac && ps->cpl == 3 && (la & (size - 1));

    uint8_t data[4] = {0};
    uint32_t val = 0;
    struct gw_result g;
    int rc;
    if (res->in) {
        rc = check_writable(ps, in->mem, la, size, wide, res, msg, n);
        if (rc)
            return rc;
        if (ac)
            return fault(res, X86_EXC_AC, 0, msg, n, "#AC(0): unaligned %u-byte access", size);
        if (in->port(in->port_ctx, res->port, size, true, &val) != 0) {
            fmt_msg(msg, n, "sio: IN from port 0x%x refused", res->port);
            return SIO_ERR_PORT;
        }
        for (unsigned i = 0; i < size; i++)
            data[i] = (uint8_t)(val >> (8 * i));
        rc = gw_write(ps, in->mem, la, data, size, GW_SET_AD, &g);
        if (rc)
            return walk_error(rc, &g, res, msg, n);
    } else {
        rc = gw_read(ps, in->mem, la, data, size, GW_SET_AD, &g);
        if (rc)
            return walk_error(rc, &g, res, msg, n);
        if (ac)
            return fault(res, X86_EXC_AC, 0, msg, n, "#AC(0): unaligned %u-byte access", size);
        for (unsigned i = 0; i < size; i++)
            val |= (uint32_t)data[i] << (8 * i);
        if (in->port(in->port_ctx, res->port, size, false, &val) != 0) {
            fmt_msg(msg, n, "sio: OUT to port 0x%x refused", res->port);
            return SIO_ERR_PORT;
        }
    }
    return SIO_DONE;
}

int sio_step(const struct sio_input *in, struct sio_regs *regs, struct sio_result *res, char *msg,
             size_t msg_size)
{
    if (!res)
        return SIO_ERR_ARG;
    memset(res, 0, sizeof(*res));
    fmt_msg(msg, msg_size, "%s", "");
    if (!in || !regs || !in->paging || !in->mem || !in->port || !in->budget ||
        (unsigned)in->mode > SIO_MODE_LONG64 || (!in->info_valid && !in->fetch)) {
        fmt_msg(msg, msg_size, "sio: bad arguments");
        return SIO_ERR_ARG;
    }
    /* SDM 28.2.1, table "Exit Qualification for I/O Instructions" */
    uint64_t q = in->qualification;
    unsigned size_code = q & 7;
    if (!(q & (1u << 4)) || (size_code != 0 && size_code != 1 && size_code != 3)) {
        fmt_msg(msg, msg_size, "sio: qualification 0x%llx is not a string I/O exit",
                (unsigned long long)q);
        return SIO_ERR_ARG;
    }
    res->size = (uint8_t)(size_code + 1);
    res->in = q & (1u << 3);
    res->rep = q & (1u << 5);
    res->port = (uint16_t)(q >> 16);
    int rc = operands(in, res, msg, msg_size);
    if (rc)
        return rc;

    struct gw_state ps = *in->paging;
    ps.ac = regs->rflags & RFLAGS_AC;
    uint64_t step = (regs->rflags & RFLAGS_DF) ? (uint64_t) - (int64_t)res->size : res->size;
    uint64_t count_mask = mask_of(res->addr_size); /* CX, ECX or RCX */
    for (;;) {
        if (res->rep && (regs->rcx & count_mask) == 0)
            return SIO_DONE;
        if (res->iterations == in->budget)
            return SIO_MORE;
        rc = element(in, &ps, regs, res, msg, msg_size);
        if (rc)
            return rc;
        if (res->in)
            regs->rdi = update(regs->rdi, step, res->addr_size);
        else
            regs->rsi = update(regs->rsi, step, res->addr_size);
        res->iterations++;
        if (!res->rep)
            return SIO_DONE;
        regs->rcx = update(regs->rcx, ~0ULL, res->addr_size);
    }
}
