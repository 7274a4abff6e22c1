#include "article.h"
#include "render.h"

#include "alloc.h"
#include "buf.h"
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Articles of hostile shapes at the size limit, each parsed and rendered
 * as gemtext and as Gopher text in a child process of its own, which gives
 * its CPU time and its peak memory. Parsing and rendering must be linear in
 * an article's size, and never a matter of the machine's load: no figure is
 * judged against the clock, only against the control, a shape known linear
 * ("long line") measured in the same run at the same sizes (the control the
 * least of a few tries, and so a failing shape's figure: another program
 * on the machine only adds time).
 * A shape fails when at the limit it costs over MAX_TIMES_CONTROL times the
 * control, or, once the time is large enough to measure, when four times
 * the bytes cost over MAX_GROWTH times as much as the control's growth
 * (quadratic work costs sixteen times, linear four). Memory is judged
 * outright: at most MAX_MEMORY above a child that reads a short article,
 * besides the article's text.
 */

/* The largest article the server reads. Under ASan and UBSan everything
 * costs several times more: there the shapes are measured at a quarter of
 * it, where quadratic work still shows in the growth, and memory (which the
 * sanitizers hold on to) is not judged. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
#define SIZE_LIMIT (ARTICLE_MAX_BYTES / 4)
#define MEMORY_JUDGED false
#else
#define SIZE_LIMIT ARTICLE_MAX_BYTES
#define MEMORY_JUDGED true
#endif
#define MAX_TIMES_CONTROL 40.0
#define MAX_GROWTH 2.5
/* Below this (CPU seconds at the limit), growth is noise, not measured;
 * quadratic work at the limit is far above it. */
#define MEASURABLE_SECONDS 0.5
#define MAX_MEMORY (64L << 20)
#define TRIES 3
#define FAR_PAST 3.0
#define CONTROL "long line"
/* The front matter of every Markdown shape; TEMPLATE adds "template: true". */
#define FRONT "---\ntitle: Shape\ndate: 2026-02-11T08:00:00+08:00\n"
#define PLAIN FRONT "---\n\n"
#define TEMPLATE FRONT "template: true\n---\n\n"

struct shape {
	const char *name;
	const char *source;  /* decides the format */
	const char *head;    /* once, first */
	const char *unit;    /* repeated, numbered by each %d ("%%" for a percent) */
	const char *tail;    /* once, last (a front matter's end) */
};

/* Front matter (libyaml), Go template actions and gemtext link lines still
 * hold 15 to 20 bytes a byte of article (frontmatter.c, gotemplate.c and the
 * gemtext reader keep an event or a block for each short line): linear,
 * but not yet under MAX_MEMORY. These shapes may take LOOSE_MEMORY. */
static const char *const loose_shapes[] = {"template open raw strings", "repeated tags",
                                           "gemtext links"};
#define LOOSE_MEMORY (128L << 20)

