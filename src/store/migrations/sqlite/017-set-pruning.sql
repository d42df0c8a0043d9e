-- Retention marks the set it prunes, once, instead of every scan that points at it: the set keeps the digest its scans'
-- records hold, and the last scan it covers (scans after it that reuse the set are not pruned).
ALTER TABLE observation_sets ADD COLUMN pruned_digest TEXT;
ALTER TABLE observation_sets ADD COLUMN pruned_through INTEGER;
