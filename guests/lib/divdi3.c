/*
 * guests/lib/divdi3.c - 64-bit unsigned division for the 32-bit guests.
 *
 * On i386 GCC turns a 64-bit `/` or `%` into calls to __udivdi3, __umoddi3 or, for both at
 * once, __udivmoddi4 (libgcc). The build machine has no 32-bit libgcc (gcc-multilib is not
 * installed), so the guests bring these routines: plain shift-and-subtract long division, fast
 * enough for printing numbers. Only linked into the 32-bit guests; the 64-bit code divides with
 * DIV.
 */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    if (d == 0) { /* undefined in C; do what DIV would not do: return something, not trap */
        *rem = n;
        return ~(uint64_t)0;
    }
    if ((n >> 32) == 0 && (d >> 32) == 0) { /* 32-bit operands: one DIV instruction's worth */
        *rem = (uint32_t)n % (uint32_t)d;
        return (uint32_t)n / (uint32_t)d;
    }
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    *rem = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    return udivmod64(n, d, &r);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    udivmod64(n, d, &r);
    return r;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r;
    uint64_t q = udivmod64(n, d, &r);
    if (rem)
        *rem = r;
    return q;
}
