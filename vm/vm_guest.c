/* vm/vm_guest.c - the guest's paging state and RAM for the emulators (see vm_guest.h). */
#include <string.h>
#include "platform/cpu.h"
#include "vm/vm_guest.h"
#include "vmx/vmcs.h"

static int ram_read(void *ctx, uint64_t gpa, void *buf, size_t n)
{
    const uint8_t *p = vm_gpa_ptr(ctx, gpa, n);
    if (!p)
        return -1;
    memcpy(buf, p, n);
    return 0;
}

static int ram_write(void *ctx, uint64_t gpa, const void *buf, size_t n)
{
    uint8_t *p = vm_gpa_ptr(ctx, gpa, n);
    if (!p)
        return -1;
    memcpy(p, buf, n);
    return 0;
}

static int ram_read_pte(void *ctx, uint64_t gpa, uint64_t *val)
{
    return ram_read(ctx, gpa, val, 8);
}

static int ram_write_pte(void *ctx, uint64_t gpa, uint64_t old, uint64_t val)
{
    uint64_t *p = (uint64_t *)vm_gpa_ptr(ctx, gpa, 8);
    if (!p)
        return -1;
    return __atomic_compare_exchange_n(p, &old, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
               ? 0
               : GW_MEM_CHANGED;
}

void vm_guest_mem(struct vm *vm, struct gw_mem *m)
{
    *m = (struct gw_mem){vm, ram_read_pte, ram_write_pte, ram_read, ram_write};
}

void vm_guest_paging(struct vcpu *v, struct gw_state *s)
{
    uint64_t cr0 = vcpu_guest_cr0(v), cr4 = vcpu_guest_cr4(v);
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    *s = (struct gw_state){
        .cr0 = cr0,
        .cr3 = vmcs_read(GUEST_CR3),
        .cr4 = cr4,
        .efer = efer,
        .cpl = (uint32_t)(vmcs_read(GUEST_SS_AR_BYTES) & AR_DPL_MASK) >> AR_DPL_SHIFT,
        .ac = (vmcs_read(GUEST_RFLAGS) & RFLAGS_AC) != 0,
        .maxphyaddr = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36,
        .page1gb = (cpuid(0x80000001, 0).edx >> 26) & 1,
        .pse36 = (cpuid(1, 0).edx >> 17) & 1,
    };
    if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA))
        for (int i = 0; i < 4; i++) /* PAE: the CPU's PDPTE registers (SDM 27.3.2.4) */
            s->pdpte[i] = vmcs_read(GUEST_PDPTR0 + 2 * i);
}

int vm_fetch_byte(void *ctx, unsigned offset, uint8_t *byte)
{
    const struct vm_fetch *f = ctx;
    uint64_t la = f->cs_base + f->rip + offset;
    struct gw_result r;
    if (f->wrap32)
        la &= 0xffffffffull;
    return gw_read(f->paging, f->mem, la, byte, 1, GW_FETCH, &r) == GW_OK ? 0 : -1;
}
