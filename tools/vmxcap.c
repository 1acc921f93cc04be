/*
 * tools/vmxcap.c - VMX capability report on the host (Linux), with the hypervisor's own
 * decoder (vmx/vmx_caps.c).
 *
 *   vmxcap                 read the capability MSRs of CPU 0 through /dev/cpu/0/msr
 *   vmxcap --cpu N         ... of CPU N
 *   vmxcap --file DUMP     decode a saved dump (VMXMSR lines, e.g. a serial log of scenario
 *                          caps; "-" is standard input)
 *   --dump                 print the MSRs in the dump format instead of the report
 *
 * An MSR is read only when vmx_msr_readable says it exists (SDM appendix A): reading one
 * that does not exist would fail (#GP in the kernel, EIO here).
 * Exit status: 0 report printed, 1 an error (no VMX, MSR not readable, bad dump), 2 usage.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/vmx_dump.h"
#include "vmx/vmx_caps.h"

static const char *prog = "vmxcap";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [--cpu N | --file DUMP] [--dump]\n"
            "  (no option)   read the VMX capability MSRs of CPU 0 (/dev/cpu/0/msr, as root)\n"
            "  --cpu N       read them on CPU N\n"
            "  --file DUMP   decode a saved dump: 'VMXMSR <name> 0x<msr> = 0x<value>' lines,\n"
            "                e.g. the serial log of 'scenario=caps' ('-' reads standard input)\n"
            "  --dump        print the raw values as VMXMSR lines instead of the report\n",
            prog);
}

static void emit(void *ctx, const char *line)
{
    fprintf((FILE *)ctx, "%s\n", line);
}

static void note(void *ctx, const char *msg)
{
    fprintf(stderr, "%s: %s: %s\n", prog, (const char *)ctx, msg);
}

/* ---- live CPU ------------------------------------------------------------------------------ */

/* CPUID on the CPU whose MSRs are read: vendor and CPUID.1:ECX.VMX[bit 5] (SDM 24.6). */
static int check_cpu(int cpu)
{
    unsigned a, b, c, d;
    char vendor[13];
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        fprintf(stderr, "%s: warning: cannot run on CPU %d (%s); CPUID is from another CPU\n", prog,
                cpu, strerror(errno));
    if (!__get_cpuid(0, &a, &b, &c, &d)) {
        fprintf(stderr, "%s: CPUID is not available\n", prog);
        return -1;
    }
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        fprintf(stderr,
                "%s: this is an AMD CPU (%s): it has AMD-V (SVM), not Intel VT-x (VMX), and no "
                "VMX capability MSRs.\n"
                "%s: to decode a dump taken elsewhere: %s --file DUMP\n",
                prog, vendor, prog, prog);
        return -1;
    }
    __get_cpuid(1, &a, &b, &c, &d);
    if (!(c & (1U << 5))) {
        fprintf(stderr,
                "%s: CPU %d (%s) does not report VMX (CPUID.1:ECX.VMX = 0): no VT-x, or a "
                "hypervisor hides it.\n"
                "%s: to decode a dump taken elsewhere: %s --file DUMP\n",
                prog, cpu, vendor, prog, prog);
        return -1;
    }
    return 0;
}

static int open_msr(int cpu)
{
    char path[64], sys[64];
    struct stat st;
    snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        return fd;
    int e = errno;
    snprintf(sys, sizeof(sys), "/sys/devices/system/cpu/cpu%d", cpu);
    if (e == ENOENT && stat(sys, &st) != 0)
        fprintf(stderr, "%s: there is no CPU %d\n", prog, cpu);
    else if (e == ENOENT || e == ENXIO || e == ENODEV)
        fprintf(stderr, "%s: %s: %s: load the msr module: modprobe msr\n", prog, path, strerror(e));
    else if (e == EACCES || e == EPERM)
        fprintf(stderr, "%s: %s: %s: run as root (reading MSRs needs CAP_SYS_RAWIO)\n", prog, path,
                strerror(e));
    else
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(e));
    return -1;
}

