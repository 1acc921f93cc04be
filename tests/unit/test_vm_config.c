/* tests/unit/test_vm_config.c - the VM description: vm= tokens and config
 * modules. */
#include "vm/vm_config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct vm_config vms[VM_CONFIG_MAX + 2];
static char err[2048];
static struct vm_config_list list;

static void fresh(void)
{
    memset(vms, 0x5a, sizeof(vms));
    vm_config_list_init(&list, vms, VM_CONFIG_MAX, err, sizeof(err));
}

static int cmdline(const char *line)
{
    fresh();
    return vm_config_parse_cmdline(&list, line);
}

static int file(const char *text)
{
    fresh();
    return vm_config_parse_file(&list, "vms.cfg", text, strlen(text));
}

/* The single error message of a command line, without its newline checked
 * separately. */
static void bad_cmdline(const char *line, const char *message)
{
    cr_assert_eq(cmdline(line), 1, "%s: %s", line, err);
    cr_assert_str_eq(err, message, "%s", line);
    cr_assert_eq(list.count, 1);
    cr_assert_not(vms[0].valid);
}

Test(vm_config, cmdline_one_vm)
{
    cr_assert_eq(cmdline("scenario=vms vm=demo:image=hello.elf,mem=32M,cpus=1,cmdline=\"a b\" "
                         "log=debug"),
                 0, "%s", err);
    cr_assert_eq(list.count, 1);
    cr_assert_str_eq(err, "");
    cr_assert(vms[0].valid);
    cr_assert_str_eq(vms[0].name, "demo");
    cr_assert_str_eq(vms[0].image, "hello.elf");
    cr_assert_eq(vms[0].mem, 32ull << 20);
    cr_assert_eq(vms[0].vcpus, 1);
    cr_assert_str_eq(vms[0].cmdline, "a b");
    cr_assert_eq(vms[0].line, 0);
}

Test(vm_config, defaults)
{
    cr_assert_eq(cmdline("vm=d:image=x,"), 0, "%s", err); /* a trailing ',' is harmless */
    cr_assert_str_eq(vms[0].image, "x");
    cr_assert_eq(vms[0].mem, 16ull << 20);
    cr_assert_eq(vms[0].vcpus, 1);
    cr_assert_eq(vms[0].pin_mask, 0);
    cr_assert_eq(vms[0].kind, VM_IMAGE_AUTO);
    cr_assert_eq(vms[0].load, 0x7c00);
    cr_assert_eq(vms[0].entry, 0x7c00);
    cr_assert_str_eq(vms[0].cmdline, "");
    cr_assert_eq(vms[0].nmodules, 0);
    cr_assert_not(vms[0].vmfunc);
    cr_assert_not(vms[0].ad);
}

Test(vm_config, cmdline_lists_and_all_keys)
{
    cr_assert_eq(cmdline("vm=boot:image=boot.bin,kind=raw,load=0x1000,entry=0x1010,pin=1,2,"
                         "modules=m1.bin,m2.bin,mem=0x400000 vm=big:image=linux,vcpus=2,"
                         "pin=0-3,5,vmfunc=on,ad=yes,kind=Multiboot2,mem=4G,cmdline=\"x,y\""),
                 0, "%s", err);
    cr_assert_eq(list.count, 2);
    cr_assert_eq(vms[0].kind, VM_IMAGE_RAW);
    cr_assert_eq(vms[0].load, 0x1000);
    cr_assert_eq(vms[0].entry, 0x1010);
    cr_assert_eq(vms[0].pin_mask, 0x6);
    cr_assert_eq(vms[0].nmodules, 2);
    cr_assert_str_eq(vms[0].modules[0], "m1.bin");
    cr_assert_str_eq(vms[0].modules[1], "m2.bin");
    cr_assert_eq(vms[0].mem, 4ull << 20);
    cr_assert_eq(vms[1].vcpus, 2);
    cr_assert_eq(vms[1].pin_mask, 0x2f);
    cr_assert(vms[1].vmfunc);
    cr_assert(vms[1].ad);
    cr_assert_eq(vms[1].kind, VM_IMAGE_MULTIBOOT2);
    cr_assert_eq(vms[1].mem, 4ull << 30);
    cr_assert_str_eq(vms[1].cmdline, "x,y");
}

