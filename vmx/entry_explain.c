/*
 * vmx/entry_explain.c - the VM-entry checker on the CPU's current VMCS, printed next to the
 * CPU's answer (SDM 27.1-27.4, 27.8, 31.4).
 */
#include "vmx/entry_explain.h"
#include "platform/console.h"
#include "platform/cpu.h"
#include "platform/mem.h"
#include "platform/paging.h"
#include "platform/percpu.h"
#include "vmx/entry_compare.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_insn.h"

#define EXPLAIN_MAX 48 /* findings kept; more are counted */

int vmx_entry_vmread(void *ctx, uint32_t encoding, uint64_t *value)
{
    (void)ctx;
    /* VMfailValid 12 (unsupported component, SDM 31.4) is an answer here, not an error */
    return vmread(encoding, value) == VMX_OK ? 0 : -1;
}

int vmx_entry_phys_read(void *ctx, uint64_t addr, uint64_t *value)
{
    (void)ctx;
    /* inside RAM of the firmware map and the identity map: the range of a 4-byte VMCS revision
     * field or of a PDPTE is never device memory the read could disturb */
    if ((addr & 7) || addr + 8 < addr || addr + 8 > paging_mapped_bytes() ||
        !mem_is_ram(addr, addr + 1) || !mem_is_ram(addr + 7, addr + 8))
        return -1;
    *value = *(const volatile uint64_t *)phys_to_virt(addr);
    return 0;
}

void vmx_entry_env(struct entry_check_env *env)
{
    uint32_t max_ext = cpuid(0x80000000, 0).eax, max_basic = cpuid(0, 0).eax;
    uint64_t current = 0;
    *env = (struct entry_check_env){
        .read = vmx_entry_vmread, .caps = &vmx.caps, .phys_read = vmx_entry_phys_read};
    if (max_ext >= 0x80000008) { /* MAXPHYADDR and linear-address width (SDM vol. 2A CPUID) */
        uint32_t a = cpuid(0x80000008, 0).eax;
        env->maxphyaddr = a & 0xff;
        env->linear_width = (a >> 8) & 0xff;
    }
    if (max_basic >= 7) { /* CPUID.(EAX=07H,ECX=0):EBX: SGX bit 2, RTM bit 11 */
        uint32_t b = cpuid(7, 0).ebx;
        env->sgx = b & (1u << 2);
        env->rtm = b & (1u << 11);
    }
    if (max_basic >= 0xa) {
        /* CPUID.0AH: version EAX[7:0], general counters EAX[15:8], fixed counters EDX[4:0];
         * IA32_PERF_GLOBAL_CTRL has one enable bit per counter, general ones from bit 0 and
         * fixed ones from bit 32 (SDM vol. 3B, Architectural Performance Monitoring Version 2) */
        struct cpuid_regs r = cpuid(0xa, 0);
        unsigned gp = (r.eax >> 8) & 0xff, fixed = r.edx & 0x1f;
        if ((r.eax & 0xff) >= 2 && gp < 32)
            env->perf_global_ctrl_allowed = ((1ULL << gp) - 1) | (((1ULL << fixed) - 1) << 32);
    }
    if (vmptrst(&current) == VMX_OK && current != ~0ULL)
        env->current_vmcs = current;
}

/* SDM 31.4: the VM-instruction errors a VM entry's own checks give */
static bool entry_error(uint32_t n)
{
    return n == ENTRY_ERR_CONTROL || n == ENTRY_ERR_HOST || n == ENTRY_ERR_MOV_SS;
}

static struct entry_finding found[EXPLAIN_MAX]; /* used under the console lock only */
static struct vmx_entry_explained last[MAX_CPUS];

void vmx_entry_last(struct vmx_entry_explained *out)
{
    *out = last[this_cpu_id()];
}

