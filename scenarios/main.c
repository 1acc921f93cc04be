/* scenarios/main.c - kernel_main: bring the platform up, run the chosen scenario, power off. */
#include <stdarg.h>
#include <string.h>
#include "platform/boot.h"
#include "platform/config.h"
#include "platform/console.h"
#include "platform/fmt.h"
#include "platform/power.h"
#include "vmx/vmx_cpu.h"
#include "scenarios/scenario.h"

extern const struct scenario *const scenarios[];

static void list_scenarios(void)
{
    kprintf("scenarios:\n");
    for (int i = 0; scenarios[i]; i++)
        kprintf("  %-14s %-10s %s\n", scenarios[i]->name, scenarios[i]->book,
                scenarios[i]->summary);
}

static char fail_reason[256];

void scenario_fail_reason(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(fail_reason, sizeof(fail_reason), fmt, ap);
    va_end(ap);
}

void scenario_verdict(const char *name, bool pass, const char *why)
{
    if (!why && fail_reason[0])
        why = fail_reason;
    if (pass)
        kprintf("SCENARIO %s: PASS\n", name);
    else
        kprintf("SCENARIO %s: FAIL (%s)\n", name, why ? why : "see above");
}

void kernel_main(uint32_t magic, uint32_t info)
{
    int cmd_errors = platform_init(magic, info);
    if (cmd_errors)
        pr_err("command line: %d error(s); the options above were ignored\n", cmd_errors);

    pr_info("vmx: detecting VT-x\n");
    if (vmx_detect() == 0)
        power_on_shutdown(vmx_disable_all);

    const struct scenario *s = NULL;
    for (int i = 0; scenarios[i]; i++)
        if (!strcmp(scenarios[i]->name, config.scenario))
            s = scenarios[i];
    if (!strcmp(config.scenario, "list")) {
        list_scenarios();
    } else if (!s) {
        pr_err("command line: unknown scenario '%s'\n", config.scenario);
        list_scenarios();
    } else if (s->needs_vmx && !vmx.usable) {
        char why[320];
        fmt_snprintf(why, sizeof(why), "it runs guests, and VMX is not usable here: %s",
                     vmx.missing);
        kprintf("scenario %s: %s\n", s->name, s->summary);
        scenario_verdict(s->name, false, why);
    } else {
        kprintf("scenario %s: %s\n", s->name, s->summary);
        scenario_verdict(s->name, s->run(), NULL);
    }
    power_off("end of scenario");
}
