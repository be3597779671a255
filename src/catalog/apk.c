/* apk.c - placeholder until the apk cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_apk = { "apk", NULL, NULL };
