#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "article.h"
#include "shortcodes.h"

/* The rewrite of text, as a string the caller frees; warnings into w. */
static char *rewrite(const char *text, struct buf *w)
{
	struct buf out = {0};
	shortcodes_rewrite(text, strlen(text), 1, &out, w);
	return out.data ? buf_steal(&out) : xstrdup("");
}

static bool contains(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

static const struct article_context context = {.lang = "en"};

static struct article *parse(const char *source, const char *text)
{
	struct buf error = {0};
	struct article *a = article_parse(source, text, strlen(text), &context, &error);
	if (a == NULL)
		fprintf(stderr, "  parse: %s\n", error.data ? error.data : "?");
	buf_free(&error);
	return a;
}

/* Whether any block's text, url or alt, or link, holds needle. */
static bool article_holds(const struct article *a, const char *needle)
{
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct block *b = &a->blocks[i];
		if (contains(b->text, needle) || contains(b->url, needle) || contains(b->alt, needle))
			return true;
		for (size_t k = 0; k < b->n_links; k++)
			if (contains(b->links[k].url, needle) || contains(b->links[k].label, needle))
				return true;
	}
	return false;
}

static const struct block *find_block(const struct article *a, enum block_kind kind, const char *url)
{
	for (size_t i = 0; i < a->n_blocks; i++)
		if (a->blocks[i].kind == kind && (url == NULL || contains(a->blocks[i].url, url)))
			return &a->blocks[i];
	return NULL;
}

static const char hugo_post[] =
	"---\n"
	"title: \"Ferry timetable changes\"\n"
	"date: 2024-03-01\n"
	"---\n"
	"\n"
	"The new timetable starts in April.\n"
	"\n"
	"{{< comment >}}\n"
	"TODO: check the winter times with the harbour office (SECRET-NOTE).\n"
	"\n"
	"- ask about the night boat\n"
	"{{< /comment >}}\n"
	"\n"
	"{{< figure src=\"/images/ferry.jpg\" caption=\"The morning ferry at Paotere\" alt=\"A ferry\" >}}\n"
	"\n"
	"{{<youtube dQw4w9WgXcQ>}}\n"
	"\n"
	"See [the old timetable]({{< ref \"2023-01-01-old.md\" >}}) and\n"
	"[the harbour page]({{% param canonical_url %}}/harbour).\n"
	"\n"
	"{{< notice warning >}}\n"
	"Tickets are sold at the pier only.\n"
	"{{< /notice >}}\n";

static void test_hugo_post(void)
{
	struct article *a = parse("news/2024-03-01-ferry.md", hugo_post);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK(!article_holds(a, "SECRET-NOTE"));
	CHECK(!article_holds(a, "night boat"));
	CHECK(!article_holds(a, "{{"));
	CHECK(!article_holds(a, "}}"));
	const struct block *img = find_block(a, BLOCK_IMAGE, "/images/ferry.jpg");
	CHECK(img != NULL);
	if (img != NULL)
		CHECK_STR(img->alt, "The morning ferry at Paotere");
	CHECK(find_block(a, BLOCK_LINK, "https://www.youtube.com/watch?v=dQw4w9WgXcQ") != NULL);
	CHECK(article_holds(a, "2023-01-01-old.md"));
	CHECK(article_holds(a, "/harbour"));
	CHECK(!article_holds(a, "canonical_url"));
	CHECK(article_holds(a, "Tickets are sold at the pier only."));
	/* param and notice, each on its own line of the file. */
	CHECK(contains(a->warnings, "19: shortcode param canonical_url, removed\n"));
	CHECK(contains(a->warnings, "21: unknown shortcode notice, removed\n"));
	article_free(a);
}

static const char zola_post[] =
	"+++\n"
	"title = \"Four years of the ferry\"\n"
	"+++\n"
	"\n"
	"Watch it:\n"
	"\n"
	"{{ youtube(id=\"abc_DEF-12\", autoplay=true) }}\n"
	"\n"
	"{{ vimeo(id=\"124313553\") }}\n"
	"\n"
	"{{ gist(url=\"https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57\") }}\n"
	"\n"
	"{% quote(author=\"The captain\") %}\n"
	"We never missed a day.\n"
	"{% end %}\n";

