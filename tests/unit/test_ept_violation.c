/* Unit tests for vmx/ept_violation: decoding the EPT-violation exit qualification
 * (SDM 28.2.1) and the one-line message. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmx/ept_violation.h"

static const char *fmt_of(uint64_t qual, uint64_t gpa, uint64_t linear, bool adv, bool mbec)
{
    static char buf[512];
    struct ept_violation v;
    cr_assert_eq(ept_violation_decode(&v, qual, gpa, linear, adv, mbec), 0);
    int n = ept_violation_format(&v, buf, sizeof(buf));
    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

Test(ept_violation, write_to_a_read_execute_page)
{
    uint64_t q = EPT_VQ_WRITE | EPT_VQ_READABLE | EPT_VQ_EXECUTABLE | EPT_VQ_LINEAR_VALID |
                 EPT_VQ_TRANSLATION;
    cr_assert_eq(q, 0x1aa);
    cr_expect_str_eq(fmt_of(q, 0x1000, 0xffff800000001000ULL, false, false),
                     "EPT violation: write to GPA 0x1000 (linear 0xffff800000001000, a "
                     "translation access) in a page that is readable, not writable, executable");
    struct ept_violation v;
    ept_violation_decode(&v, q, 0x1000, 0xffff800000001000ULL, false, false);
    cr_expect(v.write && !v.read && !v.fetch);
    cr_expect(v.readable && !v.writable && v.executable);
    cr_expect(v.linear_valid && v.translation);
    cr_expect_eq(v.linear, 0xffff800000001000ULL);
    cr_expect_eq(v.qualification, 0x1aa);
}

Test(ept_violation, fetch_from_unmapped_page_without_linear_address)
{
    struct ept_violation v;
    ept_violation_decode(&v, EPT_VQ_FETCH | EPT_VQ_TRANSLATION, 0xfee00000, 0x1234, true, false);
    cr_expect_not(v.linear_valid);
    cr_expect_eq(v.linear, 0, "linear ignored when bit 7 is clear");
    cr_expect_not(v.translation, "bit 8 is reserved when bit 7 is clear");
    cr_expect_not(v.advanced);
    cr_expect_str_eq(fmt_of(EPT_VQ_FETCH, 0xfee00000, 0, false, false),
                     "EPT violation: instruction fetch to GPA 0xfee00000 (no linear address) in a "
                     "page that is not readable, not writable, not executable");
}

Test(ept_violation, paging_structure_access)
{
    cr_expect_str_eq(fmt_of(EPT_VQ_READ | EPT_VQ_LINEAR_VALID, 0x9000, 0x400000, true, false),
                     "EPT violation: read to GPA 0x9000 (linear 0x400000, a paging-structure "
                     "access) in a page that is not readable, not writable, not executable");
    cr_expect_str_eq(fmt_of(EPT_VQ_READ | EPT_VQ_WRITE | EPT_VQ_READABLE | EPT_VQ_LINEAR_VALID,
                            0x9000, 0x400000, false, false),
                     "EPT violation: read and write to GPA 0x9000 (linear 0x400000, a "
                     "paging-structure access) in a page that is readable, not writable, not "
                     "executable");
}

Test(ept_violation, advanced_information_bits_9_to_11)
{
    uint64_t q = EPT_VQ_WRITE | EPT_VQ_READABLE | EPT_VQ_LINEAR_VALID | EPT_VQ_TRANSLATION |
                 EPT_VQ_LINEAR_USER | EPT_VQ_LINEAR_NX;
    struct ept_violation v;
    ept_violation_decode(&v, q, 0x2000, 0x7fff0000, true, false);
    cr_expect(v.advanced && v.linear_user && !v.linear_writable && v.linear_nx);
    cr_expect_str_eq(fmt_of(q, 0x2000, 0x7fff0000, true, false),
                     "EPT violation: write to GPA 0x2000 (linear 0x7fff0000, a translation "
                     "access; linear page user, read-only, execute-disable) in a page that is "
                     "readable, not writable, not executable");
    /* undefined without the capability, and without bit 8 */
    ept_violation_decode(&v, q, 0x2000, 0x7fff0000, false, false);
    cr_expect(!v.advanced && !v.linear_user && !v.linear_nx);
    ept_violation_decode(&v, q & ~EPT_VQ_TRANSLATION, 0x2000, 0x7fff0000, true, false);
    cr_expect(!v.advanced && !v.linear_user);
}

Test(ept_violation, mode_based_execute_control)
{
    uint64_t q = EPT_VQ_FETCH | EPT_VQ_READABLE | EPT_VQ_USER_EXECUTABLE;
    cr_expect_str_eq(fmt_of(q, 0x3000, 0, false, true),
                     "EPT violation: instruction fetch to GPA 0x3000 (no linear address) in a page "
                     "that is readable, not writable, not supervisor-executable, "
                     "user-executable");
    struct ept_violation v;
    ept_violation_decode(&v, q, 0x3000, 0, false, false);
    cr_expect_not(v.user_executable, "bit 6 is undefined without MBEC");
    cr_expect_str_eq(fmt_of(q, 0x3000, 0, false, false),
                     "EPT violation: instruction fetch to GPA 0x3000 (no linear address) in a page "
                     "that is readable, not writable, not executable");
}

Test(ept_violation, extra_bits)
{
    uint64_t q = EPT_VQ_READ | EPT_VQ_NMI_UNBLOCKING | EPT_VQ_SHADOW_STACK | EPT_VQ_SSS_PAGE |
                 EPT_VQ_GUEST_PAGING | EPT_VQ_ASYNC;
    struct ept_violation v;
    ept_violation_decode(&v, q, 0, 0, false, false);
    cr_expect(v.nmi_unblocking && v.shadow_stack && v.sss_page && v.guest_paging && v.async);
    cr_expect_str_eq(fmt_of(q, 0, 0, false, false),
                     "EPT violation: read to GPA 0x0 (no linear address) in a page that is not "
                     "readable, not writable, not executable; NMI unblocking due to IRET; "
                     "shadow-stack access; supervisor shadow-stack page; guest-paging "
                     "verification; asynchronous to instruction execution");
    ept_violation_decode(&v, EPT_VQ_READ, 0, 0, false, false);
    cr_expect(!v.nmi_unblocking && !v.async);
    cr_expect_str_eq(fmt_of(0, 0x5000, 0, false, false),
                     "EPT violation: access to GPA 0x5000 (no linear address) in a page that is "
                     "not readable, not writable, not executable");
}

Test(ept_violation, truncation_keeps_snprintf_semantics)
{
    struct ept_violation v;
    ept_violation_decode(&v, EPT_VQ_WRITE | EPT_VQ_LINEAR_VALID, 0x1000, 0x2000, false, false);
    char full[256], small[24];
    int n = ept_violation_format(&v, full, sizeof(full));
    memset(small, 'x', sizeof(small));
    cr_expect_eq(ept_violation_format(&v, small, sizeof(small)), n);
    cr_expect_eq(strlen(small), sizeof(small) - 1);
    cr_expect_eq(strncmp(small, full, sizeof(small) - 1), 0);
    cr_expect_eq(ept_violation_format(&v, NULL, 0), n);
    cr_expect_eq(ept_violation_format(NULL, full, sizeof(full)), -1);
    cr_expect_eq(ept_violation_decode(NULL, 0, 0, 0, false, false), -1);
}
