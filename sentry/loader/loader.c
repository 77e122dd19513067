/*
 * execve's program loader: opens the file, follows "#!" interpreters, loads the ELF and
 * its dynamic loader, and writes the initial stack, in the order Linux's do_execve()
 * reports errors (open errors, then -E2BIG, then format errors). On failure the mm may
 * hold partial mappings: it is a fresh mm that the caller discards, so exec itself has no
 * point of no return here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fs/vfs/vfs.h"
#include "sentry/loader/internal.h"
#include "sentry/loader/loader.h"
#include "sentry/loader/stack.h"
#include "sentry/mm/mm.h"
#include "sentry/vdso/vdso.h"

/* The stack ends this far below the top of the address space: an unmapped guard page. */
#define LOADER_STACK_GAP PAGE_SIZE
/* Linux's stack_guard_gap (256 pages), kept between the stack limit and mmap_base. */
#define LOADER_STACK_GUARD_GAP (256 * PAGE_SIZE)

struct loader_ctx {
	const char **argv; /* the argv the program will see (script rewrites applied) */
	size_t argc;
	const char *const *envp;
	size_t envc;
	struct script_line lines[LOADER_MAX_DEPTH + 1]; /* own the #! strings argv points to */
};

int loader_read_exact(struct file *f, void *buf, size_t len, uint64_t pos)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n =
			vfs_kernel_read(f, (char *)buf + done, len - done, (int64_t)(pos + done));

		if (n < 0)
			return (int)n;
		/* The headers said these bytes exist: a file that shrank under us. */
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

void loader_file_release(struct loader_file *lf)
{
	if (lf->f)
		file_put(lf->f);
	lf->f = NULL;
}

int loader_open_exec(struct fs_view *fs, const struct vfs_cred *cred, const char *path,
		     struct loader_file *lf)
{
	return loader_open_exec_at(fs, cred, NULL, path, 0, NULL, lf);
}

int loader_open_exec_at(struct fs_view *fs, const struct vfs_cred *cred, const struct path *start,
			const char *name, int oflags, struct file *file, struct loader_file *lf)
{
	struct kstat st;
	int err;

	memset(lf, 0, sizeof(*lf));
	/* O_NONBLOCK: a FIFO swapped in for the file must not hang exec; it fails below. */
	oflags |= O_RDONLY | O_NONBLOCK | O_NOCTTY;
	if (file) {
		file_get(file);
		lf->f = file;
		err = 0;
	} else {
		err = vfs_openat(fs, start, name, oflags, 0, cred, &lf->f);
	}
	if (err)
		return err;
	err = vfs_fstat(lf->f, &st);
	if (err)
		goto out_put_file;
	err = -EACCES;
	if (!S_ISREG(st.mode) || st.size < 0)
		goto out_put_file;
	if (lf->f->path.mnt && (lf->f->path.mnt->flags & MS_NOEXEC))
		goto out_put_file;
	err = vfs_permission(lf->f->inode, MAY_EXEC, cred);
	if (err)
		goto out_put_file;
	lf->size = (uint64_t)st.size;

	while (lf->head_len < sizeof(lf->head)) {
		ssize_t n = vfs_kernel_read(lf->f, lf->head + lf->head_len,
					    sizeof(lf->head) - lf->head_len, (int64_t)lf->head_len);

		if (n < 0) {
			err = (int)n;
			goto out_put_file;
		}
		if (n == 0)
			break;
		lf->head_len += (size_t)n;
	}
	return 0;

out_put_file:
	loader_file_release(lf);
	return err;
}

/*
 * Opens an interpreter named by a file ("#!" line or PT_INTERP). Linux resolves an empty
 * name to the cwd, a directory, so exec fails with -EACCES rather than -ENOENT.
 */
static int loader_open_interp(const struct loader_args *args, const char *name,
			      struct loader_file *lf)
{
	memset(lf, 0, sizeof(*lf));
	if (!*name)
		return -EACCES;
	return loader_open_exec(args->fs, args->cred, name, lf);
}

/*
 * One "#!" step: argv becomes [interp, optional arg, the script's name, argv[1..]] and lf
 * becomes the interpreter, as binfmt_script does. *name is the script's name as argv
 * gets it (the path for the first script, then the previous interpreter's name).
 */
