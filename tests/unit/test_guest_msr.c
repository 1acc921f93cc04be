/* tests/unit/test_guest_msr.c - MSR value rules and the guest's virtual MTRRs. */
#include <criterion/criterion.h>
#include "platform/x86.h"
#include "vmx/guest_msr.h"

Test(guest_msr, canonical_48_and_57)
{
    cr_assert(msr_canonical(0x00007fffffffffffull, 48));
    cr_assert(msr_canonical(0xffff800000000000ull, 48));
    cr_assert_not(msr_canonical(0x0000800000000000ull, 48));
    cr_assert_not(msr_canonical(0xfffe800000000000ull, 48));
    cr_assert(msr_canonical(0x0000800000000000ull, 57));
    cr_assert_not(msr_canonical(0x0100000000000000ull, 57));
}

Test(guest_msr, pat_entries)
{
    cr_assert(msr_pat_valid(0x0007040600070406ull)); /* the power-up PAT */
    cr_assert(msr_pat_valid(0x0106050407060100ull));
    cr_assert_not(msr_pat_valid(0x0007040600070402ull), "type 2 is reserved");
    cr_assert_not(msr_pat_valid(0x0307040600070406ull), "type 3 in entry 7");
    cr_assert_not(msr_pat_valid(0x0007040600080406ull), "type 8");
}

Test(guest_msr, mtrr_power_up_and_cap)
{
    struct guest_mtrr m;
    uint64_t v = 0;
    guest_mtrr_init(&m);
    cr_assert_eq(guest_mtrr_read(&m, MSR_MTRRCAP, &v), GUEST_MSR_OK);
    cr_assert_eq(v & 0xff, GUEST_MTRR_VCNT);
    cr_assert_eq(guest_mtrr_read(&m, MSR_MTRR_DEF_TYPE, &v), GUEST_MSR_OK);
    cr_assert_eq(v, 0x806);
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRRCAP, 0x508, 36), GUEST_MSR_GP, "read-only");
}

Test(guest_msr, mtrr_variable_pairs_only_up_to_vcnt)
{
    struct guest_mtrr m;
    uint64_t v = 1;
    guest_mtrr_init(&m);
    cr_assert_eq(guest_mtrr_read(&m, 0x20f, &v), GUEST_MSR_OK);
    cr_assert_eq(v, 0);
    cr_assert_eq(guest_mtrr_read(&m, 0x210, &v), GUEST_MSR_GP, "pair 8 does not exist");
    cr_assert_eq(guest_mtrr_read(&m, 0x21f, &v), GUEST_MSR_GP);
    cr_assert_eq(guest_mtrr_write(&m, 0x21f, 0, 36), GUEST_MSR_GP);
    cr_assert_eq(guest_mtrr_read(&m, 0x1ff, &v), GUEST_MSR_NOT_MINE);
}

Test(guest_msr, mtrr_writes_checked_and_kept)
{
    struct guest_mtrr m;
    uint64_t v = 0;
    guest_mtrr_init(&m);
    cr_assert_eq(guest_mtrr_write(&m, 0x200, 0x80000006ull, 36), GUEST_MSR_OK);
    cr_assert_eq(guest_mtrr_write(&m, 0x201, 0xf80000800ull, 36), GUEST_MSR_OK);
    cr_assert_eq(guest_mtrr_read(&m, 0x201, &v), GUEST_MSR_OK);
    cr_assert_eq(v, 0xf80000800ull);
    cr_assert_eq(guest_mtrr_write(&m, 0x200, 0x80000002ull, 36), GUEST_MSR_GP, "type 2");
    cr_assert_eq(guest_mtrr_write(&m, 0x200, 0x80000106ull, 36), GUEST_MSR_GP, "bit 8");
    cr_assert_eq(guest_mtrr_write(&m, 0x200, 0x1000000006ull, 36), GUEST_MSR_GP,
                 "beyond MAXPHYADDR");
    cr_assert_eq(guest_mtrr_write(&m, 0x203, 0xf80000801ull, 36), GUEST_MSR_GP, "mask bit 0");
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0xc06, 36), GUEST_MSR_OK);
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0x1806, 36), GUEST_MSR_GP);
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRR_DEF_TYPE, 0x803, 36), GUEST_MSR_GP);
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRR_FIX4K_C0000 + 7, 0x0606060606060606ull, 36),
                 GUEST_MSR_OK);
    cr_assert_eq(guest_mtrr_write(&m, MSR_MTRR_FIX64K_00000, 0x0606060606060603ull, 36),
                 GUEST_MSR_GP);
    cr_assert_eq(guest_mtrr_read(&m, MSR_MTRR_FIX4K_C0000 + 7, &v), GUEST_MSR_OK);
    cr_assert_eq(v, 0x0606060606060606ull);
}

Test(guest_msr, tsc_adjust_moves_the_tsc)
{
    uint64_t offset = 1000, adjust = 0;
    guest_tsc_adjust_write(&offset, &adjust, 250);
    cr_assert_eq(offset, 1250, "the TSC moved by what TSC_ADJUST moved");
    cr_assert_eq(adjust, 250);
    guest_tsc_adjust_write(&offset, &adjust, (uint64_t)-50); /* negative, two's complement */
    cr_assert_eq(offset, 950);
    cr_assert_eq(adjust, (uint64_t)-50);
}

Test(guest_msr, tsc_write_moves_tsc_adjust)
{
    uint64_t offset = 1000, adjust = 7;
    guest_tsc_write(&offset, &adjust, 400); /* the TSC set 600 lower */
    cr_assert_eq(offset, 400);
    cr_assert_eq(adjust, (uint64_t)7 - 600, "TSC_ADJUST moved by as much as the TSC");
    guest_tsc_adjust_write(&offset, &adjust, 7);
    cr_assert_eq(offset, 1000, "writing TSC_ADJUST back restores the TSC");
}
