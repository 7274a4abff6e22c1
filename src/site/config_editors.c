/*
 * The editors of a site: who may publish to it with Titan (known by their
 * certificate) and under which folders of its capsule.
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"
#include "buf.h"
#include "capsule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "AB:CD:...", "abcd...": 32 bytes in hex, colons optional, any case. */
static bool parse_fingerprint(const char *text, char out[65])
{
	size_t n = 0;
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == ':')
			continue;
		if (!isxdigit((unsigned char)*c) || n == 64)
			return false;
		out[n++] = (char)tolower((unsigned char)*c);
	}
	out[n] = '\0';
	return n == 64;
}

/* A capsule folder an editor may write under: relative, no "." or "..",
 * no hidden segment; kept with one trailing '/' ("" for the whole capsule). */
static char *editor_path(const char *text)
{
	while (*text == '/')
		text++;
	struct buf out = {0};
	buf_puts(&out, "");
	while (*text != '\0') {
		size_t len = strcspn(text, "/");
		bool dots = (len == 1 && text[0] == '.') || (len == 2 && text[0] == '.' && text[1] == '.');
		char *segment = xstrndup(text, len);
		bool hidden = dots || capsule_name_hidden(segment);
		free(segment);
		if (hidden) {
			buf_free(&out);
			return NULL;
		}
		buf_append(&out, text, len);
		buf_putc(&out, '/');
		text += len;
		text += strspn(text, "/");
	}
	return buf_steal(&out);
}

static void add_editor_path(struct parse *p, const char *key, yaml_node_t *node, void *arg)
{
	struct editor *ed = arg;
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	char *path = editor_path(text);
	if (path == NULL) {
		config_problem(p, node, "%s: \"%s\" is not a folder of the capsule (no \".\", \"..\" or hidden names)",
		               key, text);
		return;
	}
	ed->paths = xreallocarray(ed->paths, ed->n_paths + 1, sizeof *ed->paths);
	ed->paths[ed->n_paths++] = path;
}

/* "desk: own" (the default: drafts under their paths) or "desk: all"
 * (a chief editor's: every draft of the site). */
static void get_desk(struct parse *p, const char *key, yaml_node_t *node, struct editor *ed)
{
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	if (strcmp(text, "all") == 0 || strcmp(text, "own") == 0)
		ed->desk_all = strcmp(text, "all") == 0;
	else
		config_problem(p, node, "%s: expected all or own, got \"%s\"", key, text);
}

static void editor_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                        yaml_node_t *value, void *arg)
{
	struct editor *ed = arg;
	if (strcmp(key, "name") == 0) {
		config_get_string(p, key, value, &ed->name);
	} else if (strcmp(key, "fingerprint") == 0) {
		const char *text = config_get_text(p, key, value);
		if (text != NULL && !parse_fingerprint(text, ed->fingerprint))
			config_problem(p, value, "%s: expected the certificate's SHA-256 as 64 hex digits (colons optional)",
			               key);
	} else if (strcmp(key, "paths") == 0) {
		config_for_each_item(p, key, value, add_editor_path, ed);
	} else if (strcmp(key, "desk") == 0) {
		get_desk(p, key, value, ed);
	} else {
		config_unknown_key(p, key, key_node);
	}
}

void config_get_editors(struct parse *p, yaml_node_t *list, struct vhost *vh)
{
	if (list->type != YAML_SEQUENCE_NODE) {
		config_problem(p, list, "editors: expected a list of editors");
		return;
	}
	struct editor *editors = NULL;
	size_t n = 0;
	for (yaml_node_item_t *item = list->data.sequence.items.start;
	     item < list->data.sequence.items.top; item++) {
		yaml_node_t *node = yaml_document_get_node(p->doc, *item);
		struct editor ed = {0};
		config_for_each_pair(p, "editors entry", node, editor_pair, &ed);
		if (node->type == YAML_MAPPING_NODE && (ed.name == NULL || ed.fingerprint[0] == '\0' ||
		                                        ed.n_paths == 0))
			config_problem(p, node, "editors entry: name, fingerprint and paths are all needed");
		for (size_t i = 0; i < n && ed.fingerprint[0] != '\0'; i++)
			if (strcmp(editors[i].fingerprint, ed.fingerprint) == 0)
				config_problem(p, node, "editors entry: the fingerprint of %s is given twice",
				               editors[i].name);
		editors = xreallocarray(editors, n + 1, sizeof *editors);
		editors[n++] = ed;
	}
	config_editors_free(vh->editors, vh->n_editors);
	vh->editors = editors;
	vh->n_editors = n;
}

bool config_editor_covers(const struct editor *ed, const char *relpath)
{
	for (size_t i = 0; i < ed->n_paths; i++) {
		/* paths end in '/', so "news/" never admits "newsroom/x.md" */
		if (strncmp(relpath, ed->paths[i], strlen(ed->paths[i])) == 0)
			return true;
	}
	return false;
}

bool config_editor_sees(const struct editor *ed, const char *relpath)
{
	return ed->desk_all || config_editor_covers(ed, relpath);
}
