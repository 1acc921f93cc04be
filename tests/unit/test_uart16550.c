/* tests/unit/test_uart16550.c - the virtual 16550 UART. */
#include <criterion/criterion.h>
#include <string.h>
#include "devices/uart16550.h"

static char lines[8][DEBUGCON_LINE];
static int nlines;

static void emit(void *ctx, const char *line)
{
    (void)ctx;
    strcpy(lines[nlines++ % 8], line);
}

static struct uart16550 u;
#define B UART_COM1_BASE

static void setup(void)
{
    nlines = 0;
    uart_attach(&u, B, emit, NULL);
}

static uint8_t rd(unsigned reg)
{
    uint32_t v = 0x12345678;
    cr_assert(uart_io(&u, (uint16_t)(B + reg), 1, true, &v));
    cr_assert_leq(v, 0xff);
    return (uint8_t)v;
}

static void wr(unsigned reg, uint8_t value)
{
    uint32_t v = value;
    cr_assert(uart_io(&u, (uint16_t)(B + reg), 1, false, &v));
}

static void put(const char *s)
{
    for (; *s; s++)
        wr(UART_REG_THR, (uint8_t)*s);
}

// cppcheck-suppress unknownMacro ; Criterion macro
TestSuite(uart16550, .init = setup);

Test(uart16550, reset_values)
{
    cr_assert_eq(rd(UART_REG_IER), 0);
    cr_assert_eq(rd(UART_REG_IIR), 0x01);
    cr_assert_eq(rd(UART_REG_LCR), 0);
    cr_assert_eq(rd(UART_REG_MCR), 0);
    cr_assert_eq(rd(UART_REG_LSR), 0x60);
    cr_assert_eq(rd(UART_REG_MSR), 0xb0);
    cr_assert_not(uart_intr(&u));
}

Test(uart16550, divisor_latch)
{
    wr(UART_REG_LCR, UART_LCR_DLAB | 0x03);
    wr(UART_REG_DLL, 0x01);
    wr(UART_REG_DLM, 0x00);
    cr_assert_eq(rd(UART_REG_DLL), 0x01);
    cr_assert_eq(rd(UART_REG_DLM), 0x00);
    cr_assert_eq(uart_baud(&u), 115200);
    wr(UART_REG_DLL, 0x80);
    wr(UART_REG_DLM, 0x01);
    cr_assert_eq(uart_baud(&u), 300); /* divisor 0x180 = 384 */
    cr_assert_eq(nlines, 0);
    wr(UART_REG_DLL, 0);
    wr(UART_REG_DLM, 0);
    cr_assert_eq(uart_baud(&u), 0);
}

Test(uart16550, dlab_switches_registers_0_and_1)
{
    wr(UART_REG_IER, 0x05);
    wr(UART_REG_LCR, UART_LCR_DLAB);
    cr_assert_eq(rd(UART_REG_LCR), 0x80);
    wr(UART_REG_DLM, 0x02); /* with DLAB: the divisor, not IER */
    wr(UART_REG_DLL, 'x');  /* not transmitted */
    cr_assert_eq(rd(UART_REG_DLM), 0x02);
    wr(UART_REG_LCR, 0x03);
    cr_assert_eq(rd(UART_REG_IER), 0x05);
    put("y\n");
    cr_assert_eq(nlines, 1);
    cr_assert_str_eq(lines[0], "y");
    wr(UART_REG_IER, 0xff);
    cr_assert_eq(rd(UART_REG_IER), 0x0f, "IER bits 7:4 are always 0");
}

Test(uart16550, scratch_round_trip)
{
    wr(UART_REG_SCR, 0xa5);
    cr_assert_eq(rd(UART_REG_SCR), 0xa5);
    wr(UART_REG_SCR, 0x5a);
    cr_assert_eq(rd(UART_REG_SCR), 0x5a);
    wr(UART_REG_LCR, UART_LCR_DLAB);
    cr_assert_eq(rd(UART_REG_SCR), 0x5a, "DLAB does not affect SCR");
}

Test(uart16550, lsr_bits)
{
    cr_assert_eq(rd(UART_REG_LSR) & (UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR), 0x60);
    put("abc");
    cr_assert_eq(rd(UART_REG_LSR), 0x60, "the transmitter is always ready");
    cr_assert_eq(uart_push_input(&u, "k", 1), 1);
    cr_assert_eq(rd(UART_REG_LSR), 0x61);
    cr_assert_eq(rd(UART_REG_RBR), 'k');
    cr_assert_eq(rd(UART_REG_LSR), 0x60);
}

