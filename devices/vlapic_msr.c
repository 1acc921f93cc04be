/*
 * devices/vlapic_msr.c - the MSRs of the virtual local APIC (see vlapic.h): IA32_APIC_BASE,
 * IA32_TSC_DEADLINE and the x2APIC registers 0x800-0xBFF (SDM 11.12.1.2, table 11-6).
 */
#include "devices/vlapic_internal.h"

/* x2APIC ICR (SDM 11.12.9): bits 13, 17:16 and 31:20 are reserved; the
 * delivery status bit 12 no longer exists and is ignored (as KVM does). */
#define X2APIC_ICR_RESERVED 0xfff32000ull

enum x2apic_access { X2_NONE, X2_RO, X2_WO, X2_RW };

/* What RDMSR/WRMSR may do with the x2APIC register at offset (SDM table 11-6). APR, RRD, DFR
 * and ICR high do not exist in x2APIC mode; EOI and SELF IPI are write only. */
static enum x2apic_access x2apic_access(unsigned offset)
{
    if (offset >= VLAPIC_REG_ISR && offset < VLAPIC_REG_IRR + 0x80)
        return X2_RO;
    switch (offset) {
    case VLAPIC_REG_ID:
    case VLAPIC_REG_VER:
    case VLAPIC_REG_PPR:
    case VLAPIC_REG_LDR:
    case VLAPIC_REG_TMCCT:
        return X2_RO;
    case VLAPIC_REG_EOI:
    case VLAPIC_REG_SELF_IPI:
        return X2_WO;
    case VLAPIC_REG_TPR:
    case VLAPIC_REG_SVR:
    case VLAPIC_REG_ESR:
    case VLAPIC_REG_LVT_CMCI:
    case VLAPIC_REG_ICR_LO:
    case VLAPIC_REG_LVT_TIMER:
    case VLAPIC_REG_LVT_THERMAL:
    case VLAPIC_REG_LVT_PERF:
    case VLAPIC_REG_LVT_LINT0:
    case VLAPIC_REG_LVT_LINT1:
    case VLAPIC_REG_LVT_ERROR:
    case VLAPIC_REG_TMICT:
    case VLAPIC_REG_TDCR:
        return X2_RW;
    default:
        return X2_NONE;
    }
}

/* Bits WRMSR may set in a 32-bit x2APIC register; any other bit is reserved and faults
 * (SDM 11.12.1.3). The read-only delivery-status and remote-IRR bits of the LVT entries are
 * accepted and ignored: they are not reserved. */
static uint32_t x2apic_allowed(unsigned offset)
{
    switch (offset) {
    case VLAPIC_REG_TPR:
    case VLAPIC_REG_SELF_IPI:
        return 0xff;
    case VLAPIC_REG_EOI: /* "WRMSR of a non-zero value causes #GP(0)" (table 11-6) */
    case VLAPIC_REG_ESR:
        return 0;
    case VLAPIC_REG_SVR:
        return SVR_BITS;
    case VLAPIC_REG_LVT_TIMER:
        return LVT_BITS_TIMER | VLAPIC_LVT_PENDING;
    case VLAPIC_REG_LVT_LINT0:
    case VLAPIC_REG_LVT_LINT1:
        return LVT_BITS_LINT | VLAPIC_LVT_PENDING | VLAPIC_LVT_REMOTE_IRR;
    case VLAPIC_REG_LVT_ERROR:
        return LVT_BITS_ERROR | VLAPIC_LVT_PENDING;
    case VLAPIC_REG_LVT_CMCI:
    case VLAPIC_REG_LVT_THERMAL:
    case VLAPIC_REG_LVT_PERF:
        return LVT_BITS_DM | VLAPIC_LVT_PENDING;
    case VLAPIC_REG_TDCR:
        return TDCR_BITS;
    default: /* TMICT */
        return 0xffffffffu;
    }
}

