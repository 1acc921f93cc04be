/*
 * vmx/ept.c - EPT paging structures (pure): builder, software walker, misconfiguration
 * explanation, accessed/dirty collection. SDM 29.3 (EPT), 29.3.2 (entry formats), 29.3.3.1
 * (misconfigurations), 29.3.5 (accessed and dirty flags), 25.6.11 (EPTP).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmx/ept.h"
#include "platform/fmt.h"

#define PAGE_4K     4096ULL
#define ENTRIES     512u
#define TABLE_PERMS (EPT_R | EPT_W | EPT_X) /* non-leaf entries: the leaf decides */

/* ---- small helpers ------------------------------------------------------------------- */

/* Bits of the guest-physical address a level translates: 12 + 9 * (level - 1). */
static unsigned level_shift(unsigned level)
{
    return 12u + 9u * (level - 1u);
}

static uint64_t level_span(unsigned level)
{
    return 1ULL << level_shift(level);
}

static unsigned level_index(uint64_t gpa, unsigned level)
{
    return (unsigned)((gpa >> level_shift(level)) & (ENTRIES - 1u));
}

static uint64_t *table_at(const struct ept *e, uint64_t phys)
{
    return (uint64_t *)e->mem.ptr(e->mem.ctx, phys);
}

/* An entry is present when any of bits 2:0 is 1 (SDM 29.3.2). */
static bool present(uint64_t entry)
{
    return (entry & EPT_E_PERM) != 0;
}

/* A PTE always maps a page; a PDPTE or PDE does when bit 7 is 1 (SDM 29.3.2). */
static bool is_leaf(uint64_t entry, unsigned level)
{
    return level == EPT_PTE || (entry & EPT_E_PAGE_SIZE);
}

static bool leaf_allowed(const struct ept *e, unsigned level)
{
    return level == EPT_PTE || (level == EPT_PDE && (e->page_sizes & EPT_PAGE_2M)) ||
           (level == EPT_PDPTE && (e->page_sizes & EPT_PAGE_1G));
}

/* Address bits at or above MAXPHYADDR, within 51:12 (reserved, SDM 29.3.3.1). */
static uint64_t addr_beyond(const struct ept *e)
{
    return EPT_E_ADDR & ~((1ULL << e->phys_bits) - 1);
}

/* The page a leaf at `level` maps: address bits only. */
static uint64_t leaf_base(uint64_t entry, unsigned level)
{
    return entry & EPT_E_ADDR & ~(level_span(level) - 1);
}

static bool valid_memtype(unsigned t)
{
    return t == EPT_MT_UC || t == EPT_MT_WC || t == EPT_MT_WT || t == EPT_MT_WP || t == EPT_MT_WB;
}

static bool table_empty(const uint64_t *t)
{
    for (unsigned i = 0; i < ENTRIES; i++)
        if (t[i])
            return false;
    return true;
}

static int alloc_table(struct ept *e, uint64_t *phys)
{
    uint64_t p = e->mem.alloc_page(e->mem.ctx);
    if (!p)
        return EPT_ENOMEM;
    if (p & (PAGE_4K - 1)) {
        e->mem.free_page(e->mem.ctx, p);
        return EPT_EBADPAGE;
    }
    memset(table_at(e, p), 0, PAGE_4K);
    e->tables++;
    *phys = p;
    return EPT_OK;
}

static void free_table(struct ept *e, uint64_t phys)
{
    e->mem.free_page(e->mem.ctx, phys);
    e->tables--;
}

/* Frees a table at `level` and every table below it. */
static void free_tree(struct ept *e, uint64_t phys, unsigned level)
{
    if (level > EPT_PTE) {
        const uint64_t *t = table_at(e, phys);
        for (unsigned i = 0; i < ENTRIES; i++)
            if (present(t[i]) && !is_leaf(t[i], level))
                free_tree(e, t[i] & EPT_E_ADDR, level - 1);
    }
    free_table(e, phys);
}

