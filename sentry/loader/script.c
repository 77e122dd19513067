/*
 * The "#!" line parser: a line-for-line port of Linux's load_script() parsing, so a
 * script's argv is the same in the sandbox as on the host, including the corner cases
 * (NUL bytes, lines longer than the buffer, trailing whitespace).
 */
#include <errno.h>
#include <string.h>

#include "sentry/loader/script.h"

static int script_spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* First non-space/tab in [first, last], or NULL. */
static char *script_next_non_spacetab(char *first, const char *last)
{
	for (; first <= last; first++)
		if (!script_spacetab(*first))
			return first;
	return NULL;
}

/* First space, tab or NUL in [first, last], or NULL. */
static char *script_next_terminator(char *first, const char *last)
{
	for (; first <= last; first++)
		if (script_spacetab(*first) || !*first)
			return first;
	return NULL;
}

int loader_script_parse(const void *head, size_t len, struct script_line *out)
{
	char *buf = out->buf, *buf_end, *i_end, *i_name, *i_sep, *i_arg;

	memset(out->buf, 0, sizeof(out->buf));
	memcpy(buf, head, len < LOADER_BINPRM_BUF_SIZE ? len : LOADER_BINPRM_BUF_SIZE);
	out->interp = NULL;
	out->arg = NULL;
	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;

	buf_end = buf + LOADER_BINPRM_BUF_SIZE - 1;
	/* Like the kernel's strnchr, the search for the newline stops at a NUL. */
	i_end = NULL;
	for (char *c = buf; c <= buf_end && *c; c++) {
		if (*c == '\n') {
			i_end = c;
			break;
		}
	}
	if (!i_end) {
		i_end = script_next_non_spacetab(buf + 2, buf_end);
		if (!i_end)
			return -ENOEXEC;
		/* No newline and no separator after the name: it may be cut off. */
		if (!script_next_terminator(i_end, buf_end))
			return -ENOEXEC;
		i_end = buf_end;
	}
	/* buf[1] is '!', so this stops by buf + 2 at the latest. */
	while (script_spacetab(i_end[-1]))
		i_end--;

	i_name = script_next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return -ENOEXEC;

	i_arg = NULL;
	i_sep = script_next_terminator(i_name, i_end);
	if (i_sep && *i_sep != '\0')
		i_arg = script_next_non_spacetab(i_sep, i_end);

	*i_end = '\0';
	if (i_arg)
		*i_sep = '\0';
	out->interp = i_name;
	out->arg = i_arg;
	return 0;
}
