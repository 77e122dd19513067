/*
 * The state directory: ROOT/ID/{state.json,lock}. state.json is written to a temp file
 * and renamed, so a reader never sees half of one; the lock file is flock()ed by every
 * command that changes the container.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/oci_state.h"

#define STATE_MAX_SIZE (1 << 20)

bool oci_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > OCI_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (const char *c = id; *c; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '+' || *c == '-' ||
			  *c == '.';

		if (!ok)
			return false;
	}
	return true;
}

int oci_state_path(const char *root, const char *id, const char *leaf, char *buf, size_t len)
{
	int n;

	if (!oci_id_valid(id))
		return -EINVAL;
	n = leaf ? snprintf(buf, len, "%s/%s/%s", root, id, leaf) :
		   snprintf(buf, len, "%s/%s", root, id);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int lock_dir(const char *root, const char *id, int *lock_fd, bool create)
{
	char path[4096];
	int fd, err = oci_state_path(root, id, "lock", path, sizeof(path));

	if (err < 0)
		return err;
	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*lock_fd = fd;
	return 0;
}

int oci_state_create_dir(const char *root, const char *id, int *lock_fd)
{
	char path[4096];
	int err = oci_state_path(root, id, NULL, path, sizeof(path));

	if (err < 0)
		return err;
	if (mkdir(root, 0711) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(path, 0711) < 0)
		return -errno;
	err = lock_dir(root, id, lock_fd, true);
	if (err < 0)
		rmdir(path);
	return err;
}

int oci_state_lock(const char *root, const char *id, int *lock_fd)
{
	return lock_dir(root, id, lock_fd, false);
}

void oci_state_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd);
}

const char *oci_status_name(enum oci_status st)
{
	static const char *const names[] = { "creating", "created", "running", "paused",
					     "stopped" };

	return st <= OCI_STOPPED ? names[st] : "unknown";
}

static int status_from_name(const char *name, enum oci_status *out)
{
	for (int st = OCI_CREATING; st <= OCI_STOPPED; st++)
		if (!strcmp(name, oci_status_name(st))) {
			*out = st;
			return 0;
		}
	return -EINVAL;
}

void oci_now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

static json_object *state_obj(const struct oci_state *s, bool full)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "pid",
			       json_object_new_int(s->status == OCI_STOPPED ? 0 : s->pid));
	json_object_object_add(o, "status", json_object_new_string(oci_status_name(s->status)));
	json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs));
	json_object_object_add(o, "created", json_object_new_string(s->created));
	json_object_object_add(o, "owner", json_object_new_string(s->owner));
	if (s->annotations && s->annotations[0]) {
		json_object *a = json_object_new_object();

		for (char **kv = s->annotations; kv[0] && kv[1]; kv += 2)
			json_object_object_add(a, kv[0], json_object_new_string(kv[1]));
		json_object_object_add(o, "annotations", a);
	}
	if (full) {
		json_object *g = json_object_new_array();

		/* ours, not the spec's: what only warden itself reads back */
		json_object_object_add(o, "wardenPid", json_object_new_int(s->pid));
		json_object_object_add(o, "wardenPidStart",
				       json_object_new_int64((int64_t)s->pid_start));
		json_object_object_add(o, "wardenConfig", json_object_new_string(s->config));
		json_object_object_add(o, "wardenStarted", json_object_new_boolean(s->started));
		json_object_object_add(o, "wardenCgroup",
				       json_object_new_string(s->cgroup ? s->cgroup : ""));
		for (int i = 0; i < s->n_gofers; i++)
			json_object_array_add(g, json_object_new_int(s->gofer_pids[i]));
		json_object_object_add(o, "wardenGofers", g);
	}
	return o;
}