static const struct shape shapes[] = {
	{"template braces", "news/s.md", TEMPLATE, "{{", ""},
	{"template broken actions", "news/s.md", TEMPLATE, "{{ a\n", ""},
	{"template open raw strings", "news/s.md", TEMPLATE, "{{`", ""},
	{"template strings with braces", "news/s.md", TEMPLATE, "{{\"{{\"", ""},
	{"template actions on one line", "news/s.md", TEMPLATE, "kata {{raw \"x%d\"}} ", ""},
	{"template images", "news/s.md", TEMPLATE, "{{image \"i%d.png\"}}\n", ""},
	{"tags", "news/s.md", FRONT, "tags: t%d k%d\n", "---\n\nBody.\n"},
	{"repeated tags", "news/s.md", FRONT, "tags: a b c d e f g h i j k l m n o p\n",
	 "---\n\nBody.\n"},
	{"authors", "news/s.md", FRONT, "authors: Penulis %d\n", "---\n\nBody.\n"},
	{"aliases", "news/s.md", FRONT, "aliases: /news/old/%d\n", "---\n\nBody.\n"},
	{"front matter keys", "news/s.md", FRONT, "kunci%d: nilai\n", "---\n\nBody.\n"},
	{"pelican lines", "news/s.md", "Title: Shape\nDate: 2026-02-11\n", "Kunci%d: nilai %d\n",
	 "\nBody.\n"},
	{"pelican authors", "news/s.md", "Title: Shape\nDate: 2026-02-11\nAuthors: ",
	 "[Penulis %d](/p/%d), Rina dan ", "Andi\n\nBody.\n"},
	{"toml comments", "news/s.md", "+++\ntitle = \"Shape\"\ndate = 2026-02-11\n", "# %d %d\n",
	 "+++\n\nBody.\n"},
	{"links", "news/s.md", PLAIN, "[tautan %d](/x/%d) ", ""},
	{"bare addresses", "news/s.md", PLAIN, "https://e.example/%d ", ""},
	{"www addresses", "news/s.md", PLAIN, "www.e%d.example ", ""},
	{"reference links", "news/s.md", PLAIN "[r]: /ref\n\n", "[a][r] [b][r%d] ", ""},
	{"nested links", "news/s.md", PLAIN, "[[[[[[a](/1)](/2)](/3)](/4)](/5)](/%d) ", ""},
	{"table rows", "news/s.md", PLAIN "| a | b |\n|---|:-:|\n", "| %d | 漢字 |\n", ""},
	{"table columns", "news/s.md", PLAIN "|a|\n|-|\n", "|%d", ""},
	{"deep list", "news/s.md", PLAIN, "- ", "x\n"},
	{"deep quote", "news/s.md", PLAIN, ">", " x\n"},
	{"list items", "news/s.md", PLAIN, "%d. butir\n", ""},
	{"quotes", "news/s.md", PLAIN, "> kutipan %d\n\n", ""},
	{"headings", "news/s.md", PLAIN, "## Judul %d\n", ""},
	{"images", "news/s.md", PLAIN, "![gambar %d](/i/%d.png)\n\n", ""},
	{"inline images", "news/s.md", PLAIN, "![g](/i/%d.png) ", ""},
	{"html block", "news/s.md", PLAIN "<div>\n", "<p><a href=\"/h/%d\">x</a></p>", "\n</div>\n"},
	{"html nesting", "news/s.md", PLAIN "<div>\n", "<div><ul><li>", "\n</div>\n"},
	{"inline html", "news/s.md", PLAIN, "a <b>c</b> <a href=\"/%d\">d</a> ", ""},
	{"html tags never closed", "news/s.md", PLAIN "<div>\n", "<a ", "\n</div>\n"},
	{"html tag attributes", "news/s.md", PLAIN "<div>\n<p ", "x%d=1 ", ">t</p>\n</div>\n"},
	{"html open brackets", "news/s.md", PLAIN "<div>\n", "<a <td ", ""},
	{"html empty cells", "news/s.md", PLAIN "<table><tr>\n", "<td> ", "\n</tr></table>\n"},
	{"long line", "news/s.md", PLAIN, "kata ", ""},
	{"long word", "news/s.md", PLAIN, "x", ""},
	{"long wide word", "news/s.md", PLAIN, "漢", ""},
	{"emphasis", "news/s.md", PLAIN, "*a **b ", ""},
	{"brackets", "news/s.md", PLAIN, "[", ""},
	{"brackets and letters", "news/s.md", PLAIN, "[a", ""},
	{"a link a line", "news/s.md", PLAIN, "[t](/x/%d)\n", ""},
	{"a reference use a line", "news/s.md", PLAIN "[r]: /ref\n\n", "[a][r]\n", ""},
	{"reference uses", "news/s.md", PLAIN "[r]: /ref\n\n", "[r] ", ""},
	{"quoted links a line", "news/s.md", PLAIN, "> [t](/x/%d)\n", ""},
	{"listed links a line", "news/s.md", PLAIN "- x\n", "  [t](/x/%d)\n", ""},
	{"html spanned cells", "news/s.md", PLAIN "<table>\n", "<td colspan=1000>", ""},
	{"html spanned rows", "news/s.md", PLAIN "<table>\n", "<tr><td colspan=1000>x", ""},
	{"html tables", "news/s.md", PLAIN, "<table><tr><td colspan=1000>", ""},
	{"html deep list", "news/s.md", PLAIN "<div>\n", "<ul><li>x", ""},
	{"html deep quote list", "news/s.md", PLAIN "<div>\n", "<blockquote><ul><li>x", ""},
	{"deep numbered list", "news/s.md", PLAIN, "1. ", "x\n"},
	{"deep quoted list", "news/s.md", PLAIN, "> - ", "x\n"},
	{"hard breaks", "news/s.md", PLAIN, "a  \n", ""},
	{"gemtext links", "news/2026-02-11-s.gmi", "# Shape\n", "=> /g/%d tautan\n", ""},
	{"gemtext line", "news/2026-02-11-s.gmi", "# Shape\n", "kata ", ""},
	{"plain text", "news/2026-02-11-s.txt", "Shape\n\n", "kata %d\n\n", ""},
};

