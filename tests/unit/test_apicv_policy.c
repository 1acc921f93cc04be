/* tests/unit/test_apicv_policy.c - vmx/apicv_policy.c: the plan from Bochs 2.7 models' caps,
 * values derived from the virtual-APIC page, the x2APIC MSR bitmap, exit qualifications. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/vlapic.h"
#include "tests/unit/fixtures.h"
#include "vmx/apicv_policy.h"

static struct apicv_plan plan_of(const char *model, bool enable)
{
    struct vmx_msr_values v;
    struct vmx_caps c;
    struct apicv_plan p;
    cr_assert_gt(fixture_load_vmx(model, &v), 0, "fixture %s", model);
    cr_assert_eq(vmx_caps_decode(&v, &c), 0);
    apicv_plan_from_caps(&c, enable, &p);
    return p;
}

Test(apicv_policy, icelake_has_everything_but_posted)
{
    struct apicv_plan p = plan_of("corei7_icelake_u", true);
    cr_assert(p.tpr_shadow && p.apic_access && p.x2apic && p.reg_virt && p.vid);
    cr_assert_not(p.posted, "Bochs 2.7 has no posted interrupts");
    char buf[160];
    apicv_plan_format(&p, buf, sizeof(buf));
    cr_assert_str_eq(buf, "TPR shadow, APIC-access page, x2APIC, register virtualization, "
                          "virtual-interrupt delivery");
}

Test(apicv_policy, ivy_bridge_has_no_virtual_interrupt_delivery)
{
    struct apicv_plan p = plan_of("corei7_ivy_bridge_3770k", true);
    cr_assert(p.tpr_shadow && p.apic_access && p.x2apic);
    cr_assert_not(p.reg_virt);
    cr_assert_not(p.vid);
}

Test(apicv_policy, penryn_has_tpr_shadow_and_apic_access_only)
{
    struct apicv_plan p = plan_of("core2_penryn_t9600", true);
    cr_assert(p.tpr_shadow && p.apic_access);
    cr_assert_not(p.x2apic || p.reg_virt || p.vid || p.posted);
}

Test(apicv_policy, off_gives_an_empty_plan)
{
    struct apicv_plan p = plan_of("corei7_icelake_u", false);
    cr_assert_not(p.tpr_shadow || p.apic_access || p.x2apic || p.reg_virt || p.vid);
    char buf[16];
    apicv_plan_format(&p, buf, sizeof(buf));
    cr_assert_str_eq(buf, "off");
    cr_assert_eq(apicv_proc(&p), 0);
    cr_assert_eq(apicv_proc2(&p, false), 0);
    cr_assert_eq(apicv_proc2(&p, true), 0);
}

Test(apicv_policy, no_tpr_shadow_means_nothing_else)
{
    struct vmx_caps c;
    memset(&c, 0, sizeof(c));
    struct apicv_plan p;
    apicv_plan_from_caps(&c, true, &p);
    cr_assert_not(p.tpr_shadow || p.vid);
    apicv_plan_from_caps(NULL, true, &p);
    cr_assert_not(p.tpr_shadow);
}

Test(apicv_policy, proc2_follows_the_guest_mode)
{
    struct apicv_plan p = {
        .tpr_shadow = true, .apic_access = true, .x2apic = true, .reg_virt = true, .vid = true};
    uint32_t x = apicv_proc2(&p, false), x2 = apicv_proc2(&p, true);
    cr_assert(x & PROC_BASED2_VIRTUALIZE_APIC_ACCESSES);
    cr_assert_not(x & PROC_BASED2_VIRTUALIZE_X2APIC_MODE);
    cr_assert(x2 & PROC_BASED2_VIRTUALIZE_X2APIC_MODE);
    cr_assert_not(x2 & PROC_BASED2_VIRTUALIZE_APIC_ACCESSES, "SDM 27.2.1.1: never both");
    cr_assert(x2 & PROC_BASED2_VIRTUAL_INTERRUPT_DELIVERY);
    cr_assert_eq(x & ~APICV_PROC2_ALL, 0);
    cr_assert_eq(apicv_proc(&p), PROC_BASED_USE_TPR_SHADOW);
}

static uint32_t page[1024] __attribute__((aligned(4096)));

static void set_vec(unsigned offset, unsigned vector)
{
    page[(offset + vector / 32 * 0x10) / 4] |= 1u << (vector % 32);
}

Test(apicv_policy, guest_interrupt_status_from_the_page)
{
    memset(page, 0, sizeof(page));
    cr_assert_eq(apicv_guest_intr_status(page), 0);
    cr_assert_eq(apicv_page_highest(page, 0x200), -1);
    set_vec(0x200, 0x31);
    set_vec(0x200, 0xe5);
    set_vec(0x100, 0x41);
    cr_assert_eq(apicv_page_highest(page, 0x200), 0xe5);
    cr_assert_eq(apicv_guest_intr_status(page), 0x41e5);
}

Test(apicv_policy, guest_interrupt_status_agrees_with_the_model)
{
    struct vlapic a;
    struct vlapic_config cfg = {.apic_id = 0, .bsp = true, .clock = {1, 1}};
    cr_assert_eq(vlapic_init(&a, page, &cfg, NULL, NULL), VLAPIC_OK);
    uint32_t v = 0;
    vlapic_mmio_write(&a, VLAPIC_REG_SVR, 4, 0x1ff, 0);
    vlapic_accept(&a, 0x61, false);
    vlapic_accept(&a, 0x52, false);
    cr_assert_eq(vlapic_ack(&a, 0x61), VLAPIC_OK);
    uint16_t gis = apicv_guest_intr_status(page);
    cr_assert_eq(gis & 0xff, (unsigned)vlapic_highest_irr(&a));
    cr_assert_eq(gis >> 8, (unsigned)vlapic_highest_isr(&a));
    vlapic_mmio_read(&a, VLAPIC_REG_PPR, 4, 0, &v);
    cr_assert_eq(apicv_vppr(page), v, "VPPR 0x%x, model PPR 0x%x", apicv_vppr(page), v);
    cr_assert_not(apicv_vid_pending(page), "0x52 is below the in-service 0x61");
}

Test(apicv_policy, vppr_and_pending)
{
    memset(page, 0, sizeof(page));
    page[0x80 / 4] = 0x50;
    set_vec(0x200, 0x45);
    cr_assert_eq(apicv_vppr(page), 0x50);
    cr_assert_not(apicv_vid_pending(page), "class 4 under TPR class 5");
    set_vec(0x200, 0x61);
    cr_assert(apicv_vid_pending(page));
    set_vec(0x100, 0x70);
    cr_assert_eq(apicv_vppr(page), 0x70);
    cr_assert_not(apicv_vid_pending(page));
}

Test(apicv_policy, tpr_threshold)
{
    memset(page, 0, sizeof(page));
    cr_assert_eq(apicv_tpr_threshold(page), 0, "nothing pending");
    page[0x80 / 4] = 0x50;
    set_vec(0x200, 0x45);
    cr_assert_eq(apicv_tpr_threshold(page), 4, "exit when the TPR falls below class 4");
    set_vec(0x200, 0x81);
    cr_assert_eq(apicv_tpr_threshold(page), 0, "0x81 is deliverable now");
    memset(page, 0, sizeof(page));
    page[0x80 / 4] = 0x50;
    set_vec(0x200, 0x45);
    set_vec(0x100, 0x48);
    cr_assert_eq(apicv_tpr_threshold(page), 0, "held back by the ISR: its EOI exits");
    memset(page, 0, sizeof(page));
    page[0x80 / 4] = 0x4f;
    set_vec(0x200, 0x45);
    /* SDM 27.2.1.1: threshold[3:0] <= VTPR[7:4] or the entry fails */
    cr_assert_leq(apicv_tpr_threshold(page), (page[0x80 / 4] >> 4) & 0xf);
}

