/*
 * ELF64 validation for the loader: the file's header and program headers are checked
 * here, once, before anything is mapped, so the mapping code can trust the numbers in
 * struct elf_info. Pure functions: no I/O, no allocation (the fuzz target).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/util.h"
#include "sentry/loader/elf.h"

int elf_check_ehdr(const void *buf, size_t len, uint64_t file_size, struct elf_info *info)
{
	Elf64_Ehdr eh;

	if (len < sizeof(eh) || file_size < sizeof(eh))
		return -ENOEXEC;
	/* buf may be any byte offset into a read buffer: copy rather than cast. */
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_ident[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	if (eh.e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh.e_phnum < 1 || eh.e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	/* The whole table must be in the file; phnum is small, so the product can't wrap. */
	if (eh.e_phoff > file_size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > file_size - eh.e_phoff)
		return -ENOEXEC;

	memset(info, 0, sizeof(*info));
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	return 0;
}

/* Checks one PT_LOAD; *prev_end is the end of the previous one (segments must ascend). */
static int elf_check_load(const Elf64_Phdr *ph, uint64_t file_size, uint64_t *prev_end)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return -ENOEXEC;
	if (ph->p_memsz == 0)
		return 0;
	/* The file page and the memory page must line up, or mmap can't map it. */
	if ((ph->p_offset & (PAGE_SIZE - 1)) != (ph->p_vaddr & (PAGE_SIZE - 1)))
		return -ENOEXEC;
	if (ph->p_vaddr >= ELF_ADDR_LIMIT || ph->p_memsz > ELF_ADDR_LIMIT - ph->p_vaddr)
		return -ENOEXEC;
	end = ph->p_vaddr + ph->p_memsz;
	/* The ELF spec sorts PT_LOAD by p_vaddr; overlapping bytes would be mapped twice. */
	if (ph->p_vaddr < *prev_end)
		return -ENOEXEC;
	*prev_end = end;
	return 0;
}

int elf_check_phdrs(const void *phdrs, uint64_t file_size, struct elf_info *info)
{
	const unsigned char *p = phdrs;
	uint64_t prev_end = 0;
	bool have_pt_phdr = false, have_load_phdr = false;
	uint64_t pt_phdr_vaddr = 0;
	int err;

	info->max_align = PAGE_SIZE;
	for (unsigned i = 0; i < info->phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + (size_t)i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			err = elf_check_load(&ph, file_size, &prev_end);
			if (err)
				return err;
			if (ph.p_memsz == 0)
				break;
			if (info->nload++ == 0) {
				info->first_vaddr = ph.p_vaddr;
				info->min_vaddr = PAGE_ALIGN_DOWN(ph.p_vaddr);
			}
			info->max_vaddr = ph.p_vaddr + ph.p_memsz;
			/* Like Linux's maximum_alignment(): other alignments are ignored. */
			if (ph.p_align && !(ph.p_align & (ph.p_align - 1)) &&
			    ph.p_align > info->max_align)
				info->max_align = ph.p_align;
			/* Linux 6.x: AT_PHDR is where the segment holding e_phoff maps it. */
			if (!have_load_phdr && ph.p_offset <= info->phoff &&
			    info->phoff - ph.p_offset < ph.p_filesz) {
				have_load_phdr = true;
				info->phdr_vaddr = info->phoff - ph.p_offset + ph.p_vaddr;
			}
			break;
		case PT_INTERP:
			if (info->has_interp)
				break;
			if (ph.p_filesz < 2 || ph.p_filesz > ELF_INTERP_MAX)
				return -ENOEXEC;
			if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
				return -ENOEXEC;
			info->has_interp = true;
			info->interp_off = ph.p_offset;
			info->interp_len = ph.p_filesz;
			break;
		case PT_GNU_STACK:
			/* The last one wins, as in Linux. */
			info->exec_stack = (ph.p_flags & PF_X) != 0;
			break;
		case PT_PHDR:
			if (!have_pt_phdr) {
				have_pt_phdr = true;
				pt_phdr_vaddr = ph.p_vaddr;
			}
			break;
		default:
			break;
		}
	}
	if (info->nload == 0)
		return -ENOEXEC;
	if (!have_load_phdr && have_pt_phdr)
		info->phdr_vaddr = pt_phdr_vaddr;
	info->has_phdr_addr = have_load_phdr || have_pt_phdr;
	return 0;
}

int elf_parse(const void *buf, size_t len, struct elf_info *info)
{
	const unsigned char *b = buf;
	int err;

	err = elf_check_ehdr(buf, len, len, info);
	if (err)
		return err;
	err = elf_check_phdrs(b + info->phoff, len, info);
	if (err)
		return err;
	if (info->has_interp && b[info->interp_off + info->interp_len - 1] != '\0')
		return -ENOEXEC;
	return 0;
}

int elf_prot(uint32_t p_flags)
{
	int prot = 0;

	if (p_flags & PF_R)
		prot |= PROT_READ;
	if (p_flags & PF_W)
		prot |= PROT_WRITE;
	if (p_flags & PF_X)
		prot |= PROT_EXEC;
	return prot;
}
