-- The directory search also finds practice names (shown with the location, so indexed by its visibility)
-- and specialties (their own visibility), with the same rule as migration 0007: a field goes to the
-- *_public column only when public, to the *_members column when public or members-only. FTS5 tables take
-- no ADD COLUMN, so the index is rebuilt: existing rows are copied, the new columns filled from the profile.
CREATE VIRTUAL TABLE `member_directory_search_next` USING fts5(
  `user_id` UNINDEXED,
  `name`,
  `country_public`,
  `city_public`,
  `languages_public`,
  `practice_public`,
  `specialties_public`,
  `country_members`,
  `city_members`,
  `languages_members`,
  `practice_members`,
  `specialties_members`,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `member_directory_search_next` (
  `user_id`, `name`,
  `country_public`, `city_public`, `languages_public`, `practice_public`, `specialties_public`,
  `country_members`, `city_members`, `languages_members`, `practice_members`, `specialties_members`
)
SELECT
  s.`user_id`, s.`name`,
  s.`country_public`, s.`city_public`, s.`languages_public`,
  CASE WHEN p.`location_visibility` = 'public' THEN p.`practice_name` ELSE '' END,
  CASE WHEN p.`specialties_visibility` = 'public'
    THEN coalesce((SELECT group_concat(j.`value`, ' ') FROM json_each(p.`specialties_json`) j), '') ELSE '' END,
  s.`country_members`, s.`city_members`, s.`languages_members`,
  CASE WHEN p.`location_visibility` <> 'hidden' THEN p.`practice_name` ELSE '' END,
  CASE WHEN p.`specialties_visibility` <> 'hidden'
    THEN coalesce((SELECT group_concat(j.`value`, ' ') FROM json_each(p.`specialties_json`) j), '') ELSE '' END
FROM `member_directory_search` s
JOIN `member_profiles` p ON p.`user_id` = s.`user_id`;
--> statement-breakpoint
DROP TABLE `member_directory_search`;
--> statement-breakpoint
ALTER TABLE `member_directory_search_next` RENAME TO `member_directory_search`;
