#include "config.h"

#include "alloc.h"
#include "buf.h"
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

/* Each test writes its YAML into this folder, removed at the end. */
static char tmpdir[] = "/tmp/kabar-config-XXXXXX";

static char *write_yaml(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

/* Loads text as a configuration file. Returns config_load's result; the
 * problems are left in errors. */
static int load_text(const char *text, struct config *cfg, struct buf *errors)
{
	struct config_overrides over = {.workers = -1};
	int status;
	over.config_file = write_yaml("kabar.yaml", text);
	status = config_load(cfg, &over, errors);
	unlink(over.config_file);
	free((char *)over.config_file);
	return status;
}

/* The problems text loading yaml gives, with the folder's name cut out so
 * the expected text can be written plainly as "kabar.yaml:L:C: ...". */
static char *errors_of(const char *text)
{
	struct config cfg;
	struct buf errors = {0};
	struct buf out = {0};
	size_t skip = strlen(tmpdir) + 1;
	CHECK_INT(load_text(text, &cfg, &errors), -1);
	for (const char *line = errors.data; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		if (strncmp(line, tmpdir, skip - 1) == 0)
			line += skip;
		buf_append(&out, line, end ? (size_t)(end - line + 1) : strlen(line));
		line = end ? end + 1 : NULL;
	}
	buf_free(&errors);
	return out.data ? buf_steal(&out) : xstrdup("");
}

static void check_error(const char *yaml, const char *want)
{
	char *got = errors_of(yaml);
	CHECK_STR(got, want);
	free(got);
}

static void test_defaults(void)
{
	struct config cfg;
	struct buf errors = {0};
	CHECK_INT(config_load(&cfg, NULL, &errors), 0);
	CHECK_INT(errors.len, 0);
	CHECK(cfg.file == NULL);
	CHECK_INT(cfg.n_vhosts, 1);
	CHECK_INT(cfg.vhosts[0].n_names, 1);
	CHECK_STR(cfg.vhosts[0].names[0], "localhost");
	CHECK_STR(cfg.vhosts[0].capsule, "capsule");
	CHECK_STR(cfg.vhosts[0].lang, "en");
	CHECK_STR(cfg.vhosts[0].title, "localhost");
	CHECK_STR(cfg.vhosts[0].zone_name, "UTC");
	CHECK_INT(cfg.vhosts[0].utc_offset_minutes, 0);
	CHECK(cfg.vhosts[0].listing);
	CHECK_INT(cfg.vhosts[0].page_size, 20);
	CHECK_INT(cfg.vhosts[0].wrap_columns, 70);
	CHECK_STR(cfg.vhosts[0].cert_file, "certs/localhost.crt");
	CHECK_STR(cfg.vhosts[0].key_file, "certs/localhost.key");
	CHECK_INT(cfg.n_listen, 2);
	CHECK_INT(cfg.listen[0].proto, OUTPUT_GEMINI);
	CHECK_STR(cfg.listen[0].host, "localhost");
	CHECK_INT(cfg.listen[0].port, 1965);
	CHECK_INT(cfg.listen[1].proto, OUTPUT_GOPHER);
	CHECK_STR(cfg.listen[1].host, "localhost");
	CHECK_INT(cfg.listen[1].port, 70);
	CHECK_STR(cfg.certs_dir, "certs");
	CHECK_INT(cfg.workers, 0);
	CHECK_INT(cfg.request_timeout_ms, 10000);
	CHECK_INT(cfg.idle_timeout_ms, 30000);
	CHECK_INT(cfg.max_connections, 1024);
	CHECK(cfg.log_client_addr);
	CHECK(cfg.access_log == NULL);
	CHECK_INT(cfg.log_format, LOG_FORMAT_KABAR);
	CHECK(cfg.user == NULL);
	config_free(&cfg);
	CHECK(cfg.vhosts == NULL);
	config_free(&cfg); /* twice is harmless */
}

static void test_empty_file_keeps_defaults(void)
{
	struct config cfg;
	struct buf errors = {0};
	CHECK_INT(load_text("# nothing yet\n", &cfg, &errors), 0);
	CHECK_INT(cfg.n_vhosts, 1);
	CHECK_STR(cfg.vhosts[0].names[0], "localhost");
	CHECK_INT(cfg.n_listen, 2);
	CHECK(cfg.file != NULL);
	config_free(&cfg);
	buf_free(&errors);
}

static void test_every_top_level_key(void)
{
	struct config cfg;
	struct buf errors = {0};
	int status = load_text("capsule: news\n"
	                       "host: [Kabar.Example., www.kabar.example]\n"
	                       "lang: id\n"
	                       "title: Kabar Barru\n"
	                       "timezone: WITA\n"
	                       "listing: no\n"
	                       "page_size: 15\n"
	                       "wrap: 72\n"
	                       "gemini: ['*:1965', '[::1]:0']\n"
	                       "gopher: 127.0.0.1:7070\n"
	                       "certs: /etc/kabar/certs\n"
	                       "workers: 4\n"
	                       "user: kabar\n"
	                       "access_log: logs/access.log\n"
	                       "log_client_address: false\n"
	                       "log_format: Combined\n"
	                       "timeouts:\n  request: 5s\n  idle: 1500ms\n"
	                       "limits:\n  max_connections: 64\n",
	                       &cfg, &errors);
	CHECK_INT(status, 0);
	CHECK_STR(errors.data, NULL);
	if (status != 0)
		return;
	const struct vhost *vh = &cfg.vhosts[0];
	char *capsule = xasprintf("%s/news", tmpdir);
	char *log = xasprintf("%s/logs/access.log", tmpdir);
	CHECK_STR(vh->capsule, capsule);
	CHECK_INT(vh->n_names, 2);
	CHECK_STR(vh->names[0], "kabar.example");
	CHECK_STR(vh->names[1], "www.kabar.example");
	CHECK_STR(vh->lang, "id");
	CHECK_STR(vh->title, "Kabar Barru");
	CHECK_STR(vh->zone_name, "WITA");
	CHECK_INT(vh->utc_offset_minutes, 480);
	CHECK(!vh->listing);
	CHECK_INT(vh->page_size, 15);
	CHECK_INT(vh->wrap_columns, 72);
	CHECK_STR(vh->cert_file, "/etc/kabar/certs/kabar.example.crt");
	CHECK_STR(vh->key_file, "/etc/kabar/certs/kabar.example.key");
	CHECK_INT(cfg.n_listen, 3);
	CHECK_STR(cfg.listen[0].host, "*");
	CHECK_INT(cfg.listen[0].port, 1965);
	CHECK_STR(cfg.listen[1].host, "::1");
	CHECK_INT(cfg.listen[1].port, 0);
	CHECK_INT(cfg.listen[2].proto, OUTPUT_GOPHER);
	CHECK_STR(cfg.listen[2].host, "127.0.0.1");
	CHECK_INT(cfg.listen[2].port, 7070);
	CHECK_STR(cfg.certs_dir, "/etc/kabar/certs");
	CHECK_INT(cfg.workers, 4);
	CHECK_STR(cfg.user, "kabar");
	CHECK_STR(cfg.access_log, log);
	CHECK(!cfg.log_client_addr);
	CHECK_INT(cfg.log_format, LOG_FORMAT_COMBINED);
	CHECK_INT(cfg.request_timeout_ms, 5000);
	CHECK_INT(cfg.idle_timeout_ms, 1500);
	CHECK_INT(cfg.max_connections, 64);
	free(capsule);
	free(log);
	config_free(&cfg);
}

static void test_hosts_inherit_and_find(void)
{
	struct config cfg;
	struct buf errors = {0};
	int status = load_text("lang: id\n"
	                       "zone: '+07:00'\n"
	                       "hosts:\n"
	                       "  - hostname: barru.example\n"
	                       "    capsule: /srv/barru\n"
	                       "    title: Barru\n"
	                       "    cert: /srv/barru.crt\n"
	                       "    key: /srv/barru.key\n"
	                       "  - host: [gowa.example, www.gowa.example]\n"
	                       "    lang: en\n"
	                       "    timezone: WIT\n"
	                       "    listing: true\n"
	                       "    page_size: 5\n"
	                       "    wrap: 60\n"
	                       "gopher: []\n",
	                       &cfg, &errors);
	CHECK_INT(status, 0);
	CHECK_STR(errors.data, NULL);
	if (status != 0)
		return;
	CHECK_INT(cfg.n_vhosts, 2);
	CHECK_STR(cfg.vhosts[0].names[0], "barru.example");
	CHECK_STR(cfg.vhosts[0].capsule, "/srv/barru");
	CHECK_STR(cfg.vhosts[0].lang, "id");
	CHECK_STR(cfg.vhosts[0].zone_name, "+07:00");
	CHECK_INT(cfg.vhosts[0].utc_offset_minutes, 420);
	CHECK_STR(cfg.vhosts[0].cert_file, "/srv/barru.crt");
	CHECK_STR(cfg.vhosts[0].key_file, "/srv/barru.key");
	CHECK_STR(cfg.vhosts[1].lang, "en");
	CHECK_STR(cfg.vhosts[1].zone_name, "WIT");
	CHECK_INT(cfg.vhosts[1].utc_offset_minutes, 540);
	CHECK_STR(cfg.vhosts[1].title, "gowa.example");
	CHECK_STR(cfg.vhosts[1].cert_file, "certs/gowa.example.crt");
	CHECK_INT(cfg.vhosts[1].page_size, 5);
	CHECK_INT(cfg.vhosts[1].wrap_columns, 60);
	/* gopher: [] turns Gopher off; Gemini keeps its default. */
	CHECK_INT(cfg.n_listen, 1);
	CHECK_INT(cfg.listen[0].proto, OUTPUT_GEMINI);
	CHECK(config_find_vhost(&cfg, NULL) == &cfg.vhosts[0]);
	CHECK(config_find_vhost(&cfg, "BARRU.example.") == &cfg.vhosts[0]);
	CHECK(config_find_vhost(&cfg, "www.gowa.example") == &cfg.vhosts[1]);
	CHECK(config_find_vhost(&cfg, "gowa.example..") == NULL);
	CHECK(config_find_vhost(&cfg, "example") == NULL);
	CHECK(config_find_vhost(&cfg, "") == NULL);
	config_free(&cfg);
}

static void test_overrides_win(void)
{
	struct config cfg;
	struct buf errors = {0};
	struct listen_addr listen[] = {{.proto = OUTPUT_GOPHER, .host = "::1", .port = 0}};
	struct config_overrides over = {
		.capsule = "elsewhere", .host = "Kabar.Test", .certs_dir = "/tmp/c",
		.workers = 3, .listen = listen, .n_listen = 1,
	};
	over.config_file = write_yaml("over.yaml", "capsule: news\nworkers: 8\n"
	                                           "gemini: 127.0.0.1:1965\n");
	CHECK_INT(config_load(&cfg, &over, &errors), 0);
	CHECK_STR(cfg.vhosts[0].capsule, "elsewhere");
	CHECK_STR(cfg.vhosts[0].names[0], "kabar.test");
	CHECK_STR(cfg.vhosts[0].cert_file, "/tmp/c/kabar.test.crt");
	CHECK_INT(cfg.workers, 3);
	CHECK_INT(cfg.n_listen, 1);
	CHECK_INT(cfg.listen[0].proto, OUTPUT_GOPHER);
	CHECK_STR(cfg.listen[0].host, "::1");
	CHECK(cfg.listen[0].host != listen[0].host);
	config_free(&cfg);
	unlink(over.config_file);
	free((char *)over.config_file);
}

static void test_override_errors(void)
{
	struct config cfg;
	struct buf errors = {0};
	struct config_overrides over = {.workers = 1000};
	CHECK_INT(config_load(&cfg, &over, &errors), -1);
	CHECK_STR(errors.data, "--workers: 1000 is out of range (0 to 256)\n");
	buf_clear(&errors);
	over.workers = -1;
	over.host = "bad host";
	CHECK_INT(config_load(&cfg, &over, &errors), -1);
	CHECK_STR(errors.data, "--host: \"bad host\" is not a host name\n");
	buf_clear(&errors);
	over.host = "b.example";
	over.config_file = write_yaml("two.yaml", "hosts:\n  - hostname: a.example\n"
	                                          "  - hostname: b.example\n");
	CHECK_INT(config_load(&cfg, &over, &errors), -1);
	CHECK_STR(errors.data, "--host: \"b.example\" is already a name of host 2 in the file\n");
	CHECK(cfg.vhosts == NULL);
	unlink(over.config_file);
	free((char *)over.config_file);
	buf_free(&errors);
}

static void test_listen_parsing(void)
{
	struct listen_addr a;
	CHECK_INT(config_parse_listen("127.0.0.1:1965", OUTPUT_GEMINI, &a), 0);
	CHECK_STR(a.host, "127.0.0.1");
	CHECK_INT(a.port, 1965);
	CHECK_INT(a.proto, OUTPUT_GEMINI);
	free(a.host);
	CHECK_INT(config_parse_listen("[::1]:0", OUTPUT_GOPHER, &a), 0);
	CHECK_STR(a.host, "::1");
	CHECK_INT(a.port, 0);
	CHECK_INT(a.proto, OUTPUT_GOPHER);
	free(a.host);
	CHECK_INT(config_parse_listen("*:70", OUTPUT_GOPHER, &a), 0);
	CHECK_STR(a.host, "*");
	CHECK_INT(a.port, 70);
	free(a.host);
	CHECK_INT(config_parse_listen("news.example:65535", OUTPUT_GEMINI, &a), 0);
	CHECK_STR(a.host, "news.example");
	CHECK_INT(a.port, 65535);
	free(a.host);
	CHECK_INT(config_parse_listen("[2001:db8::7]:1965", OUTPUT_GEMINI, &a), 0);
	CHECK_STR(a.host, "2001:db8::7");
	free(a.host);

	const char *bad[] = {
		"", "1965", ":1965", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:19x5", "127.0.0.1:123456", "::1:1965", "[::1]",
		"[::1]1965", "[::1:1965", "[nope]:1965", "[]:1965", "bad host:70",
		"a..b:70", "*.example:70",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a.host = NULL;
		if (config_parse_listen(bad[i], OUTPUT_GEMINI, &a) != -1) {
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
			CHECK(0);
			free(a.host);
		}
	}
}

static void check_zone(const char *text, int want_offset, const char *want_name)
{
	int offset = 12345;
	char *name = NULL;
	CHECK_INT(config_parse_zone(text, &offset, &name), 0);
	CHECK_INT(offset, want_offset);
	CHECK_STR(name, want_name);
	free(name);
}

static void test_zones(void)
{
	int offset;
	char *name = NULL;
	check_zone("WIB", 420, "WIB");
	check_zone("wita", 480, "WITA");
	check_zone("WIT", 540, "WIT");
	check_zone("UTC", 0, "UTC");
	check_zone("GMT", 0, "GMT");
	check_zone("+08:00", 480, "+08:00");
	check_zone("+0530", 330, "+05:30");
	check_zone("-03", -180, "-03:00");
	check_zone("+14:00", 840, "+14:00");
	check_zone("-12:00", -720, "-12:00");
	check_zone("z", 0, "UTC");
	check_zone("Gmt", 0, "GMT");
	const char *bad[] = {"", "WITA8", "Asia/Makassar", "08:00", "+8", "+08:60", "+15:00",
	                     "-13:00", "+08:0", "+08:000", "+0800x", "+08:", "ZZ", "UTC+7",
	                     "WIB ", "+14:01", "-12:01"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (config_parse_zone(bad[i], &offset, &name) != -1) {
			fprintf(stderr, "  accepted zone \"%s\"\n", bad[i]);
			CHECK(0);
			free(name);
		}
	}
}

/* A tzdata name: read at load, shared by every host that inherits it,
 * and a name tzdata does not have is a problem at its line. */
static void test_named_zones(void)
{
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0 && getenv("TZDIR") == NULL) {
		printf("skip: no tzdata\n");
		return;
	}
	struct config cfg = {0};
	struct buf errors = {0};
	CHECK_INT(load_text("timezone: Europe/Berlin\nhosts:\n  - hostname: a.example\n"
	                    "  - hostname: b.example\n    timezone: Asia/Makassar\n",
	                    &cfg, &errors), 0);
	CHECK_STR(errors.data, NULL);
	if (cfg.n_vhosts == 2) {
		CHECK_STR(cfg.vhosts[0].zone_name, "Europe/Berlin");
		CHECK(cfg.vhosts[0].zone != NULL);
		CHECK_STR(cfg.vhosts[1].zone_name, "Asia/Makassar");
		CHECK_INT(cfg.vhosts[1].utc_offset_minutes, 480);
	}
	CHECK_INT(cfg.n_vhosts, 2);
	config_free(&cfg);
	buf_free(&errors);
	char *got = errors_of("capsule: x\ntimezone: Asia/Atlantis\n");
	CHECK(got != NULL && strncmp(got, "kabar.yaml:2:11: timezone: unknown time zone \"Asia/Atlantis\" (", 62) == 0);
	free(got);
	check_error("timezone: Atlantis\n",
	            "kabar.yaml:1:11: timezone: unknown time zone \"Atlantis\" (use an offset such as "
	            "+08:00, WIB, WITA, WIT, UTC, or a tzdata name such as Europe/Berlin)\n");
	/* A name that climbs out of the zone folder is not one. */
	got = errors_of("timezone: ../../etc/passwd\n");
	CHECK(got != NULL && strstr(got, "is not a time zone name") != NULL);
	free(got);
}

