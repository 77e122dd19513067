/*
 * The shared part of the standalone fuzz drivers (gcc builds, no libFuzzer): each input
 * goes to the target's LLVMFuzzerTestOneInput through a private malloc'd copy, so an
 * out-of-bounds read hits the end of a heap block (ASan), and a deterministic generator
 * drives the mutations so a failure reproduces.
 */
#ifndef TESTS_FUZZ_DRIVER_H
#define TESTS_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern unsigned long fuzz_runs;

void fuzz_run(const void *data, size_t size);
/* Runs the target over a file's contents. 0, or -1 if it cannot be read. */
int fuzz_run_file(const char *path);
/* xorshift64: the same sequence every run. */
uint64_t fuzz_rng(void);

#endif