static int x2apic_read(struct vlapic *v, uint32_t msr, uint64_t now_tsc, uint64_t *value)
{
    unsigned offset = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
    if (vlapic_mode(v) != VLAPIC_MODE_X2APIC) /* SDM 11.12.2 */
        return vlapic_fail(v, VLAPIC_GP, "RDMSR 0x%x: the APIC is not in x2APIC mode", msr);
    enum x2apic_access a = msr <= 0x8ff ? x2apic_access(offset) : X2_NONE;
    if (a == X2_NONE || a == X2_WO)
        return vlapic_fail(v, VLAPIC_GP, "RDMSR 0x%x: %s", msr,
                           a == X2_WO ? "write-only x2APIC register" : "no x2APIC register");
    if (offset == VLAPIC_REG_ICR_LO) /* one 64-bit register (SDM 11.12.9) */
        *value = (uint64_t)reg_get(v, VLAPIC_REG_ICR_HI) << 32 | reg_get(v, offset);
    else
        *value = vlapic_reg_read(v, offset, now_tsc);
    return VLAPIC_OK;
}

static int x2apic_write(struct vlapic *v, uint32_t msr, uint64_t value, uint64_t now_tsc)
{
    unsigned offset = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
    if (vlapic_mode(v) != VLAPIC_MODE_X2APIC)
        return vlapic_fail(v, VLAPIC_GP, "WRMSR 0x%x: the APIC is not in x2APIC mode", msr);
    enum x2apic_access a = msr <= 0x8ff ? x2apic_access(offset) : X2_NONE;
    if (a == X2_NONE || a == X2_RO)
        return vlapic_fail(v, VLAPIC_GP, "WRMSR 0x%x: %s", msr,
                           a == X2_RO ? "read-only x2APIC register" : "no x2APIC register");
    if (offset == VLAPIC_REG_ICR_LO) {
        if (value & X2APIC_ICR_RESERVED)
            return vlapic_fail(v, VLAPIC_GP, "WRMSR 0x830 (ICR) 0x%llx: reserved bits 0x%llx",
                               (unsigned long long)value,
                               (unsigned long long)(value & X2APIC_ICR_RESERVED));
        reg_set(v, VLAPIC_REG_ICR_HI, (uint32_t)(value >> 32));
        reg_set(v, VLAPIC_REG_ICR_LO, (uint32_t)value & ICR_LO_BITS);
        vlapic_send_icr(v);
        return VLAPIC_OK;
    }
    /* Bits 63:32 are reserved in every register but the ICR (SDM 11.12.1.2). */
    uint64_t reserved = ~(uint64_t)x2apic_allowed(offset);
    if (value & reserved)
        return vlapic_fail(v, VLAPIC_GP, "WRMSR 0x%x 0x%llx: reserved bits 0x%llx", msr,
                           (unsigned long long)value, (unsigned long long)(value & reserved));
    vlapic_reg_write(v, offset, (uint32_t)value, now_tsc);
    return VLAPIC_OK;
}

int vlapic_msr_read(struct vlapic *v, uint32_t msr, uint64_t now_tsc, uint64_t *value)
{
    *value = 0;
    if (msr == VLAPIC_MSR_APIC_BASE) {
        *value = v->apic_base;
        return VLAPIC_OK;
    }
    if (msr == VLAPIC_MSR_TSC_DEADLINE) {
        *value = vlapic_tsc_deadline(v);
        return VLAPIC_OK;
    }
    if (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST)
        return x2apic_read(v, msr, now_tsc, value);
    return vlapic_fail(v, VLAPIC_NOT_APIC, "MSR 0x%x is not an APIC MSR", msr);
}

int vlapic_msr_write(struct vlapic *v, uint32_t msr, uint64_t value, uint64_t now_tsc)
{
    if (msr == VLAPIC_MSR_APIC_BASE)
        return vlapic_set_apic_base(v, value);
    if (msr == VLAPIC_MSR_TSC_DEADLINE) {
        vlapic_set_tsc_deadline(v, value, now_tsc);
        return VLAPIC_OK;
    }
    if (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST)
        return x2apic_write(v, msr, value, now_tsc);
    return vlapic_fail(v, VLAPIC_NOT_APIC, "MSR 0x%x is not an APIC MSR", msr);
}