/* A listener behind a balancer: a mapping with proxy and proxy_from. */
static void test_proxy_listeners(void)
{
	struct config cfg = {0};
	struct buf errors = {0};
	CHECK_INT(load_text("gemini:\n  - 127.0.0.1:1965\n"
	                    "  - {address: \"*:1966\", proxy: true, proxy_from: [127.0.0.1, \"10.0.0.0/8\"]}\n"
	                    "gopher: []\n", &cfg, &errors), 0);
	CHECK_STR(errors.data, NULL);
	CHECK_INT(cfg.n_listen, 2);
	if (cfg.n_listen == 2) {
		CHECK(!cfg.listen[0].proxy);
		CHECK_INT(cfg.listen[0].n_proxy_from, 0);
		CHECK(cfg.listen[1].proxy);
		CHECK_INT(cfg.listen[1].port, 1966);
		CHECK_INT(cfg.listen[1].n_proxy_from, 2);
		CHECK_INT(cfg.listen[1].proxy_from[1].prefix, 8);
	}
	config_free(&cfg);
	buf_free(&errors);
	check_error("gemini:\n  - {address: 127.0.0.1:1965, proxy: true}\n",
	            "kabar.yaml:2:5: gemini: proxy: true needs proxy_from, the balancers' addresses (proxy_from: [127.0.0.1])\n");
	check_error("gemini:\n  - {address: 127.0.0.1:1965, proxy_from: [127.0.0.1]}\n",
	            "kabar.yaml:2:5: gemini: proxy_from without proxy: true\n");
	check_error("gopher:\n  - {proxy: true, proxy_from: [127.0.0.1]}\n",
	            "kabar.yaml:2:5: gopher: a listener needs its address (address: 127.0.0.1:1965)\n");
	check_error("gopher:\n  - {address: x:70, proxy: true, proxy_from: [localhost]}\n",
	            "kabar.yaml:2:47: proxy_from: \"localhost\" is not an address such as 127.0.0.1, ::1 or 10.0.0.0/8\n");
	check_error("gopher:\n  - {address: \"*:70\", proxied: true}\n",
	            "kabar.yaml:2:23: unknown key \"proxied\"\n");
}

