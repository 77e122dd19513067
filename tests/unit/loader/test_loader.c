/*
 * loader_load() end to end over fake mm and VFS (fake.c): what gets mapped where, the
 * stack the program starts with, the #! chain, and the errors, in Linux's order. The
 * host kernel is the oracle for the layout: a child stopped right after its execve
 * (PTRACE_TRACEME, no ASLR) shows in /proc/pid/maps what Linux mapped for the same file.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/reg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/vfs/vfs.h"
#include "sentry/loader/loader.h"
#include "tests/fuzz/elf_seed.h"
#include "tests/harness/harness.h"
#include "tests/unit/loader/fake.h"

#define TASK_SIZE 0x7ffffffff000UL
#define MMAP_BASE (TASK_SIZE - (256UL << 20))
#define STACK_TOP (TASK_SIZE - PAGE_SIZE)
#define STACK_SIZE (8UL << 20)
#define PIE_BASE 0x555555554000UL

static const struct vfs_cred root_cred = { .fsuid = 0, .fsgid = 0 };

/* What the guest finds on its stack at entry. */
struct guest_stack {
	uint64_t argc;
	char argv[8][512];
	char envp[8][512];
	size_t envc;
	uint64_t auxv[64][2];
	size_t nauxv;
	char execfn[512];
};

static int load(struct mm *mm, const char *path, const char *const *argv, const char *const *envp,
		struct loader_result *res)
{
	struct loader_args a = {
		.path = path,
		.dirfd_is_cwd = 1,
		.argv = (char *const *)argv,
		.envp = (char *const *)envp,
		.fs = NULL,
		.cred = &root_cred,
	};

	return loader_load(mm, &a, res);
}

static void read_str(struct mm *mm, uint64_t addr, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		ASSERT_EQ(fake_mm_read(mm, addr + i, &buf[i], 1), 0);
		if (!buf[i])
			return;
	}
	buf[i] = '\0';
}

static uint64_t auxv_get(const struct guest_stack *gs, uint64_t type)
{
	for (size_t i = 0; i < gs->nauxv; i++)
		if (gs->auxv[i][0] == type)
			return gs->auxv[i][1];
	return ~0ULL;
}

static void read_stack(struct mm *mm, uint64_t sp, struct guest_stack *gs)
{
	uint64_t w, a = sp;

	memset(gs, 0, sizeof(*gs));
	ASSERT_EQ(sp % 16, 0);
	ASSERT_EQ(fake_mm_read(mm, a, &gs->argc, 8), 0);
	a += 8;
	for (uint64_t i = 0; i < gs->argc; i++, a += 8) {
		ASSERT_EQ(fake_mm_read(mm, a, &w, 8), 0);
		if (i < 8)
			read_str(mm, w, gs->argv[i], sizeof(gs->argv[i]));
	}
	ASSERT_EQ(fake_mm_read(mm, a, &w, 8), 0);
	ASSERT_EQ(w, 0);
	for (a += 8;; a += 8) {
		ASSERT_EQ(fake_mm_read(mm, a, &w, 8), 0);
		if (!w)
			break;
		if (gs->envc < 8)
			read_str(mm, w, gs->envp[gs->envc], sizeof(gs->envp[0]));
		gs->envc++;
	}
	for (a += 8; gs->nauxv < 64; a += 16) {
		ASSERT_EQ(fake_mm_read(mm, a, gs->auxv[gs->nauxv], 16), 0);
		if (gs->auxv[gs->nauxv++][0] == AT_NULL)
			break;
	}
	read_str(mm, auxv_get(gs, AT_EXECFN), gs->execfn, sizeof(gs->execfn));
}