char *oci_state_json(const struct oci_state *s, bool pretty)
{
	json_object *o = state_obj(s, false);
	char *out = strdup(json_object_to_json_string_ext(
		o, (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			     JSON_C_TO_STRING_PLAIN) |
			   JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return out;
}

int oci_state_save(const char *root, const struct oci_state *s)
{
	char path[4096], tmp[4096 + 8];
	json_object *o;
	const char *text;
	size_t len;
	bool ok;
	int fd, err = oci_state_path(root, s->id, "state.json", path, sizeof(path));

	if (err < 0)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	o = state_obj(s, true);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	ok = write(fd, text, len) == (ssize_t)len;
	err = ok ? 0 : -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	json_object_put(o);
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int str_field(json_object *o, const char *key, char **out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

static int int_field(json_object *o, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -EINVAL;
	*out = json_object_get_int64(v);
	return 0;
}

static int parse_state(json_object *o, struct oci_state *s)
{
	json_object *g, *a;
	char *status = NULL;
	int64_t pid, start;
	int err = str_field(o, "id", &s->id);

	if (!err)
		err = str_field(o, "bundle", &s->bundle);
	if (!err)
		err = str_field(o, "rootfs", &s->rootfs);
	if (!err)
		err = str_field(o, "created", &s->created);
	if (!err)
		err = str_field(o, "owner", &s->owner);
	if (!err)
		err = str_field(o, "wardenConfig", &s->config);
	if (!err && json_object_object_get_ex(o, "wardenStarted", &g))
		s->started = json_object_get_boolean(g);
	if (!err && json_object_object_get_ex(o, "wardenCgroup", &g))
		err = str_field(o, "wardenCgroup", &s->cgroup);
	if (!err)
		err = str_field(o, "status", &status);
	if (!err)
		err = status_from_name(status, &s->status);
	free(status);
	if (!err)
		err = int_field(o, "wardenPid", &pid);
	if (!err)
		err = int_field(o, "wardenPidStart", &start);
	if (err)
		return err;
	if (pid < 0 || pid > 1 << 22)
		return -EINVAL;
	s->pid = (pid_t)pid;
	s->pid_start = (uint64_t)start;
	if (json_object_object_get_ex(o, "wardenGofers", &g) &&
	    json_object_is_type(g, json_type_array)) {
		size_t n = json_object_array_length(g);

		for (size_t i = 0;
		     i < n && s->n_gofers < (int)(sizeof(s->gofer_pids) / sizeof(s->gofer_pids[0]));
		     i++)
			s->gofer_pids[s->n_gofers++] =
				(pid_t)json_object_get_int(json_object_array_get_idx(g, i));
	}
	if (json_object_object_get_ex(o, "annotations", &a) &&
	    json_object_is_type(a, json_type_object)) {
		size_t n = (size_t)json_object_object_length(a), i = 0;

		s->annotations = calloc(2 * n + 1, sizeof(char *));
		if (!s->annotations)
			return -ENOMEM;
		json_object_object_foreach(a, k, v)
		{
			if (!json_object_is_type(v, json_type_string))
				continue;
			s->annotations[i++] = strdup(k);
			s->annotations[i++] = strdup(json_object_get_string(v));
			if (!s->annotations[i - 1] || !s->annotations[i - 2])
				return -ENOMEM;
		}
	}
	return 0;
}

int oci_state_load(const char *root, const char *id, struct oci_state **out)
{
	char path[4096];
	struct oci_state *s;
	json_object *o;
	int err = oci_state_path(root, id, "state.json", path, sizeof(path));
	struct stat st;

	*out = NULL;
	if (err < 0)
		return err == -EINVAL ? -ENOENT : err;
	if (stat(path, &st) < 0)
		return -errno;
	if (st.st_size > STATE_MAX_SIZE)
		return -EINVAL;
	o = json_object_from_file(path);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		json_object_put(o);
		return -ENOMEM;
	}
	err = parse_state(o, s);
	json_object_put(o);
	if (err) {
		oci_state_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->config);
	free(s->cgroup);
	for (char **a = s->annotations; a && *a; a++)
		free(*a);
	free(s->annotations);
	free(s);
}

int oci_state_remove(const char *root, const char *id)
{
	char dir[4096], path[4096 + 256];
	struct dirent *e;
	DIR *d;
	int err = oci_state_path(root, id, NULL, dir, sizeof(dir));

	if (err < 0)
		return err;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		/* files, and the (empty on the host) staging dir of file binds */
		if (unlink(path) < 0 && errno == EISDIR)
			rmdir(path);
	}
	closedir(d);
	return rmdir(dir) < 0 ? -errno : 0;
}

uint64_t oci_pid_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) follows; start time is field 22 */
	for (int field = 3; p && field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 22)
			start = strtoull(p + 1, NULL, 10);
	}
	/* a zombie is gone as far as a container is concerned */
	if (strstr(buf, ") Z ") || strstr(buf, ") X "))
		return 0;
	return start;
}

bool oci_pid_alive(pid_t pid, uint64_t start)
{
	uint64_t now;

	if (pid <= 0)
		return false;
	now = oci_pid_start_time(pid);
	return now != 0 && now == start;
}

void oci_state_refresh(struct oci_state *s)
{
	if (s->status != OCI_STOPPED && s->pid > 0 && !oci_pid_alive(s->pid, s->pid_start))
		s->status = OCI_STOPPED;
}