/* Replaces the large-page leaf *ent at `level` by a table of 512 leaves one level down that
 * map the same memory with the same attributes (A/D included, so no dirt is lost). The leaf
 * stays as it was when no page is available. */
static int split(struct ept *e, uint64_t *ent, unsigned level)
{
    uint64_t phys;
    int rc = alloc_table(e, &phys);
    if (rc)
        return rc;
    uint64_t *t = table_at(e, phys);
    uint64_t base = leaf_base(*ent, level);
    uint64_t attrs = *ent & ~EPT_E_ADDR & ~EPT_E_PAGE_SIZE;
    uint64_t child = level_span(level - 1);
    uint64_t ps = (level - 1 > EPT_PTE) ? EPT_E_PAGE_SIZE : 0;
    for (unsigned i = 0; i < ENTRIES; i++)
        t[i] = (base + i * child) | attrs | ps;
    *ent = phys | TABLE_PERMS;
    return EPT_OK;
}

/* ---- argument checks ------------------------------------------------------------------- */

/* SDM 29.3.3.1: W without R is a misconfiguration; so is X without R unless execute-only
 * translations are supported (IA32_VMX_EPT_VPID_CAP[0], SDM A.10). */
static int check_perm(const struct ept *e, unsigned perm)
{
    if (perm == 0 || (perm & ~(unsigned)EPT_E_PERM))
        return EPT_ENOPERM;
    if ((perm & (EPT_R | EPT_W)) == EPT_W)
        return EPT_EWRITE_NO_READ;
    if (perm == EPT_X && !e->exec_only_ok)
        return EPT_EEXEC_ONLY;
    return EPT_OK;
}

static int check_gpa_range(uint64_t gpa, uint64_t size)
{
    if (size == 0)
        return EPT_ESIZE;
    if ((gpa | size) & (PAGE_4K - 1))
        return EPT_EALIGN;
    uint64_t limit = 1ULL << EPT_GPA_BITS;
    if (gpa >= limit || size > limit - gpa)
        return EPT_EGPA_RANGE;
    return EPT_OK;
}

/* ---- init ------------------------------------------------------------------------------ */

int ept_init(struct ept *e, const struct ept_mem *m, unsigned page_sizes, bool ad_flags,
             bool execute_only_supported)
{
    if (!e || !m || !m->alloc_page || !m->free_page || !m->ptr)
        return EPT_EINVAL;
    if (!(page_sizes & EPT_PAGE_4K) || (page_sizes & ~(EPT_PAGE_4K | EPT_PAGE_2M | EPT_PAGE_1G)))
        return EPT_EPAGE_SIZES;
    /* splitting a 1G page needs 2M leaves; every processor with 1G EPT pages has 2M ones */
    if ((page_sizes & EPT_PAGE_1G) && !(page_sizes & EPT_PAGE_2M))
        return EPT_EPAGE_SIZES;
    memset(e, 0, sizeof(*e));
    e->mem = *m;
    e->page_sizes = page_sizes;
    e->ad = ad_flags;
    e->exec_only_ok = execute_only_supported;
    e->phys_bits = 52;
    int rc = alloc_table(e, &e->pml4);
    if (rc)
        e->pml4 = 0;
    return rc;
}

void ept_destroy(struct ept *e)
{
    if (!e || !e->pml4)
        return;
    free_tree(e, e->pml4, EPT_PML4E);
    e->pml4 = 0;
}

int ept_set_phys_bits(struct ept *e, unsigned bits)
{
    if (!e)
        return EPT_EINVAL;
    if (bits < 32 || bits > 52)
        return EPT_EPHYS_BITS;
    e->phys_bits = (uint8_t)bits;
    return EPT_OK;
}

/* ---- map ------------------------------------------------------------------------------- */