static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf;

	if (fd < 0)
		return NULL;
	fstat(fd, &st);
	buf = malloc((size_t)st.st_size);
	if (buf && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* The VMA holding addr, or NULL. */
static const struct fake_vma *vma_at(struct mm *mm, uint64_t addr)
{
	const struct fake_vma *v;
	size_t n = fake_mm_vmas(mm, &v);

	for (size_t i = 0; i < n; i++)
		if (addr >= v[i].start && addr < v[i].end)
			return &v[i];
	return NULL;
}

/*
 * Checks that guest memory holds path's PT_LOAD segments at bias: file bytes, then zeros
 * through the end of p_memsz, with the segment's protection.
 */
static void check_segments(struct mm *mm, const char *path, uint64_t bias)
{
	size_t len;
	unsigned char *file = slurp(path, &len);
	Elf64_Ehdr eh;
	unsigned char *mem;

	ASSERT_TRUE(file != NULL);
	memcpy(&eh, file, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		const struct fake_vma *v;
		int prot = 0;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		mem = malloc(ph.p_memsz);
		ASSERT_TRUE(mem != NULL);
		ASSERT_EQ(fake_mm_read(mm, bias + ph.p_vaddr, mem, ph.p_memsz), 0);
		EXPECT_MEMEQ(mem, file + ph.p_offset, ph.p_filesz);
		for (uint64_t k = ph.p_filesz; k < ph.p_memsz; k++) {
			if (mem[k]) {
				harness_fail(__FILE__, __LINE__, "%s: bss byte %#lx not zero", path,
					     (unsigned long)(ph.p_vaddr + k));
				break;
			}
		}
		free(mem);
		prot |= ph.p_flags & PF_R ? PROT_READ : 0;
		prot |= ph.p_flags & PF_W ? PROT_WRITE : 0;
		prot |= ph.p_flags & PF_X ? PROT_EXEC : 0;
		v = vma_at(mm, bias + ph.p_vaddr + ph.p_memsz - 1);
		ASSERT_TRUE(v != NULL);
		EXPECT_EQ(v->prot, prot);
	}
	free(file);
}

static void release(struct mm *mm, struct loader_result *res)
{
	if (res->exe)
		file_put(res->exe);
	fake_mm_free(mm);
	EXPECT_EQ(fake_live_files(), 0);
}

static uint64_t elf_entry(const char *path)
{
	size_t len;
	unsigned char *f = slurp(path, &len);
	Elf64_Ehdr eh;

	if (!f)
		return 0;
	memcpy(&eh, f, sizeof(eh));
	free(f);
	return eh.e_entry;
}

/* ---- real programs ---- */

TEST(load_static_exec)
{
	const char *const argv[] = { "busybox", "echo", "hi", NULL };
	const char *const envp[] = { "A=B", "PATH=/bin", NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	struct loader_result res;
	struct guest_stack gs;
	const struct fake_vma *stack;

	if (access("/bin/busybox", X_OK))
		SKIP("no /bin/busybox");
	ASSERT_EQ(load(mm, "/bin/busybox", argv, envp, &res), 0);
	EXPECT_EQ(res.entry, elf_entry("/bin/busybox"));
	EXPECT_STREQ(res.comm, "busybox");
	EXPECT_STREQ(fake_file_path(res.exe), "/bin/busybox");
	EXPECT_EQ(fake_mm_brk(mm), res.brk_start);
	EXPECT_EQ(res.brk_start % PAGE_SIZE, 0);
	check_segments(mm, "/bin/busybox", 0);

	stack = vma_at(mm, STACK_TOP - 1);
	ASSERT_TRUE(stack != NULL);
	EXPECT_EQ(stack->start, STACK_TOP - STACK_SIZE);
	EXPECT_EQ(stack->end, STACK_TOP);
	EXPECT_EQ(stack->prot, PROT_READ | PROT_WRITE);
	EXPECT_TRUE(vma_at(mm, STACK_TOP) == NULL);
	EXPECT_GT(res.sp, STACK_TOP - PAGE_SIZE);

	read_stack(mm, res.sp, &gs);
	EXPECT_EQ(gs.argc, 3);
	EXPECT_STREQ(gs.argv[0], "busybox");
	EXPECT_STREQ(gs.argv[2], "hi");
	EXPECT_EQ(gs.envc, 2);
	EXPECT_STREQ(gs.envp[1], "PATH=/bin");
	EXPECT_STREQ(gs.execfn, "/bin/busybox");
	{
		/* The exec record procfs reads: argv's and envp's strings, back to back. */
		static const char args[] = "busybox\0echo\0hi", env[] = "A=B\0PATH=/bin";
		char buf[64];

		EXPECT_TRUE(fake_exe_info.exe == res.exe);
		EXPECT_EQ(fake_exe_info.start_stack, res.sp);
		ASSERT_EQ(fake_exe_info.arg_end - fake_exe_info.arg_start, sizeof(args));
		ASSERT_EQ(fake_mm_read(mm, fake_exe_info.arg_start, buf, sizeof(args)), 0);
		EXPECT_MEMEQ(buf, args, sizeof(args));
		EXPECT_EQ(fake_exe_info.env_start, fake_exe_info.arg_end);
		ASSERT_EQ(fake_exe_info.env_end - fake_exe_info.env_start, sizeof(env));
		ASSERT_EQ(fake_mm_read(mm, fake_exe_info.env_start, buf, sizeof(env)), 0);
		EXPECT_MEMEQ(buf, env, sizeof(env));
	}
	EXPECT_EQ(auxv_get(&gs, AT_ENTRY), res.entry);
	EXPECT_EQ(auxv_get(&gs, AT_BASE), 0);
	EXPECT_EQ(auxv_get(&gs, AT_PAGESZ), PAGE_SIZE);
	EXPECT_EQ(auxv_get(&gs, AT_SYSINFO_EHDR), ~0ULL); /* no vDSO yet */
	{
		/* AT_PHDR must point at the program headers in guest memory. */
		size_t len;
		unsigned char *file = slurp("/bin/busybox", &len);
		Elf64_Ehdr eh;
		unsigned char ph[56 * 4];

		ASSERT_TRUE(file != NULL);
		memcpy(&eh, file, sizeof(eh));
		EXPECT_EQ(auxv_get(&gs, AT_PHNUM), eh.e_phnum);
		ASSERT_EQ(fake_mm_read(mm, auxv_get(&gs, AT_PHDR), ph, sizeof(ph)), 0);
		EXPECT_MEMEQ(ph, file + eh.e_phoff, sizeof(ph));
		free(file);
	}
	release(mm, &res);
}

TEST(load_dynamic_pie)
{
	const char *const argv[] = { "ls", "-l", NULL };
	const char *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	struct loader_result res;
	struct guest_stack gs;
	uint64_t base;
	const struct fake_vma *v;

	if (access("/bin/ls", X_OK) || access("/lib64/ld-linux-x86-64.so.2", X_OK))
		SKIP("no /bin/ls or dynamic loader");
	ASSERT_EQ(load(mm, "/bin/ls", argv, envp, &res), 0);
	read_stack(mm, res.sp, &gs);
	base = auxv_get(&gs, AT_BASE);
	EXPECT_EQ(base % PAGE_SIZE, 0);
	EXPECT_LT(base, MMAP_BASE);
	EXPECT_GT(base, MMAP_BASE - (16UL << 20));
	EXPECT_EQ(res.entry, base + elf_entry("/lib64/ld-linux-x86-64.so.2"));
	EXPECT_EQ(auxv_get(&gs, AT_ENTRY), PIE_BASE + elf_entry("/bin/ls"));
	EXPECT_EQ(auxv_get(&gs, AT_PHDR), PIE_BASE + 0x40);
	EXPECT_STREQ(fake_file_path(res.exe), "/bin/ls");
	EXPECT_STREQ(res.comm, "ls");
	EXPECT_EQ(gs.envc, 0);
	check_segments(mm, "/bin/ls", PIE_BASE);
	check_segments(mm, "/lib64/ld-linux-x86-64.so.2", base);
	v = vma_at(mm, PIE_BASE);
	ASSERT_TRUE(v != NULL);
	EXPECT_STREQ(fake_file_path(v->file), "/bin/ls");
	v = vma_at(mm, base);
	ASSERT_TRUE(v != NULL);
	EXPECT_STREQ(fake_file_path(v->file), "/lib64/ld-linux-x86-64.so.2");
	EXPECT_GT(res.brk_start, PIE_BASE);
	EXPECT_LT(res.brk_start, PIE_BASE + (16UL << 20));
	release(mm, &res);
}

/* ---- the host kernel as the oracle ---- */

struct host_map {
	unsigned long start, end, off;
	char perms[5];
	char name[256];
};

/* Starts path stopped right after exec (no ASLR); fills its maps, rip and start_brk. */
static int host_exec_snapshot(const char *path, struct host_map *maps, int max, int *n,
			      unsigned long *rip, unsigned long *brk)
{
	char file[64], line[512];
	FILE *f;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *const argv[] = { (char *)path, NULL };
		char *const envp[] = { NULL };

		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || personality(ADDR_NO_RANDOMIZE) < 0)
			_exit(77);
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		return -1;
	}
	errno = 0;
	*rip = (unsigned long)ptrace(PTRACE_PEEKUSER, pid, RIP * sizeof(long), 0);
	if (errno) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	f = fopen(file, "r");
	*n = 0;
	while (f && *n < max && fgets(line, sizeof(line), f)) {
		struct host_map *m = &maps[*n];

		m->name[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %255s", &m->start, &m->end, m->perms,
			   &m->off, m->name) >= 4)
			(*n)++;
	}
	if (f)
		fclose(f);
	snprintf(file, sizeof(file), "/proc/%d/stat", pid);
	f = fopen(file, "r");
	*brk = 0;
	if (f && fgets(line, sizeof(line), f)) {
		/* start_brk is field 47; the comm field (2) has no spaces here. */
		char *p = line;

		for (int field = 1; field < 47 && p; field++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (p)
			*brk = strtoul(p, NULL, 10);
	}
	if (f)
		fclose(f);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}

