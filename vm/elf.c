/*
 * vm/elf.c - ELF32 / ELF64 executable validation for the guest loaders (System V gABI,
 * "ELF Header" and "Program Header"). Reads the file only; loads nothing. Pure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/elf.h"
#include "platform/bytes.h"
#include "platform/fmt.h"

/* gABI e_ident indices */
#define EI_CLASS   4
#define EI_DATA    5
#define EI_VERSION 6

/* elf_error -60..-76 at index 1..17 of the name table */
#define ELF_IDX(e) (ELF_ERR_BAD_ARG - (e) + 1)

static const char *const elf_error_names[] = {
    [0] = "ok",
    [ELF_IDX(ELF_ERR_BAD_ARG)] = "bad argument",
    [ELF_IDX(ELF_ERR_TRUNCATED)] = "file shorter than its ELF header",
    [ELF_IDX(ELF_ERR_MAGIC)] = "not an ELF file (bad magic)",
    [ELF_IDX(ELF_ERR_CLASS)] = "ELF class neither 32- nor 64-bit",
    [ELF_IDX(ELF_ERR_DATA)] = "ELF data not little-endian",
    [ELF_IDX(ELF_ERR_VERSION)] = "ELF version not 1",
    [ELF_IDX(ELF_ERR_MACHINE)] = "ELF machine neither EM_386 nor EM_X86_64",
    [ELF_IDX(ELF_ERR_TYPE)] = "ELF type not ET_EXEC",
    [ELF_IDX(ELF_ERR_PHDR_SIZE)] = "bad program header size or count",
    [ELF_IDX(ELF_ERR_PHDR_RANGE)] = "program header table outside the file",
    [ELF_IDX(ELF_ERR_NO_LOAD)] = "no PT_LOAD segment",
    [ELF_IDX(ELF_ERR_SEG_FILE)] = "PT_LOAD file range outside the file",
    [ELF_IDX(ELF_ERR_SEG_FILESZ)] = "PT_LOAD p_filesz larger than p_memsz",
    [ELF_IDX(ELF_ERR_SEG_ADDR)] = "PT_LOAD address range past the limit",
    [ELF_IDX(ELF_ERR_SEG_OVERLAP)] = "PT_LOAD segments overlap",
    [ELF_IDX(ELF_ERR_TOO_MANY)] = "too many PT_LOAD segments",
    [ELF_IDX(ELF_ERR_ENTRY)] = "entry point outside every PT_LOAD segment",
};

const char *elf_error_str(int err)
{
    if (err == 0)
        return elf_error_names[0];
    if (err > ELF_ERR_BAD_ARG || err < ELF_ERR_ENTRY)
        return "unknown error";
    return elf_error_names[ELF_IDX(err)];
}

/* One program header, either class, in 64-bit fields (gABI "Program Header"). */
struct elf_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void elf_read_phdr(const uint8_t *p, unsigned bits, struct elf_phdr *ph)
{
    ph->type = rd32(p);
    if (bits == 32) {
        ph->offset = rd32(p + 4);
        ph->vaddr = rd32(p + 8);
        ph->paddr = rd32(p + 12);
        ph->filesz = rd32(p + 16);
        ph->memsz = rd32(p + 20);
        ph->flags = rd32(p + 24);
    } else {
        ph->flags = rd32(p + 4);
        ph->offset = rd64(p + 8);
        ph->vaddr = rd64(p + 16);
        ph->paddr = rd64(p + 24);
        ph->filesz = rd64(p + 32);
        ph->memsz = rd64(p + 40);
    }
}

