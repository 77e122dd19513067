/*
 * Builds the initial stack image (argc, argv, envp, auxv and the strings they point to)
 * in sentry memory. Pure apart from reading the host's own auxv for the CPU capability
 * words, which describe the CPU the guest really runs on.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "sentry/loader/loader.h"
#include "sentry/loader/stack.h"

#define STACK_PLATFORM "x86_64"
/* The classic MINSIGSTKSZ, for a host too old to report AT_MINSIGSTKSZ. */
#define STACK_MINSIGSTKSZ_FALLBACK 2048

size_t loader_count_strings(const char *const *v)
{
	size_t n = 0;

	if (!v)
		return 0;
	while (v[n])
		n++;
	return n;
}

uint64_t loader_stack_size(uint64_t stack_limit)
{
	if (!stack_limit)
		return LOADER_STACK_SIZE;
	stack_limit = MIN(stack_limit, LOADER_STACK_MAX);
	return MAX(PAGE_ALIGN_DOWN(stack_limit), LOADER_STACK_MIN);
}

uint64_t loader_arg_limit(uint64_t stack_limit)
{
	if (!stack_limit)
		stack_limit = LOADER_STACK_SIZE;
	return MAX(MIN(LOADER_ARG_LIMIT_MAX, stack_limit / 4), LOADER_ARG_MAX);
}

/* Adds the size of n strings to *total; -E2BIG past limit. */
static int stack_sum_strings(const char *const *v, size_t n, uint64_t *total, uint64_t limit)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(v[i], LOADER_MAX_ARG_STRLEN) + 1;

		if (len > LOADER_MAX_ARG_STRLEN)
			return -E2BIG;
		*total += len;
		if (*total > limit)
			return -E2BIG;
	}
	return 0;
}

int loader_check_args(const char *const *argv, size_t argc, const char *const *envp, size_t envc,
		      const char *execfn, uint64_t limit)
{
	uint64_t total;
	int err;

	/* Linux reserves a pointer per string before copying any (bprm_stack_limits). */
	if (argc > limit / sizeof(uint64_t) || envc > limit / sizeof(uint64_t))
		return -E2BIG;
	total = (MAX(argc, 1) + envc) * sizeof(uint64_t);
	if (total >= limit)
		return -E2BIG;
	err = stack_sum_strings(&execfn, 1, &total, limit);
	if (!err)
		err = stack_sum_strings(envp, envc, &total, limit);
	if (!err)
		err = stack_sum_strings(argv, argc, &total, limit);
	return err;
}

static void stack_aux(struct loader_stack_image *img, uint64_t type, uint64_t val)
{
	img->auxv[img->auxv_len++] = type;
	img->auxv[img->auxv_len++] = val;
}

/* The auxv in Linux's order (create_elf_tables with x86's ARCH_DLINFO first). */
static void stack_fill_auxv(const struct loader_stack_spec *s, struct loader_stack_image *img)
{
	uint64_t minsig = getauxval(AT_MINSIGSTKSZ);

	img->auxv_len = 0;
	if (s->vdso)
		stack_aux(img, AT_SYSINFO_EHDR, s->vdso);
	stack_aux(img, AT_MINSIGSTKSZ, minsig ? minsig : STACK_MINSIGSTKSZ_FALLBACK);
	stack_aux(img, AT_HWCAP, getauxval(AT_HWCAP));
	stack_aux(img, AT_PAGESZ, PAGE_SIZE);
	stack_aux(img, AT_CLKTCK, 100);
	stack_aux(img, AT_PHDR, s->phdr);
	stack_aux(img, AT_PHENT, sizeof(Elf64_Phdr));
	stack_aux(img, AT_PHNUM, s->phnum);
	stack_aux(img, AT_BASE, s->base);
	stack_aux(img, AT_FLAGS, 0);
	stack_aux(img, AT_ENTRY, s->entry);
	stack_aux(img, AT_UID, s->uid);
	stack_aux(img, AT_EUID, s->euid);
	stack_aux(img, AT_GID, s->gid);
	stack_aux(img, AT_EGID, s->egid);
	stack_aux(img, AT_SECURE, 0);
	stack_aux(img, AT_RANDOM, img->random);
	stack_aux(img, AT_HWCAP2, getauxval(AT_HWCAP2));
	stack_aux(img, AT_EXECFN, img->execfn);
	stack_aux(img, AT_PLATFORM, img->platform);
	stack_aux(img, AT_NULL, 0);
}

/* Copies n strings to guest address *addr (image offset *addr - sp), storing each
 * string's address in ptrs. */
static void stack_put_strings(const struct loader_stack_image *img, const char *const *v, size_t n,
			      uaddr_t *addr, uint64_t *ptrs)
{
	unsigned char *b = img->buf;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		memcpy(b + (*addr - img->sp), v[i], len);
		ptrs[i] = *addr;
		*addr += len;
	}
}

int loader_stack_image(const struct loader_stack_spec *s, uaddr_t top,
		       struct loader_stack_image *img)
{
	size_t execfn_len = strlen(s->execfn) + 1;
	uint64_t strings = execfn_len, items;
	uaddr_t p, str_start, sp, a;
	uint64_t *words;
	unsigned char *b;
	int err;

	memset(img, 0, sizeof(*img));
	err = loader_check_args(s->argv, s->argc, s->envp, s->envc, s->execfn,
				loader_arg_limit(s->stack_limit));
	if (err)
		return err;
	for (size_t i = 0; i < s->argc; i++)
		strings += strlen(s->argv[i]) + 1;
	for (size_t i = 0; i < s->envc; i++)
		strings += strlen(s->envp[i]) + 1;

	/* The strings sit below an 8-byte NULL at the very top (bprm->p's start). */
	p = top - sizeof(uint64_t) - execfn_len;
	img->execfn = p;
	str_start = top - sizeof(uint64_t) - strings;
	/* arch_align_stack() without randomization: 16-byte alignment. */
	p = str_start & ~15UL;
	p -= sizeof(STACK_PLATFORM);
	img->platform = p;
	p -= sizeof(s->random);
	img->random = p;
	stack_fill_auxv(s, img);
	/* argc, argv + NULL, envp + NULL below the auxv; argc lands 16-aligned. */
	items = 1 + (s->argc + 1) + (s->envc + 1);
	sp = (p - (img->auxv_len + items) * sizeof(uint64_t)) & ~15UL;
	if (top - sp > loader_stack_size(s->stack_limit) - PAGE_SIZE)
		return -E2BIG;

	img->sp = sp;
	img->len = top - sp;
	img->buf = calloc(1, img->len);
	if (!img->buf)
		return -ENOMEM;
	b = img->buf;
	memcpy(b + (img->platform - sp), STACK_PLATFORM, sizeof(STACK_PLATFORM));
	memcpy(b + (img->random - sp), s->random, sizeof(s->random));

	/* The word area is 16-aligned at sp, inside a calloc'd (16-aligned) buffer. */
	words = (uint64_t *)b;
	words[0] = s->argc;
	a = str_start;
	stack_put_strings(img, s->argv, s->argc, &a, words + 1);
	stack_put_strings(img, s->envp, s->envc, &a, words + 1 + s->argc + 1);
	memcpy(b + (img->execfn - sp), s->execfn, execfn_len);
	memcpy(words + items, img->auxv, img->auxv_len * sizeof(uint64_t));
	return 0;
}