static int prot_of(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

/*
 * Loads path like the host does and compares every mapping but the stack and the kernel's
 * own ([vdso], [vvar], [vsyscall]). The fake mmap base is set where the host's loader
 * ended up, so top-down placement is comparable.
 */
static void compare_with_host(const char *path, const char *interp)
{
	struct host_map maps[128];
	unsigned long rip, brk, top = 0;
	const struct fake_vma *v;
	struct loader_result res;
	struct mm *mm;
	size_t nv, k = 0;
	int n, compared = 0;

	if (access(path, X_OK) || (interp && access(interp, X_OK)))
		SKIP("%s not here", path);
	if (host_exec_snapshot(path, maps, 128, &n, &rip, &brk))
		SKIP("cannot trace a child here");
	/* The highest mapping below the stack is where the host's mmap area began. */
	for (int i = 0; i < n; i++)
		if (maps[i].name[0] == '/' && maps[i].end > top)
			top = maps[i].end;
	if (!strcmp(path, "/bin/busybox"))
		top = MMAP_BASE;

	mm = fake_mm_new(TASK_SIZE, top);
	{
		const char *const argv[] = { path, NULL }, *const envp[] = { NULL };

		ASSERT_EQ(load(mm, path, argv, envp, &res), 0);
	}
	EXPECT_EQ(res.entry, rip);
	EXPECT_EQ(res.brk_start, brk);

	nv = fake_mm_vmas(mm, &v);
	for (int i = 0; i < n; i++) {
		struct host_map *m = &maps[i];

		if (m->name[0] == '[' || m->start >= STACK_TOP - STACK_SIZE)
			continue;
		compared++;
		/* The host merges nothing across files; our anonymous bss may be split. */
		while (k < nv && v[k].end <= m->start)
			k++;
		if (k == nv) {
			harness_fail(__FILE__, __LINE__, "host %lx-%lx %s %s: not mapped by us",
				     m->start, m->end, m->perms, m->name);
			continue;
		}
		if (v[k].start != m->start || v[k].prot != prot_of(m->perms) ||
		    (m->name[0] == '/') != (v[k].file != NULL) ||
		    (v[k].file && v[k].off != m->off)) {
			harness_fail(__FILE__, __LINE__,
				     "host %lx-%lx %s %lx %s vs ours %lx-%lx prot %d off %lx %s",
				     m->start, m->end, m->perms, m->off, m->name,
				     (unsigned long)v[k].start, (unsigned long)v[k].end, v[k].prot,
				     (unsigned long)v[k].off,
				     v[k].file ? fake_file_path(v[k].file) : "anon");
		}
		/* Our VMAs may be finer-grained; walk them to the host VMA's end. */
		while (k < nv && v[k].end < m->end)
			k++;
		if (k < nv && v[k].end != m->end)
			harness_fail(__FILE__, __LINE__, "host %lx-%lx %s: ours ends at %lx",
				     m->start, m->end, m->name, (unsigned long)v[k].end);
		k++;
	}
	harness_diag("%s: %d host mappings compared", path, compared);
	EXPECT_GT(compared, 0);
	/* Nothing of ours is missing on the host side, other than the stack. */
	for (; k < nv; k++)
		if (v[k].start < STACK_TOP - STACK_SIZE)
			harness_fail(__FILE__, __LINE__, "ours %lx-%lx not on the host",
				     (unsigned long)v[k].start, (unsigned long)v[k].end);
	release(mm, &res);
}

TEST(layout_matches_host_dynamic_pie)
{
	compare_with_host("/bin/cat", "/lib64/ld-linux-x86-64.so.2");
}

TEST(layout_matches_host_static)
{
	compare_with_host("/bin/busybox", NULL);
}

TEST(layout_matches_host_loader_run_directly)
{
	compare_with_host("/lib64/ld-linux-x86-64.so.2", NULL);
}

/* ---- synthetic files ---- */

static void write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, buf, len), (ssize_t)len);
	close(fd);
	ASSERT_EQ(chmod(path, mode), 0);
}

