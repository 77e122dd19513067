/*
 * The sandbox's host cgroup on cgroupfs, v1 or v2 (see cgroup.h). Everything here reads and
 * writes small control files; the layout (which hierarchies, where they are mounted, the
 * caller's own cgroup for relative paths) is looked up at each create/open, so a CLI that
 * reopens a cgroup sees the host as it is now.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/oci_spec.h"

#define CG_MOUNT "/sys/fs/cgroup"
#define CG2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */
#define CG_PATH_MAX 4096
/* How long freeze, kill and rmdir may take to settle before we give up. */
#define CG_SETTLE_NS (10ull * 1000000000ull)

enum cg_ctl { CG_MEMORY, CG_CPU, CG_CPUACCT, CG_PIDS, CG_FREEZER, CG_NCTL };

static const char *const cg_ctl_names[CG_NCTL] = {
	[CG_MEMORY] = "memory", [CG_CPU] = "cpu",	  [CG_CPUACCT] = "cpuacct",
	[CG_PIDS] = "pids",	[CG_FREEZER] = "freezer",
};

/*
 * dir[c] is the cgroup's directory in controller c's hierarchy, NULL when that hierarchy is
 * not used. Co-mounted controllers (v1 "cpu,cpuacct", or all of them on v2) share one string
 * of uniq[], which owns them; iterating uniq[] touches each directory once.
 */
struct cgroup {
	bool v2;
	const char *dir[CG_NCTL];
	char *uniq[CG_NCTL];
	char *mnt[CG_NCTL]; /* the mount point of uniq[u]'s hierarchy */
	int nuniq;
};

/* One hierarchy: where it is mounted, which cgroup that mount shows as its root, and the
 * caller's own cgroup in it (from /proc/self/cgroup). */
struct cg_hier {
	char mnt[CG_PATH_MAX];
	char root[CG_PATH_MAX];
	char own[CG_PATH_MAX];
	bool found;
};

/* ---- small file helpers ---- */

static int cg_join(char *buf, size_t len, const char *dir, const char *file)
{
	int n = snprintf(buf, len, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void cg_seterr(char *err, size_t errlen, const char *what, int e)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, strerror(-e));
}

static void cg_seterrf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cg_seterrf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[CG_PATH_MAX];
	size_t n = strlen(val);
	int fd, ret = cg_join(path, sizeof(path), dir, file);
	ssize_t w;

	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A control file takes one value per write(2); a short write is a refusal. */
	w = write(fd, val, n);
	ret = w < 0 ? -errno : (size_t)w == n ? 0 : -EIO;
	close(fd);
	return ret;
}

/* Reads a whole control file into buf (NUL-terminated): length or -errno. */
static ssize_t cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[CG_PATH_MAX];
	size_t got = 0;
	int fd, ret = cg_join(path, sizeof(path), dir, file);

	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);

		if (r < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* A file holding one number; "max" reads as UINT64_MAX. */
static int cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64], *end;
	ssize_t n = dir ? cg_read(dir, file, buf, sizeof(buf)) : -ENOENT;

	if (n < 0)
		return (int)n;
	if (!strncmp(buf, "max", 3)) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

/* The value of "key N" in a flat-keyed file (cpu.stat, memory.stat, cgroup.events). */
static int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char buf[8192];
	size_t klen = strlen(key);
	ssize_t n = dir ? cg_read(dir, file, buf, sizeof(buf)) : -ENOENT;

	if (n < 0)
		return (int)n;
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');

		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*v = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return -ENOENT;
}

static void cg_sleep_backoff(unsigned *step)
{
	struct timespec ts = { 0, (long)(*step) * 1000000L };

	nanosleep(&ts, NULL);
	if (*step < 20)
		(*step)++;
}

static uint64_t cg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- paths ---- */

/*
 * Appends the components of p to buf[*pos..] as "/comp" each, dropping empty and "."
 * components; ".." is -EINVAL (a cgroupsPath must not climb out of where it is put).
 */
static int cg_append_clean(char *buf, size_t len, size_t *pos, const char *p)
{
	while (*p) {
		const char *s = p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (*p)
			p++;
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return -EINVAL;
		if (*pos + n + 2 > len)
			return -ENAMETOOLONG;
		buf[(*pos)++] = '/';
		memcpy(buf + *pos, s, n);
		*pos += n;
		buf[*pos] = '\0';
	}
	return 0;
}

static int cg_appendf(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
	return 0;
}

/*
 * systemd's slice naming: "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice, "-.slice"
 * is the root. Rejects what systemd rejects: slashes, a leading or doubled or trailing dash.
 */
