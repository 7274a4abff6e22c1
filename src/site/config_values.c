/*
 * Values read from text alone, as the command line gives them as well as the
 * file: host names, listen addresses, time zones.
 */

#include "config.h"

#include "config_parts.h"

#include "alloc.h"
#include "date.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

char *config_normal_host_name(const char *text)
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

int config_parse_listen(const char *text, enum output proto, struct listen_addr *out)
{
	const char *port_text;
	char *host;
	int port;
	memset(out, 0, sizeof *out);
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
