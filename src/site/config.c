/*
 * config_load's order: the defaults, then the file, then the command line,
 * then the settings that follow from the rest; and finding a host by name.
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int load_file(struct config *cfg, const char *file, struct buf *errors)
{
	struct buf data = {0};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct parse p = {.file = file, .errors = errors};
	yaml_node_t *root;
	if (config_read_file(file, &data, errors) < 0) {
		buf_free(&data);
		return -1;
	}
	yaml_parser_initialize(&parser);
	/* An empty file is an empty configuration; libyaml refuses a NULL string. */
	yaml_parser_set_input_string(&parser, (const unsigned char *)(data.data ? data.data : ""),
	                             data.len);
	if (!yaml_parser_load(&parser, &doc)) {
		config_syntax_error(file, &parser, &data, errors);
		yaml_parser_delete(&parser);
		buf_free(&data);
		return -1;
	}
	p.doc = &doc;
	p.dir = config_folder_of(file);
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		config_parse_root(&p, root, cfg);
		config_check_single_document(&p, &parser, &data);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	buf_free(&data);
	free(p.dir);
	return p.problems > 0 ? -1 : 0;
}

static int apply_host_override(struct config *cfg, const char *host, struct buf *errors)
{
	char *name = config_normal_host_name(host);
	int owner;
	if (name == NULL) {
		buf_printf(errors, "--host: \"%s\" is not a host name\n", host);
		return -1;
	}
	owner = config_host_owning(cfg->vhosts, cfg->n_vhosts, name);
	if (owner > 0) {
		buf_printf(errors, "--host: \"%s\" is already a name of host %d in the file\n", name,
		           owner + 1);
		free(name);
		return -1;
	}
	config_free_names(cfg->vhosts[0].names, cfg->vhosts[0].n_names);
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
		config_listen_free(cfg->listen, cfg->n_listen);
		cfg->listen = NULL;
		cfg->n_listen = 0;
		for (size_t i = 0; i < over->n_listen; i++) {
			struct listen_addr addr = over->listen[i];
			addr.host = xstrdup(addr.host);
			config_listen_push(&cfg->listen, &cfg->n_listen, &addr);
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