static int cg_expand_slice(const char *slice, char *buf, size_t len, size_t *pos)
{
	size_t n = strlen(slice), base;
	int ret;

	if (!strcmp(slice, "-.slice"))
		return 0;
	if (n <= 6 || strcmp(slice + n - 6, ".slice") || strchr(slice, '/'))
		return -EINVAL;
	base = n - 6;
	if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
		return -EINVAL;
	for (size_t i = 0; i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		/* prefix slice[0..i) is one level: "/<prefix>.slice" */
		ret = cg_appendf(buf, len, pos, "/", 1);
		if (!ret)
			ret = cg_appendf(buf, len, pos, slice, i);
		if (!ret)
			ret = cg_appendf(buf, len, pos, ".slice", 6);
		if (ret)
			return ret;
	}
	return 0;
}

static bool cg_name_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int cgroup_path_from_spec(const char *cgroups_path, const char *id, bool systemd, char *buf,
			  size_t len)
{
	size_t pos = 0;
	int ret;

	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (!id || !cg_name_ok(id))
		return -EINVAL;
	if (!systemd) {
		/* runc's cgroupfs default: the id, relative to the runtime's own cgroup */
		if (!cgroups_path || !*cgroups_path)
			cgroups_path = id;
		ret = cg_append_clean(buf, len, &pos, cgroups_path);
		if (ret)
			return ret;
		if (pos == 0) /* "/" or "." alone: the hierarchy root is no place for a sandbox */
			return -EINVAL;
		if (cgroups_path[0] != '/')
			memmove(buf, buf + 1, pos); /* relative stays relative, without the '/' */
		return 0;
	} else {
		char slice[256], prefix[256], name[256];
		const char *c1, *c2;

		if (!cgroups_path || !*cgroups_path)
			cgroups_path = "";
		c1 = strchr(cgroups_path, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!*cgroups_path) {
			snprintf(slice, sizeof(slice), "system.slice");
			snprintf(prefix, sizeof(prefix), "warden");
			snprintf(name, sizeof(name), "%s", id);
		} else {
			if (!c2 || strchr(c2 + 1, ':'))
				return -EINVAL;
			if ((size_t)(c1 - cgroups_path) >= sizeof(slice) ||
			    (size_t)(c2 - c1 - 1) >= sizeof(prefix) ||
			    strlen(c2 + 1) >= sizeof(name))
				return -ENAMETOOLONG;
			snprintf(slice, sizeof(slice), "%.*s", (int)(c1 - cgroups_path),
				 cgroups_path);
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			snprintf(name, sizeof(name), "%s", c2 + 1);
			if (!*slice)
				snprintf(slice, sizeof(slice), "system.slice");
		}
		if (!cg_name_ok(name) || strchr(prefix, '/'))
			return -EINVAL;
		ret = cg_expand_slice(slice, buf, len, &pos);
		if (ret)
			return ret;
		ret = cg_appendf(buf, len, &pos, "/", 1);
		if (!ret && strlen(name) > 6 && !strcmp(name + strlen(name) - 6, ".slice"))
			return cg_appendf(buf, len, &pos, name, strlen(name));
		if (!ret && *prefix) {
			ret = cg_appendf(buf, len, &pos, prefix, strlen(prefix));
			if (!ret)
				ret = cg_appendf(buf, len, &pos, "-", 1);
		}
		if (!ret)
			ret = cg_appendf(buf, len, &pos, name, strlen(name));
		if (!ret)
			ret = cg_appendf(buf, len, &pos, ".scope", 6);
		return ret;
	}
}

/* ---- hierarchy discovery ---- */

/* The v2 mount point to use; tests point it at a cgroup2 mount of their own. */
static const char *cg_v2_override;

void cgroup_force_v2_mount(const char *mnt)
{
	cg_v2_override = mnt;
}

static bool cg_is_v2_host(void)
{
	struct statfs sf;

	return statfs(CG_MOUNT, &sf) == 0 && sf.f_type == CG2_MAGIC;
}

static bool cg_word_in(const char *list, const char *word, char sep)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, sep);
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, word, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/*
 * Fills h[c] for each v1 controller from /proc/self/mountinfo ("... root mnt opts - cgroup
 * src superopts") and /proc/self/cgroup ("id:ctl,ctl:/path"). On v2 (v1 == false) only h[0]
 * is filled, from the unified mount and the "0::" line.
 */