/* e_ident, e_type, e_machine, e_version and the program header table fields. */
static int elf_header(const uint8_t *img, size_t len, struct elf_info *info, char *err,
                      size_t errlen)
{
    if (len < 4) {
        fmt_msg(err, errlen, "ELF header truncated: file has %lu bytes, e_ident needs 16",
                (unsigned long)len);
        return ELF_ERR_TRUNCATED;
    }
    if (memcmp(img,
               "\x7f"
               "ELF",
               4) != 0) {
        fmt_msg(err, errlen, "not ELF: e_ident starts %02x %02x %02x %02x, expected 7f 45 4c 46",
                img[0], img[1], img[2], img[3]);
        return ELF_ERR_MAGIC;
    }
    if (len < 16) {
        fmt_msg(err, errlen, "ELF header truncated: file has %lu bytes, e_ident needs 16",
                (unsigned long)len);
        return ELF_ERR_TRUNCATED;
    }
    if (img[EI_CLASS] != ELF_CLASS32 && img[EI_CLASS] != ELF_CLASS64) {
        fmt_msg(err, errlen,
                "ELF class (e_ident[4]) is %u: neither 1 (ELFCLASS32) nor 2 (ELFCLASS64)",
                img[EI_CLASS]);
        return ELF_ERR_CLASS;
    }
    info->bits = img[EI_CLASS] == ELF_CLASS32 ? 32 : 64;
    size_t ehsize = info->bits == 32 ? ELF32_EHDR_SIZE : ELF64_EHDR_SIZE;
    if (len < ehsize) {
        fmt_msg(err, errlen, "ELF header truncated: file has %lu bytes, an ELF%u header needs %lu",
                (unsigned long)len, info->bits, (unsigned long)ehsize);
        return ELF_ERR_TRUNCATED;
    }
    if (img[EI_DATA] != ELF_DATA_LSB) {
        fmt_msg(err, errlen,
                "ELF data encoding (e_ident[5]) is %u: only 1 (little-endian) is supported",
                img[EI_DATA]);
        return ELF_ERR_DATA;
    }
    uint32_t version = rd32(img + 20);
    if (img[EI_VERSION] != ELF_EV_CUR || version != ELF_EV_CUR) {
        fmt_msg(err, errlen, "ELF version: e_ident[6] = %u, e_version = %u; both must be 1",
                img[EI_VERSION], version);
        return ELF_ERR_VERSION;
    }
    uint16_t type = rd16(img + 16);
    info->machine = rd16(img + 18);
    if (info->machine != ELF_EM_386 && info->machine != ELF_EM_X86_64) {
        fmt_msg(err, errlen,
                "ELF e_machine is %u: only 3 (EM_386) and 62 (EM_X86_64) are supported",
                info->machine);
        return ELF_ERR_MACHINE;
    }
    if (type != ELF_ET_EXEC) {
        fmt_msg(err, errlen, "ELF e_type is %u: only 2 (ET_EXEC, an executable) can be loaded",
                type);
        return ELF_ERR_TYPE;
    }
    if (info->bits == 32) {
        info->entry = rd32(img + 24);
        info->phoff = rd32(img + 28);
        info->phentsize = rd16(img + 42);
        info->phnum = rd16(img + 44);
    } else {
        info->entry = rd64(img + 24);
        info->phoff = rd64(img + 32);
        info->phentsize = rd16(img + 54);
        info->phnum = rd16(img + 56);
    }
    return ELF_OK;
}

static int elf_phdr_table(size_t len, const struct elf_info *info, char *err, size_t errlen)
{
    unsigned need = info->bits == 32 ? ELF32_PHDR_SIZE : ELF64_PHDR_SIZE;
    if (info->phnum == ELF_PN_XNUM) { /* gABI: extended numbering through section 0 */
        fmt_msg(err, errlen, "ELF e_phnum is 0xffff (PN_XNUM, extended numbering): not supported");
        return ELF_ERR_PHDR_SIZE;
    }
    if (info->phnum == 0) {
        fmt_msg(err, errlen, "ELF e_phnum is 0: no program headers, nothing to load");
        return ELF_ERR_NO_LOAD;
    }
    if (info->phentsize < need) {
        fmt_msg(err, errlen, "ELF e_phentsize is %u: an ELF%u program header needs %u bytes",
                info->phentsize, info->bits, need);
        return ELF_ERR_PHDR_SIZE;
    }
    uint64_t size = (uint64_t)info->phentsize * info->phnum;
    if (info->phoff > len || size > len - info->phoff) {
        fmt_msg(err, errlen,
                "ELF program header table [0x%lx, 0x%lx) (%u x %u bytes at e_phoff) passes the end "
                "of the file (0x%lx bytes)",
                (unsigned long)info->phoff, (unsigned long)(info->phoff + size), info->phnum,
                info->phentsize, (unsigned long)len);
        return ELF_ERR_PHDR_RANGE;
    }
    return ELF_OK;
}

/* File range, sizes and address range of one PT_LOAD. */
static int elf_check_load(const struct elf_phdr *ph, unsigned idx, size_t len, uint64_t lma,
                          uint64_t addr_limit, char *err, size_t errlen)
{
    if (ph->filesz > ph->memsz) {
        fmt_msg(err, errlen, "ELF program header %u (PT_LOAD): p_filesz 0x%lx > p_memsz 0x%lx", idx,
                (unsigned long)ph->filesz, (unsigned long)ph->memsz);
        return ELF_ERR_SEG_FILESZ;
    }
    if (ph->offset > len || ph->filesz > len - ph->offset) {
        fmt_msg(err, errlen,
                "ELF program header %u (PT_LOAD): file range [0x%lx, 0x%lx) passes the end of the "
                "file (0x%lx bytes)",
                idx, (unsigned long)ph->offset, (unsigned long)(ph->offset + ph->filesz),
                (unsigned long)len);
        return ELF_ERR_SEG_FILE;
    }
    if (ph->memsz == 0)
        return ELF_OK;
    if (lma + ph->memsz < lma || lma + ph->memsz > addr_limit) {
        fmt_msg(err, errlen,
                "ELF program header %u (PT_LOAD): load range 0x%lx + p_memsz 0x%lx passes the "
                "limit 0x%lx",
                idx, (unsigned long)lma, (unsigned long)ph->memsz, (unsigned long)addr_limit);
        return ELF_ERR_SEG_ADDR;
    }
    return ELF_OK;
}