int vmx_entry_explain(struct vcpu *v, const struct entry_verdict *cpu)
{
    struct entry_check_env env;
    struct entry_check_result res;
    struct entry_compare_result cmp = {.how = ENTRY_DISAGREE};
    char line[ENTRY_MSG_MAX + 160], expect[128], dev[256];
    size_t n = 0;
    const char *name = v && v->name ? v->name : "?";
    vmx_entry_env(&env);
    if (!cpu) { /* before VMLAUNCH of a vCPU that was not launched yet (SDM 27.1) */
        env.insn = ENTRY_INSN_VMLAUNCH;
        env.launch_state = ENTRY_LAUNCH_CLEAR;
    }
    console_lock();
    if (entry_check_collect(&env, found, EXPLAIN_MAX, &n, &res) < 0) {
        kprintf("entry-check: %s: the checker could not run\n", name);
        console_unlock();
        return 0;
    }
    if (cpu) {
        entry_format_verdict(line, sizeof(line), cpu);
        kprintf("entry-check: %s: the CPU says %s\n", name, line);
    }
    for (size_t i = 0; i < n; i++) {
        entry_format_finding(line, sizeof(line), &found[i]);
        kprintf("entry-check: %s:   %s\n", name, line);
        if (!found[i].skipped)
            kprintf("entry-check: %s:     (%s)\n", name, entry_rule_text(found[i].rule));
    }
    if (res.failed + res.skipped > n)
        kprintf("entry-check: %s:   ... and %u more\n", name,
                res.failed + res.skipped - (unsigned)n);
    entry_format_verdict(expect, sizeof(expect), &res.verdict);
    if (!cpu) {
        if (res.failed)
            kprintf("entry-check: %s: before VMLAUNCH: %u rule%s failed; the checker expects %s\n",
                    name, res.failed, res.failed == 1 ? "" : "s", expect);
        else
            kprintf("entry-check: %s: before VMLAUNCH: no rule fails (%u not checked)\n", name,
                    res.skipped);
    } else if (cpu->kind == ENTRY_VERDICT_EXIT && cpu->code != ENTRY_EXIT_INVALID_GUEST &&
               cpu->code != ENTRY_EXIT_MSR_LOADING) {
        /* SDM 27.9: a machine-check event during VM entry is no rule of the VMCS */
        kprintf("entry-check: %s: a machine check during VM entry breaks no VMCS rule; the "
                "checker expects %s\n",
                name, expect);
    } else {
        entry_compare(&env, found, n, cpu, &cmp);
        entry_deviation_format(dev, sizeof(dev), cmp.deviations);
        if (cmp.how == ENTRY_DISAGREE && !res.failed)
            kprintf("entry-check: %s: the checker finds no failed rule: it DISAGREES with the "
                    "CPU (a difference worth reporting, docs/entry-checker.md)\n",
                    name);
        else
            kprintf("entry-check: %s: %u rule%s failed; the checker expects %s: %s%s%s\n", name,
                    res.failed, res.failed == 1 ? "" : "s", expect,
                    cmp.how == ENTRY_AGREE ? "agrees with the CPU"
                    : cmp.how == ENTRY_AGREE_DEVIATION
                        ? "agrees with the CPU under the documented deviation(s) "
                        : "DISAGREES with the CPU",
                    cmp.how == ENTRY_AGREE_DEVIATION ? dev : "",
                    cmp.how == ENTRY_DISAGREE ? " (docs/entry-checker.md)" : "");
    }
    last[this_cpu_id()] = (struct vmx_entry_explained){
        .valid = true,
        .failed = res.failed,
        .first = res.failed ? res.first : ENTRY_RULE_COUNT,
        .cpu = cpu ? *cpu : (struct entry_verdict){ENTRY_VERDICT_PASS, 0, 0},
        .how = cpu ? cmp.how : ENTRY_AGREE};
    console_unlock();
    return (int)res.failed;
}

void vmx_entry_explain_vmfail(struct vcpu *v, uint32_t n)
{
    struct entry_verdict cpu = {ENTRY_VERDICT_VMFAIL, n, 0};
    if (entry_error(n))
        vmx_entry_explain(v, &cpu);
}

void vmx_entry_explain_exit(struct vcpu *v, uint32_t exit_reason, uint64_t qualification)
{
    struct entry_verdict cpu = {ENTRY_VERDICT_EXIT, exit_reason & 0xffff, qualification};
    vmx_entry_explain(v, &cpu);
}
