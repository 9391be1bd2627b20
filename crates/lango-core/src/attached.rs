//! What a node keeps in memory beside its database handle: one value per type, shared by
//! every clone of the handle ([`crate::db::Db::attached`]). A room's in-process knowledge of
//! the database (the API keys it has already checked, say) lives exactly as long as the
//! handle, and another handle to the same database (a command's, a test's) has its own.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The values attached to one database handle, by type.
#[derive(Default)]
pub struct Attached(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Attached {
    /// The handle's `T`, made with `T::default()` on first use.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        // A panic elsewhere while holding the lock leaves the map whole: keep using it.
        let mut values = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let value = values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        Arc::clone(value)
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("each value is kept under its own type"))
    }
}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Attached")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn one_value_per_type_shared_by_every_getter() {
        let attached = Attached::default();
        attached.get::<AtomicU32>().fetch_add(2, Ordering::Relaxed);
        assert_eq!(attached.get::<AtomicU32>().load(Ordering::Relaxed), 2);
        assert_eq!(
            attached
                .get::<std::sync::atomic::AtomicU64>()
                .load(Ordering::Relaxed),
            0
        );
        assert_eq!(
            Attached::default()
                .get::<AtomicU32>()
                .load(Ordering::Relaxed),
            0
        );
    }
}