Test(vm_config, file_blocks)
{
    const char *text = "# two guests\r\n"
                       "\n"
                       "[vm web]\r\n"
                       "image   = web.elf   # the server\n"
                       "mem=64M\n"
                       "  cpus = 2\n"
                       "pin = 1, 2-3\n"
                       "cmdline = \"console=ttyS0 # not a comment\"\n"
                       "modules = a.bin, b.bin\n"
                       "[ vm  tiny ]\n"
                       "image = boot.img\n"
                       "kind = raw\n"
                       "cmdline = quiet loglevel=3\n";
    cr_assert_eq(file(text), 0, "%s", err);
    cr_assert_eq(list.count, 2);
    cr_assert_str_eq(vms[0].name, "web");
    cr_assert_eq(vms[0].line, 3);
    cr_assert_str_eq(vms[0].image, "web.elf");
    cr_assert_eq(vms[0].mem, 64ull << 20);
    cr_assert_eq(vms[0].vcpus, 2);
    cr_assert_eq(vms[0].pin_mask, 0xe);
    cr_assert_str_eq(vms[0].cmdline, "console=ttyS0 # not a comment");
    cr_assert_eq(vms[0].nmodules, 2);
    cr_assert_str_eq(vms[0].modules[1], "b.bin");
    cr_assert_str_eq(vms[1].name, "tiny");
    cr_assert_eq(vms[1].line, 10);
    cr_assert_eq(vms[1].kind, VM_IMAGE_RAW);
    cr_assert_str_eq(vms[1].cmdline, "quiet loglevel=3");
    cr_assert(vms[0].valid && vms[1].valid);
}

Test(vm_config, file_length_and_nul_padding)
{
    const char text[] = "[vm a]\nimage = a.elf\n\0\0[vm b]\n";
    fresh();
    cr_assert_eq(vm_config_parse_file(&list, "m", text, sizeof(text)), 0, "%s", err);
    cr_assert_eq(list.count, 1);
    /* only the first 10 bytes: "image = a." is cut to "image" with no '=' */
    fresh();
    cr_assert_eq(vm_config_parse_file(&list, "m", text, 12), 2);
    cr_assert_str_eq(err, "m line 2: vm 'a': expected 'key = value' or '[vm NAME]', got 'image'\n"
                          "m line 1: vm 'a': no image given (image=NAME)\n");
}

Test(vm_config, both_sources_in_one_list)
{
    fresh();
    cr_assert_eq(vm_config_parse_cmdline(&list, "vm=a:image=a.elf"), 0);
    cr_assert_eq(vm_config_parse_file(&list, "vms.cfg", "[vm b]\nimage=b\n[vm a]\nimage=c\n", 29),
                 1);
    cr_assert_eq(list.count, 3);
    cr_assert_eq(list.errors, 1);
    cr_assert_str_eq(err, "vms.cfg line 3: vm 'a': name already used by an earlier VM\n");
    cr_assert(vms[0].valid);
    cr_assert(vms[1].valid);
    cr_assert_not(vms[2].valid);
}

Test(vm_config, good_vms_kept_bad_marked)
{
    cr_assert_eq(cmdline("vm=ok:image=a vm=bad:image=b,mem=3M vm=ok2:image=c"), 1);
    cr_assert_eq(list.count, 3);
    cr_assert(vms[0].valid);
    cr_assert_not(vms[1].valid);
    cr_assert(vms[2].valid);
    cr_assert_eq(vms[1].mem, 16ull << 20, "a bad value leaves the default");
}

/* --- bad inputs, each with its exact message --- */

Test(vm_config, unknown_key)
{
    bad_cmdline("vm=demo:image=x,colour=red",
                "command line: vm 'demo': unknown key 'colour' (value 'red')\n");
}

Test(vm_config, bad_number)
{
    bad_cmdline("vm=demo:image=x,mem=lots",
                "command line: vm 'demo': bad value 'lots' for 'mem': expected a "
                "size such as 32M "
                "or 0x2000000\n");
    bad_cmdline("vm=demo:image=x,load=0x1q",
                "command line: vm 'demo': bad value '0x1q' for 'load': expected "
                "an address below "
                "4G such as 0x7c00\n");
}

