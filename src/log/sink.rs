//! Where the daemon's log lines go: standard output, written in batches by one background
//! thread, so that logging a request costs a memory copy, not a system call.
//!
//! Kept by hand beside `tracing-appender`'s `non_blocking` writer (the standard one) because
//! of this measured figure: 4 threads logging 20,000 access lines each, 50 µs apart, to
//! stdout on /dev/null, took 0.58-0.77 s of CPU and ~3 `write(2)` per 1,000 lines here,
//! against 1.14-1.20 s and ~550 writes per 1,000 lines through `non_blocking` (even given a
//! 64 KiB `BufWriter`; without one it writes every line); flat out (4 x 250,000 lines) the
//! two cost the same, 1.1-1.2 µs of CPU per line. Its worker wakes for nearly every line
//! at a server's pace, and it drops lines on a full queue without ever saying so. Measured
//! with a throwaway program that installs each writer under `tracing_subscriber::fmt` and
//! reads CPU from `/proc/self/stat` and writes from `/proc/self/io` (`syscw`).
//!
//! Why not a `write(2)` per line: the access log is one line per request, and a write per
//! line plus a cross-thread wake-up per line cost about a third of the system calls of a
//! 304 answer. Here each thread appends its formatted lines to a buffer of its own (a lock
//! only the writer thread ever contends, once per batch; one shared buffer for all threads
//! cost ~10 % of a 304 in lock contention). The writer thread sleeps while nothing is
//! logged; the first line after a quiet spell wakes it and is written at once; while lines
//! keep coming it collects them for [`BATCH_WINDOW`] (or until a buffer holds
//! [`BATCH_BYTES`]) and writes the batch with one call. So a line reaches stdout within
//! about 20 ms, and a busy server makes one write per batch (at most 20 ms, or 16 KiB of
//! lines in one thread's buffer) instead of one per line.
//!
//! Each line is numbered as it is logged (one shared counter) and a batch is written in
//! that order, so lines of different threads come out in the order they were logged. If
//! stdout stalls (a blocked log collector), a thread's buffer stops growing at
//! [`MAX_PENDING_BYTES`]: further lines are dropped rather than stalling requests or
//! memory, and a note with the number dropped is written once output flows again.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How long the writer thread collects lines before writing them, while lines keep coming.
pub(crate) const BATCH_WINDOW: Duration = Duration::from_millis(20);

/// A buffer this full wakes the writer thread before the window ends. Small, because every
/// thread keeps two buffers of about this size for good: at 64 KiB they held ~0.4 MiB more
/// under load, for no measurable saving in CPU.
pub(crate) const BATCH_BYTES: usize = 16 * 1024;

/// A buffer this full (stdout stalled) drops new lines instead of growing.
pub(crate) const MAX_PENDING_BYTES: usize = 1024 * 1024;

/// One thread's lines waiting to be written, each framed as its sequence number (u64),
/// its length (u32), then its bytes.
#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    dropped: u64,
}

const FRAME_HEAD: usize = 12;

struct Shared {
    /// Every thread's buffer; the writer thread drains them all.
    buffers: Mutex<Vec<Arc<Mutex<Pending>>>>,
    /// Set by the first line after a quiet spell; cleared by the writer thread when a
    /// whole batch window passed without a line.
    dirty: AtomicBool,
    /// Numbers lines in the order they are logged.
    next_line: AtomicU64,
    stop: AtomicBool,
    writer: OnceLock<Thread>,
}

impl Shared {
    fn wake_writer(&self) {
        if let Some(thread) = self.writer.get() {
            thread.unpark();
        }
    }

