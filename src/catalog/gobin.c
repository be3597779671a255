/* gobin.c - placeholder until the gobin cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_gobin = { "gobin", NULL, NULL };
