/*
 * The top level of the file: the addresses to listen on and the settings of
 * the whole server (workers, user, logs, timeouts, limits), beside the site
 * settings and the hosts list that config_hosts.c reads.
 */

#include "config.h"

#include "config_parts.h"

#include <stdlib.h>
#include <string.h>

/* Ranges a value must fall in; outside them it is surely a typo. */
#define MAX_CONNECTIONS 1000000
#define MAX_REQUESTS_PER_MINUTE 1000000

/* The addresses the file gives for one protocol; set says it gave any. */
struct listen_list {
	struct listen_addr *addrs;
	size_t n;
	bool set;
};

struct listen_target {
	struct listen_list *list;
	enum output proto;
};

/* ---- a listener behind a balancer: {address, proxy, proxy_from} ---- */

struct proxy_listen {
	struct listen_addr addr;
	bool has_address;
	bool bad;
	const yaml_node_t *node;
};

static void add_proxy_from(struct parse *p, const char *key, yaml_node_t *node, void *arg)
{
	struct proxy_listen *pl = arg;
	const char *text = config_get_text(p, key, node);
	if (text == NULL) {
		pl->bad = true;
		return;
	}
	if (pl->addr.n_proxy_from == LISTEN_PROXY_FROM_MAX) {
		config_problem(p, node, "%s: at most %d addresses", key, LISTEN_PROXY_FROM_MAX);
		pl->bad = true;
		return;
	}
	if (!cidr_parse(text, &pl->addr.proxy_from[pl->addr.n_proxy_from])) {
		config_problem(p, node, "%s: \"%s\" is not an address such as 127.0.0.1, ::1 or 10.0.0.0/8",
		               key, text);
		pl->bad = true;
		return;
	}
	pl->addr.n_proxy_from++;
}

static void proxy_listen_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                              yaml_node_t *value, void *arg)
{
	struct proxy_listen *pl = arg;
	if (strcmp(key, "address") == 0) {
		const char *text = config_get_text(p, key, value);
		struct listen_addr parsed;
		if (text != NULL && config_parse_listen(text, pl->addr.proto, &parsed) == 0) {
			pl->addr.host = parsed.host;
			pl->addr.port = parsed.port;
			pl->has_address = true;
		} else {
			if (text != NULL)
				config_problem(p, value, "%s: \"%s\" is not an address and port such as 127.0.0.1:1965, [::1]:1965 or *:1965",
				               key, text);
			pl->bad = true;
		}
	} else if (strcmp(key, "proxy") == 0) {
		config_get_bool(p, key, value, &pl->addr.proxy);
	} else if (strcmp(key, "proxy_from") == 0) {
		config_for_each_item(p, key, value, add_proxy_from, pl);
	} else {
		config_unknown_key(p, key, key_node);
		pl->bad = true;
	}
}

/* A PROXY header is taken only from the balancers named: anything else on
 * that listener is refused. */
static void add_proxy_listen(struct parse *p, const char *key, yaml_node_t *node,
                             struct listen_target *target)
{
	struct proxy_listen pl = {.addr = {.proto = target->proto}, .node = node};
	config_for_each_pair(p, key, node, proxy_listen_pair, &pl);
	if (!pl.has_address && !pl.bad)
		config_problem(p, node, "%s: a listener needs its address (address: 127.0.0.1:1965)", key);
	else if (pl.addr.proxy && pl.addr.n_proxy_from == 0 && !pl.bad)
		config_problem(p, node, "%s: proxy: true needs proxy_from, the balancers' addresses (proxy_from: [127.0.0.1])",
		               key);
	else if (!pl.addr.proxy && pl.addr.n_proxy_from > 0)
		config_problem(p, node, "%s: proxy_from without proxy: true", key);
	else if (pl.has_address && !pl.bad) {
		config_listen_push(&target->list->addrs, &target->list->n, &pl.addr);
		return;
	}
	if (pl.has_address)
		free(pl.addr.host);
}

static void add_listen(struct parse *p, const char *key, yaml_node_t *node, void *arg)
{
	struct listen_target *target = arg;
	if (node->type == YAML_MAPPING_NODE) {
		add_proxy_listen(p, key, node, target);
		return;
	}
	const char *text = config_get_text(p, key, node);
	struct listen_addr addr;
	if (text == NULL)
		return;
	if (config_parse_listen(text, target->proto, &addr) < 0) {
		config_problem(p, node, "%s: \"%s\" is not an address and port such as 127.0.0.1:1965, [::1]:1965 or *:1965",
		               key, text);
		return;
	}
	config_listen_push(&target->list->addrs, &target->list->n, &addr);
}

static void get_listen(struct parse *p, const char *key, yaml_node_t *node,
                       enum output proto, struct listen_list *list)
{
	struct listen_target target = {list, proto};
	list->set = true;
	/* An empty list is allowed: it turns the protocol off. */
	if (node->type == YAML_SEQUENCE_NODE &&
	    node->data.sequence.items.start == node->data.sequence.items.top)
		return;
	config_for_each_item(p, key, node, add_listen, &target);
}

static void timeout_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                         yaml_node_t *value, void *arg)
{
	struct config *cfg = arg;
	if (strcmp(key, "request") == 0)
		config_get_duration(p, key, value, &cfg->request_timeout_ms);
	else if (strcmp(key, "idle") == 0)
		config_get_duration(p, key, value, &cfg->idle_timeout_ms);
	else if (strcmp(key, "upload") == 0)
		config_get_duration(p, key, value, &cfg->upload_timeout_ms);
	else
		config_unknown_key(p, key, key_node);
}

