/*
 * devices/vlapic.c - the virtual local APIC (see vlapic.h): state, mode, priorities,
 * interrupt acceptance, EOI and errors. The local vector table and LINT pins are in
 * vlapic_lvt.c, registers in vlapic_regs.c and vlapic_msr.c, IPIs in vlapic_ipi.c, the timer
 * in vlapic_timer.c.
 */
#include <string.h>

#include "devices/vlapic_internal.h"
#include "platform/fmt.h"

int vlapic_fail(struct vlapic *v, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *vlapic_message(const struct vlapic *v)
{
    return v->msg;
}

uint32_t vlapic_reg_raw(const struct vlapic *v, unsigned offset)
{
    return offset < VLAPIC_PAGE_SIZE ? reg_get(v, offset & ~3u) : 0;
}

int vlapic_vec_highest(const struct vlapic *v, unsigned base)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t w = reg_get(v, base + (unsigned)i * 0x10);
        if (w)
            return i * 32 + 31 - __builtin_clz(w);
    }
    return -1;
}

enum vlapic_mode vlapic_mode(const struct vlapic *v)
{
    if (!(v->apic_base & VLAPIC_BASE_EN))
        return VLAPIC_MODE_DISABLED;
    return (v->apic_base & VLAPIC_BASE_EXTD) ? VLAPIC_MODE_X2APIC : VLAPIC_MODE_XAPIC;
}

bool vlapic_sw_enabled(const struct vlapic *v)
{
    return reg_get(v, VLAPIC_REG_SVR) & VLAPIC_SVR_ENABLE;
}

/* SDM 11.12.10.2: cluster ID (x2APIC ID bits 31:4) in LDR bits 31:16, bit (ID & 15). */
uint32_t vlapic_x2apic_ldr(uint32_t x2apic_id)
{
    return ((x2apic_id >> 4) << 16) | (1u << (x2apic_id & 15));
}

/* Registers at their power-up values (SDM 11.4.7.1, 11.12.5.1) with the ID register id_reg:
 * IRR, ISR, TMR, ICR, LDR, TPR, timer counts and divide configuration 0, LVTs masked, SVR
 * 0xFF, DFR all ones. In x2APIC mode the LDR is the derived logical ID. The inbox is
 * emptied with IRR. */
static void vlapic_regs_init(struct vlapic *v, uint32_t id_reg)
{
    memset(v->regs, 0, VLAPIC_PAGE_SIZE);
    reg_set(v, VLAPIC_REG_ID, id_reg);
    reg_set(v, VLAPIC_REG_VER, VLAPIC_VER_VALUE);
    reg_set(v, VLAPIC_REG_DFR, 0xffffffffu);
    reg_set(v, VLAPIC_REG_SVR, 0xff);
    vlapic_lvt_reset(v);
    if (vlapic_mode(v) == VLAPIC_MODE_X2APIC)
        reg_set(v, VLAPIC_REG_LDR, vlapic_x2apic_ldr(v->apic_id));
    vlapic_timer_reset(v);
    v->esr_pending = 0;
    v->esr_armed = true;
    v->lint_remote_irr[0] = v->lint_remote_irr[1] = false;
    memset(v->inbox, 0, sizeof(v->inbox)); /* posted, not yet in IRR: gone with it */
    memset(v->inbox_level, 0, sizeof(v->inbox_level));
}

void vlapic_reset(struct vlapic *v)
{
    v->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (v->bsp ? VLAPIC_BASE_BSP : 0);
    vlapic_regs_init(v, (v->apic_id & 0xff) << 24);
    v->msg[0] = '\0';
}

void vlapic_init_signal(struct vlapic *v)
{
    /* SDM 11.4.7.3, 11.12.5.1: the ID survives INIT, and so does the mode. */
    uint32_t id = vlapic_mode(v) == VLAPIC_MODE_X2APIC ? v->apic_id : reg_get(v, VLAPIC_REG_ID);
    vlapic_regs_init(v, id);
}

