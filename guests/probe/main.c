/*
 * guests/probe/main.c - the probe test guest (multiboot v1): small checks of what the
 * hypervisor does with one guest action each, chosen on the command line with `do=`:
 *   do=exit status=N   ends the VM with the VP_HC_EXIT hypercall (docs/hypercalls.md)
 *   do=mtrr            virtual MTRRs (msr.c)        do=wrmsr   refused MSR values (msr.c)
 *   do=state seed=S    state isolation (state.c)    do=pae     PAE by an exiting CR0 write
 *   do=strio           REP INS/OUTS (paging.c)      do=cpuid n=N  CPUID in a loop (load.c)
 *   do=singlestep      TF over an emulated CPUID: one #DB after it (load.c)
 *   do=fwcfg cpus=N mem=BYTES  QEMU fw_cfg (fwcfg.c)   do=park how=pause|hlt|cli  wait forever
 * It prints `probe: ...` notes and TEST lines like the other guests (guests/lib/test.h).
 */
#include <string.h>
#include "guests/lib/args.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"
#include "guests/lib/trap.h"
#include "guests/probe/probe.h"

#define VP_HC_EXIT 1

static struct mb_info mbi;
const char *probe_cmdline = "";

uint64_t probe_arg(const char *key, uint64_t def)
{
    char arg[32];
    uint64_t v = def;
    if (args_get(probe_cmdline, key, arg, sizeof(arg)) &&
        !test_checkf(args_parse_u64(arg, &v), "%s=%s is a number", key, arg))
        test_finish();
    return v;
}

static void do_exit(void)
{
    uint64_t status = probe_arg("status", 0);
    if (!test_check(status <= 0x7fffffff, "status=N is below 2^31"))
        test_finish();
    test_note("VP_HC_EXIT with status %u", (unsigned)status);
    uint32_t eax = VP_HC_EXIT, ebx = (uint32_t)status;
    __asm__ volatile("vmcall" : "+a"(eax) : "b"(ebx) : "memory");
    test_checkf(false, "VP_HC_EXIT returned (EAX 0x%x)", (unsigned)eax);
}

/* do=initbsp: an INIT IPI to its own APIC ID 0 through the xAPIC ICR (SDM 11.6.1: physical
 * destination, INIT, level assert), i.e. a reset of the machine. Under Vanderpool the VM is
 * stopped with a message (docs/interrupts.md); nothing after the write should run. */
static void do_initbsp(void)
{
    volatile uint32_t *apic = (volatile uint32_t *)(uintptr_t)0xfee00000u;
    apic[0x310 / 4] = 0;      /* ICR high: destination APIC ID 0 */
    apic[0x300 / 4] = 0x4500; /* ICR low: INIT, assert, no shorthand */
    for (volatile int i = 0; i < 1000000; i++)
        ;
    test_check(false, "the CPU went on after an INIT to itself");
}

static const struct {
    const char *name;
    void (*fn)(void);
} probes[] = {{"exit", do_exit},      {"mtrr", probe_mtrr},
              {"wrmsr", probe_wrmsr}, {"state", probe_state},
              {"pae", probe_pae},     {"strio", probe_strio},
              {"cpuid", probe_cpuid}, {"singlestep", probe_singlestep},
              {"fwcfg", probe_fwcfg}, {"park", probe_park},
              {"initbsp", do_initbsp}};

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "", what[24] = "";
    test_init("probe");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (mbi.has_cmdline)
        probe_cmdline = mbi.cmdline;
    if (!test_check(args_get(probe_cmdline, "do", what, sizeof(what)),
                    "command line gives do=WHAT"))
        test_finish();
    trap_init();
    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        if (strncmp(what, probes[i].name, sizeof(what)) == 0) {
            probes[i].fn();
            test_finish();
        }
    }
    test_checkf(false, "do=%s is a known probe", what);
    test_finish();
}
