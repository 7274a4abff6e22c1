#include "toml.h"

#include "alloc.h"
#include "check.h"

#include <stdlib.h>

/* Each pair as "LINE key=item|item" (arrays in [...]), one a line. */
static bool collect(void *reader, const char *key, const struct toml_value *v, struct buf *error)
{
	(void)error;
	struct buf *out = reader;
	buf_printf(out, "%d %s=%s", v->line, key, v->is_array ? "[" : "");
	for (size_t i = 0; i < v->count; i++)
		buf_printf(out, "%s%s", i ? "|" : "", v->items[i]);
	buf_puts(out, v->is_array ? "]\n" : "\n");
	return true;
}

/* Reads text (as if it began on line 2, after "+++"): the pairs, or the
 * error, in *got. */
static bool read(const char *text, struct buf *got)
{
	buf_clear(got);
	struct buf error = {0};
	bool ok = toml_read(text, strlen(text), 2, collect, got, &error);
	if (!ok) {
		buf_clear(got);
		buf_puts(got, error.data ? error.data : "(no reason)");
	}
	buf_free(&error);
	return ok;
}

static void test_zola_post(void)
{
	struct buf got = {0};
	CHECK(read("title = \"Four years of the ferry\"\n"
	           "date = 2019-05-15\n"
	           "path = \"2019/05/15/Four-Years-Of-The-Ferry\"\n"
	           "authors = [\"The Harbour Desk\"]\n"
	           "\n"
	           "[taxonomies]\n"
	           "tags = [\"ferry\", \"anniversary\",]  # the last comma is allowed\n"
	           "categories = [\n  \"harbour\",\n  \"news\"\n]\n"
	           "\n"
	           "[extra]\n"
	           "banner = { src = \"ferry.jpg\", alt = 'The ferry at dawn' }\n"
	           "toc = true\n"
	           "weight = 1_000\n",
	           &got));
	CHECK_STR(got.data, "2 title=Four years of the ferry\n"
	                    "3 date=2019-05-15\n"
	                    "4 path=2019/05/15/Four-Years-Of-The-Ferry\n"
	                    "5 authors=[The Harbour Desk]\n"
	                    "8 taxonomies.tags=[ferry|anniversary]\n"
	                    "9 taxonomies.categories=[harbour|news]\n"
	                    "15 extra.banner.src=ferry.jpg\n"
	                    "15 extra.banner.alt=The ferry at dawn\n"
	                    "16 extra.toc=true\n"
	                    "17 extra.weight=1_000\n");
	buf_free(&got);
}

static void test_hugo_post(void)
{
	struct buf got = {0};
	CHECK(read("title = 'Jadwal baru kapal feri'\n"
	           "date = 2021-05-06T09:30:00+08:00\n"
	           "lastmod = 2021-05-07 10:00:00Z\n"
	           "draft = false\n"
	           "aliases = [\"/2021/05/06/Ferry-Timetable-1.52/\", '/old/ferry']\n"
	           "author = \"Rina Paluseri\"\n"
	           "description = \"\"\"\n"
	           "The new timetable, \\\n"
	           "    from Monday.\"\"\"\n"
	           "site.\"nav title\" = \"港の時刻表\"\n",
	           &got));
	CHECK_STR(got.data, "2 title=Jadwal baru kapal feri\n"
	                    "3 date=2021-05-06T09:30:00+08:00\n"
	                    "4 lastmod=2021-05-07 10:00:00Z\n"
	                    "5 draft=false\n"
	                    "6 aliases=[/2021/05/06/Ferry-Timetable-1.52/|/old/ferry]\n"
	                    "7 author=Rina Paluseri\n"
	                    "8 description=The new timetable, from Monday.\n"
	                    "11 site.nav title=港の時刻表\n");
	buf_free(&got);
}

static void test_strings(void)
{
	struct buf got = {0};
	CHECK(read("a = \"tab\\there \\\"quoted\\\" \\\\ \\u00e9\\U0001F6A2\"\n"
	           "b = 'C:\\path\\no escapes'\n"
	           "c = '''\nline one\nline \"two\"'''\n"
	           "d = \"\"\"two quotes at the end\"\"\"\"\"\n"
	           "e = \"\"\n",
	           &got));
	CHECK_STR(got.data, "2 a=tab\there \"quoted\" \\ é🚢\n"
	                    "3 b=C:\\path\\no escapes\n"
	                    "4 c=line one\nline \"two\"\n"
	                    "7 d=two quotes at the end\"\"\n"
	                    "8 e=\n");
	buf_free(&got);
}

static void test_scalars(void)
{
	struct buf got = {0};
	CHECK(read("i = -42\nf = 3.25e2\nhex = 0xff\nt = true\nld = 1979-05-27\n"
	           "ldt = 1979-05-27T07:32:00.5\ntm = 07:32:00\n\"quoted key\" = 1\n"
	           "dotted . key = 2\n",
	           &got));
	CHECK_STR(got.data, "2 i=-42\n3 f=3.25e2\n4 hex=0xff\n5 t=true\n6 ld=1979-05-27\n"
	                    "7 ldt=1979-05-27T07:32:00.5\n8 tm=07:32:00\n9 quoted key=1\n"
	                    "10 dotted.key=2\n");
	buf_free(&got);
}

