#include "layout.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "date.h"
#include "markdown.h"
#include "text.h"

#define MAX_SIGNATURE_BYTES 32
/* More labels than a desk's address ever has; the rest are not looked at. */
#define MAX_HOST_LABELS 16

struct line {
	const char *s;
	size_t len;
};

/* The next line with something on it, from *pos; false at the end. */
static bool next_nonblank(const char *text, size_t len, size_t *pos, struct line *line)
{
	while (*pos < len) {
		const char *nl = memchr(text + *pos, '\n', len - *pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		line->s = text + *pos;
		line->len = end - *pos;
		*pos = nl ? end + 1 : len;
		text_trim(&line->s, &line->len);
		if (line->len > 0)
			return true;
	}
	return false;
}

/* "# Text" with exactly level marks; returns the text or NULL. */
static char *heading_text(const struct line *l, size_t level)
{
	if (l->len <= level + 1 || l->s[level] != ' ')
		return NULL;
	for (size_t i = 0; i < level; i++)
		if (l->s[i] != '#')
			return NULL;
	return collapse_space(l->s + level + 1, l->len - level - 1);
}

static bool is_public_suffix_label(const char *label, size_t len)
{
	static const char *const second_levels[] = {
		"co", "ac", "go", "or", "web", "sch", "net", "com", "org", "gov", "edu", "mil",
		"my", "biz", "desa", "ponpes", "id",
	};
	for (size_t i = 0; i < sizeof second_levels / sizeof second_levels[0]; i++)
		if (strlen(second_levels[i]) == len && strncasecmp(second_levels[i], label, len) == 0)
			return true;
	return false;
}

char *layout_section_of_url(const char *url)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	size_t host_len = strcspn(host, "/?#:");
	const char *labels[MAX_HOST_LABELS];
	size_t lens[MAX_HOST_LABELS];
	size_t n = 0;
	for (size_t i = 0; i < host_len && n < MAX_HOST_LABELS;) {
		size_t l = 0;
		while (i + l < host_len && host[i + l] != '.')
			l++;
		labels[n] = host + i;
		lens[n++] = l;
		i += l + 1;
	}
	if (n < 3)
		return NULL;
	/* goblog.co.id is a site's own domain; barru.goblog.co.id a desk of it. */
	size_t own = 2;
	if (lens[n - 1] == 2 && is_public_suffix_label(labels[n - 2], lens[n - 2]))
		own = 3;
	if (n <= own || lens[0] == 0 || (lens[0] == 3 && strncasecmp(labels[0], "www", 3) == 0))
		return NULL;
	char *section = xstrndup(labels[0], lens[0]);
	for (char *p = section; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return section;
}

static void add_author(struct article_meta *meta, const char *name, size_t len)
{
	char *author = collapse_space(name, len);
	if (author[0] == '\0') {
		free(author);
		return;
	}
	meta->authors = xreallocarray(meta->authors, meta->n_authors + 1, sizeof *meta->authors);
	meta->authors[meta->n_authors++] = author;
}

/* "NAME - [LABEL](URL)": the author and the link to the desk's site. */
static bool read_author_line(const struct line *l, struct article_meta *meta)
{
	const char *s = l->s;
	const char *dash = NULL;
	for (size_t i = 0; i + 4 <= l->len; i++)
		if (memcmp(s + i, " - [", 4) == 0)
			dash = s + i;
	if (dash == NULL || s[l->len - 1] != ')')
		return false;
	const char *label_end = memmem(dash + 4, (size_t)(s + l->len - dash - 4), "](", 2);
	if (label_end == NULL)
		return false;
	const char *url = label_end + 2;
	size_t url_len = (size_t)(s + l->len - 1 - url);
	if (url_len == 0 || memchr(url, ' ', url_len))
		return false;
	add_author(meta, s, (size_t)(dash - s));
	if (meta->n_authors == 0)
		return false;
	meta->author_url = xstrndup(url, url_len);
	meta->section = layout_section_of_url(meta->author_url);
	return true;
}

/* "*Caption*" or "_Caption_" on a line of its own. */
static char *caption_text(const struct line *l)
{
	char mark = l->s[0];
	if ((mark != '*' && mark != '_') || l->len < 3 || l->s[l->len - 1] != mark)
		return NULL;
	size_t start = 1, end = l->len - 1;
	if (l->len >= 5 && l->s[1] == mark && l->s[end - 1] == mark) {
		start++;
		end--;
	}
	char *caption = collapse_space(l->s + start, end - start);
	if (caption[0] == '\0') {
		free(caption);
		return NULL;
	}
	return caption;
}

/* The byline lines after the headline, each optional, in their order. */
static size_t read_byline(const char *text, size_t len, size_t pos,
                          const struct article_context *ctx, struct article_meta *meta)
{
	int stage = 0;
	for (;;) {
		size_t next = pos;
		struct line l;
		char *caption;
		if (!next_nonblank(text, len, &next, &l))
			return pos;
		if (stage < 1 && read_author_line(&l, meta)) {
			stage = 1;
		} else if (stage < 2 && date_parse_in(l.s, l.len, ctx->utc_offset_minutes, ctx->zone, &meta->date)) {
			stage = 2;
		} else if (stage < 3 && (caption = caption_text(&l)) != NULL) {
			meta->caption = caption;
			stage = 3;
		} else {
			return pos;
		}
		pos = next;
	}
}

/* "(HB-red)" as the last line, in a paragraph of its own: its start, or len. */
static size_t find_signature(const char *text, size_t len, struct article_meta *meta)
{
	size_t end = len;
	while (end > 0 && isspace((unsigned char)text[end - 1]))
		end--;
	size_t start = end;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	size_t n = end - start;
	if (n < 3 || n > MAX_SIGNATURE_BYTES || text[start] != '(' || text[end - 1] != ')')
		return len;
	bool own_paragraph = start < 2 || (text[start - 1] == '\n' && text[start - 2] == '\n');
	if (!own_paragraph)
		return len;
	meta->signature = xstrndup(text + start, n);
	return start;
}

bool layout_parse(const char *text, size_t len, const struct article_context *ctx,
                  struct article_meta *meta, struct block_list *body)
{
	size_t pos = 0;
	struct line site_line, headline;
	if (!next_nonblank(text, len, &pos, &site_line) || !next_nonblank(text, len, &pos, &headline))
		return false;
	char *site = heading_text(&site_line, 1);
	char *title = heading_text(&headline, 2);
	if (site == NULL || title == NULL) {
		free(site);
		free(title);
		return false;
	}
	meta->site_name = site;
	meta->title = title;
	pos = read_byline(text, len, pos, ctx, meta);
	size_t body_end = find_signature(text + pos, len - pos, meta);
	markdown_to_blocks(text + pos, body_end, ctx->lang, body);
	return true;
}
