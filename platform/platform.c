/* Platform registry: maps --platform names to implementations. */
#include <cpuid.h>
#include <errno.h>
#include <string.h>

#include "platform/platform.h"

extern const struct platform_ops ptrace_platform_ops;

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
};

size_t plat_xstate_size(uint64_t *xfeatures)
{
	static size_t size;
	static uint64_t xcr0;
	unsigned int a, b, c, d;

	if (!__atomic_load_n(&size, __ATOMIC_ACQUIRE)) {
		size_t s = 0;

		/* OSXSAVE: the host enabled XSAVE, so XGETBV and leaf 0xD are meaningful. */
		if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) &&
		    __get_cpuid_max(0, NULL) >= 0xd) {
			uint32_t lo, hi;

			__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			__cpuid_count(0xd, 0, a, b, c, d);
			xcr0 = (uint64_t)hi << 32 | lo;
			s = b; /* the XSAVE area for the features XCR0 enables */
		}
		/* Not XSAVE-capable is cached as 1: it is never a valid size. */
		__atomic_store_n(&size, s ? s : 1, __ATOMIC_RELEASE);
	}
	if (size <= 1)
		return 0;
	if (xfeatures)
		*xfeatures = xcr0;
	return size;
}

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
