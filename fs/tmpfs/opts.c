/*
 * tmpfs mount options: the data string of mount(2) parsed into struct tmpfs_opts with
 * Linux's units (memparse suffixes, a percentage of memory for size=).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/memfile.h"
#include "common/util.h"
#include "fs/tmpfs/tmpfs.h"

/* A number with an optional binary k/m/g/t suffix (as memparse), or with pct, a
 * percentage of the memory file's size. */
static int parse_size(const char *s, bool pct, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	case '%':
		if (!pct || end[1] || v > 100)
			return -EINVAL;
		*out = memfile_size() / 100 * v;
		return 0;
	case '\0':
		*out = v;
		return 0;
	default:
		return -EINVAL;
	}
	if (end[1] || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_u32(const char *s, int base, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Options Linux's tmpfs takes that change nothing here. */
static bool ignored(const char *key, const char *val)
{
	static const char *const with_value[] = { "huge", "mpol" };
	static const char *const flags[] = { "inode32", "inode64", "noswap" };

	for (size_t i = 0; i < ARRAY_SIZE(with_value); i++) {
		if (val && !strcmp(key, with_value[i]))
			return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (!val && !strcmp(key, flags[i]))
			return true;
	}
	return false;
}

/* One "key=value" or "key" option. */
static int parse_opt(char *opt, struct tmpfs_opts *o)
{
	char *val = strchr(opt, '=');
	uint64_t n;
	int err;

	if (val)
		*val++ = '\0';
	if (ignored(opt, val))
		return 0;
	if (!val)
		return -EINVAL;
	if (!strcmp(opt, "size"))
		return parse_size(val, true, &o->size);
	if (!strcmp(opt, "nr_blocks")) {
		err = parse_size(val, false, &n);
		if (!err && n > (UINT64_MAX >> 12))
			err = -EINVAL;
		if (!err)
			o->size = n << 12;
		return err;
	}
	if (!strcmp(opt, "nr_inodes"))
		return parse_size(val, false, &o->nr_inodes);
	if (!strcmp(opt, "mode")) {
		err = parse_u32(val, 8, &o->mode);
		return err ? err : (o->mode & ~07777u) ? -EINVAL : 0;
	}
	if (!strcmp(opt, "uid"))
		return parse_u32(val, 10, &o->uid);
	if (!strcmp(opt, "gid"))
		return parse_u32(val, 10, &o->gid);
	return -EINVAL;
}

int tmpfs_parse_opts(const char *data, struct tmpfs_opts *o)
{
	char *copy, *opt, *save = NULL;
	int err = 0;

	*o = (struct tmpfs_opts){ .mode = 01777 };
	if (!data || !*data)
		return 0;
	copy = strdup(data);
	if (!copy)
		return -ENOMEM;
	for (opt = strtok_r(copy, ",", &save); opt && !err; opt = strtok_r(NULL, ",", &save))
		err = parse_opt(opt, o);
	free(copy);
	return err;
}
