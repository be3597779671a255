/* elf.c - placeholder until the elf cataloger lands (registers nothing, adds nothing). */
#include "catalog/catalog.h"

const sc_cataloger sc_cataloger_elf = { "elf", NULL, NULL };
