/*
 * scenarios/scenario.h - runnable scenarios: the book's examples, selected by `scenario=NAME`.
 * A scenario prints what it shows and ends with the marker line
 * `SCENARIO <name>: PASS` or `SCENARIO <name>: FAIL (<reason>)`, which the system tests read.
 */
#ifndef SCENARIOS_SCENARIO_H
#define SCENARIOS_SCENARIO_H

#include <stdbool.h>

struct scenario {
    const char *name;
    const char *book; /* the book example it shows, or "" */
    const char *summary;
    bool (*run)(void); /* true = PASS */
    bool needs_vmx;    /* it runs guests: refused with the reason when VMX is not usable */
};

/* Print the verdict marker line. */
void scenario_verdict(const char *name, bool pass, const char *why);

/* The reason a failing scenario gives in its verdict line (the last one set wins). */
void scenario_fail_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Every scenario file defines one of these; scenarios/registry.c lists them. */
#define SCENARIO_DECLARE(id) extern const struct scenario scenario_##id

#endif
