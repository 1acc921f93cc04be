/* tests/unit/test_fw_cfg.c - QEMU's fw_cfg device, I/O-port interface. */
#include <criterion/criterion.h>
#include "devices/fw_cfg.h"

static void sel(struct fw_cfg *f, uint16_t key)
{
    uint32_t v = key;
    cr_assert(fw_cfg_io(f, FW_CFG_PORT_SEL, 2, false, &v));
}

static uint8_t rd(struct fw_cfg *f)
{
    uint32_t v = 0xdeadbeef;
    cr_assert(fw_cfg_io(f, FW_CFG_PORT_DATA, 1, true, &v));
    cr_assert_leq(v, 0xff);
    return (uint8_t)v;
}

static uint64_t rd_le(struct fw_cfg *f, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)rd(f) << (8 * i);
    return v;
}

static uint32_t rd_be(struct fw_cfg *f, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | rd(f);
    return v;
}

Test(fw_cfg, signature_and_id)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 2, 32u << 20);
    sel(&f, FW_CFG_SIGNATURE);
    char sig[5] = {0};
    for (int i = 0; i < 4; i++)
        sig[i] = (char)rd(&f);
    cr_assert_str_eq(sig, "QEMU");
    cr_assert_eq(rd(&f), 0, "past the end reads 0");
    sel(&f, FW_CFG_ID);
    cr_assert_eq(rd_le(&f, 4), FW_CFG_ID_TRADITIONAL, "no DMA bit");
}

Test(fw_cfg, cpus_and_ram)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 4, 0x123456789ull);
    sel(&f, FW_CFG_NB_CPUS);
    cr_assert_eq(rd_le(&f, 2), 4);
    cr_assert_eq(rd(&f), 0);
    sel(&f, FW_CFG_MAX_CPUS);
    cr_assert_eq(rd_le(&f, 2), 4);
    sel(&f, FW_CFG_RAM_SIZE);
    cr_assert_eq(rd_le(&f, 8), 0x123456789ull);
}

Test(fw_cfg, select_rewinds)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 3, 0);
    sel(&f, FW_CFG_NB_CPUS);
    cr_assert_eq(rd(&f), 3);
    sel(&f, FW_CFG_NB_CPUS);
    cr_assert_eq(rd(&f), 3, "the same item selected again starts at byte 0");
}

Test(fw_cfg, unknown_and_arch_items_read_zero)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 1, 1u << 20);
    sel(&f, 0x02); /* UUID: not provided */
    cr_assert_eq(rd_le(&f, 8), 0);
    sel(&f, 0x8003); /* x86 e820 table */
    cr_assert_eq(rd_le(&f, 8), 0);
    sel(&f, 0x21); /* no such file */
    cr_assert_eq(rd(&f), 0);
    uint8_t b;
    cr_assert_not(fw_cfg_item_byte(&f, 0x8000 | FW_CFG_NB_CPUS, 0, &b));
}

Test(fw_cfg, write_bit_is_no_part_of_the_key)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 5, 0);
    sel(&f, 0x4000 | FW_CFG_NB_CPUS);
    cr_assert_eq(rd(&f), 5);
}

Test(fw_cfg, byte_writes_do_not_select)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 6, 0);
    sel(&f, FW_CFG_NB_CPUS);
    uint32_t v = FW_CFG_SIGNATURE;
    cr_assert(fw_cfg_io(&f, FW_CFG_PORT_SEL, 1, false, &v));
    cr_assert(fw_cfg_io(&f, FW_CFG_PORT_DATA, 1, false, &v));
    cr_assert_eq(rd(&f), 6, "still NB_CPUS, at byte 0");
}

Test(fw_cfg, other_ports_are_not_its)
{
    struct fw_cfg f;
    uint32_t v = 0;
    fw_cfg_init(&f, 1, 0);
    cr_assert_not(fw_cfg_io(&f, 0x50f, 1, true, &v));
    cr_assert_not(fw_cfg_io(&f, 0x512, 1, true, &v));
    cr_assert_not(fw_cfg_io(&f, 0x514, 4, false, &v), "no DMA address register");
}

