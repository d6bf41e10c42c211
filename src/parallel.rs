//! Work split over the machine's cores (parsing a large file, making and serializing the
//! objects). The calling thread takes the first share itself: its allocator then reuses
//! the memory it has just freed (the syntax trees, before emission), where a new thread
//! would fault fresh pages in (docs/performance.md).

/// How many cores this process may use (1 when that cannot be told).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `work(0)`, …, `work(shares - 1)`, share 0 on the calling thread and each other on a
/// thread of its own; their results, in order.
pub(crate) fn each_share<R: Send>(shares: usize, work: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..shares).map(|i| scope.spawn(move || work(i))).collect();
        let mut out = Vec::with_capacity(shares);
        if shares > 0 {
            out.push(work(0));
        }
        out.extend(
            handles
                .into_iter()
                .map(|h| h.join().expect("a worker thread does not panic")),
        );
        out
    })
}
