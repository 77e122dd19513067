/*
 * libFuzzer target for the loader's untrusted-input parsers: ELF header and program
 * header validation, and the "#!" line. Besides not crashing, a successful parse must
 * describe a file the mapping code can trust; a broken promise aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sentry/loader/elf.h"
#include "sentry/loader/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_elf(const uint8_t *data, size_t size)
{
	struct elf_info info;
	int err = elf_parse(data, size, &info);

	if (err != 0 && err != -ENOEXEC)
		abort();
	if (err)
		return;
	if (info.type != ET_EXEC && info.type != ET_DYN)
		abort();
	if (info.phnum == 0 || info.phnum > ELF_MAX_PHNUM)
		abort();
	if (info.phoff > size || info.phnum * sizeof(Elf64_Phdr) > size - info.phoff)
		abort();
	if (info.nload == 0 || !IS_PAGE_ALIGNED(info.min_vaddr))
		abort();
	if (info.min_vaddr > info.max_vaddr || info.max_vaddr > ELF_ADDR_LIMIT)
		abort();
	if (info.max_align < PAGE_SIZE || (info.max_align & (info.max_align - 1)))
		abort();
	if (info.has_interp) {
		if (info.interp_len < 2 || info.interp_len > ELF_INTERP_MAX ||
		    info.interp_off > size || info.interp_len > size - info.interp_off ||
		    data[info.interp_off + info.interp_len - 1] != '\0')
			abort();
	}
}

static void fuzz_check_script(const uint8_t *data, size_t size)
{
	struct script_line sl;
	int err = loader_script_parse(data, size, &sl);
	const char *end = sl.buf + sizeof(sl.buf);

	if (err != 0 && err != -ENOEXEC)
		abort();
	if (err)
		return;
	/* Both strings lie in the buffer and are NUL-terminated there. The name may be empty
	 * ("#!" then NUL), as in Linux, which then opens "" and fails. */
	if (!sl.interp || sl.interp < sl.buf + 2 || sl.interp >= end)
		abort();
	if (!memchr(sl.interp, '\0', (size_t)(end - sl.interp)))
		abort();
	if (sl.arg &&
	    (sl.arg < sl.buf || sl.arg >= end || !memchr(sl.arg, '\0', (size_t)(end - sl.arg))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_elf(data, size);
	fuzz_check_script(data, size);
	return 0;
}
