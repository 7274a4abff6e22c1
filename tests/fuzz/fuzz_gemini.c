/* Fuzzes the Gemini request path: framing the bytes a client sends, then
 * parsing the request line as a URL (and the whole input as one too). */
#include "gemini.h"
#include "url.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_url(const char *s, size_t len)
{
	struct url u;
	if (url_parse(s, len, &u) == URL_OK)
		url_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *bytes = (const char *)data;
	size_t request_len = 0;
	if (gemini_frame(bytes, size, &request_len) == FRAME_COMPLETE)
		parse_url(bytes, request_len);
	parse_url(bytes, size);
	return 0;
}
