/*
 * vm/task_switch.c - the hardware task switch (pure; see task_switch.h). SDM vol. 3 8.3 gives
 * the steps, table 8-1 the checks and their faults; the order of the checks after the commit
 * point (LDTR, SS, DS ES FS GS, CS) and the 16-bit TSS's register images follow Bochs
 * (cpu/tasking.cc), the reference the system tests compare with.
 */
#include <string.h>

#include "platform/fmt.h"
#include "platform/x86.h"
#include "vm/task_switch.h"

/* Offsets in a 32-bit TSS (SDM 8.2.1, figure 8-2) and a 16-bit TSS (SDM 8.6, figure 8-11). */
#define TSS32_CR3    0x1c
#define TSS32_EIP    0x20
#define TSS32_EFLAGS 0x24
#define TSS32_GPR    0x28 /* EAX..EDI, 4 bytes each */
#define TSS32_SEG    0x48 /* ES CS SS DS FS GS, 4 bytes each */
#define TSS32_LDT    0x60
#define TSS32_T      0x64
#define TSS32_SIZE   0x68
#define TSS16_IP     0x0e
#define TSS16_FLAGS  0x10
#define TSS16_GPR    0x12 /* AX..DI, 2 bytes each */
#define TSS16_SEG    0x22 /* ES CS SS DS, 2 bytes each */
#define TSS16_LDT    0x2a
#define TSS16_SIZE   0x2c

/* Segment descriptor type bits (SDM 3.4.5.1, table 3-1). */
#define SEG_TYPE_CODE       0x8
#define SEG_TYPE_CONFORMING 0x4 /* code */
#define SEG_TYPE_READABLE   0x2 /* code */
#define SEG_TYPE_WRITABLE   0x2 /* data */
#define SYS_TYPE_LDT        0x2

/* DR7 L0-L3 and LE: cleared by every task switch (SDM 17.2.4). */
#define DR7_LOCAL_ENABLES 0x155u

struct ts_ctx {
    const struct ts_request *rq;
    struct gw_state pg;
    const struct gw_mem *mem;
    struct ts_result *r;
    char *msg;
    size_t msg_len;
};

static int fault(struct ts_ctx *c, uint8_t vector, uint16_t sel, const char *what)
{
    c->r->vector = vector;
    c->r->has_error = true;
    c->r->error = (uint32_t)(sel & 0xfffc) | (c->rq->ext ? 1u : 0u); /* SDM 6.13 */
    if (c->msg && c->msg_len)
        fmt_snprintf(c->msg, c->msg_len, "%s: %s(0x%x)", what,
                     vector == X86_EXC_TS   ? "#TS"
                     : vector == X86_EXC_NP ? "#NP"
                     : vector == X86_EXC_SS ? "#SS"
                                            : "#GP",
                     c->r->error);
    return TS_FAULT;
}

static int walk_status(struct ts_ctx *c, int st, const struct gw_result *g, uint32_t la)
{
    if (st == GW_OK)
        return 0;
    if (st == GW_PAGE_FAULT) {
        c->r->vector = X86_EXC_PF;
        c->r->has_error = true;
        c->r->error = g->error_code;
        c->r->cr2 = (uint32_t)g->cr2;
        if (c->msg && c->msg_len)
            fmt_snprintf(c->msg, c->msg_len, "task switch: page fault at 0x%x", (uint32_t)g->cr2);
        return TS_FAULT;
    }
    c->r->mem_gpa = g->mem_gpa;
    if (c->msg && c->msg_len)
        fmt_snprintf(c->msg, c->msg_len,
                     "task switch: linear 0x%x is guest-physical 0x%lx, not RAM", la,
                     (unsigned long)g->mem_gpa);
    return TS_MEM_ERROR;
}

/* System accesses (descriptor tables, TSSs) are implicit supervisor accesses (SDM 4.6). */
static int lin_read(struct ts_ctx *c, uint32_t la, void *buf, size_t n)
{
    struct gw_result g;
    int st = gw_read(&c->pg, c->mem, la, buf, n, GW_IMPLICIT | GW_SET_AD, &g);
    return walk_status(c, st, &g, la);
}

