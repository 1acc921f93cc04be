/* platform/smp.h - start the application processors; run functions on other CPUs. */
#ifndef PLATFORM_SMP_H
#define PLATFORM_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* Start every CPU listed in cpus[] (from the MADT); returns how many are online. */
uint32_t smp_start_aps(uint32_t max_cpus);
uint32_t smp_online_count(void);

/* Cross-CPU calls (book 1.5): the function runs on the target CPU's idle loop,
 * in thread context with interrupts enabled between calls. */
typedef void (*xcall_fn)(void *arg);
int xcall_post(uint32_t cpu, xcall_fn fn, void *arg); /* queue, do not wait */
int xcall_wait(uint32_t cpu, uint64_t timeout_ms);    /* 0 when done, -1 on timeout */
int xcall_run(uint32_t cpu, xcall_fn fn, void *arg);  /* post + wait (default timeout) */
/* Run on every online CPU, this one included; returns the number of CPUs that failed. */
int xcall_run_all(xcall_fn fn, void *arg);

/* Interrupt CPU `cpu` with nothing to do but return: a CPU running a guest takes a VM exit
 * and looks at the work another CPU left for it. With nmi, an NMI (a guest with NMI exiting
 * exits whatever its RFLAGS.IF; vmx/vcpu_kick.c says why), else a fixed interrupt (a VM exit
 * by external-interrupt exiting). */
void smp_kick(uint32_t cpu, bool nmi);

void ap_idle_loop(void) __attribute__((noreturn));

#endif