Test(vm_config, memory_limits)
{
    bad_cmdline("vm=demo:image=x,mem=3M",
                "command line: vm 'demo': bad value '3M' for 'mem': not a "
                "multiple of 2M\n");
    bad_cmdline("vm=demo:image=x,mem=512K",
                "command line: vm 'demo': bad value '512K' for 'mem': less than 1M\n");
    bad_cmdline("vm=demo:image=x,mem=6G",
                "command line: vm 'demo': bad value '6G' for 'mem': more than 4G\n");
}

Test(vm_config, vcpus)
{
    bad_cmdline("vm=demo:image=x,cpus=0",
                "command line: vm 'demo': bad value '0' for 'cpus': expected a "
                "number from 1 to 8\n");
    bad_cmdline("vm=demo:image=x,vcpus=9",
                "command line: vm 'demo': bad value '9' for 'vcpus': expected a "
                "number from 1 to "
                "8\n");
}

Test(vm_config, pin_lists)
{
    bad_cmdline("vm=demo:image=x,pin=1-",
                "command line: vm 'demo': bad value '1-' for 'pin': expected "
                "any, a list (1,2) or "
                "a range (1-3)\n");
    bad_cmdline("vm=demo:image=x,pin=1,64",
                "command line: vm 'demo': bad value '1,64' for 'pin': host CPUs "
                "are numbered 0 to "
                "63\n");
    bad_cmdline("vm=demo:image=x,pin=1,,2",
                "command line: vm 'demo': bad value '1,,2' for 'pin': expected "
                "any, a list (1,2) or "
                "a range (1-3)\n");
    bad_cmdline("vm=demo:image=x,pin=3-1",
                "command line: vm 'demo': bad value '3-1' for 'pin': range 3-1 "
                "runs backwards\n");
    /* a flag after a list needs its value: "vmfunc" alone continues the pin list
     */
    bad_cmdline("vm=demo:image=x,pin=1,vmfunc",
                "command line: vm 'demo': bad value '1,vmfunc' for 'pin': "
                "expected any, a list "
                "(1,2) or a range (1-3)\n");
}

Test(vm_config, duplicate_names)
{
    cr_assert_eq(cmdline("vm=demo:image=x vm=demo:image=y"), 1);
    cr_assert_str_eq(err, "command line: vm 'demo': name already used by an earlier VM\n");
    cr_assert(vms[0].valid);
    cr_assert_not(vms[1].valid);
    cr_assert_eq(file("[vm a]\nimage=x\n[vm a]\nimage=y\n"), 1);
    cr_assert_str_eq(err, "vms.cfg line 3: vm 'a': name already used by an earlier VM (line 1)\n");
}

Test(vm_config, missing_image)
{
    bad_cmdline("vm=demo:mem=32M", "command line: vm 'demo': no image given (image=NAME)\n");
    cr_assert_eq(file("[vm a]\nmem = 32M\n\n"), 1);
    cr_assert_str_eq(err, "vms.cfg line 1: vm 'a': no image given (image=NAME)\n");
}

Test(vm_config, names)
{
    bad_cmdline("vm=a-very-long-name-of-a-vm:image=x",
                "command line: VM name 'a-very-long-name-of-a-vm' longer than 23 "
                "characters\n");
    cr_assert_str_eq(vms[0].name, "a-very-long-name-of-a-v");
    bad_cmdline("vm=a/b:image=x", "command line: bad VM name 'a/b': use letters, "
                                  "digits, '-', '_' and '.'\n");
    bad_cmdline("vm=:image=x", "command line: a VM without a name (vm=NAME:... or [vm NAME])\n");
}

Test(vm_config, value_given_twice)
{
    bad_cmdline("vm=demo:image=x,mem=32M,mem=64M",
                "command line: vm 'demo': 'mem' given twice (second value '64M' "
                "ignored)\n");
    cr_assert_eq(vms[0].mem, 32ull << 20);
    cr_assert_eq(file("[vm a]\nimage=x\ncpus=2\nvcpus=3\n"), 1);
    cr_assert_str_eq(err, "vms.cfg line 4: vm 'a': 'vcpus' given twice (second "
                          "value '3' ignored)\n");
}

