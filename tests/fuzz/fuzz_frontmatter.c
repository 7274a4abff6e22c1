/* libFuzzer entry point: front matter (see targets.h). */
#include "targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_frontmatter((const char *)data, size);
	return 0;
}
