#include "blocks.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void inline_add_link(struct inline_text *t, const char *url, size_t label_start)
{
	if (label_start > t->text.len)
		label_start = t->text.len;
	if (t->n_links >= MAX_LINKS_PER_BLOCK) {
		if (!inline_has_text(t, label_start))
			buf_puts(&t->text, url);
		return;
	}
	if (t->n_links == t->cap_links) {
		t->cap_links = t->cap_links ? t->cap_links * 2 : 4;
		t->links = xreallocarray(t->links, t->cap_links, sizeof *t->links);
	}
	struct link *l = &t->links[t->n_links++];
	l->url = xstrdup(url);
	l->label = inline_text_since(t, label_start);
	if (l->label[0] == '\0') {
		/* Nothing to click on: show the address itself. */
		free(l->label);
		l->label = xstrdup(url);
		buf_puts(&t->text, url);
	}
	l->end = t->text.len;
}

/* How many of the edits (sorted by from) start before offset p. */
static size_t edits_starting_before(const struct text_edit *edits, size_t n, size_t p)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (edits[mid].from < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Where offset p of the old text lies in the new one: edits[i] is the
 * last edit starting before p (or at it, for an offset inside), and
 * new_from[i] where its replacement starts. */
static size_t moved_offset(size_t p, const struct text_edit *edits, const size_t *new_from,
                           size_t n)
{
	size_t lo = edits_starting_before(edits, n, p);
	if (lo == 0)
		return p;
	const struct text_edit *e = &edits[lo - 1];
	size_t end_of_new = new_from[lo - 1] + strlen(e->with);
	return p >= e->to ? end_of_new + (p - e->to) : end_of_new;
}

/* Whether offset p lies in text an edit replaces. */
static bool inside_edit(size_t p, const struct text_edit *edits, size_t n)
{
	size_t lo = edits_starting_before(edits, n, p + 1);
	return lo > 0 && p < edits[lo - 1].to;
}

void inline_edit(struct inline_text *t, const struct text_edit *edits, size_t n)
{
	if (n == 0 || edits[0].from > t->text.len)
		return;
	/* Only the text from the first edit on is rebuilt; offsets before it
	 * stay, so an edit near the end costs little however long the text. */
	size_t first = edits[0].from;
	size_t *new_from = xreallocarray(NULL, n, sizeof *new_from);
	struct buf tail = {0};
	size_t pos = first;
	for (size_t i = 0; i < n; i++) {
		size_t to = edits[i].to < t->text.len ? edits[i].to : t->text.len;
		buf_append(&tail, t->text.data + pos, edits[i].from - pos);
		new_from[i] = first + tail.len;
		buf_puts(&tail, edits[i].with);
		pos = to;
	}
	buf_append(&tail, t->text.data + pos, t->text.len - pos);
	/* Links and breaks are in text order: the ones before the first edit
	 * keep their place. */
	for (size_t i = t->n_links; i-- > 0 && t->links[i].end > first;)
		t->links[i].end = moved_offset(t->links[i].end, edits, new_from, n);
	size_t kept = 0;
	for (size_t i = 0; i < t->n_breaks; i++) {
		size_t at = t->breaks[i];
		if (at >= first && inside_edit(at, edits, n))
			continue;
		t->breaks[kept++] = at >= first ? moved_offset(at, edits, new_from, n) : at;
	}
	t->n_breaks = kept;
	t->text.len = first;
	buf_append(&t->text, tail.data, tail.len);
	buf_free(&tail);
	free(new_from);
}

void inline_add_break(struct inline_text *t)
{
	if (t->n_breaks == t->cap_breaks) {
		t->cap_breaks = t->cap_breaks ? t->cap_breaks * 2 : 4;
		t->breaks = xreallocarray(t->breaks, t->cap_breaks, sizeof *t->breaks);
	}
	t->breaks[t->n_breaks++] = t->text.len;
	buf_putc(&t->text, ' ');
}

bool inline_has_text(const struct inline_text *t, size_t from)
{
	for (size_t i = from; i < t->text.len; i++)
		if (!is_space(t->text.data[i]))
			return true;
	return false;
}

char *inline_text_since(const struct inline_text *t, size_t from)
{
	if (from >= t->text.len)
		return xstrdup("");
	return collapse_space(t->text.data + from, t->text.len - from);
}

static void free_links(struct link *links, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(links[i].url);
		free(links[i].label);
	}
	free(links);
}

void inline_clear(struct inline_text *t)
{
	buf_clear(&t->text);
	free_links(t->links, t->n_links);
	t->links = NULL;
	t->n_links = 0;
	t->cap_links = 0;
	free(t->breaks);
	t->breaks = NULL;
	t->n_breaks = 0;
	t->cap_breaks = 0;
}

void inline_free(struct inline_text *t)
{
	inline_clear(t);
	buf_free(&t->text);
}

