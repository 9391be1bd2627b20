//! What the node's group committers (queue, exchange log, submissions, receipts) share:
//! each takes jobs from a channel and answers every caller once its group has committed.

/// Hands a job made by `job` to the committer behind `jobs` and waits for its answer; the
/// committer `name`d having stopped is an internal error.
pub async fn ask<J, T>(
    jobs: &tokio::sync::mpsc::Sender<J>,
    name: &str,
    job: impl FnOnce(tokio::sync::oneshot::Sender<crate::Result<T>>) -> J,
) -> crate::Result<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let stopped = || crate::Error::Internal(format!("the {name} committer has stopped"));
    jobs.send(job(reply)).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

/// Waits for a committer's next group in `jobs`: at least one job, then what arrives while
/// it lets other tasks run `yields` times, up to `limit`. Callers answered by the last
/// commit are sending their next jobs right now: letting them run first merges them into
/// this group instead of the next. False once every sender has gone.
pub async fn next_group<J>(
    rx: &mut tokio::sync::mpsc::Receiver<J>,
    jobs: &mut Vec<J>,
    limit: usize,
    yields: usize,
) -> bool {
    if rx.recv_many(jobs, limit).await == 0 {
        return false;
    }
    for _ in 0..yields {
        tokio::task::yield_now().await;
        while jobs.len() < limit {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
    }
    true
}
