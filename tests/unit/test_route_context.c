#include "routes.h"

#include <stdlib.h>

#include "check.h"

static void test_start_clears_result(void)
{
	struct vhost vh = {.lang = "id"};
	struct snapshot snap = {.vhost = &vh};
	struct origin origin = {.host = "kabar.example", .port = 70};
	struct route_result result = {.kind = ROUTE_PAGE, .gopher_type = '0'};
	struct route_context ctx;
	route_context_start(&ctx, &snap, OUTPUT_GOPHER, &origin, &result);
	CHECK_INT(result.kind, ROUTE_NONE);
	CHECK_INT(result.gopher_type, 0);
	CHECK(ctx.result == &result);
	CHECK(ctx.origin == &origin);
	CHECK_STR(ctx.labels->by, "Oleh");
	CHECK(ctx.now > 0);
}

static void test_page_and_not_found(void)
{
	struct vhost vh = {.wrap_columns = 60};
	struct snapshot snap = {.vhost = &vh};
	struct route_result result;
	struct route_context ctx;
	route_context_start(&ctx, &snap, OUTPUT_GEMINI, NULL, &result);
	struct page p;
	routes_begin_page(&ctx, &p);
	CHECK_INT(result.kind, ROUTE_PAGE);
	CHECK_STR(result.mime, "text/gemini");
	CHECK_INT(p.form, PAGE_GEMTEXT);
	CHECK_INT(p.wrap_columns, 60);
	buf_append(&result.body, "partial", 7);
	routes_not_found(&ctx);
	CHECK_INT(result.kind, ROUTE_NOT_FOUND);
	CHECK_INT(result.body.len, 0);
	route_result_free(&result);
}

static void test_site_title_and_page_size(void)
{
	char *names[] = {"berita.example"};
	struct vhost vh = {.names = names, .n_names = 1, .page_size = 0};
	struct snapshot snap = {.vhost = &vh};
	struct route_context ctx = {.snap = &snap};
	CHECK_STR(routes_site_title(&vh), "berita.example");
	vh.title = "Kabar Rakyat — 民报";
	CHECK_STR(routes_site_title(&vh), "Kabar Rakyat — 民报");
	struct vhost nameless = {0};
	CHECK_STR(routes_site_title(&nameless), "Kabar");
	CHECK_INT(routes_page_size(&ctx), 1);
	vh.page_size = -5;
	CHECK_INT(routes_page_size(&ctx), 1);
	vh.page_size = 25;
	CHECK_INT(routes_page_size(&ctx), 25);
}

int main(void)
{
	RUN(test_start_clears_result);
	RUN(test_page_and_not_found);
	RUN(test_site_title_and_page_size);
	return check_report();
}
