#include "itemtype.h"

#include "check.h"

static void test_by_mime(void)
{
	CHECK_INT(item_type_of_mime("text/plain"), '0');
	CHECK_INT(item_type_of_mime("text/gemini"), '1');
	CHECK_INT(item_type_of_mime("text/html; charset=utf-8"), 'h');
	CHECK_INT(item_type_of_mime("image/gif"), 'g');
	CHECK_INT(item_type_of_mime("image/webp"), 'I');
	CHECK_INT(item_type_of_mime("audio/ogg"), 's');
	CHECK_INT(item_type_of_mime("video/webm"), ';');
	CHECK_INT(item_type_of_mime("application/pdf"), 'd');
	CHECK_INT(item_type_of_mime("application/zip"), '5');
	CHECK_INT(item_type_of_mime("application/octet-stream"), '9');
	CHECK_INT(item_type_of_mime(""), '9');
	CHECK_INT(item_type_of_mime(NULL), '9');
}

/* A link in an article and a menu line for the same file agree: the path's
 * extension goes through the MIME table. */
static void test_by_path(void)
{
	CHECK_INT(item_type_of_path("/"), '1');
	CHECK_INT(item_type_of_path(""), '1');
	CHECK_INT(item_type_of_path("/section/berita/"), '1');
	CHECK_INT(item_type_of_path("/2024/banjir-di-makassar"), '0');
	CHECK_INT(item_type_of_path("/v1.2/catatan"), '0');
	CHECK_INT(item_type_of_path("/laporan/anggaran-2024.pdf"), 'd');
	CHECK_INT(item_type_of_path("/laporan/ANGGARAN.PDF"), 'd');
	CHECK_INT(item_type_of_path("/foto/pantai.JPG"), 'I');
	CHECK_INT(item_type_of_path("/foto/animasi.gif"), 'g');
	CHECK_INT(item_type_of_path("/halaman.html"), 'h');
	CHECK_INT(item_type_of_path("/catatan.md"), '0');
	CHECK_INT(item_type_of_path("/feed.xml?page=2"), '0');
	CHECK_INT(item_type_of_path("/suara/wawancara.ogg"), 's');
	CHECK_INT(item_type_of_path("/arsip.zip#part"), '5');
	CHECK_INT(item_type_of_path("/data.bin"), '9');
	CHECK_INT(item_type_of_path("/berkas."), '9');
	CHECK_INT(item_type_of_path("/cari?q=a.b"), '0');
	CHECK_INT(item_type_of_path("/文書/報告.pdf"), 'd');
	for (const char *p = "/a.pdf"; *p != '\0'; p++) /* every suffix of one path: no crash */
		CHECK(item_type_of_path(p) != 0);
	CHECK_INT(item_type_of_path("/a.pdf"), item_type_of_mime("application/pdf"));
}

int main(void)
{
	RUN(test_by_mime);
	RUN(test_by_path);
	return check_report();
}
