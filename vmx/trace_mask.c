/* vmx/trace_mask.c - parsing the exit-reason trace mask (pure); see trace_mask.h. */
#include "vmx/trace_mask.h"

#include <string.h>

#include "platform/fmt.h"
#include "vmx/vmx_names.h"

static char tm_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* [s, s + n) equals name, ignoring case. */
static bool tm_ieq(const char *s, size_t n, const char *name)
{
    size_t i = 0;
    for (; i < n && name[i] != '\0'; i++)
        if (tm_lower(s[i]) != tm_lower(name[i]))
            return false;
    return i == n && name[i] == '\0';
}

/* A basic exit reason by appendix-C name or decimal number; -1 when it is neither. */
static int tm_reason(const char *s, size_t n)
{
    if (n > 0 && n <= 3 && s[0] >= '0' && s[0] <= '9') {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        return v <= VM_EXIT_REASON_MAX && vmx_exit_reason_name(v) ? (int)v : -1;
    }
    for (uint32_t r = 0; r <= VM_EXIT_REASON_MAX; r++) {
        const char *name = vmx_exit_reason_name(r);
        if (name && tm_ieq(s, n, name))
            return (int)r;
    }
    return -1;
}

int trace_mask_parse(const char *spec, struct trace_mask *m, char *err, size_t err_size)
{
    memset(m, 0, sizeof(*m));
    if (err_size > 0)
        err[0] = '\0';
    if (spec == NULL || spec[0] == '\0' || tm_ieq(spec, strlen(spec), "none"))
        return 0;
    if (tm_ieq(spec, strlen(spec), "all")) {
        for (uint32_t r = 0; r <= VM_EXIT_REASON_MAX; r++)
            m->bits[r >> 6] |= 1ull << (r & 63);
        return 0;
    }
    for (const char *s = spec;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int r = tm_reason(s, n);
        if (r < 0) {
            fmt_snprintf(err, err_size,
                         "trace=: '%.*s' is not an exit reason (a name such as CPUID or "
                         "EPT_VIOLATION, or its number 0-%d; or all, none)",
                         (int)(n < 40 ? n : 40), s, VM_EXIT_REASON_MAX);
            memset(m, 0, sizeof(*m));
            return -1;
        }
        m->bits[r >> 6] |= 1ull << (r & 63);
        if (!e)
            return 0;
        s = e + 1;
    }
}

unsigned trace_mask_count(const struct trace_mask *m)
{
    unsigned n = 0;
    for (unsigned i = 0; i < TRACE_MASK_WORDS; i++)
        for (uint64_t b = m->bits[i]; b; b &= b - 1) /* no libgcc in the kernel: count by hand */
            n++;
    return n;
}