/* Every refusal names the line it is on, as the YAML reader's do. */
static void test_errors_have_lines(void)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{"title = \"x\"\n[[authors]]\nname = \"y\"\n",
		 "3: front matter: arrays of tables ([[name]]) are not read in front matter"},
		{"title = \"x\"\ntitle = \"y\"\n", "3: front matter: a key is given twice"},
		{"[extra]\na = 1\n[extra]\n", "4: front matter: a table is given twice"},
		{"title = \"never closed\n", "2: front matter: a string ends at its line's end: close its quote there"},
		{"\n\ntitle = Four years\n", "4: front matter: a value must be a \"string\", a number, "
		                            "true or false, a date, an [array] or an {inline table}"},
		{"tags = [[\"a\"]]\n", "2: front matter: an array here holds strings, numbers, booleans "
		                       "or dates, not arrays or tables"},
		{"tags = [\"a\" \"b\"]\n", "2: front matter: expected ',' or ']' in an array"},
		{"title: \"YAML in TOML fences\"\n", "2: front matter: expected \"key = value\""},
		{"title =\n", "2: front matter: a key has no value"},
		{"a = \"x\" b = 1\n", "2: front matter: expected the end of the line after the value"},
		{"a = \"\\q\"\n", "2: front matter: unknown escape in a string (\\n, \\t, \\\", \\\\, \\uXXXX ...)"},
		{"a = \"\\ud800\"\n", "2: front matter: a \\u escape names no character"},
		{"a = '''never closed\n\n", "4: front matter: a string is not closed"},
		{"[extra\n", "2: front matter: expected ']' closing a table name"},
		{"= 1\n", "2: front matter: expected a key (letters, digits, '_', '-' or a quoted name)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf got = {0};
		CHECK(!read(cases[i].text, &got));
		CHECK_STR(got.data, cases[i].error);
		buf_free(&got);
	}
}

static void test_limits(void)
{
	struct buf text = {0}, got = {0};
	/* Inline tables nest TOML_MAX_DEPTH deep at most. */
	buf_puts(&text, "a = ");
	for (int i = 0; i < TOML_MAX_DEPTH + 1; i++)
		buf_puts(&text, "{ b = ");
	CHECK(!read(text.data, &got));
	CHECK_STR(got.data, "2: front matter: nested too deeply");
	/* A string over 64 KiB. */
	buf_clear(&text);
	buf_puts(&text, "a = \"");
	for (int i = 0; i < TOML_MAX_STRING + 1; i++)
		buf_putc(&text, 'x');
	buf_puts(&text, "\"\n");
	CHECK(!read(text.data, &got));
	CHECK_STR(got.data, "2: front matter: a value is longer than 64 KiB");
	/* Too many items in one array. */
	buf_clear(&text);
	buf_puts(&text, "a = [");
	for (int i = 0; i < TOML_MAX_ITEMS + 1; i++)
		buf_puts(&text, "1,");
	buf_puts(&text, "]\n");
	CHECK(!read(text.data, &got));
	CHECK_STR(got.data, "2: front matter: too many items in one array");
	/* Keys are counted: a long table name cannot make each short line
	 * cost a kilobyte without end. */
	buf_clear(&text);
	buf_puts(&text, "[t]\n");
	for (int i = 0; i < TOML_MAX_KEYS + 1; i++)
		buf_printf(&text, "k%d = 1\n", i);
	CHECK(!read(text.data, &got));
	CHECK_STR(got.data, "4098: front matter: too many keys");
	/* Empty and comment-only front matter: no pairs, no error. */
	CHECK(read("", &got));
	CHECK_INT(got.len, 0);
	CHECK(read("# only a comment\n\n", &got));
	CHECK_INT(got.len, 0);
	buf_free(&text);
	buf_free(&got);
}

/* A pair reader that refuses stops the reading with its own reason. */
static bool refuse(void *reader, const char *key, const struct toml_value *v, struct buf *error)
{
	(void)reader;
	buf_printf(error, "%d: %s is not a date", v->line, key);
	return false;
}

static void test_reader_refuses(void)
{
	struct buf error = {0};
	const char *text = "\ndate = \"someday\"\nlater = 1\n";
	CHECK(!toml_read(text, strlen(text), 2, refuse, NULL, &error));
	CHECK_STR(error.data, "3: date is not a date");
	buf_free(&error);
}

int main(void)
{
	RUN(test_zola_post);
	RUN(test_hugo_post);
	RUN(test_strings);
	RUN(test_scalars);
	RUN(test_errors_have_lines);
	RUN(test_limits);
	RUN(test_reader_refuses);
	return check_report();
}
