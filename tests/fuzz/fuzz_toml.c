/* libFuzzer entry point: TOML front matter and metadata lines (see targets.h). */
#include "targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_toml((const char *)data, size);
	return 0;
}