static int loader_script_step(struct loader_ctx *c, const struct loader_args *args, unsigned depth,
			      const char **name, struct loader_file *lf)
{
	struct script_line *sl = &c->lines[depth];
	struct loader_file next;
	size_t k;
	int err;

	err = loader_script_parse(lf->head, lf->head_len, sl);
	if (err)
		return err;
	k = sl->arg ? 3 : 2;
	memmove(&c->argv[k], &c->argv[1], (c->argc - 1) * sizeof(*c->argv));
	c->argv[0] = sl->interp;
	if (sl->arg)
		c->argv[1] = sl->arg;
	c->argv[k - 1] = *name;
	c->argc += k - 1;
	c->argv[c->argc] = NULL;
	err = loader_check_args(c->argv, c->argc, c->envp, c->envc, args->path,
				loader_arg_limit(args->stack_limit));
	if (err)
		return err;

	err = loader_open_interp(args, sl->interp, &next);
	if (err)
		return err;
	loader_file_release(lf);
	*lf = next;
	*name = sl->interp;
	return 0;
}

/* Maps the main thread's stack (size bytes) just below the top of the address space, and
 * keeps the mmap area below it the way Linux's mmap_base() does: the stack limit plus the
 * stack guard gap, at most 5/6 of the address space. The mm's own gap (larger than Linux's
 * 128 MiB minimum) stays the floor, so the default layout does not move. */
static int loader_map_stack(struct mm *mm, bool exec, uint64_t size, uaddr_t *top)
{
	uaddr_t task_size = PAGE_ALIGN_DOWN(mm_task_size(mm));
	int prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
	uint64_t gap;
	long r;

	if (task_size < size + LOADER_STACK_GAP + PAGE_SIZE)
		return -ENOMEM;
	gap = MIN(size + LOADER_STACK_GUARD_GAP, task_size / 6 * 5);
	*top = task_size - LOADER_STACK_GAP;
	/* MAP_GROWSDOWN | MAP_STACK mark it as the stack, as Linux's VM_GROWSDOWN does: the
	 * mm keeps its guard gap free and can name it "[stack]". It is fully mapped already. */
	r = mm_mmap(mm, *top - size, size, prot,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN | MAP_STACK, NULL, 0);
	if (r < 0)
		return (int)r;
	if (task_size - gap < mm_mmap_base(mm))
		mm_set_mmap_base(mm, PAGE_ALIGN_DOWN(task_size - gap));
	return 0;
}

static int loader_random(unsigned char *buf, size_t len)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes argc, argv, envp, auxv and their strings below top. */
static int loader_write_stack(struct mm *mm, const struct loader_args *args,
			      const struct loader_ctx *c, const struct loader_elf *exe,
			      const struct loader_elf *interp, uaddr_t top, uaddr_t vdso,
			      uaddr_t *sp, struct mm_exe_info *info)
{
	struct loader_stack_spec s = {
		.argv = c->argv,
		.argc = c->argc,
		.envp = c->envp,
		.envc = c->envc,
		.execfn = args->path,
		.phdr = exe->bias + exe->info.phdr_vaddr,
		.phnum = exe->info.phnum,
		.base = interp ? interp->bias : 0,
		.entry = exe->entry,
		.vdso = vdso,
		/* vfs_cred carries only the fs ids; they equal the real ones until setfsuid. */
		.uid = args->cred->fsuid,
		.euid = args->cred->fsuid,
		.gid = args->cred->fsgid,
		.egid = args->cred->fsgid,
		.stack_limit = args->stack_limit,
	};
	struct loader_stack_image img;
	int err;

	err = loader_random(s.random, sizeof(s.random));
	if (err)
		return err;
	err = loader_stack_image(&s, top, &img);
	if (err)
		return err;
	err = mm_copy_out_force(mm, img.sp, img.buf, img.len);
	free(img.buf);
	if (err)
		return err;
	*sp = img.sp;
	/* The strings are argv's, then envp's, then execfn's (stack.h): procfs's cmdline
	 * and environ are these ranges, as Linux's mm->arg_start.. are. */
	info->env_end = img.execfn;
	for (size_t i = 0; i < c->envc; i++)
		info->env_start += strlen(c->envp[i]) + 1;
	info->env_start = info->env_end - info->env_start;
	info->arg_end = info->env_start;
	for (size_t i = 0; i < c->argc; i++)
		info->arg_start += strlen(c->argv[i]) + 1;
	info->arg_start = info->arg_end - info->arg_start;
	info->start_stack = img.sp;
	return 0;
}

/* Loads the ELF in lf (and its PT_INTERP) into mm and builds the stack. */
static int loader_exec_elf(struct mm *mm, const struct loader_args *args,
			   const struct loader_ctx *c, struct loader_file *lf,
			   struct loader_result *out)
{
	struct loader_elf exe, interp = { 0 };
	struct loader_file ilf = { 0 };
	struct mm_exe_info info = { 0 };
	bool have_interp = false;
	char *ipath = NULL;
	uint64_t stack_size = loader_stack_size(args->stack_limit);
	uaddr_t top, vdso;
	int err;