Test(uart16550, output_lines)
{
    put("hello\r\nwor");
    cr_assert_eq(nlines, 1);
    cr_assert_str_eq(lines[0], "hello");
    put("ld\n");
    cr_assert_eq(nlines, 2);
    cr_assert_str_eq(lines[1], "world");
    put("partial");
    uart_flush_output(&u);
    cr_assert_eq(nlines, 3);
    cr_assert_str_eq(lines[2], "partial");
    for (int i = 0; i < DEBUGCON_LINE + 5; i++)
        put("z");
    cr_assert_eq(nlines, 4, "a long line is split");
    cr_assert_eq(strlen(lines[3]), DEBUGCON_LINE - 1);
}

Test(uart16550, input_fifo)
{
    char big[40];
    memset(big, 'q', sizeof(big));
    cr_assert_eq(uart_push_input(&u, "abc", 3), 3);
    cr_assert_eq(rd(UART_REG_RBR), 'a');
    cr_assert_eq(rd(UART_REG_RBR), 'b');
    cr_assert_eq(uart_push_input(&u, big, sizeof(big)), UART_RX_FIFO - 1, "only what fits");
    cr_assert_eq(rd(UART_REG_RBR), 'c');
    for (int i = 0; i < UART_RX_FIFO - 1; i++)
        cr_assert_eq(rd(UART_REG_RBR), 'q');
    cr_assert_eq(rd(UART_REG_LSR) & UART_LSR_DR, 0);
    cr_assert_eq(rd(UART_REG_RBR), 'q', "an empty RBR keeps its last byte");
    cr_assert_eq(uart_push_input(&u, "xy", 2), 2);
    wr(UART_REG_FCR, UART_FCR_ENABLE | UART_FCR_RX_RESET);
    cr_assert_eq(rd(UART_REG_LSR) & UART_LSR_DR, 0, "FCR bit 1 empties the receive FIFO");
}

Test(uart16550, iir_values)
{
    cr_assert_eq(rd(UART_REG_IIR), 0x01);
    wr(UART_REG_FCR, 0x07);
    cr_assert_eq(rd(UART_REG_IIR), 0xc1, "FIFOs on: bits 7:6 = 11");
    wr(UART_REG_IER, UART_IER_ETBEI);
    cr_assert(uart_intr(&u));
    cr_assert_eq(rd(UART_REG_IIR), 0xc2, "enabling ETBEI with THR empty raises THRE");
    cr_assert_eq(rd(UART_REG_IIR), 0xc1, "reading IIR cleared it");
    put("x");
    cr_assert_eq(rd(UART_REG_IIR), 0xc2, "THR empty again after a byte");
    wr(UART_REG_IER, UART_IER_ETBEI | UART_IER_ERBFI);
    uart_push_input(&u, "a", 1);
    cr_assert_eq(rd(UART_REG_IIR), 0xc4, "trigger level 1 reached: data available first");
    rd(UART_REG_RBR);
    wr(UART_REG_FCR, 0xc1); /* trigger level 14 */
    uart_push_input(&u, "ab", 2);
    cr_assert_eq(rd(UART_REG_IIR), 0xcc, "below the trigger level: character timeout");
    wr(UART_REG_FCR, 0x00);
    cr_assert_eq(rd(UART_REG_IIR), 0x01, "FIFOs off (and emptied): bits 7:6 = 00");
    uart_push_input(&u, "a", 1);
    cr_assert_eq(rd(UART_REG_IIR), 0x04);
    wr(UART_REG_IER, 0);
    cr_assert_eq(rd(UART_REG_IIR), 0x01);
    cr_assert_not(uart_intr(&u));
}

