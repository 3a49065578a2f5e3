/*
 * Unit tests of daemon/catalogue.c without a database: the shipped
 * catalogue files, ref parsing and ordering, the rejection of invalid
 * documents and the checks that catalogue_load_dir() runs before it
 * writes. Run from the repository root, or set ISMSD_CONTROLS_DIR to the
 * directory with the shipped *.json files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue.h"
#include "unit.h"

#define ERR_BYTES 512

static const char *
controls_dir(void)
{
	const char *dir = getenv("ISMSD_CONTROLS_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : "controls";
}

static struct catalogue *
read_shipped(const char *name)
{
	char path[1024], err[ERR_BYTES] = "";
	struct catalogue *cat;

	snprintf(path, sizeof(path), "%s/%s", controls_dir(), name);
	cat = catalogue_read_file(path, err, sizeof(err));
	if (cat == NULL)
		fprintf(stderr, "cannot load %s: %s\n", path, err);
	return cat;
}

static const struct catalogue_control *
find_control(const struct catalogue *cat, const char *ref)
{
	size_t i;

	for (i = 0; i < cat->ncontrols; i++) {
		if (strcmp(cat->controls[i].ref, ref) == 0)
			return &cat->controls[i];
	}
	return NULL;
}

static int
has_category(const struct catalogue_control *c, const char *category)
{
	size_t i;

	for (i = 0; i < c->ncategories; i++) {
		if (strcmp(c->categories[i], category) == 0)
			return 1;
	}
	return 0;
}

/* Checks that the controls of cat are listed in catalogue order. */
static int
is_sorted(const struct catalogue *cat)
{
	size_t i;

	for (i = 1; i < cat->ncontrols; i++) {
		if (catalogue_ref_compare(
			cat->controls[i - 1].ref, cat->controls[i].ref) >= 0) {
			fprintf(stderr, "%s is not before %s\n",
			    cat->controls[i - 1].ref, cat->controls[i].ref);
			return 0;
		}
	}
	return 1;
}

static void
test_ref_parts(void)
{
	static const char *const invalid[] = {"", "5..1", "5.", ".5", "a.1",
	    "5.a", "5 .1", " 5", "+5", "-5", "5.-1", "5,1", "5.1 ",
	    "1234567890", "1.2.3.4.5.6.7.8.9", NULL};
	int parts[CATALOGUE_MAX_REF_PARTS];
	size_t i;

	CHECK(catalogue_ref_parts("5", parts, CATALOGUE_MAX_REF_PARTS) == 1);
	CHECK(parts[0] == 5);
	CHECK(catalogue_ref_parts("5.10", parts, CATALOGUE_MAX_REF_PARTS) == 2);
	CHECK(parts[0] == 5);
	CHECK(parts[1] == 10);
	CHECK(catalogue_ref_parts("5.01.01", parts, CATALOGUE_MAX_REF_PARTS) ==
	    3);
	CHECK(parts[0] == 5);
	CHECK(parts[1] == 1);
	CHECK(parts[2] == 1);
	CHECK(catalogue_ref_parts(
		  "999999999", parts, CATALOGUE_MAX_REF_PARTS) == 1);
	CHECK(parts[0] == 999999999);
	CHECK(catalogue_ref_parts(
		  "1.2.3.4.5.6.7.8", parts, CATALOGUE_MAX_REF_PARTS) == 8);
	CHECK(catalogue_ref_parts("123456789.2.3.4.5.6.7.123456789", parts,
		  CATALOGUE_MAX_REF_PARTS) == 8);
	CHECK(parts[7] == 123456789);
	CHECK(catalogue_ref_parts("1.2.3", parts, 2) == -1);
	CHECK(catalogue_ref_parts(NULL, parts, CATALOGUE_MAX_REF_PARTS) == -1);
	for (i = 0; invalid[i] != NULL; i++) {
		int n = catalogue_ref_parts(
		    invalid[i], parts, CATALOGUE_MAX_REF_PARTS);

		if (n != -1)
			fprintf(stderr, "ref \"%s\" accepted\n", invalid[i]);
		CHECK(n == -1);
	}
}