static char *tmp_path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", harness_tmpdir(), name);
	return buf[i];
}

static int load_simple(const char *path)
{
	const char *const argv[] = { "prog", NULL }, *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	struct loader_result res;
	int err = load(mm, path, argv, envp, &res);

	release(mm, &res);
	return err;
}

TEST(seed_bss_zeroed_and_brk)
{
	static struct elf_seed s;
	static unsigned char file[0x2000];
	const char *const argv[] = { "prog", NULL }, *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	const char *path = tmp_path("seed");
	struct loader_result res;
	unsigned char page[PAGE_SIZE];

	elf_seed_build(&s, false, false);
	/* File bytes after p_filesz in the last page: the loader must hide them. */
	memcpy(file, s.buf, s.len);
	memset(file + s.len, 0x77, sizeof(file) - s.len);
	write_file(path, file, sizeof(file), 0755);
	ASSERT_EQ(load(mm, path, argv, envp, &res), 0);
	EXPECT_EQ(res.entry, 0x400300);
	EXPECT_EQ(res.brk_start, 0x403000);
	ASSERT_EQ(fake_mm_read(mm, 0x401000, page, PAGE_SIZE), 0);
	EXPECT_EQ(page[0xff], 0x5a);
	for (size_t i = 0x100; i < PAGE_SIZE; i++)
		if (page[i])
			EXPECT_EQ(page[i], 0);
	ASSERT_EQ(fake_mm_read(mm, 0x402000, page, PAGE_SIZE), 0);
	EXPECT_EQ(page[0], 0);
	EXPECT_EQ(vma_at(mm, 0x402000)->prot, PROT_READ | PROT_WRITE);
	EXPECT_TRUE(vma_at(mm, 0x402000)->file == NULL);
	EXPECT_EQ(vma_at(mm, 0x400000)->prot, PROT_READ | PROT_EXEC);
	EXPECT_TRUE(vma_at(mm, 0x403000) == NULL);
	EXPECT_STREQ(res.comm, "seed");
	release(mm, &res);
}

