/*
 * tools/vmx_dump.c - reading and writing dumps of the VMX capability MSRs (host only, libc).
 * The MSRs and their existence rules are SDM appendix A (vmx/vmx_caps.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vmx_dump.h"
#include "vmx/vmx_caps.h"

static void msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void msg(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *skip_space(const char *s)
{
    while (is_space(*s))
        s++;
    return s;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "0x" and 1..16 hex digits, followed by a space, the end or `stop`; NULL if not. */
static const char *parse_hex(const char *s, char stop, uint64_t *out)
{
    uint64_t x = 0;
    int n = 0;
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return NULL;
    for (s += 2; hex_digit(*s) >= 0; s++, n++) {
        if (n == 16)
            return NULL;
        x = (x << 4) | (uint64_t)hex_digit(*s);
    }
    if (n == 0 || (*s && !is_space(*s) && *s != stop))
        return NULL;
    *out = x;
    return s;
}

/* The stored value of MSR id, whatever the existence rules say (vmx_msr_get applies them). */
static uint64_t raw_value(const struct vmx_msr_values *v, uint32_t id)
{
    const uint64_t *const slots[VMX_MSR_ID_COUNT] = {
        [VMX_MSR_ID_BASIC] = &v->basic,
        [VMX_MSR_ID_PINBASED] = &v->pinbased,
        [VMX_MSR_ID_PROCBASED] = &v->procbased,
        [VMX_MSR_ID_EXIT] = &v->exit,
        [VMX_MSR_ID_ENTRY] = &v->entry,
        [VMX_MSR_ID_MISC] = &v->misc,
        [VMX_MSR_ID_CR0_FIXED0] = &v->cr0_fixed0,
        [VMX_MSR_ID_CR0_FIXED1] = &v->cr0_fixed1,
        [VMX_MSR_ID_CR4_FIXED0] = &v->cr4_fixed0,
        [VMX_MSR_ID_CR4_FIXED1] = &v->cr4_fixed1,
        [VMX_MSR_ID_VMCS_ENUM] = &v->vmcs_enum,
        [VMX_MSR_ID_PROCBASED2] = &v->procbased2,
        [VMX_MSR_ID_EPT_VPID_CAP] = &v->ept_vpid_cap,
        [VMX_MSR_ID_TRUE_PINBASED] = &v->true_pin,
        [VMX_MSR_ID_TRUE_PROCBASED] = &v->true_proc,
        [VMX_MSR_ID_TRUE_EXIT] = &v->true_exit,
        [VMX_MSR_ID_TRUE_ENTRY] = &v->true_entry,
        [VMX_MSR_ID_VMFUNC] = &v->vmfunc,
        [VMX_MSR_ID_PROCBASED3] = &v->procbased3,
        [VMX_MSR_ID_EXIT2] = &v->exit2,
    };
    return *slots[id];
}

/* The start of the word VMXMSR (at the line start or after white space) followed by an MSR
 * name "IA32_...", or NULL: other mentions of the word in a log are not dump lines. */
static const char *find_tag(const char *line)
{
    static const char tag[] = "VMXMSR";
    for (const char *p = strstr(line, tag); p; p = strstr(p + 1, tag))
        if ((p == line || is_space(p[-1])) && is_space(p[6]) &&
            strncmp(skip_space(p + 6), "IA32_", 5) == 0)
            return p;
    return NULL;
}