static void test_zola_post(void)
{
	struct buf w = {0};
	/* Only the body: the TOML front matter is another module's. */
	const char *body = strstr(zola_post, "+++\n\n") + 5;
	char *out = rewrite(body, &w);
	CHECK(contains(out, "(https://www.youtube.com/watch?v=abc_DEF-12)"));
	CHECK(contains(out, "(https://vimeo.com/124313553)"));
	CHECK(contains(out, "(https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57)"));
	CHECK(contains(out, "We never missed a day."));
	CHECK(!contains(out, "{%"));
	CHECK(!contains(out, "{{"));
	CHECK(contains(w.data, "unknown shortcode quote, removed"));
	free(out);
	buf_free(&w);
}

static const char jekyll_post[] =
	"---\n"
	"title: Harbour Weekly 12\n"
	"date: 2019-05-15\n"
	"---\n"
	"\n"
	"Last week: [the timetable]({% post_url 2019-05-08-timetable %}).\n"
	"\n"
	"{% include figure.html src=\"x.png\" %}\n"
	"\n"
	"Logo: ![logo]({{ '/assets/logo.png' | relative_url }}) at {{ site.url }}.\n"
	"\n"
	"{% raw %}\n"
	"Write {{ page.title }} in a layout.\n"
	"{% endraw %}\n"
	"\n"
	"{% comment %}Draft: HIDDEN-DRAFT{% endcomment %}\n"
	"\n"
	"{% highlight ruby %}\n"
	"puts \"{{ hi }}\"\n"
	"{% endhighlight %}\n";

static void test_jekyll_post(void)
{
	struct buf w = {0};
	const char *body = strstr(jekyll_post, "---\n\n") + 5;
	char *out = rewrite(body, &w);
	CHECK(contains(out, "[the timetable](2019-05-08-timetable)"));
	CHECK(contains(out, "![logo](/assets/logo.png)"));
	CHECK(contains(out, "Write {{ page.title }} in a layout."));
	CHECK(!contains(out, "{% raw"));
	CHECK(!contains(out, "endraw"));
	CHECK(!contains(out, "HIDDEN-DRAFT"));
	CHECK(!contains(out, "include"));
	CHECK(contains(out, "```ruby\nputs \"{{ hi }}\"\n```\n"));
	CHECK(contains(w.data, "3: include figure.html, removed\n"));
	CHECK(contains(w.data, "5: template variable site.url, removed\n"));
	free(out);
	buf_free(&w);
}

/* A tutorial's code shows shortcodes as written; Hugo's escapes as Hugo shows them. */
static void test_code_is_left_alone(void)
{
	struct buf w = {0};
	char *out = rewrite("Use `{{< youtube ID >}}` like this:\n"
	                    "\n"
	                    "```markdown\n"
	                    "{{< figure src=\"a.png\" >}}\n"
	                    "{{</* gist user id */>}}\n"
	                    "{% raw %}{{ page.title }}{% endraw %}\n"
	                    "```\n"
	                    "\n"
	                    "    {{< comment >}} indented code\n"
	                    "\n"
	                    "Shown as {{</* ref \"x\" */>}} in text.\n",
	                    &w);
	CHECK(contains(out, "`{{< youtube ID >}}`"));
	CHECK(contains(out, "{{< figure src=\"a.png\" >}}\n{{< gist user id >}}\n{{ page.title }}\n"));
	CHECK(contains(out, "    {{< comment >}} indented code\n"));
	CHECK(contains(out, "Shown as {{< ref \"x\" >}} in text."));
	CHECK(w.len == 0);
	free(out);
	buf_free(&w);
}

/* Whatever a tag in a link's address stands for, the address is whole. */
static void test_link_targets_stay_whole(void)
{
	struct buf w = {0};
	char *out = rewrite("[a]({{% param canonical_url %}}/a) [b]({{< ref \"two words.md\" >}})\n"
	                    "[c]({{< unknown x >}}) [d]({{< youtube abc >}})\n"
	                    "[e]: {{< relref \"/guides/e.md#part\" >}}\n",
	                    &w);
	CHECK(contains(out, "[a](/a)"));
	CHECK(contains(out, "[b](two%20words.md)"));
	CHECK(contains(out, "[c]()"));
	CHECK(contains(out, "[d](https://www.youtube.com/watch?v=abc)"));
	CHECK(contains(out, "[e]: /news/guides/e.md#part"));
	free(out);
	buf_free(&w);
}

