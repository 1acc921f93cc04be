/*
 * guests/probe/main.c - the probe test guest (multiboot v1): small checks of what the
 * hypervisor does with one guest action each, chosen on the command line with `do=`:
 *   do=exit status=N   ends the VM with the VP_HC_EXIT hypercall (docs/hypercalls.md): VMCALL
 *                      with EAX = 1, EBX = N. The VM's summary must show exit status N.
 * It prints `probe: ...` notes and TEST lines like the other guests (guests/lib/test.h).
 */
#include <string.h>
#include "guests/lib/args.h"
#include "guests/lib/mb.h"
#include "guests/lib/test.h"

#define VP_HC_EXIT 1

static struct mb_info mbi;

static void do_exit(void)
{
    char arg[32];
    uint64_t status = 0;
    if (!test_check(args_get(mbi.cmdline, "status", arg, sizeof(arg)) &&
                        args_parse_u64(arg, &status) && status <= 0x7fffffff,
                    "status=N is a number below 2^31"))
        test_finish();
    test_note("VP_HC_EXIT with status %u", (unsigned)status);
    uint32_t eax = VP_HC_EXIT, ebx = (uint32_t)status;
    __asm__ volatile("vmcall" : "+a"(eax) : "b"(ebx) : "memory");
    test_checkf(false, "VP_HC_EXIT returned (EAX 0x%x)", (unsigned)eax);
    test_finish();
}

void guest_main(uint32_t magic, uint32_t info);

void guest_main(uint32_t magic, uint32_t info)
{
    char msg[128] = "", what[24] = "";
    test_init("probe");
    int err = mb_parse(magic, (const void *)(uintptr_t)info, &mbi, msg, sizeof(msg));
    if (!test_checkf(err == MB_OK, "%s", err == MB_OK ? "multiboot information parsed" : msg))
        test_finish();
    if (!test_check(mbi.has_cmdline && args_get(mbi.cmdline, "do", what, sizeof(what)),
                    "command line gives do=WHAT"))
        test_finish();
    if (strncmp(what, "exit", sizeof("exit")) == 0)
        do_exit();
    test_checkf(false, "do=%s is a known probe", what);
    test_finish();
}
