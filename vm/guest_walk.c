/*
 * vm/guest_walk.c - the guest page walker (pure). SDM vol. 3 chapter 4 "Paging": 4.3 32-bit
 * paging, 4.4 PAE paging, 4.5 4-level and 5-level paging, 4.6 access rights, 4.7 page-fault
 * exceptions, 4.8 accessed and dirty flags.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/guest_walk.h"
#include "platform/fmt.h"

#define MAX_LEVELS 5
#define MAX_TRIES  4 /* walks restarted because an entry changed under the A/D update */

/* bits hi..lo set (hi >= lo; empty when lo > hi) */
static uint64_t bits(unsigned hi, unsigned lo)
{
    if (lo > hi)
        return 0;
    return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

enum gw_mode gw_paging_mode(const struct gw_state *s)
{
    /* SDM 4.1.1: CR0.PG, CR4.PAE, IA32_EFER.LME (= LMA while paging), CR4.LA57 */
    if (!(s->cr0 & CR0_PG))
        return GW_MODE_NONE;
    if (!(s->cr4 & CR4_PAE))
        return GW_MODE_32BIT;
    if (!(s->efer & EFER_LMA))
        return GW_MODE_PAE;
    return (s->cr4 & CR4_LA57) ? GW_MODE_5LEVEL : GW_MODE_4LEVEL;
}

bool gw_canonical(const struct gw_state *s, uint64_t la)
{
    enum gw_mode mode = gw_paging_mode(s);
    if (mode != GW_MODE_4LEVEL && mode != GW_MODE_5LEVEL)
        return true;
    unsigned width = mode == GW_MODE_5LEVEL ? 57 : 48; /* SDM 4.5 */
    int64_t ext = (int64_t)(la << (64 - width)) >> (64 - width);
    return (uint64_t)ext == la;
}

/* The entries a walk used, for the accessed/dirty update. */
struct walk {
    uint64_t gpa[MAX_LEVELS];   /* where the 8 bytes holding the entry are */
    uint64_t raw[MAX_LEVELS];   /* those 8 bytes as read */
    unsigned shift[MAX_LEVELS]; /* 0, or 32 for the upper half (32-bit paging) */
    unsigned n;
    bool us, rw, xd; /* AND of U/S, AND of R/W, OR of XD (with NXE) over the entries */
};

struct access {
    unsigned flags;
    bool user; /* a user-mode access: CPL 3 and not implicit (SDM 4.6) */
    bool write, fetch;
};

/* The error-code bits that describe the access rather than the cause (SDM 4.7). */
static uint32_t pf_access_bits(const struct gw_state *s, const struct access *a)
{
    uint32_t ec = 0;
    if (a->write)
        ec |= PF_ERR_W;
    if (a->user)
        ec |= PF_ERR_U;
    /* I/D: a fetch, and either SMEP or (CR4.PAE and EFER.NXE) */
    if (a->fetch && ((s->cr4 & CR4_SMEP) || ((s->cr4 & CR4_PAE) && (s->efer & EFER_NXE))))
        ec |= PF_ERR_I;
    return ec;
}

static int page_fault(const struct gw_state *s, const struct access *a, uint64_t la, uint32_t why,
                      struct gw_result *r)
{
    r->error_code = pf_access_bits(s, a) | why;
    r->cr2 = la;
    return GW_PAGE_FAULT;
}

static int read_entry(const struct gw_mem *m, uint64_t gpa, bool wide, struct walk *w,
                      uint64_t *val, struct gw_result *r)
{
    uint64_t q;
    uint64_t at = gpa & ~7ULL;
    if (m->read_pte(m->ctx, at, &q) != 0) {
        r->mem_gpa = at;
        return GW_MEM_ERROR;
    }
    unsigned shift = (!wide && (gpa & 4)) ? 32 : 0;
    *val = wide ? q : (q >> shift) & 0xffffffffULL;
    if (w->n < MAX_LEVELS) {
        w->gpa[w->n] = at;
        w->raw[w->n] = q;
        w->shift[w->n] = shift;
        w->n++;
    }
    return GW_OK;
}

static void use_entry(struct walk *w, uint64_t e, bool xd_counts)
{
    w->us = w->us && (e & GW_PTE_US);
    w->rw = w->rw && (e & GW_PTE_RW);
    w->xd = w->xd || (xd_counts && (e & GW_PTE_XD));
}

/* 32-bit paging, SDM 4.3: CR3 -> PDE (4 MiB page with CR4.PSE and PS) -> PTE -> 4 KiB page. */
static int walk_32bit(const struct gw_state *s, const struct gw_mem *m, uint64_t la,
                      const struct access *a, struct walk *w, struct gw_result *r)
{
    uint64_t pde_gpa = (s->cr3 & 0xfffff000ULL) | (((la >> 22) & 0x3ff) << 2);
    uint64_t pde, pte;
    int rc = read_entry(m, pde_gpa, false, w, &pde, r);
    if (rc)
        return rc;
    if (!(pde & GW_PTE_P))
        return page_fault(s, a, la, 0, r);
    use_entry(w, pde, false);
    if ((pde & GW_PTE_PS) && (s->cr4 & CR4_PSE)) {
        /* SDM 4.3, table "Format of a 32-Bit Page-Directory Entry that Maps a 4-MByte Page":
         * bits (M-20):13 are physical bits (M-1):32, bits 21:(M-19) are reserved; M is
         * MAXPHYADDR capped at 40, or 32 without PSE-36 */
        unsigned mw = s->pse36 ? (s->maxphyaddr < 40 ? s->maxphyaddr : 40) : 32;
        if (pde & bits(21, mw - 19))
            return page_fault(s, a, la, PF_ERR_P | PF_ERR_RSVD, r);
        uint64_t high = (pde >> 13) & ((1ULL << (mw - 32)) - 1);
        r->gpa = (pde & 0xffc00000ULL) | (high << 32) | (la & 0x3fffffULL);
        r->page_size = 4ULL << 20;
        return GW_OK;
    }
    uint64_t pte_gpa = (pde & 0xfffff000ULL) | (((la >> 12) & 0x3ff) << 2);
    rc = read_entry(m, pte_gpa, false, w, &pte, r);
    if (rc)
        return rc;
    if (!(pte & GW_PTE_P))
        return page_fault(s, a, la, 0, r);
    use_entry(w, pte, false);
    r->gpa = (pte & 0xfffff000ULL) | (la & 0xfffULL);
    r->page_size = 4096;
    return GW_OK;
}

/* PAE, 4-level and 5-level paging: 64-bit entries, 9 index bits per level. SDM 4.4.2, 4.5.4
 * (the tables "Format of a ... Entry" give the reserved bits used here). */
static int walk_wide(const struct gw_state *s, const struct gw_mem *m, uint64_t la,
                     const struct access *a, enum gw_mode mode, struct walk *w, struct gw_result *r)
{
    unsigned mw = s->maxphyaddr;
    bool nxe = s->efer & EFER_NXE;
    uint64_t addr = bits(mw - 1, 12);
    /* PAE paging: bits 62:M reserved; 4-/5-level: bits 51:M (62:52 ignored or protection
     * key); bit 63 (XD) is reserved without EFER.NXE */
    uint64_t rsvd_common = mode == GW_MODE_PAE ? bits(62, mw) : bits(51, mw);
    if (!nxe)
        rsvd_common |= GW_PTE_XD;
    unsigned levels = mode == GW_MODE_5LEVEL ? 5 : mode == GW_MODE_4LEVEL ? 4 : 3;
    uint64_t table = s->cr3 & addr;

    for (unsigned level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        uint64_t e;
        if (mode == GW_MODE_PAE && level == 3) {
            /* SDM 4.4.1: the PDPTE registers; table "Format of a PAE Page-Directory-Pointer-
             * Table Entry": bits 63:M, 8:5 and 2:1 reserved; no R/W, U/S, XD or A flag */
            e = s->pdpte[(la >> 30) & 3];
            if (!(e & GW_PTE_P))
                return page_fault(s, a, la, 0, r);
            if (e & (bits(63, mw) | bits(8, 5) | bits(2, 1)))
                return page_fault(s, a, la, PF_ERR_P | PF_ERR_RSVD, r);
            table = e & addr;
            continue;
        }
        int rc = read_entry(m, table | (((la >> shift) & 0x1ff) << 3), true, w, &e, r);
        if (rc)
            return rc;
        if (!(e & GW_PTE_P))
            return page_fault(s, a, la, 0, r);
        uint64_t rsvd = rsvd_common;
        bool leaf = level == 1;
        if (level >= 4) {
            rsvd |= GW_PTE_PS; /* PML5E, PML4E: PS is reserved */
        } else if (level == 3 && (e & GW_PTE_PS)) {
            if (s->page1gb) {
                rsvd |= bits(29, 13); /* 1-GiB page: bits 29:13 reserved */
                leaf = true;
            } else {
                rsvd |= GW_PTE_PS; /* no 1-GiB pages: PS is reserved (SDM 4.5.4) */
            }
        } else if (level == 2 && (e & GW_PTE_PS)) {
            rsvd |= bits(20, 13); /* 2-MiB page: bits 20:13 reserved */
            leaf = true;
        }
        if (e & rsvd)
            return page_fault(s, a, la, PF_ERR_P | PF_ERR_RSVD, r);
        use_entry(w, e, nxe);
        if (leaf) {
            r->page_size = 1ULL << shift;
            r->gpa = (e & addr & ~(r->page_size - 1)) | (la & (r->page_size - 1));
            if (mode != GW_MODE_PAE && (s->cr4 & CR4_PKE))
                r->pkey = (unsigned)((e >> 59) & 0xf); /* SDM 4.6.2 */
            return GW_OK;
        }
        table = e & addr;
    }
    return GW_ERR_ARG; /* not reached: level 1 is always a leaf */
}

/* Access rights of the finished translation (SDM 4.6.1 and 4.6.2): 0, or the cause bits
 * (PF_ERR_P, with PF_ERR_PK when the protection key denies the access). */
static uint32_t check_rights(const struct gw_state *s, const struct access *a, enum gw_mode mode,
                             const struct walk *w, unsigned pkey)
{
    bool wp = s->cr0 & CR0_WP;
    bool smap_blocks = (s->cr4 & CR4_SMAP) && ((a->flags & GW_IMPLICIT) || !s->ac);
    bool bad = false;
    uint32_t pk = 0;

    if (a->fetch) {
        if (a->user)
            bad = !w->us || w->xd;
        else
            bad = (w->us && (s->cr4 & CR4_SMEP)) || w->xd;
    } else if (a->user) {
        bad = !w->us || (a->write && !w->rw);
    } else if (w->us && smap_blocks) {
        bad = true; /* SMAP: supervisor data access to a user-mode address */
    } else {
        bad = a->write && !w->rw && wp;
    }

    /* protection keys: 4-/5-level paging, CR4.PKE, data access to a user-mode address */
    if (!a->fetch && w->us && (s->cr4 & CR4_PKE) &&
        (mode == GW_MODE_4LEVEL || mode == GW_MODE_5LEVEL)) {
        bool ad = (s->pkru >> (2 * pkey)) & 1;
        bool wd = (s->pkru >> (2 * pkey + 1)) & 1;
        if (ad || (a->write && wd && (a->user || wp)))
            pk = PF_ERR_PK;
    }
    if (bad || pk)
        return PF_ERR_P | pk;
    return 0;
}

/* SDM 4.8: A in every entry used, D in the one that maps the page on a write. */
static int set_ad(const struct gw_mem *m, const struct walk *w, bool write, struct gw_result *r)
{
    for (unsigned i = 0; i < w->n; i++) {
        uint64_t flags = GW_PTE_A;
        if (write && i == w->n - 1)
            flags |= GW_PTE_D;
        uint64_t val = w->raw[i] | (flags << w->shift[i]);
        if (val == w->raw[i])
            continue;
        if (!m->write_pte) {
            r->mem_gpa = w->gpa[i];
            return GW_MEM_ERROR;
        }
        int rc = m->write_pte(m->ctx, w->gpa[i], w->raw[i], val);
        if (rc != 0) {
            r->mem_gpa = w->gpa[i];
            return rc == GW_MEM_CHANGED ? GW_MEM_CHANGED : GW_MEM_ERROR;
        }
    }
    return GW_OK;
}

static int translate_once(const struct gw_state *s, const struct gw_mem *m, uint64_t la,
                          const struct access *a, enum gw_mode mode, struct gw_result *r)
{
    struct walk w = {.us = true, .rw = true};
    memset(r, 0, sizeof(*r));
    int rc = mode == GW_MODE_32BIT ? walk_32bit(s, m, la, a, &w, r)
                                   : walk_wide(s, m, la, a, mode, &w, r);
    if (rc)
        return rc;
    uint32_t why = check_rights(s, a, mode, &w, r->pkey);
    if (why)
        return page_fault(s, a, la, why, r);
    if (a->flags & GW_SET_AD) {
        rc = set_ad(m, &w, a->write, r);
        if (rc)
            return rc;
    }
    r->user = w.us;
    r->writable = w.rw;
    r->nx = w.xd;
    return GW_OK;
}

int gw_translate(const struct gw_state *s, const struct gw_mem *m, uint64_t la, unsigned access,
                 struct gw_result *r)
{
    if (!r)
        return GW_ERR_ARG;
    memset(r, 0, sizeof(*r));
    if (!s || !m || !m->read_pte || s->cpl > 3 || s->maxphyaddr < 32 || s->maxphyaddr > 52)
        return GW_ERR_ARG;
    struct access a = {
        .flags = access,
        .user = s->cpl == 3 && !(access & GW_IMPLICIT),
        .fetch = access & GW_FETCH,
        .write = (access & GW_WRITE) && !(access & GW_FETCH),
    };
    enum gw_mode mode = gw_paging_mode(s);
    if (mode == GW_MODE_NONE) {
        /* SDM 4.1.1: without paging, linear = physical (32 bits) */
        r->gpa = la & 0xffffffffULL;
        r->page_size = 4096;
        r->user = r->writable = true;
        return GW_OK;
    }
    if (mode == GW_MODE_32BIT || mode == GW_MODE_PAE) {
        la &= 0xffffffffULL; /* 32-bit linear addresses (SDM 4.1.1) */
    } else if (!gw_canonical(s, la)) {
        r->cr2 = la;
        return GW_NONCANONICAL;
    }
    int rc = GW_MEM_CHANGED;
    for (int i = 0; i < MAX_TRIES && rc == GW_MEM_CHANGED; i++)
        rc = translate_once(s, m, la, &a, mode, r);
    if (rc == GW_MEM_CHANGED)
        return GW_MEM_ERROR; /* the entry at mem_gpa kept changing under the update */
    return rc;
}

static uint64_t advance(const struct gw_state *s, uint64_t la, size_t k)
{
    enum gw_mode mode = gw_paging_mode(s);
    la += k;
    if (mode != GW_MODE_4LEVEL && mode != GW_MODE_5LEVEL)
        la &= 0xffffffffULL; /* the 32-bit modes wrap at 4 GiB */
    return la;
}

static size_t page_chunk(uint64_t la, size_t left)
{
    size_t room = 4096 - (size_t)(la & 0xfff);
    return left < room ? left : room;
}

int gw_read(const struct gw_state *s, const struct gw_mem *m, uint64_t la, void *buf, size_t n,
            unsigned access, struct gw_result *r)
{
    if (!r)
        return GW_ERR_ARG;
    memset(r, 0, sizeof(*r));
    if (!m || !m->read || (!buf && n))
        return GW_ERR_ARG;
    access &= ~GW_WRITE;
    for (size_t done = 0; done < n;) {
        int rc = gw_translate(s, m, la, access, r);
        if (rc)
            return rc;
        size_t k = page_chunk(la, n - done);
        if (m->read(m->ctx, r->gpa, (uint8_t *)buf + done, k) != 0) {
            r->mem_gpa = r->gpa;
            return GW_MEM_ERROR;
        }
        done += k;
        la = advance(s, la, k);
    }
    return GW_OK;
}

int gw_write(const struct gw_state *s, const struct gw_mem *m, uint64_t la, const void *buf,
             size_t n, unsigned access, struct gw_result *r)
{
    if (!r)
        return GW_ERR_ARG;
    memset(r, 0, sizeof(*r));
    if (!m || !m->write || (!buf && n))
        return GW_ERR_ARG;
    access = (access | GW_WRITE) & ~GW_FETCH;
    /* the CPU checks every page of an operand before it writes (no partial store) */
    uint64_t at = la;
    for (size_t done = 0; done < n;) {
        int rc = gw_translate(s, m, at, access & ~GW_SET_AD, r);
        if (rc)
            return rc;
        size_t k = page_chunk(at, n - done);
        done += k;
        at = advance(s, at, k);
    }
    for (size_t done = 0; done < n;) {
        int rc = gw_translate(s, m, la, access, r);
        if (rc)
            return rc;
        size_t k = page_chunk(la, n - done);
        if (m->write(m->ctx, r->gpa, (const uint8_t *)buf + done, k) != 0) {
            r->mem_gpa = r->gpa;
            return GW_MEM_ERROR;
        }
        done += k;
        la = advance(s, la, k);
    }
    return GW_OK;
}

int gw_describe(int status, const struct gw_result *r, char *buf, size_t n)
{
    if (!r)
        return -1;
    switch (status) {
    case GW_OK:
        return fmt_snprintf(buf, n, "translated to guest-physical 0x%llx (%llu KiB page)",
                            (unsigned long long)r->gpa, (unsigned long long)(r->page_size >> 10));
    case GW_PAGE_FAULT: {
        uint32_t ec = r->error_code;
        const char *cause = (ec & PF_ERR_RSVD) ? "reserved bit set"
                            : (ec & PF_ERR_P)  ? "protection violation"
                                               : "not present";
        const char *kind = (ec & PF_ERR_I) ? "fetch" : (ec & PF_ERR_W) ? "write" : "read";
        return fmt_snprintf(buf, n, "page fault at 0x%llx, error code 0x%x (%s, %s, %s%s)",
                            (unsigned long long)r->cr2, (unsigned)ec, cause, kind,
                            (ec & PF_ERR_U) ? "user" : "supervisor",
                            (ec & PF_ERR_PK) ? ", protection key" : "");
    }
    case GW_NONCANONICAL:
        return fmt_snprintf(buf, n, "linear address 0x%llx is not canonical",
                            (unsigned long long)r->cr2);
    case GW_MEM_ERROR:
        return fmt_snprintf(buf, n, "guest-physical 0x%llx is not RAM (or kept changing)",
                            (unsigned long long)r->mem_gpa);
    default:
        return fmt_snprintf(buf, n, "bad walker parameters");
    }
}
