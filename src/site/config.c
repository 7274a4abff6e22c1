#include "config.h"

#include "alloc.h"
#include "buf.h"
#include "capsule.h"
#include "date.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define DEFAULT_CAPSULE "capsule"
#define DEFAULT_HOST "localhost"
#define DEFAULT_LANG "en"
#define DEFAULT_CERTS "certs"
#define DEFAULT_GEMINI "localhost:1965"
#define DEFAULT_GOPHER "localhost:70"

/* A configuration file larger than this is a mistake, not a configuration. */
#define MAX_FILE_BYTES (1024 * 1024)

/* Ranges a value must fall in; outside them it is surely a typo. */
#define MAX_WORKERS 256
#define MAX_CONNECTIONS 1000000
#define MAX_REQUESTS_PER_MINUTE 1000000
/* Generous: a reader never meets them, a crawler's flood does. */
#define DEFAULT_REQUESTS_PER_MINUTE 600
#define DEFAULT_CONNECTIONS_PER_ADDRESS 64
#define MAX_PAGE_SIZE 500
#define MIN_WRAP 20
#define MAX_WRAP 200
#define MAX_TIMEOUT_MS (3600 * 1000)
#define DEFAULT_UPLOAD_SIZE (8LL << 20)
#define MAX_UPLOAD_SIZE (1LL << 30)

/* The addresses the file gives for one protocol; set says it gave any. */
struct listen_list {
	struct listen_addr *addrs;
	size_t n;
	bool set;
};

/* What reading one file needs: where problems go and how paths resolve. */
struct parse {
	const char *file;
	char *dir; /* the file's folder, NULL when it is the current one */
	yaml_document_t *doc;
	struct buf *errors;
	int problems;
};

static void problem(struct parse *p, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct parse *p, const yaml_node_t *node, const char *fmt, ...)
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

/* ---- values that stand on their own ---- */

/* A DNS name (or an IPv4 address): letters, digits, '-', '_' and dots
 * between labels. */
static bool valid_host_name(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.' || strstr(s, "..") != NULL)
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return false;
	}
	return true;
}

/* A host name as stored: lower case, one trailing dot dropped. NULL if it is
 * not a host name. */
static char *normal_host_name(const char *text)
{
	char *name = xstrdup(text);
	size_t len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		name[len - 1] = '\0';
	for (char *c = name; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	if (valid_host_name(name))
		return name;
	free(name);
	return NULL;
}

/* "2" to "8" letters, then "-" subtags of letters and digits: "id", "en-GB". */
static bool valid_lang(const char *s)
{
	size_t n = 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 8)
		return false;
	while (s[n] == '-') {
		size_t start = ++n;
		while (isalnum((unsigned char)s[n]))
			n++;
		if (n == start || n - start > 8)
			return false;
	}
	return s[n] == '\0';
}

/* Digits only, at most 65535. Returns the port or -1. */
static int parse_port(const char *s)
{
	long port = 0;
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		port = port * 10 + (*s - '0');
	}
	return port <= 65535 ? (int)port : -1;
}

int config_parse_listen(const char *text, enum listen_proto proto, struct listen_addr *out)
{
	const char *port_text;
	char *host;
	int port;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		struct in6_addr addr;
		if (close == NULL || close[1] != ':')
			return -1;
		host = xstrndup(text + 1, (size_t)(close - text - 1));
		port_text = close + 2;
		if (inet_pton(AF_INET6, host, &addr) != 1) {
			free(host);
			return -1;
		}
	} else {
		const char *colon = strrchr(text, ':');
		if (colon == NULL)
			return -1;
		host = xstrndup(text, (size_t)(colon - text));
		port_text = colon + 1;
		/* An IPv6 address needs its brackets, or its last group would
		 * pass for the port. */
		if (strcmp(host, "*") != 0 && !valid_host_name(host)) {
			free(host);
			return -1;
		}
	}
	port = parse_port(port_text);
	if (port < 0) {
		free(host);
		return -1;
	}
	out->proto = proto;
	out->host = host;
	out->port = port;
	return 0;
}

int config_parse_zone(const char *text, int *offset_minutes, char **zone_name)
{
	int offset;
	if (!date_parse_zone(text, strlen(text), &offset))
		return -1;
	*offset_minutes = offset;
	if (text[0] == '+' || text[0] == '-') {
		*zone_name = xasprintf("%c%02d:%02d", offset < 0 ? '-' : '+', abs(offset) / 60,
		                       abs(offset) % 60);
	} else if (strcasecmp(text, "Z") == 0) {
		*zone_name = xstrdup("UTC");
	} else {
		*zone_name = xstrdup(text);
		for (char *c = *zone_name; *c != '\0'; c++)
			*c = (char)toupper((unsigned char)*c);
	}
	return 0;
}

