/* tests/unit/test_i8259.c - the virtual 8259A pair. */
#include <criterion/criterion.h>
#include <string.h>
#include "devices/i8259.h"

static struct i8259 pic;
static bool int_level;
static int int_changes;
static char notes[32][96];
static int nnotes;

static void intr(void *ctx, bool level)
{
    cr_assert_eq(ctx, &pic);
    int_level = level;
    int_changes++;
}

static void note(void *ctx, const char *event)
{
    (void)ctx;
    cr_assert_lt(strlen(event), sizeof notes[0]);
    strcpy(notes[nnotes++ % 32], event);
}

static bool noted(const char *event)
{
    for (int i = 0; i < nnotes && i < 32; i++)
        if (!strcmp(notes[i], event))
            return true;
    return false;
}

static void setup(void)
{
    int_level = false;
    int_changes = 0;
    nnotes = 0;
    i8259_init(&pic, intr, note, &pic);
}

static void out8(uint16_t port, uint8_t v)
{
    uint32_t value = v;
    cr_assert(i8259_io(&pic, port, 1, false, &value));
}

static uint8_t in8(uint16_t port)
{
    uint32_t value = 0x12345678;
    cr_assert(i8259_io(&pic, port, 1, true, &value));
    cr_assert_leq(value, 0xff);
    return (uint8_t)value;
}

/* Linux's init_8259A (arch/x86/kernel/i8259.c), vectors 0x30/0x38, then its masks. */
static void linux_init(bool auto_eoi)
{
    out8(0x21, 0xff);
    out8(0xa1, 0xff);
    out8(0x20, 0x11);             /* ICW1: edge, cascade, ICW4 */
    out8(0x21, 0x30);             /* ICW2 */
    out8(0x21, 0x04);             /* ICW3: slave on IR2 */
    out8(0x21, auto_eoi ? 3 : 1); /* ICW4: 8086 (+ auto EOI) */
    out8(0xa0, 0x11);
    out8(0xa1, 0x38);
    out8(0xa1, 0x02); /* slave ID 2 */
    out8(0xa1, 0x01);
    out8(0x21, 0xfb); /* everything masked but the cascade */
    out8(0xa1, 0xff);
}

