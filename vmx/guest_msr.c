/* vmx/guest_msr.c - MSR value rules and the virtual MTRRs (pure; see guest_msr.h). */
#include "vmx/guest_msr.h"

#include <string.h>

#include "platform/x86.h"

bool msr_canonical(uint64_t value, unsigned va_bits)
{
    if (va_bits < 32 || va_bits >= 64)
        return true;
    int64_t sv = (int64_t)(value << (64 - va_bits)) >> (64 - va_bits); /* sign-extend */
    return (uint64_t)sv == value;
}

bool mtrr_type_valid(uint8_t type)
{
    return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

bool msr_pat_valid(uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        uint8_t t = (uint8_t)(value >> (8 * i));
        if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7) /* 2, 3, 8+ reserved */
            return false;
    }
    return true;
}

void guest_mtrr_init(struct guest_mtrr *m)
{
    memset(m, 0, sizeof(*m));
    m->def_type = GUEST_MTRR_DEF_INIT;
}

/* The index of a fixed-range MTRR in fixed[], or -1 (SDM 12.11.2.2, table 12-9). */
static int fixed_index(uint32_t msr)
{
    if (msr == MSR_MTRR_FIX64K_00000)
        return 0;
    if (msr == MSR_MTRR_FIX16K_80000)
        return 1;
    if (msr == MSR_MTRR_FIX16K_A0000)
        return 2;
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_C0000 + 7)
        return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
    return -1;
}

bool guest_mtrr_is_mtrr(uint32_t msr)
{
    return msr == MSR_MTRRCAP || msr == MSR_MTRR_DEF_TYPE || fixed_index(msr) >= 0 ||
           (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 0x100);
}

int guest_mtrr_read(const struct guest_mtrr *m, uint32_t msr, uint64_t *value)
{
    int f = fixed_index(msr);
    if (msr == MSR_MTRRCAP)
        *value = GUEST_MTRRCAP;
    else if (msr == MSR_MTRR_DEF_TYPE)
        *value = m->def_type;
    else if (f >= 0)
        *value = m->fixed[f];
    else if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * GUEST_MTRR_VCNT)
        *value = m->var[msr - MSR_MTRR_PHYSBASE0];
    else if (guest_mtrr_is_mtrr(msr))
        return GUEST_MSR_GP; /* a pair beyond IA32_MTRRCAP.VCNT: no such MSR */
    else
        return GUEST_MSR_NOT_MINE;
    return GUEST_MSR_OK;
}

int guest_mtrr_write(struct guest_mtrr *m, uint32_t msr, uint64_t value, unsigned maxphy)
{
    uint64_t phys_mask = maxphy >= 64 ? ~0ull : ((1ull << maxphy) - 1);
    int f = fixed_index(msr);
    if (msr == MSR_MTRRCAP)
        return GUEST_MSR_GP; /* read-only */
    if (msr == MSR_MTRR_DEF_TYPE) {
        /* type in 7:0, FE bit 10, E bit 11; the rest reserved (SDM 12.11.2.1) */
        if ((value & ~(0xffull | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E)) ||
            !mtrr_type_valid((uint8_t)value))
            return GUEST_MSR_GP;
        m->def_type = value;
        return GUEST_MSR_OK;
    }
    if (f >= 0) {
        for (unsigned i = 0; i < 8; i++) /* eight 8-bit types (SDM 12.11.2.2) */
            if (!mtrr_type_valid((uint8_t)(value >> (8 * i))))
                return GUEST_MSR_GP;
        m->fixed[f] = value;
        return GUEST_MSR_OK;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * GUEST_MTRR_VCNT) {
        unsigned i = msr - MSR_MTRR_PHYSBASE0;
        if (i % 2 == 0) { /* PhysBase: type 7:0, 11:8 reserved, base up to MAXPHYADDR */
            if ((value & 0xf00) || (value & ~phys_mask) || !mtrr_type_valid((uint8_t)value))
                return GUEST_MSR_GP;
        } else { /* PhysMask: 10:0 reserved, V bit 11, mask up to MAXPHYADDR */
            if ((value & 0x7ff) || (value & ~phys_mask))
                return GUEST_MSR_GP;
        }
        m->var[i] = value;
        return GUEST_MSR_OK;
    }
    return guest_mtrr_is_mtrr(msr) ? GUEST_MSR_GP : GUEST_MSR_NOT_MINE;
}

void guest_tsc_write(uint64_t *offset, uint64_t *adjust, uint64_t new_offset)
{
    *adjust += new_offset - *offset; /* SDM 18.17.3: TSC_ADJUST follows a write of the TSC */
    *offset = new_offset;
}

void guest_tsc_adjust_write(uint64_t *offset, uint64_t *adjust, uint64_t value)
{
    *offset += value - *adjust; /* SDM 18.17.3: the TSC moves by what TSC_ADJUST moves */
    *adjust = value;
}
