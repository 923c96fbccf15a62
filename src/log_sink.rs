//! Where the daemon's log lines go: standard output, written in batches by one background
//! thread, so that logging a request costs a memory copy, not a system call.
//!
//! Why not a `write(2)` per line: the access log is one line per request, and a write per
//! line plus a cross-thread wake-up per line cost about a third of the system calls of a
//! 304 answer. Here each thread appends its formatted lines to a buffer of its own (a lock
//! only the writer thread ever contends, once per batch). The writer thread sleeps while
//! nothing is logged; the first line after a quiet spell wakes it and is written at once;
//! while lines keep coming it collects them for [`BATCH_WINDOW`] (or until a buffer holds
//! [`BATCH_BYTES`]) and writes each buffer with one call. So a line reaches stdout within
//! about 20 ms, and a busy server makes some 50 writes a second instead of one per request.
//!
//! Lines of one thread keep their order; lines of different threads within one batch are
//! grouped by thread (each line carries its own timestamp). If stdout stalls (a blocked log
//! collector), a thread's buffer stops growing at [`MAX_PENDING_BYTES`]: further lines are
//! dropped rather than stalling requests or memory, and a note with the number dropped is
//! written once output flows again.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How long the writer thread collects lines before writing them, while lines keep coming.
pub const BATCH_WINDOW: Duration = Duration::from_millis(20);

/// A buffer this full wakes the writer thread before the window ends.
pub const BATCH_BYTES: usize = 64 * 1024;

/// A buffer this full (stdout stalled) drops new lines instead of growing.
pub const MAX_PENDING_BYTES: usize = 1024 * 1024;

/// One thread's lines waiting to be written.
#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    dropped: u64,
}

struct Shared {
    /// Every thread's buffer; the writer thread drains them all.
    buffers: Mutex<Vec<Arc<Mutex<Pending>>>>,
    /// Set by the first line after a quiet spell; cleared by the writer thread when a
    /// whole batch window passed without a line.
    dirty: AtomicBool,
    stop: AtomicBool,
    writer: OnceLock<Thread>,
}

impl Shared {
    fn wake_writer(&self) {
        if let Some(thread) = self.writer.get() {
            thread.unpark();
        }
    }