static uint8_t read_isr(uint16_t cmd)
{
    out8(cmd, 0x0b);
    uint8_t v = in8(cmd);
    out8(cmd, 0x0a);
    return v;
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(i8259, .init = setup);

Test(i8259, power_on_state_is_masked_and_quiet)
{
    cr_assert_eq(in8(0x21), 0xff);
    cr_assert_eq(in8(0xa1), 0xff);
    i8259_set_irq(&pic, 0, true);
    cr_assert_eq(i8259_peek(&pic), -1);
    cr_assert_eq(int_changes, 0);
    cr_assert_eq(in8(0x20), 0x01); /* the request is latched in IRR all the same */
}

Test(i8259, linux_init_sequence_is_noted)
{
    linux_init(false);
    cr_assert(noted("master ICW1: edge-triggered, cascade, ICW4 needed"));
    cr_assert(noted("master ICW2: vector base 0x30"));
    cr_assert(noted("master ICW3: slaves on IR mask 0x04"));
    cr_assert(noted("master ICW4: 8086 mode, normal EOI"));
    cr_assert(noted("slave ICW2: vector base 0x38"));
    cr_assert(noted("slave ICW3: slave ID 2"));
    cr_assert(noted("slave OCW1: mask 0xff"));
    cr_assert(noted("master OCW1: mask 0xfb"));
    cr_assert_eq(in8(0x21), 0xfb);
    cr_assert_eq(in8(0xa1), 0xff);
    cr_assert_eq(int_changes, 0);
}

Test(i8259, icw1_clears_the_mask_as_the_datasheet_says)
{
    out8(0x20, 0x11);
    cr_assert_eq(in8(0x21), 0x00);
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    cr_assert_eq(in8(0x21), 0x00); /* the ICWs went to their registers, not to IMR */
}

Test(i8259, edge_irq_delivers_once_per_rising_edge)
{
    linux_init(false);
    out8(0x21, 0xfa); /* unmask IRQ0 */
    i8259_set_irq(&pic, 0, true);
    cr_assert(int_level);
    cr_assert_eq(i8259_peek(&pic), 0x30);
    cr_assert_eq(i8259_ack(&pic), 0x30);
    cr_assert_not(int_level);
    cr_assert_eq(read_isr(0x20), 0x01);
    cr_assert_eq(in8(0x20), 0x00); /* IRR: the edge was used */
    i8259_set_irq(&pic, 0, true);  /* still high: no new edge */
    cr_assert_eq(in8(0x20), 0x00);
    i8259_set_irq(&pic, 0, false);
    i8259_set_irq(&pic, 0, true);
    cr_assert_eq(in8(0x20), 0x01);
    cr_assert_not(int_level); /* IR0 is in service: same priority waits */
    out8(0x20, 0x20);         /* non-specific EOI */
    cr_assert(int_level);
    cr_assert_eq(i8259_ack(&pic), 0x30);
}

Test(i8259, edge_request_survives_a_short_pulse)
{
    linux_init(false);
    out8(0x21, 0xfa);
    i8259_set_irq(&pic, 0, true);
    i8259_set_irq(&pic, 0, false);
    cr_assert(int_level);
    cr_assert_eq(i8259_ack(&pic), 0x30);
}

Test(i8259, masked_request_waits_in_irr)
{
    linux_init(false);
    i8259_set_irq(&pic, 1, true);
    cr_assert_not(int_level);
    cr_assert_eq(i8259_peek(&pic), -1);
    cr_assert_eq(in8(0x20), 0x02);
    out8(0x21, 0xf9);
    cr_assert(int_level);
    cr_assert_eq(i8259_peek(&pic), 0x31);
}

Test(i8259, fixed_priority_and_nesting)
{
    linux_init(false);
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 5, true);
    i8259_set_irq(&pic, 3, true);
    cr_assert_eq(i8259_ack(&pic), 0x33);
    cr_assert(int_level == false); /* IR5 is lower than IR3 in service */
    out8(0x20, 0x20);
    cr_assert_eq(i8259_ack(&pic), 0x35);
    i8259_set_irq(&pic, 6, true);
    cr_assert_eq(i8259_peek(&pic), -1); /* IR6 below IR5 in service */
    i8259_set_irq(&pic, 4, true);
    cr_assert_eq(i8259_peek(&pic), 0x34); /* IR4 nests above IR5 */
    cr_assert_eq(i8259_ack(&pic), 0x34);
    cr_assert_eq(read_isr(0x20), 0x30);
    out8(0x20, 0x20); /* non-specific EOI ends the highest: IR4 */
    cr_assert_eq(read_isr(0x20), 0x20);
    out8(0x20, 0x65); /* specific EOI IR5 */
    cr_assert_eq(read_isr(0x20), 0x00);
    cr_assert_eq(i8259_ack(&pic), 0x36);
}

Test(i8259, rotate_on_non_specific_eoi)
{
    linux_init(false);
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 1, true);
    cr_assert_eq(i8259_ack(&pic), 0x31);
    out8(0x20, 0xa0); /* rotate on non-specific EOI: IR1 becomes the lowest */
    i8259_set_irq(&pic, 1, false);
    i8259_set_irq(&pic, 1, true);
    i8259_set_irq(&pic, 7, true);
    cr_assert_eq(i8259_peek(&pic), 0x37); /* IR2 is now the highest, then 3 ... 7, 0, 1 */
    cr_assert_eq(i8259_ack(&pic), 0x37);
    cr_assert_eq(i8259_peek(&pic), -1); /* IR1 is below IR7 now */
    out8(0x20, 0xe7);                   /* rotate on specific EOI 7: IR7 lowest */
    cr_assert_eq(i8259_peek(&pic), 0x31);
}

