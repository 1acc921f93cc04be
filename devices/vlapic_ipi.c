/*
 * devices/vlapic_ipi.c - IPIs of the virtual local APIC (see vlapic.h): the ICR (SDM 11.6.1,
 * 11.12.9), the x2APIC SELF IPI register (SDM 11.12.11) and destination matching (SDM
 * 11.6.2, 11.12.10).
 */
#include "devices/vlapic_internal.h"

static uint32_t source_id(const struct vlapic *v)
{
    uint32_t id = reg_get(v, VLAPIC_REG_ID);
    return vlapic_mode(v) == VLAPIC_MODE_X2APIC ? id : id >> 24;
}

static void send(struct vlapic *v, const struct vlapic_ipi *ipi)
{
    if (v->ops && v->ops->send_ipi)
        v->ops->send_ipi(v->ctx, ipi);
}

/* Sends the IPI the ICR describes (its low half was just written). The delivery is
 * instantaneous, so the delivery status bit always reads idle. A fixed or lowest-priority
 * IPI with a vector below 16 sets "send illegal vector" and is still sent: the receivers
 * note "received illegal vector" (SDM 11.5.3). The reserved delivery mode 3 sends nothing. */
void vlapic_send_icr(struct vlapic *v)
{
    uint32_t lo = reg_get(v, VLAPIC_REG_ICR_LO) & ICR_LO_BITS;
    uint32_t hi = reg_get(v, VLAPIC_REG_ICR_HI);
    bool x2apic = vlapic_mode(v) == VLAPIC_MODE_X2APIC;
    reg_set(v, VLAPIC_REG_ICR_LO, lo);
    struct vlapic_ipi ipi = {
        .dest = x2apic ? hi : hi >> 24,
        .source = source_id(v),
        .vector = (uint8_t)lo,
        .delivery_mode = (uint8_t)((lo >> 8) & 7),
        .shorthand = (uint8_t)((lo >> VLAPIC_ICR_SH_SHIFT) & 3),
        .logical = lo & VLAPIC_ICR_LOGICAL,
        .level_assert = lo & VLAPIC_ICR_ASSERT,
        .trigger_level = lo & VLAPIC_ICR_LEVEL,
        .x2apic = x2apic,
    };
    if (ipi.delivery_mode == 3)
        return;
    if ((ipi.delivery_mode == VLAPIC_DM_FIXED || ipi.delivery_mode == VLAPIC_DM_LOWEST) &&
        ipi.vector < VLAPIC_FIRST_VECTOR)
        vlapic_error(v, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
    send(v, &ipi);
}

/* SDM 11.12.11: a fixed, edge-triggered interrupt to self; an illegal vector is both sent
 * and received (SDM 11.5.3). */
void vlapic_self_ipi(struct vlapic *v, uint8_t vector)
{
    if (vector < VLAPIC_FIRST_VECTOR)
        vlapic_error(v, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
    vlapic_accept(v, vector, false);
}

/* An LVT entry with delivery mode SMI or INIT signals this processor; it goes to the router
 * as a self IPI, which already handles those modes. */
void vlapic_lvt_self_message(struct vlapic *v, uint8_t delivery_mode)
{
    struct vlapic_ipi ipi = {
        .source = source_id(v),
        .delivery_mode = delivery_mode,
        .shorthand = VLAPIC_SH_SELF,
        .level_assert = true,
        .x2apic = vlapic_mode(v) == VLAPIC_MODE_X2APIC,
    };
    send(v, &ipi);
}

/* 8-bit logical destination against an xAPIC-mode APIC (SDM 11.6.2.2). */
static bool xapic_logical(const struct vlapic *v, uint8_t mda)
{
    uint8_t ldr = (uint8_t)(reg_get(v, VLAPIC_REG_LDR) >> 24);
    switch (reg_get(v, VLAPIC_REG_DFR) >> 28) {
    case 0xf: /* flat model: a bit per APIC */
        return (ldr & mda) != 0;
    case 0x0: /* cluster model: cluster in bits 7:4, a bit per APIC in bits 3:0 */
        return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf) != 0;
    default: /* other models are reserved */
        return false;
    }
}

bool vlapic_matches(const struct vlapic *v, uint32_t dest, bool logical, bool x2apic_format)
{
    enum vlapic_mode mode = vlapic_mode(v);
    if (mode == VLAPIC_MODE_DISABLED)
        return false;
    if (x2apic_format ? dest == 0xffffffffu : (dest & 0xff) == 0xff)
        return true; /* broadcast, physical and logical (SDM 11.6.2.1, 11.6.2.2, 11.12.10) */
    if (mode == VLAPIC_MODE_X2APIC) {
        uint32_t id = reg_get(v, VLAPIC_REG_ID);
        if (!x2apic_format)
            return !logical && (dest & 0xff) == id;
        if (!logical)
            return dest == id;
        /* SDM 11.12.10.1: cluster ID in bits 31:16, a bit per APIC in bits 15:0. */
        uint32_t ldr = reg_get(v, VLAPIC_REG_LDR);
        return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff) != 0;
    }
    if (x2apic_format && dest > 0xff)
        return false;
    if (!logical)
        return (dest & 0xff) == reg_get(v, VLAPIC_REG_ID) >> 24;
    return xapic_logical(v, (uint8_t)dest);
}
