/* dpkg.c - placeholder until the dpkg cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_dpkg = { "dpkg", NULL, NULL };
