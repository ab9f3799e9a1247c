//! The ordered parallel map under both bulk modes: this thread reads, `threads`
//! workers transform, one writer consumes results in input order.
//!
//! At most `4 × threads` chunks are in flight (a token is taken before a chunk
//! is read and given back once it is written), so memory stays bounded however
//! long the input is, and the writer restores input order. When the writer
//! stops (a closed pipe), the reader stops too.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

/// Items per work unit: big enough to amortise channel traffic, small enough
/// that the in-flight window stays small.
const CHUNK: usize = 256;

/// The most worker threads accepted by `--threads`: beyond this the in-flight
/// window only costs memory.
pub const MAX_THREADS: usize = 256;

/// Runs `work` over `items` on `threads` workers and feeds the results, in
/// input order, to `sink`. A sink error stops the run and is returned.
pub fn ordered_map<I, O, E>(
    threads: usize,
    items: impl Iterator<Item = I>,
    work: impl Fn(I) -> O + Sync,
    sink: impl FnMut(O) -> Result<(), E> + Send,
) -> Result<(), E>
where
    I: Send,
    O: Send,
    E: Send,
{
    let threads = threads.clamp(1, MAX_THREADS);
    let in_flight = threads * 4;
    let (tok_tx, tok_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        tok_tx.send(()).expect("token");
    }
    let (work_tx, work_rx) = sync_channel::<(u64, Vec<I>)>(in_flight);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<O>)>(in_flight);
    std::thread::scope(|s| {
        let work = &work;
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                loop {
                    let next = work_rx.lock().expect("work queue").recv();
                    let Ok((seq, items)) = next else { return };
                    let out: Vec<O> = items.into_iter().map(work).collect();
                    if done_tx.send((seq, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let writer = s.spawn(move || writer(done_rx, tok_tx, sink));
        read(items, &work_tx, &tok_rx);
        drop(work_tx);
        writer.join().expect("writer thread")
    })
}

fn read<I>(
    mut items: impl Iterator<Item = I>,
    work_tx: &SyncSender<(u64, Vec<I>)>,
    tokens: &Receiver<()>,
) {
    let mut seq = 0u64;
    loop {
        if tokens.recv().is_err() {
            return; // the writer stopped
        }
        let chunk: Vec<I> = items.by_ref().take(CHUNK).collect();
        let last = chunk.len() < CHUNK;
        if work_tx.send((seq, chunk)).is_err() {
            return;
        }
        seq += 1;
        if last {
            return;
        }
    }
}

fn writer<O, E>(
    done: Receiver<(u64, Vec<O>)>,
    tokens: SyncSender<()>,
    mut sink: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E> {
    let mut pending: BTreeMap<u64, Vec<O>> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, out) in done {
        pending.insert(seq, out);
        while let Some(out) = pending.remove(&next) {
            for o in out {
                sink(o)?;
            }
            next += 1;
            let _ = tokens.try_send(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_stops_with_the_sink() {
        for threads in [1, 3, 8] {
            let mut got = Vec::new();
            let r: Result<(), ()> = ordered_map(
                threads,
                0..10_000u32,
                |i| i * 2,
                |o| {
                    got.push(o);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(got, (0..10_000).map(|i| i * 2).collect::<Vec<_>>());
        }
        let mut n = 0;
        let r = ordered_map(
            2,
            0..,
            |i: u64| i,
            |_| {
                n += 1;
                if n == 1000 { Err("closed") } else { Ok(()) }
            },
        );
        assert_eq!(r, Err("closed"));
    }
}