Test(i8259, set_priority_command)
{
    linux_init(false);
    out8(0x21, 0x00);
    out8(0x20, 0xc4); /* IR4 lowest: IR5 highest */
    cr_assert(noted("master OCW2: set priority, lowest IR4"));
    i8259_set_irq(&pic, 3, true);
    i8259_set_irq(&pic, 6, true);
    cr_assert_eq(i8259_ack(&pic), 0x36);
    cr_assert_eq(read_isr(0x20), 0x40);
    cr_assert_eq(i8259_peek(&pic), -1); /* IR3 now ranks below IR6 in service */
    out8(0x20, 0x20);
    cr_assert_eq(i8259_ack(&pic), 0x33);
}

Test(i8259, auto_eoi_and_rotation_in_auto_eoi)
{
    linux_init(true);
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 3, true);
    cr_assert_eq(i8259_ack(&pic), 0x33);
    cr_assert_eq(read_isr(0x20), 0x00);
    out8(0x20, 0x80); /* rotate in AEOI mode: set */
    i8259_set_irq(&pic, 3, false);
    i8259_set_irq(&pic, 3, true);
    i8259_set_irq(&pic, 4, true);
    cr_assert_eq(i8259_ack(&pic), 0x33); /* IR3 still ranks above IR4 */
    cr_assert_eq(i8259_ack(&pic), 0x34); /* after the rotation IR4 is the highest */
    i8259_set_irq(&pic, 3, false);
    i8259_set_irq(&pic, 3, true);
    i8259_set_irq(&pic, 6, true);
    cr_assert_eq(i8259_ack(&pic), 0x36); /* IR4 lowest: 5, 6, 7, 0, 1, 2, 3, 4 */
    out8(0x20, 0x00);                    /* rotate in AEOI: clear */
    cr_assert(noted("master OCW2: rotate in auto-EOI mode off"));
}

Test(i8259, cascade_through_the_slave)
{
    linux_init(false);
    out8(0xa1, 0xfd); /* unmask IRQ9 */
    i8259_set_irq(&pic, 9, true);
    cr_assert(int_level);
    cr_assert_eq(i8259_peek(&pic), 0x39);
    cr_assert_eq(i8259_ack(&pic), 0x39);
    cr_assert_eq(read_isr(0x20), 0x04);
    cr_assert_eq(read_isr(0xa0), 0x02);
    cr_assert_not(int_level);
    out8(0xa0, 0x61); /* Linux: specific EOI to the slave, then IR2 to the master */
    out8(0x20, 0x62);
    cr_assert_eq(read_isr(0x20), 0x00);
    cr_assert_eq(read_isr(0xa0), 0x00);
}

Test(i8259, masking_ir2_masks_the_slave)
{
    linux_init(false);
    out8(0xa1, 0x00);
    out8(0x21, 0xff);
    i8259_set_irq(&pic, 12, true);
    cr_assert_eq(i8259_peek(&pic), -1);
    cr_assert_eq(in8(0xa0), 0x10);
    out8(0x21, 0xfb);
    cr_assert_eq(i8259_peek(&pic), 0x3c);
}

Test(i8259, master_irqs_rank_around_the_slave)
{
    linux_init(false);
    out8(0x21, 0x00);
    out8(0xa1, 0x00);
    i8259_set_irq(&pic, 14, true);
    i8259_set_irq(&pic, 3, true);
    i8259_set_irq(&pic, 1, true);
    cr_assert_eq(i8259_ack(&pic), 0x31);
    out8(0x20, 0x20);
    cr_assert_eq(i8259_ack(&pic), 0x3e); /* IR2 (the slave) before IR3 */
    cr_assert_eq(i8259_peek(&pic), -1);  /* IR3 is below IR2 in service */
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    cr_assert_eq(i8259_ack(&pic), 0x33);
}

Test(i8259, level_request_repeats_until_the_line_falls)
{
    linux_init(false);
    out8(0x4d1, 0x08); /* IRQ11 level (a PCI interrupt) */
    out8(0xa1, 0xf7);
    i8259_set_irq(&pic, 11, true);
    cr_assert_eq(i8259_ack(&pic), 0x3b);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    cr_assert(int_level);
    cr_assert_eq(i8259_ack(&pic), 0x3b); /* still asserted: again */
    i8259_set_irq(&pic, 11, false);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    cr_assert_not(int_level);
    cr_assert_eq(i8259_peek(&pic), -1);
}

