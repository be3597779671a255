/* cmd_sbom.c - placeholder: `scute sbom` is being written. */
#include "cli/cli.h"
#include "core/error.h"

#include <stdio.h>

int sc_cmd_sbom(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "scute: error: sbom is not available yet\n");
	return SC_EXIT_INTERNAL;
}
