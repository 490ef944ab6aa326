-- The self-declared exercise records of the first curriculum: a module's simulator exercise is now done by a
-- saved practice session reaching its targets (simulator_practice_sessions), so nothing reads or writes them.
DROP TABLE `simulator_exercise_records`;