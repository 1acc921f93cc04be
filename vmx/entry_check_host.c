/*
 * vmx/entry_check_host.c - VM-entry checks on the host-state area (pure): SDM 27.2.2 (control
 * registers and MSRs), 27.2.3 (segment and descriptor-table registers), 27.2.4 (address-space
 * size). A failure here is VMfailValid 8.
 */
#include "vmx/entry_check_int.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_controls.h"

/* SDM A.7, A.8 */
void ec_check_fixed_cr(struct ec *e, const char *what, uint64_t v, uint64_t fixed0, uint64_t fixed1,
                       uint64_t exempt, enum entry_rule r1, enum entry_rule r0)
{
    uint64_t missing = fixed0 & ~exempt & ~v;
    uint64_t extra = v & ~fixed1 & ~exempt;
    if (missing)
        ec_fail(e, r1, "%s 0x%llx: bits 0x%llx must be 1", what, (unsigned long long)v,
                (unsigned long long)missing);
    if (extra)
        ec_fail(e, r0, "%s 0x%llx: bits 0x%llx must be 0", what, (unsigned long long)v,
                (unsigned long long)extra);
}

/* SDM vol. 3A 13.12.2: PAT memory types */
bool ec_pat_valid(uint64_t pat, unsigned *bad_byte)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (unsigned)(pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7) {
            *bad_byte = i;
            return false;
        }
    }
    return true;
}

static void check_canonical(struct ec *e, uint32_t field, const char *what, enum entry_rule r)
{
    uint64_t v = ec_read(e, field);
    if (!ec_canonical(e, v))
        ec_fail(e, r, "%s 0x%llx is not canonical", what, (unsigned long long)v);
}

/* SDM 27.2.2 */
static void check_host_crs_msrs(struct ec *e)
{
    const struct vmx_caps *c = e->caps;
    /* SDM 27.2.2: CR0.NW and CR0.CD are not checked (VM exit does not change them) */
    ec_check_fixed_cr(e, "host CR0", ec_read(e, HOST_CR0), c->cr0_fixed0, c->cr0_fixed1,
                      EC_CR0_NW | EC_CR0_CD, ENTRY_RULE_H_CR0_1, ENTRY_RULE_H_CR0_0);
    ec_check_fixed_cr(e, "host CR4", ec_read(e, HOST_CR4), c->cr4_fixed0, c->cr4_fixed1, 0,
                      ENTRY_RULE_H_CR4_1, ENTRY_RULE_H_CR4_0);
    uint64_t cr3 = ec_read(e, HOST_CR3);
    if (ec_beyond_width(e, cr3))
        ec_fail(e, ENTRY_RULE_H_CR3_WIDTH, "host CR3 0x%llx is beyond the physical-address width",
                (unsigned long long)cr3);
    check_canonical(e, HOST_IA32_SYSENTER_ESP, "host IA32_SYSENTER_ESP", ENTRY_RULE_H_SYSENTER_ESP);
    check_canonical(e, HOST_IA32_SYSENTER_EIP, "host IA32_SYSENTER_EIP", ENTRY_RULE_H_SYSENTER_EIP);
    if (e->exit & VM_EXIT_CTL_LOAD_IA32_PERF_GLOBAL_CTRL) {
        uint64_t v = ec_read(e, HOST_IA32_PERF_GLOBAL_CTRL);
        uint64_t ok = e->env->perf_global_ctrl_allowed;
        if (!ok)
            ec_skip(e, ENTRY_RULE_H_PERF_GLOBAL,
                    "host IA32_PERF_GLOBAL_CTRL 0x%llx: reserved bits unknown "
                    "(perf_global_ctrl_allowed not given)",
                    (unsigned long long)v);
        else if (v & ~ok)
            ec_fail(e, ENTRY_RULE_H_PERF_GLOBAL,
                    "host IA32_PERF_GLOBAL_CTRL 0x%llx sets reserved bits 0x%llx",
                    (unsigned long long)v, (unsigned long long)(v & ~ok));
    }
    if (e->exit & VM_EXIT_CTL_LOAD_IA32_PAT) {
        uint64_t pat = ec_read(e, HOST_IA32_PAT);
        unsigned b;
        if (!ec_pat_valid(pat, &b))
            ec_fail(e, ENTRY_RULE_H_PAT, "host IA32_PAT 0x%016llx: byte %u is type %u",
                    (unsigned long long)pat, b, (unsigned)(pat >> (8 * b)) & 0xff);
    }
    if (e->exit & VM_EXIT_CTL_LOAD_IA32_EFER) {
        uint64_t efer = ec_read(e, HOST_IA32_EFER);
        uint64_t ok = e->env->efer_allowed ? e->env->efer_allowed : EC_EFER_DEFAULT_ALLOWED;
        if (efer & ~ok)
            ec_fail(e, ENTRY_RULE_H_EFER_RESERVED,
                    "host IA32_EFER 0x%llx sets reserved bits 0x%llx", (unsigned long long)efer,
                    (unsigned long long)(efer & ~ok));
        if (!(efer & EC_EFER_LMA) != !e->host64)
            ec_fail(e, ENTRY_RULE_H_EFER_LMA,
                    "host IA32_EFER.LMA is %u, host address-space size is %u",
                    (efer & EC_EFER_LMA) ? 1 : 0, e->host64 ? 1 : 0);
        if (!(efer & EC_EFER_LME) != !e->host64)
            ec_fail(e, ENTRY_RULE_H_EFER_LME,
                    "host IA32_EFER.LME is %u, host address-space size is %u",
                    (efer & EC_EFER_LME) ? 1 : 0, e->host64 ? 1 : 0);
    }
    if (e->exit & VM_EXIT_CTL_LOAD_PKRS) {
        uint64_t pkrs = ec_read(e, HOST_IA32_PKRS);
        if (pkrs >> 32)
            ec_fail(e, ENTRY_RULE_H_PKRS, "host IA32_PKRS 0x%llx sets bits 63:32",
                    (unsigned long long)pkrs);
    }
}

