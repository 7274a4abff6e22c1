#include "html.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "alloc.h"
#include "text.h"

/* Longer than any name in the table below ("frac12", "hellip"). */
#define MAX_ENTITY_NAME 9
/* Digits read in a numeric entity: any code point needs seven at most
 * (1114111), so eight leave room for a leading zero and stop a flood. */
#define MAX_ENTITY_DIGITS 8
/* How deep HTML elements may nest; deeper tags are dropped, their text kept. */
#define MAX_HTML_DEPTH 512
/* Attributes a tag may have; a tag with more is dropped. */
#define MAX_HTML_ATTRIBUTES 256
/* A cell spans at most this many columns. */
#define MAX_COLSPAN 64
/* Tags read in one HTML block; later ones are dropped, their text kept.
 * gumbo holds a few hundred bytes for each element of its tree, so a block
 * of nothing but tags would take over a hundred times its size; normal
 * HTML in an article has hundreds. */
#define MAX_HTML_TAGS 16384
/* A table's columns, and its cells once short rows are filled: cells past
 * them are dropped. Wider tables cannot be shown in a line of text, and
 * rows filled to the widest cost the rows times the columns. */
#define MAX_TABLE_COLUMNS 64
#define MAX_TABLE_CELLS 65536

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
	while (i < len && i - digits_start < MAX_ENTITY_DIGITS &&
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
		text_encode(out, (int32_t)cp);
	return i + 1;
}

size_t html_entity(const char *s, size_t len, struct buf *out)
{
	if (len < 3 || s[0] != '&')
		return 0;
	if (s[1] == '#')
		return numeric_entity(s, len, out);
	size_t n = 1;
	while (n < len && n <= MAX_ENTITY_NAME && isalnum((unsigned char)s[n]))
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
	int pre_depth;        /* inside <pre>: text kept as written, in pre */
	struct buf pre;
	char *link_url;       /* an <a href> that is open */
	size_t link_start;
	/* An open table (tables inside it are read as its cells' text). */
	int table_depth;
	char **cells;         /* row-major, rows of n_cols after the table ends */
	size_t n_cells;
	size_t *row_lengths;  /* cells per row */
	size_t n_rows;
	bool in_cell;
};

static void flush(struct html_reader *r)
{
	/* Inside a table, block tags only separate the words of a cell. */
	if (r->table_depth > 0) {
		buf_putc(&r->text.text, ' ');
		return;
	}
	enum block_kind kind = r->kind;
	if (kind == BLOCK_PARAGRAPH && r->quote_depth > 0)
		kind = BLOCK_QUOTE;
	blocks_add_text(r->out, kind, r->level, &r->text);
	r->kind = BLOCK_PARAGRAPH;
	r->level = 0;
	/* A link still open goes on in the next block. */
	r->link_start = 0;
}

static void start_block(struct html_reader *r, enum block_kind kind, int level)
{
	flush(r);
	if (r->table_depth > 0)
		return;
	r->kind = kind;
	r->level = level;
}

/* Appends text, leaving out the C0 and C1 controls (other than white
 * space) that a numeric entity such as "&#1;" may have produced. */
static void append_text(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
			continue;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			continue;
		}
		buf_putc(out, (char)*p);
	}
}

static const char *attribute(const GumboElement *e, const char *name)
{
	const GumboAttribute *a = gumbo_get_attribute(&e->attributes, name);
	return a != NULL ? a->value : NULL;
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
	/* A link around nothing but an image was shown with the image; links
	 * in table cells are not kept (a table is preformatted). */
	if (r->table_depth == 0 && inline_has_text(&r->text, r->link_start))
		inline_add_link(&r->text, r->link_url, r->link_start);
	free(r->link_url);
	r->link_url = NULL;
}

static void image(struct html_reader *r, const GumboElement *e)
{
	const char *src = attribute(e, "src");
	const char *alt = attribute(e, "alt");
	if (alt == NULL || alt[0] == '\0')
		alt = attribute(e, "title");
	if (r->table_depth > 0) {
		/* In a cell the image is its label. */
		char *file = src != NULL ? image_file_name(src) : NULL;
		buf_putc(&r->text.text, ' ');
		append_text(&r->text.text, alt != NULL && alt[0] != '\0' ? alt : file ? file : "");
		free(file);
		return;
	}
	flush(r);
	struct buf clean = {0};
	append_text(&clean, alt != NULL ? alt : "");
	blocks_add_image(r->out, src, clean.data);
	buf_free(&clean);
}

/* ---- tables ---- */