Test(i8259, spurious_irq7_when_a_level_request_vanishes)
{
    linux_init(false);
    out8(0x4d0, 0x20); /* IRQ5 level */
    out8(0x21, 0xdb);
    i8259_set_irq(&pic, 5, true);
    cr_assert_eq(i8259_peek(&pic), 0x35);
    i8259_set_irq(&pic, 5, false);
    cr_assert(int_level); /* INT stays high until the INTA cycle (8259A datasheet) */
    cr_assert_eq(i8259_peek(&pic), 0x37);
    cr_assert_eq(i8259_ack(&pic), 0x37);
    cr_assert_not(int_level);
    cr_assert_eq(read_isr(0x20), 0x00); /* what Linux checks to call it spurious */
}

Test(i8259, a_mask_write_drops_the_int_of_a_vanished_request)
{
    linux_init(false);
    out8(0x4d0, 0x20); /* IRQ5 level */
    out8(0x21, 0xdb);
    i8259_set_irq(&pic, 5, true);
    i8259_set_irq(&pic, 5, false);
    cr_assert(int_level);
    cr_assert_eq(read_isr(0x20), 0x00); /* OCW3 and a read leave INT as it is */
    cr_assert(int_level);
    out8(0x21, 0xff); /* the guest's own write re-evaluates the request: none */
    cr_assert_not(int_level);
    cr_assert_eq(i8259_peek(&pic), -1);
}

Test(i8259, spurious_irq15_when_a_slave_request_vanishes)
{
    linux_init(false);
    out8(0x4d1, 0x04); /* IRQ10 level */
    out8(0xa1, 0xfb);
    i8259_set_irq(&pic, 10, true);
    cr_assert_eq(i8259_peek(&pic), 0x3a);
    i8259_set_irq(&pic, 10, false);
    cr_assert_eq(i8259_peek(&pic), 0x3f); /* the master still has IR2 latched */
    cr_assert_eq(i8259_ack(&pic), 0x3f);
    cr_assert_eq(read_isr(0x20), 0x04);
    cr_assert_eq(read_isr(0xa0), 0x00);
    out8(0xa0, 0x67); /* Linux's acknowledge of a spurious IRQ15 */
    out8(0x20, 0x62);
    cr_assert_eq(read_isr(0x20), 0x00);
    cr_assert_not(int_level);
}

Test(i8259, ack_with_nothing_pending_is_spurious_irq7)
{
    linux_init(false);
    cr_assert_eq(i8259_ack(&pic), 0x37);
    cr_assert_eq(read_isr(0x20), 0x00);
}

Test(i8259, elcr_reserved_bits_stay_edge)
{
    out8(0x4d0, 0xff);
    out8(0x4d1, 0xff);
    cr_assert_eq(in8(0x4d0), 0xf8);
    cr_assert_eq(in8(0x4d1), 0xde);
    cr_assert(noted("ELCR1: level-triggered mask 0xf8"));
    linux_init(false);
    out8(0x21, 0xfe);
    i8259_set_irq(&pic, 0, true);
    i8259_set_irq(&pic, 0, false);
    cr_assert_eq(i8259_ack(&pic), 0x30); /* IRQ0 is edge whatever was written */
}

Test(i8259, ltim_makes_every_input_level)
{
    out8(0x20, 0x19); /* ICW1 with LTIM */
    out8(0x21, 0x40);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    cr_assert(noted("master ICW1: level-triggered, cascade, ICW4 needed"));
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 0, true);
    cr_assert_eq(i8259_peek(&pic), 0x40);
    i8259_set_irq(&pic, 0, false);
    cr_assert_eq(i8259_peek(&pic), 0x47); /* gone before the INTA: IR7 (8259A datasheet) */
    out8(0x20, 0x0a);                     /* OCW3: read IRR */
    cr_assert_eq(in8(0x20), 0x00);
}

