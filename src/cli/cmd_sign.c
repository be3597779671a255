/* placeholder while issue 8 is built; replaced by the real verb */
#include "cli/cli.h"
#include "core/error.h"
#include <stdio.h>
int sc_cmd_sign(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "scute: not built yet\n"); return SC_EXIT_USAGE; }
int sc_cmd_attest(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "scute: not built yet\n"); return SC_EXIT_USAGE; }
int sc_cli_sign_image(const char *image, const char *key_path, const char *identity,
		      const sc_cli_attestation *atts, size_t natts, int quiet)
{ (void)image; (void)key_path; (void)identity; (void)atts; (void)natts; (void)quiet; return SC_EUNSUPPORTED; }
