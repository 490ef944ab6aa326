-- INSERT OR REPLACE (and REPLACE INTO) deletes the conflicting row without firing DELETE triggers (unless
-- recursive_triggers is on), so it could rewrite a written audit row past audit_log_no_delete. Refuse any
-- insert that names an id already in the log.
CREATE TRIGGER `audit_log_no_replace` BEFORE INSERT ON `audit_log`
WHEN EXISTS (SELECT 1 FROM `audit_log` WHERE `id` = NEW.`id`)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