/* ---- owning and freeing ---- */

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void editors_free(struct editor *editors, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(editors[i].name);
		free_names(editors[i].paths, editors[i].n_paths);
	}
	free(editors);
}

static struct editor *editors_copy(const struct editor *src, size_t n)
{
	if (n == 0)
		return NULL;
	struct editor *dst = xreallocarray(NULL, n, sizeof *dst);
	for (size_t i = 0; i < n; i++) {
		dst[i] = src[i];
		dst[i].name = xstrdup(src[i].name);
		dst[i].paths = xreallocarray(NULL, src[i].n_paths ? src[i].n_paths : 1,
		                             sizeof *dst[i].paths);
		for (size_t k = 0; k < src[i].n_paths; k++)
			dst[i].paths[k] = xstrdup(src[i].paths[k]);
	}
	return dst;
}

static void vhost_free(struct vhost *vh)
{
	editors_free(vh->editors, vh->n_editors);
	free_names(vh->names, vh->n_names);
	free(vh->capsule);
	free(vh->cert_file);
	free(vh->key_file);
	free(vh->lang);
	free(vh->title);
	free(vh->zone_name);
	memset(vh, 0, sizeof *vh);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A host entry starts from the file's site settings; names are its own. */
static void vhost_copy_settings(struct vhost *dst, const struct vhost *src)
{
	dst->capsule = dup_or_null(src->capsule);
	dst->lang = dup_or_null(src->lang);
	dst->title = dup_or_null(src->title);
	dst->zone_name = dup_or_null(src->zone_name);
	dst->utc_offset_minutes = src->utc_offset_minutes;
	dst->listing = src->listing;
	dst->page_size = src->page_size;
	dst->wrap_columns = src->wrap_columns;
	dst->editors = editors_copy(src->editors, src->n_editors);
	dst->n_editors = src->n_editors;
}

static void vhost_defaults(struct vhost *vh)
{
	memset(vh, 0, sizeof *vh);
	vh->names = xmalloc(sizeof *vh->names);
	vh->names[0] = xstrdup(DEFAULT_HOST);
	vh->n_names = 1;
	vh->capsule = xstrdup(DEFAULT_CAPSULE);
	vh->lang = xstrdup(DEFAULT_LANG);
	vh->zone_name = xstrdup("UTC");
	vh->listing = true;
	vh->page_size = 20;
	vh->wrap_columns = 70;
}

static void listen_free(struct listen_addr *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(addrs[i].host);
	free(addrs);
}

void config_free(struct config *cfg)
{
	free(cfg->file);
	listen_free(cfg->listen, cfg->n_listen);
	free(cfg->certs_dir);
	free(cfg->access_log);
	free(cfg->user);
	for (size_t i = 0; i < cfg->n_vhosts; i++)
		vhost_free(&cfg->vhosts[i]);
	free(cfg->vhosts);
	memset(cfg, 0, sizeof *cfg);
}

static void listen_push(struct listen_addr **addrs, size_t *n, const struct listen_addr *addr)
{
	*addrs = xreallocarray(*addrs, *n + 1, sizeof **addrs);
	(*addrs)[(*n)++] = *addr;
}

/* Parses a built-in default address, which cannot be malformed. */
static void listen_push_default(struct listen_addr **addrs, size_t *n, const char *text,
                                enum listen_proto proto)
{
	struct listen_addr addr;
	if (config_parse_listen(text, proto, &addr) == 0)
		listen_push(addrs, n, &addr);
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->certs_dir = xstrdup(DEFAULT_CERTS);
	cfg->request_timeout_ms = 10000;
	cfg->idle_timeout_ms = 30000;
	cfg->max_connections = 1024;
	cfg->requests_per_minute = DEFAULT_REQUESTS_PER_MINUTE;
	cfg->connections_per_address = DEFAULT_CONNECTIONS_PER_ADDRESS;
	cfg->upload_size = DEFAULT_UPLOAD_SIZE;
	cfg->upload_timeout_ms = 60000;
	cfg->log_client_addr = true;
	cfg->vhosts = xmalloc(sizeof *cfg->vhosts);
	vhost_defaults(&cfg->vhosts[0]);
	cfg->n_vhosts = 1;
	listen_push_default(&cfg->listen, &cfg->n_listen, DEFAULT_GEMINI, LISTEN_GEMINI);
	listen_push_default(&cfg->listen, &cfg->n_listen, DEFAULT_GOPHER, LISTEN_GOPHER);
}

/* The index of the host that answers to name, or -1. */
static int host_owning(const struct vhost *hosts, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < hosts[i].n_names; k++) {
			if (strcmp(hosts[i].names[k], name) == 0)
				return (int)i;
		}
	}
	return -1;
}

