/*
 * The loader's pure parts: ELF validation (real host binaries, and a valid seed broken
 * one field at a time), the "#!" line parser (checked against the host kernel itself) and
 * the initial stack image (checked against a real process stack laid out by the host).
 *
 * The host kernel is the oracle: this program re-executes itself (through a "#!" line or
 * directly) with WARDEN_LOADER_ORACLE set and reports what the kernel gave it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/loader/elf.h"
#include "sentry/loader/script.h"
#include "sentry/loader/stack.h"
#include "tests/fuzz/elf_seed.h"
#include "tests/harness/harness.h"

#define ORACLE_ENV "WARDEN_LOADER_ORACLE"

/* ---- helpers ---- */

static unsigned char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf;
	size_t done = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	*len = done;
	return buf;
}

static int parse_seed(struct elf_seed *s, struct elf_info *info)
{
	return elf_parse(s->buf, s->len, info);
}

/* ---- real binaries ---- */

TEST(elf_parses_dynamic_pie_bin_ls)
{
	struct elf_info info;
	unsigned char *buf;
	size_t len;

	buf = read_whole("/bin/ls", &len);
	if (!buf)
		SKIP("no /bin/ls");
	ASSERT_EQ(elf_parse(buf, len, &info), 0);
	EXPECT_EQ(info.type, ET_DYN);
	EXPECT_TRUE(info.has_interp);
	EXPECT_STREQ((const char *)buf + info.interp_off, "/lib64/ld-linux-x86-64.so.2");
	EXPECT_EQ(info.min_vaddr, 0);
	EXPECT_TRUE(info.has_phdr_addr);
	EXPECT_EQ(info.phdr_vaddr, info.phoff); /* the first PT_LOAD maps the file at 0 */
	EXPECT_FALSE(info.exec_stack);
	EXPECT_GE(info.nload, 2);
	EXPECT_LT(info.entry, info.max_vaddr);
	free(buf);
}

TEST(elf_parses_static_busybox)
{
	struct elf_info info;
	unsigned char *buf;
	size_t len;

	buf = read_whole("/bin/busybox", &len);
	if (!buf)
		SKIP("no /bin/busybox");
	ASSERT_EQ(elf_parse(buf, len, &info), 0);
	EXPECT_EQ(info.type, ET_EXEC);
	EXPECT_FALSE(info.has_interp);
	EXPECT_GE(info.min_vaddr, 0x10000);
	EXPECT_GE(info.entry, info.min_vaddr);
	EXPECT_LT(info.entry, info.max_vaddr);
	free(buf);
}

TEST(elf_parses_dynamic_loader)
{
	struct elf_info info;
	unsigned char *buf;
	size_t len;

	buf = read_whole("/lib64/ld-linux-x86-64.so.2", &len);
	if (!buf)
		SKIP("no /lib64/ld-linux-x86-64.so.2");
	ASSERT_EQ(elf_parse(buf, len, &info), 0);
	EXPECT_EQ(info.type, ET_DYN);
	EXPECT_FALSE(info.has_interp);
	EXPECT_EQ(info.min_vaddr, 0);
	free(buf);
}

/* Every x86-64 executable and library the host can load must pass our checks too. */
static int check_dir(const char *dir, int *checked)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int bad = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[4096];
		struct elf_info info;
		unsigned char *buf;
		size_t len;
		Elf64_Ehdr eh;
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = read_whole(path, &len);
		if (!buf)
			continue;
		if (len >= sizeof(eh)) {
			memcpy(&eh, buf, sizeof(eh));
			if (!memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
			    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64 &&
			    (eh.e_type == ET_EXEC || eh.e_type == ET_DYN)) {
				err = elf_parse(buf, len, &info);
				(*checked)++;
				if (err) {
					harness_diag("%s: %d", path, err);
					bad++;
				}
			}
		}
		free(buf);
	}
	closedir(d);
	return bad;
}

TEST_TIMEOUT(elf_parses_every_host_binary, 60)
{
	static const char *const dirs[] = {
		"/bin",	       "/sbin", "/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu",
		"/usr/libexec"
	};
	int checked = 0, bad = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		bad += check_dir(dirs[i], &checked);
	harness_diag("%d host ELF files checked", checked);
	if (!checked)
		SKIP("no host binaries");
	EXPECT_EQ(bad, 0);
}

