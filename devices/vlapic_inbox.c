/*
 * devices/vlapic_inbox.c - interrupts for a local APIC from other CPUs (pure; see vlapic.h,
 * "Concurrency"). A device or another vCPU's IPI may target a vCPU that is running in its
 * guest on another host CPU, where the CPU itself updates the virtual-APIC page (SDM 30.2,
 * 30.5). The sender therefore writes only the inbox, beside the page, and kicks the vCPU;
 * the CPU that runs the vCPU takes the inbox into IRR before its next VM entry. It is the
 * software counterpart of the posted-interrupt descriptor's PIR (SDM 30.6), with the
 * trigger mode that a PIR does not carry (a level-triggered vector sets TMR, SDM 11.8.4).
 */
#include "devices/vlapic.h"
#include "devices/vlapic_internal.h"

void vlapic_post(struct vlapic *v, uint8_t vector, bool level)
{
    uint32_t bit = 1u << (vector & 31);
    v->inbox[vector >> 5] |= bit;
    if (level)
        v->inbox_level[vector >> 5] |= bit;
    else
        v->inbox_level[vector >> 5] &= ~bit;
}

unsigned vlapic_take_posted(struct vlapic *v)
{
    unsigned taken = 0;
    for (unsigned w = 0; w < 8; w++) {
        uint32_t bits = v->inbox[w], level = v->inbox_level[w];
        v->inbox[w] = v->inbox_level[w] = 0;
        while (bits) {
            unsigned b = (unsigned)__builtin_ctz(bits);
            bits &= bits - 1;
            vlapic_accept(v, (uint8_t)(w * 32 + b), (level >> b) & 1);
            taken++;
        }
    }
    return taken;
}

unsigned vlapic_posted(const struct vlapic *v)
{
    unsigned n = 0;
    for (unsigned w = 0; w < 8; w++)
        for (uint32_t bits = v->inbox[w]; bits; bits &= bits - 1) /* no popcount in the kernel */
            n++;
    return n;
}
