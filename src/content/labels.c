#include "labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

static const struct labels english = {
	.by = "By",
	.published = "Published",
	.updated = "Updated",
	.minutes_read = "min read",
	.section = "Section",
	.sections = "Sections",
	.tags = "Tags",
	.author = "Author",
	.related = "Related",
	.latest = "Latest news",
	.archive = "Archive",
	.search = "Search",
	.search_prompt = "Search the news",
	.results = "Results for",
	.no_results = "Nothing found.",
	.result_one = "result",
	.result_many = "results",
	.page_of = "of",
	.newest_first = "Newest first",
	.best_first = "Best match first",
	.next_page = "Next page",
	.previous_page = "Previous page",
	.feeds = "Feeds",
	.newer = "Newer",
	.older = "Older",
	.page = "Page",
	.front_page = "Front page",
	.image = "Image",
	.links = "Links",
	.plain_text = "Plain text",
	.table = "table",
	.columns = "columns",
	.preformatted = "preformatted text",
	.lines = "lines",
	.notes = "Notes",
	.months = {"January", "February", "March", "April", "May", "June", "July",
	           "August", "September", "October", "November", "December"},
};

static const struct labels indonesian = {
	.by = "Oleh",
	.published = "Terbit",
	.updated = "Diperbarui",
	.minutes_read = "menit baca",
	.section = "Rubrik",
	.sections = "Rubrik",
	.tags = "Tag",
	.author = "Penulis",
	.related = "Berita terkait",
	.latest = "Berita terbaru",
	.archive = "Arsip",
	.search = "Cari",
	.search_prompt = "Cari berita",
	.results = "Hasil pencarian",
	.no_results = "Tidak ditemukan.",
	.result_one = "hasil",
	.result_many = "hasil",
	.page_of = "dari",
	.newest_first = "Terbaru dulu",
	.best_first = "Paling cocok dulu",
	.next_page = "Halaman berikutnya",
	.previous_page = "Halaman sebelumnya",
	.feeds = "Umpan",
	.newer = "Lebih baru",
	.older = "Lebih lama",
	.page = "Halaman",
	.front_page = "Halaman depan",
	.image = "Gambar",
	.links = "Tautan",
	.plain_text = "Versi teks",
	.table = "tabel",
	.columns = "kolom",
	.preformatted = "teks praformat",
	.lines = "baris",
	.notes = "Catatan",
	.months = {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	           "Agustus", "September", "Oktober", "November", "Desember"},
};

/* Whether the language tag lang ("id", "ID", "id-ID", "id_ID") has the
 * primary subtag code. */
static bool language_is(const char *lang, const char *code)
{
	size_t n = 0;
	while (code[n] != '\0')
		n++;
	if (strncasecmp(lang, code, n) != 0)
		return false;
	return lang[n] == '\0' || lang[n] == '-' || lang[n] == '_';
}

bool labels_known(const char *lang)
{
	return lang != NULL && (language_is(lang, "en") || labels_for(lang) != &english);
}

const struct labels *labels_for(const char *lang)
{
	if (lang == NULL)
		return &english;
	/* "in" is the code Indonesian had before 1989; old feeds still use it. */
	if (language_is(lang, "id") || language_is(lang, "in"))
		return &indonesian;
	return &english;
}
