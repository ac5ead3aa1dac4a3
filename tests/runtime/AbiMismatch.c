/* A library that claims a future qc ABI version: model.hpp must refuse it
   before touching any other entry. */
#include "qc/model.h"

__attribute__((visibility("default"))) uint32_t qc_abi_version(void) {
  return QC_ABI_VERSION + 1;
}