static bool has_name(const struct vhost *hosts, size_t count, const char *name)
{
	return host_owning(hosts, count, name) >= 0;
}

/* ---- reading typed values out of YAML nodes ---- */

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

/* A text value: a scalar that is not null and holds no NUL byte. */
static const char *get_text(struct parse *p, const char *key, const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE || is_null(node)) {
		problem(p, node, "%s: expected a string", key);
		return NULL;
	}
	if (strlen(scalar(node)) != node->data.scalar.length) {
		problem(p, node, "%s: contains a NUL byte", key);
		return NULL;
	}
	return scalar(node);
}

static void get_string(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = get_text(p, key, node);
	if (text == NULL)
		return;
	free(*out);
	*out = xstrdup(text);
}

/* A path in the file is relative to the file's folder, so the file works
 * from wherever kabar is started. */
static void get_path(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = get_text(p, key, node);
	if (text == NULL)
		return;
	free(*out);
	if (text[0] == '/' || p->dir == NULL)
		*out = xstrdup(text);
	else
		*out = xasprintf("%s/%s", p->dir, text);
}

static void get_int(struct parse *p, const char *key, const yaml_node_t *node, int min, int max,
                    int *out)
{
	const char *text;
	char *end;
	long value;
	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		problem(p, node, "%s: expected an integer", key);
		return;
	}
	text = scalar(node);
	errno = 0;
	value = strtol(text, &end, 10);
	if (end == text || *end != '\0') {
		problem(p, node, "%s: expected an integer, got \"%s\"", key, text);
		return;
	}
	if (errno == ERANGE || value < min || value > max) {
		problem(p, node, "%s: %s is out of range (%d to %d)", key, text, min, max);
		return;
	}
	*out = (int)value;
}

static void get_bool(struct parse *p, const char *key, const yaml_node_t *node, bool *out)
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
	problem(p, node, "%s: expected true or false", key);
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

static void get_duration(struct parse *p, const char *key, const yaml_node_t *node, int *ms)
{
	const char *text = get_text(p, key, node);
	if (text != NULL && parse_duration_ms(text, ms) < 0)
		problem(p, node, "%s: expected a duration up to one hour such as 10s or 500ms, got \"%s\"",
		        key, text);
}

/* "8388608", "512K", "8M", "1G" (powers of 1024; "KB", "MiB" too). */
static int parse_size(const char *text, long long *bytes)
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
	default: return -1;
	}
	if (shift != 0 && (strcasecmp(end, "") == 0 || strcasecmp(end, "b") == 0 ||
	                   strcasecmp(end, "ib") == 0))
		end += strlen(end);
	if (*end != '\0' || errno == ERANGE || value <= 0 || value > (MAX_UPLOAD_SIZE >> shift))
		return -1;
	*bytes = value << shift;
	return 0;
}

static void get_size(struct parse *p, const char *key, const yaml_node_t *node, long long *out)
{
	const char *text = node->type == YAML_SCALAR_NODE ? scalar(node) : NULL;
	if (text == NULL || parse_size(text, out) < 0)
		problem(p, node, "%s: expected a size up to 1G such as 8M or 500K", key);
}

static void get_zone(struct parse *p, const char *key, const yaml_node_t *node, struct vhost *vh)
{
	const char *text = get_text(p, key, node);
	char *name;
	int offset;
	if (text == NULL)
		return;
	if (config_parse_zone(text, &offset, &name) < 0) {
		problem(p, node, "%s: unknown time zone \"%s\" (use an offset such as +08:00, or WIB, WITA, WIT, UTC)",
		        key, text);
		return;
	}
	free(vh->zone_name);
	vh->zone_name = name;
	vh->utc_offset_minutes = offset;
}

static void get_log_format(struct parse *p, const char *key, const yaml_node_t *node,
                           enum log_format *out)
{
	const char *text = get_text(p, key, node);
	if (text != NULL && log_format_parse(text, out) < 0)
		problem(p, node, "%s: expected kabar, common or combined, got \"%s\"", key, text);
}

