/* models.c - placeholder until the models cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_models = { "models", NULL, NULL };
