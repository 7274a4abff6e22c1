/* libFuzzer entry point: a Go blog page body ("template: true"), rendered for both protocols (see targets.h). */
#include "targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_template((const char *)data, size);
	return 0;
}
