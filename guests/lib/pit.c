/* guests/lib/pit.c - PIT channel 0 and the channel 2 clock of the test guests (see pit.h). */
#include "guests/lib/pit.h"
#include "guests/lib/io.h"

#define PIT_CH0  0x40
#define PIT_CH2  0x42
#define PIT_CTRL 0x43
#define PORT_61  0x61 /* bit 0: gate 2, bit 1: speaker data, bit 5: OUT2 (read) */

/* Control words (82C54 datasheet, control word format): SC bits 7:6, RW 5:4 (3 = LSB then
 * MSB, 0 = counter latch), mode 3:1, BCD bit 0 (binary here). */
#define PIT_CW(ch, rw, mode) (uint8_t)(((ch) << 6) | ((rw) << 4) | ((mode) << 1))

static uint64_t clock_ticks;
static uint16_t clock_last;

uint16_t pit_divisor(uint32_t hz)
{
    uint32_t d = (PIT_HZ + hz / 2) / hz;
    return (uint16_t)(d > 0xffff ? 0 : d); /* 0 stands for 65536 */
}

void pit_ch0_periodic(uint32_t hz)
{
    uint16_t d = pit_divisor(hz);
    outb(PIT_CTRL, PIT_CW(0, 3, 2));
    outb(PIT_CH0, (uint8_t)d);
    outb(PIT_CH0, (uint8_t)(d >> 8));
}

void pit_ch0_oneshot(uint16_t count)
{
    outb(PIT_CTRL, PIT_CW(0, 3, 0));
    outb(PIT_CH0, (uint8_t)count);
    outb(PIT_CH0, (uint8_t)(count >> 8));
}

void pit_ch0_stop(void)
{
    outb(PIT_CTRL, PIT_CW(0, 3, 0)); /* mode 0: OUT low from the control word on */
}

static uint16_t ch2_read(void)
{
    outb(PIT_CTRL, PIT_CW(2, 0, 0)); /* counter latch command for channel 2 */
    uint8_t lo = inb(PIT_CH2);
    uint8_t hi = inb(PIT_CH2);
    return (uint16_t)(lo | (hi << 8));
}

void pit_clock_start(void)
{
    uint8_t p61 = (uint8_t)(inb(PORT_61) & 0x0c); /* speaker off; bits 7:4 are read-only */
    outb(PORT_61, p61);                           /* gate 2 low: channel 2 stops */
    outb(PIT_CTRL, PIT_CW(2, 3, 2));
    outb(PIT_CH2, 0); /* 65536 */
    outb(PIT_CH2, 0);
    outb(PORT_61, (uint8_t)(p61 | 0x01)); /* gate 2 rises: mode 2 reloads on the next CLK */
    clock_ticks = 0;
    /* Wait, boundedly, until the counter moves near the top of its round: then it holds the
     * new count and the stale value a stopped counter reads before the reload is behind us. */
    uint16_t prev = ch2_read();
    clock_last = prev;
    for (int i = 0; i < 100000; i++) {
        clock_last = ch2_read();
        if (clock_last >= 0xf000 && clock_last != prev)
            break;
        prev = clock_last;
    }
}

uint64_t pit_clock_ticks(void)
{
    uint16_t now = ch2_read();
    clock_ticks += (uint16_t)(clock_last - now); /* counts down, modulo 65536 */
    clock_last = now;
    return clock_ticks;
}

uint32_t pit_clock_us(void)
{
    return (uint32_t)(pit_clock_ticks() * 1000000u / PIT_HZ);
}

void pit_delay_us(uint32_t us)
{
    uint64_t end = pit_clock_ticks() + (uint64_t)us * PIT_HZ / 1000000u;
    while (pit_clock_ticks() < end)
        cpu_relax();
}
