/*
 * Maps a validated ELF into an address space, as Linux's load_elf_binary() and
 * load_elf_interp() do: PT_LOAD segments as private file mappings, the bss as zeroed
 * anonymous memory, a PIE or dynamic loader at a bias chosen for the whole image at once
 * (the span is reserved first, so no segment can land on another mapping).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/loader/internal.h"
#include "sentry/mm/mm.h"

static const unsigned char load_zero_page[PAGE_SIZE];

int loader_elf_prepare(const struct loader_file *lf, struct loader_elf *e)
{
	size_t len;
	int err;

	memset(e, 0, sizeof(*e));
	err = elf_check_ehdr(lf->head, lf->head_len, lf->size, &e->info);
	if (err)
		return err;
	/* phnum <= ELF_MAX_PHNUM: at most 64 KiB. */
	len = (size_t)e->info.phnum * sizeof(Elf64_Phdr);
	e->phdrs = malloc(len);
	if (!e->phdrs)
		return -ENOMEM;
	err = loader_read_exact(lf->f, e->phdrs, len, e->info.phoff);
	if (err)
		return err;
	return elf_check_phdrs(e->phdrs, lf->size, &e->info);
}

void loader_elf_release(struct loader_elf *e)
{
	free(e->phdrs);
	e->phdrs = NULL;
}

int loader_elf_interp_path(const struct loader_file *lf, const struct loader_elf *e, char *buf)
{
	int err;

	/* elf_check_phdrs bounded interp_len by ELF_INTERP_MAX and the file size. */
	err = loader_read_exact(lf->f, buf, e->info.interp_len, e->info.interp_off);
	if (err)
		return err;
	if (buf[e->info.interp_len - 1] != '\0')
		return -ENOEXEC;
	return 0;
}

/*
 * The bias Linux gives a PIE that has a dynamic loader: ELF_ET_DYN_BASE (2/3 of the
 * address space, leaving room below for brk and above for mmap), aligned to the largest
 * segment alignment, minus the first segment's address.
 */
static uint64_t load_et_dyn_base(struct mm *mm)
{
	return mm_task_size(mm) / 3 * 2;
}

static uint64_t load_pie_bias(struct mm *mm, const struct elf_info *info)
{
	uint64_t base = load_et_dyn_base(mm);

	base &= ~(info->max_align - 1);
	return PAGE_ALIGN_DOWN(base - info->first_vaddr);
}

/* Maps one PT_LOAD at bias: the file pages, then the zeroed tail and bss. */
static int load_segment(struct mm *mm, struct file *f, const Elf64_Phdr *ph, uint64_t bias)
{
	uaddr_t vaddr = bias + ph->p_vaddr;
	uaddr_t page = PAGE_ALIGN_DOWN(vaddr);
	uaddr_t zero_start = vaddr + ph->p_filesz, zero_end = vaddr + ph->p_memsz;
	uaddr_t anon_start;
	int prot = elf_prot(ph->p_flags);
	long r;
	int err;

	if (ph->p_filesz) {
		uint64_t pgoff = vaddr - page;
		uint64_t len = PAGE_ALIGN_UP(pgoff + ph->p_filesz);

		r = mm_mmap(mm, page, len, prot, MAP_PRIVATE | MAP_FIXED, f, ph->p_offset - pgoff);
		if (r < 0)
			return (int)r;
		anon_start = PAGE_ALIGN_UP(zero_start);
		/* The rest of the last file page is file data: bss must read as zero. */
		if (ph->p_memsz > ph->p_filesz && anon_start != zero_start) {
			err = mm_copy_out_force(mm, zero_start, load_zero_page,
						anon_start - zero_start);
			if (err)
				return err;
		}
	} else {
		/* A segment with no file bytes is all bss, whatever its offset says. */
		anon_start = page;
	}
	if (PAGE_ALIGN_UP(zero_end) > anon_start) {
		r = mm_mmap(mm, anon_start, PAGE_ALIGN_UP(zero_end) - anon_start, prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			return (int)r;
	}
	return 0;
}

int loader_elf_map(struct mm *mm, const struct loader_file *lf, struct loader_elf *e,
		   enum loader_place place, uaddr_t limit)
{
	const struct elf_info *info = &e->info;
	const unsigned char *raw = e->phdrs;
	uint64_t span = PAGE_ALIGN_UP(info->max_vaddr) - info->min_vaddr;
	uaddr_t start, end, prev_end = 0;
	bool fixed_pie = false;
	long r;
	int err;

	if (info->type == ET_EXEC) {
		e->bias = 0;
	} else if (place == LOADER_PLACE_MAIN && info->has_interp) {
		e->bias = load_pie_bias(mm, info);
		fixed_pie = true;
	} else {
		/* A dynamic loader, or a static PIE run directly: top-down like a library. */
		r = mm_mmap(mm, 0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
		if (r < 0)
			return (int)r;
		e->bias = (uint64_t)r - info->min_vaddr;
	}

	/* Everything must fit below the stack without wrapping (the bias is modular). */
	start = e->bias + info->min_vaddr;
	end = start + span;
	if (end < start || end > limit || end > mm_task_size(mm))
		return -ENOMEM;
	e->entry = e->bias + info->entry;
	e->brk = PAGE_ALIGN_UP(e->bias + info->max_vaddr);
	/* Linux 6.10+: a static PIE or a dynamic loader run directly sits in the mmap area,
	 * where brk would soon hit a mapping; its heap starts at the unused ET_DYN base. */
	if (info->type == ET_DYN && place == LOADER_PLACE_MAIN && !info->has_interp)
		e->brk = PAGE_ALIGN_UP(load_et_dyn_base(mm));

	if (fixed_pie) {
		r = mm_mmap(mm, start, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			    NULL, 0);
		if (r < 0)
			return (int)r;
	}

	for (unsigned i = 0; i < info->phnum; i++) {
		Elf64_Phdr ph;
		uaddr_t seg_start;

		memcpy(&ph, raw + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		seg_start = PAGE_ALIGN_DOWN(e->bias + ph.p_vaddr);
		/* Like Linux, holes between segments of a reserved image are not kept. */
		if (info->type == ET_DYN && prev_end && seg_start > prev_end) {
			err = mm_munmap(mm, prev_end, seg_start - prev_end);
			if (err)
				return err;
		}
		err = load_segment(mm, lf->f, &ph, e->bias);
		if (err)
			return err;
		prev_end = PAGE_ALIGN_UP(e->bias + ph.p_vaddr + ph.p_memsz);
	}
	return 0;
}