/* Does the leaf `old` at `level` already map gpa to hpa with these attributes? */
static bool leaf_same(uint64_t old, unsigned level, uint64_t gpa, uint64_t hpa, uint64_t bits)
{
    const uint64_t attrs = EPT_E_PERM | EPT_E_MEMTYPE | EPT_E_IGNORE_PAT;
    uint64_t off = gpa & (level_span(level) - 1);
    return leaf_base(old, level) + off == hpa && (old & attrs) == (bits & attrs);
}

static int map_level(struct ept *e, uint64_t table, unsigned level, uint64_t gpa, uint64_t end,
                     uint64_t hpa, uint64_t bits)
{
    uint64_t *t = table_at(e, table);
    uint64_t span = level_span(level);
    while (gpa < end) {
        uint64_t *ent = &t[level_index(gpa, level)];
        uint64_t start = gpa & ~(span - 1);
        uint64_t stop = end - start < span ? end : start + span;
        if (gpa == start && stop - start == span && !(hpa & (span - 1)) && leaf_allowed(e, level)) {
            uint64_t old = *ent;
            *ent = hpa | bits | (level > EPT_PTE ? EPT_E_PAGE_SIZE : 0);
            if (present(old) && !is_leaf(old, level))
                free_tree(e, old & EPT_E_ADDR, level - 1);
        } else if (present(*ent) && is_leaf(*ent, level) &&
                   leaf_same(*ent, level, gpa, hpa, bits)) {
            /* already mapped this way: nothing to split */
        } else {
            bool fresh = false;
            int rc = EPT_OK;
            if (!present(*ent)) {
                uint64_t phys;
                rc = alloc_table(e, &phys);
                if (rc)
                    return rc;
                *ent = phys | TABLE_PERMS;
                fresh = true;
            } else if (is_leaf(*ent, level)) {
                rc = split(e, ent, level); /* SDM 29.3.2: a smaller page inside a large one */
                if (rc)
                    return rc;
            }
            uint64_t child = *ent & EPT_E_ADDR;
            rc = map_level(e, child, level - 1, gpa, stop, hpa, bits);
            if (rc) {
                if (fresh && table_empty(table_at(e, child))) {
                    *ent = 0;
                    free_table(e, child);
                }
                return rc;
            }
        }
        hpa += stop - gpa;
        gpa = stop;
    }
    return EPT_OK;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm,
            unsigned memtype, bool ignore_pat)
{
    if (!e || !e->pml4)
        return EPT_EINVAL;
    int rc = check_perm(e, perm);
    if (rc)
        return rc;
    if (!valid_memtype(memtype)) /* SDM 29.3.3.1: 2, 3, 7 are reserved */
        return EPT_EMEMTYPE;
    rc = check_gpa_range(gpa, size);
    if (rc)
        return rc;
    if (hpa & (PAGE_4K - 1))
        return EPT_EALIGN;
    uint64_t hlimit = 1ULL << e->phys_bits;
    if (hpa >= hlimit || size > hlimit - hpa)
        return EPT_EHPA_RANGE;
    uint64_t bits = (uint64_t)perm | ((uint64_t)memtype << 3) | (ignore_pat ? EPT_E_IGNORE_PAT : 0);
    return map_level(e, e->pml4, EPT_PML4E, gpa, gpa + size, hpa, bits);
}

/* ---- unmap and protect ----------------------------------------------------------------- */