TEST(seed_exec_stack)
{
	static struct elf_seed s;
	const char *const argv[] = { "prog", NULL }, *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	const char *path = tmp_path("xstack");
	struct loader_result res;

	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.stack)->p_flags |= PF_X;
	write_file(path, s.buf, s.len, 0755);
	ASSERT_EQ(load(mm, path, argv, envp, &res), 0);
	EXPECT_EQ(vma_at(mm, STACK_TOP - 1)->prot, PROT_READ | PROT_WRITE | PROT_EXEC);
	release(mm, &res);
}

TEST(static_pie_goes_to_mmap_area)
{
	static struct elf_seed s;
	const char *const argv[] = { "prog", NULL }, *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	const char *path = tmp_path("spie");
	struct loader_result res;
	struct guest_stack gs;

	elf_seed_build(&s, true, false);
	write_file(path, s.buf, s.len, 0755);
	ASSERT_EQ(load(mm, path, argv, envp, &res), 0);
	/* Three pages, top-down from the mmap base, like Linux without an interpreter. */
	EXPECT_EQ(res.entry, MMAP_BASE - 0x3000 + 0x300);
	read_stack(mm, res.sp, &gs);
	EXPECT_EQ(auxv_get(&gs, AT_PHDR), MMAP_BASE - 0x3000 + 0x40);
	EXPECT_EQ(auxv_get(&gs, AT_BASE), 0);
	release(mm, &res);
}

