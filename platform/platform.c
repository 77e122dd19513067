/* Platform registry: maps --platform names to implementations. */
#include <errno.h>
#include <string.h>

#include "platform/platform.h"

extern const struct platform_ops ptrace_platform_ops;

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
};

const struct platform_ops *platform_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(platforms); i++)
		if (!strcmp(platforms[i]->name, name))
			return platforms[i];
	return NULL;
}

int platform_create(const char *name, int memfd, struct platform **out)
{
	const struct platform_ops *ops = platform_lookup(name);
	int err;

	if (!ops)
		return -ENOENT;
	err = ops->probe();
	if (err)
		return err;
	return ops->init(out, memfd);
}
