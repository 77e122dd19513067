/*
 * ELF64 header and program-header validation: pure functions over bytes, no I/O, so the
 * same code serves the loader, the unit tests and the fuzzer.
 *
 * A file that passes is safe to map: every PT_LOAD lies inside the file and below
 * ELF_ADDR_LIMIT without overflow, segments are sorted and don't overlap, and
 * p_offset and p_vaddr agree modulo the page size. Anything else is -ENOEXEC.
 */
#ifndef SENTRY_LOADER_ELF_H
#define SENTRY_LOADER_ELF_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux refuses program-header tables larger than 64 KiB (binfmt_elf.c). */
#define ELF_MAX_PHNUM (65536U / sizeof(Elf64_Phdr))
/* x86-64 TASK_SIZE with 4-level paging: nothing we map may reach it. */
#define ELF_ADDR_LIMIT 0x7ffffffff000ULL
/* PT_INTERP is a path: Linux bounds it by PATH_MAX and wants at least "x\0". */
#define ELF_INTERP_MAX 4096U

struct elf_info {
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint64_t entry; /* e_entry, unbiased */
	uint64_t phoff;
	uint16_t phnum;
	uint64_t first_vaddr; /* p_vaddr of the lowest PT_LOAD (PIE bias, as Linux) */
	uint64_t min_vaddr; /* page-aligned start of the lowest PT_LOAD */
	uint64_t max_vaddr; /* end (p_vaddr + p_memsz) of the highest PT_LOAD */
	uint64_t max_align; /* largest power-of-two PT_LOAD p_align, at least a page */
	bool has_phdr_addr; /* phdr_vaddr is known (else 0, and AT_PHDR = bias, as Linux) */
	uint64_t phdr_vaddr; /* unbiased address of the program headers, for AT_PHDR */
	bool has_interp;
	uint64_t interp_off; /* PT_INTERP file range (the first one, as Linux) */
	uint64_t interp_len;
	bool exec_stack; /* PT_GNU_STACK with PF_X */
	unsigned nload; /* PT_LOAD entries with p_memsz != 0 */
};

/*
 * Checks the ELF header in buf (len >= sizeof(Elf64_Ehdr) bytes) of a file of file_size
 * bytes and fills the header fields of info. 0 or -ENOEXEC.
 */
int elf_check_ehdr(const void *buf, size_t len, uint64_t file_size, struct elf_info *info);

/*
 * Checks the program headers (info->phnum entries of raw bytes at phdrs, any alignment,
 * as read from the file at info->phoff) against a file of file_size bytes and fills the
 * rest of info. Preconditions: elf_check_ehdr succeeded on info. 0 or -ENOEXEC.
 */
int elf_check_phdrs(const void *phdrs, uint64_t file_size, struct elf_info *info);

/*
 * Validates a whole ELF file image in memory: header, program headers and the PT_INTERP
 * string (NUL-terminated). 0 or -ENOEXEC. The fuzz target.
 */
int elf_parse(const void *buf, size_t len, struct elf_info *info);

/* PROT_* bits for a segment's PF_* flags. */
int elf_prot(uint32_t p_flags);

#endif
