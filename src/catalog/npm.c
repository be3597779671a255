/* npm.c - placeholder until the npm cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_npm = { "npm", NULL, NULL };