static int cg_discover(bool v1, const char *v2mnt, struct cg_hier h[CG_NCTL])
{
	char line[8192];
	FILE *f;

	memset(h, 0, sizeof(struct cg_hier) * CG_NCTL);
	if (v1) {
		f = fopen("/proc/self/mountinfo", "re");
		if (!f)
			return -errno;
		while (fgets(line, sizeof(line), f)) {
			char root[CG_PATH_MAX], mnt[CG_PATH_MAX], fstype[64], super[1024];
			char *dash = strstr(line, " - ");

			if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
			    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2 ||
			    strcmp(fstype, "cgroup"))
				continue;
			for (int c = 0; c < CG_NCTL; c++) {
				if (h[c].found || !cg_word_in(super, cg_ctl_names[c], ','))
					continue;
				snprintf(h[c].mnt, sizeof(h[c].mnt), "%s", mnt);
				snprintf(h[c].root, sizeof(h[c].root), "%s", root);
				h[c].found = true;
			}
		}
		fclose(f);
	} else {
		snprintf(h[0].mnt, sizeof(h[0].mnt), "%s", v2mnt);
		snprintf(h[0].root, sizeof(h[0].root), "/");
		h[0].found = true;
	}
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = '\0';
		c2[strcspn(c2 + 1, "\n") + 1] = '\0';
		for (int c = 0; c < CG_NCTL; c++) {
			bool match = v1 ? cg_word_in(c1 + 1, cg_ctl_names[c], ',') :
					  (c == 0 && !strcmp(line, "0") && !c1[1]);

			if (match)
				snprintf(h[c].own, sizeof(h[c].own), "%s", c2 + 1);
		}
	}
	fclose(f);
	return 0;
}

