-- v10: the platform's job priority and expiry (docs/tunnel.md §6). priority: 1 = ahead of other chats'
-- queued jobs, 2 = normal (every job before v10). expires_at: Unix milliseconds after which a job not
-- yet sent fails 'expired' (Tunnel:JobTtl); NULL = never (local sends, every job before v10).
ALTER TABLE send_jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 2 CHECK (priority IN (1, 2));
ALTER TABLE send_jobs ADD COLUMN expires_at INTEGER;

-- The outbox's order ranks a job by the most urgent pending job of its chat queued after it.
CREATE INDEX send_jobs_pending_chat ON send_jobs (chat, id) WHERE status = 0;
CREATE INDEX send_jobs_expiry ON send_jobs (expires_at) WHERE status = 0 AND expires_at IS NOT NULL;
