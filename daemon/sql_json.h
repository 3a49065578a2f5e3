/*
 * SQL expressions that render API objects, shared by the modules that
 * return them. c is a control row, s its soa_entry row (may be NULL).
 * The daemon connects with TimeZone=UTC, so times render with +00:00.
 */
#ifndef ISMSD_SQL_JSON_H
#define ISMSD_SQL_JSON_H

/* The members of a control without its SoA, for json_build_object(). */
#define SQL_CONTROL_MEMBERS                                                \
	"'framework', c.framework_id, 'ref', c.ref, "                      \
	"'title', c.title, 'theme', c.theme, "                             \
	"'new_in_2022', c.new_in_2022, "                                   \
	"'catalogue_status', c.catalogue_status, "                         \
	"'iso_control', c.iso_control, 'moved_to', c.moved_to, "           \
	"'categories', to_json(c.categories)"

#define SQL_SOA_ENTRY_JSON                                                 \
	"json_build_object('framework', s.framework_id, 'ref', s.ref, "    \
	"'title', c.title, 'theme', c.theme, "                             \
	"'iso_control', c.iso_control, "                                   \
	"'applicable', s.applicable, 'justification', s.justification, "   \
	"'status', s.status, 'owner', s.owner, "                           \
	"'evidence', to_json(s.evidence), "                                \
	"'reviewed_at', s.reviewed_at, "                                   \
	"'next_review_at', s.next_review_at, 'version', s.version, "       \
	"'updated_at', s.updated_at, 'updated_by', s.updated_by)"

#endif
