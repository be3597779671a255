/* rpm.c - placeholder until the rpm cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_rpm = { "rpm", NULL, NULL };
