// SPDX-License-Identifier: MIT
/*
 * The vDSO: AT_SYSINFO_EHDR names a valid ELF image exporting linux-vdso.so.1's symbols
 * (version LINUX_2.6), its functions agree with the system calls, glibc's clock_gettime
 * through it agrees with the syscall, CLOCK_MONOTONIC never steps back, the vvar page
 * cannot be made writable, and all of it still holds after fork and after exec.
 * Times are compared for order and loose bounds only, never for speed.
 */
#include <elf.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

#include "tests/syscalls/sysutil.h"

#define EXEC_CHILD_ENV "WARDEN_VDSO_EXEC_CHILD"

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef int (*clock_getres_fn)(clockid_t, struct timespec *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);

static const char *const vdso_names[] = { "__vdso_clock_gettime", "__vdso_gettimeofday",
					  "__vdso_time", "__vdso_clock_getres", "__vdso_getcpu" };

/* The in-memory vDSO's dynamic tables, found from its program headers. */
struct vdso_image {
	const unsigned char *base;
	uintptr_t bias; /* load address - link address */
	uintptr_t load_end; /* end of the first PT_LOAD in memory */
	const Elf64_Sym *syms;
	const char *strs;
	uint32_t nsyms;
	const Elf64_Half *versym;
	const Elf64_Verdef *verdef;
	const char *soname;
};

static int vdso_open(struct vdso_image *v)
{
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	const uint32_t *hash = NULL;
	uintptr_t soname = 0;
	int have_load = 0;

	memset(v, 0, sizeof(*v));
	v->base = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!v->base)
		return -1;
	eh = (const Elf64_Ehdr *)v->base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_type != ET_DYN || eh->e_machine != EM_X86_64)
		return -2;
	ph = (const Elf64_Phdr *)(v->base + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			v->bias = (uintptr_t)v->base + ph[i].p_offset - ph[i].p_vaddr;
			v->load_end = (uintptr_t)v->base + ph[i].p_offset + ph[i].p_memsz;
			have_load = 1;
		}
	}
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(v->bias + ph[i].p_vaddr);
	if (!have_load || !dyn)
		return -3;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = v->bias + dyn->d_un.d_ptr;

		switch (dyn->d_tag) {
		case DT_SYMTAB:
			v->syms = (const Elf64_Sym *)p;
			break;
		case DT_STRTAB:
			v->strs = (const char *)p;
			break;
		case DT_HASH:
			hash = (const uint32_t *)p;
			break;
		case DT_VERSYM:
			v->versym = (const Elf64_Half *)p;
			break;
		case DT_VERDEF:
			v->verdef = (const Elf64_Verdef *)p;
			break;
		case DT_SONAME:
			soname = dyn->d_un.d_val;
			break;
		}
	}
	if (!v->syms || !v->strs || !hash || !v->versym || !v->verdef)
		return -4;
	v->nsyms = hash[1]; /* nchain: one per symbol */
	v->soname = soname ? v->strs + soname : NULL;
	return 0;
}

/* The name of the version definition with index ndx, or NULL. */
static const char *vdso_version(const struct vdso_image *v, Elf64_Half ndx)
{
	const Elf64_Verdef *d = v->verdef;

	for (;;) {
		if (d->vd_ndx == ndx) {
			const Elf64_Verdaux *aux =
				(const Elf64_Verdaux *)((const char *)d + d->vd_aux);

			return v->strs + aux->vda_name;
		}
		if (!d->vd_next)
			return NULL;
		d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
	}
}

/* The address of a defined function name at version LINUX_2.6, or NULL. */
static void *vdso_sym(const struct vdso_image *v, const char *name)
{
	for (uint32_t i = 1; i < v->nsyms; i++) {
		const Elf64_Sym *s = &v->syms[i];
		const char *ver;

		if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    strcmp(v->strs + s->st_name, name))
			continue;
		ver = vdso_version(v, v->versym[i] & 0x7fff);
		if (!ver || strcmp(ver, "LINUX_2.6"))
			continue;
		return (void *)(v->bias + s->st_value);
	}
	return NULL;
}

static void open_or_skip(struct vdso_image *v)
{
	int err = vdso_open(v);

	if (err == -1)
		SKIP("no vDSO here (AT_SYSINFO_EHDR is absent)");
	ASSERT_EQ(err, 0);
}

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long sys_now(clockid_t clk)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, clk, &t))
		return -1;
	return ns_of(&t);
}