int vlapic_init(struct vlapic *v, void *page, const struct vlapic_config *cfg,
                const struct vlapic_ops *ops, void *ctx)
{
    memset(v, 0, sizeof(*v));
    if (!page || ((uintptr_t)page & 3))
        return vlapic_fail(v, VLAPIC_BAD_CONFIG, "vlapic: register page %p not 4-byte aligned",
                           page);
    if (!cfg || !cfg->clock.tsc_ticks || !cfg->clock.bus_ticks)
        return vlapic_fail(v, VLAPIC_BAD_CONFIG, "vlapic: timer clock ratio has a zero term");
    if (cfg->maxphyaddr && (cfg->maxphyaddr < 32 || cfg->maxphyaddr > 52))
        return vlapic_fail(v, VLAPIC_BAD_CONFIG, "vlapic: MAXPHYADDR %u outside 32..52",
                           cfg->maxphyaddr);
    v->regs = page;
    v->ops = ops;
    v->ctx = ctx;
    v->apic_id = cfg->apic_id;
    v->bsp = cfg->bsp;
    v->clock = cfg->clock;
    v->maxphyaddr = cfg->maxphyaddr ? cfg->maxphyaddr : 36;
    vlapic_reset(v);
    return VLAPIC_OK;
}

void vlapic_virtual_wire(struct vlapic *v)
{
    vlapic_svr_write(v, reg_get(v, VLAPIC_REG_SVR) | VLAPIC_SVR_ENABLE);
    uint32_t lint0 = VLAPIC_DM_EXTINT << VLAPIC_LVT_DM_SHIFT;
    reg_set(v, VLAPIC_REG_LVT_LINT0, v->bsp ? lint0 : lint0 | VLAPIC_LVT_MASKED);
    reg_set(v, VLAPIC_REG_LVT_LINT1, VLAPIC_DM_NMI << VLAPIC_LVT_DM_SHIFT);
}

uint64_t vlapic_apic_base(const struct vlapic *v)
{
    return v->apic_base;
}

static enum vlapic_mode base_mode(uint64_t base)
{
    if (!(base & VLAPIC_BASE_EN))
        return VLAPIC_MODE_DISABLED;
    return (base & VLAPIC_BASE_EXTD) ? VLAPIC_MODE_X2APIC : VLAPIC_MODE_XAPIC;
}

int vlapic_set_apic_base(struct vlapic *v, uint64_t value)
{
    /* SDM 11.4.4, 11.12.1: bits 7:0, 9 and MAXPHYADDR..63 are reserved. */
    uint64_t reserved = 0x2ffull | ~((1ull << v->maxphyaddr) - 1);
    if (value & reserved)
        return vlapic_fail(v, VLAPIC_GP, "WRMSR IA32_APIC_BASE 0x%llx: reserved bits 0x%llx",
                           (unsigned long long)value, (unsigned long long)(value & reserved));
    /* SDM 11.12.5.1: EN=0 with EXTD=1 is the invalid state. */
    if ((value & VLAPIC_BASE_EXTD) && !(value & VLAPIC_BASE_EN))
        return vlapic_fail(v, VLAPIC_GP, "WRMSR IA32_APIC_BASE 0x%llx: EXTD without EN",
                           (unsigned long long)value);
    enum vlapic_mode from = vlapic_mode(v), to = base_mode(value);
    /* SDM 11.12.5.1: x2APIC -> xAPIC and disabled -> x2APIC are illegal transitions. */
    if (from == VLAPIC_MODE_X2APIC && to == VLAPIC_MODE_XAPIC)
        return vlapic_fail(v, VLAPIC_GP,
                           "WRMSR IA32_APIC_BASE 0x%llx: x2APIC to xAPIC without disabling",
                           (unsigned long long)value);
    if (from == VLAPIC_MODE_DISABLED && to == VLAPIC_MODE_X2APIC)
        return vlapic_fail(v, VLAPIC_GP,
                           "WRMSR IA32_APIC_BASE 0x%llx: disabled to x2APIC without xAPIC",
                           (unsigned long long)value);
    uint64_t base = value & ~0xfffull;
    if (base != VLAPIC_DEFAULT_BASE)
        return vlapic_fail(v, VLAPIC_RELOCATE,
                           "WRMSR IA32_APIC_BASE 0x%llx: moving the APIC to 0x%llx is not "
                           "supported",
                           (unsigned long long)value, (unsigned long long)base);

    uint32_t old_id = reg_get(v, VLAPIC_REG_ID);
    /* The BSP flag is the processor's, not software's (SDM 11.4.4). */
    v->apic_base = (value & ~VLAPIC_BASE_BSP) | (v->apic_base & VLAPIC_BASE_BSP);
    if (from == to)
        return VLAPIC_OK;
    if (to == VLAPIC_MODE_DISABLED) {
        /* SDM 11.4.3: disabling may lose the APIC's state; SDM 11.12.5.1: only the IDs
         * survive the way out of x2APIC mode. The registers return to INIT values. */
        vlapic_regs_init(v, from == VLAPIC_MODE_X2APIC ? (v->apic_id & 0xff) << 24 : old_id);
    } else if (to == VLAPIC_MODE_X2APIC) {
        /* SDM 11.12.5.1 "State Changes From xAPIC Mode to x2APIC Mode": the ID becomes the
         * x2APIC ID, the LDR is derived from it, the ICR's high half is not kept. */
        reg_set(v, VLAPIC_REG_ID, v->apic_id);
        reg_set(v, VLAPIC_REG_LDR, vlapic_x2apic_ldr(v->apic_id));
        reg_set(v, VLAPIC_REG_ICR_HI, 0);
    }
    /* disabled -> xAPIC: the registers already hold their INIT values. */
    return VLAPIC_OK;
}

