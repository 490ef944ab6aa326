-- Member directory search. One row per listed member in good standing (active or grace), rewritten by the
-- directory service whenever the profile, the listing choice or the membership status changes. A field is
-- written to the *_public column only when its visibility is 'public', and to the *_members column when it
-- is 'public' or 'members', so a search can never match on a field the viewer may not see: anonymous
-- searches use the *_public columns, members' searches the *_members columns. Names are always visible to
-- anyone who may see the listing.
CREATE VIRTUAL TABLE `member_directory_search` USING fts5(
  `user_id` UNINDEXED,
  `name`,
  `country_public`,
  `city_public`,
  `languages_public`,
  `country_members`,
  `city_members`,
  `languages_members`,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Account erasure must remove personal data from the audit trail while keeping the trail: the only change
-- now allowed to a written row is clearing its IP address and replacing its details with the redaction
-- marker; who (by id, a pseudonym once the user is erased), what and when stay as written.
DROP TRIGGER `audit_log_no_update`;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN NOT (
  NEW.`id` = OLD.`id`
  AND NEW.`at` = OLD.`at`
  AND NEW.`action` = OLD.`action`
  AND NEW.`actor_id` IS OLD.`actor_id`
  AND NEW.`subject_id` IS OLD.`subject_id`
  AND NEW.`ip_address` IS NULL
  AND (NEW.`details` = OLD.`details` OR NEW.`details` = '{"redacted":true}')
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
-- The association's five membership categories (DESIGN.md, Roles). Admins edit them later; this only
-- creates them on a new database.
INSERT OR IGNORE INTO `membership_categories` (`id`, `name`, `description`, `term`, `evidence_required`, `min_documents`, `applicants`, `eligible_professions_json`, `archived`, `sort_order`, `updated_at`) VALUES
('practitioner', 'Practitioner', 'For physicians, nurses, therapists and technicians who deliver or supervise external counterpulsation. Practitioners are listed in the directory, study the curriculum and sit the certification examinations.', 'annual', 'A copy of your current professional licence or registration, and a letter or log showing your ECP practice.', 1, 'anyone', '[]', 0, 1, 0),
('founding', 'Founding member', 'For the practitioners and researchers who founded the association. Founding membership is for life and is granted by the board; it cannot be applied for.', 'lifetime', 'None: granted by the board.', 0, 'by-invitation', '[]', 0, 2, 0),
('honorary', 'Honorary member (industry)', 'For manufacturers and distributors of ECP devices who support the association''s education and research. Honorary members do not vote and are not listed as practitioners.', 'annual', 'A letter on company paper naming your role and the ECP devices your company makes or distributes.', 1, 'anyone', '["industry"]', 0, 3, 0),
('student', 'Student or trainee', 'For students and trainees in a recognised health-care programme who are learning to deliver ECP under supervision.', 'annual', 'Proof of enrolment in a health-care programme, or a letter from your supervising practitioner.', 1, 'anyone', '[]', 0, 4, 0),
('institutional', 'Institutional (ECP centre)', 'For hospitals and clinics that run an ECP service. The membership names the centre; its staff join as practitioners.', 'annual', 'Evidence that the centre runs an ECP service (for example a service description on headed paper) and the name of its lead practitioner.', 1, 'anyone', '[]', 0, 5, 0);
