#ifndef KABAR_LABELS_H
#define KABAR_LABELS_H

#include <stdbool.h>

/* Words a page shows the reader, in the site's language (English and
 * Indonesian built in; any other language falls back to English). */
struct labels {
	const char *by;            /* "By" / "Oleh" */
	const char *published;     /* "Published" / "Terbit" */
	const char *updated;       /* "Updated" / "Diperbarui" */
	const char *minutes_read;  /* "min read" / "menit baca" */
	const char *section;       /* "Section" / "Rubrik" */
	const char *sections;      /* "Sections" / "Rubrik" */
	const char *tags;          /* "Tags" / "Tag" */
	const char *author;        /* "Author" / "Penulis" */
	const char *related;       /* "Related" / "Berita terkait" */
	const char *latest;        /* "Latest news" / "Berita terbaru" */
	const char *archive;       /* "Archive" / "Arsip" */
	const char *search;        /* "Search" / "Cari" */
	const char *search_prompt; /* "Search the news" / "Cari berita" */
	const char *results;       /* "Results for" / "Hasil pencarian" */
	const char *no_results;    /* "Nothing found." / "Tidak ditemukan." */
	const char *result_one;    /* "result" / "hasil": after "1" */
	const char *result_many;   /* "results" / "hasil": after any other count */
	const char *page_of;       /* "of" / "dari": "Page 2 of 3" */
	const char *newest_first;  /* "Newest first" / "Terbaru dulu" */
	const char *best_first;    /* "Best match first" / "Paling cocok dulu" */
	const char *next_page;     /* "Next page" / "Halaman berikutnya" */
	const char *previous_page; /* "Previous page" / "Halaman sebelumnya" */
	const char *feeds;         /* "Feeds" / "Umpan" */
	const char *newer;         /* "Newer" / "Lebih baru" */
	const char *older;         /* "Older" / "Lebih lama" */
	const char *page;          /* "Page" / "Halaman" */
	const char *front_page;    /* "Front page" / "Halaman depan" */
	const char *image;         /* "Image" / "Gambar" */
	const char *links;         /* "Links" / "Tautan" */
	const char *plain_text;    /* "Plain text" / "Versi teks": an article's text file */
	/* The alt text of a gemtext table or preformatted block without its
	 * own, for screen readers: "table, 4 columns", "preformatted text, 12
	 * lines". */
	const char *table;         /* "table" / "tabel" */
	const char *columns;       /* "columns" / "kolom" */
	const char *preformatted;  /* "preformatted text" / "teks praformat" */
	const char *lines;         /* "lines" / "baris" */
	const char *notes;         /* "Notes" / "Catatan": an article's footnotes */
	const char *months[12];    /* month names for archive titles */
};

const struct labels *labels_for(const char *lang);

/* Whether lang has page words of its own (English and Indonesian); any
 * other language's pages are in English. */
bool labels_known(const char *lang);

#endif