    /// Writes every buffer's lines to `out`, in the order they were logged; returns
    /// whether there were any.
    fn drain(&self, out: &mut impl Write, batch: &mut Batch) -> bool {
        let buffers: Vec<Arc<Mutex<Pending>>> = lock(&self.buffers).clone();
        batch.taken.resize_with(buffers.len(), Vec::new);
        let mut dropped = 0;
        for (buffer, taken) in buffers.iter().zip(batch.taken.iter_mut()) {
            let mut pending = lock(buffer);
            // Swap so the thread keeps appending into a buffer with capacity while we
            // write, without holding its lock during the write.
            std::mem::swap(&mut pending.lines, taken);
            dropped += std::mem::take(&mut pending.dropped);
        }
        batch.order.clear();
        for (index, taken) in batch.taken.iter().enumerate() {
            let mut at = 0;
            while let Some((number, len)) = frame_head(&taken[at..]) {
                let start = at + FRAME_HEAD;
                batch.order.push((number, index, start, start + len));
                at = start + len;
            }
        }
        // Per buffer the lines are already in order; merging is a sort of a few thousand.
        batch.order.sort_unstable_by_key(|&(number, ..)| number);
        batch.out.clear();
        for &(_, index, start, end) in &batch.order {
            batch.out.extend_from_slice(&batch.taken[index][start..end]);
        }
        for taken in &mut batch.taken {
            taken.clear();
            // A stall can grow a buffer to MAX_PENDING_BYTES; do not keep that much around.
            if taken.capacity() > 2 * BATCH_BYTES {
                *taken = Vec::new();
            }
        }
        let mut wrote = false;
        if !batch.out.is_empty() {
            // A failed write (closed stdout) loses those lines; nowhere to report it.
            let _ = out.write_all(&batch.out);
            wrote = true;
        }
        // A batch holds every thread's buffer.
        if batch.out.capacity() > 2 * BATCH_BYTES * batch.taken.len().max(1) {
            batch.out = Vec::new();
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
        // Buffers of threads that have ended (only the list still holds them), once empty,
        // are forgotten.
        drop(buffers);
        lock(&self.buffers).retain(|b| Arc::strong_count(b) > 1 || !lock(b).lines.is_empty());
        wrote
    }
}

/// The writer thread's working memory, kept between batches.
#[derive(Default)]
struct Batch {
    /// Each buffer's lines as taken from it.
    taken: Vec<Vec<u8>>,
    /// (line number, buffer, start, end) of every line taken.
    order: Vec<(u64, usize, usize, usize)>,
    /// The lines in order, written with one call.
    out: Vec<u8>,
}

/// The number and length of the frame at the start of `bytes`, if a whole one is there.
fn frame_head(bytes: &[u8]) -> Option<(u64, usize)> {
    let number = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let len = u32::from_le_bytes(bytes.get(8..FRAME_HEAD)?.try_into().ok()?) as usize;
    (bytes.len() >= FRAME_HEAD + len).then_some((number, len))
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
pub(crate) struct StdoutSink {
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
    pub(crate) fn stdout() -> io::Result<(StdoutSink, SinkGuard)> {
        StdoutSink::start(io::stdout())
    }

    /// Starts the writer thread on `out` (any writer; tests pass a buffer).
    pub(crate) fn start(out: impl Write + Send + 'static) -> io::Result<(StdoutSink, SinkGuard)> {
        let shared = Arc::new(Shared {
            buffers: Mutex::new(Vec::new()),
            dirty: AtomicBool::new(false),
            next_line: AtomicU64::new(0),
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
    let mut batch = Batch::default();
    loop {
        if shared.stop.load(Ordering::Acquire) {
            shared.drain(&mut out, &mut batch);
            return;
        }
        if !shared.dirty.load(Ordering::Acquire) {
            // Quiet: sleep until a line is logged.
            std::thread::park();
            continue;
        }
        // Lines are waiting. `dirty` stays set while lines keep coming, so writers do not
        // wake this thread per line; it collects them for a window instead.
        if shared.drain(&mut out, &mut batch) {
            std::thread::park_timeout(BATCH_WINDOW);
        } else {
            // Nothing new for a whole window: quiet again. A line logged just before this
            // store saw `dirty` still set and woke nobody, so look once more.
            shared.dirty.store(false, Ordering::SeqCst);
            shared.drain(&mut out, &mut batch);
        }
    }
}

/// One event's line, as `tracing-subscriber` writes it.
pub(crate) struct LineWriter<'a> {
    shared: &'a Shared,
    buffer: Arc<Mutex<Pending>>,
    line: Line,
}

/// What became of a [`LineWriter`]'s line, noted while its buffer is locked anyway.
enum Line {
    Unwritten,
    /// In the buffer; `full`: the buffer now holds at least [`BATCH_BYTES`].
    Queued {
        full: bool,
    },
    /// The buffer was full (stdout is not keeping up); counted as dropped once.
    Dropped,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // One frame per call (tracing-subscriber writes a whole line in one call); longer
        // data than a frame can say is cut, not misframed.
        let data = &data[..data.len().min(u32::MAX as usize)];
        let mut pending = lock(&self.buffer);
        if pending.lines.len() >= MAX_PENDING_BYTES {
            if matches!(self.line, Line::Unwritten) {
                pending.dropped += 1;
                self.line = Line::Dropped;
            }
            return Ok(data.len());
        }
        let number = self.shared.next_line.fetch_add(1, Ordering::Relaxed);
        pending.lines.extend_from_slice(&number.to_le_bytes());
        pending
            .lines
            .extend_from_slice(&(data.len() as u32).to_le_bytes());
        pending.lines.extend_from_slice(data);
        self.line = Line::Queued {
            full: pending.lines.len() >= BATCH_BYTES,
        };
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        let Line::Queued { full } = self.line else {
            return;
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
            line: Line::Unwritten,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Instant;

    /// A writer the test can read back (also used by `log::format`'s tests).
    #[derive(Clone, Default)]
    pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

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
        /// Everything written so far, which must be UTF-8.
        pub(crate) fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).expect("utf-8")
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
    fn lines_of_different_threads_keep_the_order_they_were_logged_in() {
        let out = Captured::default();
        let (sink, guard) = StdoutSink::start(out.clone()).expect("start");
        // Keep the writer collecting (not quiet), so all lines land in one batch.
        write_line(&sink, "0\n");
        let (to_other, from_main) = std::sync::mpsc::channel::<usize>();
        let (to_main, from_other) = std::sync::mpsc::channel::<()>();
        let other = {
            let sink = sink.clone();
            std::thread::spawn(move || {
                while let Ok(n) = from_main.recv() {
                    write_line(&sink, &format!("{n}\n"));
                    to_main.send(()).expect("send");
                }
            })
        };
        let mut expected = String::from("0\n");
        for n in 1..=20 {
            if n % 2 == 0 {
                to_other.send(n).expect("send");
                from_other.recv().expect("recv");
            } else {
                write_line(&sink, &format!("{n}\n"));
            }
            expected.push_str(&format!("{n}\n"));
        }
        drop(to_other);
        other.join().expect("thread");
        drop(guard);
        assert_eq!(out.text(), expected);
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
