/* Fuzzes front matter: finding the fences, then reading the YAML between
 * them into an article's metadata. */
#include "alloc.h"
#include "article.h"
#include "frontmatter.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct article_context context = {.utc_offset_minutes = 480, .lang = "id"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct buf error = {0};
	struct frontmatter_split split;
	bool found = false;
	if (frontmatter_split(text, size, &split, &found, &error)) {
		/* The metadata is freed with the article that would hold it. */
		struct article *a = xcalloc(1, sizeof *a);
		frontmatter_parse(text + split.yaml_start, split.yaml_len, 2, &context, &a->meta, &error);
		article_free(a);
	}
	buf_free(&error);
	return 0;
}
