/*
 * vm/vm_config.h - the text form that describes VMs (pure). docs/vm-config.md
 * is the reference.
 *
 * Two sources, the same keys and values:
 *   - the hypervisor command line, one token per VM:
 *       vm=demo:image=hello.elf,mem=32M,cpus=1,cmdline="a b"
 *     Pieces are separated by ','; a piece without '=' continues the previous
 * value, so lists need no quotes (pin=1,2 modules=a.bin,b.bin). Other tokens of
 * the line are ignored here.
 *   - a config module (a text file GRUB loads), in blocks:
 *       # comment
 *       [vm demo]
 *       image = hello.elf
 *       mem   = 32M
 * Values may hold double-quoted parts (with blanks or commas); the quotes are
 * removed.
 *
 * Errors do not stop the parse: every error adds one line (ending in '\n') to
 * the list's message buffer, naming the source (and line), the VM, the key and
 * the value; a VM with an error is kept with valid = false, so the hypervisor
 * starts the good VMs and reports the bad.
 */
#ifndef VM_VM_CONFIG_H
#define VM_VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_CONFIG_MAX   8  /* VMs in one list */
#define VM_NAME_MAX     24 /* bytes of a name, with its NUL */
#define VM_IMAGE_MAX    64 /* bytes of an image or module name, with its NUL */
#define VM_CMDLINE_MAX  256
#define VM_MODULES_MAX  4
#define VM_VCPUS_MAX    8
#define VM_PIN_CPUS     64 /* host CPUs 0-63 can be named in pin= */
#define VM_MEM_DEFAULT  (16ull << 20)
#define VM_MEM_MIN      (1ull << 20)
#define VM_MEM_MAX      (4ull << 30)
#define VM_MEM_ALIGN    (2ull << 20) /* guest memory is mapped with 2 MiB EPT pages */
#define VM_LOAD_DEFAULT 0x7c00       /* where a BIOS loads a boot sector */
#define VM_WDOG_DEFAULT 30           /* watchdog= seconds */
#define VM_WDOG_MAX     86400

enum vm_image_kind {
    VM_IMAGE_AUTO,
    VM_IMAGE_RAW,
    VM_IMAGE_MULTIBOOT,
    VM_IMAGE_MULTIBOOT2,
    VM_IMAGE_LINUX
};

struct vm_config {
    char name[VM_NAME_MAX];
    uint64_t mem; /* bytes of guest memory */
    uint32_t vcpus;
    uint64_t pin_mask; /* bit n: the vCPUs may run on host CPU n; 0 = any CPU */
    char image[VM_IMAGE_MAX];
    enum vm_image_kind kind;
    uint64_t load, entry; /* raw images: guest-physical load address and entry point */
    char cmdline[VM_CMDLINE_MAX];
    char modules[VM_MODULES_MAX][VM_IMAGE_MAX];
    uint32_t nmodules;
    char initrd[VM_IMAGE_MAX]; /* Linux: the initrd module's name; empty: none */
    bool vmfunc, ad;           /* EPTP switching through VMFUNC; EPT accessed/dirty bits */
    uint32_t timer;    /* VMX-preemption timer interval in TSC ticks, 0: only when sharing a CPU */
    bool no_debugexit; /* debugexit=off: no isa-debug-exit device at 0xf4 */
    uint32_t watchdog; /* seconds without progress that stop the VM (vm/vm_watchdog.c); 0: off */
    bool rmint;        /* rmint=on: real-mode interrupts delivered by the VMM (7-4) */
    /* Book example 7-1: exceptions intercepted and reflected (vmx/exit_exception.c). */
    uint32_t exception_bitmap;      /* exceptions=: the VMCS exception bitmap (SDM 25.6.3) */
    uint32_t pfec_mask, pfec_match; /* pfmask=, pfmatch=: which #PFs exit (SDM 26.2) */
    uint64_t eptlazy; /* eptlazy=: a 4K page kept out of the EPT until first touched */
    bool has_eptlazy;
    bool console_raw; /* console=raw: its UART's bytes go to the host console as sent, and
                         the host console's input goes to it */
    bool valid;       /* false: an error was reported for this VM, do not start it */
    uint32_t line;    /* line of its [vm NAME] header in a config module; 0: command
                         line */
};

/* The caller's array of VMs, filled by one or more parses, and the message
 * buffer. */
struct vm_config_list {
    struct vm_config *vms;
    size_t cap;   /* entries in vms (at most VM_CONFIG_MAX are used) */
    size_t count; /* entries filled, valid or not */
    char *err;    /* messages, one per line; always NUL-terminated when err_size > 0 */
    size_t err_size;
    size_t err_len;
    int errors; /* errors reported, including those whose message did not fit */
};

void vm_config_list_init(struct vm_config_list *l, struct vm_config *vms, size_t cap, char *err,
                         size_t err_size);

/* Adds the VMs of every vm= token of a hypervisor command line (NULL counts as
 * empty); returns the number of errors this call reported. */
int vm_config_parse_cmdline(struct vm_config_list *l, const char *line);

/* Adds the VMs of a config module's text (len bytes, need not end in NUL);
 * source names it in messages (e.g. "vms.cfg"). Returns the number of errors
 * this call reported. */
int vm_config_parse_file(struct vm_config_list *l, const char *source, const char *text,
                         size_t len);

/* The defaults: mem=16M cpus=1 pin=any kind=auto load=entry=0x7c00, everything
 * else empty. */
void vm_config_defaults(struct vm_config *vm);

const char *vm_image_kind_name(enum vm_image_kind kind);

/* Whether a Multiboot2 module is the image (or module) called name: the first
 * word of the module's GRUB command line, or the part of that word after its
 * last '/', equals name. */
bool vm_config_image_matches(const char *name, const char *module_cmdline);

/* The arguments a module was given after its name (GRUB: `module2 FILE NAME ARGS...`), with
 * GRUB's quoting undone (platform/cmdline.h) and the words joined by one blank: the guest's
 * command line when its VM description has no cmdline=. Copied into out (cut to size,
 * NUL-terminated); returns the full length. */
size_t vm_config_module_args(const char *module_cmdline, char *out, size_t size);

/* "any", or the CPUs of the mask as a list of ranges ("0,2-5"); returns
 * snprintf's length. */
int vm_config_format_pins(uint64_t mask, char *buf, size_t size);

/* One line describing the VM, e.g.
 * "demo: image hello.elf (auto), mem 32M, 2 vCPUs, pin 1-2, cmdline "a b"";
 * returns snprintf's length. */
int vm_config_describe(const struct vm_config *vm, char *buf, size_t size);

#endif