TEST(argc_zero_gets_empty_argv0)
{
	const char *const argv[] = { NULL }, *const envp[] = { NULL };
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	struct loader_result res;
	struct guest_stack gs;

	if (access("/bin/busybox", X_OK))
		SKIP("no /bin/busybox");
	ASSERT_EQ(load(mm, "/bin/busybox", argv, envp, &res), 0);
	read_stack(mm, res.sp, &gs);
	EXPECT_EQ(gs.argc, 1);
	EXPECT_STREQ(gs.argv[0], "");
	release(mm, &res);
}

TEST(errors_open_and_permission)
{
	const char *noexec = tmp_path("plain");
	const char *fifo = tmp_path("fifo");

	EXPECT_EQ(load_simple("/nonexistent/prog"), -ENOENT);
	EXPECT_EQ(load_simple(harness_tmpdir()), -EACCES);
	EXPECT_EQ(load_simple("/dev/null"), -EACCES);
	write_file(noexec, "#!/bin/true\n", 12, 0644);
	EXPECT_EQ(load_simple(noexec), -EACCES);
	/* A FIFO must fail, not block the loader. */
	ASSERT_EQ(mkfifo(fifo, 0755), 0);
	EXPECT_EQ(load_simple(fifo), -EACCES);

	ASSERT_EQ(chmod(noexec, 0755), 0);
	EXPECT_EQ(load_simple(noexec), 0);
	fake_set_noexec_prefix(harness_tmpdir());
	EXPECT_EQ(load_simple(noexec), -EACCES);
	fake_set_noexec_prefix(NULL);
}

TEST(errors_format)
{
	static struct elf_seed s;
	const char *p = tmp_path("junk");

	write_file(p, "hello world\n", 12, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);
	write_file(p, "", 0, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);
	write_file(p, "#!", 2, 0755);
	EXPECT_EQ(load_simple(p), -EACCES); /* "" is the cwd, as in Linux */
	write_file(p, "#!\n", 3, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);

	elf_seed_build(&s, false, false);
	write_file(p, s.buf, 0x100, 0755); /* segments past EOF */
	EXPECT_EQ(load_simple(p), -ENOEXEC);
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_machine = EM_AARCH64;
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);

	/* The entry we would jump to must be a user address; AT_ENTRY alone may be junk. */
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_entry = 0xffff800000000000ULL;
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);
	if (!access(ELF_SEED_INTERP, X_OK)) {
		elf_seed_build(&s, true, true);
		elf_seed_ehdr(&s)->e_entry = 0xffff800000000000ULL;
		write_file(p, s.buf, s.len, 0755);
		EXPECT_EQ(load_simple(p), 0);
	}

	/* A fixed segment where the stack is. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_data)->p_vaddr = STACK_TOP - 0x2000;
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ENOMEM);
	/* Below mmap_min_addr. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_text)->p_vaddr = 0;
	elf_seed_phdr(&s, s.load_data)->p_vaddr = 0x1000;
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -EPERM);
}

TEST(errors_interp)
{
	static struct elf_seed s;
	const char *p = tmp_path("dyn"), *script = tmp_path("notelf");
	char *ipath;

	elf_seed_build(&s, true, true);
	ipath = (char *)s.buf + elf_seed_phdr(&s, s.interp)->p_offset;
	strcpy(ipath, "/nonexistent/ld.so");
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ENOENT);

	/* An interpreter that is not an ELF file: Linux's ELIBBAD. */
	write_file(script, "#!/bin/true\n", 12, 0755);
	elf_seed_build(&s, true, true);
	elf_seed_phdr(&s, s.interp)->p_filesz = strlen(script) + 1;
	ipath = (char *)s.buf + elf_seed_phdr(&s, s.interp)->p_offset;
	strcpy(ipath, script);
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ELIBBAD);

	/* Not NUL-terminated. */
	elf_seed_build(&s, true, true);
	elf_seed_phdr(&s, s.interp)->p_filesz -= 1;
	write_file(p, s.buf, s.len, 0755);
	EXPECT_EQ(load_simple(p), -ENOEXEC);
}

