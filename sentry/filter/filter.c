/* Builds the sentry's host seccomp filter from allowed.h with libseccomp. */
#include <errno.h>
#include <fcntl.h> /* AT_EMPTY_PATH in allowed.h */
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "common/log.h"
#include "sentry/filter/filter.h"

struct rule {
	const char *name;
	int arg; /* -1: any arguments */
	uint64_t value;
	int deny_errno; /* > 0: the call fails with this errno instead of running */
};

static const struct rule rules[] = {
#define ALLOW(n) { #n, -1, 0, 0 },
#define ALLOW_ARG(n, i, v) { #n, i, v, 0 },
#define DENY(n, e) { #n, -1, 0, e },
#include "sentry/filter/allowed.h"
#undef ALLOW
#undef ALLOW_ARG
#undef DENY
};

int filter_for_each(void (*fn)(const char *name, int arg_rules, void *arg), void *arg)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		/* Consecutive ALLOW_ARG lines of one syscall count once. */
		if (i && rules[i].arg >= 0 && !strcmp(rules[i - 1].name, rules[i].name))
			continue;
		if (rules[i].deny_errno)
			continue; /* not allowed: it fails */
		if (fn)
			fn(rules[i].name, rules[i].arg >= 0, arg);
		n++;
	}
	return n;
}

int filter_install(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0) {
		err = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int nr = seccomp_syscall_resolve_name(rules[i].name);

		if (nr == __NR_SCMP_ERROR) {
			log_warn("filter: unknown syscall %s", rules[i].name);
			err = -EINVAL;
			goto out;
		}
		if (rules[i].deny_errno)
			err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(rules[i].deny_errno), nr, 0);
		else if (rules[i].arg < 0)
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		else
			err = seccomp_rule_add(
				ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_CMP((unsigned)rules[i].arg, SCMP_CMP_EQ, rules[i].value));
		if (err < 0)
			goto out;
	}
	err = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	return err < 0 ? err : 0;
}
