-- Granary's schema for Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet 10.x) on PostgreSQL.
-- Orleans reads its statements from OrleansQuery by key and binds @GrainIdHash, @GrainIdN0, @GrainIdN1,
-- @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion and @PayloadBinary;
-- a write or clear answers NewGrainStateVersion, and an unchanged version tells Orleans the write was stale.
-- Applied by AdoNetSchema.cs, which skips each table, index, function and query row that already exists.

CREATE TABLE OrleansQuery
(
    QueryKey varchar(64) NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

CREATE TABLE OrleansStorage
(
    GrainIdHash integer NOT NULL,
    GrainIdN0 bigint NOT NULL,
    GrainIdN1 bigint NOT NULL,
    GrainTypeHash integer NOT NULL,
    GrainTypeString varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512),
    ServiceId varchar(150) NOT NULL,
    PayloadBinary bytea,
    ModifiedOn timestamp NOT NULL,
    Version integer
);

CREATE INDEX IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

CREATE FUNCTION WriteToStorage(
    _GrainIdHash integer,
    _GrainIdN0 bigint,
    _GrainIdN1 bigint,
    _GrainTypeHash integer,
    _GrainTypeString varchar,
    _GrainIdExtensionString varchar,
    _ServiceId varchar,
    _GrainStateVersion integer,
    _PayloadBinary bytea)
RETURNS TABLE(NewGrainStateVersion integer)
LANGUAGE plpgsql
AS $body$
DECLARE
    _Changed integer := 0;
BEGIN
    IF _GrainStateVersion IS NOT NULL THEN
        -- Only a writer holding the stored version changes the row.
        UPDATE OrleansStorage
        SET PayloadBinary = _PayloadBinary, ModifiedOn = (now() AT TIME ZONE 'utc'), Version = Version + 1
        WHERE GrainIdHash = _GrainIdHash AND GrainTypeHash = _GrainTypeHash
            AND GrainIdN0 = _GrainIdN0 AND GrainIdN1 = _GrainIdN1
            AND GrainTypeString = _GrainTypeString
            AND GrainIdExtensionString IS NOT DISTINCT FROM _GrainIdExtensionString
            AND ServiceId = _ServiceId
            AND Version = _GrainStateVersion;
        GET DIAGNOSTICS _Changed = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN _Changed > 0 THEN _GrainStateVersion + 1 ELSE _GrainStateVersion END;
    ELSE
        -- A first write: writers of one grain take turns, and only the first one inserts.
        PERFORM pg_advisory_xact_lock(_GrainIdHash);
        INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT _GrainIdHash, _GrainIdN0, _GrainIdN1, _GrainTypeHash, _GrainTypeString, _GrainIdExtensionString, _ServiceId, _PayloadBinary, (now() AT TIME ZONE 'utc'), 1
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStorage
            WHERE GrainIdHash = _GrainIdHash AND GrainTypeHash = _GrainTypeHash
                AND GrainIdN0 = _GrainIdN0 AND GrainIdN1 = _GrainIdN1
                AND GrainTypeString = _GrainTypeString
                AND GrainIdExtensionString IS NOT DISTINCT FROM _GrainIdExtensionString
                AND ServiceId = _ServiceId);
        GET DIAGNOSTICS _Changed = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN _Changed > 0 THEN 1 ELSE NULL::integer END;
    END IF;
END
$body$;

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('WriteToStorageKey',
'SELECT NewGrainStateVersion FROM WriteToStorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)');

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('ReadFromStorageKey',
'SELECT PayloadBinary, (now() AT TIME ZONE ''utc''), Version FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
    AND ServiceId = @ServiceId');

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('ClearStorageKey',
'UPDATE OrleansStorage SET PayloadBinary = NULL, Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
    AND ServiceId = @ServiceId
    AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion');
