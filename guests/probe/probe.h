/*
 * guests/probe/probe.h - the probes of the probe test guest (main.c picks one with do=).
 * Each runs its checks with guests/lib/test.h and returns; main ends the guest.
 */
#ifndef GUEST_PROBE_H
#define GUEST_PROBE_H

#include <stdint.h>

/* The guest's command line (from the multiboot information). */
extern const char *probe_cmdline;

/* A number argument key=N of the command line, or def when absent; a bad value fails. */
uint64_t probe_arg(const char *key, uint64_t def);

void probe_mtrr(void);       /* msr.c: virtual MTRRs consistent with IA32_MTRRCAP and CPUID */
void probe_wrmsr(void);      /* msr.c: MSR values the CPU refuses give #GP, the VM goes on */
void probe_state(void);      /* state.c: registers outside the VMCS stay this VM's own */
void probe_pae(void);        /* paging.c: PAE paging turned on by a CR0 write that exits */
void probe_strio(void);      /* paging.c: REP INS/OUTS across pages, onto a missing page */
void probe_cpuid(void);      /* load.c: an exit-heavy guest (CPUID in a loop) */
void probe_singlestep(void); /* load.c: RFLAGS.TF over an instruction the hypervisor emulates */
void probe_fwcfg(void);      /* fwcfg.c: QEMU fw_cfg signature, CPU count, RAM size */
void probe_park(void);       /* fwcfg.c: wait forever (PAUSE or HLT): the watchdog ends it */

#endif
