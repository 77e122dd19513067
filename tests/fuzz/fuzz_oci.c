/*
 * libFuzzer target for the OCI config parser: config.json comes from whoever wrote the
 * bundle. Besides not crashing, a document either parses into a spec whose promises hold
 * (process args non-empty and absolute cwd when there is a process, absolute mount
 * destinations, one-line warnings) or fails with -EINVAL and a one-line message; a broken
 * promise aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *s = NULL;
	char err[256] = "";
	int r = oci_spec_parse((const char *)data, size, &s, err, sizeof(err));

	if (r == -ENOMEM)
		return 0;
	if (r != 0) {
		if (r != -EINVAL || s || !err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (!s || !s->root_path || !s->root_path[0])
		abort();
	if (s->has_process && (!s->process.args || !s->process.args[0] || s->process.cwd[0] != '/'))
		abort();
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].destination[0] != '/')
			abort();
	for (size_t i = 0; i < s->n_warnings; i++)
		if (strchr(s->warnings[i], '\n'))
			abort();
	oci_spec_free(s);
	return 0;
}
