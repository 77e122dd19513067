/* runc-style command flags (oci_args.h). */
#include <stdio.h>
#include <string.h>

#include "runtime/cmd.h"
#include "runtime/oci_args.h"

#define LIST_MAX 256

static const struct oci_opt *find(const struct oci_opt *opts, const char *name, size_t len)
{
	for (const struct oci_opt *o = opts; o->name; o++) {
		if (len == 1 && o->alias == name[0])
			return o;
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	}
	return NULL;
}

static void take(const struct oci_opt *o, const char *v)
{
	if (o->list) {
		int n = 0;

		while (n < LIST_MAX && o->list[n])
			n++;
		if (n < LIST_MAX) {
			o->list[n] = v;
			o->list[n + 1] = NULL;
		}
	}
	if (o->value)
		*o->value = v;
}

int oci_args_parse(const char *cmd, int argc, char **argv, const struct oci_opt *opts)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq;
		const struct oci_opt *o;
		size_t len;

		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || !a[1])
			return i;
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = find(opts, name, len);
		if (!o) {
			cmd_error("%s: flag provided but not defined: %s", cmd, a);
			return -1;
		}
		if (!o->has_arg) {
			if (o->set)
				*o->set = !eq || strcmp(eq + 1, "false");
			continue;
		}
		if (eq) {
			take(o, eq + 1);
		} else if (i + 1 < argc) {
			take(o, argv[++i]);
		} else {
			cmd_error("%s: flag needs an argument: %s", cmd, a);
			return -1;
		}
	}
	return i;
}

int oci_args_need(const char *cmd, int have, int n, bool at_least)
{
	if (at_least ? have >= n : have == n)
		return 0;
	cmd_error("\"%s\" requires %s %d argument(s)", cmd, at_least ? "a minimum of" : "exactly",
		  n);
	return -1;
}
