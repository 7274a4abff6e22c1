/* Fuzzes the date parser, and the formatting of whatever it accepts. */
#include "date.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct when w;
	if (!date_parse((const char *)data, size, 480, &w))
		return 0;
	struct tm tm;
	date_local(&w, &tm);
	struct buf out = {0};
	date_format_rfc3339(&out, &w);
	buf_free(&out);
	return 0;
}