static void get_lang(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = get_text(p, key, node);
	if (text == NULL)
		return;
	if (!valid_lang(text)) {
		problem(p, node, "%s: \"%s\" is not a language tag such as en or id", key, text);
		return;
	}
	free(*out);
	*out = xstrdup(text);
}

/* A setting that may be one value or a list of them: calls each for every
 * scalar, and reports anything else. */
static void for_each_item(struct parse *p, const char *key, yaml_node_t *node,
                          void (*each)(struct parse *, const char *, yaml_node_t *, void *),
                          void *arg)
{
	if (node->type == YAML_SCALAR_NODE) {
		each(p, key, node, arg);
		return;
	}
	if (node->type != YAML_SEQUENCE_NODE) {
		problem(p, node, "%s: expected a string or a list of strings", key);
		return;
	}
	for (yaml_node_item_t *item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++)
		each(p, key, yaml_document_get_node(p->doc, *item), arg);
}

/* Names being read, and the hosts read before, which must not have them. */
struct name_list {
	char **names;
	size_t n;
	const struct vhost *earlier;
	size_t n_earlier;
};


static void add_name(struct parse *p, const char *key, yaml_node_t *node, void *arg)
{
	struct name_list *list = arg;
	const char *text = get_text(p, key, node);
	char *name;
	if (text == NULL)
		return;
	name = normal_host_name(text);
	if (name == NULL) {
		problem(p, node, "%s: \"%s\" is not a host name", key, text);
		return;
	}
	if (has_name(list->earlier, list->n_earlier, name) ||
	    has_name(&(struct vhost){.names = list->names, .n_names = list->n}, 1, name)) {
		problem(p, node, "host name \"%s\" is given twice", name);
		free(name);
		return;
	}
	list->names = xreallocarray(list->names, list->n + 1, sizeof *list->names);
	list->names[list->n++] = name;
}

static void get_names(struct parse *p, const char *key, yaml_node_t *node, struct vhost *vh,
                      const struct vhost *earlier, size_t n_earlier)
{
	struct name_list list = {.earlier = earlier, .n_earlier = n_earlier};
	int before = p->problems;
	for_each_item(p, key, node, add_name, &list);
	if (p->problems == before && list.n == 0)
		problem(p, node, "%s: the list is empty", key);
	if (p->problems != before || list.n == 0) {
		free_names(list.names, list.n);
		return;
	}
	free_names(vh->names, vh->n_names);
	vh->names = list.names;
	vh->n_names = list.n;
}

struct listen_target {
	struct listen_list *list;
	enum listen_proto proto;
};

static void add_listen(struct parse *p, const char *key, yaml_node_t *node, void *arg)
{
	struct listen_target *target = arg;
	const char *text = get_text(p, key, node);
	struct listen_addr addr;
	if (text == NULL)
		return;
	if (config_parse_listen(text, target->proto, &addr) < 0) {
		problem(p, node, "%s: \"%s\" is not an address and port such as 127.0.0.1:1965, [::1]:1965 or *:1965",
		        key, text);
		return;
	}
	listen_push(&target->list->addrs, &target->list->n, &addr);
}

static void get_listen(struct parse *p, const char *key, yaml_node_t *node,
                       enum listen_proto proto, struct listen_list *list)
{
	struct listen_target target = {list, proto};
	list->set = true;
	/* An empty list is allowed: it turns the protocol off. */
	if (node->type == YAML_SEQUENCE_NODE &&
	    node->data.sequence.items.start == node->data.sequence.items.top)
		return;
	for_each_item(p, key, node, add_listen, &target);
}

/* ---- mappings ---- */

/* Calls each for every key of a mapping; reports keys that are not plain
 * strings, and keys given twice. */
static void for_each_pair(struct parse *p, const char *what, yaml_node_t *map,
                          void (*each)(struct parse *, const char *, yaml_node_t *, yaml_node_t *, void *),
                          void *arg)
{
	yaml_node_pair_t *start;
	if (map->type != YAML_MAPPING_NODE) {
		problem(p, map, "%s: expected a mapping of settings", what);
		return;
	}
	start = map->data.mapping.pairs.start;
	for (yaml_node_pair_t *pair = start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(p->doc, pair->value);
		bool twice = false;
		if (key->type != YAML_SCALAR_NODE) {
			problem(p, key, "%s: a key must be a string", what);
			continue;
		}
		for (yaml_node_pair_t *earlier = start; earlier < pair && !twice; earlier++) {
			yaml_node_t *k = yaml_document_get_node(p->doc, earlier->key);
			twice = k->type == YAML_SCALAR_NODE && strcmp(scalar(k), scalar(key)) == 0;
		}
		if (twice) {
			problem(p, key, "duplicate key \"%s\"", scalar(key));
			continue;
		}
		each(p, scalar(key), key, value, arg);
	}
}

