/*
 * devices/uart16550.c - the virtual 16550 UART (see uart16550.h). Register behaviour from the
 * National Semiconductor PC16550D data sheet (table II registers, table IV reset and interrupt
 * control); values the data sheet leaves open follow QEMU's hw/char/serial.c.
 */
#include "devices/uart16550.h"

#include <stddef.h>

/* FCR bits 7:6 select how many received bytes raise the data-available interrupt (table III). */
static const unsigned uart_trigger[4] = {1, 4, 8, 14};

void uart_reset(struct uart16550 *u)
{
    u->ier = 0;
    u->lcr = 0;
    u->mcr = 0;
    u->fcr = 0;
    u->lsr_errors = 0;
    u->scr = 0;
    u->dll = 0x0c; /* the data sheet leaves the divisor undefined; QEMU starts at 9600 baud */
    u->dlm = 0;
    u->thre_pending = false;
    u->rx_head = 0;
    u->rx_count = 0;
    u->rx_last = 0;
}

void uart_attach(struct uart16550 *u, uint16_t base, void (*emit)(void *ctx, const char *line),
                 void *ctx)
{
    u->base = base;
    debugcon_init(&u->out, emit, ctx);
    u->emit_byte = NULL;
    u->byte_ctx = NULL;
    uart_reset(u);
}

void uart_set_raw_output(struct uart16550 *u, void (*emit_byte)(void *ctx, char c), void *ctx)
{
    debugcon_flush(&u->out); /* what was assembled so far first */
    u->emit_byte = emit_byte;
    u->byte_ctx = ctx;
}

void uart_flush_output(struct uart16550 *u)
{
    debugcon_flush(&u->out);
}

uint32_t uart_baud(const struct uart16550 *u)
{
    unsigned divisor = (unsigned)u->dlm << 8 | u->dll;
    return divisor ? UART_CLOCK_BAUD / divisor : 0;
}

static bool uart_rx_put(struct uart16550 *u, uint8_t c)
{
    if (u->rx_count == UART_RX_FIFO)
        return false;
    u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = c;
    u->rx_count++;
    return true;
}

unsigned uart_rx_room(const struct uart16550 *u)
{
    if (u->mcr & UART_MCR_LOOP) /* PC16550D MCR bit 4: serial input disconnected */
        return 0;
    return UART_RX_FIFO - u->rx_count;
}

unsigned uart_push_input(struct uart16550 *u, const char *data, unsigned len)
{
    unsigned n = 0;
    while (n < len && uart_rx_put(u, (uint8_t)data[n]))
        n++;
    return n;
}

/* The highest-priority pending interrupt, as IIR shows it (table IV). */
static uint8_t uart_iir(const struct uart16550 *u)
{
    bool fifo = u->fcr & UART_FCR_ENABLE;
    uint8_t high = fifo ? UART_IIR_FIFO : 0;
    if ((u->ier & UART_IER_ELSI) && u->lsr_errors)
        return high | UART_IIR_RLS;
    if ((u->ier & UART_IER_ERBFI) && u->rx_count) {
        unsigned trigger = fifo ? uart_trigger[u->fcr >> 6] : 1;
        return high | (u->rx_count >= trigger ? UART_IIR_RDA : UART_IIR_TIMEOUT);
    }
    if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
        return high | UART_IIR_THRE;
    return high | UART_IIR_NONE; /* modem status: no deltas are modelled */
}

bool uart_intr(const struct uart16550 *u)
{
    return !(uart_iir(u) & UART_IIR_NONE);
}

static uint8_t uart_msr(const struct uart16550 *u)
{
    if (u->mcr & UART_MCR_LOOP) { /* loopback: the modem inputs follow the outputs */
        uint8_t m = u->mcr;
        return (uint8_t)(((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                         ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                         ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                         ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    }
    return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD; /* a terminal is attached (as QEMU) */
}

static uint8_t uart_read(struct uart16550 *u, unsigned reg)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    uint8_t v;
    switch (reg) {
    case UART_REG_RBR:
        if (dlab)
            return u->dll;
        if (u->rx_count) {
            u->rx_last = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
            u->rx_count--;
        }
        return u->rx_last;
    case UART_REG_IER:
        return dlab ? u->dlm : u->ier;
    case UART_REG_IIR:
        v = uart_iir(u);
        if ((v & 0x0f) == UART_IIR_THRE)
            u->thre_pending = false; /* reading IIR clears THRE when it is the source */
        return v;
    case UART_REG_LCR:
        return u->lcr;
    case UART_REG_MCR:
        return u->mcr;
    case UART_REG_LSR:
        v = (uint8_t)(UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors |
                      (u->rx_count ? UART_LSR_DR : 0));
        u->lsr_errors = 0; /* the error bits clear when LSR is read */
        return v;
    case UART_REG_MSR:
        return uart_msr(u);
    default:
        return u->scr;
    }
}

static void uart_transmit(struct uart16550 *u, uint8_t c)
{
    if (u->mcr & UART_MCR_LOOP) { /* loopback: the byte comes back to the receiver */
        if (!uart_rx_put(u, c))
            u->lsr_errors |= UART_LSR_OE;
    } else if (u->emit_byte) {
        u->emit_byte(u->byte_ctx, (char)c);
    } else {
        uint32_t v = c;
        debugcon_io(&u->out, DEBUGCON_PORT, 1, false, &v); /* the line assembler */
    }
    u->thre_pending = true; /* THR is empty again at once */
}

static void uart_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_REG_THR:
        if (dlab)
            u->dll = v;
        else
            uart_transmit(u, v);
        return;
    case UART_REG_IER:
        if (dlab) {
            u->dlm = v;
            return;
        }
        if ((v & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
            u->thre_pending = true; /* enabling it with THR empty raises THRE at once */
        u->ier = v & 0x0f;
        return;
    case UART_REG_FCR:
        if ((v ^ u->fcr) & UART_FCR_ENABLE)
            u->rx_count = 0; /* switching the FIFOs on or off empties them */
        if (!(v & UART_FCR_ENABLE)) {
            u->fcr = 0; /* the other bits are only programmed with bit 0 set */
            return;
        }
        if (v & UART_FCR_RX_RESET)
            u->rx_count = 0;
        u->fcr = v & 0xc9; /* enable, DMA mode, trigger level; the resets self-clear */
        return;
    case UART_REG_LCR:
        u->lcr = v;
        return;
    case UART_REG_MCR:
        u->mcr = v & 0x1f;
        return;
    case UART_REG_SCR:
        u->scr = v;
        return;
    default:
        return; /* LSR and MSR: writing them is for factory tests only */
    }
}

bool uart_io(struct uart16550 *u, uint16_t port, unsigned size, bool in, uint32_t *value)
{
    if (port < u->base || port >= u->base + UART_PORTS)
        return false;
    uint32_t result = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned reg = (unsigned)(port - u->base) + i;
        if (in)
            result |= (uint32_t)(reg < UART_PORTS ? uart_read(u, reg) : 0xff) << (8 * i);
        else if (reg < UART_PORTS)
            uart_write(u, reg, (uint8_t)(*value >> (8 * i)));
    }
    if (in)
        *value = result;
    return true;
}
