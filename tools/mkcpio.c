/*
 * tools/mkcpio.c - write a cpio archive in the "newc" format the Linux kernel unpacks as its
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst), from a list of
 * entries, without root: owners, modes and device numbers come from the list, not from the
 * files. Host program, plain C11 and libc. Used by scripts/linux.sh (`make linux`).
 *
 *   mkcpio LIST OUT.cpio
 *
 * LIST has one entry a line (blank lines and lines starting with '#' are skipped):
 *   dir   PATH MODE                  a directory
 *   file  PATH MODE SOURCE           a regular file with the bytes of the host file SOURCE
 *   slink PATH MODE TARGET           a symbolic link to TARGET
 *   nod   PATH MODE c|b MAJOR MINOR  a character or block device node
 * PATH is the name in the archive (a leading '/' is dropped), MODE octal permission bits.
 * Every entry is owned by root (uid 0, gid 0) and dated 0, so the archive depends only on the
 * list and the sources.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DIR        0040000u /* file type bits of the mode (POSIX <sys/stat.h> values) */
#define S_REG        0100000u
#define S_LNK        0120000u
#define S_CHR        0020000u
#define S_BLK        0060000u
#define LINE_MAX_LEN 4096

static const char *prog = "mkcpio";
static const char *list_name;
static unsigned line_no;
static FILE *out;
static uint64_t written;
static uint32_t next_ino = 1;

static void die(const char *what, const char *arg)
{
    if (line_no > 0)
        fprintf(stderr, "%s: %s line %u: %s%s\n", prog, list_name, line_no, what, arg);
    else
        fprintf(stderr, "%s: %s%s\n", prog, what, arg);
    exit(1);
}

static void emit(const void *p, size_t n)
{
    if (n > 0 && fwrite(p, 1, n, out) != n)
        die("cannot write the archive: ", strerror(errno));
    written += n;
}

static void pad4(void)
{
    static const char zeros[4];
    emit(zeros, (4 - written % 4) % 4);
}

/* One entry: the 110-byte header (magic "070701" and 13 fields of 8 hex digits), the name
 * with its NUL, padding to 4 bytes, the data, padding to 4 bytes. */
static void entry(const char *name, uint32_t mode, uint32_t nlink, uint32_t rmaj, uint32_t rmin,
                  const void *data, uint32_t size)
{
    char hdr[111];
    uint32_t namesize = (uint32_t)strlen(name) + 1;
    snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             strcmp(name, "TRAILER!!!") == 0 ? 0 : next_ino++, mode, 0u, 0u, nlink, 0u, size, 0u,
             0u, rmaj, rmin, namesize, 0u);
    emit(hdr, 110);
    emit(name, namesize);
    pad4();
    emit(data, size);
    pad4();
}

static char *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        die("cannot open ", path);
    size_t cap = 1 << 20, len = 0, n;
    char *b = malloc(cap);
    while (b != NULL && (n = fread(b + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *nb = realloc(b, cap * 2);
            if (nb == NULL)
                free(b);
            b = nb;
            cap *= 2;
        }
    }
    if (b == NULL || ferror(f) || len > UINT32_MAX)
        die("cannot read ", path);
    fclose(f);
    *size = (uint32_t)len;
    return b;
}

static uint32_t parse_mode(const char *s)
{
    char *end;
    unsigned long v = strtoul(s != NULL ? s : "", &end, 8);
    if (s == NULL || *s == '\0' || *end != '\0' || v > 07777)
        die("bad mode (octal, at most 07777): ", s != NULL ? s : "(none)");
    return (uint32_t)v;
}

static uint32_t parse_num(const char *s)
{
    char *end;
    unsigned long v = strtoul(s != NULL ? s : "", &end, 10);
    if (s == NULL || *s == '\0' || *end != '\0' || v > 0xFFFFF)
        die("bad device number: ", s != NULL ? s : "(none)");
    return (uint32_t)v;
}

static void one_line(char *line)
{
    const char *sep = " \t\r\n";
    char *kind = strtok(line, sep);
    if (kind == NULL || kind[0] == '#')
        return;
    char *path = strtok(NULL, sep);
    char *mode_s = strtok(NULL, sep);
    if (path == NULL || mode_s == NULL)
        die("expected KIND PATH MODE ...: ", kind);
    while (*path == '/')
        path++;
    if (*path == '\0')
        die("empty path for ", kind);
    uint32_t mode = parse_mode(mode_s);
    char *a = strtok(NULL, sep);
    if (strcmp(kind, "dir") == 0) {
        entry(path, S_DIR | mode, 2, 0, 0, NULL, 0);
    } else if (strcmp(kind, "file") == 0) {
        uint32_t size;
        if (a == NULL)
            die("file without a SOURCE: ", path);
        char *data = read_file(a, &size);
        entry(path, S_REG | mode, 1, 0, 0, data, size);
        free(data);
    } else if (strcmp(kind, "slink") == 0) {
        if (a == NULL)
            die("slink without a TARGET: ", path);
        entry(path, S_LNK | mode, 1, 0, 0, a, (uint32_t)strlen(a));
    } else if (strcmp(kind, "nod") == 0) {
        if (a == NULL || (strcmp(a, "c") != 0 && strcmp(a, "b") != 0))
            die("nod needs c or b: ", path);
        uint32_t maj = parse_num(strtok(NULL, sep));
        uint32_t min = parse_num(strtok(NULL, sep));
        entry(path, (a[0] == 'c' ? S_CHR : S_BLK) | mode, 1, maj, min, NULL, 0);
    } else {
        die("unknown kind (dir, file, slink, nod): ", kind);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIST OUT.cpio\n", prog);
        return 2;
    }
    list_name = argv[1];
    FILE *list = fopen(list_name, "r");
    if (list == NULL)
        die("cannot open ", list_name);
    out = fopen(argv[2], "wb");
    if (out == NULL)
        die("cannot create ", argv[2]);
    char line[LINE_MAX_LEN];
    while (fgets(line, sizeof(line), list) != NULL) {
        line_no++;
        if (strchr(line, '\n') == NULL && !feof(list))
            die("line too long", "");
        one_line(line);
    }
    line_no = 0;
    fclose(list);
    entry("TRAILER!!!", 0, 1, 0, 0, NULL, 0); /* the end of the archive */
    if (fclose(out) != 0)
        die("cannot write ", argv[2]);
    return 0;
}
