/*
 * A standalone driver for fuzz_elf.c when libFuzzer isn't available (gcc builds): runs
 * the target over the files named on the command line, then over a built-in corpus (valid
 * ELF seeds, every truncation, byte and field mutations, pseudo-random damage and "#!"
 * lines). Deterministic, so a failure reproduces; the target aborts on a broken invariant.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/loader/elf.h"
#include "tests/fuzz/driver.h"
#include "tests/fuzz/elf_seed.h"

/* Values that sit on the edges the validation must get right. */
static const uint64_t edge_values[] = {
	0,
	1,
	2,
	0x38,
	0x40,
	0xfff,
	0x1000,
	0x1001,
	0xffff,
	0x10000,
	ELF_ADDR_LIMIT - 1,
	ELF_ADDR_LIMIT,
	ELF_ADDR_LIMIT + 1,
	0x7fffffffffffffffULL,
	0x8000000000000000ULL,
	0xfffffffffffff000ULL,
	0xffffffffffffffffULL,
};

static void mutate_seed(const struct elf_seed *seed)
{
	struct elf_seed m;
	size_t phend = sizeof(Elf64_Ehdr) + seed->phnum * sizeof(Elf64_Phdr);

	fuzz_run(seed->buf, seed->len);
	for (size_t len = 0; len <= seed->len; len += len < 0x240 ? 1 : 0x40)
		fuzz_run(seed->buf, len);

	/* Every header byte through a few values. */
	for (size_t off = 0; off < phend; off++) {
		static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };

		for (size_t v = 0; v < sizeof(vals); v++) {
			m = *seed;
			m.buf[off] = vals[v];
			fuzz_run(m.buf, m.len);
			m.buf[off] = seed->buf[off] ^ vals[v];
			fuzz_run(m.buf, m.len);
		}
	}
	/* Every 2-, 4- and 8-byte field of the headers through the edge values. */
	for (size_t off = 0; off + 2 <= phend; off += 2) {
		for (size_t v = 0; v < sizeof(edge_values) / sizeof(edge_values[0]); v++) {
			for (size_t w = 2; w <= 8 && off + w <= phend; w *= 2) {
				m = *seed;
				memcpy(m.buf + off, &edge_values[v], w);
				fuzz_run(m.buf, m.len);
			}
		}
	}
	/* Random damage to the headers. */
	for (int i = 0; i < 20000; i++) {
		int k = 1 + (int)(fuzz_rng() % 8);

		m = *seed;
		while (k--)
			m.buf[fuzz_rng() % phend] = (uint8_t)fuzz_rng();
		fuzz_run(m.buf, fuzz_rng() % 4 ? m.len : fuzz_rng() % (m.len + 1));
	}
}

static void script_corpus(void)
{
#define LINE(s)                  \
	{                        \
		s, sizeof(s) - 1 \
	}
	static const struct {
		const char *s;
		size_t n;
	} lines[] = {
		LINE("#!/bin/sh\n"),
		LINE("#!/bin/sh -x\n"),
		LINE("#! /bin/sh\t -x  -y \t\n"),
		LINE("#!"),
		LINE("#!\n"),
		LINE("#! \t \n"),
		LINE("#!/bin/sh"),
		LINE("#!/bin/sh\0-x\n"),
		LINE("#!\0/bin/sh\n"),
		LINE("#!/bin/sh  \0 x"),
		LINE("#!/x\t\t\t"),
		LINE("# /bin/sh\n"),
		LINE(""),
	};
#undef LINE
	char big[600];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fuzz_run(lines[i].s, lines[i].n);
	for (size_t n = 2; n < sizeof(big); n += 7) {
		memset(big, 'a', sizeof(big));
		memcpy(big, "#!", 2);
		fuzz_run(big, n);
		big[n / 2] = ' ';
		fuzz_run(big, n);
		big[n / 3] = '\n';
		fuzz_run(big, n);
	}
}

int main(int argc, char **argv)
{
	struct elf_seed seed;
	struct elf_info info;

	for (int i = 1; i < argc; i++)
		if (fuzz_run_file(argv[i]))
			return 1;

	for (int pie = 0; pie < 2; pie++) {
		for (int interp = 0; interp < 2; interp++) {
			elf_seed_build(&seed, pie, interp);
			if (elf_parse(seed.buf, seed.len, &info) != 0) {
				fprintf(stderr, "seed pie=%d interp=%d does not parse\n", pie,
					interp);
				return 1;
			}
			mutate_seed(&seed);
		}
	}
	script_corpus();
	printf("fuzz_elf: %lu inputs, no invariant broken\n", fuzz_runs);
	return 0;
}
