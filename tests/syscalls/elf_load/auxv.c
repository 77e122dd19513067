// SPDX-License-Identifier: MIT
/*
 * What a freshly loaded program can check about how it was loaded: argv/envp/auxv layout
 * on the initial stack and the auxv entries, for each build of this file: a static binary
 * (ELF_KIND_STATIC), a static PIE (ELF_KIND_STATIC_PIE), a dynamic PIE (ELF_KIND_PIE) and a
 * dynamic non-PIE (ELF_KIND_NOPIE).
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "tests/harness/harness.h"

#if !defined(ELF_KIND_STATIC) && !defined(ELF_KIND_STATIC_PIE) && !defined(ELF_KIND_PIE) && \
	!defined(ELF_KIND_NOPIE)
#error "build with one of -DELF_KIND_STATIC, _STATIC_PIE, _PIE or _NOPIE"
#endif

static int saved_argc;
static char **saved_argv;
static char **saved_envp;

/* The program's own program headers, and the load bias they imply. */
static const Elf64_Phdr *own_phdrs(size_t *n, uintptr_t *bias)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t i;

	*n = getauxval(AT_PHNUM);
	*bias = 0;
	for (i = 0; i < *n; i++)
		if (ph[i].p_type == PT_PHDR)
			*bias = (uintptr_t)ph - ph[i].p_vaddr;
	if (*bias == 0)
		for (i = 0; i < *n; i++)
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
				/* The first PT_LOAD maps the ELF header, the phdrs follow it. */
				const Elf64_Ehdr *eh = (const void *)((uintptr_t)ph - sizeof(*eh));

				*bias = (uintptr_t)eh - ph[i].p_vaddr;
				break;
			}
	return ph;
}

TEST(argv_is_null_terminated_and_envp_follows_it)
{
	int i;

	ASSERT_GE(saved_argc, 1);
	EXPECT_TRUE(saved_argv[saved_argc] == NULL);
	for (i = 0; i < saved_argc; i++)
		EXPECT_TRUE(saved_argv[i] != NULL);
	EXPECT_TRUE(saved_envp == saved_argv + saved_argc + 1);
	EXPECT_EQ((uintptr_t)saved_argv % 8, 0);
}

TEST(auxv_follows_envp_and_matches_getauxval)
{
	char **e = saved_envp;
	Elf64_auxv_t *av;
	int seen_pagesz = 0, n = 0;

	while (*e)
		e++;
	for (av = (Elf64_auxv_t *)(e + 1); av->a_type != AT_NULL && n < 256; av++, n++) {
		if (av->a_type == AT_PAGESZ) {
			seen_pagesz = 1;
			EXPECT_EQ(av->a_un.a_val, getauxval(AT_PAGESZ));
		}
		if (av->a_type == AT_ENTRY)
			EXPECT_EQ(av->a_un.a_val, getauxval(AT_ENTRY));
	}
	EXPECT_LT(n, 256);
	EXPECT_TRUE(seen_pagesz);
}

TEST(at_pagesz_is_4096)
{
	EXPECT_EQ(getauxval(AT_PAGESZ), 4096);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096);
}

TEST(at_random_points_to_16_readable_bytes)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	int i, nonzero = 0;

	ASSERT_TRUE(r != NULL);
	for (i = 0; i < 16; i++)
		nonzero |= r[i];
	EXPECT_NE(nonzero, 0);
}

TEST(at_execfn_is_the_path_in_argv0)
{
	const char *fn = (const char *)getauxval(AT_EXECFN);

	ASSERT_TRUE(fn != NULL);
	EXPECT_STREQ(fn, saved_argv[0]);
	EXPECT_EQ(access(fn, X_OK), 0);
}

TEST(at_entry_and_at_phdr_are_set)
{
	size_t n, i;
	uintptr_t bias;
	const Elf64_Phdr *ph = own_phdrs(&n, &bias);
	int loads = 0;

	EXPECT_NE(getauxval(AT_ENTRY), 0);
	ASSERT_TRUE(ph != NULL);
	EXPECT_EQ(getauxval(AT_PHENT), sizeof(Elf64_Phdr));
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD) {
			loads++;
			EXPECT_EQ(ph[i].p_align % 4096, 0);
		}
	EXPECT_GT(loads, 0);
	/* The entry point lies inside one of our executable segments. */
	{
		uintptr_t entry = getauxval(AT_ENTRY);
		int inside = 0;

		for (i = 0; i < n; i++)
			if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
			    entry >= bias + ph[i].p_vaddr &&
			    entry < bias + ph[i].p_vaddr + ph[i].p_memsz)
				inside = 1;
		EXPECT_TRUE(inside);
	}
}

TEST(credentials_in_auxv_match_the_syscalls)
{
	EXPECT_EQ(getauxval(AT_UID), getuid());
	EXPECT_EQ(getauxval(AT_EUID), geteuid());
	EXPECT_EQ(getauxval(AT_GID), getgid());
	EXPECT_EQ(getauxval(AT_EGID), getegid());
	EXPECT_EQ(getauxval(AT_SECURE), 0);
}

TEST(at_clktck_is_100_and_a_vdso_if_present_is_an_elf_image)
{
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);

	EXPECT_EQ(getauxval(AT_CLKTCK), 100);
	/* AT_SYSINFO_EHDR is only passed when the kernel maps a vDSO. */
	if (vdso)
		EXPECT_MEMEQ(vdso, ELFMAG, SELFMAG);
}

TEST(interpreter_and_load_bias_match_the_build)
{
	size_t n, i;
	uintptr_t bias;
	const Elf64_Phdr *ph = own_phdrs(&n, &bias);
	int interp = 0;

	for (i = 0; i < n; i++)
		interp |= ph[i].p_type == PT_INTERP;
#if defined(ELF_KIND_STATIC)
	EXPECT_FALSE(interp);
	EXPECT_EQ(getauxval(AT_BASE), 0);
	EXPECT_EQ(bias, 0);
#elif defined(ELF_KIND_STATIC_PIE)
	EXPECT_FALSE(interp);
	EXPECT_EQ(getauxval(AT_BASE), 0);
	EXPECT_NE(bias, 0);
#elif defined(ELF_KIND_PIE)
	EXPECT_TRUE(interp);
	EXPECT_NE(getauxval(AT_BASE), 0);
	EXPECT_NE(bias, 0);
#else
	EXPECT_TRUE(interp);
	EXPECT_NE(getauxval(AT_BASE), 0);
	EXPECT_EQ(bias, 0);
#endif
}

TEST(stack_and_bss_are_usable)
{
	static char bss[1 << 16];
	volatile char deep[1 << 17];
	size_t i;
	int zero = 1;

	for (i = 0; i < sizeof(bss); i++)
		zero &= bss[i] == 0;
	EXPECT_TRUE(zero);
	deep[0] = 1;
	deep[sizeof(deep) - 1] = 2;
	EXPECT_EQ(deep[0] + deep[sizeof(deep) - 1], 3);
}

int main(int argc, char **argv, char **envp)
{
	saved_argc = argc;
	saved_argv = argv;
	saved_envp = envp;
	/* The harness treats arguments as case filters; ours are not. */
	return harness_main(1, argv);
}
