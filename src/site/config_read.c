/*
 * Reading the file and the typed values in its YAML nodes. Every problem
 * found becomes one line "FILE:LINE:COLUMN: reason".
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A configuration file larger than this is a mistake, not a configuration. */
#define MAX_FILE_BYTES (1024 * 1024)

/* Ranges a value must fall in; outside them it is surely a typo. */
#define MAX_TIMEOUT_MS (3600 * 1000)
#define MAX_UPLOAD_SIZE (1LL << 30)

static const char *scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* An unquoted ~, null or nothing: YAML's null, which no setting takes. */
static bool is_null(const yaml_node_t *node)
{
	const char *s = scalar(node);
	return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0);
}

void config_problem(struct parse *p, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	buf_printf(p->errors, "%s:%zu:%zu: ", p->file, node->start_mark.line + 1,
	           node->start_mark.column + 1);
	va_start(ap, fmt);
	buf_vprintf(p->errors, fmt, ap);
	va_end(ap);
	buf_putc(p->errors, '\n');
	p->problems++;
}

/* A text value: a scalar that is not null and holds no NUL byte. */
const char *config_get_text(struct parse *p, const char *key, const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE || is_null(node)) {
		config_problem(p, node, "%s: expected a string", key);
		return NULL;
	}
	if (strlen(scalar(node)) != node->data.scalar.length) {
		config_problem(p, node, "%s: contains a NUL byte", key);
		return NULL;
	}
	return scalar(node);
}

void config_get_string(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	free(*out);
	*out = xstrdup(text);
}

/* A path in the file is relative to the file's folder, so the file works
 * from wherever kabar is started. */
void config_get_path(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	free(*out);
	if (text[0] == '/' || p->dir == NULL)
		*out = xstrdup(text);
	else
		*out = xasprintf("%s/%s", p->dir, text);
}

void config_get_int(struct parse *p, const char *key, const yaml_node_t *node, int min, int max,
                    int *out)
{
	const char *text;
	char *end;
	long value;
	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		config_problem(p, node, "%s: expected an integer", key);
		return;
	}
	text = scalar(node);
	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end != '\0') {
		config_problem(p, node, "%s: expected an integer, got \"%s\"", key, text);
		return;
	}
	if (errno == ERANGE || value < min || value > max) {
		config_problem(p, node, "%s: %s is out of range (%d to %d)", key, text, min, max);
		return;
	}
	*out = (int)value;
}

void config_get_bool(struct parse *p, const char *key, const yaml_node_t *node, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	if (node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (size_t i = 0; i < 3; i++) {
			if (strcasecmp(scalar(node), yes[i]) == 0) {
				*out = true;
				return;
			}
			if (strcasecmp(scalar(node), no[i]) == 0) {
				*out = false;
				return;
			}
		}
	}
	config_problem(p, node, "%s: expected true or false", key);
}

/* "10" and "10s" are seconds; "500ms" milliseconds; "2m" minutes. */
static int parse_duration_ms(const char *text, int *ms)
{
	char *end;
	long value, scale;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		scale = 1000;
	else if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "m") == 0)
		scale = 60 * 1000;
	else
		return -1;
	if (errno == ERANGE || value <= 0 || value > MAX_TIMEOUT_MS / scale)
		return -1;
	*ms = (int)(value * scale);
	return 0;
}

void config_get_duration(struct parse *p, const char *key, const yaml_node_t *node, int *ms)
{
	const char *text = config_get_text(p, key, node);
	if (text != NULL && parse_duration_ms(text, ms) < 0)
		config_problem(p, node, "%s: expected a duration up to one hour such as 10s or 500ms, got \"%s\"",
		               key, text);
}

/* "8388608", "512K", "8M", "1G" (powers of 1024; "KB", "MiB" too). */
static int parse_size(const char *text, long long min, long long max, long long *bytes)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	long long value = strtoll(text, &end, 10);
	int shift = 0;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: return -1;
	}
	if (shift != 0 && (strcasecmp(end, "") == 0 || strcasecmp(end, "b") == 0 ||
	                   strcasecmp(end, "ib") == 0))
		end += strlen(end);
	if (*end != '\0' || errno == ERANGE || value < min || value > (max >> shift))
		return -1;
	*bytes = value << shift;
	return 0;
}

void config_get_size(struct parse *p, const char *key, const yaml_node_t *node, long long *out)
{
	const char *text = node->type == YAML_SCALAR_NODE ? scalar(node) : NULL;
	if (text == NULL || parse_size(text, 1, MAX_UPLOAD_SIZE, out) < 0)
		config_problem(p, node, "%s: expected a size up to 1G such as 8M or 500K", key);
}

void config_get_amount(struct parse *p, const char *key, const yaml_node_t *node, long long *out)
{
	const char *text = node->type == YAML_SCALAR_NODE ? scalar(node) : NULL;
	if (text == NULL || parse_size(text, 0, MAX_AMOUNT, out) < 0)
		config_problem(p, node, "%s: expected a size such as 64M, 2G or 0", key);
}

