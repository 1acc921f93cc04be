/*
 * scenarios/pic_monitor.c - the book's example 7-5: the 8259 programming of a guest, monitored
 * and shown. The guests of the vm= descriptions (the system test gives the pic test guest) run
 * on the PC board, whose 8259 model (devices/i8259.c) reports each initialization and
 * operation command word as the guest writes it (`NAME: 8259: master ICW1: edge-triggered,
 * cascade, ICW4 needed`, ...; 8259A datasheet, ICW1-ICW4 and OCW1-OCW3). EOIs and register
 * reads are not printed (one per interrupt). PASS when the VMs pass and the full
 * initialization sequence (ICW1-ICW4) and a mask (OCW1) were seen.
 */
#include <string.h>
#include "devices/pc.h"
#include "platform/console.h"
#include "scenarios/scenario.h"
#include "scenarios/vms.h"

static bool run(void)
{
    static const char *const names[] = {"ICW1", "ICW2", "ICW3", "ICW4", "OCW1", "OCW2", "OCW3"};
    bool vms_ok = vms_run_described();
    uint32_t seen = pc_pic_words_seen();
    char line[96] = "";
    unsigned len = 0;
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(seen & (1u << i)) || len + 6 >= sizeof(line))
            continue;
        memcpy(line + len, names[i], 4);
        line[len + 4] = ' ';
        len += 5;
    }
    line[len ? len - 1 : 0] = 0;
    kprintf("pic-monitor: the guests wrote and the hypervisor showed: %s\n",
            len ? line : "no 8259 programming");
    uint32_t need = 0xfu | PC_PIC_OCW1; /* ICW1-ICW4 and OCW1 */
    if ((seen & need) != need)
        scenario_fail_reason("the 8259 was not fully programmed (ICW1-ICW4 and OCW1 expected)");
    return vms_ok && (seen & need) == need;
}

const struct scenario scenario_pic_monitor = {
    .name = "pic-monitor",
    .book = "7-5",
    .summary = "the 8259 programming of the guests of vm= (ICW1-4, OCW1-3), shown as written",
    .run = run,
    .needs_vmx = true,
};