static uint8_t bitmap[4096];

Test(apicv_policy, x2apic_msr_bitmap_with_vid)
{
    struct apicv_plan p = {
        .tpr_shadow = true, .apic_access = true, .x2apic = true, .reg_virt = true, .vid = true};
    memset(bitmap, 0xff, sizeof(bitmap));
    apicv_msr_bitmap_update(bitmap, &p, true);
    cr_assert_not(apicv_msr_exits(bitmap, 0x808, false));
    cr_assert_not(apicv_msr_exits(bitmap, 0x808, true));
    cr_assert_not(apicv_msr_exits(bitmap, 0x80b, true), "EOI virtualization");
    cr_assert_not(apicv_msr_exits(bitmap, 0x83f, true), "self-IPI virtualization");
    cr_assert_not(apicv_msr_exits(bitmap, 0x820, false), "IRR read from the page");
    cr_assert_not(apicv_msr_exits(bitmap, 0x80a, false), "VPPR kept by the CPU");
    cr_assert(apicv_msr_exits(bitmap, 0x839, false), "current count is the model's");
    cr_assert(apicv_msr_exits(bitmap, 0x830, false), "ICR: the page layout differs");
    cr_assert(apicv_msr_exits(bitmap, 0x830, true), "ICR writes send IPIs");
    cr_assert(apicv_msr_exits(bitmap, 0x80b, false), "EOI is write only: #GP");
    cr_assert(apicv_msr_exits(bitmap, 0x804, false), "reserved: #GP");
    cr_assert(apicv_msr_exits(bitmap, 0x1b, false), "IA32_APIC_BASE untouched");
    cr_assert(apicv_msr_exits(bitmap, 0x2000, false), "outside the low range");
}