Test(vm_config, unterminated_quote)
{
    bad_cmdline("vm=demo:image=x,cmdline=\"a b vm=other:image=y",
                "command line: vm 'demo': unterminated quote in value of "
                "'cmdline': '\"a b "
                "vm=other:image=y'\n");
    cr_assert_eq(file("[vm a]\nimage=x\ncmdline = \"quiet\n"), 1);
    cr_assert_str_eq(err, "vms.cfg line 3: vm 'a': unterminated quote in value "
                          "of 'cmdline': '\"quiet'\n");
}

Test(vm_config, key_outside_block)
{
    cr_assert_eq(file("# top\nmem = 32M\n[vm a]\nimage=x\n"), 1);
    cr_assert_str_eq(err, "vms.cfg line 2: key 'mem' (value '32M') outside any [vm NAME] block\n");
    cr_assert_eq(list.count, 1);
    cr_assert(vms[0].valid);
}

Test(vm_config, too_many_vms)
{
    char line[512] = "";
    for (int i = 0; i < 10; i++) {
        char tok[48];
        snprintf(tok, sizeof(tok), "vm=v%d:image=x,mem=bad ", i);
        strcat(line, tok);
    }
    cr_assert_eq(cmdline(line), 10, "%s", err); /* 8 bad mem values, 2 VMs too many */
    cr_assert_eq(list.count, VM_CONFIG_MAX);
    cr_assert(strstr(err, "command line: too many VMs (at most 8): vm 'v8' is not started\n"));
    cr_assert(strstr(err, "command line: too many VMs (at most 8): vm 'v9' is not started\n"));
    cr_assert_null(strstr(err, "vm 'v8': bad value"), "the dropped VM is not checked aloud");
    cr_assert_eq(vms[VM_CONFIG_MAX].mem, 0x5a5a5a5a5a5a5a5aull, "nothing past the capacity");
}

Test(vm_config, smaller_capacity)
{
    fresh();
    list.cap = 1;
    cr_assert_eq(vm_config_parse_cmdline(&list, "vm=a:image=x vm=b:image=y"), 1);
    cr_assert_str_eq(err, "command line: too many VMs (at most 1): vm 'b' is not started\n");
}

Test(vm_config, file_syntax)
{
    cr_assert_eq(file("[vmx a]\nimage=x\n[vm b]\nimage\n[vm c\n"), 4);
    cr_assert_str_eq(err, "vms.cfg line 1: bad section '[vmx a]': expected [vm NAME]\n"
                          "vms.cfg line 4: vm 'b': expected 'key = value' or '[vm NAME]', got "
                          "'image'\n"
                          "vms.cfg line 3: vm 'b': no image given (image=NAME)\n"
                          "vms.cfg line 5: bad section '[vm c': expected [vm NAME]\n");
    cr_assert_eq(list.count, 1);
}

Test(vm_config, other_values)
{
    bad_cmdline("vm=demo:image=x,kind=elf",
                "command line: vm 'demo': bad value 'elf' for 'kind': expected "
                "auto, raw, "
                "multiboot, multiboot2 or linux\n");
    bad_cmdline("vm=demo:image=x,ad=maybe",
                "command line: vm 'demo': bad value 'maybe' for 'ad': expected "
                "on or off\n");
    bad_cmdline("vm=demo:image=x,modules=a,b,c,d,e",
                "command line: vm 'demo': bad value 'a,b,c,d,e' for 'modules': "
                "more than 4 "
                "modules\n");
    bad_cmdline("vm=demo:image=x,modules=a,,b",
                "command line: vm 'demo': empty name in 'modules'\n");
    bad_cmdline("vm=demo:image=\"a b\"", "command line: vm 'demo': bad value 'a "
                                         "b' for 'image': a module name has no "
                                         "blanks or commas\n");
    bad_cmdline("vm=demo:image=\"a,b\"",
                "command line: vm 'demo': bad value 'a,b' for 'image': a module "
                "name has no "
                "blanks or commas\n");
    bad_cmdline("vm=demo:image=x,kind=raw,load=0x2000000",
                "command line: vm 'demo': load address 0x2000000 is outside the "
                "VM's 16M of "
                "memory\n");
    bad_cmdline("vm=demo:image=x,mem=", "command line: vm 'demo': missing value for 'mem'\n");
    bad_cmdline("vm=demo:junk,image=x",
                "command line: vm 'demo': expected key=value, got 'junk'\n");
}

