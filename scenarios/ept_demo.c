/*
 * scenarios/ept_demo.c - EPT mechanisms shown with built-in guests (book 6.1.9-6.1.11):
 *  ept-views: two EPT views of the same guest-physical page, switched by the guest with
 *             VMFUNC (EPTP switching, SDM 26.5.6.3) without a VM exit;
 *  ept-dirty: EPT accessed/dirty flags (SDM 29.3.5) give the VMM "pages written since the
 *             last reset"; the reset clears the flags and invalidates with INVEPT.
 * The guests keep the host's page tables, so each EPT identity-maps the first 4 GiB.
 */
#include <string.h>
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "vm/host_mtrr.h"
#include "vmx/ept.h"
#include "vmx/invalidate.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_names.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_views_main(void);
void guest_dirty_main(void);
extern volatile uint64_t *guest_views_page;
extern volatile uint8_t *guest_dirty_region;

#define SZ_4G (4ull << 30)

static uint64_t alloc(void *ctx)
{
    (void)ctx;
    return mem_alloc_pages(1);
}
static void release(void *ctx, uint64_t p)
{
    (void)ctx;
    mem_free_pages(p, 1);
}
static void *ptr(void *ctx, uint64_t p)
{
    (void)ctx;
    return phys_to_virt(p);
}

/* Identity map of 4 GiB; [hole, hole + hole_size) is left for the caller to map. */
static int identity_ept(struct ept *e, bool ad, uint64_t hole, uint64_t hole_size)
{
    struct ept_mem m = {alloc, release, ptr, NULL};
    unsigned sizes = EPT_PAGE_4K | (vmx.caps.ept.pages_2m ? EPT_PAGE_2M : 0);
    if (vmx.caps.ept.pages_1g && vmx.caps.ept.pages_2m)
        sizes |= EPT_PAGE_1G;
    int err = ept_init(e, &m, sizes, ad, vmx.caps.ept.execute_only);
    if (!err && hole)
        err = ept_map(e, 0, 0, hole, EPT_R | EPT_W | EPT_X, EPT_MT_WB, false);
    if (!err)
        err = ept_map(e, hole + hole_size, hole + hole_size, SZ_4G - hole - hole_size,
                      EPT_R | EPT_W | EPT_X, EPT_MT_WB, false);
    if (err)
        pr_err("ept: %s\n", ept_error_str(err));
    return err;
}

/* ---- ept-views ---- */

static bool run_views(void)
{
    static struct ept views[2];
    static struct vcpu v;
    if (!vmx.usable || !vmx.caps.eptp_switching) {
        kprintf("ept-views: this CPU has no VMFUNC EPTP switching\n");
        return false;
    }
    uint64_t page = mem_alloc_pages(1), alt = mem_alloc_pages(1), list = mem_alloc_pages(1);
    if (!page || !alt || !list || identity_ept(&views[0], false, 0, 0) ||
        identity_ept(&views[1], false, 0, 0))
        return false;
    *(uint64_t *)phys_to_virt(page) = 0x1111111111111111ull;
    *(uint64_t *)phys_to_virt(alt) = 0x2222222222222222ull;
    /* View 1: the same guest-physical page backed by another host page. */
    int err = ept_map(&views[1], page, alt, 4096, EPT_R | EPT_W | EPT_X, EPT_MT_WB, false);
    if (err) {
        pr_err("ept-views: %s\n", ept_error_str(err));
        return false;
    }
    uint64_t *eptps = phys_to_virt(list); /* EPTP list: 512 entries (SDM 25.6.14) */
    eptps[0] = ept_eptp(&views[0], EPT_MT_WB);
    eptps[1] = ept_eptp(&views[1], EPT_MT_WB);
    kprintf("ept-views: page 0x%lx is host 0x%lx in view 0 and host 0x%lx in view 1\n", page, page,
            alt);
    guest_views_page = phys_to_virt(page);
    struct builtin_opts o = {.eptp = eptps[0], .eptp_list = list};
    if (builtin_guest_run(&v, "views", guest_views_main, &o))
        return false;
    struct vmx_cpu *c = vmx_this_cpu();
    kprintf("ept-views: %lu VMFUNC exits (only the bad index exits; switches do not)\n",
            c->exits.count[VM_EXIT_REASON_VMFUNC]);
    return v.exit_status == 0 && c->exits.count[VM_EXIT_REASON_VMFUNC] == 1;
}

const struct scenario scenario_ept_views = {
    .name = "ept-views",
    .book = "6.1.11",
    .summary = "two EPT views of a page, switched by the guest with VMFUNC (no VM exit)",
    .run = run_views,
    .needs_vmx = true,
};

/* ---- ept-dirty ---- */

static struct ept dirty_ept;
static uint64_t region;
static int reports, report_ok;

