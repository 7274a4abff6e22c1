/* Fuzzes the Gopher request path: framing the bytes a client sends, then
 * taking the request line apart (and the whole input as one line too). */
#include "gopher.h"
#include "selector.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_selector(const char *s, size_t len)
{
	struct selector sel;
	if (selector_parse(s, len, &sel) == SELECTOR_OK)
		selector_free(&sel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	size_t request_len = 0;
	if (gopher_frame(bytes, size, &request_len) == FRAME_COMPLETE)
		parse_selector(bytes, request_len);
	parse_selector(bytes, size);
	free(selector_normalise(bytes, size));
	return 0;
}
