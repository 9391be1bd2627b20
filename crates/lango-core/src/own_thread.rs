//! Work that must not queue behind the web server's tasks: a group committer makes a
//! round trip to the database for every statement of its group, and on a runtime busy with
//! thousands of requests each wake-up waited its turn behind them (measured: four fifths
//! of a group's time). On a thread of its own it runs the moment its answer arrives.

use std::future::Future;

/// Runs `task` to its end on a new thread named `name` with a runtime of its own.
pub fn spawn<F>(name: &str, task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for a thread of its own");
            runtime.block_on(async move {
                task.await;
                // A pooled connection returns to its pool from a task: let it run.
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            });
        })
        .expect("a thread of its own");
}