TEST(at_sysinfo_ehdr_is_the_linux_vdso_elf_image)
{
	struct vdso_image v;

	open_or_skip(&v);
	ASSERT_TRUE(v.soname != NULL);
	EXPECT_STREQ(v.soname, "linux-vdso.so.1");
	/* The image is page aligned (it is mapped, not loaded). */
	EXPECT_EQ((uintptr_t)v.base % PAGE, 0);
}

TEST(vdso_exports_the_linux_2_6_functions)
{
	struct vdso_image v;

	open_or_skip(&v);
	for (size_t i = 0; i < sizeof(vdso_names) / sizeof(vdso_names[0]); i++) {
		uintptr_t p = (uintptr_t)vdso_sym(&v, vdso_names[i]);

		if (!p)
			harness_fail(__FILE__, __LINE__, "%s@LINUX_2.6 missing", vdso_names[i]);
		else if (p < (uintptr_t)v.base || p >= v.load_end)
			harness_fail(__FILE__, __LINE__, "%s outside the image", vdso_names[i]);
	}
}

TEST(vdso_functions_agree_with_the_syscalls)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
					    CLOCK_BOOTTIME, CLOCK_TAI };
	struct vdso_image v;
	clock_gettime_fn cg;
	gettimeofday_fn gtod;
	time_fn tm;
	clock_getres_fn gr;
	getcpu_fn gc;
	unsigned cpu = ~0u, node = ~0u;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	open_or_skip(&v);
	cg = (clock_gettime_fn)vdso_sym(&v, "__vdso_clock_gettime");
	gtod = (gettimeofday_fn)vdso_sym(&v, "__vdso_gettimeofday");
	tm = (time_fn)vdso_sym(&v, "__vdso_time");
	gr = (clock_getres_fn)vdso_sym(&v, "__vdso_clock_getres");
	gc = (getcpu_fn)vdso_sym(&v, "__vdso_getcpu");
	ASSERT_TRUE(cg && gtod && tm && gr && gc);
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec t, r1, r2;
		long long a = sys_now(clocks[i]), b, c;

		ASSERT_EQ(cg(clocks[i], &t), 0);
		b = ns_of(&t);
		c = sys_now(clocks[i]);
		EXPECT_LE(a, b);
		EXPECT_LE(b, c);
		EXPECT_LT(c - a, 1000000000LL);
		ASSERT_EQ(gr(clocks[i], &r1), 0);
		ASSERT_OK(syscall(SYS_clock_getres, clocks[i], &r2));
		EXPECT_EQ(ns_of(&r1), ns_of(&r2));
	}
	{
		/* A CPU clock goes to the syscall through the vDSO's fallback. */
		struct timespec t;

		EXPECT_EQ(cg(CLOCK_PROCESS_CPUTIME_ID, &t), 0);
		EXPECT_EQ(cg(12345, &t), -EINVAL);
	}
	{
		struct timeval tv;
		long long a = sys_now(CLOCK_REALTIME) / 1000, b, c;

		ASSERT_EQ(gtod(&tv, NULL), 0);
		b = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
		c = sys_now(CLOCK_REALTIME) / 1000;
		EXPECT_LE(a, b);
		EXPECT_LE(b, c);
		EXPECT_LT(tv.tv_usec, 1000000);
	}
	{
		time_t out = 0, r = tm(&out);
		long long s = sys_now(CLOCK_REALTIME) / 1000000000LL;

		EXPECT_EQ(r, out);
		/* The kernel's time() reads its coarse clock: up to a tick behind. */
		EXPECT_LE(r, s);
		EXPECT_GE(r, s - 1);
	}
	ASSERT_EQ(gc(&cpu, &node, NULL), 0);
	EXPECT_LT((long)cpu, ncpu);
	EXPECT_LT(node, 1024u);
}

TEST(glibc_clocks_agree_with_the_syscall)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME,
					    CLOCK_MONOTONIC,
					    CLOCK_MONOTONIC_RAW,
					    CLOCK_REALTIME_COARSE,
					    CLOCK_MONOTONIC_COARSE,
					    CLOCK_BOOTTIME,
					    CLOCK_TAI };

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec t1, t2;
		long long a, b, c;

		ASSERT_OK(clock_gettime(clocks[i], &t1));
		b = sys_now(clocks[i]);
		ASSERT_OK(clock_gettime(clocks[i], &t2));
		a = ns_of(&t1);
		c = ns_of(&t2);
		EXPECT_LE(a, b);
		EXPECT_LE(b, c);
		EXPECT_LT(c - a, 1000000000LL);
	}
}