static void note_dirty(void *ctx, uint64_t gpa, uint64_t size)
{
    uint32_t *mask = ctx;
    kprintf("ept-dirty:   written: 0x%lx (%lu KiB page, region offset 0x%lx)\n", gpa, size >> 10,
            gpa - region);
    if (gpa >= region && gpa < region + 0x10000)
        *mask |= 1u << ((gpa - region) >> 12);
}

/* Hypercall 0x100: report the pages written since the last report, then reset the flags. */
static bool dirty_report(struct vcpu *v)
{
    if (v->regs.rax != 0x100)
        return false;
    uint32_t mask = 0;
    kprintf("ept-dirty: report %lu: pages written since the last reset:\n", v->regs.rbx);
    ept_collect_dirty(&dirty_ept, region, 0x10000, note_dirty, &mask, true);
    vmx_invept_context(ept_eptp(&dirty_ept, EPT_MT_WB)); /* SDM 29.4.3.3 after clearing */
    uint32_t want = v->regs.rbx == 0 ? (1u << 1) | (1u << 5) | (1u << 9) : (1u << 3);
    kprintf("ept-dirty: report %lu: mask 0x%x, expected 0x%x\n", v->regs.rbx, mask, want);
    reports++;
    report_ok += mask == want;
    v->regs.rax = 0;
    return true;
}

static bool run_dirty(void)
{
    static struct vcpu v;
    if (!vmx.usable || !vmx.caps.ept.ad_flags) {
        kprintf("ept-dirty: this CPU has no EPT accessed/dirty flags\n");
        return false;
    }
    region = mem_alloc_aligned(16, 0x10000, 0);
    if (!region || identity_ept(&dirty_ept, true, region, 0x10000))
        return false;
    /* The tracked region in 4 KiB pages, so the dirty flags say which page was written. */
    for (uint64_t off = 0; off < 0x10000; off += 4096)
        ept_map(&dirty_ept, region + off, region + off, 4096, EPT_R | EPT_W | EPT_X, EPT_MT_WB,
                false);
    ept_clear_ad(&dirty_ept, 0, SZ_4G);
    guest_dirty_region = phys_to_virt(region);
    struct builtin_opts o = {.eptp = ept_eptp(&dirty_ept, EPT_MT_WB), .hypercall = dirty_report};
    kprintf("ept-dirty: tracking 16 pages at 0x%lx with EPT A/D flags (EPTP bit 6)\n", region);
    if (builtin_guest_run(&v, "dirty", guest_dirty_main, &o))
        return false;
    return reports == 2 && report_ok == 2 && v.exit_status == 0;
}

const struct scenario scenario_ept_dirty = {
    .name = "ept-dirty",
    .book = "6.1.9",
    .summary = "EPT dirty flags: which guest pages were written since the last reset",
    .run = run_dirty,
    .needs_vmx = true,
};

/* ---- ept-misconfig ---- */

/* A leaf entry made write-only by hand (W without R is a misconfiguration, SDM 29.3.3.1): the
 * guest's access to the page exits with reason 49 and the VMM names the entry by walking the
 * tables (vmx/ept.c). */
static struct ept misconfig_ept;

static void explain(struct vcpu *v, uint64_t gpa, char *buf, unsigned len)
{
    (void)v;
    ept_explain_misconfig(&misconfig_ept, gpa, buf, len);
}

static bool run_misconfig(void)
{
    static struct vcpu v;
    struct ept_walk w;
    uint64_t page = mem_alloc_aligned(512, 2ull << 20, 0); /* a 2 MiB block of its own */
    if (!vmx.usable || !page || identity_ept(&misconfig_ept, false, page, 2ull << 20))
        return false;
    for (uint64_t off = 0; off < (2ull << 20); off += 4096)
        ept_map(&misconfig_ept, page + off, page + off, 4096, EPT_R | EPT_W | EPT_X, EPT_MT_WB,
                false);
    if (ept_walk(&misconfig_ept, page, &w) != EPT_WALK_MAPPED)
        return false;
    uint64_t *leaf = phys_to_virt(w.table[w.level] + 8ull * w.index[w.level]);
    *leaf = (*leaf & ~(uint64_t)EPT_E_PERM) | EPT_W; /* write-only */
    kprintf("ept-misconfig: the %s of page 0x%lx made write-only: 0x%lx\n", ept_level_name(w.level),
            page, *leaf);
    guest_views_page = phys_to_virt(page);
    struct builtin_opts o = {.eptp = ept_eptp(&misconfig_ept, EPT_MT_WB), .explain = explain};
    if (builtin_guest_run(&v, "victim", guest_views_main, &o))
        return false;
    return (v.exit_reason & 0xffff) == VM_EXIT_REASON_EPT_MISCONFIG;
}

const struct scenario scenario_ept_misconfig = {
    .name = "ept-misconfig",
    .book = "6.1",
    .summary = "an EPT entry with write but no read: the misconfiguration exit names the entry",
    .run = run_misconfig,
    .needs_vmx = true,
};