static void test_unknown_keys(void)
{
	check_error("capsule: x\ncolour: blue\n", "kabar.yaml:2:1: unknown key \"colour\"\n");
	check_error("timeouts:\n  request: 5\n  write: 5\n",
	            "kabar.yaml:3:3: unknown key \"write\"\n");
	check_error("limits:\n  max_conn: 5\n", "kabar.yaml:2:3: unknown key \"max_conn\"\n");
	check_error("hosts:\n  - hostname: a.example\n    port: 70\n",
	            "kabar.yaml:3:5: unknown key \"port\"\n");
	check_error("workers: 2\nworkers: 3\n", "kabar.yaml:2:1: duplicate key \"workers\"\n");
	check_error("[a, b]: 1\n", "kabar.yaml:1:1: the file: a key must be a string\n");
}

static void test_wrong_types(void)
{
	check_error("- capsule\n", "kabar.yaml:1:1: the file: expected a mapping of settings\n");
	check_error("workers: many\n", "kabar.yaml:1:10: workers: expected an integer, got \"many\"\n");
	check_error("workers: '4'\n", "kabar.yaml:1:10: workers: expected an integer\n");
	check_error("workers: [4]\n", "kabar.yaml:1:10: workers: expected an integer\n");
	check_error("capsule: [a, b]\n", "kabar.yaml:1:10: capsule: expected a string\n");
	check_error("capsule:\n", "kabar.yaml:1:9: capsule: expected a string\n");
	check_error("title: \"a\\0b\"\n", "kabar.yaml:1:8: title: contains a NUL byte\n");
	check_error("listing: maybe\n", "kabar.yaml:1:10: listing: expected true or false\n");
	check_error("log_format: apache\n",
	            "kabar.yaml:1:13: log_format: expected kabar, common or combined, got \"apache\"\n");
	check_error("timeouts: 5\n", "kabar.yaml:1:11: timeouts: expected a mapping of settings\n");
	check_error("gemini: {a: b}\n",
	            "kabar.yaml:1:9: gemini: expected a string or a list of strings\n");
	check_error("host: []\n", "kabar.yaml:1:7: host: the list is empty\n");
	check_error("hosts: localhost\n", "kabar.yaml:1:8: hosts: expected a list of hosts\n");
	check_error("hosts: []\n", "kabar.yaml:1:8: hosts: the list is empty\n");
	check_error("hosts:\n  - a.example\n",
	            "kabar.yaml:2:5: hosts entry: expected a mapping of settings\n");
}

