/*
 * guests/probe/fwcfg.c - do=fwcfg cpus=N mem=BYTES: QEMU's fw_cfg as a kernel written for
 * QEMU reads it (QEMU docs/specs/fw_cfg.rst): a 16-bit selector written to port 0x510, the item
 * read byte by byte from port 0x511. Checks the signature "QEMU", the traditional-interface
 * bit of FW_CFG_ID, the CPU count and RAM size against the arguments (what the VM was given),
 * and that the file directory is well formed (a big-endian count, 64-byte entries).
 * do=park how=pause|hlt|cli: wait forever for something that never comes (a CPU that never
 * starts): PAUSE in a loop, or HLT with interrupts on and no interrupt source programmed. The
 * hypervisor's no-progress watchdog must end it (the guest never ends on its own). With
 * how=cli, HLT with interrupts off: nothing but an NMI could end it, and the hypervisor stops
 * it as hung, watchdog or not.
 */
#include "guests/lib/args.h"
#include "guests/lib/io.h"
#include "guests/lib/test.h"
#include "guests/probe/probe.h"

#define FW_CFG_SEL  0x510
#define FW_CFG_DATA 0x511

static uint64_t fw_cfg_read_le(uint16_t key, unsigned n)
{
    uint64_t v = 0;
    outw(FW_CFG_SEL, key);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
    return v;
}

static uint32_t fw_cfg_read_be32(void)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | inb(FW_CFG_DATA);
    return v;
}

void probe_fwcfg(void)
{
    uint64_t cpus = probe_arg("cpus", 1), mem = probe_arg("mem", 16u << 20);
    char sig[5] = {0};
    outw(FW_CFG_SEL, 0x00); /* FW_CFG_SIGNATURE */
    for (int i = 0; i < 4; i++)
        sig[i] = (char)inb(FW_CFG_DATA);
    test_checkf(sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U',
                "fw_cfg signature is QEMU (%02x %02x %02x %02x)", (unsigned)(uint8_t)sig[0],
                (unsigned)(uint8_t)sig[1], (unsigned)(uint8_t)sig[2], (unsigned)(uint8_t)sig[3]);
    uint64_t id = fw_cfg_read_le(0x01, 4);
    test_checkf(id & 1, "FW_CFG_ID 0x%x has the traditional interface bit", (unsigned)id);
    uint64_t n = fw_cfg_read_le(0x05, 2);
    test_checkf(n == cpus, "FW_CFG_NB_CPUS is %u (%u)", (unsigned)cpus, (unsigned)n);
    uint64_t ram = fw_cfg_read_le(0x03, 8);
    test_checkf(ram == mem, "FW_CFG_RAM_SIZE is %u MiB (%u MiB)", (unsigned)(mem >> 20),
                (unsigned)(ram >> 20));
    outw(FW_CFG_SEL, 0x19); /* FW_CFG_FILE_DIR */
    uint32_t files = fw_cfg_read_be32();
    test_checkf(files <= 64, "the file directory lists %u files (a sane count)", (unsigned)files);
    test_note("fw_cfg: %u CPUs, %u MiB, %u files", (unsigned)n, (unsigned)(ram >> 20),
              (unsigned)files);
}

void probe_park(void)
{
    char how[8] = "pause";
    args_get(probe_cmdline, "how", how, sizeof(how));
    volatile uint32_t never = 0;
    if (how[0] == 'c') {
        test_note("parked: HLT with interrupts off");
        for (;;)
            __asm__ volatile("cli; hlt" ::: "memory");
    }
    if (how[0] == 'h') {
        test_note("parked: HLT with interrupts on, no interrupt source");
        for (;;)
            __asm__ volatile("sti; hlt" ::: "memory");
    }
    test_note("parked: PAUSE until a flag that is never set");
    while (!never)
        __asm__ volatile("pause");
    test_check(false, "the flag was set");
}
