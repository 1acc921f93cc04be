/*
 * devices/vlapic_lvt.c - the local vector table of the virtual local APIC (see vlapic.h):
 * LVT writes, delivery of the local interrupt sources and the LINT0/LINT1 pins (SDM 11.5.1),
 * and the SVR's software enable (SDM 11.4.7.2, 11.9).
 */
#include "devices/vlapic_internal.h"

static const unsigned lvt_offsets[] = {
    VLAPIC_REG_LVT_CMCI,  VLAPIC_REG_LVT_TIMER, VLAPIC_REG_LVT_THERMAL, VLAPIC_REG_LVT_PERF,
    VLAPIC_REG_LVT_LINT0, VLAPIC_REG_LVT_LINT1, VLAPIC_REG_LVT_ERROR,
};

void vlapic_lvt_reset(struct vlapic *v)
{
    for (size_t i = 0; i < sizeof(lvt_offsets) / sizeof(lvt_offsets[0]); i++)
        reg_set(v, lvt_offsets[i], VLAPIC_LVT_MASKED);
}

void vlapic_svr_write(struct vlapic *v, uint32_t value)
{
    reg_set(v, VLAPIC_REG_SVR, value & SVR_BITS);
    if (value & VLAPIC_SVR_ENABLE)
        return;
    /* SDM 11.4.7.2: software disable sets every LVT mask bit. */
    for (size_t i = 0; i < sizeof(lvt_offsets) / sizeof(lvt_offsets[0]); i++)
        reg_set(v, lvt_offsets[i], reg_get(v, lvt_offsets[i]) | VLAPIC_LVT_MASKED);
}

static uint32_t lvt_writable(unsigned offset)
{
    switch (offset) {
    case VLAPIC_REG_LVT_TIMER:
        return LVT_BITS_TIMER;
    case VLAPIC_REG_LVT_LINT0:
    case VLAPIC_REG_LVT_LINT1:
        return LVT_BITS_LINT;
    case VLAPIC_REG_LVT_ERROR:
        return LVT_BITS_ERROR;
    default: /* CMCI, thermal, performance counters */
        return LVT_BITS_DM;
    }
}

void vlapic_lvt_write(struct vlapic *v, unsigned offset, uint32_t value, uint64_t now_tsc)
{
    if (offset == VLAPIC_REG_LVT_TIMER)
        vlapic_timer_advance(v, now_tsc); /* events due before the write use the old entry */
    uint32_t lvt = value & lvt_writable(offset);
    unsigned pin = offset == VLAPIC_REG_LVT_LINT1;
    bool lint = offset == VLAPIC_REG_LVT_LINT0 || offset == VLAPIC_REG_LVT_LINT1;
    if (lint && v->lint_remote_irr[pin])
        lvt |= VLAPIC_LVT_REMOTE_IRR;
    if (!vlapic_sw_enabled(v)) /* SDM 11.4.7.2: mask bits cannot be cleared */
        lvt |= VLAPIC_LVT_MASKED;
    reg_set(v, offset, lvt);
    if (offset == VLAPIC_REG_LVT_TIMER)
        vlapic_timer_lvt_changed(v, lvt);
    if (lint) /* no edge comes from a write, only level-sensitive modes see the line */
        vlapic_lint_evaluate(v, pin, v->lint_level[pin] != !!(lvt & VLAPIC_LVT_POLARITY_LOW), true);
}

/* Delivers the local interrupt of the LVT entry at offset (not LINT, see lint_evaluate).
 * The timer and error entries have no delivery mode: they are fixed (SDM 11.5.1). */
bool vlapic_deliver_lvt(struct vlapic *v, unsigned offset)
{
    uint32_t lvt = reg_get(v, offset);
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED || (lvt & VLAPIC_LVT_MASKED))
        return false;
    unsigned dm = (lvt & VLAPIC_LVT_DM_MASK) >> VLAPIC_LVT_DM_SHIFT;
    if (offset == VLAPIC_REG_LVT_TIMER || offset == VLAPIC_REG_LVT_ERROR)
        dm = VLAPIC_DM_FIXED;
    switch (dm) {
    case VLAPIC_DM_FIXED:
        return vlapic_accept(v, (uint8_t)lvt, false) != VLAPIC_REJECTED;
    case VLAPIC_DM_NMI:
        if (v->ops && v->ops->nmi)
            v->ops->nmi(v->ctx);
        return true;
    case VLAPIC_DM_SMI:
    case VLAPIC_DM_INIT:
        vlapic_lvt_self_message(v, (uint8_t)dm);
        return true;
    default: /* ExtINT is for LINT only; 1, 3, 6 are reserved (SDM figure 11-8) */
        return false;
    }
}

