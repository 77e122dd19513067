/*
 * "#!" interpreter lines, parsed exactly as Linux's binfmt_script does: only the first
 * LOADER_BINPRM_BUF_SIZE bytes of the file count, the interpreter path ends at the first
 * space, tab or NUL, and everything after the following whitespace run (trailing spaces and
 * tabs stripped) is one optional argument. A path that may have been cut off by the
 * buffer end is refused rather than run truncated.
 */
#ifndef SENTRY_LOADER_SCRIPT_H
#define SENTRY_LOADER_SCRIPT_H

#include <stddef.h>

/* Linux's BINPRM_BUF_SIZE: how much of a file exec looks at to pick a format. */
#define LOADER_BINPRM_BUF_SIZE 256

struct script_line {
	char buf[LOADER_BINPRM_BUF_SIZE + 1]; /* the line, NUL-split; interp/arg point here */
	const char *interp;
	const char *arg; /* NULL when there is none */
};

/* True if the file head starts with "#!". */
static inline int loader_is_script(const void *head, size_t len)
{
	const char *h = head;

	return len >= 2 && h[0] == '#' && h[1] == '!';
}

/*
 * Parses the first len bytes of a file (only the first LOADER_BINPRM_BUF_SIZE count; a
 * shorter file reads as NUL-padded, as in Linux). 0 or -ENOEXEC (not "#!", no interpreter
 * name, or a name that may be truncated).
 */
int loader_script_parse(const void *head, size_t len, struct script_line *out);

#endif