static void unknown_key(struct parse *p, const char *key, const yaml_node_t *key_node)
{
	problem(p, key_node, "unknown key \"%s\"", key);
}

/* ---- editors ---- */

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
	const char *text = get_text(p, key, node);
	if (text == NULL)
		return;
	char *path = editor_path(text);
	if (path == NULL) {
		problem(p, node, "%s: \"%s\" is not a folder of the capsule (no \".\", \"..\" or hidden names)",
		        key, text);
		return;
	}
	ed->paths = xreallocarray(ed->paths, ed->n_paths + 1, sizeof *ed->paths);
	ed->paths[ed->n_paths++] = path;
}

static void editor_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                        yaml_node_t *value, void *arg)
{
	struct editor *ed = arg;
	if (strcmp(key, "name") == 0) {
		get_string(p, key, value, &ed->name);
	} else if (strcmp(key, "fingerprint") == 0) {
		const char *text = get_text(p, key, value);
		if (text != NULL && !parse_fingerprint(text, ed->fingerprint))
			problem(p, value, "%s: expected the certificate's SHA-256 as 64 hex digits (colons optional)",
			        key);
	} else if (strcmp(key, "paths") == 0) {
		for_each_item(p, key, value, add_editor_path, ed);
	} else {
		unknown_key(p, key, key_node);
	}
}

static void get_editors(struct parse *p, yaml_node_t *list, struct vhost *vh)
{
	if (list->type != YAML_SEQUENCE_NODE) {
		problem(p, list, "editors: expected a list of editors");
		return;
	}
	struct editor *editors = NULL;
	size_t n = 0;
	for (yaml_node_item_t *item = list->data.sequence.items.start;
	     item < list->data.sequence.items.top; item++) {
		yaml_node_t *node = yaml_document_get_node(p->doc, *item);
		struct editor ed = {0};
		for_each_pair(p, "editors entry", node, editor_pair, &ed);
		if (node->type == YAML_MAPPING_NODE && (ed.name == NULL || ed.fingerprint[0] == '\0' ||
		                                        ed.n_paths == 0))
			problem(p, node, "editors entry: name, fingerprint and paths are all needed");
		for (size_t i = 0; i < n && ed.fingerprint[0] != '\0'; i++)
			if (strcmp(editors[i].fingerprint, ed.fingerprint) == 0)
				problem(p, node, "editors entry: the fingerprint of %s is given twice",
				        editors[i].name);
		editors = xreallocarray(editors, n + 1, sizeof *editors);
		editors[n++] = ed;
	}
	editors_free(vh->editors, vh->n_editors);
	vh->editors = editors;
	vh->n_editors = n;
}

/* Settings of a site, at the top (for every host) or in one host entry.
 * Returns false when key is not one of them. */
static bool site_setting(struct parse *p, const char *key, yaml_node_t *value, struct vhost *vh)
{
	if (strcmp(key, "capsule") == 0)
		get_path(p, key, value, &vh->capsule);
	else if (strcmp(key, "lang") == 0)
		get_lang(p, key, value, &vh->lang);
	else if (strcmp(key, "title") == 0)
		get_string(p, key, value, &vh->title);
	else if (strcmp(key, "timezone") == 0 || strcmp(key, "zone") == 0)
		get_zone(p, key, value, vh);
	else if (strcmp(key, "listing") == 0)
		get_bool(p, key, value, &vh->listing);
	else if (strcmp(key, "page_size") == 0)
		get_int(p, key, value, 1, MAX_PAGE_SIZE, &vh->page_size);
	else if (strcmp(key, "wrap") == 0)
		get_int(p, key, value, MIN_WRAP, MAX_WRAP, &vh->wrap_columns);
	else if (strcmp(key, "editors") == 0)
		get_editors(p, value, vh);
	else
		return false;
	return true;
}