Test(i8259, icw1_resets_the_edge_detector)
{
    linux_init(false);
    i8259_set_irq(&pic, 1, true);
    out8(0x20, 0x11); /* re-initialise with IRQ1 high */
    out8(0x21, 0x30);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    cr_assert_eq(in8(0x20), 0x00);
    i8259_set_irq(&pic, 1, true);
    cr_assert_eq(in8(0x20), 0x00); /* needs a low-to-high transition */
    i8259_set_irq(&pic, 1, false);
    i8259_set_irq(&pic, 1, true);
    cr_assert_eq(in8(0x20), 0x02);
    cr_assert(int_level);
}

Test(i8259, poll_command)
{
    linux_init(false);
    out8(0x21, 0x00);
    out8(0x20, 0x0c); /* OCW3: poll */
    cr_assert_eq(in8(0x20), 0x00);
    i8259_set_irq(&pic, 6, true);
    out8(0x20, 0x0c);
    cr_assert_eq(in8(0x20), 0x86);
    cr_assert_eq(read_isr(0x20), 0x40);
    cr_assert_eq(in8(0x20), 0x00); /* back to IRR reads: the request was taken */
    out8(0xa1, 0x00);
    i8259_set_irq(&pic, 13, true);
    out8(0xa0, 0x0c);
    cr_assert_eq(in8(0xa0), 0x85); /* polled on the slave without the master */
    cr_assert_eq(in8(0x20) & 0x04, 0);
}

Test(i8259, special_mask_mode_lets_lower_levels_in)
{
    linux_init(false);
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 3, true);
    cr_assert_eq(i8259_ack(&pic), 0x33);
    i8259_set_irq(&pic, 5, true);
    cr_assert_eq(i8259_peek(&pic), -1);
    out8(0x21, 0x08); /* mask IR3 (in service) */
    out8(0x20, 0x68); /* OCW3: set special mask mode */
    cr_assert(noted("master OCW3: special mask mode on"));
    cr_assert_eq(i8259_peek(&pic), 0x35);
    out8(0x20, 0x48); /* reset special mask mode */
    cr_assert_eq(i8259_peek(&pic), -1);
}

Test(i8259, special_fully_nested_mode)
{
    linux_init(false);
    out8(0x21, 0x00);
    out8(0xa1, 0x00);
    i8259_set_irq(&pic, 12, true);
    cr_assert_eq(i8259_ack(&pic), 0x3c);
    i8259_set_irq(&pic, 9, true);
    cr_assert_eq(i8259_peek(&pic), -1); /* fully nested: IR2 in service holds back IR2 */

    setup(); /* the same with the master in special fully nested mode */
    out8(0x20, 0x11);
    out8(0x21, 0x30);
    out8(0x21, 0x04);
    out8(0x21, 0x11);
    cr_assert(noted("master ICW4: 8086 mode, normal EOI, special fully nested"));
    out8(0xa0, 0x11);
    out8(0xa1, 0x38);
    out8(0xa1, 0x02);
    out8(0xa1, 0x01);
    out8(0x21, 0x00);
    out8(0xa1, 0x00);
    i8259_set_irq(&pic, 12, true);
    cr_assert_eq(i8259_ack(&pic), 0x3c);
    cr_assert_eq(read_isr(0x20), 0x04);
    i8259_set_irq(&pic, 9, true); /* higher than IRQ12 on the same slave */
    cr_assert_eq(i8259_peek(&pic), 0x39);
    cr_assert_eq(i8259_ack(&pic), 0x39);
    cr_assert_eq(read_isr(0xa0), 0x12);
    i8259_set_irq(&pic, 15, true); /* lower than both: the slave holds it back */
    cr_assert_eq(i8259_peek(&pic), -1);
}

Test(i8259, single_mode_skips_icw3)
{
    out8(0x20, 0x13); /* single, ICW4 */
    out8(0x21, 0x08);
    out8(0x21, 0x01); /* this is ICW4 */
    cr_assert(noted("master ICW4: 8086 mode, normal EOI"));
    out8(0x21, 0x00); /* OCW1 */
    i8259_set_irq(&pic, 2, true);
    cr_assert_eq(i8259_peek(&pic), -1); /* IRQ2 is not a board line */
    i8259_set_irq(&pic, 4, true);
    cr_assert_eq(i8259_ack(&pic), 0x0c);
}