    /// Writes every buffer's lines to `out`; returns whether there were any.
    fn drain(&self, out: &mut impl Write, spare: &mut Vec<u8>) -> bool {
        let buffers: Vec<Arc<Mutex<Pending>>> = lock(&self.buffers).clone();
        let mut wrote = false;
        let mut dropped = 0;
        for buffer in &buffers {
            {
                let mut pending = lock(buffer);
                // Swap so the thread keeps appending into a buffer with capacity while we
                // write, without holding its lock during the write.
                std::mem::swap(&mut pending.lines, spare);
                dropped += std::mem::take(&mut pending.dropped);
            }
            if !spare.is_empty() {
                // A failed write (closed stdout) loses those lines; nowhere to report it.
                let _ = out.write_all(spare);
                spare.clear();
                wrote = true;
            }
        }
        if dropped > 0 {
            let _ = writeln!(
                out,
                "feedwright: log output fell behind; {dropped} lines were dropped"
            );
            wrote = true;
        }
        if wrote {
            let _ = out.flush();
        }
        // A stall can grow one buffer to MAX_PENDING_BYTES; do not keep that much around.
        if spare.capacity() > 2 * BATCH_BYTES {
            *spare = Vec::new();
        }
        // Buffers of threads that have ended (only the list still holds them), once empty,
        // are forgotten.
        drop(buffers);
        lock(&self.buffers).retain(|b| Arc::strong_count(b) > 1 || !lock(b).lines.is_empty());
        wrote
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain bytes behind: still usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A thread's buffer and the sink it belongs to (the `Weak` names the sink: its allocation
/// cannot be reused while this is held).
type ThreadBuffer = (Weak<Shared>, Arc<Mutex<Pending>>);

thread_local! {
    /// This thread's buffer, registered with the sink on the first line it logs.
    static MINE: std::cell::RefCell<Option<ThreadBuffer>> =
        const { std::cell::RefCell::new(None) };
}

/// The `tracing-subscriber` writer for the daemon's log lines; see the module docs.
#[derive(Clone)]
pub struct StdoutSink {
    shared: Arc<Shared>,
}

/// How long exiting waits for the last lines to be written: a stalled stdout (a blocked log
/// collector) must not keep the process from exiting.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// Stops the writer thread after writing every line logged so far, when dropped; waits at
/// most [`STOP_WAIT`] for it.
pub struct SinkGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    stopped: mpsc::Receiver<()>,
}

impl Drop for SinkGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake_writer();
        if self.stopped.recv_timeout(STOP_WAIT).is_ok() {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

impl StdoutSink {
    /// Starts the writer thread on standard output.
    pub fn stdout() -> io::Result<(StdoutSink, SinkGuard)> {
        StdoutSink::start(io::stdout())
    }

    /// Starts the writer thread on `out` (any writer; tests pass a buffer).
    pub fn start(out: impl Write + Send + 'static) -> io::Result<(StdoutSink, SinkGuard)> {
        let shared = Arc::new(Shared {
            buffers: Mutex::new(Vec::new()),
            dirty: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            writer: OnceLock::new(),
        });
        let (done, stopped) = mpsc::channel();
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("feedwright-log".into())
                .spawn(move || {
                    write_out(out, &shared);
                    let _ = done.send(());
                })?
        };
        let _ = shared.writer.set(thread.thread().clone());
        Ok((
            StdoutSink {
                shared: Arc::clone(&shared),
            },
            SinkGuard {
                shared,
                thread: Some(thread),
                stopped,
            },
        ))
    }

    /// The calling thread's buffer, registered on first use.
    fn buffer(&self) -> Arc<Mutex<Pending>> {
        MINE.with_borrow_mut(|mine| match mine {
            // One sink per process in practice; a thread that logged to another sink (tests)
            // gets a fresh buffer for this one.
            Some((owner, buffer)) if std::ptr::eq(owner.as_ptr(), Arc::as_ptr(&self.shared)) => {
                Arc::clone(buffer)
            }
            _ => {
                let buffer = Arc::new(Mutex::new(Pending::default()));
                lock(&self.shared.buffers).push(Arc::clone(&buffer));
                *mine = Some((Arc::downgrade(&self.shared), Arc::clone(&buffer)));
                buffer
            }
        })
    }
}

fn write_out(mut out: impl Write, shared: &Shared) {
    let mut spare = Vec::new();
    loop {
        if shared.stop.load(Ordering::Acquire) {
            shared.drain(&mut out, &mut spare);
            return;
        }
        if !shared.dirty.load(Ordering::Acquire) {
            // Quiet: sleep until a line is logged.
            std::thread::park();
            continue;
        }
        // Lines are waiting. `dirty` stays set while lines keep coming, so writers do not
        // wake this thread per line; it collects them for a window instead.
        if shared.drain(&mut out, &mut spare) {
            std::thread::park_timeout(BATCH_WINDOW);
        } else {
            // Nothing new for a whole window: quiet again. A line logged just before this
            // store saw `dirty` still set and woke nobody, so look once more.
            shared.dirty.store(false, Ordering::SeqCst);
            shared.drain(&mut out, &mut spare);
        }
    }
}

/// One event's line, as `tracing-subscriber` writes it.
pub struct LineWriter<'a> {
    shared: &'a Shared,
    buffer: Arc<Mutex<Pending>>,
    /// Where this line starts in the buffer, to drop it whole if the buffer is full.
    start: Option<usize>,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut pending = lock(&self.buffer);
        let start = *self.start.get_or_insert(pending.lines.len());
        if start >= MAX_PENDING_BYTES {
            // Stdout is not keeping up: drop (counted once per line, in `drop`).
            return Ok(data.len());
        }
        pending.lines.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        let Some(start) = self.start else { return };
        let full = {
            let mut pending = lock(&self.buffer);
            if start >= MAX_PENDING_BYTES {
                pending.dropped += 1;
                return;
            }
            pending.lines.len() >= BATCH_BYTES
        };
        // Only the first line after a quiet spell wakes the writer, or a full buffer. The
        // plain load first: while lines keep coming `dirty` stays set, and reading it does
        // not make the worker threads fight over its cache line.
        let was_dirty = self.shared.dirty.load(Ordering::SeqCst)
            || self.shared.dirty.swap(true, Ordering::SeqCst);
        if full || !was_dirty {
            self.shared.wake_writer();
        }
    }
}