static void timeout_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                         yaml_node_t *value, void *arg)
{
	struct config *cfg = arg;
	if (strcmp(key, "request") == 0)
		get_duration(p, key, value, &cfg->request_timeout_ms);
	else if (strcmp(key, "idle") == 0)
		get_duration(p, key, value, &cfg->idle_timeout_ms);
	else if (strcmp(key, "upload") == 0)
		get_duration(p, key, value, &cfg->upload_timeout_ms);
	else
		unknown_key(p, key, key_node);
}

static void limit_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                       yaml_node_t *value, void *arg)
{
	struct config *cfg = arg;
	if (strcmp(key, "max_connections") == 0)
		get_int(p, key, value, 1, MAX_CONNECTIONS, &cfg->max_connections);
	else if (strcmp(key, "requests_per_minute") == 0)
		get_int(p, key, value, 0, MAX_REQUESTS_PER_MINUTE, &cfg->requests_per_minute);
	else if (strcmp(key, "connections_per_address") == 0)
		get_int(p, key, value, 0, MAX_CONNECTIONS, &cfg->connections_per_address);
	else if (strcmp(key, "upload_size") == 0)
		get_size(p, key, value, &cfg->upload_size);
	else
		unknown_key(p, key, key_node);
}

/* A host entry being read: its settings and where its names were given. */
struct host_entry {
	struct vhost vh;
	yaml_node_t *names_node;
	const struct vhost *earlier;
	size_t n_earlier;
};

static void host_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                      yaml_node_t *value, void *arg)
{
	struct host_entry *entry = arg;
	if (strcmp(key, "hostname") == 0 || strcmp(key, "host") == 0) {
		if (entry->names_node != NULL) {
			problem(p, key_node, "give either hostname or host, not both");
			return;
		}
		entry->names_node = value;
		get_names(p, key, value, &entry->vh, entry->earlier, entry->n_earlier);
	} else if (strcmp(key, "cert") == 0) {
		get_path(p, key, value, &entry->vh.cert_file);
	} else if (strcmp(key, "key") == 0) {
		get_path(p, key, value, &entry->vh.key_file);
	} else if (!site_setting(p, key, value, &entry->vh)) {
		unknown_key(p, key, key_node);
	}
}

static void parse_hosts(struct parse *p, yaml_node_t *list, const struct vhost *defaults,
                        struct config *cfg)
{
	struct vhost *hosts = NULL;
	size_t n = 0;
	if (list->type != YAML_SEQUENCE_NODE) {
		problem(p, list, "hosts: expected a list of hosts");
		return;
	}
	if (list->data.sequence.items.start == list->data.sequence.items.top) {
		problem(p, list, "hosts: the list is empty");
		return;
	}
	for (yaml_node_item_t *item = list->data.sequence.items.start;
	     item < list->data.sequence.items.top; item++) {
		yaml_node_t *node = yaml_document_get_node(p->doc, *item);
		struct host_entry entry = {.earlier = hosts, .n_earlier = n};
		vhost_copy_settings(&entry.vh, defaults);
		for_each_pair(p, "hosts entry", node, host_pair, &entry);
		if (node->type == YAML_MAPPING_NODE && entry.names_node == NULL)
			problem(p, node, "hosts entry: hostname is missing");
		hosts = xreallocarray(hosts, n + 1, sizeof *hosts);
		hosts[n++] = entry.vh;
	}
	for (size_t i = 0; i < cfg->n_vhosts; i++)
		vhost_free(&cfg->vhosts[i]);
	free(cfg->vhosts);
	cfg->vhosts = hosts;
	cfg->n_vhosts = n;
}

/* The whole file as read: settings, site defaults and the hosts list, which
 * is read last so the site settings apply to it wherever they stand. */
struct top {
	struct config *cfg;
	struct vhost *site;
	struct listen_list gemini, gopher;
	yaml_node_t *hosts;
	yaml_node_t *host_key;
};

