/*
 * vm/vm_config.c - parsing the VM descriptions of the command line and of a
 * config module (pure). The syntax is in vm_config.h and docs/vm-config.md.
 * Numbers, booleans and the image kind are converted by the hypervisor's own
 * command-line parser (platform/cmdline.c), so a value means the same in vm= as
 * anywhere else on the command line.
 */
#include "vm/vm_config.h"

#include <stdarg.h>
#include <string.h>

#include "platform/cmdline.h"
#include "platform/fmt.h"

#define VMC_CLIP     40 /* characters of a value shown in a message */
#define VMC_CLIP_BUF (VMC_CLIP + 4)

enum vmc_key {
    K_MEM,
    K_CPUS,
    K_PIN,
    K_IMAGE,
    K_KIND,
    K_LOAD,
    K_ENTRY,
    K_CMDLINE,
    K_MODULES,
    K_VMFUNC,
    K_AD,
    K_TIMER,
    K_DEBUGEXIT,
    K_INITRD,
    K_WDOG,
    K_RMINT,
    K_CONSOLE,
    K_EXCEPTIONS,
    K_PFMASK,
    K_PFMATCH,
    K_EPTLAZY
};

static const struct {
    const char *name;
    enum vmc_key key;
} vmc_keys[] = {
    {"mem", K_MEM},         {"cpus", K_CPUS},           {"vcpus", K_CPUS},
    {"pin", K_PIN},         {"image", K_IMAGE},         {"kind", K_KIND},
    {"load", K_LOAD},       {"entry", K_ENTRY},         {"cmdline", K_CMDLINE},
    {"modules", K_MODULES}, {"vmfunc", K_VMFUNC},       {"ad", K_AD},
    {"timer", K_TIMER},     {"debugexit", K_DEBUGEXIT}, {"initrd", K_INITRD},
    {"watchdog", K_WDOG},   {"rmint", K_RMINT},         {"exceptions", K_EXCEPTIONS},
    {"pfmask", K_PFMASK},   {"pfmatch", K_PFMATCH},     {"eptlazy", K_EPTLAZY},
    {"console", K_CONSOLE},
};

/* Exception mnemonics by vector (SDM 6.3.1, table 6-1); NULL: reserved. */
static const char *const vmc_exc_names[32] = {
    "de", "db", "nmi", "bp", "of", "br", "ud", "nm", "df", NULL, "ts",
    "np", "ss", "gp",  "pf", NULL, "mf", "ac", "mc", "xm", "ve", "cp",
};

static const char *const vmc_kind_names[] = {"auto",       "raw",   "multiboot",
                                             "multiboot2", "linux", NULL};

/* The state of one parse (one command line, or one config module). */
struct vmc_parse {
    struct vm_config_list *l;
    const char *source;
    uint32_t line;          /* current line of a config module; 0 on the command line */
    struct vm_config *vm;   /* the VM being filled; NULL outside any VM */
    struct vm_config spare; /* a VM beyond the list's capacity: checked, not kept */
    bool quiet;             /* vm is spare: its errors are not reported */
    bool bad_block;         /* in a config module after a bad [section] header */
    uint32_t seen;          /* bit per enum vmc_key: given for this VM */
};