Test(fw_cfg, empty_directory)
{
    struct fw_cfg f;
    fw_cfg_init(&f, 1, 0);
    sel(&f, FW_CFG_FILE_DIR);
    cr_assert_eq(rd_be(&f, 4), 0);
    cr_assert_eq(rd(&f), 0);
}

Test(fw_cfg, directory_big_endian_sorted)
{
    struct fw_cfg f;
    static const uint8_t a[] = {1, 2, 3}, b[300] = {[299] = 0x7e};
    char err[96];
    fw_cfg_init(&f, 1, 0);
    cr_assert_eq(fw_cfg_add_file(&f, "opt/zeta", a, sizeof(a), err, sizeof(err)), 0);
    cr_assert_eq(fw_cfg_add_file(&f, "etc/alpha", b, sizeof(b), err, sizeof(err)), 0);
    sel(&f, FW_CFG_FILE_DIR);
    cr_assert_eq(rd_be(&f, 4), 2);
    /* etc/alpha first (sorted), selector 0x21 (the second added) */
    cr_assert_eq(rd_be(&f, 4), 300);
    cr_assert_eq(rd_be(&f, 2), 0x21);
    cr_assert_eq(rd_be(&f, 2), 0);
    char name[FW_CFG_NAME_MAX];
    for (int i = 0; i < FW_CFG_NAME_MAX; i++)
        name[i] = (char)rd(&f);
    cr_assert_str_eq(name, "etc/alpha");
    cr_assert_eq(name[FW_CFG_NAME_MAX - 1], 0);
    cr_assert_eq(rd_be(&f, 4), 3);
    cr_assert_eq(rd_be(&f, 2), 0x20);
    sel(&f, 0x20);
    cr_assert_eq(rd(&f), 1);
    cr_assert_eq(rd(&f), 2);
    cr_assert_eq(rd(&f), 3);
    cr_assert_eq(rd(&f), 0, "past the file's end");
    uint8_t byte;
    cr_assert(fw_cfg_item_byte(&f, 0x21, 299, &byte));
    cr_assert_eq(byte, 0x7e);
    cr_assert_not(fw_cfg_item_byte(&f, 0x21, 300, &byte));
}

Test(fw_cfg, bad_files_refused)
{
    struct fw_cfg f;
    char err[96] = "";
    static const uint8_t d[1];
    char longname[FW_CFG_NAME_MAX + 1];
    memset(longname, 'x', FW_CFG_NAME_MAX);
    longname[FW_CFG_NAME_MAX] = 0;
    fw_cfg_init(&f, 1, 0);
    cr_assert_eq(fw_cfg_add_file(&f, "", d, 1, err, sizeof(err)), -1);
    cr_assert(strstr(err, "empty") != NULL);
    cr_assert_eq(fw_cfg_add_file(&f, longname, d, 1, err, sizeof(err)), -1);
    longname[FW_CFG_NAME_MAX - 1] = 0; /* 55 characters: fits */
    cr_assert_eq(fw_cfg_add_file(&f, longname, d, 1, err, sizeof(err)), 0);
    cr_assert_eq(fw_cfg_add_file(&f, longname, d, 1, err, sizeof(err)), -1);
    cr_assert(strstr(err, "already") != NULL);
    for (int i = 1; i < FW_CFG_FILES_MAX; i++) {
        char n[8] = {'f', (char)('0' + i), 0};
        cr_assert_eq(fw_cfg_add_file(&f, n, d, 1, err, sizeof(err)), 0);
    }
    cr_assert_eq(fw_cfg_add_file(&f, "full", d, 1, err, sizeof(err)), -1);
    cr_assert(strstr(err, "no room") != NULL);
    cr_assert_eq(f.nfiles, FW_CFG_FILES_MAX);
}