/* ---- the seed and its breakages ---- */

TEST(elf_seed_parses)
{
	struct elf_seed s;
	struct elf_info info;

	elf_seed_build(&s, false, false);
	ASSERT_EQ(parse_seed(&s, &info), 0);
	EXPECT_EQ(info.type, ET_EXEC);
	EXPECT_EQ(info.nload, 2);
	EXPECT_EQ(info.min_vaddr, 0x400000);
	EXPECT_EQ(info.first_vaddr, 0x400000);
	EXPECT_EQ(info.max_vaddr, 0x403000);
	EXPECT_EQ(info.phdr_vaddr, 0x400040);
	EXPECT_EQ(info.max_align, 0x1000);
	EXPECT_FALSE(info.has_interp);
	EXPECT_FALSE(info.exec_stack);

	elf_seed_build(&s, true, true);
	ASSERT_EQ(parse_seed(&s, &info), 0);
	EXPECT_EQ(info.type, ET_DYN);
	EXPECT_TRUE(info.has_interp);
	EXPECT_EQ(info.interp_off, 0x200);
	EXPECT_EQ(info.interp_len, sizeof(ELF_SEED_INTERP));
	EXPECT_EQ(info.min_vaddr, 0);
	EXPECT_EQ(info.phdr_vaddr, 0x40);
}

TEST(elf_rejects_truncated)
{
	struct elf_seed s;
	struct elf_info info;

	elf_seed_build(&s, false, true);
	for (size_t len = 0; len < sizeof(Elf64_Ehdr) + s.phnum * sizeof(Elf64_Phdr); len++)
		EXPECT_EQ(elf_parse(s.buf, len, &info), -ENOEXEC);
	/* Headers intact, but the data segment's bytes are missing. */
	EXPECT_EQ(elf_parse(s.buf, 0x1080, &info), -ENOEXEC);
	EXPECT_EQ(elf_parse(s.buf, 0x1100, &info), 0);
}

TEST(elf_rejects_bad_ident)
{
	struct elf_seed s;
	struct elf_info info;

	elf_seed_build(&s, false, false);
	s.buf[EI_MAG1] = 'e';
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	s.buf[EI_CLASS] = ELFCLASS32;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	s.buf[EI_DATA] = ELFDATA2MSB;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	s.buf[EI_VERSION] = 2;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
}

TEST(elf_rejects_bad_machine_and_type)
{
	static const int machines[] = { EM_386, EM_AARCH64, EM_RISCV, 0 };
	static const int types[] = { ET_NONE, ET_REL, ET_CORE, 0xfe00 };
	struct elf_seed s;
	struct elf_info info;

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		elf_seed_build(&s, false, false);
		elf_seed_ehdr(&s)->e_machine = (Elf64_Half)machines[i];
		EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		elf_seed_build(&s, false, false);
		elf_seed_ehdr(&s)->e_type = (Elf64_Half)types[i];
		EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	}
}

TEST(elf_rejects_bad_phdr_table)
{
	struct elf_seed s;
	struct elf_info info;

	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phentsize = 32;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phnum = 0;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* More than 64 KiB of program headers: Linux refuses before reading them. */
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phnum = ELF_MAX_PHNUM + 1;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phnum = PN_XNUM;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* A table that runs past the end of the file. */
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phoff = s.len - sizeof(Elf64_Phdr);
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	elf_seed_ehdr(&s)->e_phoff = ~0ULL - 8;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* No PT_LOAD at all. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_text)->p_type = PT_NOTE;
	elf_seed_phdr(&s, s.load_data)->p_type = PT_NOTE;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
}