Test(vm_config, long_values)
{
    char line[600];
    char name[80];
    memset(name, 'n', 70);
    name[70] = 0;
    snprintf(line, sizeof(line), "vm=demo:image=%s", name);
    bad_cmdline(line, "command line: vm 'demo': name "
                      "'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...' "
                      "in 'image' longer than 63 characters\n");
    char text[400];
    memset(text, 'c', 300);
    text[300] = 0;
    snprintf(line, sizeof(line), "vm=demo:image=x,cmdline=%s", text);
    bad_cmdline(line, "command line: vm 'demo': value "
                      "'cccccccccccccccccccccccccccccccccccccccc...' "
                      "of 'cmdline' longer than 255 characters\n");
    memset(text, 'c', 255);
    text[255] = 0;
    snprintf(line, sizeof(line), "vm=demo:image=x,cmdline=%s", text);
    cr_assert_eq(cmdline(line), 0, "%s", err);
    cr_assert_eq(strlen(vms[0].cmdline), 255);
}

Test(vm_config, vm_token_without_value)
{
    fresh();
    cr_assert_eq(vm_config_parse_cmdline(&list, "vm vmx=1 vm="), 2);
    cr_assert_str_eq(err, "command line: 'vm' needs a value: vm=NAME:key=value,...\n"
                          "command line: 'vm' needs a value: vm=NAME:key=value,...\n");
    cr_assert_eq(list.count, 0);
    cr_assert_eq(vm_config_parse_cmdline(&list, NULL), 0);
}

Test(vm_config, small_message_buffer_counts_every_error)
{
    char small[40];
    vm_config_list_init(&list, vms, VM_CONFIG_MAX, small, sizeof(small));
    cr_assert_eq(vm_config_parse_cmdline(&list, "vm=a:mem=1 vm=b:mem=2"), 4);
    cr_assert_eq(strlen(small), sizeof(small) - 1);
    cr_assert_eq(list.errors, 4);
}

Test(vm_config, describe_and_pins)
{
    char buf[256];
    cr_assert_eq(cmdline("vm=demo:image=hello.elf,mem=32M,cpus=2,pin=0,2-5,63,cmdline=\"a b\","
                         "modules=m1,m2,vmfunc=on"),
                 0, "%s", err);
    vm_config_describe(&vms[0], buf, sizeof(buf));
    cr_assert_str_eq(buf, "demo: image hello.elf (auto), mem 32M, 2 vCPUs, pin 0,2-5,63, cmdline "
                          "\"a b\", modules m1,m2, vmfunc");
    cr_assert_eq(cmdline("vm=r:image=b,kind=raw,mem=1G,ad=1"), 0);
    int n = vm_config_describe(&vms[0], buf, 20);
    cr_assert_str_eq(buf, "r: image b (raw), m");
    cr_assert_eq(n, (int)strlen("r: image b (raw), mem 1G, 1 vCPU, pin any, load 0x7c00, entry "
                                "0x7c00, ad"));
    cr_assert_eq(vm_config_format_pins(0, buf, sizeof(buf)), 3);
    cr_assert_str_eq(buf, "any");
    vm_config_format_pins(~0ull, buf, sizeof(buf));
    cr_assert_str_eq(buf, "0-63");
}

Test(vm_config, linux_kind_and_initrd)
{
    char buf[256];
    cr_assert_eq(cmdline("vm=lx:image=bzImage,kind=Linux,initrd=initramfs.cpio.gz,mem=512M,"
                         "cmdline=\"console=ttyS0 quiet\" vm=auto:image=k,initrd=i"),
                 0, "%s", err);
    cr_assert_eq(vms[0].kind, VM_IMAGE_LINUX);
    cr_assert_str_eq(vms[0].initrd, "initramfs.cpio.gz");
    cr_assert_str_eq(vms[1].initrd, "i");
    cr_assert_str_eq(vm_image_kind_name(VM_IMAGE_LINUX), "linux");
    vm_config_describe(&vms[0], buf, sizeof(buf));
    cr_assert_str_eq(buf, "lx: image bzImage (linux), mem 512M, 1 vCPU, pin any, cmdline "
                          "\"console=ttyS0 quiet\", initrd initramfs.cpio.gz");
    bad_cmdline("vm=mb:image=k.elf,kind=multiboot,initrd=i",
                "command line: vm 'mb': initrd 'i' is for a Linux kernel, not kind=multiboot\n");
    bad_cmdline("vm=lx:image=bz,kind=linux,modules=a",
                "command line: vm 'lx': modules are for Multiboot kernels: a Linux kernel takes "
                "initrd=NAME\n");
    bad_cmdline("vm=lx:image=bz,initrd=\"a b\"",
                "command line: vm 'lx': bad value 'a b' for 'initrd': a module name has no blanks "
                "or commas\n");
}