static void test_bad_arguments_are_removed(void)
{
	struct buf w = {0};
	char *out = rewrite("{{< youtube \"a b<c\" >}}\n{{< figure caption=\"no source\" >}}\n", &w);
	CHECK(!contains(out, "youtube.com"));
	CHECK(!contains(out, "no source"));
	CHECK(contains(w.data, "1: incomplete shortcode youtube, removed\n"));
	CHECK(contains(w.data, "2: incomplete shortcode figure, removed\n"));
	free(out);
	buf_free(&w);
}

static void test_nested_and_unclosed_comments(void)
{
	struct buf w = {0};
	char *out = rewrite("a {{< comment >}} b {{< comment >}} c {{< /comment >}} d {{< /comment >}} e\n"
	                    "f {{< comment >}} g\n\nh\n",
	                    &w);
	CHECK(contains(out, "a "));
	CHECK(contains(out, " e\nf "));
	CHECK(!contains(out, "b") && !contains(out, "c ") && !contains(out, "d") && !contains(out, "g") &&
	      !contains(out, "h"));
	CHECK(contains(w.data, "2: comment not closed: hidden to the end\n"));
	free(out);
	buf_free(&w);
}

/* Text that only looks like a tag stays text. */
static void test_prose_braces_stay(void)
{
	struct buf w = {0};
	char *out = rewrite("Mustache writes {{name}} and {{ name }}; a set {1, {2}}; {{< unclosed\n\n"
	                    "{% also unclosed\n",
	                    &w);
	CHECK(contains(out, "{{name}} and {{ name }}; a set {1, {2}}; {{< unclosed\n\n{% also unclosed\n"));
	CHECK(w.len == 0);
	free(out);
	buf_free(&w);
}

/* ---- hostile shapes: linear, against a control of the same size ---- */

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *repeated(const char *unit, size_t size)
{
	size_t n = strlen(unit);
	char *s = xmalloc(size + 1);
	for (size_t i = 0; i < size; i++)
		s[i] = unit[i % n];
	s[size] = '\0';
	return s;
}

/* Backtick runs of every length, none closed: each opening is looked for once. */
static char *growing_backticks(size_t size)
{
	char *s = xmalloc(size + 1);
	size_t i = 0;
	for (size_t run = 1; i < size; run++)
		for (size_t k = 0; k <= run && i < size; k++)
			s[i++] = k < run ? '`' : 'x';
	s[size] = '\0';
	return s;
}

/* The least of three rewrites of text (seconds). */
static double rewrite_time(const char *text, size_t len)
{
	double best = 1e9;
	for (int round = 0; round < 3; round++) {
		struct buf out = {0}, w = {0};
		double start = cpu_seconds();
		shortcodes_rewrite(text, len, 1, &out, &w);
		double t = cpu_seconds() - start;
		best = t < best ? t : best;
		buf_free(&out);
		buf_free(&w);
	}
	return best;
}

/* Each shape at 4 MiB takes at most 8 times what it takes at 1 MiB
 * (linear: 4; quadratic: 16). */
static void test_hostile_shapes_are_linear(void)
{
	static const char *const units[] = {
		"{{<", "{{< comment >}}", "{{< a \"", "{{ site.", "{% raw %}{{<", "{{</*",
		"{{<\n", "[x]({{% param u %}}", "{% comment %}{{< comment >}}{% end %}", "{{ f(a=\"",
	};
	size_t small = 1u << 20, large = 4u << 20;
	for (size_t k = 0; k <= sizeof units / sizeof units[0]; k++) {
		bool ticks = k == sizeof units / sizeof units[0];
		char *a = ticks ? growing_backticks(small) : repeated(units[k], small);
		char *b = ticks ? growing_backticks(large) : repeated(units[k], large);
		double ta = rewrite_time(a, small), tb = rewrite_time(b, large);
		if (tb > 8 * ta + 0.005) {
			fprintf(stderr, "  shape %zu: %.4f s at 1 MiB, %.4f s at 4 MiB\n", k, ta, tb);
			CHECK(tb <= 8 * ta + 0.005);
		}
		free(a);
		free(b);
	}
}

int main(void)
{
	RUN(test_hugo_post);
	RUN(test_zola_post);
	RUN(test_jekyll_post);
	RUN(test_code_is_left_alone);
	RUN(test_link_targets_stay_whole);
	RUN(test_bad_arguments_are_removed);
	RUN(test_nested_and_unclosed_comments);
	RUN(test_prose_braces_stay);
	RUN(test_hostile_shapes_are_linear);
	return check_report();
}
