/*
 * devices/vlapic_internal.h - what the vlapic*.c files share (pure; not for other modules).
 */
#ifndef DEVICES_VLAPIC_INTERNAL_H
#define DEVICES_VLAPIC_INTERNAL_H

#include "devices/vlapic.h"

/* Writable bits of the LVT entries (SDM 11.5.1, figure 11-8). */
#define LVT_BITS_TIMER      (VLAPIC_LVT_VECTOR | VLAPIC_LVT_MASKED | VLAPIC_LVT_TIMER_MASK)
#define LVT_BITS_DM         (VLAPIC_LVT_VECTOR | VLAPIC_LVT_DM_MASK | VLAPIC_LVT_MASKED)
#define LVT_BITS_LINT       (LVT_BITS_DM | VLAPIC_LVT_POLARITY_LOW | VLAPIC_LVT_LEVEL)
#define LVT_BITS_ERROR      (VLAPIC_LVT_VECTOR | VLAPIC_LVT_MASKED)
#define SVR_BITS            (0xffu | VLAPIC_SVR_ENABLE | VLAPIC_SVR_FOCUS | VLAPIC_SVR_SEOI)
#define TDCR_BITS           0xbu        /* SDM 11.5.4, figure 11-10: bits 0, 1, 3 */
#define ICR_LO_BITS         0x000ccfffu /* vector, mode, dest mode, level, trigger, shorthand */
#define ICR_HI_XAPIC        0xff000000u /* destination, bits 63:56 */
#define ID_XAPIC            0xff000000u /* SDM 11.4.6: 8-bit ID in bits 31:24 */
#define LDR_XAPIC           0xff000000u /* SDM 11.6.2.2 */
#define DFR_MODEL           0xf0000000u /* bits 27:0 read as ones */
#define VLAPIC_FIRST_VECTOR 16          /* SDM 11.5.2: vectors 0-15 are illegal */

static inline uint32_t reg_get(const struct vlapic *v, unsigned offset)
{
    return v->regs[offset >> 2];
}

static inline void reg_set(struct vlapic *v, unsigned offset, uint32_t value)
{
    v->regs[offset >> 2] = value;
}

/* Bit vector of a 256-bit register (ISR, TMR, IRR): 8 words at 16-byte strides. */
static inline bool vec_test(const struct vlapic *v, unsigned base, unsigned vector)
{
    return (reg_get(v, base + (vector >> 5) * 0x10) >> (vector & 31)) & 1;
}

static inline void vec_set(struct vlapic *v, unsigned base, unsigned vector)
{
    v->regs[(base + (vector >> 5) * 0x10) >> 2] |= 1u << (vector & 31);
}

static inline void vec_clear(struct vlapic *v, unsigned base, unsigned vector)
{
    v->regs[(base + (vector >> 5) * 0x10) >> 2] &= ~(1u << (vector & 31));
}

/* Highest set bit of a 256-bit register, or -1. */
int vlapic_vec_highest(const struct vlapic *v, unsigned base);

/* Records a failure in v->msg and returns code. */
int vlapic_fail(struct vlapic *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* vlapic.c */
void vlapic_error(struct vlapic *v, uint32_t esr_bits);
void vlapic_sync_ppr(struct vlapic *v);
void vlapic_eoi(struct vlapic *v);
void vlapic_eoi_done(struct vlapic *v, uint8_t vector);
void vlapic_esr_write(struct vlapic *v);
uint32_t vlapic_x2apic_ldr(uint32_t x2apic_id);

/* vlapic_lvt.c */
void vlapic_lvt_reset(struct vlapic *v); /* every entry masked, the rest 0 */
void vlapic_lvt_write(struct vlapic *v, unsigned offset, uint32_t value, uint64_t now_tsc);
void vlapic_svr_write(struct vlapic *v, uint32_t value);
bool vlapic_deliver_lvt(struct vlapic *v, unsigned offset);
void vlapic_lint_evaluate(struct vlapic *v, unsigned pin, bool was_asserted, bool recheck);

/* vlapic_regs.c: register semantics shared by MMIO, MSRs and APIC-write exits. */
void vlapic_reg_write(struct vlapic *v, unsigned offset, uint32_t value, uint64_t now_tsc);
uint32_t vlapic_reg_read(struct vlapic *v, unsigned offset, uint64_t now_tsc);

/* vlapic_ipi.c */
void vlapic_send_icr(struct vlapic *v);
void vlapic_self_ipi(struct vlapic *v, uint8_t vector);
void vlapic_lvt_self_message(struct vlapic *v, uint8_t delivery_mode);

/* vlapic_timer.c */
void vlapic_timer_reset(struct vlapic *v);
void vlapic_timer_lvt_changed(struct vlapic *v, uint32_t lvt);
void vlapic_timer_set_initial(struct vlapic *v, uint32_t count, uint64_t now_tsc);
void vlapic_timer_set_divide(struct vlapic *v, uint32_t tdcr, uint64_t now_tsc);
uint32_t vlapic_timer_current(const struct vlapic *v, uint64_t now_tsc);
uint64_t vlapic_tsc_deadline(const struct vlapic *v);
void vlapic_set_tsc_deadline(struct vlapic *v, uint64_t value, uint64_t now_tsc);

#endif