static int unmap_level(struct ept *e, uint64_t table, unsigned level, uint64_t gpa, uint64_t end)
{
    uint64_t *t = table_at(e, table);
    uint64_t span = level_span(level);
    while (gpa < end) {
        uint64_t *ent = &t[level_index(gpa, level)];
        uint64_t start = gpa & ~(span - 1);
        uint64_t stop = end - start < span ? end : start + span;
        uint64_t old = *ent;
        if (!present(old)) {
            /* nothing mapped here */
        } else if (gpa == start && stop - start == span) {
            *ent = 0;
            if (!is_leaf(old, level))
                free_tree(e, old & EPT_E_ADDR, level - 1);
        } else {
            if (is_leaf(old, level)) {
                int rc = split(e, ent, level);
                if (rc)
                    return rc;
            }
            uint64_t child = *ent & EPT_E_ADDR;
            int rc = unmap_level(e, child, level - 1, gpa, stop);
            if (table_empty(table_at(e, child))) {
                *ent = 0;
                free_table(e, child);
            }
            if (rc)
                return rc;
        }
        gpa = stop;
    }
    return EPT_OK;
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t size)
{
    if (!e || !e->pml4)
        return EPT_EINVAL;
    int rc = check_gpa_range(gpa, size);
    if (rc)
        return rc;
    return unmap_level(e, e->pml4, EPT_PML4E, gpa, gpa + size);
}

static bool all_mapped(const struct ept *e, uint64_t table, unsigned level, uint64_t gpa,
                       uint64_t end)
{
    const uint64_t *t = table_at(e, table);
    uint64_t span = level_span(level);
    while (gpa < end) {
        uint64_t ent = t[level_index(gpa, level)];
        uint64_t start = gpa & ~(span - 1);
        uint64_t stop = end - start < span ? end : start + span;
        if (!present(ent))
            return false;
        if (!is_leaf(ent, level) && !all_mapped(e, ent & EPT_E_ADDR, level - 1, gpa, stop))
            return false;
        gpa = stop;
    }
    return true;
}

static int protect_level(struct ept *e, uint64_t table, unsigned level, uint64_t gpa, uint64_t end,
                         unsigned perm)
{
    uint64_t *t = table_at(e, table);
    uint64_t span = level_span(level);
    while (gpa < end) {
        uint64_t *ent = &t[level_index(gpa, level)];
        uint64_t start = gpa & ~(span - 1);
        uint64_t stop = end - start < span ? end : start + span;
        bool whole = gpa == start && stop - start == span;
        if (is_leaf(*ent, level)) {
            if ((*ent & EPT_E_PERM) != perm) {
                if (!whole) {
                    int rc = split(e, ent, level);
                    if (rc)
                        return rc;
                    rc = protect_level(e, *ent & EPT_E_ADDR, level - 1, gpa, stop, perm);
                    if (rc)
                        return rc;
                } else {
                    *ent = (*ent & ~EPT_E_PERM) | perm;
                }
            }
        } else {
            int rc = protect_level(e, *ent & EPT_E_ADDR, level - 1, gpa, stop, perm);
            if (rc)
                return rc;
        }
        gpa = stop;
    }
    return EPT_OK;
}

int ept_protect(struct ept *e, uint64_t gpa, uint64_t size, unsigned perm)
{
    if (!e || !e->pml4)
        return EPT_EINVAL;
    int rc = check_perm(e, perm);
    if (rc)
        return rc;
    rc = check_gpa_range(gpa, size);
    if (rc)
        return rc;
    if (!all_mapped(e, e->pml4, EPT_PML4E, gpa, gpa + size))
        return EPT_ENOTMAPPED;
    return protect_level(e, e->pml4, EPT_PML4E, gpa, gpa + size, perm);
}

/* ---- EPTP ------------------------------------------------------------------------------ */

uint64_t ept_eptp(const struct ept *e, unsigned memtype)
{
    /* SDM 25.6.11: bits 2:0 memory type of the paging structures (UC or WB, A.10),
     * bits 5:3 page-walk length minus 1, bit 6 enables accessed and dirty flags */
    if (!e || !e->pml4 || (memtype != EPT_MT_UC && memtype != EPT_MT_WB))
        return 0;
    return e->pml4 | memtype | (3ULL << 3) | (e->ad ? 1ULL << 6 : 0);
}

/* ---- walker ---------------------------------------------------------------------------- */

