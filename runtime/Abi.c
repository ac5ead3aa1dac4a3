/* Placeholder until the runtime lands: the exported C ABI of a model .so. */
#include "qc/model.h"
uint32_t qc_abi_version(void) { return QC_ABI_VERSION; }