static void start_table(struct html_reader *r)
{
	if (r->table_depth++ > 0)
		return;
	blocks_add_text(r->out, r->quote_depth > 0 ? BLOCK_QUOTE : r->kind, r->level, &r->text);
	r->kind = BLOCK_PARAGRAPH;
	r->level = 0;
}

static void start_row(struct html_reader *r)
{
	if (r->table_depth != 1)
		return;
	r->row_lengths = xgrowarray(r->row_lengths, r->n_rows, sizeof *r->row_lengths);
	r->row_lengths[r->n_rows++] = 0;
}

static void start_cell(struct html_reader *r)
{
	if (r->table_depth != 1)
		return;
	if (r->n_rows == 0)
		start_row(r);
	inline_clear(&r->text);
	r->in_cell = true;
}

/* A cell, and an empty one for each further column it spans. */
static void end_cell(struct html_reader *r, const GumboElement *e)
{
	if (r->table_depth != 1 || !r->in_cell)
		return;
	const char *colspan = e != NULL ? attribute(e, "colspan") : NULL;
	long span = colspan != NULL ? strtol(colspan, NULL, 10) : 1;
	span = span < 1 ? 1 : span > MAX_COLSPAN ? MAX_COLSPAN : span;
	long room = MAX_TABLE_COLUMNS - (long)r->row_lengths[r->n_rows - 1];
	span = span < room ? span : room;
	for (long k = 0; k < span; k++) {
		r->cells = xgrowarray(r->cells, r->n_cells, sizeof *r->cells);
		r->cells[r->n_cells++] =
			k == 0 ? collapse_space(r->text.text.data, r->text.text.len) : xstrdup("");
	}
	r->row_lengths[r->n_rows - 1] += (size_t)(span > 0 ? span : 0);
	inline_clear(&r->text);
	r->in_cell = false;
}

/* The rows become a table block as wide as its widest row; short rows
 * (and cells a colspan joined) are filled with empty cells. */
static void end_table(struct html_reader *r)
{
	if (r->table_depth == 0 || --r->table_depth > 0)
		return;
	end_cell(r, NULL);
	inline_clear(&r->text);
	size_t n_cols = 0, n_rows = 0;
	for (size_t i = 0; i < r->n_rows; i++) {
		if (r->row_lengths[i] > n_cols)
			n_cols = r->row_lengths[i];
		n_rows += r->row_lengths[i] > 0;
	}
	if (n_cols > 0 && n_rows > MAX_TABLE_CELLS / n_cols)
		n_rows = MAX_TABLE_CELLS / n_cols;
	if (n_cols > 0) {
		struct block *b = blocks_add(r->out, BLOCK_TABLE);
		struct table *t = xcalloc(1, sizeof *t);
		t->n_rows = n_rows;
		t->n_cols = n_cols;
		t->cells = xcalloc(n_rows * n_cols, sizeof *t->cells);
		t->align = xcalloc(n_cols, sizeof *t->align);
		size_t from = 0, row = 0;
		for (size_t i = 0; i < r->n_rows && row < n_rows; i++) {
			if (r->row_lengths[i] == 0)
				continue;
			for (size_t c = 0; c < n_cols; c++)
				t->cells[row * n_cols + c] =
					c < r->row_lengths[i] ? r->cells[from + c] : xstrdup("");
			from += r->row_lengths[i];
			row++;
		}
		for (size_t i = from; i < r->n_cells; i++)
			free(r->cells[i]);
		b->table = t;
	}
	free(r->cells);
	free(r->row_lengths);
	r->cells = NULL;
	r->row_lengths = NULL;
	r->n_cells = 0;
	r->n_rows = 0;
}

/* ---- the tree ---- */

/* Tags that end the text before them and start a new block. */
static bool breaks_text(GumboTag tag)
{
	static const GumboTag tags[] = {
		GUMBO_TAG_P, GUMBO_TAG_BR, GUMBO_TAG_DIV, GUMBO_TAG_FIGURE, GUMBO_TAG_FIGCAPTION,
		GUMBO_TAG_CENTER, GUMBO_TAG_SECTION, GUMBO_TAG_ARTICLE, GUMBO_TAG_HEADER,
		GUMBO_TAG_FOOTER, GUMBO_TAG_ASIDE, GUMBO_TAG_NAV, GUMBO_TAG_MAIN, GUMBO_TAG_DL,
		GUMBO_TAG_DT, GUMBO_TAG_DD, GUMBO_TAG_FORM, GUMBO_TAG_DETAILS, GUMBO_TAG_SUMMARY,
		GUMBO_TAG_CAPTION, GUMBO_TAG_ADDRESS,
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (tags[i] == tag)
			return true;
	return false;
}

static int heading_level(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_H1: return 1;
	case GUMBO_TAG_H2: return 2;
	case GUMBO_TAG_H3: return 3;
	case GUMBO_TAG_H4: return 4;
	case GUMBO_TAG_H5: return 5;
	case GUMBO_TAG_H6: return 6;
	default: return 0;
	}
}

