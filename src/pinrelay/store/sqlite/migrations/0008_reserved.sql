-- Placeholder on branch issue-15 only: the migration numbers 8 and 9 belong to other
-- branches (issues 11-14). Delete this file when merging; 0010_imports.sql keeps its number.
SELECT 1;
