/* python.c - placeholder until the python cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_python = { "python", NULL, NULL };