static bool vmc_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char vmc_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool vmc_ieq(const char *a, const char *b)
{
    while (*a != '\0' && vmc_lower(*a) == vmc_lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

/* [s, e) as a NUL-terminated string for a message: at most VMC_CLIP characters,
 * "..." when cut. */
static const char *vmc_clip(char out[VMC_CLIP_BUF], const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    if (n > VMC_CLIP) {
        memcpy(out, s, VMC_CLIP);
        memcpy(out + VMC_CLIP, "...", 4);
    } else {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static const char *vmc_clip_str(char out[VMC_CLIP_BUF], const char *s)
{
    return vmc_clip(out, s, s + strlen(s));
}

static void vmc_append(struct vm_config_list *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vmc_append(struct vm_config_list *l, const char *fmt, ...)
{
    if (l->err_size == 0 || l->err_len >= l->err_size - 1)
        return; /* no buffer, or full: the message is dropped, the error still
                   counted */
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(l->err + l->err_len, l->err_size - l->err_len, fmt, ap);
    va_end(ap);
    l->err_len += (size_t)n;
    if (l->err_len > l->err_size - 1)
        l->err_len = l->err_size - 1;
    l->err[l->err_len] = '\0';
}

/* One error: "<source>[ line N]: [vm 'NAME': ]<message>"; marks the current VM
 * invalid. */
static void vmc_error(struct vmc_parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vmc_error(struct vmc_parse *p, const char *fmt, ...)
{
    char msg[256];
    char line[24] = "";
    va_list ap;

    if (p->quiet)
        return;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->l->errors++;
    if (p->line)
        fmt_snprintf(line, sizeof(line), " line %u", (unsigned)p->line);
    if (p->vm != NULL) {
        p->vm->valid = false;
        vmc_append(p->l, "%s%s: vm '%s': %s\n", p->source, line, p->vm->name, msg);
    } else {
        vmc_append(p->l, "%s%s: %s\n", p->source, line, msg);
    }
}

/* Copies [s, e) without its double quotes into out (cut to out_size,
 * NUL-terminated); returns the full unquoted length. *open tells whether a
 * quote was left open. */
static size_t vmc_unquote(const char *s, const char *e, char *out, size_t out_size, bool *open)
{
    size_t n = 0;
    *open = false;
    for (; s < e; s++) {
        if (*s == '"') {
            *open = !*open;
            continue;
        }
        if (n + 1 < out_size)
            out[n] = *s;
        n++;
    }
    out[n < out_size ? n : out_size - 1] = '\0';
    return n;
}

/* Converts a value with the command-line parser's rules for option o (one token
 * "key=val"). */
static bool vmc_convert(const struct cmdline_option *o, const char *val)
{
    char token[64];
    for (const char *c = val; *c != '\0'; c++)
        if (vmc_blank(*c) || *c == '"')
            return false;
    if (strlen(o->key) + 1 + strlen(val) >= sizeof(token))
        return false;
    fmt_snprintf(token, sizeof(token), "%s=%s", o->key, val);
    return cmdline_parse(token, o, 1, NULL, 0) == 0;
}

/* Decimal or 0x hex with an optional K, M or G suffix (platform/cmdline.h). */
static bool vmc_uint(const char *val, uint64_t *out)
{
    const struct cmdline_option o = {
        .key = "n", .type = CMDLINE_UINT, .dest.uint = out, .min = 0, .max = UINT64_MAX};
    return vmc_convert(&o, val);
}

static bool vmc_bool(const char *val, bool *out)
{
    const struct cmdline_option o = {.key = "b", .type = CMDLINE_BOOL, .dest.boolean = out};
    return vmc_convert(&o, val);
}

static bool vmc_kind(const char *val, enum vm_image_kind *out)
{
    uint32_t i = 0;
    const struct cmdline_option o = {
        .key = "k", .type = CMDLINE_ENUM, .dest.index = &i, .names = vmc_kind_names};
    if (!vmc_convert(&o, val))
        return false;
    *out = (enum vm_image_kind)i;
    return true;
}

/* "32M", "4G", "1536K" or bytes: the shortest exact form, for messages and
 * descriptions. */
static void vmc_size(char *buf, size_t size, uint64_t bytes)
{
    static const char units[] = "GMK";
    for (unsigned i = 0; i < 3; i++) {
        unsigned shift = 30 - 10 * i;
        if (bytes != 0 && (bytes & ((1ull << shift) - 1)) == 0) {
            fmt_snprintf(buf, size, "%llu%c", (unsigned long long)(bytes >> shift), units[i]);
            return;
        }
    }
    fmt_snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

static const char *vmc_skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool vmc_dec(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++)
        if (v < 100000)
            v = v * 10 + (unsigned)(*s - '0'); /* saturates: anything this big is out of range */
    *out = v;
    *p = s;
    return true;
}

/* exceptions=: mnemonics separated by commas ("pf,gp,de"), or one number, the bitmap itself
 * ("0x6001"). The exception bitmap has a bit per vector 0-31 (SDM 25.6.3). Returns false on an
 * unknown name or an empty item; *bad is the item that was wrong. */
static bool vmc_exceptions(const char *s, uint32_t *mask, const char **bad, size_t *bad_len)
{
    uint64_t u;
    *bad = s;
    *bad_len = strlen(s);
    if (*s >= '0' && *s <= '9') {
        if (!vmc_uint(s, &u) || u > UINT32_MAX)
            return false;
        *mask = (uint32_t)u;
        return true;
    }
    uint32_t m = 0;
    for (;;) {
        s = vmc_skip_blanks(s);
        const char *e = s;
        while (*e != '\0' && *e != ',' && !vmc_blank(*e))
            e++;
        size_t n = (size_t)(e - s);
        *bad = s;
        *bad_len = n;
        int vector = -1;
        for (int i = 0; i < 32 && vector < 0 && n > 0; i++) {
            const char *name = vmc_exc_names[i];
            if (name == NULL || strlen(name) != n)
                continue;
            bool same = true;
            for (size_t k = 0; k < n; k++)
                same = same && vmc_lower(s[k]) == name[k];
            if (same)
                vector = i;
        }
        if (vector < 0)
            return false;
        m |= 1u << vector;
        s = vmc_skip_blanks(e);
        if (*s == '\0')
            break;
        if (*s != ',')
            return false;
        s++;
    }
    *mask = m;
    return true;
}

enum { PIN_OK, PIN_SYNTAX, PIN_RANGE, PIN_BACKWARDS };

/* "any", or CPUs and ranges separated by commas: "1,2", "1-3", "0, 2-5". */
static int vmc_pins(const char *s, uint64_t *mask, unsigned *lo, unsigned *hi)
{
    uint64_t m = 0;
    if (vmc_ieq(s, "any")) {
        *mask = 0;
        return PIN_OK;
    }
    for (;;) {
        unsigned a, b;
        s = vmc_skip_blanks(s);
        if (!vmc_dec(&s, &a))
            return PIN_SYNTAX;
        b = a;
        s = vmc_skip_blanks(s);
        if (*s == '-') {
            s = vmc_skip_blanks(s + 1);
            if (!vmc_dec(&s, &b))
                return PIN_SYNTAX;
            s = vmc_skip_blanks(s);
        }
        if (a >= VM_PIN_CPUS || b >= VM_PIN_CPUS)
            return PIN_RANGE;
        if (b < a) {
            *lo = a;
            *hi = b;
            return PIN_BACKWARDS;
        }
        for (unsigned c = a; c <= b; c++)
            m |= 1ull << c;
        if (*s == '\0')
            break;
        if (*s != ',')
            return PIN_SYNTAX;
        s++;
    }
    *mask = m;
    return PIN_OK;
}

/* An image or module name: no blanks or commas, shorter than VM_IMAGE_MAX. */
static bool vmc_image_name(struct vmc_parse *p, const char *key, const char *s, const char *e,
                           char *out)
{
    char shown[VMC_CLIP_BUF];
    size_t n = (size_t)(e - s);
    if (n == 0) {
        vmc_error(p, "empty name in '%s'", key);
        return false;
    }
    if (n >= VM_IMAGE_MAX) {
        vmc_error(p, "name '%s' in '%s' longer than %d characters", vmc_clip(shown, s, e), key,
                  VM_IMAGE_MAX - 1);
        return false;
    }
    for (const char *c = s; c < e; c++) {
        if (vmc_blank(*c) || *c == ',') {
            vmc_error(p, "bad value '%s' for '%s': a module name has no blanks or commas",
                      vmc_clip(shown, s, e), key);
            return false;
        }
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static void vmc_modules(struct vmc_parse *p, const char *val)
{
    char names[VM_MODULES_MAX][VM_IMAGE_MAX];
    char shown[VMC_CLIP_BUF];
    uint32_t n = 0;
    const char *s = val;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *e = comma != NULL ? comma : s + strlen(s);
        const char *b = vmc_skip_blanks(s);
        while (e > b && vmc_blank(e[-1]))
            e--;
        if (n == VM_MODULES_MAX) {
            vmc_error(p, "bad value '%s' for 'modules': more than %d modules",
                      vmc_clip_str(shown, val), VM_MODULES_MAX);
            return;
        }
        if (!vmc_image_name(p, "modules", b, e, names[n]))
            return;
        n++;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    memcpy(p->vm->modules, names, sizeof(names));
    p->vm->nmodules = n;
}

static void vmc_value(struct vmc_parse *p, enum vmc_key key, const char *kname, const char *val,
                      size_t len)
{
    struct vm_config *vm = p->vm;
    char shown[VMC_CLIP_BUF];
    uint64_t u;
    unsigned lo = 0, hi = 0;

    vmc_clip_str(shown, val);
    switch (key) {
    case K_MEM:
        if (!vmc_uint(val, &u))
            vmc_error(p, "bad value '%s' for '%s': expected a size such as 32M or 0x2000000", shown,
                      kname);
        else if (u < VM_MEM_MIN)
            vmc_error(p, "bad value '%s' for '%s': less than 1M", shown, kname);
        else if (u > VM_MEM_MAX)
            vmc_error(p, "bad value '%s' for '%s': more than 4G", shown, kname);
        else if (u % VM_MEM_ALIGN != 0)
            vmc_error(p, "bad value '%s' for '%s': not a multiple of 2M", shown, kname);
        else
            vm->mem = u;
        return;
    case K_CPUS:
        if (!vmc_uint(val, &u) || u < 1 || u > VM_VCPUS_MAX)
            vmc_error(p, "bad value '%s' for '%s': expected a number from 1 to %d", shown, kname,
                      VM_VCPUS_MAX);
        else
            vm->vcpus = (uint32_t)u;
        return;
    case K_PIN:
        switch (vmc_pins(val, &u, &lo, &hi)) {
        case PIN_OK:
            vm->pin_mask = u;
            return;
        case PIN_RANGE:
            vmc_error(p, "bad value '%s' for '%s': host CPUs are numbered 0 to %d", shown, kname,
                      VM_PIN_CPUS - 1);
            return;
        case PIN_BACKWARDS:
            vmc_error(p, "bad value '%s' for '%s': range %u-%u runs backwards", shown, kname, lo,
                      hi);
            return;
        default:
            vmc_error(p,
                      "bad value '%s' for '%s': expected any, a list (1,2) or a "
                      "range (1-3)",
                      shown, kname);
            return;
        }
    case K_IMAGE:
        vmc_image_name(p, kname, val, val + len, vm->image);
        return;
    case K_KIND:
        if (!vmc_kind(val, &vm->kind))
            vmc_error(p,
                      "bad value '%s' for '%s': expected auto, raw, multiboot, "
                      "multiboot2 or linux",
                      shown, kname);
        return;
    case K_LOAD:
    case K_ENTRY:
        if (!vmc_uint(val, &u) || u > UINT32_MAX) {
            vmc_error(p,
                      "bad value '%s' for '%s': expected an address below 4G such as "
                      "0x7c00",
                      shown, kname);
            return;
        }
        *(key == K_LOAD ? &vm->load : &vm->entry) = u;
        return;
    case K_CMDLINE:
        if (len >= VM_CMDLINE_MAX)
            vmc_error(p, "value '%s' of '%s' longer than %d characters", shown, kname,
                      VM_CMDLINE_MAX - 1);
        else
            memcpy(vm->cmdline, val, len + 1);
        return;
    case K_MODULES:
        vmc_modules(p, val);
        return;
    case K_INITRD:
        vmc_image_name(p, kname, val, val + len, vm->initrd);
        return;
    case K_VMFUNC:
    case K_AD:
    case K_RMINT:
        if (!vmc_bool(val, key == K_VMFUNC ? &vm->vmfunc : key == K_AD ? &vm->ad : &vm->rmint))
            vmc_error(p, "bad value '%s' for '%s': expected on or off", shown, kname);
        return;
    case K_CONSOLE:
        if (strcmp(val, "raw") == 0 || strcmp(val, "lines") == 0)
            vm->console_raw = strcmp(val, "raw") == 0;
        else
            vmc_error(p, "bad value '%s' for '%s': expected lines or raw", shown, kname);
        return;
    case K_DEBUGEXIT: {
        bool on;
        if (!vmc_bool(val, &on))
            vmc_error(p, "bad value '%s' for '%s': expected on or off", shown, kname);
        else
            vm->no_debugexit = !on;
        return;
    }
    case K_TIMER:
        /* The VMX-preemption timer value is 32 bits (SDM 25.4.2). */
        if (!vmc_uint(val, &u) || u == 0 || u > UINT32_MAX) {
            vmc_error(p, "bad value '%s' for '%s': expected a tick count from 1 to 4294967295",
                      shown, kname);
            return;
        }
        vm->timer = (uint32_t)u;
        return;
    case K_EXCEPTIONS: {
        const char *bad;
        size_t bad_len;
        if (!vmc_exceptions(val, &vm->exception_bitmap, &bad, &bad_len)) {
            char item[VMC_CLIP_BUF];
            vmc_error(p,
                      "bad value '%s' for '%s': '%s' is not an exception (de db nmi bp of br ud "
                      "nm df ts np ss gp pf mf ac mc xm ve cp, or a bitmap such as 0x4000)",
                      shown, kname, vmc_clip(item, bad, bad + bad_len));
        }
        return;
    }
    case K_PFMASK:
    case K_PFMATCH:
        /* the page-fault error-code mask and match are 32 bits (SDM 25.6.3) */
        if (!vmc_uint(val, &u) || u > UINT32_MAX) {
            vmc_error(p, "bad value '%s' for '%s': expected a 32-bit error-code pattern", shown,
                      kname);
            return;
        }
        *(key == K_PFMASK ? &vm->pfec_mask : &vm->pfec_match) = (uint32_t)u;
        return;
    case K_EPTLAZY:
        if (!vmc_uint(val, &u) || (u & 0xfff) || u > UINT32_MAX) {
            vmc_error(p, "bad value '%s' for '%s': expected a 4K-aligned address below 4G", shown,
                      kname);
            return;
        }
        vm->eptlazy = u;
        vm->has_eptlazy = true;
        return;
    case K_WDOG:
        if (!vmc_uint(val, &u) || u > VM_WDOG_MAX) {
            vmc_error(p, "bad value '%s' for '%s': expected seconds from 0 (off) to %d", shown,
                      kname, VM_WDOG_MAX);
            return;
        }
        vm->watchdog = (uint32_t)u;
        return;
    }
}

/* One key=value of the current VM: key [key, key + klen), raw value [val,
 * vend). */
static void vmc_item(struct vmc_parse *p, const char *key, size_t klen, const char *val,
                     const char *vend)
{
    char value[VM_CMDLINE_MAX + 1];
    char shown[VMC_CLIP_BUF];
    bool open;
    size_t len = vmc_unquote(val, vend, value, sizeof(value), &open);
    size_t i = 0;

    while (i < sizeof(vmc_keys) / sizeof(vmc_keys[0]) &&
           !(strncmp(vmc_keys[i].name, key, klen) == 0 && vmc_keys[i].name[klen] == '\0'))
        i++;
    if (i == sizeof(vmc_keys) / sizeof(vmc_keys[0])) {
        vmc_error(p, "unknown key '%.*s' (value '%s')", (int)(klen < VMC_CLIP ? klen : VMC_CLIP),
                  key, vmc_clip_str(shown, value));
        return;
    }
    const char *kname = vmc_keys[i].name;
    uint32_t bit = 1u << vmc_keys[i].key;
    if (p->seen & bit) {
        vmc_error(p, "'%s' given twice (second value '%s' ignored)", kname,
                  vmc_clip_str(shown, value));
        return;
    }
    p->seen |= bit;
    if (open)
        vmc_error(p, "unterminated quote in value of '%s': '%s'", kname,
                  vmc_clip(shown, val, vend));
    else if (len == 0)
        vmc_error(p, "missing value for '%s'", kname);
    else if (len >= sizeof(value))
        vmc_error(p, "value '%s' of '%s' longer than %d characters", vmc_clip_str(shown, value),
                  kname, VM_CMDLINE_MAX - 1);
    else
        vmc_value(p, vmc_keys[i].key, kname, value, len);
}

static bool vmc_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

/* The checks that need the whole VM; run when its description ends. */
static void vmc_end(struct vmc_parse *p)
{
    struct vm_config *vm = p->vm;
    if (vm != NULL && !p->quiet) {
        char size[24];
        uint32_t line = p->line;
        p->line = vm->line; /* reported at the VM's header */
        vmc_size(size, sizeof(size), vm->mem);
        if (!(p->seen & (1u << K_IMAGE))) /* a bad image= was reported already */
            vmc_error(p, "no image given (image=NAME)");
        if ((p->seen & (1u << K_LOAD)) && vm->load >= vm->mem)
            vmc_error(p, "load address 0x%llx is outside the VM's %s of memory",
                      (unsigned long long)vm->load, size);
        if (vm->initrd[0] != '\0' && vm->kind != VM_IMAGE_AUTO && vm->kind != VM_IMAGE_LINUX)
            vmc_error(p, "initrd '%s' is for a Linux kernel, not kind=%s", vm->initrd,
                      vm_image_kind_name(vm->kind));
        if (vm->nmodules > 0 && vm->kind == VM_IMAGE_LINUX)
            vmc_error(p, "modules are for Multiboot kernels: a Linux kernel takes initrd=NAME");
        if (vm->has_eptlazy && vm->eptlazy >= vm->mem)
            vmc_error(p, "eptlazy page 0x%llx is outside the VM's %s of memory",
                      (unsigned long long)vm->eptlazy, size);
        if ((p->seen & (1u << K_ENTRY)) && vm->entry >= vm->mem)
            vmc_error(p, "entry 0x%llx is outside the VM's %s of memory",
                      (unsigned long long)vm->entry, size);
        p->line = line;
    }
    p->vm = NULL;
    p->quiet = false;
    p->seen = 0;
}

static size_t vmc_cap(const struct vm_config_list *l)
{
    return l->cap < VM_CONFIG_MAX ? l->cap : VM_CONFIG_MAX;
}

/* Starts a VM called [name, name + len): the next free entry of the list. */
static void vmc_begin(struct vmc_parse *p, const char *name, size_t len)
{
    struct vm_config_list *l = p->l;
    size_t cap = vmc_cap(l);
    char shown[VMC_CLIP_BUF];
    bool bad_char = false;

    vmc_end(p);
    vmc_clip(shown, name, name + len);
    if (l->count >= cap) {
        vmc_error(p, "too many VMs (at most %zu): vm '%s' is not started", cap, shown);
        vm_config_defaults(&p->spare);
        p->vm = &p->spare; /* its keys are still read, quietly */
        p->quiet = true;
        return;
    }
    struct vm_config *vm = &l->vms[l->count++];
    vm_config_defaults(vm);
    vm->line = p->line;
    memcpy(vm->name, name, len < VM_NAME_MAX ? len : VM_NAME_MAX - 1);
    vm->name[len < VM_NAME_MAX ? len : VM_NAME_MAX - 1] = '\0';
    for (size_t i = 0; i < len; i++)
        bad_char = bad_char || !vmc_name_char(name[i]);

    if (len == 0)
        vmc_error(p, "a VM without a name (vm=NAME:... or [vm NAME])");
    else if (len >= VM_NAME_MAX)
        vmc_error(p, "VM name '%s' longer than %d characters", shown, VM_NAME_MAX - 1);
    else if (bad_char)
        vmc_error(p, "bad VM name '%s': use letters, digits, '-', '_' and '.'", shown);
    p->vm = vm;
    if (len == 0 || len >= VM_NAME_MAX || bad_char) {
        vm->valid = false;
        return;
    }
    for (size_t i = 0; i + 1 < l->count; i++) {
        const struct vm_config *old = &l->vms[i];
        if (strcmp(old->name, vm->name) == 0) {
            char where[24] = "";
            if (old->line)
                fmt_snprintf(where, sizeof(where), " (line %u)", (unsigned)old->line);
            vmc_error(p, "name already used by an earlier VM%s", where);
            break;
        }
    }
}

static void vmc_parse_init(struct vmc_parse *p, struct vm_config_list *l, const char *source)
{
    memset(p, 0, sizeof(*p));
    p->l = l;
    p->source = source;
}

/* The pieces of "key=value,key=value" in [s, e): ',' outside quotes separates
 * them, and a piece without '=' continues the value before it. */
static void vmc_items(struct vmc_parse *p, const char *s, const char *e)
{
    const char *key = NULL, *eq = NULL, *vend = NULL;
    const char *piece = s;
    const char *c = s;
    bool quoted = false;
    char shown[VMC_CLIP_BUF];

    for (;;) {
        if (c < e && (quoted || *c != ',')) {
            if (*c == '"')
                quoted = !quoted;
            c++;
            continue;
        }
        const char *x = piece; /* the '=' of key=value: before any quote */
        while (x < c && *x != '=' && *x != '"')
            x++;
        if (x < c && *x == '=') {
            if (key != NULL)
                vmc_item(p, key, (size_t)(eq - key), eq + 1, vend);
            key = piece;
            eq = x;
            vend = c;
        } else if (c == piece) {
            /* an empty piece (",," or a trailing ',') adds nothing */
        } else if (key != NULL) {
            vend = c;
        } else {
            vmc_error(p, "expected key=value, got '%s'", vmc_clip(shown, piece, c));
        }
        if (c >= e)
            break;
        piece = ++c;
    }
    if (key != NULL)
        vmc_item(p, key, (size_t)(eq - key), eq + 1, vend);
}

void vm_config_list_init(struct vm_config_list *l, struct vm_config *vms, size_t cap, char *err,
                         size_t err_size)
{
    l->vms = vms;
    l->cap = cap;
    l->count = 0;
    l->err = err;
    l->err_size = err_size;
    l->err_len = 0;
    l->errors = 0;
    if (err_size > 0)
        err[0] = '\0';
}

int vm_config_parse_cmdline(struct vm_config_list *l, const char *line)
{
    struct vmc_parse p;
    int start = l->errors;
    const char *s = line != NULL ? line : "";
    char word[CMDLINE_WORD_MAX];
    size_t len;

    vmc_parse_init(&p, l, "command line");
    /* The words as the hypervisor's command-line parser reads them (GRUB's quoting undone). */
    while ((len = cmdline_word(&s, word, sizeof(word), NULL)) != CMDLINE_NO_WORD) {
        if (len < 2 || word[0] != 'v' || word[1] != 'm' || (len > 2 && word[2] != '='))
            continue; /* another option: not ours */
        if (len >= sizeof(word)) {
            vmc_error(&p, "a vm= word longer than %d characters", CMDLINE_WORD_MAX - 1);
            continue;
        }
        if (len <= 3) {
            vmc_error(&p, "'vm' needs a value: vm=NAME:key=value,...");
            continue;
        }
        const char *end = word + len, *name = word + 3, *colon = name;
        while (colon < end && *colon != ':')
            colon++;
        vmc_begin(&p, name, (size_t)(colon - name));
        if (colon < end)
            vmc_items(&p, colon + 1, end);
        vmc_end(&p);
    }
    return l->errors - start;
}

static void vmc_trim(const char **s, const char **e)
{
    while (*s < *e && vmc_blank(**s))
        (*s)++;
    while (*e > *s && vmc_blank((*e)[-1]))
        (*e)--;
}

/* One line [s, e) of a config module. */
static void vmc_file_line(struct vmc_parse *p, const char *s, const char *e)
{
    char shown[VMC_CLIP_BUF];
    bool quoted = false;
    const char *c;

    for (c = s; c < e && (quoted || *c != '#'); c++) /* '#' outside quotes: a comment */
        if (*c == '"')
            quoted = !quoted;
    e = c;
    vmc_trim(&s, &e);
    if (s == e)
        return;

    if (*s == '[') {
        vmc_end(p);
        p->bad_block = false;
        const char *in = s + 1, *in_end = e[-1] == ']' ? e - 1 : e;
        vmc_trim(&in, &in_end);
        if (e[-1] == ']' && in_end - in >= 2 && in[0] == 'v' && in[1] == 'm' &&
            (in_end - in == 2 || vmc_blank(in[2]))) {
            in += 2;
            vmc_trim(&in, &in_end);
            vmc_begin(p, in, (size_t)(in_end - in));
        } else {
            vmc_error(p, "bad section '%s': expected [vm NAME]", vmc_clip(shown, s, e));
            p->bad_block = true; /* its keys are skipped */
        }
        return;
    }
    for (c = s; c < e && *c != '=' && *c != '"'; c++)
        ;
    if (p->bad_block)
        return;
    if (c == e || *c != '=') {
        vmc_error(p, "expected 'key = value' or '[vm NAME]', got '%s'", vmc_clip(shown, s, e));
        return;
    }
    const char *key = s, *key_end = c, *val = c + 1, *val_end = e;
    vmc_trim(&key, &key_end);
    vmc_trim(&val, &val_end);
    if (p->vm == NULL) {
        char value[VMC_CLIP_BUF];
        vmc_error(p, "key '%.*s' (value '%s') outside any [vm NAME] block",
                  (int)(key_end - key < VMC_CLIP ? key_end - key : VMC_CLIP), key,
                  vmc_clip(value, val, val_end));
        return;
    }
    vmc_item(p, key, (size_t)(key_end - key), val, val_end);
}

int vm_config_parse_file(struct vm_config_list *l, const char *source, const char *text, size_t len)
{
    struct vmc_parse p;
    int start = l->errors;
    size_t n = 0;

    vmc_parse_init(&p, l, source != NULL ? source : "config");
    while (n < len && text[n] != '\0') /* a module may be padded with NULs */
        n++;
    for (const char *s = text, *end = text + n; s < end;) {
        const char *eol = s;
        while (eol < end && *eol != '\n')
            eol++;
        p.line++;
        vmc_file_line(&p, s, eol);
        s = eol < end ? eol + 1 : end;
    }
    vmc_end(&p);
    return l->errors - start;
}

void vm_config_defaults(struct vm_config *vm)
{
    memset(vm, 0, sizeof(*vm));
    vm->mem = VM_MEM_DEFAULT;
    vm->vcpus = 1;
    vm->kind = VM_IMAGE_AUTO;
    vm->load = VM_LOAD_DEFAULT;
    vm->entry = VM_LOAD_DEFAULT;
    vm->watchdog = VM_WDOG_DEFAULT;
    vm->valid = true;
}

const char *vm_image_kind_name(enum vm_image_kind kind)
{
    return (unsigned)kind <= VM_IMAGE_LINUX ? vmc_kind_names[kind] : "?";
}

bool vm_config_image_matches(const char *name, const char *module_cmdline)
{
    const char *w = module_cmdline != NULL ? module_cmdline : "";
    while (vmc_blank(*w))
        w++;
    const char *e = w, *base = w;
    for (; *e != '\0' && !vmc_blank(*e); e++)
        if (*e == '/')
            base = e + 1;
    size_t n = strlen(name);
    if (n == 0)
        return false;
    return ((size_t)(e - w) == n && strncmp(w, name, n) == 0) ||
           ((size_t)(e - base) == n && strncmp(base, name, n) == 0);
}

size_t vm_config_module_args(const char *module_cmdline, char *out, size_t size)
{
    const char *p = module_cmdline != NULL ? module_cmdline : "";
    char word[CMDLINE_WORD_MAX];
    size_t len = 0, n;
    bool first = true;
    if (size > 0)
        out[0] = '\0';
    while ((n = cmdline_word(&p, word, sizeof(word), NULL)) != CMDLINE_NO_WORD) {
        if (first) { /* the module's name */
            first = false;
            continue;
        }
        if (n >= sizeof(word))
            n = sizeof(word) - 1;
        for (size_t i = (len > 0 ? 0 : 1); i <= n; i++, len++) /* a blank, then the word */
            if (len + 1 < size)
                out[len] = i == 0 ? ' ' : word[i - 1];
    }
    if (size > 0)
        out[len < size ? len : size - 1] = '\0';
    return len;
}

/* snprintf at the end of buf[0..size) that already holds len characters (or
 * would have). */
static void vmc_addf(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void vmc_addf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (*len < size) {
        *len += (size_t)fmt_vsnprintf(buf + *len, size - *len, fmt, ap);
    } else {
        char none[1];
        *len += (size_t)fmt_vsnprintf(none, 0, fmt, ap);
    }
    va_end(ap);
}

int vm_config_format_pins(uint64_t mask, char *buf, size_t size)
{
    size_t len = 0;
    if (size > 0)
        buf[0] = '\0';
    if (mask == 0)
        vmc_addf(buf, size, &len, "any");
    for (unsigned c = 0; c < VM_PIN_CPUS; c++) {
        if (!(mask >> c & 1))
            continue;
        unsigned first = c;
        while (c + 1 < VM_PIN_CPUS && (mask >> (c + 1) & 1))
            c++;
        if (first == c)
            vmc_addf(buf, size, &len, "%s%u", len > 0 ? "," : "", c);
        else
            vmc_addf(buf, size, &len, "%s%u-%u", len > 0 ? "," : "", first, c);
    }
    return (int)len;
}

int vm_config_describe(const struct vm_config *vm, char *buf, size_t size)
{
    char mem[24], pins[200];
    size_t len = 0;

    if (size > 0)
        buf[0] = '\0';
    vmc_size(mem, sizeof(mem), vm->mem);
    vm_config_format_pins(vm->pin_mask, pins, sizeof(pins));
    vmc_addf(buf, size, &len, "%s: image %s (%s), mem %s, %u vCPU%s, pin %s", vm->name, vm->image,
             vm_image_kind_name(vm->kind), mem, (unsigned)vm->vcpus, vm->vcpus == 1 ? "" : "s",
             pins);
    if (vm->kind == VM_IMAGE_RAW)
        vmc_addf(buf, size, &len, ", load 0x%llx, entry 0x%llx", (unsigned long long)vm->load,
                 (unsigned long long)vm->entry);
    if (vm->cmdline[0] != '\0')
        vmc_addf(buf, size, &len, ", cmdline \"%s\"", vm->cmdline);
    for (uint32_t i = 0; i < vm->nmodules && i < VM_MODULES_MAX; i++)
        vmc_addf(buf, size, &len, "%s%s", i == 0 ? ", modules " : ",", vm->modules[i]);
    if (vm->initrd[0] != '\0')
        vmc_addf(buf, size, &len, ", initrd %s", vm->initrd);
    if (vm->vmfunc)
        vmc_addf(buf, size, &len, ", vmfunc");
    if (vm->ad)
        vmc_addf(buf, size, &len, ", ad");
    return (int)len;
}