/* ---- priorities (SDM 11.8.3.1, 11.6.2.4) ---- */

uint8_t vlapic_tpr(const struct vlapic *v)
{
    return (uint8_t)reg_get(v, VLAPIC_REG_TPR);
}

int vlapic_highest_irr(const struct vlapic *v)
{
    return vlapic_vec_highest(v, VLAPIC_REG_IRR);
}

int vlapic_highest_isr(const struct vlapic *v)
{
    return vlapic_vec_highest(v, VLAPIC_REG_ISR);
}

uint8_t vlapic_ppr(const struct vlapic *v)
{
    uint8_t tpr = vlapic_tpr(v);
    int isrv = vlapic_highest_isr(v);
    if (isrv < 0 || (tpr >> 4) >= (isrv >> 4))
        return tpr;
    return (uint8_t)(isrv & 0xf0);
}

uint8_t vlapic_arb_priority(const struct vlapic *v)
{
    unsigned tpr = vlapic_tpr(v);
    int isr = vlapic_highest_isr(v), irr = vlapic_highest_irr(v);
    unsigned isrv = isr < 0 ? 0 : (unsigned)isr >> 4, irrv = irr < 0 ? 0 : (unsigned)irr >> 4;
    if ((tpr >> 4) >= irrv && (tpr >> 4) > isrv)
        return (uint8_t)tpr;
    unsigned a = (tpr >> 4) & isrv;
    return (uint8_t)((a > irrv ? a : irrv) << 4);
}

/* The page's PPR follows TPR and ISR (under virtual-interrupt delivery the CPU keeps VPPR
 * itself; without it, nothing reads the page's copy but dumps and the PPR register read,
 * which computes it anew). */
void vlapic_sync_ppr(struct vlapic *v)
{
    reg_set(v, VLAPIC_REG_PPR, vlapic_ppr(v));
}

int vlapic_set_cr8(struct vlapic *v, uint64_t value)
{
    if (value >> 4)
        return vlapic_fail(v, VLAPIC_GP, "MOV to CR8 0x%llx: reserved bits 63:4",
                           (unsigned long long)value);
    reg_set(v, VLAPIC_REG_TPR, (uint32_t)value << 4); /* SDM 11.8.6 */
    vlapic_sync_ppr(v);
    return VLAPIC_OK;
}

uint64_t vlapic_cr8(const struct vlapic *v)
{
    return vlapic_tpr(v) >> 4;
}

/* ---- acceptance, acknowledge, EOI (SDM 11.8.4, 11.8.5) ---- */

enum vlapic_accept vlapic_accept(struct vlapic *v, uint8_t vector, bool level)
{
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED)
        return VLAPIC_REJECTED;
    if (vector < VLAPIC_FIRST_VECTOR) { /* SDM 11.5.2 */
        vlapic_error(v, VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
        return VLAPIC_REJECTED;
    }
    if (!vlapic_sw_enabled(v)) /* SDM 11.4.7.2 */
        return VLAPIC_REJECTED;
    if (vec_test(v, VLAPIC_REG_IRR, vector))
        return VLAPIC_COALESCED;
    vec_set(v, VLAPIC_REG_IRR, vector);
    if (level)
        vec_set(v, VLAPIC_REG_TMR, vector);
    else
        vec_clear(v, VLAPIC_REG_TMR, vector);
    return VLAPIC_ACCEPTED;
}

int vlapic_pending(const struct vlapic *v)
{
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED)
        return -1;
    int irr = vlapic_highest_irr(v);
    if (irr < 0 || (irr >> 4) <= (vlapic_ppr(v) >> 4)) /* SDM 11.8.3.1 */
        return -1;
    return irr;
}