Test(vm_config, image_matches)
{
    cr_assert(vm_config_image_matches("hello.elf", "/boot/guests/hello.elf"));
    cr_assert(vm_config_image_matches("hello.elf", "hello.elf arg1 arg2"));
    cr_assert(vm_config_image_matches("/boot/hello.elf", "  /boot/hello.elf x"));
    cr_assert_not(vm_config_image_matches("hello", "/boot/hello.elf"));
    cr_assert_not(vm_config_image_matches("arg1", "hello.elf arg1"));
    cr_assert_not(vm_config_image_matches("", "hello.elf"));
    cr_assert_not(vm_config_image_matches("x", NULL));
    cr_assert_str_eq(vm_image_kind_name(VM_IMAGE_MULTIBOOT), "multiboot");
}

Test(vm_config, grub_quoted_vm_token)
{
    struct vm_config two[2];
    char msgs[512];
    struct vm_config_list l;
    vm_config_list_init(&l, two, 2, msgs, sizeof(msgs));
    cr_assert_eq(vm_config_parse_cmdline(&l, "x=1 \"vm=a:image=k.elf,cmdline=hi there\" y"), 0);
    cr_assert_eq(l.count, 1);
    cr_assert_str_eq(two[0].name, "a");
    cr_assert_str_eq(two[0].cmdline, "hi there");
}

Test(vm_config, timer_ticks)
{
    struct vm_config two[2];
    char msgs[512];
    struct vm_config_list l;
    vm_config_list_init(&l, two, 2, msgs, sizeof(msgs));
    cr_assert_eq(vm_config_parse_cmdline(&l, "vm=a:image=k,timer=1000000 vm=b:image=k,timer=0"), 1);
    cr_assert_eq(two[0].timer, 1000000u);
    cr_assert(strstr(msgs, "bad value '0' for 'timer'") != NULL, "%s", msgs);
}

Test(vm_config, watchdog_seconds)
{
    struct vm_config three[3];
    char msgs[512];
    struct vm_config_list l;
    vm_config_list_init(&l, three, 3, msgs, sizeof(msgs));
    cr_assert_eq(vm_config_parse_cmdline(
                     &l, "vm=a:image=k,watchdog=5 vm=b:image=k,watchdog=0 vm=c:image=k,watchdog=x"),
                 1);
    cr_assert_eq(three[0].watchdog, 5u);
    cr_assert_eq(three[1].watchdog, 0u, "0 is off");
    cr_assert(strstr(msgs, "bad value 'x' for 'watchdog'") != NULL, "%s", msgs);
    struct vm_config d;
    vm_config_defaults(&d);
    cr_assert_eq(d.watchdog, VM_WDOG_DEFAULT);
    cr_assert_gt(d.watchdog, 0u, "on by default");
}

/* grub.cfg 'vm=a:image=k.elf,cmdline="x=1,y=2"' reaches the kernel as
 * vm=a:image=k.elf,cmdline=\"x=1,y=2\": the commas stay inside the value. */
Test(vm_config, grub_escaped_quotes_keep_commas_in_values)
{
    cr_assert_eq(cmdline("vm=a:image=k.elf,cmdline=\\\"x=1,y=2\\\""), 0, "%s", err);
    cr_assert_str_eq(vms[0].cmdline, "x=1,y=2");
    cr_assert_eq(cmdline("\"vm=b:image=k.elf,cmdline=\\\"a b,mem=64M\\\"\""), 0, "%s", err);
    cr_assert_str_eq(vms[0].cmdline, "a b,mem=64M");
    cr_assert_eq(vms[0].mem, VM_MEM_DEFAULT);
}

