/* placeholder while issue 8 is built; replaced by the real verb */
#include "cli/cli.h"
#include "core/error.h"
#include <stdio.h>
int sc_cmd_verify(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "scute: not built yet\n"); return SC_EXIT_USAGE; }
int sc_cmd_verify_blob(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "scute: not built yet\n"); return SC_EXIT_USAGE; }
