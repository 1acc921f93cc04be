/*
 * vmx/ept_violation.c - decoding and formatting the exit qualification of an EPT violation
 * (pure). SDM 28.2.1, table "Exit Qualification for EPT Violations"; SDM 29.3.3.2.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmx/ept_violation.h"
#include "platform/fmt.h"

int ept_violation_decode(struct ept_violation *v, uint64_t qual, uint64_t gpa, uint64_t linear,
                         bool advanced_info, bool mbec)
{
    if (!v)
        return -1;
    memset(v, 0, sizeof(*v));
    v->qualification = qual;
    v->gpa = gpa;
    v->read = qual & EPT_VQ_READ;
    v->write = qual & EPT_VQ_WRITE;
    v->fetch = qual & EPT_VQ_FETCH;
    v->readable = qual & EPT_VQ_READABLE;
    v->writable = qual & EPT_VQ_WRITABLE;
    v->executable = qual & EPT_VQ_EXECUTABLE;
    v->mbec = mbec;
    v->user_executable = mbec && (qual & EPT_VQ_USER_EXECUTABLE); /* undefined without MBEC */
    v->linear_valid = qual & EPT_VQ_LINEAR_VALID;
    if (v->linear_valid) {
        v->linear = linear;
        v->translation = qual & EPT_VQ_TRANSLATION; /* reserved when bit 7 is 0 */
    }
    /* bits 9-11 are defined only with bits 7 and 8 set and advanced information supported */
    v->advanced = advanced_info && v->linear_valid && v->translation;
    if (v->advanced) {
        v->linear_user = qual & EPT_VQ_LINEAR_USER;
        v->linear_writable = qual & EPT_VQ_LINEAR_WRITABLE;
        v->linear_nx = qual & EPT_VQ_LINEAR_NX;
    }
    v->nmi_unblocking = qual & EPT_VQ_NMI_UNBLOCKING;
    v->shadow_stack = qual & EPT_VQ_SHADOW_STACK;
    v->sss_page = qual & EPT_VQ_SSS_PAGE;
    v->guest_paging = qual & EPT_VQ_GUEST_PAGING;
    v->async = qual & EPT_VQ_ASYNC;
    return 0;
}

static const char *access_name(const struct ept_violation *v)
{
    if (v->fetch)
        return "instruction fetch";
    if (v->read && v->write)
        return "read and write"; /* a read-modify-write may set both (SDM 28.2.1) */
    if (v->write)
        return "write";
    if (v->read)
        return "read";
    return "access";
}

/* Appends to an snprintf-style buffer and keeps the would-be length. */
struct out {
    char *buf;
    size_t n;
    size_t len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = (o->buf && o->len < o->n) ? o->buf + o->len : NULL;
    size_t room = at ? o->n - o->len : 0;
    int k = fmt_vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        o->len += (size_t)k;
}

int ept_violation_format(const struct ept_violation *v, char *buf, size_t n)
{
    if (!v)
        return -1;
    struct out o = {buf, n, 0};
    if (buf && n)
        buf[0] = '\0';
    put(&o, "EPT violation: %s to GPA 0x%llx (", access_name(v), (unsigned long long)v->gpa);
    if (v->linear_valid) {
        put(&o, "linear 0x%llx, a %s access", (unsigned long long)v->linear,
            v->translation ? "translation" : "paging-structure");
        if (v->advanced)
            put(&o, "; linear page %s, %s, %s", v->linear_user ? "user" : "supervisor",
                v->linear_writable ? "writable" : "read-only",
                v->linear_nx ? "execute-disable" : "executable");
    } else {
        put(&o, "no linear address");
    }
    put(&o, ") in a page that is %sreadable, %swritable, ", v->readable ? "" : "not ",
        v->writable ? "" : "not ");
    if (v->mbec)
        put(&o, "%ssupervisor-executable, %suser-executable", v->executable ? "" : "not ",
            v->user_executable ? "" : "not ");
    else
        put(&o, "%sexecutable", v->executable ? "" : "not ");
    if (v->nmi_unblocking)
        put(&o, "; NMI unblocking due to IRET");
    if (v->shadow_stack)
        put(&o, "; shadow-stack access");
    if (v->sss_page)
        put(&o, "; supervisor shadow-stack page");
    if (v->guest_paging)
        put(&o, "; guest-paging verification");
    if (v->async)
        put(&o, "; asynchronous to instruction execution");
    return (int)o.len;
}