/* The shape's article, size bytes or a little under. */
static char *build(const struct shape *s, size_t size, size_t *len)
{
	struct buf out = {0};
	buf_puts(&out, s->head);
	size_t tail = strlen(s->tail);
	for (int i = 0;; i++) {
		size_t before = out.len;
		buf_printf(&out, s->unit, i, i);
		if (out.len + tail > size) {
			out.len = before;
			break;
		}
	}
	buf_puts(&out, s->tail);
	*len = out.len;
	return buf_steal(&out);
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What one parse and render cost: CPU seconds, and the peak resident
 * memory of the process that did it, in bytes. */
struct cost {
	double seconds;
	long memory;
	bool refused;
};

/* In the child: parses and renders the shape at size bytes; writes the
 * CPU seconds to fd and exits 0, or 2 when the article was refused. */
static void parse_and_render(const struct shape *s, size_t size, int fd)
{
	size_t len;
	char *text = build(s, size, &len);
	struct vhost vhost = {.lang = "id", .zone_name = "WITA", .utc_offset_minutes = 480,
	                      .wrap_columns = 70};
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	const struct render_context gemini = {.vhost = &vhost, .base_url = "gemini://localhost"};
	const struct origin menu = {"localhost", 70, false};
	const struct render_context gopher = {.vhost = &vhost, .base_url = "gopher://localhost:70",
	                                      .menu = &menu};
	struct buf error = {0}, out = {0};
	double start = cpu_seconds();
	struct article *a = article_parse(s->source, text, len, &actx, &error);
	/* As the loader does: the file's bytes go once the model is built, and
	 * each answer is its own (one request renders one form). */
	free(text);
	text = NULL;
	if (a != NULL) {
		render_gemtext(&out, a, &gemini);
		buf_free(&out);
		render_gopher_text(&out, a, &gopher);
		buf_free(&out);
		render_gopher_menu(&out, a, &gopher);
	}
	double spent = cpu_seconds() - start;
	if (a == NULL)
		fprintf(stderr, "  %s refused: %s\n", s->name, error.data);
	bool written = write(fd, &spent, sizeof spent) == (ssize_t)sizeof spent;
	_exit(a == NULL ? 2 : written ? 0 : 1);
}

/* One try, in a child process, so that its peak memory is its own. */
static struct cost try_once(const struct shape *s, size_t size)
{
	struct cost c = {.refused = true};
	int fds[2];
	if (pipe(fds) != 0)
		return c;
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		parse_and_render(s, size, fds[1]);
	}
	close(fds[1]);
	double seconds = 0;
	bool read_all = pid > 0 && read(fds[0], &seconds, sizeof seconds) == (ssize_t)sizeof seconds;
	close(fds[0]);
	int status = 0;
	struct rusage ru = {0};
	if (pid > 0 && wait4(pid, &status, 0, &ru) == pid && read_all && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		c = (struct cost){.seconds = seconds, .memory = ru.ru_maxrss * 1024L};
	return c;
}

/* The least of tries: interference from the machine only ever adds. */
static struct cost measure(const struct shape *s, size_t size, int tries)
{
	struct cost best = try_once(s, size);
	for (int i = 1; i < tries && !best.refused; i++) {
		struct cost c = try_once(s, size);
		best.refused = c.refused;
		best.seconds = c.seconds < best.seconds ? c.seconds : best.seconds;
		best.memory = c.memory < best.memory ? c.memory : best.memory;
	}
	return best;
}

static const struct shape *shape_named(const char *name)
{
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		if (strcmp(shapes[i].name, name) == 0)
			return &shapes[i];
	return NULL;
}

/* The control's figures, at the limit and at a quarter of it. */
struct control {
	struct cost full, quarter;
	long base_memory; /* a child that reads a short article */
};

/* The article's own text (built in the child) is not counted. */
static bool within_memory(const struct shape *s, const struct control *k, const struct cost *c)
{
	long allowed = MAX_MEMORY;
	for (size_t i = 0; i < sizeof loose_shapes / sizeof loose_shapes[0]; i++)
		if (strcmp(s->name, loose_shapes[i]) == 0)
			allowed = LOOSE_MEMORY;
	return !MEMORY_JUDGED || c->memory - k->base_memory - SIZE_LIMIT <= allowed;
}

/* True when the shape's growth from a quarter to the limit is no more
 * than MAX_GROWTH times the control's; measured only when the time is. */
static bool grows_like_control(const struct shape *s, const struct control *k, double full,
                               int tries, double *growth)
{
	*growth = 0;
	if (full < MEASURABLE_SECONDS)
		return true;
	struct cost quarter = measure(s, SIZE_LIMIT / 4, tries);
	if (quarter.refused || quarter.seconds <= 0)
		return false;
	/* The control's quarter is too quick to time finely: its growth is
	 * taken as at least linear. */
	double control_growth = k->full.seconds / k->quarter.seconds;
	if (control_growth < 4)
		control_growth = 4;
	*growth = full / quarter.seconds;
	return *growth <= MAX_GROWTH * control_growth;
}

static bool judge(const struct shape *s, const struct control *k, const struct cost *full,
                  int tries, double *growth)
{
	*growth = 0;
	return !full->refused && within_memory(s, k, full) &&
	       full->seconds <= MAX_TIMES_CONTROL * k->full.seconds &&
	       grows_like_control(s, k, full->seconds, tries, growth);
}

static void check_shape(const struct shape *s, const struct control *k)
{
	struct cost full = measure(s, SIZE_LIMIT, 1);
	double growth;
	bool ok = judge(s, k, &full, 1, &growth);
	/* Another program may have slowed that try: a figure that fails is
	 * taken again, the least of TRIES, unless it is far past its bound. */
	if (!ok && !full.refused && full.seconds < FAR_PAST * MAX_TIMES_CONTROL * k->full.seconds) {
		full = measure(s, SIZE_LIMIT, TRIES);
		ok = judge(s, k, &full, TRIES, &growth);
	}
	if (!ok || getenv("KABAR_SHAPE_TIMES") != NULL)
		fprintf(stderr, "  %s: %.3f s (%.1f times the control), growth %.1f, %ld MiB at %d KiB\n",
		        s->name, full.seconds, full.seconds / k->full.seconds, growth,
		        (full.memory - k->base_memory - SIZE_LIMIT) >> 20, SIZE_LIMIT >> 10);
	if (!ok)
		fprintf(stderr, "  %s is not linear\n", s->name);
	CHECK(ok);
}

static void test_each_shape_is_linear_at_the_size_limit(void)
{
	const struct shape *control_shape = shape_named(CONTROL);
	CHECK(control_shape != NULL);
	if (control_shape == NULL)
		return;
	struct control k = {.full = measure(control_shape, SIZE_LIMIT, TRIES),
	                    .quarter = measure(control_shape, SIZE_LIMIT / 4, TRIES),
	                    .base_memory = measure(control_shape, 1024, 1).memory};
	CHECK(!k.full.refused && !k.quarter.refused && k.full.seconds > 0 && k.quarter.seconds > 0);
	if (k.full.refused || k.quarter.refused || k.full.seconds <= 0 || k.quarter.seconds <= 0)
		return;
	if (getenv("KABAR_SHAPE_TIMES") != NULL)
		fprintf(stderr, "  control: %.3f s at %d KiB, %.3f s at a quarter\n", k.full.seconds,
		        SIZE_LIMIT >> 10, k.quarter.seconds);
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		check_shape(&shapes[i], &k);
}

/* The template reader keeps what it reads: an unclosed action stays text,
 * and an action after it on a later line is still read. */
static void test_unclosed_actions_stay_text(void)
{
	const char *text = TEMPLATE "Harga {{ naik\n\nLalu {{image \"grafik.png\"}}\n";
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf error = {0};
	struct article *a = article_parse("news/s.md", text, strlen(text), &actx, &error);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_INT(a->n_blocks, 3);
	if (a->n_blocks == 3) {
		CHECK_STR(a->blocks[0].text, "Harga {{ naik");
		CHECK_STR(a->blocks[1].text, "Lalu");
		CHECK_STR(a->blocks[2].url, "grafik.png");
	}
	article_free(a);
	buf_free(&error);
}

/* Repeated tags, authors and aliases are kept once, in their first order. */
static void test_repeats_are_dropped_in_order(void)
{
	const char *text = FRONT "tags: [banjir, Makassar, banjir]\ntags: cuaca, Makassar\n"
	                         "authors: [Rina, Andi, Rina]\n---\n\nIsi.\n";
	const struct article_context actx = {.utc_offset_minutes = 480, .lang = "id"};
	struct buf error = {0};
	struct article *a = article_parse("news/s.md", text, strlen(text), &actx, &error);
	CHECK(a != NULL);
	if (a == NULL)
		return;
	CHECK_INT(a->meta.n_tags, 3);
	if (a->meta.n_tags == 3) {
		CHECK_STR(a->meta.tags[0], "banjir");
		CHECK_STR(a->meta.tags[1], "Makassar");
		CHECK_STR(a->meta.tags[2], "cuaca");
	}
	CHECK_INT(a->meta.n_authors, 2);
	article_free(a);
	buf_free(&error);
}

int main(void)
{
	RUN(test_each_shape_is_linear_at_the_size_limit);
	RUN(test_unclosed_actions_stay_text);
	RUN(test_repeats_are_dropped_in_order);
	return check_report();
}