/* Reserved bits of a present entry besides the address bits beyond MAXPHYADDR
 * (SDM 29.3.2 entry formats; 29.3.3.1). */
static uint64_t reserved_bits(uint64_t entry, unsigned level)
{
    switch (level) {
    case EPT_PML4E:
        return 0xf8ULL; /* bits 7:3 */
    case EPT_PDPTE:
        if (entry & EPT_E_PAGE_SIZE)
            return 0x3ffff000ULL; /* bits 29:12 of a 1G page */
        return 0x78ULL;           /* bits 6:3 (bit 7 is 0) */
    case EPT_PDE:
        if (entry & EPT_E_PAGE_SIZE)
            return 0x1ff000ULL; /* bits 20:12 of a 2M page */
        return 0x78ULL;
    default:
        return 0; /* a PTE: bits 6:3 are memory type and ignore-PAT, bit 7 is ignored */
    }
}

/* The first misconfiguration of a present entry (SDM 29.3.3.1), with the bits at fault. */
static enum ept_misconfig check_entry(const struct ept *e, uint64_t entry, unsigned level,
                                      uint64_t *bad)
{
    if ((entry & (EPT_R | EPT_W)) == EPT_W) {
        *bad = entry & EPT_E_PERM;
        return EPT_MC_WRITE_NO_READ;
    }
    if ((entry & EPT_E_PERM) == EPT_X && !e->exec_only_ok) {
        *bad = entry & EPT_E_PERM;
        return EPT_MC_EXEC_ONLY;
    }
    /* bit 7 of a PDPTE/PDE is reserved where the page size is unsupported (SDM 29.3.2, A.10) */
    if ((level == EPT_PDPTE || level == EPT_PDE) && (entry & EPT_E_PAGE_SIZE) &&
        !leaf_allowed(e, level)) {
        *bad = EPT_E_PAGE_SIZE;
        return EPT_MC_PAGE_SIZE;
    }
    uint64_t r = entry & reserved_bits(entry, level);
    if (r) {
        *bad = r;
        return EPT_MC_RESERVED;
    }
    r = entry & addr_beyond(e);
    if (r) {
        *bad = r;
        return EPT_MC_ADDR_WIDTH;
    }
    if (is_leaf(entry, level) && !valid_memtype((unsigned)((entry & EPT_E_MEMTYPE) >> 3))) {
        *bad = entry & EPT_E_MEMTYPE;
        return EPT_MC_MEMTYPE;
    }
    return EPT_MC_NONE;
}

int ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk *w)
{
    if (!e || !w || !e->pml4)
        return EPT_EINVAL;
    memset(w, 0, sizeof(*w));
    w->gpa = gpa;
    if (gpa >> EPT_GPA_BITS)
        return EPT_EGPA_RANGE;
    uint64_t table = e->pml4;
    unsigned perm = EPT_E_PERM;
    for (unsigned level = EPT_PML4E; level >= EPT_PTE; level--) {
        unsigned idx = level_index(gpa, level);
        uint64_t ent = table_at(e, table)[idx];
        w->level = level;
        w->entry[level] = ent;
        w->table[level] = table;
        w->index[level] = idx;
        if (!present(ent)) {
            w->result = EPT_WALK_NOT_PRESENT;
            return w->result;
        }
        w->misconfig = check_entry(e, ent, level, &w->bad_bits);
        if (w->misconfig != EPT_MC_NONE) {
            w->result = EPT_WALK_MISCONFIG;
            return w->result;
        }
        perm &= (unsigned)(ent & EPT_E_PERM); /* SDM 29.3.3.2 */
        if (is_leaf(ent, level)) {
            w->page_size = level_span(level);
            w->hpa = leaf_base(ent, level) | (gpa & (w->page_size - 1));
            w->perm = perm;
            w->memtype = (unsigned)((ent & EPT_E_MEMTYPE) >> 3);
            w->ignore_pat = ent & EPT_E_IGNORE_PAT;
            w->accessed = ent & EPT_E_ACCESSED;
            w->dirty = ent & EPT_E_DIRTY;
            w->result = EPT_WALK_MAPPED;
            return w->result;
        }
        table = ent & EPT_E_ADDR;
    }
    return EPT_EINVAL; /* not reached: a PTE is always a leaf */
}

