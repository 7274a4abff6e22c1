/* libFuzzer entry point: the Gopher request path (see targets.h). */
#include "targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_gopher((const char *)data, size);
	return 0;
}