impl<'a> MakeWriter<'a> for StdoutSink {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            shared: &self.shared,
            buffer: self.buffer(),
            start: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            lock(&self.0).extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&lock(&self.0)).into_owned()
        }
    }

    fn write_line(sink: &StdoutSink, line: &str) {
        let mut w = sink.make_writer();
        w.write_all(line.as_bytes()).expect("write");
    }

    fn wait_for(condition: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn every_line_arrives_in_order_per_thread() {
        let out = Captured::default();
        let (sink, guard) = StdoutSink::start(out.clone()).expect("start");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let sink = sink.clone();
                std::thread::spawn(move || {
                    for i in 0..2_000 {
                        write_line(&sink, &format!("t{t} line {i}\n"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        drop(guard);
        let text = out.text();
        for t in 0..4 {
            let mine: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(&format!("t{t} ")))
                .collect();
            let expected: Vec<String> = (0..2_000).map(|i| format!("t{t} line {i}")).collect();
            assert_eq!(mine, expected, "thread {t}");
        }
    }

    #[test]
    fn a_line_after_a_quiet_spell_is_written_promptly() {
        let out = Captured::default();
        let (sink, guard) = StdoutSink::start(out.clone()).expect("start");
        for round in 0..3 {
            write_line(&sink, &format!("line {round}\n"));
            // Generous bound for a loaded CI machine; the writer needs no timer to get there.
            wait_for(|| out.text().contains(&format!("line {round}\n")));
            std::thread::sleep(BATCH_WINDOW * 3);
        }
        drop(guard);
    }

    #[test]
    fn a_line_larger_than_a_batch_after_a_quiet_spell_is_written() {
        let out = Captured::default();
        let (sink, guard) = StdoutSink::start(out.clone()).expect("start");
        let big = format!("{}\n", "y".repeat(BATCH_BYTES));
        write_line(&sink, &big);
        wait_for(|| out.text() == big);
        drop(guard);
    }

    #[test]
    fn buffers_of_ended_threads_are_forgotten() {
        let out = Captured::default();
        let (sink, guard) = StdoutSink::start(out.clone()).expect("start");
        for t in 0..5 {
            let sink = sink.clone();
            std::thread::spawn(move || write_line(&sink, &format!("thread {t}\n")))
                .join()
                .expect("thread");
        }
        wait_for(|| out.text().lines().count() == 5);
        // The writer forgets them at its next drain.
        write_line(&sink, "again\n");
        wait_for(|| lock(&sink.shared.buffers).len() == 1);
        drop(guard);
    }

    #[test]
    fn exiting_does_not_wait_forever_for_a_stalled_output() {
        struct Stuck(Arc<Mutex<()>>);
        impl Write for Stuck {
            fn write(&mut self, data: &[u8]) -> io::Result<usize> {
                let _hold = lock(&self.0);
                Ok(data.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new(Mutex::new(()));
        let held = lock(&gate);
        let (sink, guard) = StdoutSink::start(Stuck(Arc::clone(&gate))).expect("start");
        write_line(&sink, "stuck\n");
        let started = Instant::now();
        drop(guard);
        assert!(started.elapsed() < STOP_WAIT + Duration::from_secs(2));
        drop(held);
    }

    #[test]
    fn a_stalled_output_drops_lines_and_says_how_many() {
        /// Blocks every write until the test lets it go.
        struct Stalled(Arc<Mutex<()>>, Captured);
        impl Write for Stalled {
            fn write(&mut self, data: &[u8]) -> io::Result<usize> {
                let _hold = lock(&self.0);
                self.1.write(data)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new(Mutex::new(()));
        let out = Captured::default();
        let held = lock(&gate);
        let (sink, guard) =
            StdoutSink::start(Stalled(Arc::clone(&gate), out.clone())).expect("start");
        write_line(&sink, "first\n");
        // The writer thread takes "first" and blocks writing it.
        wait_for(|| lock(&sink.buffer()).lines.is_empty());
        let line = format!("{}\n", "x".repeat(99));
        let lines = MAX_PENDING_BYTES / line.len() + 500;
        for _ in 0..lines {
            write_line(&sink, &line);
        }
        drop(held);
        drop(guard);
        let text = out.text();
        let written = text.lines().filter(|l| l.starts_with('x')).count();
        assert!(written < lines, "some lines must have been dropped");
        assert!(
            text.contains(&format!("{} lines were dropped", lines - written)),
            "{}",
            &text[text.len().saturating_sub(200)..]
        );
    }
}