static const char *size_name(uint64_t size)
{
    return size == level_span(EPT_PDPTE) ? "1G" : size == level_span(EPT_PDE) ? "2M" : "4K";
}

int ept_explain_misconfig(const struct ept *e, uint64_t gpa, char *buf, size_t n)
{
    struct ept_walk w;
    int rc = ept_walk(e, gpa, &w);
    if (rc < 0) {
        fmt_msg(buf, n, "GPA 0x%llx: %s", (unsigned long long)gpa, ept_error_str(rc));
        return rc;
    }
    unsigned l = w.level;
    if (rc == EPT_WALK_MAPPED) {
        fmt_msg(buf, n, "no misconfiguration: GPA 0x%llx maps to HPA 0x%llx (%s page, %s%s%s, %s)",
                (unsigned long long)gpa, (unsigned long long)w.hpa, size_name(w.page_size),
                (w.perm & EPT_R) ? "R" : "-", (w.perm & EPT_W) ? "W" : "-",
                (w.perm & EPT_X) ? "X" : "-", ept_memtype_name(w.memtype));
    } else if (rc == EPT_WALK_NOT_PRESENT) {
        fmt_msg(buf, n,
                "no misconfiguration: %s 0x%016llx (index %u of table 0x%llx) is not present",
                ept_level_name(l), (unsigned long long)w.entry[l], w.index[l],
                (unsigned long long)w.table[l]);
    } else {
        fmt_msg(buf, n, "%s 0x%016llx (index %u of table 0x%llx): %s, bits 0x%llx (SDM 29.3.3.1)",
                ept_level_name(l), (unsigned long long)w.entry[l], w.index[l],
                (unsigned long long)w.table[l], ept_misconfig_str(w.misconfig),
                (unsigned long long)w.bad_bits);
    }
    return rc;
}

/* ---- accessed and dirty flags (SDM 29.3.5) --------------------------------------------- */

struct ad_visit {
    bool collect; /* ept_collect_dirty, else ept_clear_ad */
    bool clear;
    void (*fn)(void *ctx, uint64_t gpa, uint64_t page_size);
    void *ctx;
    size_t count;
};

/* Visits the entries of `table` (at `level`, its first entry mapping `base`) that overlap
 * [gpa, end). */
static void ad_level(struct ept *e, uint64_t table, unsigned level, uint64_t base, uint64_t gpa,
                     uint64_t end, struct ad_visit *v)
{
    uint64_t *t = table_at(e, table);
    uint64_t span = level_span(level);
    unsigned first = level_index(gpa, level);
    for (unsigned i = first; i < ENTRIES; i++) {
        uint64_t start = base + (uint64_t)i * span;
        if (start >= end)
            break;
        uint64_t *ent = &t[i];
        if (!present(*ent))
            continue;
        bool inside = start >= gpa && end - start >= span;
        if (is_leaf(*ent, level)) {
            if (v->collect) {
                if (!(*ent & EPT_E_DIRTY))
                    continue;
                v->count++;
                if (v->fn)
                    v->fn(v->ctx, start, span);
                if (v->clear && inside)
                    *ent &= ~(EPT_E_ACCESSED | EPT_E_DIRTY);
            } else if (inside && (*ent & (EPT_E_ACCESSED | EPT_E_DIRTY))) {
                *ent &= ~(EPT_E_ACCESSED | EPT_E_DIRTY);
                v->count++;
            }
        } else {
            if (!v->collect && inside && (*ent & EPT_E_ACCESSED)) {
                *ent &= ~EPT_E_ACCESSED;
                v->count++;
            }
            uint64_t from = start > gpa ? start : gpa;
            ad_level(e, *ent & EPT_E_ADDR, level - 1, start, from, end, v);
        }
    }
}