int vmx_dump_parse_line(const char *line, struct vmx_msr_values *v, char *err, size_t errlen)
{
    char name[64];
    size_t len;
    uint64_t msr, value;
    const char *p = line ? find_tag(line) : NULL;
    if (!p || !v)
        return 0;
    p = skip_space(p + 6);
    for (len = 0; p[len] && !is_space(p[len]); len++)
        ;
    if (len == 0 || len >= sizeof(name)) {
        msg(err, errlen, "expected 'VMXMSR <name> 0x<msr> = 0x<value>'");
        return VMX_DUMP_EFORMAT;
    }
    memcpy(name, p, len);
    name[len] = '\0';
    p = skip_space(p + len);
    const char *q = parse_hex(p, '=', &msr);
    if (!q) {
        msg(err, errlen, "%s: bad MSR number (want 0x<hex>)", name);
        return VMX_DUMP_EFORMAT;
    }
    /* SDM appendix A: the capability MSRs are 0x480..0x493 */
    if (msr < VMX_MSR_FIRST || msr >= VMX_MSR_FIRST + VMX_MSR_ID_COUNT) {
        msg(err, errlen, "MSR 0x%llx is not a VMX capability MSR (0x480-0x%x)",
            (unsigned long long)msr, VMX_MSR_FIRST + VMX_MSR_ID_COUNT - 1);
        return VMX_DUMP_EFORMAT;
    }
    if (strcmp(name, vmx_msr_name((uint32_t)msr)) != 0) {
        msg(err, errlen, "MSR 0x%llx is %s, not %s", (unsigned long long)msr,
            vmx_msr_name((uint32_t)msr), name);
        return VMX_DUMP_EFORMAT;
    }
    p = skip_space(q);
    if (*p != '=') {
        msg(err, errlen, "%s: expected '=' after the MSR number", name);
        return VMX_DUMP_EFORMAT;
    }
    q = parse_hex(skip_space(p + 1), ' ', &value);
    if (!q || *skip_space(q) != '\0') {
        msg(err, errlen, "%s: bad value (want 0x and up to 16 hex digits, then the line end)",
            name);
        return VMX_DUMP_EFORMAT;
    }
    uint32_t id = (uint32_t)msr - VMX_MSR_FIRST;
    if ((v->present_mask & VMX_MSR_PRESENT(id)) && raw_value(v, id) != value) {
        msg(err, errlen, "%s appears twice with different values (0x%016llx, 0x%016llx)", name,
            (unsigned long long)raw_value(v, id), (unsigned long long)value);
        return VMX_DUMP_ECONFLICT;
    }
    return vmx_msr_store(v, (uint32_t)msr, value) == 0 ? 1 : VMX_DUMP_EFORMAT;
}

int vmx_dump_read(FILE *f, const char *what, struct vmx_msr_values *v, char *err, size_t errlen)
{
    char *line = NULL, why[160];
    size_t cap = 0;
    unsigned long lineno = 0;
    int count = 0, rc = 0;
    if (!f || !v)
        return VMX_DUMP_EIO;
    memset(v, 0, sizeof(*v));
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        rc = vmx_dump_parse_line(line, v, why, sizeof(why));
        if (rc < 0) {
            msg(err, errlen, "%s line %lu: %s", what, lineno, why);
            break;
        }
        count += rc;
    }
    free(line);
    if (rc < 0)
        return rc;
    if (ferror(f)) {
        msg(err, errlen, "%s: read error: %s", what, strerror(errno));
        return VMX_DUMP_EIO;
    }
    if (!(v->present_mask & VMX_MSR_PRESENT(VMX_MSR_ID_BASIC))) {
        msg(err, errlen, "%s: no 'VMXMSR IA32_VMX_BASIC 0x480 = ...' line (%d VMXMSR lines)", what,
            count);
        return VMX_DUMP_ENOBASIC;
    }
    return count;
}

int vmx_dump_load(const char *path, struct vmx_msr_values *v, char *err, size_t errlen)
{
    if (!path)
        return VMX_DUMP_EIO;
    if (strcmp(path, "-") == 0)
        return vmx_dump_read(stdin, "standard input", v, err, errlen);
    FILE *f = fopen(path, "r");
    if (!f) {
        msg(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return VMX_DUMP_EIO;
    }
    int rc = vmx_dump_read(f, path, v, err, errlen);
    fclose(f);
    return rc;
}

int vmx_dump_check(const struct vmx_msr_values *v, void (*note)(void *ctx, const char *msg),
                   void *ctx)
{
    char line[200];
    int findings = 0;
    for (uint32_t id = 0; v && id < VMX_MSR_ID_COUNT; id++) {
        uint32_t msr = VMX_MSR_FIRST + id;
        bool present = v->present_mask & VMX_MSR_PRESENT(id);
        bool exists = vmx_msr_readable(msr, v); /* SDM A.1, A.3.3, A.3.4, A.4.2, A.10, A.11 */
        if (present == exists)
            continue;
        findings++;
        if (!note)
            continue;
        if (exists)
            snprintf(line, sizeof(line), "%s (0x%x) exists on this CPU but is not in the dump",
                     vmx_msr_name(msr), msr);
        else
            snprintf(line, sizeof(line),
                     "%s (0x%x) is in the dump but cannot exist on this CPU (ignored)",
                     vmx_msr_name(msr), msr);
        note(ctx, line);
    }
    return findings;
}

void vmx_dump_write(FILE *f, const struct vmx_msr_values *v)
{
    uint64_t x;
    for (uint32_t msr = VMX_MSR_FIRST; msr < VMX_MSR_FIRST + VMX_MSR_ID_COUNT; msr++)
        if (vmx_msr_get(v, msr, &x))
            fprintf(f, "VMXMSR %s 0x%x = 0x%016llx\n", vmx_msr_name(msr), msr,
                    (unsigned long long)x);
}