TEST(errors_e2big_after_open_errors)
{
	const char *envp[] = { NULL };
	const char *argv[] = { "prog", NULL, NULL };
	char *big = malloc(200000);
	struct mm *mm;
	struct loader_result res;

	ASSERT_TRUE(big != NULL);
	memset(big, 'x', 199999);
	big[199999] = '\0';
	argv[1] = big;
	mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	EXPECT_EQ(load(mm, "/nonexistent", argv, envp, &res), -ENOENT);
	release(mm, &res);
	mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	EXPECT_EQ(load(mm, "/bin/true", argv, envp, &res), -E2BIG);
	release(mm, &res);
	free(big);
}

/* ---- "#!" ---- */

TEST(script_argv_and_exe)
{
	const char *const argv[] = { "whatever", "a1", "a2", NULL }, *const envp[] = { NULL };
	const char *path = tmp_path("s.sh");
	struct mm *mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	struct loader_result res;
	struct guest_stack gs;

	if (access("/bin/busybox", X_OK))
		SKIP("no /bin/busybox");
	write_file(path, "#!/bin/busybox  sh -x \nexit 0\n", 30, 0755);
	ASSERT_EQ(load(mm, path, argv, envp, &res), 0);
	read_stack(mm, res.sp, &gs);
	EXPECT_EQ(gs.argc, 5);
	EXPECT_STREQ(gs.argv[0], "/bin/busybox");
	EXPECT_STREQ(gs.argv[1], "sh -x");
	EXPECT_STREQ(gs.argv[2], path);
	EXPECT_STREQ(gs.argv[3], "a1");
	EXPECT_STREQ(gs.argv[4], "a2");
	/* AT_EXECFN and comm name the script; the exe is the interpreter. */
	EXPECT_STREQ(gs.execfn, path);
	EXPECT_STREQ(res.comm, "s.sh");
	EXPECT_STREQ(fake_file_path(res.exe), "/bin/busybox");
	release(mm, &res);
}

/* s0 runs /bin/true; s<i> runs s<i-1>. */
static void make_chain(int n)
{
	char line[600], name[16];

	for (int i = 0; i < n; i++) {
		int len = i ? snprintf(line, sizeof(line), "#!%s/s%d\n", harness_tmpdir(), i - 1) :
			      snprintf(line, sizeof(line), "#!/bin/true\n");

		snprintf(name, sizeof(name), "s%d", i);
		write_file(tmp_path(name), line, (size_t)len, 0755);
	}
}

TEST(script_chain_depth_like_linux)
{
	const char *const argv[] = { "x", NULL }, *const envp[] = { NULL };
	struct mm *mm;
	struct loader_result res;
	struct guest_stack gs;

	if (access("/bin/true", X_OK))
		SKIP("no /bin/true");
	make_chain(6);
	/* Five scripts, then the binary: what Linux still runs (checked on the host). */
	mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	ASSERT_EQ(load(mm, tmp_path("s4"), argv, envp, &res), 0);
	read_stack(mm, res.sp, &gs);
	EXPECT_EQ(gs.argc, 6);
	EXPECT_STREQ(gs.argv[0], "/bin/true");
	EXPECT_STREQ(gs.argv[1], tmp_path("s0"));
	EXPECT_STREQ(gs.argv[5], tmp_path("s4"));
	EXPECT_STREQ(fake_file_path(res.exe), "/bin/true");
	release(mm, &res);

	mm = fake_mm_new(TASK_SIZE, MMAP_BASE);
	EXPECT_EQ(load(mm, tmp_path("s5"), argv, envp, &res), -ELOOP);
	release(mm, &res);

	/* The host agrees on both. */
	{
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			char *const a[] = { (char *)"x", NULL };

			execve(tmp_path("s5"), a, (char *const *)envp);
			_exit(errno == ELOOP ? 42 : 43);
		}
		waitpid(pid, &status, 0);
		EXPECT_EQ(WEXITSTATUS(status), 42);
		pid = fork();
		if (pid == 0) {
			char *const a[] = { (char *)"x", NULL };

			execve(tmp_path("s4"), a, (char *const *)envp);
			_exit(43);
		}
		waitpid(pid, &status, 0);
		EXPECT_EQ(WEXITSTATUS(status), 0);
	}
}

TEST(script_missing_interp)
{
	const char *p = tmp_path("bad.sh");

	write_file(p, "#!/nonexistent/sh\n", 18, 0755);
	EXPECT_EQ(load_simple(p), -ENOENT);
	write_file(p, "#!/dev/null\n", 12, 0755);
	EXPECT_EQ(load_simple(p), -EACCES);
}
