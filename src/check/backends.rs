//! Finding the service, and the backend of it, that a backendRef points at.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::ir;

/// Each Kubernetes backend object of a model, by `namespace/name`, to the indexes of its
/// service and of the backend in that service.
pub(super) struct BackendIndex {
    by_name: HashMap<String, (usize, usize)>,
    /// The key being looked up, kept to look up without allocating.
    key: RefCell<String>,
}

impl BackendIndex {
    pub(super) fn new(services: &[ir::Service]) -> BackendIndex {
        let mut by_name = HashMap::new();
        for (si, s) in services.iter().enumerate() {
            for (bi, b) in s.backends.iter().enumerate() {
                by_name.insert(format!("{}/{}", s.meta.namespace, b.name), (si, bi));
            }
        }
        BackendIndex {
            by_name,
            key: RefCell::new(String::new()),
        }
    }

    /// The service and backend indexes `r` points at, if it points at one of the model's.
    pub(super) fn find(&self, r: &ir::BackendRef) -> Option<(usize, usize)> {
        let mut key = self.key.borrow_mut();
        key.clear();
        key.push_str(&r.service.namespace);
        key.push('/');
        key.push_str(&r.service.name);
        self.by_name.get(key.as_str()).copied()
    }
}