static bool read_msr(int fd, int cpu, uint32_t msr, uint64_t *value)
{
    ssize_t n = pread(fd, value, sizeof(*value), msr); /* msr(4): offset = MSR number */
    if (n == (ssize_t)sizeof(*value))
        return true;
    const char *name = vmx_msr_name(msr);
    fprintf(stderr, "%s: cannot read MSR 0x%x (%s) on CPU %d: %s\n", prog, msr, name ? name : "?",
            cpu, n < 0 ? strerror(errno) : "short read");
    if (n < 0 && (errno == EPERM || errno == EACCES))
        fprintf(stderr, "%s: run as root (reading MSRs needs CAP_SYS_RAWIO)\n", prog);
    return false;
}

/* IA32_FEATURE_CONTROL (SDM 24.7): VMXON needs the lock bit and "VMX outside SMX". */
static void report_feature_control(int fd, int cpu, bool dump)
{
    uint64_t fc;
    if (!read_msr(fd, cpu, IA32_FEATURE_CONTROL, &fc))
        return;
    bool locked = fc & IA32_FEATURE_CONTROL_LOCKED;
    bool outside = fc & IA32_FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    if (!dump)
        printf("IA32_FEATURE_CONTROL 0x3a: 0x%016llx (locked %s, VMX outside SMX %s, VMX "
               "inside SMX %s)\n",
               (unsigned long long)fc, locked ? "yes" : "no", outside ? "yes" : "no",
               (fc & IA32_FEATURE_CONTROL_VMX_INSIDE_SMX) ? "yes" : "no");
    if (locked && !outside)
        fprintf(stderr,
                "%s: VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked with VMX off): "
                "enable VT-x in the firmware setup\n",
                prog);
    else if (!locked)
        fprintf(stderr,
                "%s: note: IA32_FEATURE_CONTROL is not locked: a VMM must set and lock "
                "it before VMXON\n",
                prog);
}

static int read_live(int cpu, struct vmx_msr_values *v, bool dump)
{
    if (check_cpu(cpu) != 0)
        return -1;
    int fd = open_msr(cpu);
    if (fd < 0)
        return -1;
    int failed = 0;
    memset(v, 0, sizeof(*v));
    report_feature_control(fd, cpu, dump);
    /* id order reads an MSR before the ones whose existence it reports (vmx/vmx_caps.h) */
    for (uint32_t msr = VMX_MSR_FIRST; msr < VMX_MSR_FIRST + VMX_MSR_ID_COUNT; msr++) {
        uint64_t x;
        if (!vmx_msr_readable(msr, v))
            continue;
        if (read_msr(fd, cpu, msr, &x))
            vmx_msr_store(v, msr, x);
        else
            failed++;
    }
    close(fd);
    return failed ? -1 : 0;
}

/* ---- main --------------------------------------------------------------------------------------
 */

static bool parse_cpu(const char *s, int *cpu)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 0 || n >= CPU_SETSIZE)
        return false;
    *cpu = (int)n;
    return true;
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    int cpu = 0, rc = 0;
    bool dump = false, cpu_given = false;
    struct vmx_msr_values v = {0};

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--dump")) {
            dump = true;
        } else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
            if (!parse_cpu(argv[++i], &cpu)) {
                fprintf(stderr, "%s: --cpu: '%s' is not a CPU number\n", prog, argv[i]);
                return 2;
            }
            cpu_given = true;
        } else if (!strcmp(argv[i], "--file") && i + 1 < argc) {
            file = argv[++i];
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", prog, argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (file && cpu_given) {
        fprintf(stderr, "%s: --cpu and --file exclude each other\n", prog);
        return 2;
    }

    if (file) {
        char err[256];
        int n = vmx_dump_load(file, &v, err, sizeof(err));
        if (n < 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return 1;
        }
        /* warnings only: decode what is there */
        vmx_dump_check(&v, note, (void *)(strcmp(file, "-") ? file : "standard input"));
    } else if (read_live(cpu, &v, dump) != 0) {
        if (!(v.present_mask & VMX_MSR_PRESENT(VMX_MSR_ID_BASIC)))
            return 1;
        rc = 1; /* some MSR failed: report what was read */
    }

    if (dump)
        vmx_dump_write(stdout, &v);
    else
        vmx_caps_report(&v, emit, stdout);
    return rc;
}