struct block *blocks_add(struct block_list *list, enum block_kind kind)
{
	if (list->count == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 16;
		list->items = xreallocarray(list->items, list->cap, sizeof *list->items);
	}
	struct block *b = &list->items[list->count++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

/*
 * Collapses white space into out and fills map[i] with the length of out
 * once the first i bytes of s are read. A space is written only when a
 * non-space follows it, so a link ending before a space keeps its end
 * right after its label. A run of white space holding one of the n_breaks
 * offsets in breaks (ascending) becomes "\n" instead of a space.
 */
static void collapse_into(struct buf *out, const char *s, size_t len, size_t *map,
                          const size_t *breaks, size_t n_breaks)
{
	bool pending = false, pending_break = false;
	size_t next_break = 0;
	for (size_t i = 0; i < len; i++) {
		if (map)
			map[i] = out->len;
		if (is_space(s[i])) {
			pending = out->len > 0;
			while (next_break < n_breaks && breaks[next_break] < i)
				next_break++;
			if (next_break < n_breaks && breaks[next_break] == i)
				pending_break = pending;
			continue;
		}
		if (pending)
			buf_putc(out, pending_break ? '\n' : ' ');
		pending = false;
		pending_break = false;
		buf_putc(out, s[i]);
	}
	if (map)
		map[len] = out->len;
}

char *collapse_space(const char *s, size_t len)
{
	struct buf out = {0};
	collapse_into(&out, s, len, NULL, NULL, 0);
	return buf_steal(&out);
}

struct block *blocks_add_text(struct block_list *list, enum block_kind kind, int level,
                              struct inline_text *t)
{
	if (!inline_has_text(t, 0)) {
		inline_clear(t);
		return NULL;
	}
	size_t *map = xreallocarray(NULL, t->text.len + 1, sizeof *map);
	struct buf out = {0};
	collapse_into(&out, t->text.data, t->text.len, map, t->breaks, t->n_breaks);
	struct block *b = blocks_add(list, kind);
	b->level = kind == BLOCK_LIST_ITEM && level > MAX_LIST_LEVEL ? MAX_LIST_LEVEL : level;
	b->text = buf_steal(&out);
	for (size_t i = 0; i < t->n_links; i++)
		t->links[i].end = map[t->links[i].end];
	free(map);
	size_t room = MAX_LINKS_PER_ARTICLE - list->n_links;
	while (t->n_links > room) {
		struct link *l = &t->links[--t->n_links];
		free(l->url);
		free(l->label);
	}
	list->n_links += t->n_links;
	b->links = t->links;
	b->n_links = t->n_links;
	t->links = NULL;
	t->n_links = 0;
	t->cap_links = 0;
	inline_clear(t);
	return b;
}

char *image_file_name(const char *url)
{
	/* Only the path counts: "https://example.org/" names no file. */
	const char *path = url;
	const char *authority = strstr(url, "//");
	if (authority != NULL) {
		path = strchr(authority + 2, '/');
		if (path == NULL)
			return xstrdup(url);
	}
	size_t end = strcspn(path, "?#");
	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (start == end)
		return xstrdup(url);
	return xstrndup(path + start, end - start);
}

/* An image's or a link's words with runs of white space made one, or NULL
 * when none are left (the caller then shows something else). */
static char *words_or_null(const char *words)
{
	char *text = collapse_space(words ? words : "", words ? strlen(words) : 0);
	if (text[0] != '\0')
		return text;
	free(text);
	return NULL;
}

void blocks_add_image(struct block_list *list, const char *url, const char *alt)
{
	if (url == NULL || url[0] == '\0')
		return;
	struct block *b = blocks_add(list, BLOCK_IMAGE);
	b->url = xstrdup(url);
	b->alt = words_or_null(alt);
	if (b->alt == NULL)
		b->alt = image_file_name(url);
}

void blocks_add_link(struct block_list *list, const char *url, const char *label)
{
	if (url == NULL || url[0] == '\0')
		return;
	struct block *b = blocks_add(list, BLOCK_LINK);
	b->url = xstrdup(url);
	b->text = words_or_null(label);
	if (b->text == NULL)
		b->text = xstrdup(url);
}

void blocks_remove(struct block_list *list, size_t i)
{
	if (i >= list->count)
		return;
	block_clear(&list->items[i]);
	memmove(&list->items[i], &list->items[i + 1], (list->count - i - 1) * sizeof *list->items);
	list->count--;
}

static void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->align);
	free(t);
}

void block_clear(struct block *b)
{
	free(b->text);
	free_links(b->links, b->n_links);
	free(b->url);
	free(b->alt);
	table_free(b->table);
	memset(b, 0, sizeof *b);
}

void block_list_free(struct block_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		block_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
	list->cap = 0;
}