static int lin_write(struct ts_ctx *c, uint32_t la, const void *buf, size_t n)
{
    struct gw_result g;
    int st = gw_write(&c->pg, c->mem, la, buf, n, GW_IMPLICIT | GW_SET_AD, &g);
    return walk_status(c, st, &g, la);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* A descriptor in the GDT or the current LDT. 0 read, 1 outside the table's limit (or TI = 1
 * without an LDT), else a status. *addr: its linear address. */
static int desc_read(struct ts_ctx *c, const struct ts_state *st, uint16_t sel, uint32_t d[2],
                     uint32_t *addr)
{
    uint32_t base = st->gdt_base, limit = st->gdt_limit;
    if (sel & 4) { /* SDM 3.4.2: TI selects the LDT */
        if (st->ldtr.ar & AR_UNUSABLE)
            return 1;
        base = st->ldtr.base;
        limit = st->ldtr.limit;
    }
    uint32_t off = sel & 0xfff8u;
    if (off + 7 > limit)
        return 1;
    *addr = base + off;
    uint8_t b[8];
    int rc = lin_read(c, *addr, b, 8);
    if (rc)
        return rc;
    d[0] = get32(b);
    d[1] = get32(b + 4);
    return 0;
}

/* The hidden part a descriptor loads (SDM 3.4.5 figure 3-8; VMCS access rights, 25.4.1). */
static struct ts_seg desc_to_seg(uint16_t sel, const uint32_t d[2])
{
    struct ts_seg s = {.sel = sel};
    s.base = (d[0] >> 16) | (d[1] & 0xffu) << 16 | (d[1] & 0xff000000u);
    s.limit = (d[0] & 0xffffu) | (d[1] & 0xf0000u);
    if (d[1] & (1u << 23)) /* G: 4-KiB units */
        s.limit = s.limit << 12 | 0xfffu;
    s.ar = (d[1] >> 8) & 0xf0ffu;
    return s;
}

static unsigned ar_type(uint32_t ar)
{
    return ar & AR_TYPE_MASK;
}

static unsigned ar_dpl(uint32_t ar)
{
    return (ar & AR_DPL_MASK) >> AR_DPL_SHIFT;
}

/* Loading a segment sets the accessed bit of its descriptor (SDM 3.4.5.1). */
static int touch(struct ts_ctx *c, uint32_t addr, struct ts_seg *s)
{
    if (s->ar & AR_TYPE_ACCESSED)
        return 0;
    s->ar |= AR_TYPE_ACCESSED;
    uint8_t b = (uint8_t)(s->ar & 0xff);
    return lin_write(c, addr + 5, &b, 1);
}

static struct ts_seg null_seg(uint16_t sel)
{
    return (struct ts_seg){.sel = sel, .ar = AR_UNUSABLE};
}

/* The new task's LDTR (table 8-1: a GDT selector of an LDT descriptor, present, else
 * #TS(LDT)); a null selector leaves LDTR unusable. */
static int load_ldtr(struct ts_ctx *c, struct ts_state *st, uint16_t sel)
{
    st->ldtr = null_seg(sel);
    if (sel & 4)
        return fault(c, X86_EXC_TS, sel, "LDT selector of the new task is in the LDT");
    if (!(sel & 0xfffc))
        return 0;
    uint32_t d[2], addr;
    int rc = desc_read(c, st, sel, d, &addr);
    if (rc == 1)
        return fault(c, X86_EXC_TS, sel, "LDT selector of the new task is outside the GDT");
    if (rc)
        return rc;
    struct ts_seg s = desc_to_seg(sel, d);
    if ((s.ar & AR_S) || ar_type(s.ar) != SYS_TYPE_LDT)
        return fault(c, X86_EXC_TS, sel, "LDT selector of the new task is not an LDT");
    if (!(s.ar & AR_P))
        return fault(c, X86_EXC_TS, sel, "LDT of the new task is not present");
    st->ldtr = s;
    return 0;
}

