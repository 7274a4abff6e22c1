/*
 * The configuration's structures: their defaults, the copies a host entry
 * starts from, and their freeing.
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CAPSULE "capsule"
#define DEFAULT_HOST "localhost"
#define DEFAULT_LANG "en"
#define DEFAULT_CERTS "certs"
#define DEFAULT_GEMINI "localhost:1965"
#define DEFAULT_GOPHER "localhost:70"

/* Generous: a reader never meets them, a crawler's flood does. */
#define DEFAULT_REQUESTS_PER_MINUTE 600
#define DEFAULT_CONNECTIONS_PER_ADDRESS 64
#define DEFAULT_UPLOAD_SIZE (8LL << 20)
/* Enough for a newsroom's morning, few enough that bodies in flight (each
 * on its way to a file, not held in memory) cannot exhaust descriptors. */
#define DEFAULT_UPLOADS_IN_FLIGHT 16
/* A busy editor's day is a few megabytes of text and photos. */
#define DEFAULT_UPLOAD_BUDGET (64LL << 20)
/* What logs, the loader and the system need left. */
#define DEFAULT_UPLOAD_DISK_FLOOR (256LL << 20)

void config_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void config_editors_free(struct editor *editors, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(editors[i].name);
		config_free_names(editors[i].paths, editors[i].n_paths);
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

void config_vhost_free(struct vhost *vh)
{
	config_editors_free(vh->editors, vh->n_editors);
	config_free_names(vh->names, vh->n_names);
	free(vh->capsule);
	free(vh->cert_file);
	free(vh->key_file);
	free(vh->lang);
	free(vh->title);
	free(vh->zone_name);
	free(vh->advertise_host);
	tz_free(vh->zone);
	memset(vh, 0, sizeof *vh);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void config_vhost_copy_settings(struct vhost *dst, const struct vhost *src)
{
	dst->capsule = dup_or_null(src->capsule);
	dst->lang = dup_or_null(src->lang);
	dst->title = dup_or_null(src->title);
	dst->zone_name = dup_or_null(src->zone_name);
	dst->utc_offset_minutes = src->utc_offset_minutes;
	dst->zone = tz_copy(src->zone);
	dst->listing = src->listing;
	dst->page_size = src->page_size;
	dst->wrap_columns = src->wrap_columns;
	dst->advertise_host = dup_or_null(src->advertise_host);
	dst->advertise_port = src->advertise_port;
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

void config_listen_free(struct listen_addr *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(addrs[i].host);
	free(addrs);
}

void config_free(struct config *cfg)
{
	free(cfg->file);
	config_listen_free(cfg->listen, cfg->n_listen);
	free(cfg->certs_dir);
	free(cfg->ticket_key_file);
	free(cfg->access_log);
	free(cfg->user);
	for (size_t i = 0; i < cfg->n_vhosts; i++)
		config_vhost_free(&cfg->vhosts[i]);
	free(cfg->vhosts);
	memset(cfg, 0, sizeof *cfg);
}

void config_listen_push(struct listen_addr **addrs, size_t *n, const struct listen_addr *addr)
{
	*addrs = xreallocarray(*addrs, *n + 1, sizeof **addrs);
	(*addrs)[(*n)++] = *addr;
}

/* Parses a built-in default address, which cannot be malformed. */
static void listen_push_default(struct listen_addr **addrs, size_t *n, const char *text,
                                enum output proto)
{
	struct listen_addr addr;
	if (config_parse_listen(text, proto, &addr) == 0)
		config_listen_push(addrs, n, &addr);
}

void config_defaults(struct config *cfg)
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
	cfg->uploads_in_flight = DEFAULT_UPLOADS_IN_FLIGHT;
	cfg->upload_budget = DEFAULT_UPLOAD_BUDGET;
	cfg->upload_disk_floor = DEFAULT_UPLOAD_DISK_FLOOR;
	cfg->log_client_addr = true;
	cfg->vhosts = xmalloc(sizeof *cfg->vhosts);
	vhost_defaults(&cfg->vhosts[0]);
	cfg->n_vhosts = 1;
	listen_push_default(&cfg->listen, &cfg->n_listen, DEFAULT_GEMINI, OUTPUT_GEMINI);
	listen_push_default(&cfg->listen, &cfg->n_listen, DEFAULT_GOPHER, OUTPUT_GOPHER);
}