static void limit_pair(struct parse *p, const char *key, yaml_node_t *key_node,
                       yaml_node_t *value, void *arg)
{
	struct config *cfg = arg;
	if (strcmp(key, "max_connections") == 0)
		config_get_int(p, key, value, 1, MAX_CONNECTIONS, &cfg->max_connections);
	else if (strcmp(key, "requests_per_minute") == 0)
		config_get_int(p, key, value, 0, MAX_REQUESTS_PER_MINUTE, &cfg->requests_per_minute);
	else if (strcmp(key, "connections_per_address") == 0)
		config_get_int(p, key, value, 0, MAX_CONNECTIONS, &cfg->connections_per_address);
	else if (strcmp(key, "upload_size") == 0)
		config_get_size(p, key, value, &cfg->upload_size);
	else if (strcmp(key, "uploads_in_flight") == 0)
		config_get_int(p, key, value, 1, MAX_CONNECTIONS, &cfg->uploads_in_flight);
	else if (strcmp(key, "upload_budget") == 0)
		config_get_amount(p, key, value, &cfg->upload_budget);
	else if (strcmp(key, "upload_disk_floor") == 0)
		config_get_amount(p, key, value, &cfg->upload_disk_floor);
	else
		config_unknown_key(p, key, key_node);
}

static void tls_pair(struct parse *p, const char *key, yaml_node_t *key_node, yaml_node_t *value,
                     void *arg)
{
	struct config *cfg = arg;
	if (strcmp(key, "ticket_key_file") == 0)
		config_get_path(p, key, value, &cfg->ticket_key_file);
	else
		config_unknown_key(p, key, key_node);
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
	if (config_site_setting(p, key, value, top->site))
		return;
	if (strcmp(key, "hosts") == 0) {
		top->hosts = value;
	} else if (strcmp(key, "host") == 0) {
		top->host_key = key_node;
		config_get_names(p, key, value, top->site, NULL, 0);
	} else if (strcmp(key, "gemini") == 0) {
		get_listen(p, key, value, OUTPUT_GEMINI, &top->gemini);
	} else if (strcmp(key, "gopher") == 0) {
		get_listen(p, key, value, OUTPUT_GOPHER, &top->gopher);
	} else if (strcmp(key, "certs") == 0) {
		config_get_path(p, key, value, &cfg->certs_dir);
	} else if (strcmp(key, "workers") == 0) {
		config_get_int(p, key, value, 0, MAX_WORKERS, &cfg->workers);
	} else if (strcmp(key, "user") == 0) {
		config_get_string(p, key, value, &cfg->user);
	} else if (strcmp(key, "chroot") == 0) {
		config_get_bool(p, key, value, &cfg->chroot);
	} else if (strcmp(key, "access_log") == 0) {
		config_get_path(p, key, value, &cfg->access_log);
	} else if (strcmp(key, "log_format") == 0) {
		config_get_log_format(p, key, value, &cfg->log_format);
	} else if (strcmp(key, "log_client_address") == 0) {
		config_get_bool(p, key, value, &cfg->log_client_addr);
	} else if (strcmp(key, "timeouts") == 0) {
		config_for_each_pair(p, key, value, timeout_pair, cfg);
	} else if (strcmp(key, "limits") == 0) {
		config_for_each_pair(p, key, value, limit_pair, cfg);
	} else if (strcmp(key, "tls") == 0) {
		config_for_each_pair(p, key, value, tls_pair, cfg);
	} else {
		config_unknown_key(p, key, key_node);
	}
}

/* The file's listeners: per protocol, the file's list if it gave one, else
 * the default one. */
static void take_listeners(struct config *cfg, struct top *top)
{
	struct listen_list *lists[] = {&top->gemini, &top->gopher};
	const enum output protos[] = {OUTPUT_GEMINI, OUTPUT_GOPHER};
	struct listen_addr *merged = NULL;
	size_t n = 0;
	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; !lists[i]->set && k < cfg->n_listen; k++) {
			if (cfg->listen[k].proto == protos[i]) {
				config_listen_push(&merged, &n, &cfg->listen[k]);
				cfg->listen[k].host = NULL;
			}
		}
		for (size_t k = 0; k < lists[i]->n; k++)
			config_listen_push(&merged, &n, &lists[i]->addrs[k]);
		free(lists[i]->addrs);
		lists[i]->addrs = NULL;
		lists[i]->n = 0;
	}
	config_listen_free(cfg->listen, cfg->n_listen);
	cfg->listen = merged;
	cfg->n_listen = n;
}

void config_parse_root(struct parse *p, yaml_node_t *root, struct config *cfg)
{
	struct top top = {.cfg = cfg, .site = &cfg->vhosts[0]};
	config_for_each_pair(p, "the file", root, top_pair, &top);
	if (top.hosts != NULL && top.host_key != NULL)
		config_problem(p, top.host_key, "host: give the names in each entry of hosts instead");
	else if (top.hosts != NULL)
		config_parse_hosts(p, top.hosts, top.site, cfg);
	take_listeners(cfg, &top);
	config_listen_free(top.gemini.addrs, top.gemini.n);
	config_listen_free(top.gopher.addrs, top.gopher.n);
}
