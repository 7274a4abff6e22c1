/*
 * A site's settings, given at the top of the file for every host or in one
 * entry of the hosts list, and that list itself: names, capsule, language,
 * time zone, layout, editors.
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"
#include "labels.h"
#include "log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Ranges a value must fall in; outside them it is surely a typo. */
#define MAX_PAGE_SIZE 500
#define MIN_WRAP 20
#define MAX_WRAP 200

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

static void get_lang(struct parse *p, const char *key, const yaml_node_t *node, char **out)
{
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	if (!valid_lang(text)) {
		config_problem(p, node, "%s: \"%s\" is not a language tag such as en or id", key, text);
		return;
	}
	/* Once, where it is set: not on every page that falls back. */
	if (!labels_known(text))
		log_warn("%s:%zu:%zu: %s: no page words for \"%s\" (en and id are built in): the pages' own words are in English",
		         p->file, node->start_mark.line + 1, node->start_mark.column + 1, key, text);
	free(*out);
	*out = xstrdup(text);
}

/* A tzdata zone by name, read now: before confinement at start, and at a
 * reload through the sandbox's read-only rule for tz_dir(). */
static bool get_named_zone(struct parse *p, const char *key, const yaml_node_t *node,
                           const char *text, struct vhost *vh)
{
	struct buf error;
	buf_init(&error);
	struct tz *zone = tz_load(text, &error);
	if (zone == NULL) {
		/* An Area/Place name: why its file could not be read says more
		 * than the list of fixed zones. */
		bool reported = strchr(text, '/') != NULL;
		if (reported)
			config_problem(p, node, "%s: unknown time zone \"%s\" (%s)", key, text,
			               error.data);
		buf_free(&error);
		return reported;
	}
	buf_free(&error);
	tz_free(vh->zone);
	vh->zone = zone;
	free(vh->zone_name);
	vh->zone_name = xstrdup(text);
	/* Today's offset, for what has no date of its own. */
	vh->utc_offset_minutes = tz_offset_at(zone, (int64_t)time(NULL), NULL) / 60;
	return true;
}

static void get_zone(struct parse *p, const char *key, const yaml_node_t *node, struct vhost *vh)
{
	const char *text = config_get_text(p, key, node);
	char *name;
	int offset;
	if (text == NULL)
		return;
	if (config_parse_zone(text, &offset, &name) < 0) {
		if (!get_named_zone(p, key, node, text, vh))
			config_problem(p, node, "%s: unknown time zone \"%s\" (use an offset such as +08:00, WIB, WITA, WIT, UTC, or a tzdata name such as Europe/Berlin)",
			               key, text);
		return;
	}
	free(vh->zone_name);
	vh->zone_name = name;
	vh->utc_offset_minutes = offset;
	tz_free(vh->zone);
	vh->zone = NULL;
}

int config_host_owning(const struct vhost *hosts, size_t count, const char *name)
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
	return config_host_owning(hosts, count, name) >= 0;
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
	const char *text = config_get_text(p, key, node);
	char *name;
	if (text == NULL)
		return;
	name = config_normal_host_name(text);
	if (name == NULL) {
		config_problem(p, node, "%s: \"%s\" is not a host name", key, text);
		return;
	}
	if (has_name(list->earlier, list->n_earlier, name) ||
	    has_name(&(struct vhost){.names = list->names, .n_names = list->n}, 1, name)) {
		config_problem(p, node, "host name \"%s\" is given twice", name);
		free(name);
		return;
	}
	list->names = xreallocarray(list->names, list->n + 1, sizeof *list->names);
	list->names[list->n++] = name;
}

void config_get_names(struct parse *p, const char *key, yaml_node_t *node, struct vhost *vh,
                      const struct vhost *earlier, size_t n_earlier)
{
	struct name_list list = {.earlier = earlier, .n_earlier = n_earlier};
	int before = p->problems;
	config_for_each_item(p, key, node, add_name, &list);
	if (p->problems == before && list.n == 0)
		config_problem(p, node, "%s: the list is empty", key);
	if (p->problems != before || list.n == 0) {
		config_free_names(list.names, list.n);
		return;
	}
	config_free_names(vh->names, vh->n_names);
	vh->names = list.names;
	vh->n_names = list.n;
}

