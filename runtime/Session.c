/* Placeholder until the runtime lands. */
#include "runtime/Session.h"