/* SS: a writable data segment with DPL = CS.RPL = SS.RPL, present (table 8-1). */
static int load_ss(struct ts_ctx *c, struct ts_state *st, uint16_t sel, unsigned cpl)
{
    if (!(sel & 0xfffc))
        return fault(c, X86_EXC_TS, sel, "SS selector of the new task is null");
    uint32_t d[2], addr;
    int rc = desc_read(c, st, sel, d, &addr);
    if (rc == 1)
        return fault(c, X86_EXC_TS, sel, "SS selector of the new task is outside its table");
    if (rc)
        return rc;
    struct ts_seg s = desc_to_seg(sel, d);
    if (!(s.ar & AR_S) || (ar_type(s.ar) & SEG_TYPE_CODE) || !(ar_type(s.ar) & SEG_TYPE_WRITABLE))
        return fault(c, X86_EXC_TS, sel, "SS of the new task is not a writable data segment");
    if (!(s.ar & AR_P))
        return fault(c, X86_EXC_SS, sel, "SS of the new task is not present");
    if (ar_dpl(s.ar) != cpl || ar_dpl(s.ar) != (sel & 3u))
        return fault(c, X86_EXC_TS, sel, "SS DPL of the new task differs from CS.RPL or SS.RPL");
    rc = touch(c, addr, &s);
    if (rc)
        return rc;
    st->seg[TS_SS] = s;
    return 0;
}

/* DS ES FS GS: null, or data or readable code, DPL >= CPL and RPL unless conforming code,
 * present (table 8-1). */
