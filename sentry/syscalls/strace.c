/* --strace: decodes a syscall's arguments and result into one strace-like line, driven by
 * the format letters of table.h. Reads guest memory with the same checked copies as the
 * handlers, so a bad pointer prints as an address, never faults the sentry. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/kernel/task.h"
#include "sentry/syscalls/syscalls.h"

#define STRACE_STR_MAX 64
#define STRACE_ARGV_MAX 8

struct sbuf {
	char *p;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used = MIN(b->len - 1, b->used + (size_t)n);
}

static void sb_quoted(struct sbuf *b, const unsigned char *s, size_t n, bool more)
{
	sb_printf(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_printf(b, "\\n");
		else if (c == '\t')
			sb_printf(b, "\\t");
		else if (c < 32 || c >= 127)
			sb_printf(b, "\\x%02x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"%s", more ? "..." : "");
}

static void put_string(struct sbuf *b, struct task *t, uaddr_t addr)
{
	char s[STRACE_STR_MAX + 1];
	long n;

	if (!addr) {
		sb_printf(b, "NULL");
		return;
	}
	n = task_strncpy_in(t, addr, s, sizeof(s));
	if (n == -ENAMETOOLONG)
		sb_quoted(b, (unsigned char *)s, STRACE_STR_MAX, true);
	else if (n < 0)
		sb_printf(b, "%#lx", (unsigned long)addr);
	else
		sb_quoted(b, (unsigned char *)s, (size_t)n, false);
}

static void put_buffer(struct sbuf *b, struct task *t, uaddr_t addr, long n)
{
	unsigned char data[32];
	size_t show = n > 0 ? MIN((size_t)n, sizeof(data)) : 0;

	if (n < 0 || (show && task_copy_in(t, addr, data, show))) {
		sb_printf(b, "%#lx", (unsigned long)addr);
		return;
	}
	sb_quoted(b, data, show, (size_t)n > show);
}

static void put_argv(struct sbuf *b, struct task *t, uaddr_t addr)
{
	uint64_t p;
	int i;

	if (!addr) {
		sb_printf(b, "NULL");
		return;
	}
	sb_printf(b, "[");
	for (i = 0; i < STRACE_ARGV_MAX; i++) {
		if (task_copy_in(t, addr + 8 * (uint64_t)i, &p, 8)) {
			sb_printf(b, "%s%#lx", i ? ", " : "", (unsigned long)addr);
			break;
		}
		if (!p)
			break;
		sb_printf(b, "%s", i ? ", " : "");
		put_string(b, t, p);
	}
	sb_printf(b, "%s]", i == STRACE_ARGV_MAX ? ", ..." : "");
}

struct flag_name {
	uint64_t bit;
	const char *name;
};

#define F(x)          \
	{             \
		x, #x \
	}
static const struct flag_name open_flags[] = {
	F(O_CREAT),    F(O_EXCL),    F(O_NOCTTY),  F(O_TRUNC),	   F(O_APPEND),
	F(O_NONBLOCK), F(O_DSYNC),   F(O_DIRECT),  F(O_LARGEFILE), F(O_DIRECTORY),
	F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC), F(O_PATH),
};
static const struct flag_name prot_flags[] = { F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC) };
static const struct flag_name map_flags[] = {
	F(MAP_SHARED),	  F(MAP_PRIVATE),
	F(MAP_FIXED),	  F(MAP_ANONYMOUS),
	F(MAP_GROWSDOWN), F(MAP_DENYWRITE),
	F(MAP_NORESERVE), F(MAP_POPULATE),
	F(MAP_STACK),	  { 0x100000, "MAP_FIXED_NOREPLACE" },
};
#undef F

static void put_hex_flags(struct sbuf *b, uint64_t v, const struct flag_name *names, size_t n,
			  const char *zero)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (names[i].bit && (v & names[i].bit) == names[i].bit) {
			sb_printf(b, "%s%s", any ? "|" : "", names[i].name);
			v &= ~names[i].bit;
			any = true;
		}
	}
	if (!any && !v)
		sb_printf(b, "%s", zero);
	else if (v)
		sb_printf(b, "%s%#lx", any ? "|" : "", (unsigned long)v);
}

static void put_open_flags(struct sbuf *b, uint64_t v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	sb_printf(b, "%s", acc[v & O_ACCMODE]);
	v &= ~(uint64_t)O_ACCMODE;
	v &= ~(uint64_t)O_LARGEFILE; /* always set by the kernel on x86-64; noise */
	if (v) {
		sb_printf(b, "|");
		put_hex_flags(b, v, open_flags, ARRAY_SIZE(open_flags), "0");
	}
}

