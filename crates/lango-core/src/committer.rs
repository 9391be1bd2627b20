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