void config_get_log_format(struct parse *p, const char *key, const yaml_node_t *node,
                           enum log_format *out)
{
	const char *text = config_get_text(p, key, node);
	if (text != NULL && log_format_parse(text, out) < 0)
		config_problem(p, node, "%s: expected kabar, common or combined, got \"%s\"", key, text);
}

/* A setting that may be one value or a list of them: calls each for every
 * scalar, and reports anything else. */
void config_for_each_item(struct parse *p, const char *key, yaml_node_t *node,
                          void (*each)(struct parse *, const char *, yaml_node_t *, void *),
                          void *arg)
{
	if (node->type == YAML_SCALAR_NODE) {
		each(p, key, node, arg);
		return;
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		config_problem(p, node, "%s: expected a string or a list of strings", key);
		return;
	}
	for (yaml_node_item_t *item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++)
		each(p, key, yaml_document_get_node(p->doc, *item), arg);
}

/* Calls each for every key of a mapping; reports keys that are not plain
 * strings, and keys given twice. */
void config_for_each_pair(struct parse *p, const char *what, yaml_node_t *map,
                          void (*each)(struct parse *, const char *, yaml_node_t *, yaml_node_t *, void *),
                          void *arg)
{
	yaml_node_pair_t *start;
	if (map->type != YAML_MAPPING_NODE) {
		config_problem(p, map, "%s: expected a mapping of settings", what);
		return;
	}
	start = map->data.mapping.pairs.start;
	for (yaml_node_pair_t *pair = start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(p->doc, pair->value);
		bool twice = false;
		if (key->type != YAML_SCALAR_NODE) {
			config_problem(p, key, "%s: a key must be a string", what);
			continue;
		}
		for (yaml_node_pair_t *earlier = start; earlier < pair && !twice; earlier++) {
			yaml_node_t *k = yaml_document_get_node(p->doc, earlier->key);
			twice = k->type == YAML_SCALAR_NODE && strcmp(scalar(k), scalar(key)) == 0;
		}
		if (twice) {
			config_problem(p, key, "duplicate key \"%s\"", scalar(key));
			continue;
		}
		each(p, scalar(key), key, value, arg);
	}
}

void config_unknown_key(struct parse *p, const char *key, const yaml_node_t *key_node)
{
	config_problem(p, key_node, "unknown key \"%s\"", key);
}

/* Line and column (1-based) of byte offset in data, for errors libyaml's
 * reader gives only as an offset (bad UTF-8). */
static void offset_position(const char *data, size_t offset, size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

void config_syntax_error(const char *file, const yaml_parser_t *parser, const struct buf *data,
                         struct buf *errors)
{
	size_t line = parser->problem_mark.line + 1;
	size_t column = parser->problem_mark.column + 1;
	const char *what = parser->problem ? parser->problem : "cannot be parsed";
	if (parser->error == YAML_READER_ERROR)
		offset_position(data->data, parser->problem_offset, &line, &column);
	/* An unclosed quote or bracket is found at the end of the file: the
	 * line to fix is where it opened, which libyaml gives as the context. */
	if (parser->error == YAML_SCANNER_ERROR && parser->context != NULL) {
		buf_printf(errors, "%s:%zu:%zu: %s: %s (at %zu:%zu)\n", file,
		           parser->context_mark.line + 1, parser->context_mark.column + 1,
		           parser->context, what, line, column);
		return;
	}
	buf_printf(errors, "%s:%zu:%zu: %s", file, line, column, what);
	if (parser->context != NULL)
		buf_printf(errors, " (%s at %zu:%zu)", parser->context, parser->context_mark.line + 1,
		           parser->context_mark.column + 1);
	buf_putc(errors, '\n');
}

int config_read_file(const char *file, struct buf *data, struct buf *errors)
{
	FILE *f = fopen(file, "rb");
	char chunk[8192];
	size_t n;
	if (f == NULL) {
		buf_printf(errors, "%s: cannot open: %s\n", file, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && data->len <= MAX_FILE_BYTES)
		buf_append(data, chunk, n);
	if (ferror(f) || data->len > MAX_FILE_BYTES) {
		buf_printf(errors, "%s: %s\n", file,
		           ferror(f) ? "cannot be read" : "is larger than 1 MiB");
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

char *config_folder_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	if (slash == NULL)
		return NULL;
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}

/* Only the first document counts; a second one is most likely a mistake. */
void config_check_single_document(struct parse *p, yaml_parser_t *parser, const struct buf *data)
{
	yaml_document_t next;
	yaml_node_t *root;
	if (!yaml_parser_load(parser, &next)) {
		config_syntax_error(p->file, parser, data, p->errors);
		p->problems++;
		return;
	}
	root = yaml_document_get_root_node(&next);
	if (root != NULL)
		config_problem(p, root, "a second YAML document: the file must hold one");
	yaml_document_delete(&next);
}
