/*
 * guests/builtin/basic.c - the first guest (book chapter 5): exercises every exit the VMX core
 * handles and checks what the hypervisor made of it, then ends in a triple fault.
 */
#include <string.h>
#include "guests/builtin/guest_lib.h"
#include "platform/cpu.h"

#define UD_VECTOR 6
#define GP_VECTOR 13

#define CPUID_1_ECX_XSAVE   (1u << 26) /* SDM vol. 2A CPUID, table 3-10 */
#define CPUID_1_ECX_OSXSAVE (1u << 27)

static void check_cpuid(void)
{
    struct cpuid_regs r = cpuid(1, 0);
    guest_check(!((r.ecx >> 5) & 1), "CPUID.1:ECX.VMX is hidden");
    guest_check((r.ecx >> 31) & 1, "CPUID.1:ECX bit 31 (hypervisor present) is set");
    r = cpuid(0x40000000, 0);
    char vendor[13];
    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.ecx, 4);
    memcpy(vendor + 8, &r.edx, 4);
    vendor[12] = 0;
    guest_check(!strcmp(vendor, "VanderpoolVM"), "CPUID 0x40000000 says VanderpoolVM");
    guest_check(r.eax >= 0x40000001, "CPUID 0x40000000 EAX is the highest hypervisor leaf");
}

static void check_msrs(void)
{
    uint64_t v = 0;
    guest_check(guest_wrmsr_safe(0x174, 0x1234) == 0, "WRMSR IA32_SYSENTER_CS");
    guest_check(guest_rdmsr_safe(0x174, &v) == 0 && v == 0x1234,
                "RDMSR IA32_SYSENTER_CS reads back the value written");
    guest_check(guest_rdmsr_safe(0x3a, &v) == 0 && v == 1,
                "IA32_FEATURE_CONTROL reads locked with VMX off");
    guest_check(guest_rdmsr_safe(0x480, &v) == GP_VECTOR + 1, "RDMSR IA32_VMX_BASIC raises #GP");
    guest_check(guest_rdmsr_safe(0x4b564d00, &v) == GP_VECTOR + 1,
                "RDMSR of an MSR that does not exist raises #GP");
    guest_check(guest_rdmsr_safe(0x10, &v) == 0 && v != 0, "RDMSR IA32_TIME_STAMP_COUNTER");
}

static void check_io(void)
{
    guest_check(inb(0x4d4) == 0xff, "IN from a port with no device reads 0xff");
    guest_check(inl(0x4d8) == 0xffffffffu, "32-bit IN from a port with no device reads all ones");
}

static void check_cr(void)
{
    uint64_t cr4 = read_cr4();
    guest_check(!(cr4 & (1ull << 13)), "CR4.VMXE reads 0 (read shadow)");
    guest_check(guest_write_cr4_safe(cr4 | (1ull << 13)) == GP_VECTOR + 1,
                "setting CR4.VMXE raises #GP");
    write_cr0(read_cr0()); /* a CR0 write with unchanged bits: no fault */
    guest_check(true, "MOV to CR0 with the same value");
}

/* XSETBV and XGETBV exist only when CPUID.1:ECX.XSAVE says so, and CR4.OSXSAVE enables them
 * (SDM vol. 1 13.3). Without XSAVE (Bochs's corei5_arrandale_m520), CR4.OSXSAVE is reserved, so
 * setting it raises #GP (SDM vol. 3A 2.5, vol. 2A MOV CR), and both instructions raise #UD
 * (SDM vol. 2C XSETBV, XGETBV), before any VM exit (SDM 26.1.1): the same number of checks,
 * each of which can fail. */
static void check_xsave(void)
{
    uint64_t cr4 = read_cr4(), v = 0;
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) {
        guest_check(guest_write_cr4_safe(cr4 | CR4_OSXSAVE) == 0 && (read_cr4() & CR4_OSXSAVE),
                    "setting CR4.OSXSAVE works and reads back");
        guest_check(guest_xsetbv_safe(0, 3) == 0, "XSETBV XCR0 = x87|SSE");
        guest_check(guest_xgetbv_safe(0, &v) == 0 && v == 3, "XGETBV reads XCR0 = 3");
        guest_check(guest_xsetbv_safe(0, 0) == GP_VECTOR + 1, "XSETBV XCR0 = 0 raises #GP");
        return;
    }
    guest_printf("GUEST basic: no XSAVE (CPUID.1:ECX bit 26 is 0): XSETBV and XGETBV must raise "
                 "#UD\n");
    guest_check(guest_write_cr4_safe(cr4 | CR4_OSXSAVE) == GP_VECTOR + 1,
                "no XSAVE: setting CR4.OSXSAVE raises #GP");
    guest_check(!(read_cr4() & CR4_OSXSAVE) && !(cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE),
                "no XSAVE: CR4.OSXSAVE and CPUID.1:ECX.OSXSAVE read 0");
    guest_check(guest_xsetbv_safe(0, 3) == UD_VECTOR + 1, "no XSAVE: XSETBV raises #UD");
    guest_check(guest_xgetbv_safe(0, &v) == UD_VECTOR + 1, "no XSAVE: XGETBV raises #UD");
}

static void check_misc(void)
{
    guest_check(guest_vmcall(0, 0) == 0x00010000, "VMCALL version returns 1.0");
    guest_check(guest_vmcall(0x99, 0) == ~0ull, "an unknown hypercall returns ENOSYS");
    irq_enable();
    cpu_halt();
    irq_disable();
    guest_check(true, "HLT with interrupts enabled returns");
    guest_invd();
    wbinvd();
    guest_check(true, "INVD and WBINVD complete");
    guest_check(guest_vmxon_safe(0x1000) == UD_VECTOR + 1, "VMXON in the guest raises #UD");
}

void guest_basic_main(void)
{
    uint16_t limit;
    uint64_t base = guest_idt_setup(&limit);
    struct desc_ptr idtr = {limit, base};
    lidt(&idtr);
    guest_printf("GUEST basic: hello from VMX non-root operation\n");
    check_cpuid();
    check_msrs();
    check_io();
    check_cr();
    check_xsave();
    check_misc();
    guest_printf("GUEST basic: %u checks, %u failed\n", guest_checks(), guest_failures());
    guest_printf("GUEST basic: now a triple fault\n");
    guest_triple_fault();
}
