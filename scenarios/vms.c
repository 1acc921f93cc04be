/*
 * scenarios/vms.c - run the VMs described on the command line (vm=NAME:...) and in the
 * config module (vmconfig=MODULE), each on its host CPU (book 6.4). A VM whose description or
 * image is bad is reported and not started; the others run. When the last VM ends, one
 * summary line per VM is printed (name, exit status, exits, reason).
 * PASS when every described VM started and ended at its own request (debug-exit or
 * power-off); FAIL otherwise.
 */
#include <string.h>
#include "platform/boot.h"
#include "platform/config.h"
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "vm/sched.h"
#include "vm/vm.h"
#include "scenarios/scenario.h"
#include "scenarios/vm_devices.h"
#include "scenarios/vms.h"

#define TIME_SLICE_TICKS 2000000 /* VMX-preemption timer value for CPUs shared by VMs */

static struct vm vms[VM_MAX];
static struct vm_config cfgs[VM_CONFIG_MAX];
static char errors[2048];
static int config_errors;

static void print_errors(void)
{
    const char *p = errors;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        pr_err("vm config: %.*s\n", len, p);
        p += len + (nl ? 1 : 0);
    }
}

static size_t read_configs(void)
{
    struct vm_config_list list;
    vm_config_list_init(&list, cfgs, VM_CONFIG_MAX, errors, sizeof(errors));
    vm_config_parse_cmdline(&list, boot_info.cmdline);
    bool found_config = false;
    if (config.vmconfig[0]) {
        bool found = false;
        for (size_t i = 0; i < boot_info.modules_count; i++) {
            const struct mb2_module *m = &boot_info.modules[i];
            if (m->cmdline && vm_config_image_matches(config.vmconfig, m->cmdline)) {
                vm_config_parse_file(&list, config.vmconfig, phys_to_virt(m->start),
                                     m->end - m->start);
                found = true;
            }
        }
        if (!found)
            pr_err("vm config: no boot module named '%s' (vmconfig=)\n", config.vmconfig);
        found_config = found;
    }
    print_errors();
    config_errors = list.errors + (config.vmconfig[0] && !found_config);
    return list.count;
}

/* The host CPU for a VM's next vCPU: pinned VMs take the online CPUs of their mask in turn,
 * starting with the first; the others round-robin over all online CPUs, so VMs and their vCPUs
 * run concurrently when there are CPUs for them. -1 when no CPU of the mask is online. */
static int pick_cpu(const struct vm_config *c, uint32_t *next, uint32_t *pinned_next)
{
    for (uint32_t tries = 0; tries < cpu_count; tries++) {
        uint32_t cpu = ((c->pin_mask ? *pinned_next : *next) + tries) % cpu_count;
        if (cpus[cpu].state != CPU_ONLINE)
            continue;
        if (c->pin_mask && !(c->pin_mask & (1ull << cpu)))
            continue;
        *(c->pin_mask ? pinned_next : next) = cpu + 1;
        return (int)cpu;
    }
    return -1;
}

bool vms_run_described(void)
{
    size_t n = read_configs();
    uint32_t next = 0, started = 0, clean = 0;
    uint64_t used_before = mem_used_bytes();
    if (!n) {
        kprintf("vms: no VM described: give vm=NAME:image=MODULE,... or vmconfig=MODULE\n");
        return false;
    }
    sched_reset();
    for (size_t i = 0; i < n && i < VM_MAX; i++) {
        if (vm_create(&vms[i], (uint32_t)i, &cfgs[i]))
            continue;
        if (vm_attach_pc_devices(&vms[i]))
            continue;
        uint32_t pinned_next = 0;
        int cpu = 0;
        for (uint32_t c = 0; c < vms[i].nvcpus && cpu >= 0; c++) {
            cpu = pick_cpu(&cfgs[i], &next, &pinned_next);
            if (cpu < 0) {
                char pins[64];
                vm_config_format_pins(cfgs[i].pin_mask, pins, sizeof(pins));
                vm_refuse(&vms[i], "none of its host CPUs (pin=%s) is online: %u CPU%s", pins,
                          cpu_count, cpu_count == 1 ? " is" : "s are");
            } else if (vm_schedule(&vms[i], c, (uint32_t)cpu)) {
                cpu = -1;
            }
        }
        if (cpu >= 0)
            started++;
    }
    kprintf("vms: %u of %zu VMs started\n", started, n);
    sched_run_all(TIME_SLICE_TICKS);
    uint32_t stopped = 0;
    for (size_t i = 0; i < n && i < VM_MAX; i++) {
        vm_print_summary(&vms[i]);
        /* Ended at its own request (power-off 0, debug-exit (v << 1) | 1, VP_HC_EXIT); a VM
         * stopped by the hypervisor has a negative status (enum vcpu_stop_status). */
        if (vms[i].state == VM_RUNNING && vm_status(&vms[i]) >= 0)
            clean++;
        else if (vms[i].state == VM_RUNNING)
            stopped++;
    }
    sched_print_shares();
    for (uint32_t c = 0; c < cpu_count; c++)
        if (sched_switches(c))
            kprintf("vms: CPU %u switched between its vCPUs %lu times (preemption timer)\n", c,
                    sched_switches(c));
    uint64_t ram = 0;
    for (size_t i = 0; i < n && i < VM_MAX; i++)
        if (vms[i].ram_hpa)
            ram += vms[i].cfg.mem;
    uint64_t per_vm = started ? (mem_used_bytes() - used_before - ram) / started : 0;
    uint64_t image = mem_image_bytes();
    kprintf("vms: hypervisor memory: base %lu KiB (image %lu KiB + allocated %lu KiB), "
            "%lu KiB per vCPU beyond guest RAM\n",
            (image + used_before) >> 10, image >> 10, used_before >> 10, per_vm >> 10);
    if (config_errors)
        scenario_fail_reason("the VM descriptions have %d error(s), see 'ERROR: vm config' above",
                             config_errors);
    else if (started < n)
        scenario_fail_reason("%zu of %zu VMs were not started (their 'not run' lines say why)",
                             n - started, n);
    else if (stopped)
        scenario_fail_reason("%u VM(s) stopped by the hypervisor (negative exit status above)",
                             stopped);
    return !config_errors && started == n && clean == started;
}

const struct scenario scenario_vms = {
    .name = "vms",
    .book = "6",
    .summary = "run the VMs of vm= options and the vmconfig module, each in its own EPT",
    .run = vms_run_described,
    .needs_vmx = true,
};
