/* os.c - placeholder until the os cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_os = { "os", NULL, NULL };
