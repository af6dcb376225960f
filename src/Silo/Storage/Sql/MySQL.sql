-- Granary's schema for Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet 10.x) on MySQL and
-- MariaDB. Orleans reads its statements from OrleansQuery by key and binds @GrainIdHash, @GrainIdN0, @GrainIdN1,
-- @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion and @PayloadBinary;
-- a write or clear answers NewGrainStateVersion, and an unchanged version tells Orleans the write was stale.
-- Applied by AdoNetSchema.cs, which skips each table, index, procedure and query row that already exists.
-- Identity columns compare byte for byte (utf8mb4_bin): grain keys are case-sensitive.

CREATE TABLE OrleansQuery
(
    QueryKey VARCHAR(64) NOT NULL,
    QueryText VARCHAR(8000) NOT NULL,
    PRIMARY KEY (QueryKey)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE TABLE OrleansStorage
(
    GrainIdHash INT NOT NULL,
    GrainIdN0 BIGINT NOT NULL,
    GrainIdN1 BIGINT NOT NULL,
    GrainTypeHash INT NOT NULL,
    GrainTypeString VARCHAR(512) NOT NULL,
    GrainIdExtensionString VARCHAR(512) NULL,
    ServiceId VARCHAR(150) NOT NULL,
    PayloadBinary LONGBLOB NULL,
    ModifiedOn DATETIME NOT NULL,
    Version INT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

CREATE INDEX IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

DELIMITER $$

CREATE PROCEDURE WriteToStorage(
    IN _GrainIdHash INT,
    IN _GrainIdN0 BIGINT,
    IN _GrainIdN1 BIGINT,
    IN _GrainTypeHash INT,
    IN _GrainTypeString VARCHAR(512),
    IN _GrainIdExtensionString VARCHAR(512),
    IN _ServiceId VARCHAR(150),
    IN _GrainStateVersion INT,
    IN _PayloadBinary LONGBLOB)
BEGIN
    DECLARE _Changed INT DEFAULT 0;
    IF _GrainStateVersion IS NOT NULL THEN
        -- Only a writer holding the stored version changes the row.
        UPDATE OrleansStorage
        SET PayloadBinary = _PayloadBinary, ModifiedOn = UTC_TIMESTAMP(), Version = Version + 1
        WHERE GrainIdHash = _GrainIdHash AND GrainTypeHash = _GrainTypeHash
            AND GrainIdN0 = _GrainIdN0 AND GrainIdN1 = _GrainIdN1
            AND GrainTypeString = _GrainTypeString
            AND GrainIdExtensionString <=> _GrainIdExtensionString
            AND ServiceId = _ServiceId
            AND Version = _GrainStateVersion;
        SET _Changed = ROW_COUNT();
        SELECT IF(_Changed > 0, _GrainStateVersion + 1, _GrainStateVersion) AS NewGrainStateVersion;
    ELSE
        -- A first write: only the first writer of a grain inserts.
        INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT _GrainIdHash, _GrainIdN0, _GrainIdN1, _GrainTypeHash, _GrainTypeString, _GrainIdExtensionString, _ServiceId, _PayloadBinary, UTC_TIMESTAMP(), 1
        FROM DUAL
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStorage
            WHERE GrainIdHash = _GrainIdHash AND GrainTypeHash = _GrainTypeHash
                AND GrainIdN0 = _GrainIdN0 AND GrainIdN1 = _GrainIdN1
                AND GrainTypeString = _GrainTypeString
                AND GrainIdExtensionString <=> _GrainIdExtensionString
                AND ServiceId = _ServiceId
            FOR UPDATE);
        SET _Changed = ROW_COUNT();
        SELECT IF(_Changed > 0, 1, NULL) AS NewGrainStateVersion;
    END IF;
END$$

CREATE PROCEDURE ClearStorage(
    IN _GrainIdHash INT,
    IN _GrainIdN0 BIGINT,
    IN _GrainIdN1 BIGINT,
    IN _GrainTypeHash INT,
    IN _GrainTypeString VARCHAR(512),
    IN _GrainIdExtensionString VARCHAR(512),
    IN _ServiceId VARCHAR(150),
    IN _GrainStateVersion INT)
BEGIN
    DECLARE _Changed INT DEFAULT 0;
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, Version = Version + 1
    WHERE GrainIdHash = _GrainIdHash AND GrainTypeHash = _GrainTypeHash
        AND GrainIdN0 = _GrainIdN0 AND GrainIdN1 = _GrainIdN1
        AND GrainTypeString = _GrainTypeString
        AND GrainIdExtensionString <=> _GrainIdExtensionString
        AND ServiceId = _ServiceId
        AND Version = _GrainStateVersion;
    SET _Changed = ROW_COUNT();
    SELECT IF(_Changed > 0, _GrainStateVersion + 1, _GrainStateVersion) AS NewGrainStateVersion;
END$$

DELIMITER ;

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('WriteToStorageKey',
'CALL WriteToStorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);');

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('ReadFromStorageKey',
'SELECT PayloadBinary, UTC_TIMESTAMP(), Version FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString <=> @GrainIdExtensionString
    AND ServiceId = @ServiceId
LIMIT 1;');

INSERT INTO OrleansQuery(QueryKey, QueryText) VALUES ('ClearStorageKey',
'CALL ClearStorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion);');
