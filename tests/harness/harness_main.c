// SPDX-License-Identifier: MIT
/*
 * The default main() of a harness program. It lives in its own object so that a program
 * with a main() of its own (calling harness_main() itself) does not pull it in.
 */
#include "tests/harness/harness.h"

int main(int argc, char **argv)
{
	return harness_main(argc, argv);
}
