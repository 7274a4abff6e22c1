/* Fuzzes the whole article path: the bytes parsed as a Markdown, a gemtext
 * and a plain text article, each rendered as gemtext and as Gopher text. */
#include "article.h"
#include "render.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sources[] = {"news/2022-04-21-fuzz.md", "news/2022-04-21-fuzz.gmi",
                                      "news/2022-04-21-fuzz.txt"};

static const struct article_context context = {.utc_offset_minutes = 480, .lang = "id"};

static struct vhost vhost = {
	.lang = "id",
	.zone_name = "WITA",
	.utc_offset_minutes = 480,
	.wrap_columns = 70,
};

static void render_both(const struct article *a)
{
	struct buf out = {0};
	const struct render_context gemini = {.vhost = &vhost, .base_url = "gemini://localhost"};
	const struct render_context gopher = {.vhost = &vhost, .base_url = "gopher://localhost:70"};
	render_gemtext(&out, a, &gemini);
	buf_clear(&out);
	render_gopher_text(&out, a, &gopher);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		struct buf error = {0};
		struct article *a = article_parse(sources[i], (const char *)data, size, &context, &error);
		if (a != NULL)
			render_both(a);
		article_free(a);
		buf_free(&error);
	}
	return 0;
}