static void
test_ref_order(void)
{
	CHECK(catalogue_ref_compare("5.2", "5.10") < 0);
	CHECK(catalogue_ref_compare("5.10", "5.2") > 0);
	CHECK(catalogue_ref_compare("5.9", "6.1") < 0);
	CHECK(catalogue_ref_compare("8.34", "8.4") > 0);
	CHECK(catalogue_ref_compare("5.1", "5.1.1") < 0);
	CHECK(catalogue_ref_compare("5.02.01", "5.10.01") < 0);
	CHECK(catalogue_ref_compare("5.24.07", "5.24.07") == 0);
	/* Same numbers, different text: still a strict order. */
	CHECK(catalogue_ref_compare("5.01", "5.1") != 0);
	CHECK(catalogue_ref_compare("5.1", "x") < 0);
	CHECK(catalogue_ref_compare("x", "5.1") > 0);
}

static void
test_iso_file(void)
{
	static const char *const new_refs[] = {"5.7", "5.23", "5.30", "7.4",
	    "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28", NULL};
	struct catalogue *cat = read_shipped("iso27001-2022.json");
	size_t organizational = 0, people = 0, physical = 0;
	size_t technological = 0, new_count = 0, i;
	const struct catalogue_control *c;

	CHECK(cat != NULL);
	if (cat == NULL)
		return;
	CHECK_STR(cat->id, "iso27001-2022");
	CHECK_STR(cat->name, "ISO/IEC 27001:2022 Annex A");
	CHECK_STR(cat->version, "2022");
	CHECK_STR(cat->published, "2022-10-25");
	CHECK(cat->maps_to == NULL);
	CHECK(cat->ncontrols == 93);
	for (i = 0; i < cat->ncontrols; i++) {
		c = &cat->controls[i];
		CHECK(c->theme != NULL);
		CHECK(c->title != NULL);
		if (c->theme == NULL)
			continue;
		organizational += strcmp(c->theme, "organizational") == 0;
		people += strcmp(c->theme, "people") == 0;
		physical += strcmp(c->theme, "physical") == 0;
		technological += strcmp(c->theme, "technological") == 0;
		new_count += c->new_in_2022;
	}
	CHECK(organizational == 37);
	CHECK(people == 8);
	CHECK(physical == 14);
	CHECK(technological == 34);
	CHECK(new_count == 11);
	for (i = 0; new_refs[i] != NULL; i++) {
		c = find_control(cat, new_refs[i]);
		CHECK(c != NULL);
		if (c != NULL)
			CHECK(c->new_in_2022);
	}
	c = find_control(cat, "5.24");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->title,
		    "Information security incident management "
		    "planning and preparation");
		CHECK_STR(c->theme, "organizational");
		CHECK(!c->new_in_2022);
	}
	CHECK(is_sorted(cat));
	catalogue_free(cat);
}