	err = loader_elf_prepare(lf, &exe);
	if (err)
		goto out;
	if (exe.info.has_interp) {
		ipath = malloc(ELF_INTERP_MAX);
		err = -ENOMEM;
		if (!ipath)
			goto out;
		err = loader_elf_interp_path(lf, &exe, ipath);
		if (err)
			goto out;
		err = loader_open_interp(args, ipath, &ilf);
		if (err)
			goto out;
		err = loader_elf_prepare(&ilf, &interp);
		/* Linux: a dynamic loader we can't use is "accessing a corrupted library". */
		if (err == -ENOEXEC)
			err = -ELIBBAD;
		if (err)
			goto out;
		have_interp = true;
	}

	/* The stack first, as Linux does, so fixed segments can be checked against it. */
	err = loader_map_stack(mm, exe.info.exec_stack, stack_size, &top);
	if (err)
		goto out;
	err = loader_elf_map(mm, lf, &exe, LOADER_PLACE_MAIN, top - stack_size);
	if (err)
		goto out;
	if (have_interp) {
		err = loader_elf_map(mm, &ilf, &interp, LOADER_PLACE_INTERP, top - stack_size);
		if (err)
			goto out;
	}
	/* Like Linux, only the entry we jump to must be a user address (AT_ENTRY is just data
	 * when there is a dynamic loader). */
	out->entry = have_interp ? interp.entry : exe.entry;
	err = -ENOEXEC;
	if (out->entry >= mm_task_size(mm))
		goto out;
	/* After the dynamic loader, as Linux's arch_setup_additional_pages() comes. */
	err = vdso_map(mm, &vdso);
	if (err)
		goto out;
	mm_set_brk_start(mm, exe.brk);
	err = loader_write_stack(mm, args, c, &exe, have_interp ? &interp : NULL, top, vdso,
				 &out->sp, &info);
	if (err)
		goto out;
	info.exe = lf->f;
	mm_set_exe_info(mm, &info);

	out->brk_start = exe.brk;
	out->exe = lf->f; /* the caller's reference now */
	lf->f = NULL;
out:
	loader_elf_release(&interp);
	loader_elf_release(&exe);
	loader_file_release(&ilf);
	free(ipath);
	return err;
}

/* Linux names the task after the path's last component (kbasename), cut to 15 bytes. */
static void loader_comm(const char *path, char *comm, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strnlen(base, size - 1);
	memcpy(comm, base, n);
	comm[n] = '\0';
}

static int loader_is_elf(const struct loader_file *lf)
{
	return lf->head_len >= SELFMAG && memcmp(lf->head, ELFMAG, SELFMAG) == 0;
}

int loader_load(struct mm *mm, const struct loader_args *args, struct loader_result *out)
{
	static const char *const empty_argv0 = "";
	struct loader_file lf = { 0 };
	const char *name = args->path;
	struct loader_ctx *c;
	size_t argc;
	int err;

	memset(out, 0, sizeof(*out));
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->envp = (const char *const *)args->envp;
	c->envc = loader_count_strings(c->envp);
	argc = loader_count_strings((const char *const *)args->argv);
	/* Room for every #! rewrite (at most two more strings each) and a NULL. */
	c->argv = malloc((MAX(argc, 1) + 2 * (LOADER_MAX_DEPTH + 1) + 1) * sizeof(*c->argv));
	err = -ENOMEM;
	if (!c->argv)
		goto out_free;
	if (argc) {
		memcpy(c->argv, args->argv, argc * sizeof(*c->argv));
		c->argc = argc;
	} else {
		/* Linux 5.18+: a program never starts with argc == 0. */
		c->argv[0] = empty_argv0;
		c->argc = 1;
	}
	c->argv[c->argc] = NULL;

	err = loader_open_exec_at(args->fs, args->cred, args->start,
				  args->name ? args->name : args->path,
				  args->nofollow ? O_NOFOLLOW : 0, args->file, &lf);
	if (err)
		goto out_free;
	err = loader_check_args(c->argv, c->argc, c->envp, c->envc, args->path,
				loader_arg_limit(args->stack_limit));
	if (err)
		goto out_put_file;

	for (unsigned depth = 0;; depth++) {
		if (depth > LOADER_MAX_DEPTH) {
			err = -ELOOP;
			goto out_put_file;
		}
		if (loader_is_elf(&lf))
			break;
		if (!loader_is_script(lf.head, lf.head_len)) {
			err = -ENOEXEC;
			goto out_put_file;
		}
		err = loader_script_step(c, args, depth, &name, &lf);
		if (err)
			goto out_put_file;
	}

	err = loader_exec_elf(mm, args, c, &lf, out);
	if (err)
		goto out_put_file;
	loader_comm(args->path, out->comm, sizeof(out->comm));
out_put_file:
	loader_file_release(&lf);
out_free:
	free(c->argv);
	free(c);
	return err;
}
