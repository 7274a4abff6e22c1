#include "credit.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

/*
 * Crediting an upload to its editor: the text gains one author line and
 * says everything else as it did.
 */

static const struct article_context ctx = {.lang = "en", .file_time = 1700000000};

static struct article *parse(const char *source, const char *text)
{
	struct buf error = {0};
	struct article *a = article_parse(source, text, strlen(text), &ctx, &error);
	buf_free(&error);
	return a;
}

/* Credits text (parsed first) to name; the credited text, parsed, must
 * name want_authors authors with name among them. Returns the text. */
static char *credited(const char *source, const char *text, const char *name,
                      size_t want_authors)
{
	struct article *a = parse(source, text);
	CHECK(a != NULL);
	if (a == NULL)
		return NULL;
	struct buf out = {0};
	bool done = credit_author(a, text, strlen(text), name, &ctx, &out);
	article_free(a);
	if (!done) {
		buf_free(&out);
		return NULL;
	}
	struct article *b = parse(source, out.data);
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_INT(b->meta.n_authors, want_authors);
		CHECK(credit_names(b, name));
		article_free(b);
	}
	return buf_steal(&out);
}

static void test_adds_the_editor_after_the_authors_named(void)
{
	const char *text = "---\ntitle: Ferry\nauthor: Bob Daeng\n---\nThe boat leaves at seven.\n";
	char *out = credited("news/a.md", text, "Alice \"Ali\" Mattalitti", 2);
	CHECK(out != NULL);
	if (out != NULL)
		CHECK_STR(out, "---\ntitle: Ferry\nauthor: Bob Daeng\nauthor: \"Alice \\\"Ali\\\" Mattalitti\"\n"
		               "---\nThe boat leaves at seven.\n");
	free(out);
	/* A list of authors and a block scalar at the end stay as they were. */
	out = credited("news/a.md", "---\nauthors: [A, B]\nsummary: |\n  two\n  lines\n---\nText.\n",
	               "Carol", 3);
	CHECK(out != NULL);
	free(out);
}

static void test_makes_a_front_matter_when_there_is_none(void)
{
	char *out = credited("news/a.gmi", "# Ferry\n\nThe boat leaves at seven.\n", "Alice", 1);
	CHECK(out != NULL);
	const char *want = "---\nauthor: \"Alice\"\n---\n# Ferry\n";
	if (out != NULL)
		CHECK(strncmp(out, want, strlen(want)) == 0);
	free(out);
	out = credited("news/a.md", "---\n---\nText.\n", "Alice", 1);
	CHECK(out != NULL);
	free(out);
}

static void test_leaves_what_names_the_editor_or_cannot_take_a_line(void)
{
	/* Already among the authors. */
	CHECK(credited("news/a.md", "---\nauthor: [Bob, Alice]\n---\nText.\n", "Alice", 2) == NULL);
	/* A flow mapping: a line after it would not be part of it. */
	CHECK(credited("news/a.md", "---\n{title: Ferry, author: Bob}\n---\nText.\n", "Alice", 2) ==
	      NULL);
	/* The seed layout names its author in its own way. */
	const char *seed = "# Goblog\n\n## Ferry runs twice daily\n\nRINA - [BARRU.GOBLOG.CO.ID](http://barru.goblog.co.id)\n\n"
	                   "Apr 21, 2022 - 11:18\n\nThe boat leaves at seven.\n";
	struct article *a = parse("news/seed.txt", seed);
	CHECK(a != NULL);
	if (a != NULL) {
		struct buf out = {0};
		CHECK(a->meta.site_name != NULL);
		CHECK(!credit_author(a, seed, strlen(seed), "Alice", &ctx, &out));
		CHECK_INT(out.len, 0);
		buf_free(&out);
		article_free(a);
	}
}

int main(void)
{
	RUN(test_adds_the_editor_after_the_authors_named);
	RUN(test_makes_a_front_matter_when_there_is_none);
	RUN(test_leaves_what_names_the_editor_or_cannot_take_a_line);
	return check_report();
}
