/* Measure texts from Markdown: headings, bodies, line breaks and titles. */
#include <string.h>

#include "catalogue_text.h"
#include "unit.h"

struct seen {
	int count;
	char refs[8][16];
	char bodies[8][256];
	int stop_at; /* 0: never */
};

static int
collect(void *arg, const char *ref, const char *body)
{
	struct seen *s = arg;

	if (s->stop_at != 0 && s->count + 1 == s->stop_at)
		return -1;
	if (s->count < 8) {
		snprintf(s->refs[s->count], sizeof(s->refs[0]), "%s", ref);
		snprintf(s->bodies[s->count], sizeof(s->bodies[0]), "%s",
		    body);
	}
	s->count++;
	return 0;
}

static void
test_parse(void)
{
	static const char doc[] =
	    "# DEEL 2 MAATREGELEN\n"
	    "Introduction that belongs to no measure.\n"
	    "\n"
	    "## 5.01.01\n"
	    "First line of the measure.\n"
	    "- a point\n"
	    "\n"
	    "## 5.01.02\r\n"
	    "Two parts.<br><br>\n"
	    "Second part.\n"
	    "## Not a ref\n"
	    "Skipped text.\n"
	    "## 8.15.01\n";
	struct seen s = { 0 };
	char err[256];

	CHECK(catalogue_text_parse(doc, collect, &s, err, sizeof(err)) == 3);
	CHECK(s.count == 3);
	CHECK_STR(s.refs[0], "5.01.01");
	CHECK_STR(s.bodies[0], "First line of the measure.\n- a point");
	CHECK_STR(s.refs[1], "5.01.02");
	CHECK_STR(s.bodies[1], "Two parts.\n\nSecond part.");
	CHECK_STR(s.refs[2], "8.15.01");
	CHECK_STR(s.bodies[2], "");
}

static void
test_errors(void)
{
	struct seen s = { 0 };
	char err[256] = "";

	CHECK(catalogue_text_parse("# Title\nno measures\n", collect, &s, err,
	    sizeof(err)) < 0);
	CHECK(strstr(err, "## 5.01.01") != NULL);
	s.stop_at = 2;
	CHECK(catalogue_text_parse("## 5.1\na\n## 5.2\nb\n", collect, &s, err,
	    sizeof(err)) < 0);
	CHECK(strstr(err, "5.2") != NULL);
}

static void
test_title(void)
{
	char out[16];

	catalogue_text_title("Short.\nMore", out, sizeof(out));
	CHECK_STR(out, "Short.");
	catalogue_text_title("A title that is too long", out, sizeof(out));
	CHECK_STR(out, "A title that...");
	CHECK(strlen(out) < sizeof(out));
	catalogue_text_title("Abcdefghijklmnopqrstuvwxyz", out, sizeof(out));
	CHECK_STR(out, "Abcdefghijkl...");
	/* "é" is two bytes; the cut must not fall between them. */
	catalogue_text_title("ééééééééééééé", out, sizeof(out));
	CHECK_STR(out, "éééééé...");
}

int
main(void)
{
	test_parse();
	test_errors();
	test_title();
	return unit_finish();
}