static void put_arg(struct sbuf *b, struct task *t, char f, const struct sysargs *a, int i,
		    long ret, bool done)
{
	uint64_t v = a->a[i];

	switch (f) {
	case 'd':
		sb_printf(b, "%d", (int)v);
		break;
	case 'u':
		sb_printf(b, "%lu", (unsigned long)v);
		break;
	case 'o':
		sb_printf(b, "%#o", (unsigned)v);
		break;
	case 'p':
		sb_printf(b, v ? "%#lx" : "NULL", (unsigned long)v);
		break;
	case 's':
		put_string(b, t, v);
		break;
	case 'b':
		put_buffer(b, t, v, i < 5 ? (long)a->a[i + 1] : 0);
		break;
	case 'B':
		if (done && ret > 0)
			put_buffer(b, t, v, ret);
		else
			sb_printf(b, "%#lx", (unsigned long)v);
		break;
	case 'D':
		if ((int)v == AT_FDCWD)
			sb_printf(b, "AT_FDCWD");
		else
			sb_printf(b, "%d", (int)v);
		break;
	case 'O':
		put_open_flags(b, v);
		break;
	case 'P':
		put_hex_flags(b, v, prot_flags, ARRAY_SIZE(prot_flags), "PROT_NONE");
		break;
	case 'M':
		put_hex_flags(b, v, map_flags, ARRAY_SIZE(map_flags), "0");
		break;
	case 'S':
		if ((int)v > 0 && (int)v < LINUX_NSIG && sigabbrev_np((int)v))
			sb_printf(b, "SIG%s", sigabbrev_np((int)v));
		else
			sb_printf(b, "%d", (int)v);
		break;
	case 'W': {
		static const char *const w[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
						 "SEEK_HOLE" };

		if (v < ARRAY_SIZE(w))
			sb_printf(b, "%s", w[v]);
		else
			sb_printf(b, "%d", (int)v);
		break;
	}
	case 'v':
		put_argv(b, t, v);
		break;
	case 'C':
	case 'x':
	default:
		sb_printf(b, "%#lx", (unsigned long)v);
		break;
	}
}

static void put_call(struct sbuf *b, struct task *t, uint64_t nr, const struct sysargs *a, long ret,
		     bool done)
{
	const struct syscall_desc *d = nr < SYSCALL_MAX ? &syscall_table[nr] : NULL;
	const char *fmt;

	sb_printf(b, "[pid %d] ", t->tid);
	if (!d || !d->name) {
		sb_printf(b, "syscall_%lu(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", (unsigned long)nr,
			  (unsigned long)a->a[0], (unsigned long)a->a[1], (unsigned long)a->a[2],
			  (unsigned long)a->a[3], (unsigned long)a->a[4], (unsigned long)a->a[5]);
		return;
	}
	sb_printf(b, "%s(", d->name);
	fmt = d->fmt;
	if (d->support == SYS_UNIMPL && !*fmt) {
		sb_printf(b, "%#lx, %#lx, %#lx, %#lx, %#lx, %#lx", (unsigned long)a->a[0],
			  (unsigned long)a->a[1], (unsigned long)a->a[2], (unsigned long)a->a[3],
			  (unsigned long)a->a[4], (unsigned long)a->a[5]);
	}
	for (int i = 0; fmt[i] && i < 6; i++) {
		if (i)
			sb_printf(b, ", ");
		put_arg(b, t, fmt[i], a, i, ret, done);
	}
	sb_printf(b, ")");
}

static void put_result(struct sbuf *b, uint64_t nr, long ret)
{
	if (ret < 0 && ret > -4096) {
		const char *name = strerrorname_np((int)-ret);

		sb_printf(b, " = -1 %s (%s)\n", name ? name : "E?", strerror((int)-ret));
	} else if (nr == __NR_mmap || nr == __NR_brk || nr == __NR_mremap) {
		sb_printf(b, " = %#lx\n", (unsigned long)ret);
	} else {
		sb_printf(b, " = %ld\n", ret);
	}
}

void strace_enter(struct task *t, uint64_t nr, const struct sysargs *a, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };

	buf[0] = 0;
	put_call(&b, t, nr, a, 0, false);
	sb_printf(&b, nr == __NR_execve ? " ...\n" : " = ?\n");
}

void strace_exit(struct task *t, uint64_t nr, const struct sysargs *a, long ret, char *buf,
		 size_t len)
{
	struct sbuf b = { buf, len, 0 };

	buf[0] = 0;
	if (nr == __NR_execve) {
		sb_printf(&b, "[pid %d] <... execve resumed>", t->tid);
		put_result(&b, nr, ret);
		return;
	}
	put_call(&b, t, nr, a, ret, true);
	put_result(&b, nr, ret);
}
