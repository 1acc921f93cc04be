/* vm/host_mtrr.c - reading the host MTRRs (SDM 12.11) into the pure vmx/mtrr.c model. */
#include "platform/console.h"
#include "platform/cpu.h"
#include "vm/host_mtrr.h"
#include "vmx/mtrr.h"

static struct mtrr_state state;
static int loaded; /* 0 not yet, 1 read, -1 the CPU has no MTRRs */

static void load(void)
{
    /* CPUID.1:EDX.MTRR[bit 12] (SDM 12.11.1); physical-address width from 0x80000008. */
    if (!((cpuid(1, 0).edx >> 12) & 1)) {
        loaded = -1;
        return;
    }
    uint64_t cap = rdmsr(MTRR_MSR_CAP);
    state.phys_bits = 36;
    if (cpuid(0x80000000, 0).eax >= 0x80000008)
        state.phys_bits = cpuid(0x80000008, 0).eax & 0xff;
    mtrr_set_def_type(&state, rdmsr(MTRR_MSR_DEF_TYPE));
    if (cap & MTRR_CAP_FIX) {
        for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++)
            state.fixed[i] = rdmsr(mtrr_fixed_msr[i]);
    } else {
        state.fixed_enabled = false;
    }
    state.var_count = (unsigned)(cap & MTRR_CAP_VCNT);
    if (state.var_count > MTRR_MAX_VAR)
        state.var_count = MTRR_MAX_VAR;
    for (unsigned i = 0; i < state.var_count; i++) {
        state.var[i].base = rdmsr(MTRR_MSR_PHYSBASE(i));
        state.var[i].mask = rdmsr(MTRR_MSR_PHYSMASK(i));
    }
    loaded = 1;
}

uint8_t host_mtrr_type(uint64_t base, uint64_t size)
{
    uint8_t type;
    if (!loaded)
        load();
    if (loaded < 0)
        return MTRR_WB;
    int err = mtrr_type_of(&state, base, size, &type);
    if (err) {
        pr_warn("mtrr: host range 0x%lx+0x%lx: %s; mapping it uncached\n", base, size,
                mtrr_error_str(err));
        return MTRR_UC;
    }
    return type;
}