Test(i8259, mcs80_mode_vectors)
{
    out8(0x20, 0xb6); /* no ICW4, single, interval 4, A7-A5 = 101 */
    out8(0x21, 0x12); /* ICW2: A15-A8 */
    out8(0x21, 0x00); /* OCW1 already */
    i8259_set_irq(&pic, 3, true);
    cr_assert_eq(i8259_ack(&pic), 0xa0 | (3 << 2));
    out8(0x20, 0xb2); /* interval 8: A7-A6 */
    out8(0x21, 0x12);
    out8(0x21, 0x00);
    i8259_set_irq(&pic, 5, true);
    cr_assert_eq(i8259_ack(&pic), 0x80 | (5 << 3));
}

Test(i8259, icw2_low_bits_are_ignored_in_8086_mode)
{
    out8(0x20, 0x11);
    out8(0x21, 0x27);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    cr_assert(noted("master ICW2: vector base 0x20"));
    out8(0x21, 0xfe);
    i8259_set_irq(&pic, 0, true);
    cr_assert_eq(i8259_ack(&pic), 0x20);
}

Test(i8259, slave_with_a_wrong_id_does_not_answer)
{
    linux_init(false);
    out8(0xa0, 0x11);
    out8(0xa1, 0x38);
    out8(0xa1, 0xfb); /* ID 3 (bits 7:3 ignored) */
    out8(0xa1, 0x01);
    cr_assert(noted("slave ICW3: slave ID 3"));
    out8(0xa1, 0x00);
    i8259_set_irq(&pic, 8, true);
    cr_assert_eq(i8259_peek(&pic), 0xff);
    cr_assert_eq(i8259_ack(&pic), 0xff);
    cr_assert_eq(read_isr(0xa0), 0x00);
}

Test(i8259, reserved_icw4_bits_are_dropped)
{
    out8(0x20, 0x11);
    out8(0x21, 0x30);
    out8(0x21, 0x04);
    out8(0x21, 0xe1);
    cr_assert(noted("master ICW4: 8086 mode, normal EOI"));
    cr_assert_eq(pic.chip[0].icw4, 0x01);
}

Test(i8259, foreign_ports_and_sizes)
{
    uint32_t v = 0;
    cr_assert_not(i8259_io(&pic, 0x22, 1, true, &v));
    cr_assert_not(i8259_io(&pic, 0x4d2, 1, false, &v));
    cr_assert_not(i8259_io(&pic, 0x1f, 2, true, &v));
    linux_init(false);
    v = 0;
    cr_assert(i8259_io(&pic, 0x20, 2, true, &v));
    cr_assert_eq(v, 0xfb00); /* IRR 0, IMR 0xfb */
    cr_assert(i8259_io(&pic, 0xa1, 4, true, &v));
    cr_assert_eq(v, 0xffffffff);
    cr_assert(i8259_io(&pic, 0x4d0, 2, true, &v));
    cr_assert_eq(v, 0);
    v = 0xdeadbeef;
    cr_assert(i8259_io(&pic, 0x20, 0, true, &v));
    cr_assert_eq(v, 0);
    v = 0x0000fa0a; /* 0x20 <- OCW3 read IRR, 0x21 <- mask 0xfa */
    cr_assert(i8259_io(&pic, 0x20, 2, false, &v));
    cr_assert_eq(in8(0x21), 0xfa);
    v = 0xffffff00;
    cr_assert(i8259_io(&pic, 0xa1, 8, false, &v)); /* only the first 4 bytes count */
    cr_assert_eq(in8(0xa1), 0x00);
    i8259_set_irq(&pic, 16, true);
    i8259_set_irq(&pic, 0xffffffffu, true);
    cr_assert_eq(i8259_peek(&pic), -1);
}

Test(i8259, works_without_callbacks)
{
    i8259_init(&pic, NULL, NULL, NULL);
    out8(0x20, 0x11);
    out8(0x21, 0x30);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    out8(0x21, 0xfe);
    i8259_set_irq(&pic, 0, true);
    cr_assert(i8259_int_output(&pic));
    cr_assert_eq(i8259_ack(&pic), 0x30);
    cr_assert_not(i8259_int_output(&pic));
}
