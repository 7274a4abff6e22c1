#include "html.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"

struct named_entity {
	const char *name;
	const char *text;
};

/* The named entities news text uses; the rest are written as numbers. */
static const struct named_entity entities[] = {
	{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
	{"nbsp", "\xc2\xa0"}, {"mdash", "\xe2\x80\x94"}, {"ndash", "\xe2\x80\x93"},
	{"hellip", "\xe2\x80\xa6"}, {"laquo", "\xc2\xab"}, {"raquo", "\xc2\xbb"},
	{"lsquo", "\xe2\x80\x98"}, {"rsquo", "\xe2\x80\x99"}, {"ldquo", "\xe2\x80\x9c"},
	{"rdquo", "\xe2\x80\x9d"}, {"bull", "\xe2\x80\xa2"}, {"middot", "\xc2\xb7"},
	{"copy", "\xc2\xa9"}, {"reg", "\xc2\xae"}, {"trade", "\xe2\x84\xa2"},
	{"deg", "\xc2\xb0"}, {"times", "\xc3\x97"}, {"divide", "\xc3\xb7"},
	{"plusmn", "\xc2\xb1"}, {"frac12", "\xc2\xbd"}, {"euro", "\xe2\x82\xac"},
	{"pound", "\xc2\xa3"}, {"yen", "\xc2\xa5"}, {"cent", "\xc2\xa2"}, {"sect", "\xc2\xa7"},
	{"para", "\xc2\xb6"}, {"larr", "\xe2\x86\x90"}, {"rarr", "\xe2\x86\x92"},
	{"uarr", "\xe2\x86\x91"}, {"darr", "\xe2\x86\x93"}, {"harr", "\xe2\x86\x94"},
	{"le", "\xe2\x89\xa4"}, {"ge", "\xe2\x89\xa5"}, {"ne", "\xe2\x89\xa0"},
	{"minus", "\xe2\x88\x92"}, {"shy", ""}, {"zwj", ""}, {"zwnj", ""},
	{"thinsp", "\xe2\x80\x89"}, {"ensp", "\xe2\x80\x82"}, {"emsp", "\xe2\x80\x83"},
	{"eacute", "\xc3\xa9"}, {"egrave", "\xc3\xa8"}, {"aacute", "\xc3\xa1"},
	{"agrave", "\xc3\xa0"}, {"uuml", "\xc3\xbc"}, {"ouml", "\xc3\xb6"}, {"auml", "\xc3\xa4"},
	{"ccedil", "\xc3\xa7"}, {"ntilde", "\xc3\xb1"}, {"szlig", "\xc3\x9f"},
};

static void put_utf8(struct buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (char)(0xc0 | (cp >> 6)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xe0 | (cp >> 12)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(out, (char)(0xf0 | (cp >> 18)));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Invisible characters that carry no meaning in text: the zero-width
 * space, the word joiner and the BOM. The joiners U+200C and U+200D stay:
 * they build emoji sequences and shape Indic and Persian words. */
static bool zero_width(unsigned long cp)
{
	return cp == 0x200b || cp == 0x2060 || cp == 0xfeff;
}

/* "&#8212;" or "&#x2014;" */
static size_t numeric_entity(const char *s, size_t len, struct buf *out)
{
	size_t i = 2;
	int base = 10;
	unsigned long cp = 0;
	if (i < len && (s[i] == 'x' || s[i] == 'X')) {
		base = 16;
		i++;
	}
	size_t digits_start = i;
	while (i < len && i - digits_start < 8 &&
	       (base == 16 ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
		int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;
		cp = cp * (unsigned long)base + (unsigned long)d;
		i++;
	}
	if (i == digits_start || i >= len || s[i] != ';')
		return 0;
	/* NUL, surrogates and numbers past Unicode read as the replacement character. */
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (!zero_width(cp))
		put_utf8(out, cp);
	return i + 1;
}

size_t html_entity(const char *s, size_t len, struct buf *out)
{
	if (len < 3 || s[0] != '&')
		return 0;
	if (s[1] == '#')
		return numeric_entity(s, len, out);
	size_t n = 1;
	while (n < len && n < 10 && isalnum((unsigned char)s[n]))
		n++;
	if (n >= len || s[n] != ';')
		return 0;
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
		if (strlen(entities[i].name) == n - 1 && memcmp(entities[i].name, s + 1, n - 1) == 0) {
			buf_puts(out, entities[i].text);
			return n + 1;
		}
	}
	return 0;
}

void html_decode(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t stop = amp ? (size_t)(amp - s) : len;
		buf_append(out, s + i, stop - i);
		i = stop;
		if (i == len)
			break;
		size_t n = html_entity(s + i, len - i, out);
		if (n == 0) {
			buf_putc(out, '&');
			n = 1;
		}
		i += n;
	}
}

void html_tag_free(struct html_tag *tag)
{
	free(tag->href);
	free(tag->src);
	free(tag->alt);
	free(tag->title);
	memset(tag, 0, sizeof *tag);
}

/* "<!-- ... -->" or "<!DOCTYPE ...>" or "<?...?>": length, or 0 if unclosed. */
static size_t skip_markup_declaration(const char *s, size_t len)
{
	if (len >= 4 && memcmp(s, "<!--", 4) == 0) {
		const char *end = memmem(s + 4, len - 4, "-->", 3);
		return end ? (size_t)(end - s) + 3 : 0;
	}
	const char *end = memchr(s, '>', len);
	return end ? (size_t)(end - s) + 1 : 0;
}

static char **attribute_slot(struct html_tag *tag, const char *name, size_t n)
{
	if (n == 4 && strncasecmp(name, "href", 4) == 0)
		return &tag->href;
	if (n == 3 && strncasecmp(name, "src", 3) == 0)
		return &tag->src;
	if (n == 3 && strncasecmp(name, "alt", 3) == 0)
		return &tag->alt;
	if (n == 5 && strncasecmp(name, "title", 5) == 0)
		return &tag->title;
	return NULL;
}

/* One attribute at s[*i]: name, and optionally = and a value (quoted or not). */
static bool read_attribute(const char *s, size_t len, size_t *i, struct html_tag *tag)
{
	size_t name_start = *i;
	while (*i < len && !isspace((unsigned char)s[*i]) && s[*i] != '=' && s[*i] != '>' &&
	       s[*i] != '/')
		(*i)++;
	size_t name_len = *i - name_start;
	while (*i < len && isspace((unsigned char)s[*i]))
		(*i)++;
	if (*i >= len || s[*i] != '=')
		return name_len > 0 || (*i < len && s[*i] == '/');
	(*i)++;
	while (*i < len && isspace((unsigned char)s[*i]))
		(*i)++;
	if (*i >= len)
		return false;
	size_t value_start, value_end;
	if (s[*i] == '"' || s[*i] == '\'') {
		const char *close = memchr(s + *i + 1, s[*i], len - *i - 1);
		if (close == NULL)
			return false;
		value_start = *i + 1;
		value_end = (size_t)(close - s);
		*i = value_end + 1;
	} else {
		value_start = *i;
		while (*i < len && !isspace((unsigned char)s[*i]) && s[*i] != '>')
			(*i)++;
		value_end = *i;
	}
	char **slot = attribute_slot(tag, s + name_start, name_len);
	if (slot && *slot == NULL) {
		struct buf value = {0};
		html_decode(&value, s + value_start, value_end - value_start);
		*slot = buf_steal(&value);
	}
	return true;
}

size_t html_tag_parse(const char *s, size_t len, struct html_tag *tag)
{
	memset(tag, 0, sizeof *tag);
	if (len < 2 || s[0] != '<')
		return 0;
	if (s[1] == '!' || s[1] == '?')
		return skip_markup_declaration(s, len);
	size_t i = 1;
	if (s[i] == '/') {
		tag->closing = true;
		i++;
	}
	size_t name_start = i;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	size_t name_len = i - name_start;
	if (name_len == 0 || !isalpha((unsigned char)s[name_start]))
		return 0;
	if (i < len && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
		return 0;
	for (size_t k = 0; k < name_len && k < sizeof tag->name - 1; k++)
		tag->name[k] = (char)tolower((unsigned char)s[name_start + k]);
	for (;;) {
		while (i < len && (isspace((unsigned char)s[i]) || s[i] == '/'))
			i++;
		if (i >= len)
			break;
		if (s[i] == '>')
			return i + 1;
		if (!read_attribute(s, len, &i, tag))
			break;
	}
	html_tag_free(tag);
	return 0;
}

/* What the fragment being read is inside of. */
struct html_reader {
	struct block_list *out;
	struct inline_text text;
	enum block_kind kind; /* of the text being gathered */
	int level;
	int quote_depth;
	int list_depth;
	char *link_url;       /* an <a href> that is open */
	size_t link_start;
};

static void flush(struct html_reader *r)
{
	enum block_kind kind = r->kind;
	if (kind == BLOCK_PARAGRAPH && r->quote_depth > 0)
		kind = BLOCK_QUOTE;
	blocks_add_text(r->out, kind, r->level, &r->text);
	r->kind = BLOCK_PARAGRAPH;
	r->level = 0;
	/* A link still open goes on in the next block. */
	r->link_start = 0;
}

static bool name_is(const struct html_tag *tag, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(tag->name, names[i]) == 0)
			return true;
	return false;
}

/* Tags that end the text before them and start a new block. */
static const char *const breaking_tags[] = {
	"p", "br", "div", "figure", "figcaption", "center", "table", "thead", "tbody", "tr",
	"section", "article", "header", "footer", "aside", "nav", "main", "dl", "dt", "dd",
	"form", "details", "summary", "caption", NULL,
};

/* Elements whose content is not text for a reader. */
static const char *const dropped_elements[] = {"script", "style", "noscript", "template", NULL};

/* <pre>...</pre>: the text as it stands, tags stripped, entities decoded. */
static size_t read_pre(struct html_reader *r, const char *s, size_t len)
{
	struct buf text = {0};
	size_t i = 0;
	while (i < len) {
		if (s[i] == '<') {
			struct html_tag tag;
			size_t n = html_tag_parse(s + i, len - i, &tag);
			bool end = n > 0 && tag.closing && strcmp(tag.name, "pre") == 0;
			html_tag_free(&tag);
			if (n > 0) {
				i += n;
				if (end)
					break;
				continue;
			}
		}
		const char *next = memchr(s + i + 1, '<', len - i - 1);
		size_t stop = next ? (size_t)(next - s) : len;
		html_decode(&text, s + i, stop - i);
		i = stop;
	}
	while (text.len > 0 && text.data[text.len - 1] == '\n')
		text.data[--text.len] = '\0';
	size_t start = 0;
	while (start < text.len && text.data[start] == '\n')
		start++;
	if (start < text.len) {
		struct block *b = blocks_add(r->out, BLOCK_PRE);
		b->text = xstrdup(text.data + start);
	}
	buf_free(&text);
	return i;
}

/* Skips to the end of a dropped element such as <script>. */
static size_t skip_element(const char *s, size_t len, const char *name)
{
	size_t i = 0;
	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		if (lt == NULL)
			return len;
		i = (size_t)(lt - s);
		struct html_tag tag;
		size_t n = html_tag_parse(s + i, len - i, &tag);
		bool end = n > 0 && tag.closing && strcmp(tag.name, name) == 0;
		html_tag_free(&tag);
		i += n > 0 ? n : 1;
		if (end)
			return i;
	}
	return len;
}

static void open_link(struct html_reader *r, const char *href)
{
	free(r->link_url);
	r->link_url = href ? xstrdup(href) : NULL;
	r->link_start = r->text.text.len;
}

static void close_link(struct html_reader *r)
{
	if (r->link_url == NULL)
		return;
	/* A link around nothing but an image was shown with the image. */
	if (inline_has_text(&r->text, r->link_start))
		inline_add_link(&r->text, r->link_url, r->link_start);
	free(r->link_url);
	r->link_url = NULL;
}

static void start_block(struct html_reader *r, enum block_kind kind, int level)
{
	flush(r);
	r->kind = kind;
	r->level = level;
}

/* Handles one tag; returns how many more bytes after it were consumed. */
static size_t handle_tag(struct html_reader *r, const struct html_tag *tag, const char *rest,
                         size_t rest_len)
{
	const char *name = tag->name;
	if (!tag->closing && name_is(tag, dropped_elements))
		return skip_element(rest, rest_len, name);
	if (!tag->closing && strcmp(name, "pre") == 0) {
		flush(r);
		return read_pre(r, rest, rest_len);
	}
	if (strcmp(name, "a") == 0) {
		if (tag->closing)
			close_link(r);
		else
			open_link(r, tag->href);
	} else if (strcmp(name, "img") == 0) {
		flush(r);
		blocks_add_image(r->out, tag->src, tag->alt ? tag->alt : tag->title);
	} else if (strcmp(name, "iframe") == 0 && !tag->closing) {
		flush(r);
		blocks_add_link(r->out, tag->src, tag->title);
	} else if (strcmp(name, "hr") == 0) {
		flush(r);
		blocks_add(r->out, BLOCK_RULE);
	} else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0') {
		if (tag->closing)
			flush(r);
		else
			start_block(r, BLOCK_HEADING, name[1] - '0');
	} else if (strcmp(name, "li") == 0) {
		if (tag->closing)
			flush(r);
		else
			start_block(r, BLOCK_LIST_ITEM, r->list_depth > 0 ? r->list_depth - 1 : 0);
	} else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
		flush(r);
		r->list_depth += tag->closing ? (r->list_depth > 0 ? -1 : 0) : 1;
	} else if (strcmp(name, "blockquote") == 0) {
		flush(r);
		r->quote_depth += tag->closing ? (r->quote_depth > 0 ? -1 : 0) : 1;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		if (!tag->closing && inline_has_text(&r->text, 0))
			buf_puts(&r->text.text, " | ");
	} else if (name_is(tag, breaking_tags)) {
		flush(r);
	}
	return 0;
}

void html_to_blocks(const char *s, size_t len, struct block_list *out)
{
	struct html_reader r = {.out = out, .kind = BLOCK_PARAGRAPH};
	size_t i = 0;
	while (i < len) {
		if (s[i] == '<') {
			struct html_tag tag;
			size_t n = html_tag_parse(s + i, len - i, &tag);
			if (n > 0) {
				i += n;
				i += handle_tag(&r, &tag, s + i, len - i);
				html_tag_free(&tag);
				continue;
			}
		}
		const char *next = memchr(s + i + 1, '<', len - i - 1);
		size_t stop = next ? (size_t)(next - s) : len;
		html_decode(&r.text.text, s + i, stop - i);
		i = stop;
	}
	/* A link never closed is dropped; its text stays. */
	flush(&r);
	free(r.link_url);
	inline_free(&r.text);
}