/* An element opens; returns false when its content is to be skipped. */
static bool open_element(struct html_reader *r, const GumboElement *e)
{
	GumboTag tag = e->tag;
	if (r->pre_depth > 0) {
		r->pre_depth += tag == GUMBO_TAG_PRE;
		return true;
	}
	switch (tag) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
	case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE:
		return false;
	case GUMBO_TAG_PRE:
		if (r->table_depth > 0)
			return true;
		flush(r);
		r->pre_depth = 1;
		buf_clear(&r->pre);
		return true;
	case GUMBO_TAG_A: open_link(r, attribute(e, "href")); return true;
	case GUMBO_TAG_IMG: image(r, e); return true;
	case GUMBO_TAG_IFRAME:
		flush(r);
		if (r->table_depth == 0)
			blocks_add_link(r->out, attribute(e, "src"), attribute(e, "title"));
		return false;
	case GUMBO_TAG_HR:
		flush(r);
		if (r->table_depth == 0)
			blocks_add(r->out, BLOCK_RULE);
		return true;
	case GUMBO_TAG_LI:
		start_block(r, BLOCK_LIST_ITEM, r->list_depth > 0 ? r->list_depth - 1 : 0);
		return true;
	case GUMBO_TAG_UL: case GUMBO_TAG_OL: flush(r); r->list_depth++; return true;
	case GUMBO_TAG_BLOCKQUOTE: flush(r); r->quote_depth++; return true;
	case GUMBO_TAG_TABLE: start_table(r); return true;
	case GUMBO_TAG_TR: start_row(r); return true;
	case GUMBO_TAG_TD: case GUMBO_TAG_TH: start_cell(r); return true;
	case GUMBO_TAG_SUP: buf_putc(&r->text.text, '^'); return true;
	default: break;
	}
	if (heading_level(tag) > 0)
		start_block(r, BLOCK_HEADING, heading_level(tag));
	else if (breaks_text(tag))
		flush(r);
	return true;
}

static void end_pre(struct html_reader *r)
{
	struct buf *text = &r->pre;
	while (text->len > 0 && text->data[text->len - 1] == '\n')
		text->data[--text->len] = '\0';
	size_t start = 0;
	while (start < text->len && text->data[start] == '\n')
		start++;
	if (start < text->len) {
		struct block *b = blocks_add(r->out, BLOCK_PRE);
		b->text = xstrdup(text->data + start);
	}
	buf_clear(text);
}

static void close_element(struct html_reader *r, const GumboElement *e)
{
	GumboTag tag = e->tag;
	if (r->pre_depth > 0) {
		if (tag == GUMBO_TAG_PRE && --r->pre_depth == 0)
			end_pre(r);
		return;
	}
	switch (tag) {
	case GUMBO_TAG_A: close_link(r); return;
	case GUMBO_TAG_LI: flush(r); return;
	case GUMBO_TAG_UL: case GUMBO_TAG_OL:
		flush(r);
		r->list_depth -= r->list_depth > 0;
		return;
	case GUMBO_TAG_BLOCKQUOTE:
		flush(r);
		r->quote_depth -= r->quote_depth > 0;
		return;
	case GUMBO_TAG_TABLE: end_table(r); return;
	case GUMBO_TAG_TD: case GUMBO_TAG_TH: end_cell(r, e); return;
	case GUMBO_TAG_CAPTION:
		/* The table's title, shown above it. */
		if (r->table_depth == 1)
			blocks_add_text(r->out, BLOCK_PARAGRAPH, 0, &r->text);
		return;
	default: break;
	}
	if (heading_level(tag) > 0 || breaks_text(tag))
		flush(r);
}

static void read_text(struct html_reader *r, const GumboText *t)
{
	append_text(r->pre_depth > 0 ? &r->pre : &r->text.text, t->text);
}

/* One element being walked: the walk keeps its own stack, so nesting a
 * hundred thousand deep costs memory, not the C stack. */
struct walk_frame {
	const GumboNode *node;
	unsigned int next_child;
};

