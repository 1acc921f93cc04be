/*
 * devices/vlapic_regs.c - register reads and writes of the virtual local APIC (see
 * vlapic.h): the semantics shared by xAPIC MMIO, x2APIC MSRs (vlapic_msr.c) and APIC-write
 * VM exits, and the MMIO entry points. SDM 11.4.1 and table 11-1.
 */
#include "devices/vlapic_internal.h"

static bool is_lvt(unsigned offset)
{
    return offset == VLAPIC_REG_LVT_CMCI ||
           (offset >= VLAPIC_REG_LVT_TIMER && offset <= VLAPIC_REG_LVT_ERROR);
}

static bool is_vector_reg(unsigned offset) /* ISR, TMR, IRR */
{
    return offset >= VLAPIC_REG_ISR && offset < VLAPIC_REG_IRR + 0x80;
}

/* A write of value to the register at offset (16-byte aligned), after the x2APIC checks of
 * vlapic_msr.c where they apply. Read-only registers ignore writes; offsets that are no
 * register set ESR "illegal register address" (SDM 11.5.3). */
void vlapic_reg_write(struct vlapic *v, unsigned offset, uint32_t value, uint64_t now_tsc)
{
    bool x2apic = vlapic_mode(v) == VLAPIC_MODE_X2APIC;
    if (is_lvt(offset)) {
        vlapic_lvt_write(v, offset, value, now_tsc);
        return;
    }
    switch (offset) {
    case VLAPIC_REG_ID:
        if (!x2apic) /* read only in x2APIC mode (SDM 11.12.1.3) */
            reg_set(v, offset, value & ID_XAPIC);
        break;
    case VLAPIC_REG_TPR:
        reg_set(v, offset, value & 0xff);
        vlapic_sync_ppr(v);
        break;
    case VLAPIC_REG_EOI: /* the value is ignored in xAPIC mode (SDM 11.8.5) */
        vlapic_eoi(v);
        break;
    case VLAPIC_REG_LDR:
        if (!x2apic)
            reg_set(v, offset, value & LDR_XAPIC);
        break;
    case VLAPIC_REG_DFR:
        if (!x2apic)
            reg_set(v, offset, (value & DFR_MODEL) | ~DFR_MODEL);
        break;
    case VLAPIC_REG_SVR:
        vlapic_svr_write(v, value);
        break;
    case VLAPIC_REG_ESR:
        vlapic_esr_write(v);
        break;
    case VLAPIC_REG_ICR_LO:
        reg_set(v, offset, value & ICR_LO_BITS); /* delivery status reads idle */
        vlapic_send_icr(v);
        break;
    case VLAPIC_REG_ICR_HI:
        reg_set(v, offset, x2apic ? value : value & ICR_HI_XAPIC);
        break;
    case VLAPIC_REG_TMICT:
        vlapic_timer_set_initial(v, value, now_tsc);
        break;
    case VLAPIC_REG_TDCR:
        vlapic_timer_set_divide(v, value, now_tsc);
        break;
    case VLAPIC_REG_SELF_IPI:
        if (x2apic) {
            vlapic_self_ipi(v, (uint8_t)value);
            break;
        }
        vlapic_error(v, VLAPIC_ESR_ILLEGAL_REGISTER); /* x2APIC only (SDM 11.12.11) */
        break;
    case VLAPIC_REG_VER:
    case VLAPIC_REG_APR:
    case VLAPIC_REG_PPR:
    case VLAPIC_REG_RRD:
    case VLAPIC_REG_TMCCT:
        break;
    default:
        if (!is_vector_reg(offset))
            vlapic_error(v, VLAPIC_ESR_ILLEGAL_REGISTER);
        break;
    }
}

/* The 32-bit value of the register at offset (16-byte aligned). */
uint32_t vlapic_reg_read(struct vlapic *v, unsigned offset, uint64_t now_tsc)
{
    if (is_lvt(offset) || is_vector_reg(offset))
        return reg_get(v, offset);
    switch (offset) {
    case VLAPIC_REG_ID:
    case VLAPIC_REG_VER:
    case VLAPIC_REG_TPR:
    case VLAPIC_REG_LDR:
    case VLAPIC_REG_DFR:
    case VLAPIC_REG_SVR:
    case VLAPIC_REG_ESR:
    case VLAPIC_REG_ICR_LO:
    case VLAPIC_REG_ICR_HI:
    case VLAPIC_REG_TMICT:
    case VLAPIC_REG_TDCR:
        return reg_get(v, offset);
    case VLAPIC_REG_APR:
        return vlapic_arb_priority(v);
    case VLAPIC_REG_PPR:
        return vlapic_ppr(v);
    case VLAPIC_REG_EOI: /* write only; read-modify-write must not fault (Bochs reads 0) */
    case VLAPIC_REG_RRD: /* remote read (82489DX) has no use here: reads 0 (SDM table 11-1) */
        return 0;
    case VLAPIC_REG_TMCCT:
        return vlapic_timer_current(v, now_tsc);
    default:
        vlapic_error(v, VLAPIC_ESR_ILLEGAL_REGISTER);
        return 0;
    }
}

