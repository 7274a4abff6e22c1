#include "itemtype.h"

#include <string.h>
#include <strings.h>

char item_type_of_mime(const char *mime)
{
	static const struct {
		const char *prefix;
		char type;
	} table[] = {
		{"text/html", 'h'},
		/* Gopher serves a capsule's gemtext as a menu of its links. */
		{"text/gemini", '1'},
		{"text/", '0'},
		{"inode/x-empty", '0'},
		{"application/x-empty", '0'},
		{"application/json", '0'},
		{"application/xml", '0'},
		{"application/atom+xml", '0'},
		{"application/rss+xml", '0'},
		{"application/mac-binhex40", '4'},
		{"application/zip", '5'},
		{"application/gzip", '5'},
		{"application/x-gzip", '5'},
		{"application/x-tar", '5'},
		{"application/x-bzip2", '5'},
		{"application/x-xz", '5'},
		{"application/zstd", '5'},
		{"application/x-7z-compressed", '5'},
		{"application/x-rar", '5'},
		{"application/vnd.rar", '5'},
		{"image/gif", 'g'},
		{"image/", 'I'},
		{"audio/", 's'},
		{"video/", ';'},
		{"application/pdf", 'd'},
		{"application/postscript", 'd'},
		{"application/rtf", 'd'},
		{"application/msword", 'd'},
		{"application/vnd.openxmlformats-officedocument", 'd'},
		{"application/vnd.oasis.opendocument", 'd'},
	};
	if (mime == NULL)
		return '9';
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strncmp(mime, table[i].prefix, strlen(table[i].prefix)) == 0)
			return table[i].type;
	return '9';
}

/* The type a file of this extension (after the dot) most likely holds: the
 * common ones only. NULL when unknown. */
static const char *mime_of_extension(const char *ext, size_t len)
{
	static const struct {
		const char *ext;
		const char *mime;
	} table[] = {
		{"txt", "text/plain"},       {"gmi", "text/gemini"},
		{"gemini", "text/gemini"},   {"md", "text/markdown"},
		{"html", "text/html"},       {"htm", "text/html"},
		{"xml", "application/xml"},  {"atom", "application/atom+xml"},
		{"json", "application/json"}, {"gif", "image/gif"},
		{"png", "image/png"},        {"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},      {"webp", "image/webp"},
		{"svg", "image/svg+xml"},    {"mp3", "audio/mpeg"},
		{"ogg", "audio/ogg"},        {"opus", "audio/ogg"},
		{"flac", "audio/flac"},      {"wav", "audio/wav"},
		{"mp4", "video/mp4"},        {"webm", "video/webm"},
		{"pdf", "application/pdf"},  {"epub", "application/epub+zip"},
		{"zip", "application/zip"},  {"gz", "application/gzip"},
		{"tar", "application/x-tar"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].ext) == len && strncasecmp(ext, table[i].ext, len) == 0)
			return table[i].mime;
	return NULL;
}

char item_type_of_path(const char *path)
{
	size_t len = strcspn(path, "?#");
	if (len == 0 || path[len - 1] == '/')
		return '1';
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	if (dot == NULL || (slash != NULL && dot < slash) || (size_t)(dot - path) >= len)
		return '0'; /* an article: no extension */
	return item_type_of_mime(mime_of_extension(dot + 1, (size_t)(path + len - dot - 1)));
}
