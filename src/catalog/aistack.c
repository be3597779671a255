/* aistack.c - placeholder until the aistack cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_aistack = { "aistack", NULL, NULL };