static int load_data(struct ts_ctx *c, struct ts_state *st, int i, uint16_t sel, unsigned cpl)
{
    static const char *const names[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    char what[64];
    if (!(sel & 0xfffc)) {
        st->seg[i] = null_seg(sel);
        return 0;
    }
    uint32_t d[2], addr;
    int rc = desc_read(c, st, sel, d, &addr);
    if (rc == 1) {
        fmt_snprintf(what, sizeof(what), "%s selector of the new task is outside its table",
                     names[i]);
        return fault(c, X86_EXC_TS, sel, what);
    }
    if (rc)
        return rc;
    struct ts_seg s = desc_to_seg(sel, d);
    unsigned t = ar_type(s.ar);
    if (!(s.ar & AR_S) || ((t & SEG_TYPE_CODE) && !(t & SEG_TYPE_READABLE))) {
        fmt_snprintf(what, sizeof(what), "%s of the new task is not data or readable code",
                     names[i]);
        return fault(c, X86_EXC_TS, sel, what);
    }
    bool conforming = (t & SEG_TYPE_CODE) && (t & SEG_TYPE_CONFORMING);
    if (!conforming && (ar_dpl(s.ar) < cpl || ar_dpl(s.ar) < (sel & 3u))) {
        fmt_snprintf(what, sizeof(what), "%s DPL of the new task is below CPL or RPL", names[i]);
        return fault(c, X86_EXC_TS, sel, what);
    }
    if (!(s.ar & AR_P)) {
        fmt_snprintf(what, sizeof(what), "%s of the new task is not present", names[i]);
        return fault(c, X86_EXC_NP, sel, what);
    }
    rc = touch(c, addr, &s);
    if (rc)
        return rc;
    st->seg[i] = s;
    return 0;
}

/* CS: a code segment, DPL = RPL (non-conforming) or DPL <= RPL (conforming), present. */
static int load_cs(struct ts_ctx *c, struct ts_state *st, uint16_t sel)
{
    if (!(sel & 0xfffc))
        return fault(c, X86_EXC_TS, sel, "CS selector of the new task is null");
    uint32_t d[2], addr;
    int rc = desc_read(c, st, sel, d, &addr);
    if (rc == 1)
        return fault(c, X86_EXC_TS, sel, "CS selector of the new task is outside its table");
    if (rc)
        return rc;
    struct ts_seg s = desc_to_seg(sel, d);
    unsigned t = ar_type(s.ar);
    if (!(s.ar & AR_S) || !(t & SEG_TYPE_CODE))
        return fault(c, X86_EXC_TS, sel, "CS of the new task is not a code segment");
    if ((t & SEG_TYPE_CONFORMING) ? ar_dpl(s.ar) > (sel & 3u) : ar_dpl(s.ar) != (sel & 3u))
        return fault(c, X86_EXC_TS, sel, "CS DPL of the new task does not match its RPL");
    if (!(s.ar & AR_P))
        return fault(c, X86_EXC_NP, sel, "CS of the new task is not present");
    rc = touch(c, addr, &s);
    if (rc)
        return rc;
    st->seg[TS_CS] = s;
    return 0;
}

/* Virtual-8086 mode: every segment is selector << 4 with a 64-KiB limit, DPL 3 (SDM 20.1.1;
 * VMCS access rights 0xf3, 27.3.1.2). */
static void load_v86(struct ts_state *st, const uint16_t sel[6])
{
    for (int i = 0; i < 6; i++)
        st->seg[i] = (struct ts_seg){sel[i], (uint32_t)sel[i] << 4, 0xffff, 0xf3};
}

/* CR3 from a 32-bit TSS, with paging (SDM 8.2.1; Bochs loads it only when CR0.PG = 1). PAE
 * paging loads the PDPTE registers from it; a reserved bit set is #TS(0) after the commit
 * point as in Bochs (SDM 4.4.1 gives #GP for MOV to CR3). */
static int load_cr3(struct ts_ctx *c, struct ts_state *st, uint32_t cr3)
{
    st->cr3 = cr3;
    c->pg.cr3 = cr3;
    c->r->cr3_loaded = true;
    if (!(c->pg.cr4 & CR4_PAE))
        return 0;
    uint64_t rsvd = 0x1e6ull | ~((1ull << c->pg.maxphyaddr) - 1); /* SDM 4.4.1 table 4-8 */
    for (unsigned i = 0; i < 4; i++) {
        uint64_t e;
        if (c->mem->read(c->mem->ctx, (cr3 & 0xffffffe0u) + 8 * i, &e, 8)) {
            c->r->mem_gpa = (cr3 & 0xffffffe0u) + 8 * i;
            if (c->msg && c->msg_len)
                fmt_snprintf(c->msg, c->msg_len, "task switch: PDPTE at 0x%lx is not RAM",
                             (unsigned long)c->r->mem_gpa);
            return TS_MEM_ERROR;
        }
        if ((e & 1) && (e & rsvd))
            return fault(c, X86_EXC_TS, 0, "a PDPTE of the new task's CR3 has reserved bits set");
        c->r->pdpte[i] = e;
        c->pg.pdpte[i] = e;
    }
    return 0;
}

/* The new task's error code on its stack (SDM 6.13; a dword in a 32-bit task, a word in a
 * 16-bit one), with the stack limit checked (#SS(0) as a push would, SDM 6.14). */
static int push_error(struct ts_ctx *c, struct ts_state *st, bool tss32)
{
    unsigned n = tss32 ? 4 : 2;
    const struct ts_seg *ss = &st->seg[TS_SS];
    uint32_t esp = (ss->ar & AR_DB) ? st->gpr[4] : (st->gpr[4] & 0xffffu);
    uint32_t new_esp = (ss->ar & AR_DB) ? esp - n : ((esp - n) & 0xffffu);
    bool expand_down = (ar_type(ss->ar) & 0x4) != 0;
    bool ok = expand_down
                  ? new_esp > ss->limit && new_esp <= ((ss->ar & AR_DB) ? ~0u : 0xffffu) - (n - 1)
                  : new_esp <= ss->limit && new_esp + (n - 1) <= ss->limit;
    if (!ok)
        return fault(c, X86_EXC_SS, 0, "no room on the new task's stack for the error code");
    uint8_t b[4];
    put32(b, c->rq->error);
    int rc = lin_write(c, ss->base + new_esp, b, n);
    if (rc)
        return rc;
    st->gpr[4] = (ss->ar & AR_DB) ? new_esp : ((st->gpr[4] & 0xffff0000u) | new_esp);
    return 0;
}

/* Steps after the commit point (SDM 8.3 steps 11-14): registers from the image, then the
 * descriptors, each check's fault raised in the new task's context. */
static int load_new_task(struct ts_ctx *c, struct ts_state *st, const uint8_t *img, bool tss32)
{
    uint16_t sel[6], ldt;
    uint32_t eflags;
    if (tss32) {
        if (c->pg.cr0 & CR0_PG) {
            int rc = load_cr3(c, st, get32(img + TSS32_CR3));
            if (rc)
                return rc;
        }
        st->eip = get32(img + TSS32_EIP);
        eflags = get32(img + TSS32_EFLAGS);
        for (int i = 0; i < 8; i++)
            st->gpr[i] = get32(img + TSS32_GPR + 4 * i);
        for (int i = 0; i < 6; i++)
            sel[i] = get16(img + TSS32_SEG + 4 * i);
        ldt = get16(img + TSS32_LDT);
        c->r->debug_trap = (get16(img + TSS32_T) & 1) != 0; /* SDM 8.2.1: T flag */
    } else {
        /* SDM 8.6: a 16-bit TSS holds the low halves only. As Bochs: the upper halves of the
         * general registers read 0xffff, of EIP and EFLAGS 0; FS and GS are null. */
        st->eip = get16(img + TSS16_IP);
        eflags = get16(img + TSS16_FLAGS);
        for (int i = 0; i < 8; i++)
            st->gpr[i] = 0xffff0000u | get16(img + TSS16_GPR + 2 * i);
        for (int i = 0; i < 4; i++)
            sel[i] = get16(img + TSS16_SEG + 2 * i);
        sel[TS_FS] = sel[TS_GS] = 0;
        ldt = get16(img + TSS16_LDT);
    }
    if (c->rq->source == TS_CALL || c->rq->source == TS_GATE)
        eflags |= RFLAGS_NT;                  /* SDM 8.4 table 8-2: nested task */
    st->eflags = (eflags & 0x3f7fd7u) | 0x2u; /* reserved bits: 1 reads 1, 3 5 15 22-31 0 */

    /* Selectors first: the ones whose descriptor fails to load keep the new selector. */
    for (int i = 0; i < 6; i++)
        st->seg[i].sel = sel[i];
    int rc = load_ldtr(c, st, ldt);
    if (rc)
        return rc;
    if (st->eflags & RFLAGS_VM) {
        load_v86(st, sel);
    } else {
        unsigned cpl = sel[TS_CS] & 3u;
        if ((rc = load_ss(c, st, sel[TS_SS], cpl)) != 0)
            return rc;
        static const int data[4] = {TS_DS, TS_ES, TS_FS, TS_GS};
        for (int k = 0; k < 4; k++)
            if ((rc = load_data(c, st, data[k], sel[data[k]], cpl)) != 0)
                return rc;
        if ((rc = load_cs(c, st, sel[TS_CS])) != 0)
            return rc;
    }
    if (c->rq->source == TS_GATE && c->rq->has_error)
        return push_error(c, st, tss32);
    return 0;
}

int ts_switch(const struct ts_request *rq, struct ts_state *st, const struct gw_state *paging,
              const struct gw_mem *mem, struct ts_result *r, char *msg, size_t msg_len)
{
    if (!rq || !st || !paging || !mem || !r || (paging->efer & EFER_LMA))
        return TS_ERR_ARG; /* IA-32e mode: #GP before any exit (SDM 26.4.2) */
    memset(r, 0, sizeof(*r));
    if (msg && msg_len)
        msg[0] = '\0';
    struct ts_ctx c = {rq, *paging, mem, r, msg, msg_len};
    c.pg.cr3 = st->cr3;
    c.pg.cpl = 0;
    bool iret = rq->source == TS_IRET, nest = rq->source == TS_CALL || rq->source == TS_GATE;
    uint16_t sel = rq->selector;
    /* The descriptor checks the CPU made before the exit (SDM 26.4.2 steps 2-4), made again:
     * the GDT may have changed since. IRET faults with #TS, the others with #GP (table 8-1). */
    uint8_t bad = iret ? X86_EXC_TS : X86_EXC_GP;
    if (sel & 4)
        return fault(&c, bad, sel, "TSS selector points into the LDT");
    uint32_t d[2], daddr;
    int rc = desc_read(&c, st, sel, d, &daddr);
    if (rc == 1)
        return fault(&c, bad, sel, "TSS selector is outside the GDT");
    if (rc)
        return rc;
    struct ts_seg ntss = desc_to_seg(sel, d);
    unsigned t = ar_type(ntss.ar);
    if ((ntss.ar & AR_S) || (t & 0x5) != 0x1 /* 1 3 9 B: a TSS */)
        return fault(&c, bad, sel, "the selector does not name a TSS descriptor");
    bool busy = (t & TS_TYPE_BUSY_BIT) != 0, tss32 = (t & 0x8) != 0;
    if (iret && !busy) /* SDM 8.3 step 3, table 8-1 */
        return fault(&c, X86_EXC_TS, sel, "IRET to a task that is not busy");
    if (!iret && busy)
        return fault(&c, X86_EXC_GP, sel, "the new task is busy");
    if (!(ntss.ar & AR_P))
        return fault(&c, X86_EXC_NP, sel, "the new TSS is not present");
    if (ntss.limit < (tss32 ? TS_TSS32_MIN_LIMIT : TS_TSS16_MIN_LIMIT))
        return fault(&c, X86_EXC_TS, sel, "the new TSS's limit is too small");

    /* The old TSS must hold the state saved into it (Bochs: #TS(old selector)). */
    bool old32 = (ar_type(st->tr.ar) & 0x8) != 0;
    if (st->tr.limit < (old32 ? 0x5fu : 0x29u))
        return fault(&c, X86_EXC_TS, st->tr.sel, "the current TSS's limit is too small");

    /* Step 7: the current task's state into its TSS; IRET clears NT in the saved image. */
    uint32_t old_eflags = st->eflags & ~(iret ? (uint32_t)RFLAGS_NT : 0u);
    uint8_t save[0x40];
    uint32_t save_off, save_len;
    if (old32) {
        save_off = TSS32_EIP;
        save_len = TSS32_SEG + 6 * 4 - TSS32_EIP - 2; /* through the GS selector's word */
        put32(save, st->eip);
        put32(save + 4, old_eflags);
        for (int i = 0; i < 8; i++)
            put32(save + 8 + 4 * i, st->gpr[i]);
        for (int i = 0; i < 6; i++)
            put32(save + 0x28 + 4 * i, st->seg[i].sel);
    } else {
        save_off = TSS16_IP;
        save_len = TSS16_LDT - TSS16_IP;
        put16(save, (uint16_t)st->eip);
        put16(save + 2, (uint16_t)old_eflags);
        for (int i = 0; i < 8; i++)
            put16(save + 4 + 2 * i, (uint16_t)st->gpr[i]);
        for (int i = 0; i < 4; i++)
            put16(save + 0x14 + 2 * i, st->seg[i].sel);
    }
    /* Step 4: both TSSs paged in before anything is written (a #PF here leaves the old task
     * as it was): the new TSS is read, the save area written in one checked write. */
    uint8_t img[TSS32_SIZE];
    if ((rc = lin_read(&c, ntss.base, img, tss32 ? TSS32_SIZE : TSS16_SIZE)) != 0)
        return rc;
    if ((rc = lin_write(&c, st->tr.base + save_off, save, save_len)) != 0)
        return rc;
    if (ntss.base == st->tr.base) /* switching to itself: it reads back what it saved */
        memcpy(img + save_off, save, save_len);

    /* Step 9: CALL and task gates link the new TSS back to the old one (SDM 8.4). */
    if (nest) {
        uint8_t link[2];
        put16(link, st->tr.sel);
        if ((rc = lin_write(&c, ntss.base, link, 2)) != 0)
            return rc;
    }
    /* Steps 5 and 10: busy flags (SDM 8.4 table 8-2): JMP and IRET free the old task, all
     * but IRET mark the new one busy. */
    if (!nest) {
        uint32_t od[2], oaddr;
        if ((rc = desc_read(&c, st, st->tr.sel & ~4u, od, &oaddr)) < 0)
            return rc;
        if (rc == 0) {
            uint8_t b = (uint8_t)((od[1] >> 8) & ~TS_TYPE_BUSY_BIT);
            if ((rc = lin_write(&c, oaddr + 5, &b, 1)) != 0)
                return rc;
        }
    }
    if (!iret) {
        uint8_t b = (uint8_t)((d[1] >> 8) | TS_TYPE_BUSY_BIT);
        if ((rc = lin_write(&c, daddr + 5, &b, 1)) != 0)
            return rc;
    }

    /* Commit point (SDM 8.3 step 11): TR, CR0.TS, DR7's local enables. */
    r->committed = true;
    st->tr = ntss;
    st->tr.ar |= TS_TYPE_BUSY_BIT;
    st->cr0 |= (uint32_t)CR0_TS;
    st->dr7 &= ~DR7_LOCAL_ENABLES;
    rc = load_new_task(&c, st, img, tss32);
    if (rc == TS_FAULT)
        r->debug_trap = false;
    return rc;
}

const char *ts_source_name(enum ts_source s)
{
    switch (s) {
    case TS_CALL:
        return "CALL";
    case TS_IRET:
        return "IRET";
    case TS_JMP:
        return "JMP";
    case TS_GATE:
        return "task gate";
    }
    return "?";
}
