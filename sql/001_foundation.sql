-- Catalogue, Statement of Applicability, API tokens and the audit log.
-- The daemon applies this file inside one transaction; schema_migrations
-- itself is created by the daemon before any migration runs.

CREATE TABLE framework (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9.-]{0,63}$'),
    name        text NOT NULL,
    version     text NOT NULL,
    published   date,
    maps_to     text REFERENCES framework (id),
    source      text,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);

-- One catalogue entry: an ISO Annex A control or a BIO2 government
-- measure. sort_key contains the numeric parts of ref so that 5.2 sorts
-- before 5.10.
CREATE TABLE control (
    framework_id     text NOT NULL REFERENCES framework (id),
    ref              text NOT NULL CHECK (ref ~ '^[0-9]+(\.[0-9]+)*$'),
    sort_key         integer[] NOT NULL,
    title            text,
    theme            text NOT NULL CHECK (theme IN
                         ('organizational', 'people', 'physical',
                          'technological')),
    new_in_2022      boolean NOT NULL DEFAULT false,
    catalogue_status text NOT NULL DEFAULT 'active' CHECK (catalogue_status IN
                         ('active', 'no_government_measure', 'moved',
                          'lapsed')),
    iso_control      text,
    moved_to         text,
    categories       text[] NOT NULL DEFAULT '{}',
    -- Measure text imported from the user's own copy; never shipped.
    body             text,
    PRIMARY KEY (framework_id, ref)
);

CREATE INDEX control_sort ON control (framework_id, sort_key);

-- Cross-framework links, such as a BIO2 measure to its ISO control.
CREATE TABLE control_mapping (
    from_framework text NOT NULL,
    from_ref       text NOT NULL,
    to_framework   text NOT NULL,
    to_ref         text NOT NULL,
    relation       text NOT NULL DEFAULT 'implements',
    PRIMARY KEY (from_framework, from_ref, to_framework, to_ref),
    FOREIGN KEY (from_framework, from_ref) REFERENCES control,
    FOREIGN KEY (to_framework, to_ref) REFERENCES control
);

CREATE INDEX control_mapping_to ON control_mapping (to_framework, to_ref);

CREATE TABLE soa_entry (
    framework_id   text NOT NULL,
    ref            text NOT NULL,
    applicable     boolean,
    justification  text CHECK (length(justification) <= 4000),
    status         text NOT NULL DEFAULT 'not_started' CHECK (status IN
                       ('not_started', 'planned', 'partial', 'implemented',
                        'not_applicable')),
    owner          text CHECK (length(owner) <= 200),
    evidence       text[] NOT NULL DEFAULT '{}',
    reviewed_at    timestamptz,
    next_review_at timestamptz,
    version        integer NOT NULL DEFAULT 1,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text,
    PRIMARY KEY (framework_id, ref),
    FOREIGN KEY (framework_id, ref) REFERENCES control,
    CHECK ((applicable IS DISTINCT FROM false) = (status <> 'not_applicable')),
    CHECK (applicable IS DISTINCT FROM false
           OR length(btrim(coalesce(justification, ''))) > 0),
    CHECK (next_review_at IS NULL OR reviewed_at IS NULL
           OR next_review_at >= reviewed_at)
);

CREATE INDEX soa_entry_status ON soa_entry (status);

CREATE TABLE api_token (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role        text NOT NULL CHECK (role IN ('admin', 'ciso', 'auditor')),
    secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz
);

-- Append-only change history. Each record's hash covers its content and
-- the previous record's hash, so a changed or removed record breaks the
-- chain that /api/v1/audit/verify recomputes.
CREATE SEQUENCE audit_log_seq;

CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL,
    action      text NOT NULL,
    object      text NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text,
    prev_hash   bytea,
    hash        bytea NOT NULL
);

CREATE INDEX audit_log_object ON audit_log (object, seq);

-- The text a record's hash covers; audit_verify() must use the same.
CREATE FUNCTION audit_record_digest(r audit_log, prev bytea)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(
        coalesce(prev, ''::bytea) ||
        convert_to(concat_ws(E'\x1f',
            r.seq::text,
            to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            r.actor, r.action, r.object,
            coalesce(r.before::text, ''), coalesce(r.after::text, ''),
            coalesce(r.request_id, '')), 'UTF8'))
$$;

-- Chains a new record to the last one. The advisory lock serialises
-- writers until commit, so two transactions cannot both chain to the same
-- predecessor, and seq is drawn under the lock so that seq order is chain
-- order.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7262348100);
    NEW.seq := nextval('audit_log_seq');
    NEW.at := clock_timestamp();
    SELECT hash INTO NEW.prev_hash FROM audit_log
        ORDER BY seq DESC LIMIT 1;
    NEW.hash := audit_record_digest(NEW, NEW.prev_hash);
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records cannot be changed or removed'
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- Recomputes the chain; returns the first record whose hash or link does
-- not match, or NULL when the whole chain is intact.
CREATE FUNCTION audit_verify(OUT first_bad_seq bigint, OUT records bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r audit_log;
    prev bytea := NULL;
BEGIN
    records := 0;
    first_bad_seq := NULL;
    FOR r IN SELECT * FROM audit_log ORDER BY seq LOOP
        records := records + 1;
        IF first_bad_seq IS NULL AND (
               r.prev_hash IS DISTINCT FROM prev
               OR r.hash <> audit_record_digest(r, prev)) THEN
            first_bad_seq := r.seq;
        END IF;
        prev := r.hash;
    END LOOP;
END
$$;