static void top_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                     yaml_node_t *value, void *arg)
{
	struct top *top = arg;
	struct config *cfg = top->cfg;
	if (site_setting(p, key, value, top->site))
		return;
	if (strcmp(key, "hosts") == 0) {
		top->hosts = value;
	} else if (strcmp(key, "host") == 0) {
		top->host_key = key_node;
		get_names(p, key, value, top->site, NULL, 0);
	} else if (strcmp(key, "gemini") == 0) {
		get_listen(p, key, value, LISTEN_GEMINI, &top->gemini);
	} else if (strcmp(key, "gopher") == 0) {
		get_listen(p, key, value, LISTEN_GOPHER, &top->gopher);
	} else if (strcmp(key, "certs") == 0) {
		get_path(p, key, value, &cfg->certs_dir);
	} else if (strcmp(key, "workers") == 0) {
		get_int(p, key, value, 0, MAX_WORKERS, &cfg->workers);
	} else if (strcmp(key, "user") == 0) {
		get_string(p, key, value, &cfg->user);
	} else if (strcmp(key, "chroot") == 0) {
		get_bool(p, key, value, &cfg->chroot);
	} else if (strcmp(key, "access_log") == 0) {
		get_path(p, key, value, &cfg->access_log);
	} else if (strcmp(key, "log_format") == 0) {
		get_log_format(p, key, value, &cfg->log_format);
	} else if (strcmp(key, "log_client_address") == 0) {
		get_bool(p, key, value, &cfg->log_client_addr);
	} else if (strcmp(key, "timeouts") == 0) {
		for_each_pair(p, key, value, timeout_pair, cfg);
	} else if (strcmp(key, "limits") == 0) {
		for_each_pair(p, key, value, limit_pair, cfg);
	} else {
		unknown_key(p, key, key_node);
	}
}

/* The file's listeners: per protocol, the file's list if it gave one, else
 * the default one. */
static void take_listeners(struct config *cfg, struct top *top)
{
	struct listen_list *lists[] = {&top->gemini, &top->gopher};
	const enum listen_proto protos[] = {LISTEN_GEMINI, LISTEN_GOPHER};
	struct listen_addr *merged = NULL;
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; !lists[i]->set && k < cfg->n_listen; k++) {
			if (cfg->listen[k].proto == protos[i]) {
				listen_push(&merged, &n, &cfg->listen[k]);
				cfg->listen[k].host = NULL;
			}
		}
		for (size_t k = 0; k < lists[i]->n; k++)
			listen_push(&merged, &n, &lists[i]->addrs[k]);
		free(lists[i]->addrs);
		lists[i]->addrs = NULL;
		lists[i]->n = 0;
	}
	listen_free(cfg->listen, cfg->n_listen);
	cfg->listen = merged;
	cfg->n_listen = n;
}

static void parse_root(struct parse *p, yaml_node_t *root, struct config *cfg)
{
	struct top top = {.cfg = cfg, .site = &cfg->vhosts[0]};
	for_each_pair(p, "the file", root, top_pair, &top);
	if (top.hosts != NULL && top.host_key != NULL)
		problem(p, top.host_key, "host: give the names in each entry of hosts instead");
	else if (top.hosts != NULL)
		parse_hosts(p, top.hosts, top.site, cfg);
	take_listeners(cfg, &top);
	listen_free(top.gemini.addrs, top.gemini.n);
	listen_free(top.gopher.addrs, top.gopher.n);
}

/* ---- the file ---- */

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

static void syntax_error(const char *file, const yaml_parser_t *parser, const struct buf *data,
                         struct buf *errors)
{
	size_t line = parser->problem_mark.line + 1;
	size_t column = parser->problem_mark.column + 1;
	const char *what = parser->problem ? parser->problem : "cannot be parsed";
	if (parser->error == YAML_READER_ERROR)
		offset_position(data->data, parser->problem_offset, &line, &column);
	buf_printf(errors, "%s:%zu:%zu: %s", file, line, column, what);
	if (parser->context != NULL)
		buf_printf(errors, " (%s at %zu:%zu)", parser->context, parser->context_mark.line + 1,
		           parser->context_mark.column + 1);
	buf_putc(errors, '\n');
}

static int read_file(const char *file, struct buf *data, struct buf *errors)
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

static char *folder_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	if (slash == NULL)
		return NULL;
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}

/* Only the first document counts; a second one is most likely a mistake. */
static void check_single_document(struct parse *p, yaml_parser_t *parser, const struct buf *data)
{
	yaml_document_t next;
	yaml_node_t *root;
	if (!yaml_parser_load(parser, &next)) {
		syntax_error(p->file, parser, data, p->errors);
		p->problems++;
		return;
	}
	root = yaml_document_get_root_node(&next);
	if (root != NULL)
		problem(p, root, "a second YAML document: the file must hold one");
	yaml_document_delete(&next);
}

