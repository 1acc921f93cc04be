/*
 * guests/lib/smp.h - application processors in the test guests: the CPUs of the MADT, started
 * one at a time with INIT-SIPI-SIPI through the local APIC's ICR (SDM 8.4.4.1, 11.6.1; MP spec
 * B.4) into a trampoline copied below 1 MiB (guests/lib/ap_tramp.S: real mode, its own GDT,
 * protected mode), then into C on a stack of their own with the guest's GDT and IDT
 * (trap_load). An AP then waits for commands in its mailbox: a function the BSP posts, which it
 * runs with interrupts disabled, either spinning (PAUSE) or sleeping in STI; HLT between
 * commands, woken by an IPI on SMP_WAKE_VECTOR. Only the BSP prints and uses the PIT clock.
 * The local APICs stay in xAPIC mode.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "platform/acpi_tables.h"

#define SMP_MAX_CPUS    16
#define SMP_TRAMPOLINE  0x8000u /* 4 KiB aligned below 1 MiB: SIPI vector 0x08 */
#define SMP_WAKE_VECTOR 0xe0

typedef void (*smp_fn)(uint32_t idx);

struct smp_cpu {
    uint32_t apic_id;           /* from the MADT */
    volatile uint32_t boots;    /* times it came through the trampoline into C */
    volatile uint32_t online;   /* it finished its start and waits for commands */
    volatile uint32_t lapic_id; /* what its local APIC's ID register says */
    volatile uint32_t cpuid_id; /* CPUID.1:EBX[31:24], the initial APIC ID */
    volatile uint32_t cr0;      /* CR0 in C: PE set, PG clear */
    volatile smp_fn cmd;        /* the mailbox: posted by the BSP, NULL when done */
    volatile uint32_t cmds_done;
};

extern struct smp_cpu smp_cpus[SMP_MAX_CPUS];
extern uint32_t smp_ncpus; /* enabled CPUs of the MADT, the BSP at index 0 */
/* How the APs wait for commands: false spins with IF=0, true sleeps in STI; HLT. */
extern volatile bool smp_ap_hlt;

/* Takes the enabled CPUs of the MADT (at most SMP_MAX_CPUS), the BSP (this CPU's local APIC
 * ID) first, copies the trampoline to SMP_TRAMPOLINE. 0, or -1 with a message. Needs
 * lapic_init and lapic_enable on the BSP. */
int smp_init(const struct acpi_madt *m, char *msg, size_t msg_len);
/* INIT, 10 ms, SIPI, 200 us, SIPI (always both), then waits up to timeout_us for the AP to
 * come online. Also restarts an AP that runs (INIT puts it back into wait-for-SIPI). */
bool smp_start_ap(uint32_t idx, uint32_t timeout_us);
/* The parts of it: the trampoline's data for this AP (its stack and index; online and the
 * mailbox cleared), one SIPI, the wait for online. */
void smp_prepare_ap(uint32_t idx);
bool smp_sipi(uint32_t idx);
bool smp_wait_online(uint32_t idx, uint32_t timeout_us);
/* This CPU's index (by its local APIC ID), or SMP_MAX_CPUS if it is not in the table. */
uint32_t smp_self(void);
/* Posts fn to the AP's mailbox (waking it with an IPI if the APs sleep), and waits up to
 * timeout_us for it to finish; false when it did not. */
bool smp_call(uint32_t idx, smp_fn fn, uint32_t timeout_us);
void smp_post(uint32_t idx, smp_fn fn);
bool smp_wait_done(uint32_t idx, uint32_t timeout_us);

#endif