TEST(elf_rejects_segments_out_of_bounds)
{
	struct elf_seed s;
	struct elf_info info;
	Elf64_Phdr *ph;

	/* File range beyond EOF, and overflowing. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_data)->p_filesz = 0x101;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	ph = elf_seed_phdr(&s, s.load_data);
	ph->p_offset = ~0ULL - 0xfff;
	ph->p_vaddr = ~0ULL - 0xfff;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* More file than memory. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_data)->p_memsz = 0x80;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* Memory range wrapping or past the user address space. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_data)->p_memsz = ~0ULL - 0x1000;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	elf_seed_build(&s, false, false);
	ph = elf_seed_phdr(&s, s.load_data);
	ph->p_vaddr = ELF_ADDR_LIMIT - 0x1000;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	ph->p_vaddr = ELF_ADDR_LIMIT - 0x2000;
	EXPECT_EQ(parse_seed(&s, &info), 0);
	EXPECT_EQ(info.max_vaddr, ELF_ADDR_LIMIT);

	/* p_offset and p_vaddr on different page offsets. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_data)->p_vaddr += 8;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
}

TEST(elf_rejects_overlapping_or_unsorted_segments)
{
	struct elf_seed s;
	struct elf_info info;
	Elf64_Phdr tmp;

	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_text)->p_memsz = 0x1001;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	elf_seed_build(&s, false, false);
	tmp = *elf_seed_phdr(&s, s.load_text);
	*elf_seed_phdr(&s, s.load_text) = *elf_seed_phdr(&s, s.load_data);
	*elf_seed_phdr(&s, s.load_data) = tmp;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);

	/* Sharing a page but not a byte is what linkers produce: allowed, as in Linux. */
	elf_seed_build(&s, false, false);
	elf_seed_phdr(&s, s.load_text)->p_memsz = 0x1000;
	elf_seed_phdr(&s, s.load_text)->p_filesz = 0x1000;
	EXPECT_EQ(parse_seed(&s, &info), 0);
}

TEST(elf_checks_interp)
{
	struct elf_seed s;
	struct elf_info info;
	Elf64_Phdr *ph;

	elf_seed_build(&s, true, true);
	ph = elf_seed_phdr(&s, s.interp);
	ph->p_filesz = 1;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	ph->p_filesz = ELF_INTERP_MAX + 1;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	ph->p_filesz = sizeof(ELF_SEED_INTERP) - 1; /* not NUL-terminated */
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
	ph->p_filesz = sizeof(ELF_SEED_INTERP);
	ph->p_offset = s.len - 4;
	EXPECT_EQ(parse_seed(&s, &info), -ENOEXEC);
}

TEST(elf_records_exec_stack_and_alignment)
{
	struct elf_seed s;
	struct elf_info info;

	elf_seed_build(&s, true, false);
	elf_seed_phdr(&s, s.stack)->p_flags |= PF_X;
	elf_seed_phdr(&s, s.load_text)->p_align = 0x200000;
	elf_seed_phdr(&s, s.load_data)->p_align = 0x3000; /* not a power of two: ignored */
	ASSERT_EQ(parse_seed(&s, &info), 0);
	EXPECT_TRUE(info.exec_stack);
	EXPECT_EQ(info.max_align, 0x200000);
	EXPECT_EQ(elf_prot(PF_R | PF_X), 0x5);
	EXPECT_EQ(elf_prot(PF_R | PF_W), 0x3);
}

/* ---- "#!" lines ---- */

static int script(const char *line, size_t len, struct script_line *sl)
{
	return loader_script_parse(line, len, sl);
}
#define SCRIPT(lit, sl) script(lit, sizeof(lit) - 1, sl)

