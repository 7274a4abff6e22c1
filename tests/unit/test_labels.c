#include "labels.h"

#include "check.h"

static void test_english_default(void)
{
	CHECK_STR(labels_for(NULL)->by, "By");
	CHECK_STR(labels_for("en")->minutes_read, "min read");
	CHECK_STR(labels_for("fr")->links, "Links");
	CHECK_STR(labels_for("")->months[0], "January");
	/* "ind" is not "id": only the whole primary subtag matches. */
	CHECK_STR(labels_for("ind")->by, "By");
}

static void test_indonesian(void)
{
	CHECK_STR(labels_for("id")->by, "Oleh");
	CHECK_STR(labels_for("ID")->section, "Rubrik");
	CHECK_STR(labels_for("id-ID")->minutes_read, "menit baca");
	CHECK_STR(labels_for("id_ID")->months[11], "Desember");
	CHECK_STR(labels_for("in")->image, "Gambar");
}

static void test_every_label_set(void)
{
	const char *langs[] = {"en", "id"};
	for (int l = 0; l < 2; l++) {
		const struct labels *t = labels_for(langs[l]);
		const char *all[] = {t->by, t->published, t->updated, t->minutes_read,
		                     t->section, t->sections, t->tags, t->author, t->related,
		                     t->latest, t->archive, t->search, t->search_prompt,
		                     t->results, t->no_results, t->feeds, t->newer, t->older,
		                     t->page, t->front_page, t->image, t->links,
		                     t->result_one, t->result_many, t->page_of, t->newest_first,
		                     t->best_first, t->next_page, t->previous_page};
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
			CHECK(all[i] != NULL && all[i][0] != '\0');
		for (int m = 0; m < 12; m++)
			CHECK(t->months[m] != NULL && t->months[m][0] != '\0');
	}
}

int main(void)
{
	RUN(test_english_default);
	RUN(test_indonesian);
	RUN(test_every_label_set);
	return check_report();
}