static int elf_check_overlap(const struct elf_segment *segs, size_t n, char *err, size_t errlen)
{
    const struct elf_segment *s = &segs[n];
    for (size_t i = 0; i < n; i++) {
        const struct elf_segment *o = &segs[i];
        if (s->lma < o->lma + o->memsz && o->lma < s->lma + s->memsz) {
            fmt_msg(err, errlen,
                    "ELF program headers %u and %u (PT_LOAD) overlap: [0x%lx, 0x%lx) and "
                    "[0x%lx, 0x%lx)",
                    o->index, s->index, (unsigned long)o->lma, (unsigned long)(o->lma + o->memsz),
                    (unsigned long)s->lma, (unsigned long)(s->lma + s->memsz));
            return ELF_ERR_SEG_OVERLAP;
        }
    }
    return ELF_OK;
}

int elf_parse(const uint8_t *img, size_t len, uint64_t addr_limit, struct elf_info *info,
              struct elf_segment *segs, size_t cap, char *err, size_t errlen)
{
    fmt_msg(err, errlen, "%s", "");
    if (img == NULL || info == NULL || (segs == NULL && cap > 0)) {
        fmt_msg(err, errlen, "NULL ELF image or output");
        return ELF_ERR_BAD_ARG;
    }
    memset(info, 0, sizeof(*info));
    int rc = elf_header(img, len, info, err, errlen);
    if (rc == ELF_OK)
        rc = elf_phdr_table(len, info, err, errlen);
    if (rc != ELF_OK)
        return rc;

    /* gABI: p_paddr is unspecified for executables; a file that leaves all of them 0 is
     * loaded at p_vaddr. */
    info->lma_is_vaddr = true;
    for (unsigned i = 0; i < info->phnum; i++) {
        struct elf_phdr ph;
        elf_read_phdr(img + info->phoff + (uint64_t)i * info->phentsize, info->bits, &ph);
        if (ph.type == ELF_PT_LOAD && ph.memsz > 0 && ph.paddr != 0)
            info->lma_is_vaddr = false;
    }

    for (unsigned i = 0; i < info->phnum; i++) {
        struct elf_phdr ph;
        elf_read_phdr(img + info->phoff + (uint64_t)i * info->phentsize, info->bits, &ph);
        if (ph.type != ELF_PT_LOAD)
            continue;
        uint64_t lma = info->lma_is_vaddr ? ph.vaddr : ph.paddr;
        rc = elf_check_load(&ph, i, len, lma, addr_limit, err, errlen);
        if (rc != ELF_OK)
            return rc;
        if (ph.memsz == 0)
            continue;
        if (info->nsegs == cap) {
            fmt_msg(err, errlen, "ELF has more than %lu PT_LOAD segments (program header %u)",
                    (unsigned long)cap, i);
            return ELF_ERR_TOO_MANY;
        }
        struct elf_segment *s = &segs[info->nsegs];
        s->offset = ph.offset;
        s->vaddr = ph.vaddr;
        s->paddr = ph.paddr;
        s->lma = lma;
        s->filesz = ph.filesz;
        s->memsz = ph.memsz;
        s->flags = ph.flags;
        s->index = (uint16_t)i;
        rc = elf_check_overlap(segs, info->nsegs, err, errlen);
        if (rc != ELF_OK)
            return rc;
        info->nsegs++;
    }
    if (info->nsegs == 0) {
        fmt_msg(err, errlen, "ELF has no PT_LOAD segment with p_memsz > 0 among %u program headers",
                info->phnum);
        return ELF_ERR_NO_LOAD;
    }
    return ELF_OK;
}

int elf_entry_lma(const struct elf_info *info, const struct elf_segment *segs, uint64_t *lma,
                  char *err, size_t errlen)
{
    if (info == NULL || lma == NULL || (segs == NULL && info->nsegs > 0)) {
        fmt_msg(err, errlen, "NULL ELF description");
        return ELF_ERR_BAD_ARG;
    }
    uint64_t e = info->entry;
    for (size_t i = 0; i < info->nsegs; i++) {
        if (e >= segs[i].vaddr && e - segs[i].vaddr < segs[i].memsz) {
            *lma = segs[i].lma + (e - segs[i].vaddr);
            return ELF_OK;
        }
    }
    for (size_t i = 0; i < info->nsegs; i++) {
        if (e >= segs[i].lma && e - segs[i].lma < segs[i].memsz) {
            *lma = e;
            return ELF_OK;
        }
    }
    fmt_msg(err, errlen, "ELF entry point e_entry 0x%lx lies in no PT_LOAD segment (%lu segments)",
            (unsigned long)e, (unsigned long)info->nsegs);
    return ELF_ERR_ENTRY;
}