static void
test_bio2_file(void)
{
	struct catalogue *bio = read_shipped("bio2.json");
	struct catalogue *iso = read_shipped("iso27001-2022.json");
	char seen[128][16]; /* distinct ISO refs of active measures */
	size_t active = 0, nseen = 0, moved = 0, lapsed = 0, none = 0;
	size_t i, j;
	const struct catalogue_control *c;

	CHECK(bio != NULL);
	CHECK(iso != NULL);
	if (bio == NULL || iso == NULL)
		goto done;
	CHECK_STR(bio->id, "bio2");
	CHECK_STR(bio->name, "Baseline Informatiebeveiliging Overheid 2");
	CHECK_STR(bio->version, "1.3");
	CHECK_STR(bio->published, "2026-01-09");
	CHECK_STR(bio->maps_to, "iso27001-2022");
	CHECK(bio->ncontrols == 166);
	for (i = 0; i < bio->ncontrols; i++) {
		c = &bio->controls[i];
		CHECK(c->title == NULL);
		CHECK(c->theme == NULL);
		CHECK(c->iso_control != NULL);
		if (c->iso_control != NULL)
			CHECK(find_control(iso, c->iso_control) != NULL);
		moved += strcmp(c->status, "moved") == 0;
		lapsed += strcmp(c->status, "lapsed") == 0;
		none += strcmp(c->status, "no_government_measure") == 0;
		if (strcmp(c->status, "active") != 0)
			continue;
		active++;
		for (j = 0; j < nseen; j++) {
			if (strcmp(seen[j], c->iso_control) == 0)
				break;
		}
		if (j == nseen && nseen < sizeof(seen) / sizeof(seen[0]))
			snprintf(seen[nseen++], sizeof(seen[0]), "%s",
			    c->iso_control);
	}
	CHECK(active == 118);
	CHECK(nseen == 54);
	CHECK(moved == 5);
	CHECK(lapsed == 4);
	CHECK(none == 39);

	/*
	 * Every moved_to names a measure of the file, except the one that
	 * BIO2 v1.3 itself moves to an id it does not define.
	 */
	for (i = 0; i < bio->ncontrols; i++) {
		c = &bio->controls[i];
		if (c->moved_to == NULL)
			continue;
		if (strcmp(c->ref, "5.26.01") == 0) {
			CHECK_STR(c->moved_to, "5.25.02");
			CHECK(find_control(bio, c->moved_to) == NULL);
			continue;
		}
		CHECK(find_control(bio, c->moved_to) != NULL);
	}

	c = find_control(bio, "5.04.02");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->status, "moved");
		CHECK_STR(c->moved_to, "5.10.02");
		CHECK_STR(c->iso_control, "5.4");
	}
	c = find_control(bio, "5.01.01");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->status, "active");
		CHECK(c->ncategories == 2);
		CHECK(has_category(c, "basishygi\xc3\xabne"));
		CHECK(has_category(c, "ketenhygi\xc3\xabne"));
	}
	c = find_control(bio, "5.03.01");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->status, "no_government_measure");
		CHECK(c->ncategories == 0);
	}
	CHECK(is_sorted(bio));
done:
	catalogue_free(bio);
	catalogue_free(iso);
}

/*
 * Parses a test document written with single quotes in place of double
 * quotes, which keeps the JSON in the tables readable.
 */