static void test_bad_values(void)
{
	check_error("workers: 300\n", "kabar.yaml:1:10: workers: 300 is out of range (0 to 256)\n");
	check_error("workers: 99999999999999999999\n",
	            "kabar.yaml:1:10: workers: 99999999999999999999 is out of range (0 to 256)\n");
	check_error("page_size: 0\n", "kabar.yaml:1:12: page_size: 0 is out of range (1 to 500)\n");
	check_error("wrap: 10\n", "kabar.yaml:1:7: wrap: 10 is out of range (20 to 200)\n");
	check_error("limits: {max_connections: 0}\n",
	            "kabar.yaml:1:27: max_connections: 0 is out of range (1 to 1000000)\n");
	check_error("timeouts:\n  idle: 2h\n",
	            "kabar.yaml:2:9: idle: expected a duration up to one hour such as 10s or 500ms, got \"2h\"\n");
	check_error("timeouts:\n  request: 0\n",
	            "kabar.yaml:2:12: request: expected a duration up to one hour such as 10s or 500ms, got \"0\"\n");
	check_error("timezone: Mars\n",
	            "kabar.yaml:1:11: timezone: unknown time zone \"Mars\" (use an offset such as +08:00, WIB, WITA, WIT, UTC, or a tzdata name such as Europe/Berlin)\n");
	check_error("lang: english language\n",
	            "kabar.yaml:1:7: lang: \"english language\" is not a language tag such as en or id\n");
	check_error("host: bad_host!\n", "kabar.yaml:1:7: host: \"bad_host!\" is not a host name\n");
	check_error("gemini:\n  - 127.0.0.1:1965\n  - ::1:1965\n",
	            "kabar.yaml:3:5: gemini: \"::1:1965\" is not an address and port such as 127.0.0.1:1965, [::1]:1965 or *:1965\n");
	check_error("gemini: []\ngopher: []\n",
	            "kabar.yaml: no gemini or gopher address to listen on\n");
}

