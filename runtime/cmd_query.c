/* The OCI queries: state, list, ps, events (runc's CLI and output formats). */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "runtime/cgroup.h"
#include "runtime/cmd.h"
#include "runtime/oci_args.h"
#include "runtime/oci_cli.h"
#include "runtime/oci_control.h"
#include "runtime/oci_state.h"

#define PS_REPLY_MAX (256 * 1024)

int cmd_state(int argc, char **argv)
{
	const struct oci_opt opts[] = { OPT_END };
	int i = oci_args_parse("state", argc, argv, opts);
	struct oci_state *st;
	char *json;

	if (i < 0 || oci_args_need("state", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	st = oci_container_load(argv[i], NULL);
	if (!st)
		return OCI_EXIT_ERROR;
	json = oci_state_json(st, true);
	if (json)
		printf("%s\n", json);
	free(json);
	oci_state_free(st);
	return json ? 0 : OCI_EXIT_ERROR;
}

static int cmp_state(const void *a, const void *b)
{
	return strcmp((*(struct oci_state *const *)a)->id, (*(struct oci_state *const *)b)->id);
}

/* Every container under --root, sorted by id; skips damaged ones. */
static int load_all(struct oci_state ***out, size_t *n)
{
	DIR *d = opendir(oci_globals.root);
	struct oci_state **v = NULL;
	struct dirent *e;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		struct oci_state *st;

		if (e->d_name[0] == '.' || !oci_id_valid(e->d_name) ||
		    oci_state_load(oci_globals.root, e->d_name, &st))
			continue;
		oci_state_refresh(st);
		if (*n == cap) {
			struct oci_state **nv = realloc(v, (cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				oci_state_free(st);
				break;
			}
			v = nv;
			cap = cap ? 2 * cap : 16;
		}
		v[(*n)++] = st;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_state);
	*out = v;
	return 0;
}

static const char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? pw->pw_name : "";
}

int cmd_list(int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	const struct oci_opt opts[] = { OPT_ARG("format", 'f', &format),
					OPT_FLAG("quiet", 'q', &quiet), OPT_END };
	int i = oci_args_parse("list", argc, argv, opts), err;
	struct oci_state **v = NULL;
	size_t n;

	if (i < 0)
		return OCI_EXIT_ERROR;
	if (strcmp(format, "table") && strcmp(format, "json")) {
		cmd_error("invalid format option");
		return OCI_EXIT_ERROR;
	}
	err = load_all(&v, &n);
	if (err) {
		cmd_error("%s: %s", oci_globals.root, strerror(-err));
		return OCI_EXIT_ERROR;
	}
	if (quiet) {
		for (size_t k = 0; k < n; k++)
			printf("%s\n", v[k]->id);
	} else if (!strcmp(format, "json")) {
		json_object *arr = n ? json_object_new_array() : NULL;

		for (size_t k = 0; k < n; k++) {
			char *s = oci_state_json(v[k], false);
			json_object *o = s ? json_tokener_parse(s) : NULL;

			free(s);
			if (!o)
				continue;
			json_object_object_add(o, "owner", json_object_new_string(owner_name()));
			json_object_array_add(arr, o);
		}
		printf("%s\n",
		       arr ? json_object_to_json_string_ext(
				     arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) :
			     "null");
		json_object_put(arr);
	} else {
		printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
		for (size_t k = 0; k < n; k++)
			printf("%-12s %-8d %-10s %-40s %-30s %s\n", v[k]->id,
			       v[k]->status == OCI_STOPPED ? 0 : (int)v[k]->pid,
			       oci_status_name(v[k]->status), v[k]->bundle, v[k]->created,
			       owner_name());
	}
	for (size_t k = 0; k < n; k++)
		oci_state_free(v[k]);
	free(v);
	return 0;
}

/* ps --format json: the host pids of the sandbox (its cgroup's processes), as the
 * containerd shim expects; the table: the guest's processes, as the sentry sees them. */
int cmd_ps(int argc, char **argv)
{
	const char *format = "table";
	const struct oci_opt opts[] = { OPT_ARG("format", 'f', &format), OPT_END };
	int i = oci_args_parse("ps", argc, argv, opts), n;
	const char *req[] = { "ps" };
	struct oci_state *st;
	char *buf, **f;

	if (i < 0 || oci_args_need("ps", argc - i, 1, true))
		return OCI_EXIT_ERROR;
	if (strcmp(format, "table") && strcmp(format, "json")) {
		cmd_error("invalid format option");
		return OCI_EXIT_ERROR;
	}
	st = oci_container_load(argv[i], NULL);
	if (!st)
		return OCI_EXIT_ERROR;
	if (!strcmp(format, "json")) {
		struct cgroup *cg;
		pid_t *pids = NULL;
		size_t np = 0;

		if (st->status != OCI_STOPPED && cgroup_open(st->cgroup, &cg) == 0) {
			cgroup_pids(cg, &pids, &np);
			cgroup_free(cg);
		}
		if (!np) {
			printf("null\n");
		} else {
			printf("[");
			for (size_t k = 0; k < np; k++)
				printf("%s%d", k ? "," : "", (int)pids[k]);
			printf("]\n");
		}
		free(pids);
		oci_state_free(st);
		return 0;
	}
	printf("UID        PID  PPID  C STIME    TTY   TIME     CMD\n");
	buf = malloc(PS_REPLY_MAX);
	f = malloc(32768 * sizeof(*f));
	n = st->status == OCI_STOPPED || !buf || !f ?
		    0 :
		    oci_control_call(oci_globals.root, st->id, req, 1, buf, PS_REPLY_MAX, f, 32768);
	for (int k = 1; k < n; k++) {
		int pid, ppid;
		unsigned uid;
		long long start;
		char comm[64];

		if (sscanf(f[k], "%d %d %u %lld %63[^\n]", &pid, &ppid, &uid, &start, comm) != 5)
			continue;
		printf("%-8u %5d %5d  0 %02lld:%02lld    ?     00:00:00 %s\n", uid, pid, ppid,
		       start / 3600 % 24, start / 60 % 60, comm);
	}
	free(buf);
	free(f);
	oci_state_free(st);
	return 0;
}

static int print_stats(const struct oci_state *st)
{
	struct cgroup_stats cs;
	struct cgroup *cg;
	char *json = NULL;
	int err = cgroup_open(st->cgroup, &cg);

	if (!err) {
		err = cgroup_stats(cg, &cs);
		cgroup_free(cg);
	}
	if (!err)
		json = cgroup_stats_json(&cs, st->id);
	if (!json)
		return err ? err : -ENOMEM;
	printf("%s\n", json);
	fflush(stdout);
	free(json);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	bool stats = false;
	const char *interval = "5";
	const struct oci_opt opts[] = { OPT_FLAG("stats", 0, &stats),
					OPT_ARG("interval", 0, &interval), OPT_END };
	int i = oci_args_parse("events", argc, argv, opts), err;
	struct oci_state *st;
	long secs;

	if (i < 0 || oci_args_need("events", argc - i, 1, false))
		return OCI_EXIT_ERROR;
	/* "5", "5s", "500ms" */
	secs = strtol(interval, NULL, 10);
	if (strstr(interval, "ms"))
		secs = secs >= 1000 ? secs / 1000 : 1;
	if (secs < 1)
		secs = 1;
	for (;;) {
		st = oci_container_load(argv[i], NULL);
		if (!st)
			return OCI_EXIT_ERROR;
		if (st->status == OCI_STOPPED) {
			cmd_error("container with id %s is not running", st->id);
			oci_state_free(st);
			return OCI_EXIT_ERROR;
		}
		err = print_stats(st);
		oci_state_free(st);
		if (err) {
			cmd_error("events: %s", strerror(-err));
			return OCI_EXIT_ERROR;
		}
		if (stats)
			return 0;
		sleep((unsigned)secs);
	}
}