Test(vm_config, module_args_are_the_words_after_the_name)
{
    char out[32];
    cr_assert_eq(vm_config_module_args("hello.elf", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "");
    cr_assert_eq(vm_config_module_args("hello.elf  x=1   y", out, sizeof(out)), 5);
    cr_assert_str_eq(out, "x=1 y");
    /* GRUB's form of the words 'name=a b' and 'q="r s"' */
    vm_config_module_args("hello.elf \"name=a b\" q=\\\"r s\\\"", out, sizeof(out));
    cr_assert_str_eq(out, "name=a b q=\"r s\"");
    cr_assert_eq(vm_config_module_args("m 0123456789 0123456789 0123456789", out, 8), 32);
    cr_assert_str_eq(out, "0123456");
    cr_assert_eq(vm_config_module_args(NULL, out, sizeof(out)), 0);
}

Test(vm_config, console_lines_or_raw)
{
    cr_assert_eq(cmdline("vm=a:image=x vm=b:image=y,console=raw vm=c:image=z,console=lines"), 0,
                 "%s", err);
    cr_assert_not(vms[0].console_raw, "lines by default");
    cr_assert(vms[1].console_raw);
    cr_assert_not(vms[2].console_raw);
    bad_cmdline("vm=a:image=x,console=tty",
                "command line: vm 'a': bad value 'tty' for 'console': expected lines or raw\n");
}

Test(vm_config, exceptions_by_name)
{
    cr_assert_eq(cmdline("vm=a:image=k,exceptions=pf,gp,DE,np,df"), 0, "%s", err);
    cr_assert_eq(vms[0].exception_bitmap, (1u << 14) | (1u << 13) | 1u | (1u << 11) | (1u << 8));
    cr_assert(vms[0].valid);
}

Test(vm_config, exceptions_as_bitmap_and_pf_filter)
{
    cr_assert_eq(cmdline("vm=a:image=k,exceptions=0x4001,pfmask=1,pfmatch=0x1"), 0, "%s", err);
    cr_assert_eq(vms[0].exception_bitmap, 0x4001u);
    cr_assert_eq(vms[0].pfec_mask, 1u);
    cr_assert_eq(vms[0].pfec_match, 1u);
    cr_assert_eq(file("[vm a]\nimage = k\nexceptions = pf, ud\n"), 0, "%s", err);
    cr_assert_eq(vms[0].exception_bitmap, (1u << 14) | (1u << 6));
}

Test(vm_config, exceptions_default_none)
{
    cr_assert_eq(cmdline("vm=a:image=k"), 0, "%s", err);
    cr_assert_eq(vms[0].exception_bitmap, 0u);
    cr_assert_not(vms[0].has_eptlazy);
}

Test(vm_config, exceptions_bad)
{
    bad_cmdline("vm=a:image=k,exceptions=pf,xx",
                "command line: vm 'a': bad value 'pf,xx' for 'exceptions': 'xx' is not an "
                "exception (de db nmi bp of br ud nm df ts np ss gp pf mf ac mc xm ve cp, or a "
                "bitmap such as 0x4000)\n");
    cr_assert_eq(cmdline("vm=a:image=k,exceptions=0x100000000"), 1);
    cr_assert_eq(cmdline("vm=a:image=k,pfmask=0x100000000"), 1);
    cr_assert(strstr(err, "expected a 32-bit error-code pattern") != NULL, "%s", err);
}

Test(vm_config, eptlazy)
{
    cr_assert_eq(cmdline("vm=a:image=k,mem=8M,eptlazy=0x3ff000"), 0, "%s", err);
    cr_assert(vms[0].has_eptlazy);
    cr_assert_eq(vms[0].eptlazy, 0x3ff000u);
    bad_cmdline("vm=a:image=k,eptlazy=0x3ff800",
                "command line: vm 'a': bad value '0x3ff800' for 'eptlazy': expected a 4K-aligned "
                "address below 4G\n");
    bad_cmdline("vm=a:image=k,eptlazy=0x1000000",
                "command line: vm 'a': eptlazy page 0x1000000 is outside the VM's 16M of memory\n");
}
