/* platform/config.h - the hypervisor command line: every option, its type and its default. */
#ifndef PLATFORM_CONFIG_H
#define PLATFORM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "platform/fmt.h"

struct boot_config {
    uint32_t log;        /* enum log_level */
    char scenario[32];   /* which scenario to run (scenarios/) */
    uint64_t cpus;       /* most CPUs to start */
    bool debugport;      /* mirror the console to port 0xE9 */
    uint32_t apic;       /* enum lapic_mode */
    uint32_t onpanic;    /* enum panic_action */
    uint32_t calibrate;  /* 0 PIT, 1 ACPI PM timer */
    uint64_t iterations; /* loop count for benchmarks and stress scenarios */
    bool allcpus;        /* run the scenario's guest on every CPU, not only the first */
    char vmconfig[64];   /* name of a GRUB module holding VM descriptions (docs/vm-config.md) */
    char trace[256];     /* exit reasons written to the debug record (vmx/trace_mask.h) */
    bool tracedump;      /* bigger debug-record rings, dumped at power-off (docs/trace.md) */
    uint32_t bootinfo;   /* 0 auto, 1 efi: where the memory map and the RSDP come from */
    bool entrycheck;     /* run the VM-entry checker before every first VMLAUNCH */
    uint64_t seed;       /* seed of randomised scenarios (entry-diff) */
};

extern struct boot_config config;

/* Parse the line into `config`; returns the number of errors (each already printed). */
int config_parse(const char *line);
void config_help(fmt_putc_fn put, void *ctx);

#endif
