/* tests/unit/test_posted_intr.c - the posted-interrupt descriptor (SDM 30.6). */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "vmx/posted_intr.h"

static struct pi_desc d;

static void setup(void)
{
    memset(&d, 0x5a, sizeof(d));
    pi_init(&d, 0xf2, 3, false);
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(posted_intr, .init = setup);

Test(posted_intr, layout)
{
    cr_assert_eq(sizeof(struct pi_desc), 64);
    cr_assert_eq(_Alignof(struct pi_desc), 64);
    cr_assert_eq(offsetof(struct pi_desc, control), 32, "ON is bit 256");
    pi_post(&d, 0);
    cr_assert_eq(d.pir[0], 1);
    pi_post(&d, 255);
    cr_assert_eq(d.pir[3], 1ull << 63);
    cr_assert_eq(d.control, 0x0000030000f20001ull, "NDST 0x300, NV 0xf2, ON");
}

Test(posted_intr, init_clears_everything)
{
    cr_assert_not(pi_pending(&d));
    cr_assert_not(pi_on(&d));
    cr_assert_not(pi_sn(&d));
    cr_assert_eq(pi_nv(&d), 0xf2);
    cr_assert_eq(pi_ndst(&d), 0x300, "xAPIC ID in bits 15:8");
    cr_assert_eq(d.software[0] | d.software[1] | d.software[2], 0);
}

Test(posted_intr, first_post_notifies)
{
    cr_assert(pi_post(&d, 0x41));
    cr_assert(pi_on(&d));
    cr_assert(pi_pending(&d));
    cr_assert_not(pi_post(&d, 0x42), "ON already set: a notification is on its way");
    cr_assert_not(pi_post(&d, 0x41));
    cr_assert_eq(d.pir[1], 3ull << 1);
}

Test(posted_intr, suppressed_notification)
{
    pi_suppress(&d);
    cr_assert(pi_sn(&d));
    cr_assert_not(pi_post(&d, 0x80));
    cr_assert_not(pi_on(&d), "SN leaves ON alone");
    cr_assert(pi_pending(&d));
    cr_assert(pi_unsuppress(&d), "posted meanwhile: notify now");
    cr_assert(pi_on(&d));
    cr_assert_not(pi_sn(&d));
    cr_assert_not(pi_unsuppress(&d), "ON is set already");
}

Test(posted_intr, unsuppress_without_posts)
{
    pi_suppress(&d);
    cr_assert_not(pi_unsuppress(&d));
    cr_assert_not(pi_on(&d));
}

Test(posted_intr, harvest_is_the_cpu_processing)
{
    pi_post(&d, 0x31);
    pi_post(&d, 0xa0);
    pi_post(&d, 0xff);
    uint32_t virr[8] = {0, 1u << 2, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(pi_harvest(&d, virr), 0xff);
    cr_assert_eq(virr[1], 1u << 2 | 1u << (0x31 - 32), "ORed into VIRR");
    cr_assert_eq(virr[5], 1u << 0);
    cr_assert_eq(virr[7], 1u << 31);
    cr_assert_not(pi_pending(&d), "PIR emptied");
    cr_assert_not(pi_on(&d), "ON cleared");
    cr_assert_eq(pi_nv(&d), 0xf2, "the rest of the control word stays");
    cr_assert_eq(pi_harvest(&d, virr), -1);
    cr_assert(pi_post(&d, 0x20), "notifies again after a harvest");
}

Test(posted_intr, fields)
{
    pi_post(&d, 0x50);
    pi_suppress(&d);
    pi_set_nv(&d, 0xe1);
    pi_set_ndst(&d, 0x12345678, true);
    cr_assert_eq(pi_nv(&d), 0xe1);
    cr_assert_eq(pi_ndst(&d), 0x12345678);
    cr_assert(pi_on(&d));
    cr_assert(pi_sn(&d));
    pi_set_ndst(&d, 0x1ff, false);
    cr_assert_eq(pi_ndst(&d), 0xff00, "8-bit xAPIC ID");
    cr_assert_eq(pi_nv(&d), 0xe1);
}