bool vlapic_raise_lvt(struct vlapic *v, unsigned lvt_offset)
{
    if (lvt_offset != VLAPIC_REG_LVT_THERMAL && lvt_offset != VLAPIC_REG_LVT_PERF &&
        lvt_offset != VLAPIC_REG_LVT_CMCI)
        return false;
    bool delivered = vlapic_deliver_lvt(v, lvt_offset);
    if (delivered && lvt_offset == VLAPIC_REG_LVT_PERF) /* SDM figure 11-8, note */
        reg_set(v, lvt_offset, reg_get(v, lvt_offset) | VLAPIC_LVT_MASKED);
    return delivered;
}

/* ---- LINT0 and LINT1 (SDM 11.5.1) ---- */

/* Acts on LINT pin's state. was_asserted is the state before the change; recheck is set
 * when the LVT entry changed or a remote IRR cleared, so that level-sensitive modes (fixed
 * level, ExtINT) see a line that is still asserted. */
void vlapic_lint_evaluate(struct vlapic *v, unsigned pin, bool was_asserted, bool recheck)
{
    unsigned off = pin ? VLAPIC_REG_LVT_LINT1 : VLAPIC_REG_LVT_LINT0;
    uint32_t lvt = reg_get(v, off);
    bool asserted = v->lint_level[pin] != !!(lvt & VLAPIC_LVT_POLARITY_LOW);
    bool edge = asserted && !was_asserted;
    if (lvt & VLAPIC_LVT_MASKED)
        return;
    switch ((lvt & VLAPIC_LVT_DM_MASK) >> VLAPIC_LVT_DM_SHIFT) {
    case VLAPIC_DM_FIXED:
        /* Level-sensitive interrupts are not supported for LINT1 (SDM 11.5.1). */
        if (pin == 0 && (lvt & VLAPIC_LVT_LEVEL)) {
            if (asserted && !v->lint_remote_irr[0] &&
                vlapic_accept(v, (uint8_t)lvt, true) != VLAPIC_REJECTED) {
                v->lint_remote_irr[0] = true;
                reg_set(v, off, lvt | VLAPIC_LVT_REMOTE_IRR);
            }
        } else if (edge) {
            vlapic_accept(v, (uint8_t)lvt, false);
        }
        break;
    case VLAPIC_DM_NMI:
        if (edge && v->ops && v->ops->nmi)
            v->ops->nmi(v->ctx);
        break;
    case VLAPIC_DM_EXTINT: /* always level sensitive */
        if (asserted && (edge || recheck) && v->ops && v->ops->extint)
            v->ops->extint(v->ctx);
        break;
    case VLAPIC_DM_SMI:
    case VLAPIC_DM_INIT:
        if (edge)
            vlapic_lvt_self_message(v, (uint8_t)((lvt & VLAPIC_LVT_DM_MASK) >> 8));
        break;
    default:
        break;
    }
}

int vlapic_lint(struct vlapic *v, unsigned pin, bool level)
{
    if (pin > 1)
        return vlapic_fail(v, VLAPIC_NOT_APIC, "vlapic_lint: no pin LINT%u", pin);
    bool was_level = v->lint_level[pin];
    v->lint_level[pin] = level;
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED) {
        /* SDM vol. 3A "External Interrupts": LINT0 is INTR, LINT1 is NMI. */
        if (level && !was_level && v->ops) {
            if (pin == 0 && v->ops->extint)
                v->ops->extint(v->ctx);
            else if (pin == 1 && v->ops->nmi)
                v->ops->nmi(v->ctx);
        }
        return VLAPIC_OK;
    }
    uint32_t lvt = reg_get(v, pin ? VLAPIC_REG_LVT_LINT1 : VLAPIC_REG_LVT_LINT0);
    vlapic_lint_evaluate(v, pin, was_level != !!(lvt & VLAPIC_LVT_POLARITY_LOW), false);
    return VLAPIC_OK;
}

bool vlapic_extint_routed(const struct vlapic *v)
{
    if (vlapic_mode(v) == VLAPIC_MODE_DISABLED)
        return true;
    uint32_t lvt = reg_get(v, VLAPIC_REG_LVT_LINT0);
    return !(lvt & VLAPIC_LVT_MASKED) &&
           (lvt & VLAPIC_LVT_DM_MASK) >> VLAPIC_LVT_DM_SHIFT == VLAPIC_DM_EXTINT;
}
