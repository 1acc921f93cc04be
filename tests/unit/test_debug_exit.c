/* tests/unit/test_debug_exit.c - the isa-debug-exit compatible device. */
#include <criterion/criterion.h>
#include "devices/debug_exit.h"

Test(debug_exit, out_ends_the_vm_with_shifted_status)
{
    struct debug_exit d;
    struct vm_stop_request stop = {0};
    uint32_t v = 0x10;
    debug_exit_init(&d, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    cr_assert(debug_exit_io(&d, 0xf4, 1, false, &v, &stop));
    cr_assert(stop.stop);
    cr_assert_eq(stop.status, 0x21);
    cr_assert_str_eq(stop.why, "isa-debug-exit");

    struct vm_stop_request s2 = {0};
    v = 0;
    cr_assert(debug_exit_io(&d, 0xf4, 4, false, &v, &s2));
    cr_assert(s2.stop);
    cr_assert_eq(s2.status, 1);
}

Test(debug_exit, sizes_mask_the_value)
{
    struct debug_exit d;
    struct vm_stop_request stop = {0};
    uint32_t v = 0x12345;
    debug_exit_init(&d, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    cr_assert(debug_exit_io(&d, 0xf4, 1, false, &v, &stop));
    cr_assert_eq(stop.status, (0x45 << 1) | 1);
    cr_assert(debug_exit_io(&d, 0xf4, 2, false, &v, &stop));
    cr_assert_eq(stop.status, (0x2345 << 1) | 1);
    cr_assert(debug_exit_io(&d, 0xf4, 4, false, &v, &stop));
    cr_assert_eq(stop.status, (0x12345 << 1) | 1);
    v = 0xffffffff;
    cr_assert(debug_exit_io(&d, 0xf4, 4, false, &v, &stop));
    cr_assert_eq(stop.status, 0x7fffffff, "kept to 31 bits");
}

Test(debug_exit, reads_all_ones_and_no_stop)
{
    struct debug_exit d;
    struct vm_stop_request stop = {0};
    uint32_t v = 0;
    debug_exit_init(&d, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    cr_assert(debug_exit_io(&d, 0xf4, 1, true, &v, &stop));
    cr_assert_eq(v, 0xff);
    cr_assert(debug_exit_io(&d, 0xf6, 2, true, &v, &stop));
    cr_assert_eq(v, 0xffff);
    cr_assert(debug_exit_io(&d, 0xf4, 4, true, &v, &stop));
    cr_assert_eq(v, 0xffffffff);
    cr_assert_not(stop.stop);
}

Test(debug_exit, iobase_and_iosize)
{
    struct debug_exit d;
    struct vm_stop_request stop = {0};
    uint32_t v = 3;
    debug_exit_init(&d, 0x501, 1); /* QEMU's defaults */
    cr_assert_not(debug_exit_io(&d, 0xf4, 1, false, &v, &stop));
    cr_assert_not(debug_exit_io(&d, 0x500, 1, false, &v, &stop));
    cr_assert_not(debug_exit_io(&d, 0x502, 1, false, &v, &stop));
    cr_assert_not(stop.stop);
    cr_assert(debug_exit_io(&d, 0x501, 1, false, &v, &stop));
    cr_assert_eq(stop.status, 7);
    debug_exit_init(&d, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE);
    cr_assert(debug_exit_io(&d, 0xf7, 1, true, &v, &stop));
    cr_assert_not(debug_exit_io(&d, 0xf8, 1, true, &v, &stop));
    cr_assert_not(debug_exit_io(&d, 0xf3, 1, true, &v, &stop));
}