static int load_file(struct config *cfg, const char *file, struct buf *errors)
{
	struct buf data = {0};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct parse p = {.file = file, .errors = errors};
	yaml_node_t *root;
	if (read_file(file, &data, errors) < 0) {
		buf_free(&data);
		return -1;
	}
	yaml_parser_initialize(&parser);
	/* An empty file is an empty configuration; libyaml refuses a NULL string. */
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data.data ? data.data : ""),
	                             data.len);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(file, &parser, &data, errors);
		yaml_parser_delete(&parser);
		buf_free(&data);
		return -1;
	}
	p.doc = &doc;
	p.dir = folder_of(file);
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		parse_root(&p, root, cfg);
		check_single_document(&p, &parser, &data);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	buf_free(&data);
	free(p.dir);
	return p.problems > 0 ? -1 : 0;
}

/* ---- the command line, and what follows from the rest ---- */

static int apply_host_override(struct config *cfg, const char *host, struct buf *errors)
{
	char *name = normal_host_name(host);
	int owner;
	if (name == NULL) {
		buf_printf(errors, "--host: \"%s\" is not a host name\n", host);
		return -1;
	}
	owner = host_owning(cfg->vhosts, cfg->n_vhosts, name);
	if (owner > 0) {
		buf_printf(errors, "--host: \"%s\" is already a name of host %d in the file\n", name,
		           owner + 1);
		free(name);
		return -1;
	}
	free_names(cfg->vhosts[0].names, cfg->vhosts[0].n_names);
	cfg->vhosts[0].names = xmalloc(sizeof *cfg->vhosts[0].names);
	cfg->vhosts[0].names[0] = name;
	cfg->vhosts[0].n_names = 1;
	return 0;
}

static void replace_string(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src);
}

static int apply_overrides(struct config *cfg, const struct config_overrides *over,
                           struct buf *errors)
{
	if (over->capsule != NULL)
		replace_string(&cfg->vhosts[0].capsule, over->capsule);
	if (over->certs_dir != NULL)
		replace_string(&cfg->certs_dir, over->certs_dir);
	if (over->workers > MAX_WORKERS) {
		buf_printf(errors, "--workers: %d is out of range (0 to %d)\n", over->workers,
		           MAX_WORKERS);
		return -1;
	}
	if (over->workers >= 0)
		cfg->workers = over->workers;
	if (over->listen != NULL) {
		listen_free(cfg->listen, cfg->n_listen);
		cfg->listen = NULL;
		cfg->n_listen = 0;
		for (size_t i = 0; i < over->n_listen; i++) {
			struct listen_addr addr = over->listen[i];
			addr.host = xstrdup(addr.host);
			listen_push(&cfg->listen, &cfg->n_listen, &addr);
		}
	}
	if (over->host != NULL)
		return apply_host_override(cfg, over->host, errors);
	return 0;
}

/* Defaults that depend on other settings: the title is the host name, and
 * the certificate is named after it in the certificates folder. */
static void fill_derived(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		struct vhost *vh = &cfg->vhosts[i];
		if (vh->title == NULL)
			vh->title = xstrdup(vh->names[0]);
		if (vh->cert_file == NULL)
			vh->cert_file = xasprintf("%s/%s.crt", cfg->certs_dir, vh->names[0]);
		if (vh->key_file == NULL)
			vh->key_file = xasprintf("%s/%s.key", cfg->certs_dir, vh->names[0]);
	}
}

int config_load(struct config *cfg, const struct config_overrides *over, struct buf *errors)
{
	static const struct config_overrides none = {.workers = -1};
	if (over == NULL)
		over = &none;
	config_defaults(cfg);
	if (over->config_file != NULL) {
		cfg->file = xstrdup(over->config_file);
		if (load_file(cfg, over->config_file, errors) < 0)
			goto fail;
	}
	if (apply_overrides(cfg, over, errors) < 0)
		goto fail;
	if (cfg->n_listen == 0) {
		buf_printf(errors, "%s: no gemini or gopher address to listen on\n",
		           cfg->file ? cfg->file : "kabar");
		goto fail;
	}
	fill_derived(cfg);
	return 0;
fail:
	config_free(cfg);
	return -1;
}

/* ---- finding a host ---- */

const struct vhost *config_find_vhost(const struct config *cfg, const char *name)
{
	size_t len;
	if (name == NULL)
		return cfg->n_vhosts > 0 ? &cfg->vhosts[0] : NULL;
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < cfg->n_vhosts; i++) {
		for (size_t k = 0; k < cfg->vhosts[i].n_names; k++) {
			const char *candidate = cfg->vhosts[i].names[k];
			if (strlen(candidate) == len && strncasecmp(candidate, name, len) == 0)
				return &cfg->vhosts[i];
		}
	}
	return NULL;
}
