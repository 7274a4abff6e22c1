#include "gophermap.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

#define DEFAULT_PORT 70

/* One line of a gophermap split at its TABs (at most four fields). */
struct map_item {
	char type;
	char *display, *selector, *host, *port;
};

static char *field_copy(const char **cursor, const char *end)
{
	if (*cursor == NULL)
		return xstrdup("");
	const char *tab = memchr(*cursor, '\t', (size_t)(end - *cursor));
	const char *stop = tab ? tab : end;
	char *copy = xstrndup(*cursor, (size_t)(stop - *cursor));
	*cursor = tab ? tab + 1 : NULL;
	return copy;
}

static void map_item_parse(struct map_item *item, const char *line, size_t len)
{
	const char *cursor = line + 1;
	const char *end = line + len;
	item->type = line[0];
	item->display = field_copy(&cursor, end);
	item->selector = field_copy(&cursor, end);
	item->host = field_copy(&cursor, end);
	item->port = field_copy(&cursor, end);
}

static void map_item_free(struct map_item *item)
{
	free(item->display);
	free(item->selector);
	free(item->host);
	free(item->port);
}

/* dir + rel with "." and ".." resolved; NULL if ".." climbs above the root. */
static char *resolve_relative(const char *dir, const char *rel)
{
	char *joined = xasprintf("%s%s", dir, rel);
	size_t len = strlen(joined);
	bool trailing_slash = len > 0 && joined[len - 1] == '/';
	bool last_was_dots = false;
	struct buf out = {0};
	for (char *save = NULL, *seg = strtok_r(joined, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		bool up = strcmp(seg, "..") == 0;
		last_was_dots = up || strcmp(seg, ".") == 0;
		if (!last_was_dots) {
			buf_printf(&out, "/%s", seg);
			continue;
		}
		if (!up)
			continue;
		char *last = out.len ? strrchr(out.data, '/') : NULL;
		if (last == NULL) {
			buf_free(&out);
			free(joined);
			return NULL;
		}
		out.len = (size_t)(last - out.data);
		out.data[out.len] = '\0';
	}
	free(joined);
	if (out.len == 0 || trailing_slash || last_was_dots)
		buf_putc(&out, '/');
	return buf_steal(&out);
}

/* The port written in a map, or fallback when it is empty or not a port. */
static int port_of(const char *text, int fallback)
{
	char *end;
	long port = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || port < 1 || port > 65535)
		return fallback;
	return (int)port;
}

static void render_map_item(struct buf *out, const char *line, size_t len, const char *dir,
                            const struct menu_origin *origin)
{
	struct map_item item;
	map_item_parse(&item, line, len);
	bool ours = item.host[0] == '\0';
	const char *host = ours ? origin->host : item.host;
	int port = port_of(item.port, ours ? origin->port : DEFAULT_PORT);
	const char *given = item.selector[0] ? item.selector : item.display;
	char *selector;
	if (!ours || given[0] == '/' || strncmp(given, "URL:", 4) == 0)
		selector = xstrdup(given);
	else
		selector = resolve_relative(dir, given);
	/* An item type must be a printable character; an item that climbs out
	 * of the capsule is dropped, as is a line with nothing to show. */
	bool printable = item.type > 0x20 && item.type < 0x7f;
	if (item.type == 'i')
		menu_info(out, item.display);
	else if (printable && selector)
		menu_item(out, item.type, item.display, selector, host, port);
	free(selector);
	map_item_free(&item);
}

enum gophermap_end gophermap_render(struct buf *out, const char *map, size_t len, const char *dir,
                                    const struct menu_origin *origin)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(map + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - map) : len;
		const char *line = map + pos;
		size_t line_len = end - pos;
		pos = end + 1;
		if (line_len > 0 && line[line_len - 1] == '\r')
			line_len--;
		if (line_len == 1 && line[0] == '.')
			return GOPHERMAP_DONE;
		if (line_len == 1 && line[0] == '*')
			return GOPHERMAP_LISTING;
		if (line_len > 0 && line[0] == '#')
			continue;
		if (memchr(line, '\t', line_len) == NULL) {
			char *text = xstrndup(line, line_len);
			menu_info(out, text);
			free(text);
			continue;
		}
		render_map_item(out, line, line_len, dir, origin);
	}
	return GOPHERMAP_DONE;
}
