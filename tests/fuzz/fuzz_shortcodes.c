/* libFuzzer entry point: a Markdown body with Hugo, Zola and Jekyll tags, rendered for both protocols (see targets.h). */
#include "targets.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_shortcodes((const char *)data, size);
	return 0;
}
