/*
 * Command flags as runc's CLI library takes them: "--name value", "--name=value",
 * "-name value", a one-letter alias with one dash, and flags only before the first
 * positional argument.
 */
#ifndef RUNTIME_OCI_ARGS_H
#define RUNTIME_OCI_ARGS_H

#include <stdbool.h>

struct oci_opt {
	const char *name;
	char alias; /* 0 = none */
	bool has_arg;
	const char **value; /* has_arg: the value (the last one given) */
	bool *set; /* !has_arg: set to true */
	/* has_arg and repeatable: each value appended here (NULL-terminated, max 256) */
	const char **list;
};

#define OPT_ARG(n, a, v)                                                 \
	{                                                                \
		.name = (n), .alias = (a), .has_arg = true, .value = (v) \
	}
#define OPT_FLAG(n, a, b)                             \
	{                                             \
		.name = (n), .alias = (a), .set = (b) \
	}
#define OPT_LIST(n, a, l)                                               \
	{                                                               \
		.name = (n), .alias = (a), .has_arg = true, .list = (l) \
	}
#define OPT_END              \
	{                    \
		.name = NULL \
	}

/* Parses argv[1..]; returns the index of the first positional argument, or -1 after
 * printing "cmd: unknown flag" or a missing value. */
int oci_args_parse(const char *cmd, int argc, char **argv, const struct oci_opt *opts);

/* Checks the positional count: "cmd" requires exactly/at least n argument(s). */
int oci_args_need(const char *cmd, int have, int n, bool at_least);

#endif