TEST(script_interp_and_arg)
{
	struct script_line sl;

	ASSERT_EQ(SCRIPT("#!/bin/sh -x\necho hi\n", &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_STREQ(sl.arg, "-x");

	ASSERT_EQ(SCRIPT("#!/bin/sh\n", &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_TRUE(sl.arg == NULL);

	/* One argument: everything after the first whitespace run, trailing blanks cut. */
	ASSERT_EQ(SCRIPT("#!  /usr/bin/env \t python3  -u \t \n", &sl), 0);
	EXPECT_STREQ(sl.interp, "/usr/bin/env");
	EXPECT_STREQ(sl.arg, "python3  -u");

	ASSERT_EQ(SCRIPT("#!/bin/sh\t-e\n", &sl), 0);
	EXPECT_STREQ(sl.arg, "-e");
	ASSERT_EQ(SCRIPT("#!/bin/sh   \n", &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_TRUE(sl.arg == NULL);

	/* No newline: the file ends (NUL padding) after the name. */
	ASSERT_EQ(SCRIPT("#!/bin/sh", &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_TRUE(sl.arg == NULL);

	/* An empty name, as Linux parses it (its exec then fails opening ""). */
	ASSERT_EQ(SCRIPT("#!", &sl), 0);
	EXPECT_STREQ(sl.interp, "");
	ASSERT_EQ(SCRIPT("#! \0/bin/sh", &sl), 0);
	EXPECT_STREQ(sl.interp, "");

	/* A NUL ends the name and hides the rest of the line. */
	ASSERT_EQ(SCRIPT("#!/bin/sh\0-x\n", &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_TRUE(sl.arg == NULL);
}

TEST(script_rejects_missing_interp)
{
	struct script_line sl;

	EXPECT_EQ(SCRIPT("#!\n/bin/sh\n", &sl), -ENOEXEC);
	EXPECT_EQ(SCRIPT("#! \t \n", &sl), -ENOEXEC);
	EXPECT_EQ(SCRIPT("# !/bin/sh\n", &sl), -ENOEXEC);
	EXPECT_EQ(SCRIPT("\x7f"
			 "ELF",
			 &sl),
		  -ENOEXEC);
	EXPECT_EQ(script("", 0, &sl), -ENOEXEC);
}

TEST(script_long_lines)
{
	struct script_line sl;
	char line[400];

	/* A name running to the end of the buffer may be truncated: refused. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "#!/", 3);
	EXPECT_EQ(script(line, sizeof(line), &sl), -ENOEXEC);

	/* A name that ends just inside the buffer is fine. */
	line[LOADER_BINPRM_BUF_SIZE - 1] = ' ';
	ASSERT_EQ(script(line, sizeof(line), &sl), 0);
	EXPECT_EQ(strlen(sl.interp), LOADER_BINPRM_BUF_SIZE - 3);
	EXPECT_TRUE(sl.arg == NULL);

	/* A long argument is cut at the buffer end (the interpreter re-reads the file). */
	memset(line, 'b', sizeof(line));
	memcpy(line, "#!/bin/sh ", 10);
	ASSERT_EQ(script(line, sizeof(line), &sl), 0);
	EXPECT_STREQ(sl.interp, "/bin/sh");
	EXPECT_EQ(strlen(sl.arg), LOADER_BINPRM_BUF_SIZE - 1 - 10);
}

/* Runs path (a script whose interpreter is this program) and reads back the argv the host
 * kernel gave the interpreter, as NUL-separated strings. Length or -1. */
static ssize_t host_exec_argv(const char *path, char *out, size_t outlen)
{
	char *const argv[] = { (char *)path, (char *)"extra", NULL };
	char *const envp[] = { (char *)ORACLE_ENV "=argv", NULL };
	int pfd[2], status;
	ssize_t len = 0, n;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + len, outlen - (size_t)len)) > 0)
		len += n;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return len;
}

TEST(script_parse_matches_host_kernel)
{
	static const char *const tails[] = {
		"\n", " -x\n",	"\t-x  \t\n", "  a  b\tc \n", "",
		" ",  "\0-x\n", "  \0 x",     " LONG",	      "\tLONG\n",
	};
	char self[256], path[512], line[LOADER_BINPRM_BUF_SIZE + 64], got[4096];
	const char *dir = harness_tmpdir();
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self));

	if (n <= 0 || n > 100)
		SKIP("own path unusable as an interpreter");
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/script", dir);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t len = (size_t)snprintf(line, sizeof(line), "#!%s", self);
		size_t tlen = i == 6 ? 4 : i == 7 ? 5 : strlen(tails[i]);
		struct script_line sl;
		char want[4096];
		size_t wlen = 0;
		ssize_t glen;
		int fd;

		if (strstr(tails[i], "LONG")) {
			line[len++] = tails[i][0];
			while (len < sizeof(line) - 1)
				line[len++] = 'z';
		} else {
			memcpy(line + len, tails[i], tlen);
			len += tlen;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(write(fd, line, len), (ssize_t)len);
		close(fd);

		ASSERT_EQ(loader_script_parse(line, len, &sl), 0);
		/* The interpreter sees [interp, arg?, script path, argv[1..]]. */
		wlen += (size_t)sprintf(want + wlen, "%s", sl.interp) + 1;
		if (sl.arg)
			wlen += (size_t)sprintf(want + wlen, "%s", sl.arg) + 1;
		wlen += (size_t)sprintf(want + wlen, "%s", path) + 1;
		wlen += (size_t)sprintf(want + wlen, "extra") + 1;

		glen = host_exec_argv(path, got, sizeof(got));
		ASSERT_GE(glen, 0);
		EXPECT_EQ((size_t)glen, wlen);
		if ((size_t)glen == wlen)
			EXPECT_MEMEQ(got, want, wlen);
		else
			harness_diag("case %zu differs from the host", i);
	}
}

/* ---- the stack image ---- */

static const char *const test_argv[] = { "prog", "-a", "some argument" };
static const char *const test_envp[] = { "A=1", "PATH=/bin:/usr/bin" };

static void stack_spec(struct loader_stack_spec *s, size_t argc, size_t envc)
{
	memset(s, 0, sizeof(*s));
	s->argv = test_argv;
	s->argc = argc;
	s->envp = test_envp;
	s->envc = envc;
	s->execfn = "/usr/bin/prog";
	s->phdr = 0x555555554040;
	s->phnum = 13;
	s->base = 0x7ffff7fc3000;
	s->entry = 0x5555555563d0;
	s->uid = 1000;
	s->euid = 1001;
	s->gid = 1002;
	s->egid = 1003;
	for (int i = 0; i < 16; i++)
		s->random[i] = (unsigned char)(0xa0 + i);
}

/* The guest address a in the image, as a host pointer. */
static const void *at(const struct loader_stack_image *img, uint64_t a)
{
	if (a < img->sp || a >= img->sp + img->len)
		return NULL;
	return (const char *)img->buf + (a - img->sp);
}

TEST(stack_layout_like_linux)
{
	static const uint64_t order[] = {
		AT_MINSIGSTKSZ, AT_HWCAP,  AT_PAGESZ, AT_CLKTCK, AT_PHDR,     AT_PHENT, AT_PHNUM,
		AT_BASE,	AT_FLAGS,  AT_ENTRY,  AT_UID,	 AT_EUID,     AT_GID,	AT_EGID,
		AT_SECURE,	AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM, AT_NULL,
	};
	const uint64_t top = 0x7fffffffe000;
	struct loader_stack_spec s;
	struct loader_stack_image img;
	const uint64_t *w;
	size_t i, k;

	stack_spec(&s, 3, 2);
	ASSERT_EQ(loader_stack_image(&s, top, &img), 0);
	EXPECT_EQ(img.sp % 16, 0);
	EXPECT_EQ(img.sp + img.len, top);
	w = img.buf;
	ASSERT_EQ(w[0], 3);
	for (i = 0; i < 3; i++)
		EXPECT_STREQ(at(&img, w[1 + i]), test_argv[i]);
	EXPECT_EQ(w[4], 0);
	for (i = 0; i < 2; i++)
		EXPECT_STREQ(at(&img, w[5 + i]), test_envp[i]);
	EXPECT_EQ(w[7], 0);
	/* Strings ascend: argv[0] lowest, execfn right under the 8 zero bytes at the top. */
	EXPECT_LT(w[1], w[2]);
	EXPECT_LT(w[3], w[5]);
	EXPECT_EQ(img.execfn, top - 8 - sizeof("/usr/bin/prog"));
	EXPECT_EQ(*(const uint64_t *)at(&img, top - 8), 0);

	for (k = 0, i = 8; k < sizeof(order) / sizeof(order[0]); k++, i += 2)
		EXPECT_EQ(w[i], order[k]);
	EXPECT_EQ(img.auxv_len, 2 * sizeof(order) / sizeof(order[0]));
	EXPECT_MEMEQ(&w[8], img.auxv, img.auxv_len * 8);
	for (i = 8; w[i] != AT_NULL; i += 2) {
		uint64_t v = w[i + 1];

		switch (w[i]) {
		case AT_PAGESZ:
			EXPECT_EQ(v, 4096);
			break;
		case AT_CLKTCK:
			EXPECT_EQ(v, 100);
			break;
		case AT_PHDR:
			EXPECT_EQ(v, s.phdr);
			break;
		case AT_PHENT:
			EXPECT_EQ(v, 56);
			break;
		case AT_PHNUM:
			EXPECT_EQ(v, 13);
			break;
		case AT_BASE:
			EXPECT_EQ(v, s.base);
			break;
		case AT_ENTRY:
			EXPECT_EQ(v, s.entry);
			break;
		case AT_UID:
			EXPECT_EQ(v, 1000);
			break;
		case AT_EUID:
			EXPECT_EQ(v, 1001);
			break;
		case AT_GID:
			EXPECT_EQ(v, 1002);
			break;
		case AT_EGID:
			EXPECT_EQ(v, 1003);
			break;
		case AT_SECURE:
			EXPECT_EQ(v, 0);
			break;
		case AT_HWCAP:
			EXPECT_EQ(v, getauxval(AT_HWCAP));
			break;
		case AT_HWCAP2:
			EXPECT_EQ(v, getauxval(AT_HWCAP2));
			break;
		case AT_RANDOM:
			EXPECT_MEMEQ(at(&img, v), s.random, 16);
			break;
		case AT_EXECFN:
			EXPECT_STREQ(at(&img, v), "/usr/bin/prog");
			break;
		case AT_PLATFORM:
			EXPECT_STREQ(at(&img, v), "x86_64");
			break;
		case AT_MINSIGSTKSZ:
			EXPECT_GE(v, 1024);
			break;
		default:
			break;
		}
	}
	/* The random bytes sit above the tables, below the platform string. */
	EXPECT_GT(img.random, img.sp + (i + 2) * 8 - 1);
	EXPECT_EQ(img.platform, img.random + 16);
	free(img.buf);
}

TEST(stack_sp_aligned_for_every_count)
{
	struct loader_stack_spec s;
	struct loader_stack_image img;

	for (size_t a = 1; a <= 3; a++) {
		for (size_t e = 0; e <= 2; e++) {
			stack_spec(&s, a, e);
			s.vdso = e == 1 ? 0x7ffff7fc1000 : 0;
			ASSERT_EQ(loader_stack_image(&s, 0x7fffffffe000, &img), 0);
			EXPECT_EQ(img.sp % 16, 0);
			EXPECT_EQ(((const uint64_t *)img.buf)[0], a);
			if (s.vdso) {
				EXPECT_EQ(img.auxv[0], AT_SYSINFO_EHDR);
				EXPECT_EQ(img.auxv[1], s.vdso);
			}
			free(img.buf);
		}
	}
}

TEST(stack_limits_e2big)
{
	struct loader_stack_spec s;
	struct loader_stack_image img;
	const char **many;
	char *big = malloc(LOADER_MAX_ARG_STRLEN + 1);
	size_t n = LOADER_ARG_LIMIT / 8 + 1;

	ASSERT_TRUE(big != NULL);
	memset(big, 'x', LOADER_MAX_ARG_STRLEN);
	big[LOADER_MAX_ARG_STRLEN] = '\0';
	stack_spec(&s, 1, 0);
	s.argv = (const char *const *)&big;

	/* One byte over MAX_ARG_STRLEN (the NUL counts). */
	EXPECT_EQ(loader_stack_image(&s, 0x7fffffffe000, &img), -E2BIG);
	big[LOADER_MAX_ARG_STRLEN - 1] = '\0';
	ASSERT_EQ(loader_stack_image(&s, 0x7fffffffe000, &img), 0);
	free(img.buf);
	EXPECT_EQ(loader_check_args(s.argv, 1, NULL, 0, big, LOADER_ARG_LIMIT), 0);

	/* Sixteen of those are exactly 2 MiB of strings: over, with the pointers. */
	many = calloc(n, sizeof(*many));
	ASSERT_TRUE(many != NULL);
	for (size_t i = 0; i < 16; i++)
		many[i] = big;
	EXPECT_EQ(loader_check_args(many, 15, NULL, 0, "/x", LOADER_ARG_LIMIT), 0);
	EXPECT_EQ(loader_check_args(many, 16, NULL, 0, "/x", LOADER_ARG_LIMIT), -E2BIG);
	EXPECT_EQ(loader_check_args(NULL, 0, many, 16, "/x", LOADER_ARG_LIMIT), -E2BIG);

	/* Too many (empty) strings: the pointers alone exceed the limit. */
	for (size_t i = 0; i < n; i++)
		many[i] = "";
	EXPECT_EQ(loader_check_args(many, n, NULL, 0, "/x", LOADER_ARG_LIMIT), -E2BIG);
	EXPECT_EQ(loader_check_args(many, n / 4, NULL, 0, "/x", LOADER_ARG_LIMIT), 0);
	free(many);
	free(big);
}

/* Reports where the host put this process's stack strings (the oracle for the test below). */
static int oracle_stack(int argc, char **argv, char **envp)
{
	printf("top %#lx\n", getauxval(AT_EXECFN) + strlen((char *)getauxval(AT_EXECFN)) + 1 + 8);
	printf("execfn %#lx\nrandom %#lx\nplatform %#lx\n", getauxval(AT_EXECFN),
	       getauxval(AT_RANDOM), getauxval(AT_PLATFORM));
	for (int i = 0; i < argc; i++)
		printf("argv %p\n", (void *)argv[i]);
	for (int i = 0; envp[i]; i++)
		printf("envp %p\n", (void *)envp[i]);
	return 0;
}

TEST(stack_strings_where_linux_puts_them)
{
	char self[512], got[8192], want[8192];
	char *const argv[] = { (char *)"x", (char *)"hello", (char *)"", (char *)"world!", NULL };
	char *const envp[] = { (char *)ORACLE_ENV "=stack", (char *)"B=22", NULL };
	struct loader_stack_spec s;
	struct loader_stack_image img;
	unsigned long top = 0;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t wlen = 0, glen = 0;
	int pfd[2], status;
	pid_t pid;

	ASSERT_GT(n, 0);
	self[n] = '\0';
	ASSERT_EQ(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		/* Without randomization, arch_align_stack() only aligns: our layout exactly. */
		if (personality(ADDR_NO_RANDOMIZE) < 0)
			_exit(77);
		execve(self, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], got + glen, sizeof(got) - 1 - glen)) > 0)
		glen += (size_t)n;
	close(pfd[0]);
	got[glen] = '\0';
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		SKIP("personality(ADDR_NO_RANDOMIZE) not allowed");
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(sscanf(got, "top %lx", &top), 1);

	memset(&s, 0, sizeof(s));
	s.argv = (const char *const *)argv;
	s.argc = 4;
	s.envp = (const char *const *)envp;
	s.envc = 2;
	s.execfn = self;
	ASSERT_EQ(loader_stack_image(&s, top, &img), 0);
	wlen += (size_t)sprintf(want + wlen, "top %#lx\n", top);
	wlen += (size_t)sprintf(want + wlen, "execfn %#lx\nrandom %#lx\nplatform %#lx\n",
				img.execfn, img.random, img.platform);
	for (int i = 0; i < 4; i++)
		wlen += (size_t)sprintf(want + wlen, "argv %p\n",
					(void *)((const uint64_t *)img.buf)[1 + i]);
	for (int i = 0; i < 2; i++)
		wlen += (size_t)sprintf(want + wlen, "envp %p\n",
					(void *)((const uint64_t *)img.buf)[6 + i]);
	EXPECT_STREQ(got, want);
	free(img.buf);
}

int main(int argc, char **argv, char **envp)
{
	const char *oracle = getenv(ORACLE_ENV);

	if (oracle && !strcmp(oracle, "argv")) {
		for (int i = 0; i < argc; i++)
			fwrite(argv[i], 1, strlen(argv[i]) + 1, stdout);
		return 0;
	}
	if (oracle && !strcmp(oracle, "stack"))
		return oracle_stack(argc, argv, envp);
	return harness_main(argc, argv);
}