/* SDM 27.2.3 */
static void check_host_segments(struct ec *e)
{
    static const struct {
        uint32_t field;
        const char *name;
        enum entry_rule rule;
    } sels[] = {
        {HOST_ES_SELECTOR, "ES", ENTRY_RULE_H_ES_SEL},
        {HOST_CS_SELECTOR, "CS", ENTRY_RULE_H_CS_SEL},
        {HOST_SS_SELECTOR, "SS", ENTRY_RULE_H_SS_SEL},
        {HOST_DS_SELECTOR, "DS", ENTRY_RULE_H_DS_SEL},
        {HOST_FS_SELECTOR, "FS", ENTRY_RULE_H_FS_SEL},
        {HOST_GS_SELECTOR, "GS", ENTRY_RULE_H_GS_SEL},
        {HOST_TR_SELECTOR, "TR", ENTRY_RULE_H_TR_SEL},
    };
    for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
        uint16_t s = (uint16_t)ec_read(e, sels[i].field);
        if (s & 7)
            ec_fail(e, sels[i].rule, "host %s selector 0x%04x has RPL %u, TI %u", sels[i].name, s,
                    s & 3u, (s >> 2) & 1u);
    }
    if ((ec_read(e, HOST_CS_SELECTOR) & 0xffff) == 0)
        ec_fail(e, ENTRY_RULE_H_CS_NULL, "host CS selector is 0");
    if ((ec_read(e, HOST_TR_SELECTOR) & 0xffff) == 0)
        ec_fail(e, ENTRY_RULE_H_TR_NULL, "host TR selector is 0");
    if (!e->host64 && (ec_read(e, HOST_SS_SELECTOR) & 0xffff) == 0)
        ec_fail(e, ENTRY_RULE_H_SS_NULL, "host SS selector is 0 with host address-space size 0");
    check_canonical(e, HOST_FS_BASE, "host FS base", ENTRY_RULE_H_FS_BASE);
    check_canonical(e, HOST_GS_BASE, "host GS base", ENTRY_RULE_H_GS_BASE);
    check_canonical(e, HOST_GDTR_BASE, "host GDTR base", ENTRY_RULE_H_GDTR_BASE);
    check_canonical(e, HOST_IDTR_BASE, "host IDTR base", ENTRY_RULE_H_IDTR_BASE);
    check_canonical(e, HOST_TR_BASE, "host TR base", ENTRY_RULE_H_TR_BASE);
}

/* SDM 27.2.4 */
static void check_address_space(struct ec *e)
{
    uint64_t cr4 = ec_read(e, HOST_CR4), rip = ec_read(e, HOST_RIP);
    if (!e->env->outside_ia32e && !e->host64)
        ec_fail(e, ENTRY_RULE_H_IA32E_CPU,
                "the processor is in IA-32e mode but host address-space size is 0");
    if (e->env->outside_ia32e && (e->host64 || e->ia32e_guest))
        ec_fail(e, ENTRY_RULE_H_IA32E_OUTSIDE,
                "outside IA-32e mode: host address-space size %u, IA-32e mode guest %u",
                e->host64 ? 1 : 0, e->ia32e_guest ? 1 : 0);
    if (!e->host64) {
        if (e->ia32e_guest)
            ec_fail(e, ENTRY_RULE_H_IA32E_GUEST,
                    "IA-32e mode guest with host address-space size 0");
        if (cr4 & EC_CR4_PCIDE)
            ec_fail(e, ENTRY_RULE_H_PCIDE_32, "host CR4.PCIDE with host address-space size 0");
        if (rip >> 32)
            ec_fail(e, ENTRY_RULE_H_RIP_HIGH, "host RIP 0x%llx above 4 GiB for a 32-bit host",
                    (unsigned long long)rip);
    } else {
        if (!(cr4 & EC_CR4_PAE))
            ec_fail(e, ENTRY_RULE_H_PAE_64, "host CR4 0x%llx lacks PAE for a 64-bit host",
                    (unsigned long long)cr4);
        if (!ec_canonical(e, rip))
            ec_fail(e, ENTRY_RULE_H_RIP_CANON, "host RIP 0x%llx is not canonical",
                    (unsigned long long)rip);
    }
}

void ec_check_host(struct ec *e)
{
    check_host_crs_msrs(e);
    check_host_segments(e);
    check_address_space(e);
}
