/* devices/shutdown_port.c - the Bochs shutdown port and ACPI soft-off (see shutdown_port.h). */
#include "devices/shutdown_port.h"

static const char shutdown_word[] = "Shutdown";

void shutdown_port_init(struct shutdown_port *s, uint16_t bochs_port, uint16_t pm1a_cnt_port)
{
    s->bochs_port = bochs_port;
    s->pm1a_cnt_port = pm1a_cnt_port;
    s->matched = 0;
    s->pm1a_cnt = 0;
}

static uint32_t shutdown_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* Bochs iodev/unmapped.cc, port 0x8900: each letter of "Shutdown" advances the match only when
 * it is the next one (and is otherwise ignored); any other value resets it. */
static void shutdown_bochs_byte(struct shutdown_port *s, uint32_t v, struct vm_stop_request *stop)
{
    unsigned i = 0;
    while (shutdown_word[i] != '\0' && (uint32_t)(unsigned char)shutdown_word[i] != v)
        i++;
    if (shutdown_word[i] == '\0') {
        s->matched = 0;
        return;
    }
    if (i != s->matched)
        return;
    if (shutdown_word[++s->matched] == '\0') {
        s->matched = 0;
        stop->stop = true;
        stop->status = 0;
        stop->why = "Bochs shutdown port (\"Shutdown\" written to port 0x8900)";
    }
}

bool shutdown_port_io(struct shutdown_port *s, uint16_t port, unsigned size, bool in,
                      uint32_t *value, struct vm_stop_request *stop)
{
    uint32_t mask = shutdown_mask(size);
    if (s->bochs_port != 0 && port == s->bochs_port) {
        if (in)
            *value = mask; /* nothing to read */
        else
            shutdown_bochs_byte(s, *value & mask, stop);
        return true;
    }
    if (s->pm1a_cnt_port == 0 || port < s->pm1a_cnt_port || port - s->pm1a_cnt_port > 1)
        return false;
    unsigned shift = 8 * (unsigned)(port - s->pm1a_cnt_port); /* 0x605 is the high byte */
    uint32_t reg_mask = (0xffffu << shift) & mask << shift & 0xffffu;
    if (in) {
        /* Bytes beyond the 16-bit register read as all ones. */
        *value = (((uint32_t)s->pm1a_cnt | 0xffff0000u) >> shift | ~(0xffffffffu >> shift)) & mask;
        return true;
    }
    uint32_t v = ((*value << shift) & reg_mask) | (s->pm1a_cnt & ~reg_mask);
    s->pm1a_cnt = (uint16_t)(v & ~ACPI_PM1_CNT_SLP_EN); /* SLP_EN is write-only: reads 0 */
    if (v & ACPI_PM1_CNT_SLP_EN) {
        stop->stop = true;
        stop->status = 0;
        stop->why = "ACPI soft-off (SLP_EN written to PM1a_CNT)";
    }
    return true;
}