/* The directory of path in hierarchy h (see "A cgroup path" in cgroup.h). */
static int cg_resolve(const struct cg_hier *h, bool v2, const char *path, char *buf, size_t len)
{
	char own[CG_PATH_MAX];
	size_t rl = strlen(h->root);
	int n;

	if (path[0] == '/') {
		n = snprintf(buf, len, "%s%s", h->mnt, path);
		return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
	}
	/* /proc/self/cgroup shows paths from the hierarchy's real root; the mount may show a
	 * subtree of it (a container's view), so drop that prefix. */
	snprintf(own, sizeof(own), "%s", h->own);
	if (strcmp(h->root, "/") && !strncmp(own, h->root, rl) && (!own[rl] || own[rl] == '/'))
		memmove(own, own + rl, strlen(own + rl) + 1);
	if (v2) {
		char *slash = strrchr(own, '/');

		if (slash)
			*slash = '\0';
	}
	while (*own && own[strlen(own) - 1] == '/')
		own[strlen(own) - 1] = '\0';
	n = snprintf(buf, len, "%s%s%s/%s", h->mnt, own[0] == '/' || !*own ? "" : "/", own, path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Fills cg's directories for path: every mounted hierarchy Warden uses. */
static int cg_layout(struct cgroup *cg, const char *path)
{
	struct cg_hier h[CG_NCTL];
	bool v2 = cg_v2_override || cg_is_v2_host();
	char clean[CG_PATH_MAX];
	size_t pos = 0;
	int ret;

	/* a saved path comes back from a state file: hold it to the same rules */
	if (!path || cg_append_clean(clean, sizeof(clean), &pos, path) || pos == 0)
		return -EINVAL;
	cg->v2 = v2;
	ret = cg_discover(!v2, cg_v2_override ? cg_v2_override : CG_MOUNT, h);
	if (ret)
		return ret;
	for (int c = 0; c < CG_NCTL; c++) {
		char dir[CG_PATH_MAX];
		const struct cg_hier *hc = v2 ? &h[0] : &h[c];
		int u;

		if (!hc->found)
			continue;
		ret = cg_resolve(hc, v2, path[0] == '/' ? clean : clean + 1, dir, sizeof(dir));
		if (ret)
			return ret;
		for (u = 0; u < cg->nuniq && strcmp(cg->uniq[u], dir); u++)
			;
		if (u == cg->nuniq) {
			cg->uniq[u] = strdup(dir);
			cg->mnt[u] = strdup(hc->mnt);
			cg->nuniq++;
			if (!cg->uniq[u] || !cg->mnt[u])
				return -ENOMEM;
		}
		cg->dir[c] = cg->uniq[u];
	}
	return cg->nuniq ? 0 : -ENOENT;
}

bool cgroup_is_v2(const struct cgroup *cg)
{
	return cg->v2;
}

const char *cgroup_dir(const struct cgroup *cg, const char *controller)
{
	for (int c = 0; c < CG_NCTL; c++)
		if (!strcmp(controller, cg_ctl_names[c]))
			return cg->dir[c];
	return cg->v2 ? cg->uniq[0] : NULL;
}

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	for (int u = 0; u < cg->nuniq; u++) {
		free(cg->uniq[u]);
		free(cg->mnt[u]);
	}
	free(cg);
}

/* ---- create ---- */

/* The directories one cgroup_create made, deepest last, to undo on failure. */
struct cg_made {
	char **dirs;
	size_t n;
};

static void cg_undo(struct cg_made *m)
{
	while (m->n > 0) {
		m->n--;
		rmdir(m->dirs[m->n]);
		free(m->dirs[m->n]);
	}
	free(m->dirs);
	m->dirs = NULL;
}

/*
 * mkdir -p of dir below mnt, recording what it made. A parent another runtime removes
 * between our mkdirs (ENOENT) makes us start over, a few times.
 */
static int cg_mkdir_p(const char *mnt, const char *dir, struct cg_made *m)
{
	char buf[CG_PATH_MAX];
	size_t ml = strlen(mnt);

	snprintf(buf, sizeof(buf), "%s", dir);
	for (int tries = 0; tries < 5; tries++) {
		bool restart = false;

		for (char *p = buf + ml + 1; p && !restart;) {
			char *slash = strchr(p, '/'), **nd;

			if (slash)
				*slash = '\0';
			if (mkdir(buf, 0755) == 0) {
				nd = realloc(m->dirs, (m->n + 1) * sizeof(*nd));
				if (nd)
					m->dirs = nd;
				if (!nd || !(m->dirs[m->n] = strdup(buf))) {
					rmdir(buf);
					return -ENOMEM;
				}
				m->n++;
			} else if (errno == ENOENT) {
				restart = true;
			} else if (errno != EEXIST) {
				int e = -errno;

				if (slash)
					*slash = '/';
				return e;
			}
			if (slash)
				*slash = '/';
			p = slash ? slash + 1 : NULL;
		}
		if (!restart)
			return 0;
	}
	return -ENOENT;
}

static bool cg_has_procs(const char *dir)
{
	char buf[16];

	return cg_read(dir, "cgroup.procs", buf, sizeof(buf)) > 0;
}

/*
 * Enables controller ctl for the children of every ancestor of leaf, from the mount point
 * down to leaf's parent (a controller reaches a cgroup only through all of them).
 */
static int cg2_enable(const char *mnt, const char *leaf, const char *ctl, char *err, size_t errlen)
{
	size_t ml = strlen(mnt), ll = strlen(leaf);
	char dir[CG_PATH_MAX], sub[1024], plus[32];

	snprintf(plus, sizeof(plus), "+%s", ctl);
	for (size_t i = ml; i < ll && i < sizeof(dir); i++) {
		ssize_t n;
		int ret;

		if (leaf[i] != '/')
			continue;
		memcpy(dir, leaf, i);
		dir[i] = '\0';
		n = cg_read(dir, "cgroup.subtree_control", sub, sizeof(sub));
		if (n >= 0) {
			sub[strcspn(sub, "\n")] = '\0';
			if (cg_word_in(sub, ctl, ' '))
				continue;
		}
		ret = cg_write(dir, "cgroup.subtree_control", plus);
		if (ret) {
			cg_seterrf(err, errlen, "%s/cgroup.subtree_control (%s): %s", dir + ml,
				   plus, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int cg_set(const char *dir, const char *file, const char *fmt, long long v, char *err,
		  size_t errlen)
{
	char val[64];
	int ret;

	snprintf(val, sizeof(val), fmt, v);
	ret = dir ? cg_write(dir, file, val) : -ENOENT;
	if (ret)
		cg_seterr(err, errlen, file, ret);
	return ret;
}

static bool cg_file_exists(const char *dir, const char *file)
{
	char path[CG_PATH_MAX];

	return dir && !cg_join(path, sizeof(path), dir, file) && access(path, F_OK) == 0;
}

static int cg1_apply(struct cgroup *cg, const struct oci_resources *r, char *err, size_t el)
{
	const char *mem = cg->dir[CG_MEMORY], *cpu = cg->dir[CG_CPU];
	int ret = 0;

	if (r->memory_limit > 0)
		ret = cg_set(mem, "memory.limit_in_bytes", "%lld", r->memory_limit, err, el);
	/* memsw exists only with swap accounting; runc skips it silently otherwise. */
	if (!ret && r->memory_swap > 0 && cg_file_exists(mem, "memory.memsw.limit_in_bytes"))
		ret = cg_set(mem, "memory.memsw.limit_in_bytes", "%lld", r->memory_swap, err, el);
	if (!ret && r->cpu_shares)
		ret = cg_set(cpu, "cpu.shares", "%lld", (long long)r->cpu_shares, err, el);
	/* the period first: a quota is checked against the period in force */
	if (!ret && r->cpu_period)
		ret = cg_set(cpu, "cpu.cfs_period_us", "%lld", (long long)r->cpu_period, err, el);
	if (!ret && r->cpu_quota != -1 && r->cpu_quota != 0)
		ret = cg_set(cpu, "cpu.cfs_quota_us", "%lld", r->cpu_quota, err, el);
	if (!ret && r->pids_limit > 0)
		ret = cg_set(cg->dir[CG_PIDS], "pids.max", "%lld", r->pids_limit, err, el);
	return ret;
}

/* Whether r sets a limit of controller c (the values the parser leaves for "absent" and
 * the ones runc treats as "unset" both mean no). */
static bool cg_needs(const struct oci_resources *r, enum cg_ctl c)
{
	if (!r)
		return false;
	switch (c) {
	case CG_MEMORY:
		return r->memory_limit > 0 || r->memory_swap > 0;
	case CG_CPU:
		return r->cpu_shares || r->cpu_period || (r->cpu_quota != -1 && r->cpu_quota != 0);
	case CG_PIDS:
		return r->pids_limit > 0;
	default:
		return false;
	}
}

/* runc's conversion of cgroup v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000]. */
static uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int cg2_apply(struct cgroup *cg, const struct oci_resources *r, char *err, size_t el)
{
	const char *d = cg->uniq[0];
	int ret = 0;

	if (r->memory_limit > 0)
		ret = cg_set(d, "memory.max", "%lld", r->memory_limit, err, el);
	if (!ret && r->memory_swap > 0 && cg_file_exists(d, "memory.swap.max")) {
		/* v1's memory+swap total becomes v2's swap alone */
		if (r->memory_limit <= 0 || r->memory_swap < r->memory_limit) {
			cg_seterrf(err, el,
				   "memory.swap.max: memory.swap (%lld) needs a memory limit no "
				   "greater than it",
				   (long long)r->memory_swap);
			return -EINVAL;
		}
		ret = cg_set(d, "memory.swap.max", "%lld", r->memory_swap - r->memory_limit, err,
			     el);
	}
	if (!ret && r->cpu_shares)
		ret = cg_set(d, "cpu.weight", "%lld", (long long)cg_shares_to_weight(r->cpu_shares),
			     err, el);
	if (!ret && ((r->cpu_quota != -1 && r->cpu_quota != 0) || r->cpu_period)) {
		char val[64];

		if (r->cpu_quota > 0)
			snprintf(val, sizeof(val), "%lld %llu", (long long)r->cpu_quota,
				 (unsigned long long)(r->cpu_period ?: 100000));
		else
			snprintf(val, sizeof(val), "max %llu",
				 (unsigned long long)(r->cpu_period ?: 100000));
		ret = cg_write(d, "cpu.max", val);
		if (ret)
			cg_seterr(err, el, "cpu.max", ret);
	}
	if (!ret && r->pids_limit > 0)
		ret = cg_set(d, "pids.max", "%lld", r->pids_limit, err, el);
	return ret;
}

/* The v2 controllers r needs; the others are enabled when available, for statistics. */
static int cg2_controllers(struct cgroup *cg, const char *mnt, const struct oci_resources *r,
			   char *err, size_t el)
{
	static const struct {
		const char *name;
		enum cg_ctl ctl;
	} ctls[] = { { "memory", CG_MEMORY }, { "cpu", CG_CPU }, { "pids", CG_PIDS } };
	char avail[1024];

	if (cg_read(mnt, "cgroup.controllers", avail, sizeof(avail)) < 0)
		avail[0] = '\0';
	avail[strcspn(avail, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		bool need = cg_needs(r, ctls[i].ctl);
		int ret;

		if (!need && !cg_word_in(avail, ctls[i].name, ' '))
			continue;
		ret = cg2_enable(mnt, cg->uniq[0], ctls[i].name, err, el);
		if (ret && need)
			return ret;
	}
	if (err && el)
		err[0] = '\0';
	return 0;
}

int cgroup_create(const char *path, const struct oci_resources *r, struct cgroup **out, char *err,
		  size_t errlen)
{
	struct cgroup *cg = calloc(1, sizeof(*cg));
	struct cg_made made = { 0 };
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!cg)
		return -ENOMEM;
	ret = cg_layout(cg, path);
	if (ret) {
		cg_seterr(err, errlen, path && *path ? path : "cgroup path", ret);
		goto out_free;
	}
	for (int c = 0; !cg->v2 && c < CG_NCTL; c++) {
		if (cg_needs(r, c) && !cg->dir[c]) {
			cg_seterrf(err, errlen, "%s: no cgroup v1 hierarchy is mounted for it",
				   cg_ctl_names[c]);
			ret = -ENOENT;
			goto out_free;
		}
	}
	for (int u = 0; !ret && u < cg->nuniq; u++) {
		ret = cg_mkdir_p(cg->mnt[u], cg->uniq[u], &made);
		if (ret) {
			cg_seterr(err, errlen, cg->uniq[u], ret);
		} else if (cg_has_procs(cg->uniq[u])) {
			cg_seterrf(err, errlen, "%s: cgroup is not empty", cg->uniq[u]);
			ret = -EBUSY;
		}
	}
	if (!ret && cg->v2)
		ret = cg2_controllers(cg, cg->mnt[0], r, err, errlen);
	if (!ret && r)
		ret = cg->v2 ? cg2_apply(cg, r, err, errlen) : cg1_apply(cg, r, err, errlen);
	if (ret) {
		cg_undo(&made);
		goto out_free;
	}
	for (size_t i = 0; i < made.n; i++)
		free(made.dirs[i]);
	free(made.dirs);
	*out = cg;
	return 0;
out_free:
	cgroup_free(cg);
	return ret;
}

int cgroup_open(const char *path, struct cgroup **out)
{
	struct cgroup *cg = calloc(1, sizeof(*cg));
	int ret, u, kept = 0;

	if (!cg)
		return -ENOMEM;
	ret = cg_layout(cg, path);
	if (ret) {
		cgroup_free(cg);
		return ret;
	}
	/* Keep the hierarchies where the cgroup exists (a half-done destroy removes some). */
	for (u = 0; u < cg->nuniq; u++) {
		struct stat st;

		if (stat(cg->uniq[u], &st) == 0 && S_ISDIR(st.st_mode)) {
			cg->mnt[kept] = cg->mnt[u];
			cg->uniq[kept++] = cg->uniq[u];
			continue;
		}
		for (int c = 0; c < CG_NCTL; c++)
			if (cg->dir[c] == cg->uniq[u])
				cg->dir[c] = NULL;
		free(cg->uniq[u]);
		free(cg->mnt[u]);
	}
	cg->nuniq = kept;
	if (!kept) {
		cgroup_free(cg);
		return -ENOENT;
	}
	*out = cg;
	return 0;
}

int cgroup_add_pid(struct cgroup *cg, pid_t pid)
{
	char val[32];

	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int u = 0; u < cg->nuniq; u++) {
		int ret = cg_write(cg->uniq[u], "cgroup.procs", val);

		if (ret)
			return ret;
	}
	return 0;
}

/* ---- freezer ---- */

static int cg_freeze_state(struct cgroup *cg, bool *frozen)
{
	char buf[64];
	uint64_t v = 0;
	int ret;

	if (cg->v2) {
		ret = cg_read_key(cg->uniq[0], "cgroup.events", "frozen", &v);
		*frozen = v == 1;
		return ret;
	}
	ret = (int)cg_read(cg->dir[CG_FREEZER], "freezer.state", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!strncmp(buf, "FROZEN", 6))
		*frozen = true;
	else if (!strncmp(buf, "THAWED", 6))
		*frozen = false;
	else
		return -EAGAIN; /* FREEZING */
	return 0;
}

static int cg_freeze_write(struct cgroup *cg, bool frozen)
{
	if (cg->v2)
		return cg_write(cg->uniq[0], "cgroup.freeze", frozen ? "1" : "0");
	return cg_write(cg->dir[CG_FREEZER], "freezer.state", frozen ? "FROZEN" : "THAWED");
}

int cgroup_freeze(struct cgroup *cg, bool frozen)
{
	uint64_t deadline = cg_now_ns() + CG_SETTLE_NS;
	unsigned step = 1;

	if (!cg->v2 && !cg->dir[CG_FREEZER])
		return -ENOTSUP;
	for (;;) {
		bool now;
		/* v1 may stay FREEZING while a task is in an uninterruptible sleep; writing
		 * FROZEN again retries the freeze, as runc does. */
		int ret = cg_freeze_write(cg, frozen);

		if (ret)
			return ret;
		ret = cg_freeze_state(cg, &now);
		if (ret && ret != -EAGAIN)
			return ret;
		if (!ret && now == frozen)
			return 0;
		if (cg_now_ns() > deadline) {
			if (frozen)
				cg_freeze_write(cg, false); /* never leave it half-frozen */
			return -ETIMEDOUT;
		}
		cg_sleep_backoff(&step);
	}
}

/* ---- pids ---- */

static int cg_pids_in(const char *dir, pid_t **pids, size_t *n)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL;
	pid_t *v = NULL;
	ssize_t r;

	/* cgroup.procs has no size; grow until the whole of it fits. */
	for (;;) {
		buf = malloc(cap);
		if (!buf)
			return -ENOMEM;
		r = cg_read(dir, "cgroup.procs", buf, cap);
		if (r < 0) {
			free(buf);
			return (int)r;
		}
		if ((size_t)r + 1 < cap)
			break;
		free(buf);
		cap *= 4;
	}
	v = malloc(((size_t)r / 2 + 1) * sizeof(*v));
	if (!v) {
		free(buf);
		return -ENOMEM;
	}
	for (char *p = buf; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		v[len++] = (pid_t)pid;
		p = end + (*end == '\n');
	}
	free(buf);
	*pids = v;
	*n = len;
	return 0;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n)
{
	return cg_pids_in(cg->uniq[0], pids, n);
}

/* ---- stats ---- */

static uint64_t cg_ticks_to_ns(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? ticks * (1000000000ull / (uint64_t)hz) : 0;
}

static void cg1_stats(struct cgroup *cg, struct cgroup_stats *st)
{
	const char *mem = cg->dir[CG_MEMORY], *cpu = cg->dir[CG_CPU], *acct = cg->dir[CG_CPUACCT];
	uint64_t v;

	cg_read_u64(acct, "cpuacct.usage", &st->cpu_total_ns);
	if (!cg_read_key(acct, "cpuacct.stat", "user", &v))
		st->cpu_user_ns = cg_ticks_to_ns(v);
	if (!cg_read_key(acct, "cpuacct.stat", "system", &v))
		st->cpu_kernel_ns = cg_ticks_to_ns(v);
	cg_read_key(cpu, "cpu.stat", "nr_periods", &st->cpu_periods);
	cg_read_key(cpu, "cpu.stat", "nr_throttled", &st->cpu_throttled_periods);
	cg_read_key(cpu, "cpu.stat", "throttled_time", &st->cpu_throttled_ns);
	cg_read_u64(mem, "memory.usage_in_bytes", &st->mem_usage);
	cg_read_u64(mem, "memory.limit_in_bytes", &st->mem_limit);
	cg_read_u64(mem, "memory.max_usage_in_bytes", &st->mem_max_usage);
	cg_read_u64(mem, "memory.failcnt", &st->mem_failcnt);
	cg_read_key(mem, "memory.stat", "cache", &st->mem_cache);
	cg_read_u64(mem, "memory.memsw.usage_in_bytes", &st->swap_usage);
	cg_read_u64(mem, "memory.memsw.limit_in_bytes", &st->swap_limit);
	cg_read_u64(cg->dir[CG_PIDS], "pids.current", &st->pids_current);
	if (!cg_read_u64(cg->dir[CG_PIDS], "pids.max", &st->pids_limit) &&
	    st->pids_limit == UINT64_MAX)
		st->pids_limit = 0;
}

static void cg2_stats(struct cgroup *cg, struct cgroup_stats *st)
{
	const char *d = cg->uniq[0];
	uint64_t v;

	if (!cg_read_key(d, "cpu.stat", "usage_usec", &v))
		st->cpu_total_ns = v * 1000;
	if (!cg_read_key(d, "cpu.stat", "user_usec", &v))
		st->cpu_user_ns = v * 1000;
	if (!cg_read_key(d, "cpu.stat", "system_usec", &v))
		st->cpu_kernel_ns = v * 1000;
	cg_read_key(d, "cpu.stat", "nr_periods", &st->cpu_periods);
	cg_read_key(d, "cpu.stat", "nr_throttled", &st->cpu_throttled_periods);
	if (!cg_read_key(d, "cpu.stat", "throttled_usec", &v))
		st->cpu_throttled_ns = v * 1000;
	cg_read_u64(d, "memory.current", &st->mem_usage);
	cg_read_u64(d, "memory.max", &st->mem_limit);
	cg_read_u64(d, "memory.peak", &st->mem_max_usage);
	cg_read_key(d, "memory.events", "max", &st->mem_failcnt);
	cg_read_key(d, "memory.stat", "file", &st->mem_cache);
	/* runc reports v2 swap as v1's memory+swap, so both layouts read alike */
	if (!cg_read_u64(d, "memory.swap.current", &st->swap_usage))
		st->swap_usage += st->mem_usage;
	if (!cg_read_u64(d, "memory.swap.max", &st->swap_limit) && st->swap_limit != UINT64_MAX &&
	    st->mem_limit != UINT64_MAX)
		st->swap_limit += st->mem_limit;
	cg_read_u64(d, "pids.current", &st->pids_current);
	if (!cg_read_u64(d, "pids.max", &st->pids_limit) && st->pids_limit == UINT64_MAX)
		st->pids_limit = 0;
}

int cgroup_stats(struct cgroup *cg, struct cgroup_stats *st)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (stat(cg->uniq[0], &sb) < 0)
		return -errno;
	if (cg->v2)
		cg2_stats(cg, st);
	else
		cg1_stats(cg, st);
	return 0;
}

/* Go's encoding/json omits a zero field tagged omitempty; runc's Stats tags most so. */
static void cg_json_u64(json_object *o, const char *key, uint64_t v, bool omitempty)
{
	if (v || !omitempty)
		json_object_object_add(o, key, json_object_new_uint64(v));
}

static json_object *cg_json_mem_entry(uint64_t limit, uint64_t usage, uint64_t max,
				      uint64_t failcnt)
{
	json_object *e = json_object_new_object();

	cg_json_u64(e, "limit", limit, false);
	cg_json_u64(e, "usage", usage, true);
	cg_json_u64(e, "max", max, true);
	cg_json_u64(e, "failcnt", failcnt, false);
	return e;
}

char *cgroup_stats_json(const struct cgroup_stats *st, const char *id)
{
	json_object *ev = json_object_new_object(), *data = json_object_new_object();
	json_object *cpu = json_object_new_object(), *usage = json_object_new_object();
	json_object *thr = json_object_new_object(), *mem = json_object_new_object();
	json_object *pids = json_object_new_object();
	char *s = NULL;

	if (!ev || !data || !cpu || !usage || !thr || !mem || !pids) {
		json_object_put(ev);
		json_object_put(data);
		json_object_put(cpu);
		json_object_put(usage);
		json_object_put(thr);
		json_object_put(mem);
		json_object_put(pids);
		return NULL;
	}
	cg_json_u64(usage, "total", st->cpu_total_ns, true);
	cg_json_u64(usage, "kernel", st->cpu_kernel_ns, false);
	cg_json_u64(usage, "user", st->cpu_user_ns, false);
	cg_json_u64(thr, "periods", st->cpu_periods, true);
	cg_json_u64(thr, "throttledPeriods", st->cpu_throttled_periods, true);
	cg_json_u64(thr, "throttledTime", st->cpu_throttled_ns, true);
	json_object_object_add(cpu, "usage", usage);
	json_object_object_add(cpu, "throttling", thr);
	cg_json_u64(mem, "cache", st->mem_cache, true);
	json_object_object_add(mem, "usage",
			       cg_json_mem_entry(st->mem_limit, st->mem_usage, st->mem_max_usage,
						 st->mem_failcnt));
	json_object_object_add(mem, "swap",
			       cg_json_mem_entry(st->swap_limit, st->swap_usage, 0, 0));
	json_object_object_add(mem, "kernel", cg_json_mem_entry(0, 0, 0, 0));
	json_object_object_add(mem, "kernelTCP", cg_json_mem_entry(0, 0, 0, 0));
	cg_json_u64(pids, "current", st->pids_current, true);
	cg_json_u64(pids, "limit", st->pids_limit, true);
	json_object_object_add(data, "cpu", cpu);
	json_object_object_add(data, "memory", mem);
	json_object_object_add(data, "pids", pids);
	json_object_object_add(data, "blkio", json_object_new_object());
	json_object_object_add(ev, "type", json_object_new_string("stats"));
	json_object_object_add(ev, "id", json_object_new_string(id ? id : ""));
	json_object_object_add(ev, "data", data);
	s = strdup(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
	json_object_put(ev);
	return s;
}

/* ---- destroy ---- */

/* SIGKILLs every process listed in any of the cgroup's directories: how many it saw. */
static int cg_kill_all(struct cgroup *cg, size_t *seen)
{
	*seen = 0;
	for (int u = 0; u < cg->nuniq; u++) {
		pid_t *pids;
		size_t n;
		int ret = cg_pids_in(cg->uniq[u], &pids, &n);

		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		*seen += n;
		free(pids);
	}
	return 0;
}

int cgroup_destroy(struct cgroup *cg)
{
	uint64_t deadline = cg_now_ns() + CG_SETTLE_NS;
	unsigned step = 1;
	size_t seen;
	int ret;

	/*
	 * Freeze, kill, thaw: a frozen cgroup cannot fork new members between our reading
	 * cgroup.procs and the kills, and SIGKILL takes effect on the thaw. v2's cgroup.kill
	 * does all of that in the kernel.
	 */
	if (cg->v2 && cg_write(cg->uniq[0], "cgroup.kill", "1") == 0) {
		cg_write(cg->uniq[0], "cgroup.freeze", "0");
	} else {
		cgroup_freeze(cg, true); /* best effort: without a freezer the loop below copes */
		ret = cg_kill_all(cg, &seen);
		cgroup_freeze(cg, false);
		if (ret)
			return ret;
	}
	/* Dying processes leave cgroup.procs once they have exited (zombies do not count). */
	for (;;) {
		ret = cg_kill_all(cg, &seen);
		if (ret)
			return ret;
		if (!seen)
			break;
		if (cg_now_ns() > deadline)
			return -EBUSY;
		cg_sleep_backoff(&step);
	}
	for (int u = cg->nuniq - 1; u >= 0; u--) {
		while (rmdir(cg->uniq[u]) < 0 && errno != ENOENT) {
			/* the kernel may still be tearing down the last member's css */
			if (errno != EBUSY || cg_now_ns() > deadline)
				return -errno;
			cg_sleep_backoff(&step);
		}
	}
	return 0;
}