int vlapic_ack(struct vlapic *v, uint8_t vector)
{
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED || !vec_test(v, VLAPIC_REG_IRR, vector))
        return vlapic_fail(v, VLAPIC_NOT_PENDING, "vlapic_ack: vector 0x%x is not in IRR", vector);
    vec_clear(v, VLAPIC_REG_IRR, vector);
    vec_set(v, VLAPIC_REG_ISR, vector);
    vlapic_sync_ppr(v);
    return VLAPIC_OK;
}

int vlapic_merge_irr(struct vlapic *v, const uint32_t bits[8])
{
    int high = -1;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t w = i ? bits[i] : bits[i] & 0xffff0000u; /* SDM 11.5.2 */
        if (!w)
            continue;
        v->regs[(VLAPIC_REG_IRR + i * 0x10) >> 2] |= w;
        high = (int)(i * 32 + 31 - (unsigned)__builtin_clz(w));
    }
    return high;
}

/* What follows the EOI of vector, besides clearing its ISR bit (SDM 11.8.5): for a
 * level-triggered vector the EOI broadcast (unless SVR suppresses it) and the remote IRR of
 * a level-triggered LINT (SDM 11.5.1). */
void vlapic_eoi_done(struct vlapic *v, uint8_t vector)
{
    if (!vec_test(v, VLAPIC_REG_TMR, vector))
        return;
    for (unsigned pin = 0; pin < 2; pin++) {
        unsigned off = pin ? VLAPIC_REG_LVT_LINT1 : VLAPIC_REG_LVT_LINT0;
        uint32_t lvt = reg_get(v, off);
        if (v->lint_remote_irr[pin] && (lvt & VLAPIC_LVT_VECTOR) == vector) {
            v->lint_remote_irr[pin] = false;
            reg_set(v, off, lvt & ~VLAPIC_LVT_REMOTE_IRR);
            vlapic_lint_evaluate(v, pin, true, true); /* a line still asserted interrupts again */
        }
    }
    if (!(reg_get(v, VLAPIC_REG_SVR) & VLAPIC_SVR_SEOI) && v->ops && v->ops->eoi_broadcast)
        v->ops->eoi_broadcast(v->ctx, vector);
}

void vlapic_eoi(struct vlapic *v)
{
    int vector = vlapic_highest_isr(v);
    if (vector < 0)
        return;
    vec_clear(v, VLAPIC_REG_ISR, (unsigned)vector);
    vlapic_sync_ppr(v);
    vlapic_eoi_done(v, (uint8_t)vector);
}

void vlapic_on_eoi_exit(struct vlapic *v, uint8_t vector)
{
    vlapic_eoi_done(v, vector); /* VISR, SVI and VPPR are the CPU's (SDM 30.1.4) */
}

void vlapic_eoi_exit_bitmap(const struct vlapic *v, uint64_t bitmap[4])
{
    bool seoi = reg_get(v, VLAPIC_REG_SVR) & VLAPIC_SVR_SEOI;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t lo = seoi ? 0 : reg_get(v, VLAPIC_REG_TMR + 2 * i * 0x10);
        uint64_t hi = seoi ? 0 : reg_get(v, VLAPIC_REG_TMR + (2 * i + 1) * 0x10);
        bitmap[i] = hi << 32 | lo;
    }
    for (unsigned pin = 0; pin < 2; pin++) {
        if (!v->lint_remote_irr[pin])
            continue;
        unsigned vector = reg_get(v, pin ? VLAPIC_REG_LVT_LINT1 : VLAPIC_REG_LVT_LINT0) & 0xff;
        bitmap[vector >> 6] |= 1ull << (vector & 63);
    }
}

/* ---- errors (SDM 11.5.3) ---- */

/* Records esr_bits for the next ESR write. The error interrupt fires once, then waits for
 * an ESR write to re-arm it ("This write also rearms the APIC error interrupt triggering
 * mechanism"); a masked LVT error entry leaves it armed. */
void vlapic_error(struct vlapic *v, uint32_t esr_bits)
{
    v->esr_pending |= esr_bits;
    uint32_t lvt = reg_get(v, VLAPIC_REG_LVT_ERROR);
    if (!v->esr_armed || (lvt & VLAPIC_LVT_MASKED))
        return;
    v->esr_armed = false;
    vlapic_accept(v, (uint8_t)lvt, false); /* an illegal vector here is one more error */
}

void vlapic_esr_write(struct vlapic *v)
{
    reg_set(v, VLAPIC_REG_ESR, v->esr_pending);
    v->esr_pending = 0;
    v->esr_armed = true;
}