/* gopher_advertise: what Gopher menus name, at the top or per host. */
static void test_gopher_advertise(void)
{
	struct config cfg;
	struct buf errors = {0};
	CHECK_INT(load_text("gopher_advertise: gopher.example:70\n"
	                    "hosts:\n  - hostname: a.example\n"
	                    "  - hostname: b.example\n    gopher_advertise: \"[2001:db8::1]:7070\"\n",
	                    &cfg, &errors), 0);
	CHECK_STR(cfg.vhosts[0].advertise_host, "gopher.example");
	CHECK_INT(cfg.vhosts[0].advertise_port, 70);
	CHECK_STR(cfg.vhosts[1].advertise_host, "2001:db8::1");
	CHECK_INT(cfg.vhosts[1].advertise_port, 7070);
	config_free(&cfg);
	buf_free(&errors);
	check_error("gopher_advertise: gopher.example\n",
	            "kabar.yaml:1:19: gopher_advertise: \"gopher.example\" is not a host and port readers reach, such as gopher.example:70\n");
	check_error("gopher_advertise: \"*:70\"\n",
	            "kabar.yaml:1:19: gopher_advertise: \"*:70\" is not a host and port readers reach, such as gopher.example:70\n");
	check_error("gopher_advertise: a.example:0\n",
	            "kabar.yaml:1:19: gopher_advertise: \"a.example:0\" is not a host and port readers reach, such as gopher.example:70\n");
}

