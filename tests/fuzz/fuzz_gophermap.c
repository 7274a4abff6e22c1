/* Fuzzes the gophermap reader: a hand-written map rendered as a menu. */
#include "gophermap.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct menu_origin origin = {.host = "localhost", .port = 70};
	struct buf out = {0};
	gophermap_render(&out, (const char *)data, size, "/news/", &origin);
	buf_free(&out);
	return 0;
}
