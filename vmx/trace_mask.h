/*
 * vmx/trace_mask.h - which VM exits go into the debug record (pure).
 *
 * Exit statistics (count and handler ticks per reason) are always kept; a debug record
 * (platform/trace.h) is written only for the exit reasons in the trace mask, so tracing costs
 * nothing on the exit path when it is off (the default). The mask comes from the command line
 * (`trace=`, docs/trace.md): `none`, `all`, or a comma-separated list of basic exit reasons by
 * appendix-C name (any case: `cpuid,EPT_VIOLATION`) or number (`10,48`).
 */
#ifndef VMX_TRACE_MASK_H
#define VMX_TRACE_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_MASK_WORDS 2 /* basic exit reasons 0..127 */

struct trace_mask {
    uint64_t bits[TRACE_MASK_WORDS];
};

/* Parses spec into *m (all clear first). 0, or -1 with a message naming the bad item in err. */
int trace_mask_parse(const char *spec, struct trace_mask *m, char *err, size_t err_size);

static inline bool trace_mask_has(const struct trace_mask *m, uint32_t basic)
{
    return basic < 64 * TRACE_MASK_WORDS && ((m->bits[basic >> 6] >> (basic & 63)) & 1);
}

/* Basic exit reasons set. */
unsigned trace_mask_count(const struct trace_mask *m);

#endif
