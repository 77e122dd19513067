/*
 * A small, valid x86-64 ELF image built in memory: the seed the fuzz driver mutates and
 * the base the loader unit tests break one field at a time.
 *
 * Layout (ET_EXEC at 0x400000, PIE at 0):
 *   0x000  Elf64_Ehdr
 *   0x040  program headers: PT_PHDR, [PT_INTERP], PT_LOAD r-x, PT_LOAD rw- (with bss),
 *          PT_GNU_STACK
 *   0x200  interpreter path
 *   0x300  "code" (never run)
 *   0x1000 data: 0x100 bytes in the file, 0x2000 in memory
 */
#ifndef TESTS_FUZZ_ELF_SEED_H
#define TESTS_FUZZ_ELF_SEED_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define ELF_SEED_SIZE 0x1100
#define ELF_SEED_INTERP "/lib64/ld-linux-x86-64.so.2"

struct elf_seed {
	_Alignas(8) unsigned char buf[ELF_SEED_SIZE];
	size_t len;
	unsigned phnum;
	int load_text, load_data, interp, stack; /* indexes of those phdrs, -1 if absent */
};

static inline Elf64_Ehdr *elf_seed_ehdr(struct elf_seed *s)
{
	return (Elf64_Ehdr *)s->buf;
}

static inline Elf64_Phdr *elf_seed_phdr(struct elf_seed *s, int i)
{
	return (Elf64_Phdr *)(s->buf + sizeof(Elf64_Ehdr)) + i;
}

static inline void elf_seed_build(struct elf_seed *s, bool pie, bool with_interp)
{
	unsigned long base = pie ? 0 : 0x400000;
	Elf64_Ehdr *eh = elf_seed_ehdr(s);
	Elf64_Phdr *ph;
	unsigned n = 0;

	memset(s, 0, sizeof(*s));
	s->len = ELF_SEED_SIZE;
	s->interp = -1;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = pie ? ET_DYN : ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = base + 0x300;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);

	ph = elf_seed_phdr(s, n++);
	ph->p_type = PT_PHDR;
	ph->p_flags = PF_R;
	ph->p_offset = sizeof(Elf64_Ehdr);
	ph->p_vaddr = ph->p_paddr = base + sizeof(Elf64_Ehdr);
	ph->p_align = 8;
	if (with_interp) {
		s->interp = (int)n;
		ph = elf_seed_phdr(s, n++);
		ph->p_type = PT_INTERP;
		ph->p_flags = PF_R;
		ph->p_offset = 0x200;
		ph->p_vaddr = ph->p_paddr = base + 0x200;
		ph->p_filesz = ph->p_memsz = sizeof(ELF_SEED_INTERP);
		ph->p_align = 1;
		memcpy(s->buf + 0x200, ELF_SEED_INTERP, sizeof(ELF_SEED_INTERP));
	}
	s->load_text = (int)n;
	ph = elf_seed_phdr(s, n++);
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_offset = 0;
	ph->p_vaddr = ph->p_paddr = base;
	ph->p_filesz = ph->p_memsz = 0x400;
	ph->p_align = 0x1000;
	s->load_data = (int)n;
	ph = elf_seed_phdr(s, n++);
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_W;
	ph->p_offset = 0x1000;
	ph->p_vaddr = ph->p_paddr = base + 0x1000;
	ph->p_filesz = 0x100;
	ph->p_memsz = 0x2000;
	ph->p_align = 0x1000;
	s->stack = (int)n;
	ph = elf_seed_phdr(s, n++);
	ph->p_type = PT_GNU_STACK;
	ph->p_flags = PF_R | PF_W;
	ph->p_align = 16;

	s->phnum = n;
	eh->e_phnum = (Elf64_Half)n;
	elf_seed_phdr(s, 0)->p_filesz = elf_seed_phdr(s, 0)->p_memsz = n * sizeof(Elf64_Phdr);
	memset(s->buf + 0x300, 0xcc, 0x100); /* int3 */
	memset(s->buf + 0x1000, 0x5a, 0x100); /* data */
}

#endif
