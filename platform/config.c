/* platform/config.c - the option table of the hypervisor command line. */
#include <string.h>
#include "platform/cmdline.h"
#include "platform/config.h"
#include "platform/console.h"

struct boot_config config = {
    .log = LOG_INFO,
    .scenario = "guest-basic",
    .cpus = 64,
    .iterations = 1000,
    .seed = 1,
};

static const char *const apic_modes[] = {"auto", "xapic", "x2apic", NULL};
static const char *const panic_actions[] = {"halt", "poweroff", NULL};
static const char *const calibrations[] = {"pit", "pmtimer", NULL};
static const char *const bootinfos[] = {"auto", "efi", NULL};

static const struct cmdline_option options[] = {
    {.key = "scenario",
     .type = CMDLINE_STR,
     .dest.str = config.scenario,
     .size = sizeof(config.scenario),
     .help = "scenario to run (default guest-basic; scenario=list lists them)"},
    {.key = "log",
     .type = CMDLINE_ENUM,
     .dest.index = &config.log,
     .names = log_level_names,
     .help = "least important message level printed"},
    {.key = "cpus",
     .type = CMDLINE_UINT,
     .dest.uint = &config.cpus,
     .min = 1,
     .max = 64,
     .help = "most CPUs to start (the bootstrap CPU counts)"},
    {.key = "debugport",
     .type = CMDLINE_BOOL,
     .dest.boolean = &config.debugport,
     .help = "copy the console to I/O port 0xE9 (Bochs/QEMU debug console)"},
    {.key = "apic",
     .type = CMDLINE_ENUM,
     .dest.index = &config.apic,
     .names = apic_modes,
     .help = "local APIC mode: x2APIC when the CPU has it (auto), or forced"},
    {.key = "onpanic",
     .type = CMDLINE_ENUM,
     .dest.index = &config.onpanic,
     .names = panic_actions,
     .help = "after a fatal error: halt that CPU, or power off"},
    {.key = "calibrate",
     .type = CMDLINE_ENUM,
     .dest.index = &config.calibrate,
     .names = calibrations,
     .help = "reference clock for the TSC and APIC timer"},
    {.key = "allcpus",
     .type = CMDLINE_BOOL,
     .dest.boolean = &config.allcpus,
     .help = "run the scenario's guest on every CPU (guest-basic), not only on CPU 0"},
    {.key = "vm",
     .type = CMDLINE_STR,
     .dest.str = NULL,
     .repeatable = true,
     .help = "a VM: vm=NAME:key=value,... (docs/vm-config.md); may be repeated"},
    {.key = "vmconfig",
     .type = CMDLINE_STR,
     .dest.str = config.vmconfig,
     .size = sizeof(config.vmconfig),
     .help = "GRUB module with [vm NAME] blocks describing VMs (docs/vm-config.md)"},
    {.key = "trace",
     .type = CMDLINE_STR,
     .dest.str = config.trace,
     .size = sizeof(config.trace),
     .help = "VM exits written to the debug record: none (default), all, or a list of exit "
             "reasons (CPUID,EPT_VIOLATION,30)"},
    {.key = "iterations",
     .type = CMDLINE_UINT,
     .dest.uint = &config.iterations,
     .min = 1,
     .max = 100000000,
     .help = "loop count of benchmark and stress scenarios"},
    {.key = "tracedump",
     .type = CMDLINE_BOOL,
     .dest.boolean = &config.tracedump,
     .help = "bigger debug-record rings, all dumped at power-off for tools/vptrace"},
    {.key = "bootinfo",
     .type = CMDLINE_ENUM,
     .dest.index = &config.bootinfo,
     .names = bootinfos,
     .help = "memory map and ACPI RSDP: the boot loader's (auto), or under UEFI the EFI memory "
             "map and the EFI configuration table (efi)"},
    {.key = "entrycheck",
     .type = CMDLINE_BOOL,
     .dest.boolean = &config.entrycheck,
     .help = "run the VM-entry checker before the first VMLAUNCH of every vCPU and print its "
             "findings (docs/entry-checker.md)"},
    {.key = "seed",
     .type = CMDLINE_UINT,
     .dest.uint = &config.seed,
     .min = 0,
     .max = ~0ull,
     .help = "seed of the random VMCS states of scenario entry-diff (reproducible runs)"},
};

int config_parse(const char *line)
{
    char err[1024];
    int n = cmdline_parse(line, options, sizeof(options) / sizeof(options[0]), err, sizeof(err));
    if (n) {
        /* One "command line: ..." line per error, the messages name key and value. */
        const char *p = err;
        while (*p) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            pr_err("command line: %.*s\n", len, p);
            p += len + (nl ? 1 : 0);
        }
    }
    return n;
}

void config_help(fmt_putc_fn put, void *ctx)
{
    cmdline_help(options, sizeof(options) / sizeof(options[0]), put, ctx);
}