Test(uart16550, loopback_and_line_status_interrupt)
{
    wr(UART_REG_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
    cr_assert_eq(rd(UART_REG_MSR) & 0xf0, 0x90, "Linux's loopback probe: DCD and CTS");
    wr(UART_REG_MCR, 0x1f);
    cr_assert_eq(rd(UART_REG_MSR), 0xf0);
    put("ping");
    cr_assert_eq(nlines, 0);
    uart_flush_output(&u);
    cr_assert_eq(nlines, 0, "looped back, not sent");
    cr_assert_eq(rd(UART_REG_RBR), 'p');
    wr(UART_REG_IER, UART_IER_ELSI | UART_IER_ERBFI);
    for (int i = 0; i < UART_RX_FIFO; i++)
        put("!");
    cr_assert_eq(rd(UART_REG_IIR), 0x06, "overrun: receiver line status, highest priority");
    cr_assert_eq(rd(UART_REG_LSR), 0x63);
    cr_assert_eq(rd(UART_REG_LSR), 0x61, "reading LSR cleared OE");
    cr_assert_eq(rd(UART_REG_IIR), 0x04);
    wr(UART_REG_MCR, 0x03);
    cr_assert_eq(rd(UART_REG_MCR), 0x03);
    cr_assert_eq(rd(UART_REG_MSR), 0xb0);
}

Test(uart16550, ports_and_sizes)
{
    uint32_t v = 0;
    cr_assert_not(uart_io(&u, B - 1, 1, true, &v));
    cr_assert_not(uart_io(&u, B + 8, 1, true, &v));
    cr_assert_not(uart_io(&u, 0x2f8, 1, true, &v));
    wr(UART_REG_SCR, 0x42);
    cr_assert(uart_io(&u, B + UART_REG_MSR, 2, true, &v));
    cr_assert_eq(v, 0x42b0, "a word read covers MSR and SCR");
    cr_assert(uart_io(&u, B + UART_REG_SCR, 4, true, &v));
    cr_assert_eq(v, 0xffffff42, "beyond the last register: all ones");
    v = 0x0377;
    cr_assert(uart_io(&u, B + UART_REG_SCR, 2, false, &v));
    cr_assert_eq(rd(UART_REG_SCR), 0x77);

    struct uart16550 com2;
    uart_attach(&com2, 0x2f8, emit, NULL);
    cr_assert_not(uart_io(&com2, B, 1, true, &v));
    cr_assert(uart_io(&com2, 0x2f8 + UART_REG_LSR, 1, true, &v));
    cr_assert_eq(v, 0x60);
}

Test(uart16550, reset_keeps_attachment)
{
    wr(UART_REG_LCR, 0x03);
    wr(UART_REG_SCR, 9);
    uart_push_input(&u, "a", 1);
    uart_reset(&u);
    cr_assert_eq(rd(UART_REG_LCR), 0);
    cr_assert_eq(rd(UART_REG_LSR), 0x60);
    put("after\n");
    cr_assert_eq(nlines, 1);
    cr_assert_str_eq(lines[0], "after");
}

Test(uart16550, rx_room_and_interrupt)
{
    cr_assert_eq(uart_rx_room(&u), UART_RX_FIFO);
    wr(UART_REG_MCR, UART_MCR_OUT2);
    wr(UART_REG_IER, UART_IER_ERBFI);
    cr_assert(!uart_intr(&u), "nothing received yet");
    cr_assert_eq(uart_push_input(&u, "ab", 2), 2);
    cr_assert_eq(uart_rx_room(&u), UART_RX_FIFO - 2);
    cr_assert(uart_intr(&u), "received data raises INTR with ERBFI");
    cr_assert_eq(rd(UART_REG_IIR) & 0x0f, UART_IIR_RDA);
    cr_assert_eq(rd(UART_REG_RBR), 'a');
    cr_assert_eq(rd(UART_REG_RBR), 'b');
    cr_assert(!uart_intr(&u), "INTR drops once the FIFO is read empty");
    cr_assert_eq(rd(UART_REG_LSR) & UART_LSR_DR, 0);
    wr(UART_REG_MCR, UART_MCR_LOOP);
    cr_assert_eq(uart_rx_room(&u), 0, "loopback: the serial input is disconnected");
    wr(UART_REG_MCR, 0);
    char full[UART_RX_FIFO + 4];
    memset(full, 'x', sizeof(full));
    cr_assert_eq(uart_push_input(&u, full, sizeof(full)), UART_RX_FIFO);
    cr_assert_eq(uart_rx_room(&u), 0, "a full FIFO takes no more");
}

static char raw[32];
static unsigned nraw;
static void raw_byte(void *ctx, char c)
{
    cr_assert_eq(ctx, &nraw);
    if (nraw < sizeof(raw))
        raw[nraw++] = c;
}

Test(uart16550, raw_output)
{
    put("ab");
    nraw = 0;
    uart_set_raw_output(&u, raw_byte, &nraw);
    cr_assert_eq(nlines, 1, "the partial line is handed over first");
    cr_assert_str_eq(lines[0], "ab");
    put("/ # \r");
    cr_assert_eq(nraw, 5, "each byte as it is sent, a prompt without newline too");
    cr_assert_eq(memcmp(raw, "/ # \r", 5), 0);
    cr_assert_eq(nlines, 1, "no line assembled");
    wr(UART_REG_MCR, UART_MCR_LOOP);
    put("z");
    cr_assert_eq(nraw, 5, "loopback: the byte stays in the chip");
    wr(UART_REG_MCR, 0);
    uart_set_raw_output(&u, NULL, NULL);
    put("cd\n");
    cr_assert_eq(nlines, 2);
    cr_assert_str_eq(lines[1], "cd");
}