static struct catalogue *
parse_quoted(const char *doc, char *err, size_t errlen)
{
	char *text = strdup(doc);
	struct catalogue *cat;
	char *p;

	if (text == NULL)
		return NULL;
	for (p = text; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	cat = catalogue_parse(text, strlen(text), err, errlen);
	free(text);
	return cat;
}

#define ISO_FRAMEWORK                                                          \
	"'format': 'ismsd-catalogue/1', "                                      \
	"'framework': {'id': 'iso', 'name': 'ISO', 'version': '1'}, "
#define MAPPED_FRAMEWORK                                                       \
	"'format': 'ismsd-catalogue/1', "                                      \
	"'framework': {'id': 'gov', 'name': 'Gov', 'version': '1', "           \
	"'maps_to': 'iso'}, "

static void
test_minimal_documents(void)
{
	char err[ERR_BYTES] = "";
	struct catalogue *cat;

	cat = parse_quoted("{" ISO_FRAMEWORK
			   "'controls': [{'ref': '5.10', 'theme': 'people'}, "
			   "{'ref': '5.2', 'theme': 'physical', "
			   "'title': 'Two', 'new_in_2022': true, "
			   "'categories': []}]}",
	    err, sizeof(err));
	CHECK(cat != NULL);
	if (cat != NULL) {
		CHECK(cat->ncontrols == 2);
		CHECK(cat->published == NULL);
		CHECK(cat->source == NULL);
		CHECK(cat->controls[0].title == NULL);
		CHECK_STR(cat->controls[0].status, "active");
		CHECK(!cat->controls[0].new_in_2022);
		CHECK(cat->controls[1].new_in_2022);
		CHECK_STR(cat->controls[1].title, "Two");
	}
	catalogue_free(cat);

	/* A ref of maximum size, 8 numbers of 9 digits, is accepted. */
	cat = parse_quoted("{" ISO_FRAMEWORK
			   "'controls': [{'ref': '123456789.123456789."
			   "123456789.123456789.123456789.123456789."
			   "123456789.123456789', 'theme': 'people'}]}",
	    err, sizeof(err));
	CHECK(cat != NULL);
	catalogue_free(cat);

	cat = parse_quoted("{" MAPPED_FRAMEWORK
			   "'controls': [{'ref': '5.01.01', 'iso_control': "
			   "'5.1', 'status': 'moved', 'moved_to': '5.01.02', "
			   "'categories': ['a', 'b']}, {'ref': '5.01.02', "
			   "'iso_control': '5.1', 'theme': 'people'}]}",
	    err, sizeof(err));
	CHECK(cat != NULL);
	if (cat != NULL) {
		CHECK(cat->controls[0].theme == NULL);
		CHECK_STR(cat->controls[0].moved_to, "5.01.02");
		CHECK(cat->controls[0].ncategories == 2);
		CHECK_STR(cat->controls[1].theme, "people");
	}
	catalogue_free(cat);
}

struct bad_document {
	const char *name;
	const char *doc;
	const char *message; /* the start of the expected message */
};

static const struct bad_document bad_documents[] = {
    {"malformed json", "{'format': ", "invalid JSON at line 1"},
    {"top level array", "[]", "expected a JSON object"},
    {"duplicate key", "{'format': 'ismsd-catalogue/1', 'format': 'x'}",
	"invalid JSON"},
    {"missing format",
	"{'framework': {'id': 'iso', 'name': 'I', 'version': '1'}, "
	"'controls': [{'ref': '5.1', 'theme': 'people'}]}",
	"format: missing"},
    {"wrong format",
	"{'format': 'ismsd-catalogue/2', "
	"'framework': {'id': 'iso', 'name': 'I', 'version': '1'}, "
	"'controls': [{'ref': '5.1', 'theme': 'people'}]}",
	"format: unsupported format \"ismsd-catalogue/2\""},
    {"format not a string", "{'format': 1}",
	"format: expected a string, got a number"},
    {"unknown top member", "{" ISO_FRAMEWORK "'controls': [], 'extra': 1}",
	"extra: unknown member"},
    {"unknown framework member",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'name': 'I', 'version': '1', 'idx': 2}, 'controls': []}",
	"framework.idx: unknown member"},
    {"unknown control member",
	"{" ISO_FRAMEWORK
	"'controls': [{'ref': '5.1', 'theme': 'people', 'text': 'x'}]}",
	"controls[0].text: unknown member"},
    {"framework not an object",
	"{'format': 'ismsd-catalogue/1', 'framework': 'iso', "
	"'controls': []}",
	"framework: expected an object, got a string"},
    {"framework id uppercase",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'ISO', "
	"'name': 'I', 'version': '1'}, 'controls': []}",
	"framework.id: \"ISO\" is not a framework id"},
    {"framework id starts with dot",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': '.iso', "
	"'name': 'I', 'version': '1'}, 'controls': []}",
	"framework.id: \".iso\" is not a framework id"},
    {"framework id null",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': null, "
	"'name': 'I', 'version': '1'}, 'controls': []}",
	"framework.id: expected a string, got null"},
    {"framework name missing",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'version': '1'}, 'controls': []}",
	"framework.name: missing"},
    {"framework version number",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'name': 'I', 'version': 1}, 'controls': []}",
	"framework.version: expected a string, got a number"},
    {"published not a date",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'name': 'I', 'version': '1', 'published': '2023-02-29'}, "
	"'controls': []}",
	"framework.published: \"2023-02-29\" is not a date"},
    {"maps to itself",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'name': 'I', 'version': '1', 'maps_to': 'iso'}, 'controls': []}",
	"framework.maps_to: a framework cannot map to itself"},
    {"controls missing",
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "
	"'name': 'I', 'version': '1'}}",
	"controls: missing"},
    {"controls empty", "{" ISO_FRAMEWORK "'controls': []}",
	"controls: expected 1-"},
    {"controls not an array", "{" ISO_FRAMEWORK "'controls': {}}",
	"controls: expected an array, got an object"},
    {"control not an object", "{" ISO_FRAMEWORK "'controls': ['5.1']}",
	"controls[0]: expected an object, got a string"},
    {"ref missing", "{" ISO_FRAMEWORK "'controls': [{'theme': 'people'}]}",
	"controls[0].ref: missing"},
    {"ref with empty part",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5..1', 'theme': 'people'}]}",
	"controls[0].ref: \"5..1\" is not a ref"},
    {"ref number",
	"{" ISO_FRAMEWORK "'controls': [{'ref': 5.1, 'theme': 'people'}]}",
	"controls[0].ref: expected a string, got a number"},
    {"bad theme",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people'}, "
	"{'ref': '5.2', 'theme': 'tech'}]}",
	"controls[1].theme: \"tech\" is not one of organizational, people, "
	"physical, technological"},
    {"theme missing", "{" ISO_FRAMEWORK "'controls': [{'ref': '5.1'}]}",
	"controls[0].theme: missing"},
    {"new_in_2022 string",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people', "
	"'new_in_2022': 'yes'}]}",
	"controls[0].new_in_2022: expected a boolean, got a string"},
    {"title number",
	"{" ISO_FRAMEWORK
	"'controls': [{'ref': '5.1', 'theme': 'people', 'title': 3}]}",
	"controls[0].title: expected a string, got a number"},
    {"title empty",
	"{" ISO_FRAMEWORK
	"'controls': [{'ref': '5.1', 'theme': 'people', 'title': ''}]}",
	"controls[0].title: must not be empty"},
    {"title with newline",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people', "
	"'title': 'a\\nb'}]}",
	"controls[0].title: contains a control character"},
    {"duplicate ref",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people'}, "
	"{'ref': '5.2', 'theme': 'people'}, "
	"{'ref': '5.1', 'theme': 'physical'}]}",
	"controls[2].ref: \"5.1\" duplicates controls[0].ref \"5.1\""},
    {"same numbers",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people'}, "
	"{'ref': '5.01', 'theme': 'people'}]}",
	"controls[1].ref: \"5.01\" duplicates controls[0].ref \"5.1\""},
    {"bad status",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'status': 'retired'}]}",
	"controls[0].status: \"retired\" is not one of active, "
	"no_government_measure, moved, lapsed"},
    {"moved without moved_to",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'status': 'moved'}]}",
	"controls[0].moved_to: missing"},
    {"moved_to on an active entry",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'moved_to': '5.01.02'}, "
	"{'ref': '5.01.02', 'iso_control': '5.1'}]}",
	"controls[0].moved_to: only allowed when status is \"moved\""},
    {"moved to itself",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'status': 'moved', "
	"'moved_to': '5.01.01'}]}",
	"controls[0].moved_to: an entry cannot move to itself"},
    {"moved_to not a ref",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'status': 'moved', 'moved_to': '5.'}]}",
	"controls[0].moved_to: \"5.\" is not a ref"},
    {"iso_control missing",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'theme': 'people'}]}",
	"controls[0].iso_control: missing"},
    {"iso_control without maps_to",
	"{" ISO_FRAMEWORK "'controls': [{'ref': '5.1', 'theme': 'people', "
	"'iso_control': '5.1'}]}",
	"controls[0].iso_control: only allowed when framework.maps_to"},
    {"categories not an array",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'categories': 'basis'}]}",
	"controls[0].categories: expected an array, got a string"},
    {"category not a string",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'categories': ['a', true]}]}",
	"controls[0].categories[1]: expected a string, got a boolean"},
    {"duplicate category",
	"{" MAPPED_FRAMEWORK "'controls': [{'ref': '5.01.01', "
	"'iso_control': '5.1', 'categories': ['a', 'a']}]}",
	"controls[0].categories[1]: duplicate category"},
    {NULL, NULL, NULL},
};

