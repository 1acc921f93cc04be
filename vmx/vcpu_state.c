/* vmx/vcpu_state.c - switching the guest state the VMCS does not hold (see vcpu_state.h). */
#include <string.h>
#include "platform/cpu.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "vmx/vcpu.h"
#include "vmx/vcpu_state.h"

#define FXSAVE_SIZE   512
#define FXSAVE_FCW    0  /* x87 control word (SDM vol. 1 table 10-2) */
#define FXSAVE_MXCSR  24 /* SSE control/status */
#define FCW_INIT      0x37f
#define MXCSR_INIT    0x1f80
#define CPUID_1_XSAVE (1u << 26)

static bool has_xsave(void)
{
    return (cpuid(1, 0).ecx & CPUID_1_XSAVE) != 0;
}

/* IA32_TSC_AUX exists only with RDTSCP (CPUID.80000001H:EDX[27]; SDM vol. 4 table 2-2). */
static bool has_tsc_aux(void)
{
    static int known = -1;
    if (known < 0)
        known = cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx >> 27) & 1;
    return known;
}

/* Every state component the CPU supports in XCR0 (CPUID.(EAX=0DH,ECX=0):EDX:EAX), which the
 * area of vcpu_fpu_area_size holds. */
static uint64_t xsave_all(void)
{
    static uint64_t all;
    if (!all) {
        struct cpuid_regs r = cpuid(0xd, 0);
        all = ((uint64_t)r.edx << 32) | r.eax;
    }
    return all;
}

uint32_t vcpu_fpu_area_size(void)
{
    if (!has_xsave())
        return FXSAVE_SIZE;
    uint32_t n = cpuid(0xd, 0).ecx; /* all supported features, SDM vol. 1 13.2 */
    return n < FXSAVE_SIZE + 64 ? FXSAVE_SIZE + 64 : n;
}

int vcpu_state_init(struct vcpu *v)
{
    struct vcpu_hw_state *s = &v->hw;
    uint32_t size = vcpu_fpu_area_size();
    uint64_t pages = (size + 4095) / 4096;
    if (!s->fpu) {
        uint64_t phys = mem_alloc_pages(pages);
        if (!phys)
            return -1;
        s->fpu = phys_to_virt(phys);
    }
    uint8_t *fpu = s->fpu;
    memset(s, 0, sizeof(*s));
    s->fpu = fpu;
    memset(fpu, 0, pages * 4096);
    /* The legacy area's control words at their initial values; with XSAVE the header's
     * XSTATE_BV is 0, so XRSTOR puts every component in its initial configuration (SDM vol. 1
     * 13.8.1), except MXCSR, which it always loads from the area. */
    *(uint16_t *)(fpu + FXSAVE_FCW) = FCW_INIT;
    *(uint32_t *)(fpu + FXSAVE_MXCSR) = MXCSR_INIT;
    s->dr6 = DR6_INIT;
    s->xcr0 = 1; /* x87 only (SDM vol. 1 13.3) */
    return 0;
}

static void save(struct vcpu *v)
{
    struct vcpu_hw_state *s = &v->hw;
    s->star = rdmsr(MSR_STAR);
    s->lstar = rdmsr(MSR_LSTAR);
    s->cstar = rdmsr(MSR_CSTAR);
    s->fmask = rdmsr(MSR_FMASK);
    s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
    if (has_tsc_aux())
        s->tsc_aux = rdmsr(MSR_TSC_AUX);
    s->dr[0] = read_dr0();
    s->dr[1] = read_dr1();
    s->dr[2] = read_dr2();
    s->dr[3] = read_dr3();
    s->dr6 = read_dr6();
    s->cr2 = read_cr2();
    if (read_cr4() & CR4_OSXSAVE) {
        /* XSAVE saves only components XCR0 enables, but a guest uses SSE (and AVX state
         * persists) whatever its XCR0 says: save everything the area holds (SDM vol. 1 13.7). */
        xsetbv(0, xsave_all());
        xsave(s->fpu, xsave_all());
    } else
        fxsave(s->fpu);
}

static void load(const struct vcpu *v)
{
    const struct vcpu_hw_state *s = &v->hw;
    wrmsr(MSR_STAR, s->star);
    wrmsr(MSR_LSTAR, s->lstar);
    wrmsr(MSR_CSTAR, s->cstar);
    wrmsr(MSR_FMASK, s->fmask);
    wrmsr(MSR_KERNEL_GS_BASE, s->kernel_gs_base);
    if (has_tsc_aux())
        wrmsr(MSR_TSC_AUX, s->tsc_aux);
    write_dr0(s->dr[0]);
    write_dr1(s->dr[1]);
    write_dr2(s->dr[2]);
    write_dr3(s->dr[3]);
    write_dr6(s->dr6);
    write_cr2(s->cr2);
    if (read_cr4() & CR4_OSXSAVE) {
        xsetbv(0, xsave_all());
        xrstor(s->fpu, xsave_all());
        xsetbv(0, s->xcr0);
    } else {
        fxrstor(s->fpu);
    }
}

void vcpu_state_forget(const struct vcpu *v)
{
    struct vmx_cpu *c = vmx_this_cpu();
    if (c->state_owner == v)
        c->state_owner = NULL;
}

void vcpu_state_switch_to(struct vcpu *v)
{
    struct vmx_cpu *c = vmx_this_cpu();
    if (c->state_owner == v)
        return;
    if (c->state_owner)
        save(c->state_owner);
    load(v);
    c->state_owner = v;
}

void vcpu_set_cr2(struct vcpu *v, uint64_t cr2)
{
    vcpu_state_switch_to(v); /* it is the running vCPU: this only makes sure */
    write_cr2(cr2);
}

void vcpu_set_dr6_bits(struct vcpu *v, uint64_t bits)
{
    vcpu_state_switch_to(v);
    write_dr6(read_dr6() | bits);
}

void vcpu_state_set_xcr0(struct vcpu *v, uint64_t xcr0)
{
    v->hw.xcr0 = xcr0;
}