/* "gopher.example:70" or "[2001:db8::1]:70": a name or address and a port
 * readers reach; never "*" or port 0, which name no server. */
static void get_advertise(struct parse *p, const char *key, yaml_node_t *node, struct vhost *vh)
{
	const char *text = config_get_text(p, key, node);
	if (text == NULL)
		return;
	struct listen_addr addr = {0};
	bool parsed = config_parse_listen(text, OUTPUT_GOPHER, &addr) == 0;
	if (!parsed || strcmp(addr.host, "*") == 0 || addr.port == 0) {
		if (parsed)
			free(addr.host);
		config_problem(p, node, "%s: \"%s\" is not a host and port readers reach, such as gopher.example:70",
		               key, text);
		return;
	}
	free(vh->advertise_host);
	vh->advertise_host = addr.host;
	vh->advertise_port = addr.port;
}

/* Settings of a site, at the top (for every host) or in one host entry.
 * Returns false when key is not one of them. */
bool config_site_setting(struct parse *p, const char *key, yaml_node_t *value, struct vhost *vh)
{
	if (strcmp(key, "capsule") == 0)
		config_get_path(p, key, value, &vh->capsule);
	else if (strcmp(key, "lang") == 0)
		get_lang(p, key, value, &vh->lang);
	else if (strcmp(key, "title") == 0)
		config_get_string(p, key, value, &vh->title);
	else if (strcmp(key, "timezone") == 0 || strcmp(key, "zone") == 0)
		get_zone(p, key, value, vh);
	else if (strcmp(key, "listing") == 0)
		config_get_bool(p, key, value, &vh->listing);
	else if (strcmp(key, "page_size") == 0)
		config_get_int(p, key, value, 1, MAX_PAGE_SIZE, &vh->page_size);
	else if (strcmp(key, "wrap") == 0)
		config_get_int(p, key, value, MIN_WRAP, MAX_WRAP, &vh->wrap_columns);
	else if (strcmp(key, "editors") == 0)
		config_get_editors(p, value, vh);
	else if (strcmp(key, "gopher_advertise") == 0)
		get_advertise(p, key, value, vh);
	else
		return false;
	return true;
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
			config_problem(p, key_node, "give either hostname or host, not both");
			return;
		}
		entry->names_node = value;
		config_get_names(p, key, value, &entry->vh, entry->earlier, entry->n_earlier);
	} else if (strcmp(key, "cert") == 0) {
		config_get_path(p, key, value, &entry->vh.cert_file);
	} else if (strcmp(key, "key") == 0) {
		config_get_path(p, key, value, &entry->vh.key_file);
	} else if (!config_site_setting(p, key, value, &entry->vh)) {
		config_unknown_key(p, key, key_node);
	}
}

void config_parse_hosts(struct parse *p, yaml_node_t *list, const struct vhost *defaults,
                        struct config *cfg)
{
	struct vhost *hosts = NULL;
	size_t n = 0;
	if (list->type != YAML_SEQUENCE_NODE) {
		config_problem(p, list, "hosts: expected a list of hosts");
		return;
	}
	if (list->data.sequence.items.start == list->data.sequence.items.top) {
		config_problem(p, list, "hosts: the list is empty");
		return;
	}
	for (yaml_node_item_t *item = list->data.sequence.items.start;
	     item < list->data.sequence.items.top; item++) {
		yaml_node_t *node = yaml_document_get_node(p->doc, *item);
		struct host_entry entry = {.earlier = hosts, .n_earlier = n};
		config_vhost_copy_settings(&entry.vh, defaults);
		config_for_each_pair(p, "hosts entry", node, host_pair, &entry);
		if (node->type == YAML_MAPPING_NODE && entry.names_node == NULL)
			config_problem(p, node, "hosts entry: hostname is missing");
		hosts = xreallocarray(hosts, n + 1, sizeof *hosts);
		hosts[n++] = entry.vh;
	}
	for (size_t i = 0; i < cfg->n_vhosts; i++)
		config_vhost_free(&cfg->vhosts[i]);
	free(cfg->vhosts);
	cfg->vhosts = hosts;
	cfg->n_vhosts = n;
}