/* SDM 11.4.1: registers are 32 bits at 16-byte-aligned offsets; some processors allow
 * smaller loads, so reads of 1, 2 or 4 bytes inside the 32 bits are served. */
int vlapic_mmio_read(struct vlapic *v, unsigned offset, unsigned size, uint64_t now_tsc,
                     uint32_t *value)
{
    *value = 0;
    if (vlapic_mode(v) != VLAPIC_MODE_XAPIC)
        return vlapic_fail(v, VLAPIC_ABSENT, "APIC MMIO read 0x%x: the xAPIC interface is off",
                           offset);
    if (offset >= VLAPIC_PAGE_SIZE || (size != 1 && size != 2 && size != 4) ||
        (offset & 0xf) + size > 4)
        return vlapic_fail(v, VLAPIC_UNALIGNED, "APIC MMIO read of %u bytes at 0x%x", size, offset);
    uint32_t r = vlapic_reg_read(v, offset & 0xff0, now_tsc) >> ((offset & 3) * 8);
    *value = size == 4 ? r : r & ((1u << (size * 8)) - 1);
    return VLAPIC_OK;
}

int vlapic_mmio_write(struct vlapic *v, unsigned offset, unsigned size, uint32_t value,
                      uint64_t now_tsc)
{
    if (vlapic_mode(v) != VLAPIC_MODE_XAPIC)
        return vlapic_fail(v, VLAPIC_ABSENT, "APIC MMIO write 0x%x: the xAPIC interface is off",
                           offset);
    if (offset >= VLAPIC_PAGE_SIZE || size != 4 || (offset & 0xf))
        return vlapic_fail(v, VLAPIC_UNALIGNED, "APIC MMIO write of %u bytes at 0x%x", size,
                           offset);
    vlapic_reg_write(v, offset, value, now_tsc);
    return VLAPIC_OK;
}

/* SDM 30.4.3.2/30.4.3.3: with APIC-register virtualization these offsets are written to the
 * virtual-APIC page and then cause APIC-write VM exits (EOI and ICR low also without it,
 * when virtual-interrupt delivery does not virtualize them). The value is the page's. */
int vlapic_on_apic_write(struct vlapic *v, unsigned offset, uint64_t now_tsc)
{
    enum vlapic_mode mode = vlapic_mode(v);
    offset &= 0xff0;
    if (mode == VLAPIC_MODE_X2APIC) {
        /* x2APIC: WRMSR reaches the page only for TPR, EOI, SELF IPI and (with IPI
         * virtualization) ICR (SDM 30.5). */
        if (offset == VLAPIC_REG_ICR_LO) {
            vlapic_send_icr(v);
            return VLAPIC_OK;
        }
        if (offset == VLAPIC_REG_EOI) {
            vlapic_eoi(v);
            return VLAPIC_OK;
        }
        if (offset == VLAPIC_REG_TPR) {
            vlapic_sync_ppr(v);
            return VLAPIC_OK;
        }
        return vlapic_fail(v, VLAPIC_NOT_APIC, "APIC-write exit at 0x%x in x2APIC mode", offset);
    }
    if (mode != VLAPIC_MODE_XAPIC)
        return vlapic_fail(v, VLAPIC_NOT_APIC, "APIC-write exit at 0x%x with the APIC off", offset);
    switch (offset) {
    case VLAPIC_REG_ID:
    case VLAPIC_REG_TPR:
    case VLAPIC_REG_EOI:
    case VLAPIC_REG_LDR:
    case VLAPIC_REG_DFR:
    case VLAPIC_REG_SVR:
    case VLAPIC_REG_ESR:
    case VLAPIC_REG_ICR_LO:
    case VLAPIC_REG_ICR_HI:
    case VLAPIC_REG_LVT_CMCI:
    case VLAPIC_REG_LVT_TIMER:
    case VLAPIC_REG_LVT_THERMAL:
    case VLAPIC_REG_LVT_PERF:
    case VLAPIC_REG_LVT_LINT0:
    case VLAPIC_REG_LVT_LINT1:
    case VLAPIC_REG_LVT_ERROR:
    case VLAPIC_REG_TMICT:
    case VLAPIC_REG_TDCR:
        vlapic_reg_write(v, offset, reg_get(v, offset), now_tsc);
        return VLAPIC_OK;
    default:
        return vlapic_fail(v, VLAPIC_NOT_APIC, "offset 0x%x causes no APIC-write exit", offset);
    }
}