Test(apicv_policy, x2apic_msr_bitmap_closed_outside_x2apic_mode)
{
    struct apicv_plan p = {.tpr_shadow = true, .x2apic = true, .reg_virt = true, .vid = true};
    memset(bitmap, 0, sizeof(bitmap));
    apicv_msr_bitmap_update(bitmap, &p, false);
    for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
        cr_assert(apicv_msr_exits(bitmap, msr, false), "read 0x%x", msr);
        cr_assert(apicv_msr_exits(bitmap, msr, true), "write 0x%x", msr);
    }
    cr_assert_not(apicv_msr_exits(bitmap, 0x7ff, false), "neighbours untouched");
    cr_assert_not(apicv_msr_exits(bitmap, 0x900, true), "neighbours untouched");
}

Test(apicv_policy, x2apic_msr_bitmap_without_vid)
{
    struct apicv_plan p = {.tpr_shadow = true, .x2apic = true};
    memset(bitmap, 0xff, sizeof(bitmap));
    apicv_msr_bitmap_update(bitmap, &p, true);
    cr_assert_not(apicv_msr_exits(bitmap, 0x808, false));
    cr_assert_not(apicv_msr_exits(bitmap, 0x808, true));
    cr_assert(apicv_msr_exits(bitmap, 0x80b, true), "EOI exits without VID");
    cr_assert(apicv_msr_exits(bitmap, 0x83f, true));
    cr_assert(apicv_msr_exits(bitmap, 0x820, false), "no register virtualization");
}

Test(apicv_policy, apic_access_qualification)
{
    struct apicv_access a = apicv_decode_access(0x1300);
    cr_assert(a.valid);
    cr_assert_eq(a.offset, 0x300);
    cr_assert_eq(a.type, APICV_ACCESS_LINEAR_WRITE);
    char buf[120];
    apicv_access_format(&a, buf, sizeof(buf));
    cr_assert_str_eq(buf, "linear write at offset 0x300 (ICR low)");
    a = apicv_decode_access(0x0390);
    apicv_access_format(&a, buf, sizeof(buf));
    cr_assert_str_eq(buf, "linear read at offset 0x390 (current count)");
    a = apicv_decode_access(0x1a000);
    cr_assert(a.valid && a.async && a.type == APICV_ACCESS_PHYSICAL_EVENT);
    apicv_access_format(&a, buf, sizeof(buf));
    cr_assert_str_eq(buf, "guest-physical access during event delivery, asynchronous");
    a = apicv_decode_access(0x4000);
    cr_assert_not(a.valid, "type 4 is reserved");
    cr_assert_str_eq(apicv_access_type_name(a.type), "reserved type");
    cr_assert_not(apicv_decode_access(1ull << 20).valid, "reserved bits");
    a = apicv_decode_access(0x0404);
    apicv_access_format(&a, buf, sizeof(buf));
    cr_assert_str_eq(buf, "linear read at offset 0x404 (no register)");
}

Test(apicv_policy, register_names_and_small_decoders)
{
    cr_assert_str_eq(apicv_reg_name(0x80), "TPR");
    cr_assert_str_eq(apicv_reg_name(0x174), "ISR");
    cr_assert_str_eq(apicv_reg_name(0x270), "IRR");
    cr_assert_null(apicv_reg_name(0x400));
    cr_assert_eq(apicv_write_offset(0xabc300), 0x300);
    cr_assert_eq(apicv_eoi_vector(0x1e5), 0xe5);
}
