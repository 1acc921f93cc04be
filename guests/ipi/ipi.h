/* guests/ipi/ipi.h - what the parts of the ipi test guest share (see main.c). */
#ifndef GUEST_IPI_IPI_H
#define GUEST_IPI_IPI_H

#include <stdbool.h>
#include <stdint.h>
#include "guests/lib/smp.h"

enum ipi_slot { /* one counter per CPU for each of these */
                S_SELF,
                S_FIXED,
                S_TO_BSP,
                S_OTHERS,
                S_ALL,
                S_LOGICAL,
                S_PENDING,
                S_NMI,
                S_SLOTS
};
#define VEC_BASE 0x50 /* slot s has vector VEC_BASE + s (but S_NMI: vector 2) */
#define VEC_PING 0x5e
#define VEC_PONG 0x5f

extern volatile uint32_t ipi_got[S_SLOTS][SMP_MAX_CPUS];
/* IPIs sent whose ICR did not return to idle (xAPIC delivery status) */
extern volatile uint32_t ipi_stuck;

/* Sends and counts a stuck ICR. */
void ipi_send(uint32_t dest, uint32_t icr_lo);
/* Waits (IF=1, bounded) until ipi_got[slot][cpu] >= n. */
bool ipi_wait(enum ipi_slot slot, uint32_t cpu, uint32_t n, uint32_t timeout_us);
/* ipi_got[slot][*] as it is now, for comparing after a test. */
void ipi_snapshot(enum ipi_slot slot, uint32_t *out);
/* Lets interrupts the BSP already holds come in (IF=1 briefly). */
void ipi_drain(void);

/* bcast.c: shorthands, logical destinations, NMIs, an AP with IF=0 */
void ipi_test_shorthands(void);
void ipi_test_logical(void);
void ipi_test_nmi(void);
void ipi_test_pending(void);

#endif
