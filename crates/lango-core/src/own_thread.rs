//! Work that must not queue behind the web server's tasks: a group committer makes a
//! round trip to the database for every statement of its group, and on a runtime busy with
//! thousands of requests each wake-up waited its turn behind them (measured: four fifths
//! of a group's time). On a thread of its own it runs the moment its answer arrives.
//!
//! Every such thread runs on one CPU, the last the process may use, and so do the SQLite
//! threads its connections start (a new thread keeps its parent's CPUs). A statement is a
//! hand-over to the connection's thread and back; on a virtual machine waking a thread on
//! the other CPU costs an interrupt through the hypervisor each time. Measured on the
//! 2-core machine (`lango-bench centres --no-http`), the same day of 60,000 tickets: on
//! both CPUs the committer kept up with 1,250 of the 1,500 tickets a second offered, a
//! call's p99 76 ms; with the whole process on one CPU it kept up, p99 15 ms.

use std::future::Future;

/// Runs `task` to its end on a new thread named `name` with a runtime of its own, which
/// watches sockets only when `sockets` (a PostgreSQL connection): a SQLite connection's
/// answers wake it through a futex, cheaper than the socket driver's eventfd and epoll (a
/// round trip for every statement).
pub fn spawn<F>(name: &str, sockets: bool, task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            on_one_cpu();
            let mut runtime = tokio::runtime::Builder::new_current_thread();
            if sockets {
                runtime.enable_io();
            }
            let runtime = runtime
                .enable_time()
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

/// Keeps the calling thread (and the threads it starts) on the last CPU the process may use,
/// when it may use more than one.
fn on_one_cpu() {
    let Some(cpus) = core_affinity::get_core_ids() else {
        return;
    };
    if let (true, Some(&last)) = (cpus.len() > 1, cpus.last()) {
        if !core_affinity::set_for_current(last) {
            tracing::debug!("could not keep a committer on one CPU");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_thread_of_its_own_and_the_threads_it_starts_keep_to_one_cpu() {
        let allowed = core_affinity::get_core_ids().expect("this thread's CPUs");
        let (tx, rx) = std::sync::mpsc::channel();
        super::spawn("pinned", false, async move {
            let own = core_affinity::get_core_ids().expect("its CPUs");
            // As sqlx starts a SQLite connection's thread: from the committer's thread.
            let child = std::thread::spawn(core_affinity::get_core_ids)
                .join()
                .expect("the child thread")
                .expect("its CPUs");
            tx.send((own, child)).expect("the test waits");
        });
        let (own, child) = rx.recv().expect("the thread reports");
        if allowed.len() > 1 {
            assert_eq!(own.len(), 1, "{own:?}");
            assert_eq!(own.last(), allowed.last());
        } else {
            assert_eq!(own, allowed);
        }
        assert_eq!(child, own, "a thread it starts keeps its CPU");
    }
}