static void
test_bad_documents(void)
{
	const struct bad_document *c;
	char err[ERR_BYTES];
	struct catalogue *cat;
	int named;

	for (c = bad_documents; c->name != NULL; c++) {
		snprintf(err, sizeof(err), "(no message)");
		cat = parse_quoted(c->doc, err, sizeof(err));
		named = strncmp(err, c->message, strlen(c->message)) == 0;
		if (cat != NULL || !named)
			fprintf(stderr, "case \"%s\": message \"%s\"\n",
			    c->name, err);
		CHECK(cat == NULL);
		CHECK(named);
		catalogue_free(cat);
	}
}

static void
test_read_file_missing(void)
{
	char err[ERR_BYTES] = "";

	CHECK(catalogue_read_file("/nonexistent/x.json", err, sizeof(err)) ==
	    NULL);
	CHECK(strncmp(err, "/nonexistent/x.json: cannot open", 32) == 0);
}

static int
write_file(const char *dir, const char *name, const char *doc)
{
	char path[1024];
	FILE *f;
	const char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	for (p = doc; *p != '\0'; p++)
		fputc(*p == '\'' ? '"' : *p, f);
	return fclose(f);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

#define ISO_DOC                                                                \
	"{'format': 'ismsd-catalogue/1', 'framework': {'id': 'iso', "          \
	"'name': 'I', 'version': '1'}, "                                       \
	"'controls': [{'ref': '5.1', 'theme': 'people'}]}"

/*
 * catalogue_load_dir() must find these faults before it touches the
 * connection, so a NULL connection is enough and the message must not be
 * the one about the missing connection.
 */
static void
test_load_dir_checks(void)
{
	char dir[] = "/tmp/ismsd-test-catalogue-XXXXXX";
	char err[ERR_BYTES] = "";

	CHECK(mkdtemp(dir) != NULL);

	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "no *.json catalogue files", 25) == 0);

	CHECK(write_file(dir, "a.json", ISO_DOC) == 0);
	CHECK(write_file(dir, "b.json",
		  "{'format': 'ismsd-catalogue/1', 'framework': {'id': 'gov', "
		  "'name': 'G', 'version': '1', 'maps_to': 'iso'}, "
		  "'controls': [{'ref': '5.01.01', 'theme': 'tech', "
		  "'iso_control': '5.1'}]}") == 0);
	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/b.json: controls[0].theme: \"tech\"") != NULL);

	CHECK(write_file(dir, "b.json",
		  "{'format': 'ismsd-catalogue/1', 'framework': {'id': 'gov', "
		  "'name': 'G', 'version': '1', 'maps_to': 'iso'}, "
		  "'controls': [{'ref': '5.01.01', 'iso_control': '5.9'}]}") ==
	    0);
	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK(strstr(err,
		  "/b.json: controls[0].iso_control: \"5.9\" is not "
		  "a control of framework iso") != NULL);

	CHECK(write_file(dir, "b.json", ISO_DOC) == 0);
	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/b.json: framework.id: \"iso\" is also the id in") !=
	    NULL);

	CHECK(write_file(dir, "a.json",
		  "{'format': 'ismsd-catalogue/1', 'framework': {'id': 'one', "
		  "'name': 'O', 'version': '1', 'maps_to': 'two'}, "
		  "'controls': [{'ref': '1.1', 'iso_control': '1.1'}]}") == 0);
	CHECK(write_file(dir, "b.json",
		  "{'format': 'ismsd-catalogue/1', 'framework': {'id': 'two', "
		  "'name': 'T', 'version': '1', 'maps_to': 'one'}, "
		  "'controls': [{'ref': '1.1', 'iso_control': '1.1'}]}") == 0);
	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK(strstr(err, "must not form a cycle") != NULL);

	/* Valid files get as far as the connection check. */
	CHECK(write_file(dir, "a.json", ISO_DOC) == 0);
	remove_file(dir, "b.json");
	CHECK(write_file(dir, ".#a.json", "not JSON") == 0);
	CHECK(catalogue_load_dir(NULL, dir, err, sizeof(err)) == -1);
	CHECK_STR(err, "no database connection");

	remove_file(dir, "a.json");
	remove_file(dir, ".#a.json");
	CHECK(rmdir(dir) == 0);
}

int
main(void)
{
	test_ref_parts();
	test_ref_order();
	test_iso_file();
	test_bio2_file();
	test_minimal_documents();
	test_bad_documents();
	test_read_file_missing();
	test_load_dir_checks();
	return unit_finish();
}