TEST(gettimeofday_and_time_follow_clock_realtime)
{
	struct timespec t;
	struct timeval tv;
	long long a, b, c;
	time_t s;

	ASSERT_OK(clock_gettime(CLOCK_REALTIME, &t));
	a = ns_of(&t) / 1000;
	ASSERT_OK(gettimeofday(&tv, NULL));
	s = time(NULL);
	ASSERT_OK(clock_gettime(CLOCK_REALTIME, &t));
	c = ns_of(&t) / 1000;
	b = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
	EXPECT_LE(a, b);
	EXPECT_LE(b, c);
	EXPECT_GE(s, a / 1000000 - 1);
	EXPECT_LE(s, c / 1000000);
}

TEST(monotonic_never_goes_backwards_over_a_million_calls)
{
	struct timespec t;
	long long prev, now;

	ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t));
	prev = ns_of(&t);
	for (int i = 0; i < 1000000; i++) {
		/* Now and then the syscall, which must fit in the same order. */
		if (i % 4096 == 0) {
			now = sys_now(CLOCK_MONOTONIC);
		} else {
			clock_gettime(CLOCK_MONOTONIC, &t);
			now = ns_of(&t);
		}
		if (now < prev) {
			harness_fail(__FILE__, __LINE__, "call %d: %lld after %lld", i, now, prev);
			return;
		}
		prev = now;
	}
}

/* The [vvar] and [vdso] lines of /proc/self/maps. */
static int find_mapping(const char *name, unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '\n');

		if (p)
			*p = '\0';
		p = strrchr(line, ' ');
		if (p && !strcmp(p + 1, name) && sscanf(line, "%lx-%lx", start, end) == 2)
			found = 1;
	}
	fclose(f);
	return found;
}

TEST(vdso_is_named_in_maps_and_vvar_stays_read_only)
{
	unsigned long vs, ve, ds, de;
	struct vdso_image v;

	open_or_skip(&v);
	ASSERT_TRUE(find_mapping("[vdso]", &ds, &de));
	EXPECT_EQ(ds, (unsigned long)v.base);
	ASSERT_TRUE(find_mapping("[vvar]", &vs, &ve));
	EXPECT_LE(ve, ds);
	/* Every process reads the same vvar page: Linux gives it no VM_MAYWRITE. */
	EXPECT_ERRNO(mprotect((void *)vs, PAGE, PROT_READ | PROT_WRITE), EACCES);
}

/* What a child checks: the vDSO is there and its clock agrees with the syscall. 0 or the
 * number of the failed check. */
static int child_checks(void)
{
	struct vdso_image v;
	clock_gettime_fn cg;
	struct timespec t;
	long long a, b, c;

	if (vdso_open(&v))
		return 1;
	cg = (clock_gettime_fn)vdso_sym(&v, "__vdso_clock_gettime");
	if (!cg)
		return 2;
	a = sys_now(CLOCK_MONOTONIC);
	if (cg(CLOCK_MONOTONIC, &t))
		return 3;
	b = ns_of(&t);
	if (clock_gettime(CLOCK_MONOTONIC, &t))
		return 4;
	c = ns_of(&t);
	if (a > b || b > c || c > sys_now(CLOCK_MONOTONIC))
		return 5;
	return 0;
}

TEST(vdso_works_after_fork)
{
	struct vdso_image v;
	int status;
	pid_t pid;

	open_or_skip(&v);
	pid = ASSERT_OK(fork());
	if (pid == 0)
		_exit((uintptr_t)getauxval(AT_SYSINFO_EHDR) == (uintptr_t)v.base ? child_checks() :
										   10);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(vdso_works_after_exec)
{
	struct vdso_image v;
	char exe[4096];
	int status;
	pid_t pid;
	ssize_t n;

	open_or_skip(&v);
	n = ASSERT_OK(readlink("/proc/self/exe", exe, sizeof(exe) - 1));
	exe[n] = '\0';
	pid = ASSERT_OK(fork());
	if (pid == 0) {
		char *argv[] = { exe, NULL };
		char *envp[] = { EXEC_CHILD_ENV "=1", NULL };

		execve(exe, argv, envp);
		_exit(127);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
	if (getenv(EXEC_CHILD_ENV))
		return child_checks();
	return harness_main(argc, argv);
}