static size_t ad_walk(struct ept *e, uint64_t gpa, uint64_t size, struct ad_visit *v)
{
    uint64_t limit = 1ULL << EPT_GPA_BITS;
    if (!e || !e->pml4 || size == 0 || gpa >= limit)
        return 0;
    uint64_t end = size > limit - gpa ? limit : gpa + size;
    ad_level(e, e->pml4, EPT_PML4E, 0, gpa, end, v);
    return v->count;
}

size_t ept_collect_dirty(struct ept *e, uint64_t gpa, uint64_t size,
                         void (*fn)(void *ctx, uint64_t gpa, uint64_t page_size), void *ctx,
                         bool clear)
{
    struct ad_visit v = {.collect = true, .clear = clear, .fn = fn, .ctx = ctx};
    return ad_walk(e, gpa, size, &v);
}

size_t ept_clear_ad(struct ept *e, uint64_t gpa, uint64_t size)
{
    struct ad_visit v = {.collect = false};
    return ad_walk(e, gpa, size, &v);
}

/* ---- names ----------------------------------------------------------------------------- */

const char *ept_error_str(int err)
{
    switch (err) {
    case EPT_OK:
        return "success";
    case EPT_EINVAL:
        return "invalid argument";
    case EPT_EPAGE_SIZES:
        return "page sizes must include 4K, and 1G needs 2M";
    case EPT_EALIGN:
        return "address or size not 4 KiB aligned";
    case EPT_ESIZE:
        return "size is 0";
    case EPT_EGPA_RANGE:
        return "guest-physical range beyond 48 bits";
    case EPT_EHPA_RANGE:
        return "host-physical range beyond the physical-address width";
    case EPT_ENOPERM:
        return "permissions must be a non-empty combination of R, W, X";
    case EPT_EWRITE_NO_READ:
        return "write access without read access (EPT misconfiguration)";
    case EPT_EEXEC_ONLY:
        return "execute-only access not supported by this processor";
    case EPT_EMEMTYPE:
        return "invalid EPT memory type (2, 3 and 7 are reserved)";
    case EPT_ENOMEM:
        return "out of memory for EPT tables";
    case EPT_EBADPAGE:
        return "allocator returned an unaligned page";
    case EPT_ENOTMAPPED:
        return "range is not entirely mapped";
    case EPT_EPHYS_BITS:
        return "physical-address width outside 32..52";
    default:
        return "unknown error";
    }
}

const char *ept_misconfig_str(enum ept_misconfig m)
{
    switch (m) {
    case EPT_MC_NONE:
        return "no misconfiguration";
    case EPT_MC_WRITE_NO_READ:
        return "write access without read access";
    case EPT_MC_EXEC_ONLY:
        return "execute-only, not supported by this processor";
    case EPT_MC_RESERVED:
        return "reserved bits set";
    case EPT_MC_ADDR_WIDTH:
        return "address bits beyond the physical-address width";
    case EPT_MC_MEMTYPE:
        return "reserved memory type in a leaf";
    case EPT_MC_PAGE_SIZE:
        return "page size bit set for an unsupported page size";
    }
    return "?";
}

const char *ept_level_name(unsigned level)
{
    static const char *const names[] = {"?", "PTE", "PDE", "PDPTE", "PML4E"};
    return level <= EPT_PML4E ? names[level] : "?";
}

const char *ept_memtype_name(unsigned memtype)
{
    switch (memtype) {
    case EPT_MT_UC:
        return "UC";
    case EPT_MT_WC:
        return "WC";
    case EPT_MT_WT:
        return "WT";
    case EPT_MT_WP:
        return "WP";
    case EPT_MT_WB:
        return "WB";
    default:
        return "reserved";
    }
}