static void test_host_problems(void)
{
	check_error("hosts:\n  - title: Nameless\n",
	            "kabar.yaml:2:5: hosts entry: hostname is missing\n");
	check_error("hosts:\n  - hostname: a.example\n  - hostname: [b.example, A.example]\n",
	            "kabar.yaml:3:27: host name \"a.example\" is given twice\n");
	check_error("hosts:\n  - hostname: [a.example, a.example.]\n",
	            "kabar.yaml:2:27: host name \"a.example\" is given twice\n");
	check_error("hosts:\n  - hostname: a.example\n    host: b.example\n",
	            "kabar.yaml:3:5: give either hostname or host, not both\n");
	check_error("host: a.example\nhosts:\n  - hostname: b.example\n",
	            "kabar.yaml:1:1: host: give the names in each entry of hosts instead\n");
}

static void test_several_problems_all_reported(void)
{
	check_error("workers: x\ncolour: blue\nhosts:\n  - hostname: a.example\n    wrap: 5\n",
	            "kabar.yaml:1:10: workers: expected an integer, got \"x\"\n"
	            "kabar.yaml:2:1: unknown key \"colour\"\n"
	            "kabar.yaml:5:11: wrap: 5 is out of range (20 to 200)\n");
}

static void test_syntax_errors(void)
{
	check_error("capsule: a\n  lang: id\n",
	            "kabar.yaml:2:7: mapping values are not allowed in this context\n");
	check_error("gemini: [a:1\n",
	            "kabar.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence at 1:9)\n");
	check_error("title: \"open\n",
	            "kabar.yaml:1:8: while scanning a quoted scalar: found unexpected end of stream (at 2:1)\n");
	check_error("title: ok\ncapsule: \xff\n", "kabar.yaml:2:10: invalid leading UTF-8 octet\n");
	check_error("workers: 1\n---\nworkers: 2\n",
	            "kabar.yaml:3:1: a second YAML document: the file must hold one\n");
}