static void walk(struct html_reader *r, const GumboNode *root)
{
	size_t cap = 64, depth = 0;
	struct walk_frame *stack = xreallocarray(NULL, cap, sizeof *stack);
	stack[depth++] = (struct walk_frame){root, 0};
	while (depth > 0) {
		struct walk_frame *top = &stack[depth - 1];
		const GumboVector *children = &top->node->v.element.children;
		if (top->next_child == children->length) {
			if (top->node != root)
				close_element(r, &top->node->v.element);
			depth--;
			continue;
		}
		const GumboNode *child = children->data[top->next_child++];
		if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
		    child->type == GUMBO_NODE_CDATA) {
			read_text(r, &child->v.text);
		} else if ((child->type == GUMBO_NODE_ELEMENT || child->type == GUMBO_NODE_TEMPLATE) &&
		           open_element(r, &child->v.element)) {
			if (depth == cap) {
				cap *= 2;
				stack = xreallocarray(stack, cap, sizeof *stack);
			}
			stack[depth++] = (struct walk_frame){child, 0};
		}
	}
	free(stack);
}

/* Elements that never hold others (void) or that the next sibling closes
 * (p, li, td ...): they do not make the nesting deeper. */
static bool nests(const char *name, size_t len)
{
	static const char *const flat[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
		"source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option",
	};
	for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++)
		if (strlen(flat[i]) == len && strncasecmp(flat[i], name, len) == 0)
			return false;
	return true;
}

/* Spaces that start an attribute: a tag's attribute count, near enough. */
static size_t attribute_gaps(const char *s, size_t len)
{
	size_t gaps = 0;
	for (size_t i = 1; i < len; i++)
		if (isspace((unsigned char)s[i]) && !isspace((unsigned char)s[i - 1]))
			gaps++;
	return gaps;
}

/*
 * The HTML with the tags that nest deeper than MAX_HTML_DEPTH left out,
 * their text kept. An HTML5 parser checks the open elements for each new
 * one, so a page nested a hundred thousand deep would take it quadratic
 * time; browsers cap the depth the same way. For the same reason a tag
 * with more than MAX_HTML_ATTRIBUTES attributes is left out (gumbo checks
 * each new attribute against the ones before), and past MAX_HTML_TAGS
 * opening tags every tag is (gumbo's memory). Tags are found by their
 * '<' and '>' only, which is enough to count the depth: every byte is
 * looked at once (a tag that no '>' ends stops the reading).
 */
static void limit_depth(struct buf *out, const char *s, size_t len)
{
	size_t depth = 0, opened = 0, closed = 0, i = 0;
	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		size_t at = lt ? (size_t)(lt - s) : len;
		buf_append(out, s + i, at - i);
		if (at == len)
			break;
		bool closing = at + 1 < len && s[at + 1] == '/';
		size_t name = at + 1 + closing, name_end = name;
		while (name_end < len && isalnum((unsigned char)s[name_end]))
			name_end++;
		if (name_end == name) {
			buf_putc(out, '<'); /* "x < y", "<!--": not a tag here */
			i = at + 1;
			continue;
		}
		const char *gt = memchr(s + name_end, '>', len - name_end);
		if (gt == NULL)
			break; /* a tag cut short by the end: a browser drops the rest too */
		size_t end = (size_t)(gt - s) + 1;
		bool self_closing = s[end - 2] == '/';
		bool deeper = !self_closing && nests(s + name, name_end - name);
		bool keep = attribute_gaps(s + at, end - at) <= MAX_HTML_ATTRIBUTES;
		if (deeper && !closing)
			keep = ++depth <= MAX_HTML_DEPTH && keep;
		else if (deeper && closing && depth > 0)
			keep = depth-- <= MAX_HTML_DEPTH && keep;
		/* A closing tag may add an element too ("</p>" with no p open):
		 * no more are kept than opening ones. */
		if (keep && !closing)
			keep = opened < MAX_HTML_TAGS;
		else if (keep)
			keep = closed < opened;
		if (keep && closing)
			closed++;
		else if (keep)
			opened++;
		if (keep)
			buf_append(out, s + at, end - at);
		i = end;
	}
}

void html_to_blocks(const char *s, size_t len, struct block_list *out)
{
	struct buf limited = {0};
	limit_depth(&limited, s, len);
	GumboOptions options = kGumboDefaultOptions;
	options.fragment_context = GUMBO_TAG_BODY;
	options.max_errors = 0;
	GumboOutput *parsed =
		gumbo_parse_with_options(&options, limited.data ? limited.data : "", limited.len);
	struct html_reader r = {.out = out, .kind = BLOCK_PARAGRAPH};
	walk(&r, parsed->root);
	if (r.pre_depth > 0)
		end_pre(&r);
	while (r.table_depth > 0)
		end_table(&r);
	/* A link never closed is dropped; its text stays. */
	flush(&r);
	free(r.link_url);
	inline_free(&r.text);
	buf_free(&r.pre);
	gumbo_destroy_output(&options, parsed);
	buf_free(&limited);
}