static void test_editors(void)
{
	struct config cfg;
	struct buf errors = {0};
	int status = load_text(
		"editors:\n"
		"  - name: Rina Paluseri\n"
		"    fingerprint: \"AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\"\n"
		"    paths: [news/, /images]\n"
		"limits:\n  upload_size: 2M\n  uploads_in_flight: 4\n  upload_budget: 0\n"
		"  upload_disk_floor: 2T\n"
		"timeouts:\n  upload: 20s\n"
		"hosts:\n"
		"  - hostname: a.example\n"
		"  - hostname: b.example\n"
		"    editors:\n"
		"      - name: Desk\n"
		"        fingerprint: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"        paths: /\n"
		"        desk: all\n"
		"      - name: Reporter\n"
		"        fingerprint: 1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"        paths: news/a/\n"
		"        desk: own\n",
		&cfg, &errors);
	CHECK_INT(status, 0);
	if (status == 0) {
		CHECK_INT(cfg.upload_size, 2 << 20);
		CHECK_INT(cfg.upload_timeout_ms, 20000);
		CHECK_INT(cfg.vhosts[0].n_editors, 1);
		CHECK_STR(cfg.vhosts[0].editors[0].name, "Rina Paluseri");
		CHECK_STR(cfg.vhosts[0].editors[0].fingerprint,
		          "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
		CHECK_INT(cfg.vhosts[0].editors[0].n_paths, 2);
		CHECK_STR(cfg.vhosts[0].editors[0].paths[0], "news/");
		CHECK_STR(cfg.vhosts[0].editors[0].paths[1], "images/");
		CHECK_INT(cfg.uploads_in_flight, 4);
		CHECK_INT(cfg.upload_budget, 0);
		CHECK_INT(cfg.upload_disk_floor, 2LL << 40);
		CHECK(!cfg.vhosts[0].editors[0].desk_all);
		CHECK_INT(cfg.vhosts[1].n_editors, 2);
		CHECK_STR(cfg.vhosts[1].editors[0].name, "Desk");
		CHECK_STR(cfg.vhosts[1].editors[0].paths[0], "");
		const struct editor *chief = &cfg.vhosts[1].editors[0];
		const struct editor *reporter = &cfg.vhosts[1].editors[1];
		CHECK(chief->desk_all && !reporter->desk_all);
		CHECK(config_editor_sees(reporter, "news/a/draft.md"));
		CHECK(!config_editor_sees(reporter, "news/b/draft.md"));
		CHECK(!config_editor_sees(reporter, "news/ab.md"));
		CHECK(config_editor_sees(chief, "news/b/draft.md"));
		/* desk: all widens what is seen, never what is written. */
		const struct editor narrow_chief = {.paths = reporter->paths, .n_paths = 1, .desk_all = true};
		CHECK(config_editor_sees(&narrow_chief, "news/b/draft.md"));
		CHECK(!config_editor_covers(&narrow_chief, "news/b/draft.md"));
		config_free(&cfg);
	}
	buf_free(&errors);
}

static void test_editor_problems(void)
{
	check_error("editors:\n  - name: X\n    fingerprint: abc\n    paths: news\n",
	            "kabar.yaml:3:18: fingerprint: expected the certificate's SHA-256 as 64 hex digits (colons optional)\n");
	check_error("editors:\n  - name: X\n    fingerprint: \"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
	            "    paths: [news/../etc]\n",
	            "kabar.yaml:4:13: paths: \"news/../etc\" is not a folder of the capsule (no \".\", \"..\" or hidden names)\n"
	            "kabar.yaml:2:5: editors entry: name, fingerprint and paths are all needed\n");
	check_error("editors:\n  - name: X\n",
	            "kabar.yaml:2:5: editors entry: name, fingerprint and paths are all needed\n");
	check_error("editors: yes\n", "kabar.yaml:1:10: editors: expected a list of editors\n");
	check_error("limits:\n  upload_size: 2T\n",
	            "kabar.yaml:2:16: upload_size: expected a size up to 1G such as 8M or 500K\n");
	check_error("limits:\n  upload_budget: lots\n",
	            "kabar.yaml:2:18: upload_budget: expected a size such as 64M, 2G or 0\n");
	check_error("limits:\n  uploads_in_flight: 0\n",
	            "kabar.yaml:2:22: uploads_in_flight: 0 is out of range (1 to 1000000)\n");
	check_error("editors:\n  - name: X\n    fingerprint: \"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
	            "    paths: news/\n    desk: everyone\n",
	            "kabar.yaml:5:11: desk: expected all or own, got \"everyone\"\n");
}

static void test_missing_file(void)
{
	struct config cfg;
	struct buf errors = {0};
	struct config_overrides over = {.workers = -1, .config_file = "/nonexistent/kabar.yaml"};
	CHECK_INT(config_load(&cfg, &over, &errors), -1);
	CHECK_STR(errors.data, "/nonexistent/kabar.yaml: cannot open: No such file or directory\n");
	CHECK(cfg.file == NULL);
	buf_free(&errors);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_defaults);
	RUN(test_empty_file_keeps_defaults);
	RUN(test_every_top_level_key);
	RUN(test_hosts_inherit_and_find);
	RUN(test_overrides_win);
	RUN(test_override_errors);
	RUN(test_listen_parsing);
	RUN(test_zones);
	RUN(test_named_zones);
	RUN(test_proxy_listeners);
	RUN(test_unknown_keys);
	RUN(test_wrong_types);
	RUN(test_bad_values);
	RUN(test_host_problems);
	RUN(test_gopher_advertise);
	RUN(test_several_problems_all_reported);
	RUN(test_syntax_errors);
	RUN(test_missing_file);
	RUN(test_editors);
	RUN(test_editor_problems);
	rmdir(tmpdir);
	return check_report();
}
