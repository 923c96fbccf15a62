//! The per-file time budget (`content.file_timeout_ms`): a load never waits on one file.
//!
//! Parsing runs third-party code (the YAML parser, pulldown-cmark, ammonia) that cannot be
//! interrupted, and checking the time inside every pass would not reach into it. So each
//! load runs its files' jobs (read, parse, and render when the body is kept) on worker
//! threads of its own, and waits on them with a deadline: a job still running when its
//! file's budget is spent is *abandoned*, not killed. Its file gets an error instead (the
//! store keeps the last good version), a fresh worker takes over the rest of the queue, and
//! the abandoned thread, whenever it finishes, throws its result away and exits.
//!
//! An abandoned parse still holds a core and its memory until it ends, so their number is
//! bounded, per owner (the daemon's site). A file that ran out of time is remembered by
//! size and modification time and not parsed again until it changes, so reloads (a SIGHUP,
//! the feed window reading bodies back) do not start a new runaway parse of the same file
//! each time. And past one abandoned parse per core still running, an overdue worker is
//! not replaced and a load runs with one worker: only a slow file not seen before can then
//! add one more, and the files that get no worker have an error saying why (they keep their
//! last good versions, and are read again at the next change). Refusing to start any load
//! instead would bound them harder, but would also stop the feed window from reading its
//! bodies back: the feeds would go empty.
//!
//! Workers are plain threads started per load, not the rayon pool: a runaway job would
//! hold a pool thread, and enough of them would stall every later load. The waiting load
//! wakes only at deadlines, every 50 ms and when the last result is in. A load stops
//! taking new files once the daemon shuts down (the cancel flag).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// A file's size and modification time: whether it changed since it ran out of time.
pub(crate) type FileStamp = (u64, Option<SystemTime>);

/// How often a waiting load looks at the cancel flag.
const CANCEL_CHECK: Duration = Duration::from_millis(50);

/// What became of one job.
#[derive(Debug)]
pub(crate) enum Outcome<T> {
    Done(T),
    /// Still running when the budget was spent: abandoned, its result discarded.
    TimedOut,
    /// Never started: every worker was stuck on an overdue job and no new one could start.
    Skipped,
    /// Never finished: the load was cancelled (shutdown).
    Cancelled,
    /// The job panicked (debug builds; release builds abort).
    Panicked,
}

/// The per-file budget and the state shared by every load of one owner (the daemon's site,
/// or one `check`/`build` run).
#[derive(Debug, Clone)]
pub(crate) struct FileBudget {
    per_file: Duration,
    /// Abandoned jobs still running.
    runaway: Arc<AtomicUsize>,
    max_runaway: usize,
    cancel: Arc<AtomicBool>,
    /// Files that ran out of time, as they were then.
    slow: Arc<Mutex<HashMap<String, FileStamp>>>,
}

/// What one worker is doing, read by the waiting load.
#[derive(Debug, Default)]
struct Slot {
    /// The job index and when it started.
    current: Option<(usize, Instant)>,
    /// Abandoned: its result is thrown away and it takes no more jobs.
    retired: bool,
}

/// The queue the workers of one load take jobs from, and where they leave the results.
struct Queue<I, T, F> {
    items: Vec<I>,
    next: AtomicUsize,
    job: F,
    /// One place per item: `Some(None)` when the job panicked.
    results: Vec<Mutex<Option<Option<T>>>>,
    /// Items with an outcome (a result, or one the load decided); the worker that makes it
    /// reach the count wakes the load. The load is not woken per file: on a large site
    /// that would cost a context switch per file.
    resolved: AtomicUsize,
    cancel: Arc<AtomicBool>,
    runaway: Arc<AtomicUsize>,
}

impl FileBudget {
    pub(crate) fn new(per_file: Duration) -> Self {
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            per_file,
            runaway: Arc::new(AtomicUsize::new(0)),
            max_runaway: cores,
            cancel: Arc::new(AtomicBool::new(false)),
            slow: Arc::default(),
        }
    }

    /// The files that ran out of time (a copy, taken once per load).
    pub(crate) fn slow_files(&self) -> HashMap<String, FileStamp> {
        lock(&self.slow).clone()
    }

    /// Records which files ran out of time (with their stamps) and which parsed in time.
    pub(crate) fn note_slow_files<'a>(
        &self,
        slow: Vec<(String, FileStamp)>,
        in_time: impl IntoIterator<Item = &'a str>,
    ) {
        let mut known = lock(&self.slow);
        if known.is_empty() && slow.is_empty() {
            return;
        }
        for source in in_time {
            known.remove(source);
        }
        known.extend(slow);
    }

    /// Loads stop taking new files once `flag` is set.
    pub(crate) fn cancelled_by(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = flag;
        self
    }

    pub(crate) fn per_file(&self) -> Duration {
        self.per_file
    }

    /// Whether loads have been told to stop.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// Abandoned jobs still running.
    pub(crate) fn runaway(&self) -> usize {
        self.runaway.load(Ordering::SeqCst)
    }

    /// Runs `job` on every item, each within the budget, on up to one worker per core;
    /// the outcomes come back in the items' order.
    pub(crate) fn run<I, T, F>(&self, items: Vec<I>, job: F) -> Vec<Outcome<T>>
    where
        I: Send + Sync + 'static,
        T: Send + 'static,
        F: Fn(&I) -> T + Send + Sync + 'static,
    {
        let n = items.len();
        let cores = thread::available_parallelism().map_or(1, |c| c.get());
        let queue = Arc::new(Queue {
            items,
            next: AtomicUsize::new(0),
            job,
            results: (0..n).map(|_| Mutex::new(None)).collect(),
            resolved: AtomicUsize::new(0),
            cancel: Arc::clone(&self.cancel),
            runaway: Arc::clone(&self.runaway),
        });
        // Past the cap, one worker: at most one more parse can be left running, and only if
        // this load meets a slow file not seen before (known ones are not parsed again).
        let workers = if self.runaway() > self.max_runaway {
            1
        } else {
            cores
        };
        let (done_tx, done) = mpsc::channel::<()>();
        let mut slots: Vec<Arc<Mutex<Slot>>> = Vec::new();
        for _ in 0..n.min(workers) {
            spawn_worker(&queue, &done_tx, &mut slots);
        }
        if slots.is_empty() {
            // No thread could start (resource limits): work here, without a budget.
            return queue
                .items
                .iter()
                .map(|item| Outcome::Done((queue.job)(item)))
                .collect();
        }
        // What the load decided itself (timed out, skipped, cancelled).
        let mut decided: Vec<Option<Outcome<T>>> = (0..n).map(|_| None).collect();
        while queue.resolved.load(Ordering::SeqCst) < n {
            if self.cancel.load(Ordering::SeqCst) {
                for (i, d) in decided.iter_mut().enumerate() {
                    if d.is_none() && lock(&queue.results[i]).is_none() {
                        *d = Some(Outcome::Cancelled);
                    }
                }
                break;
            }
            let wait = self.next_deadline(&slots).map_or(CANCEL_CHECK, |deadline| {
                deadline
                    .saturating_duration_since(Instant::now())
                    .min(CANCEL_CHECK)
            });
            let _ = done.recv_timeout(wait);
            for i in self.retire_overdue(&slots) {
                decided[i] = Some(Outcome::TimedOut);
                queue.resolved.fetch_add(1, Ordering::SeqCst);
                if self.runaway() <= self.max_runaway {
                    spawn_worker(&queue, &done_tx, &mut slots);
                }
            }
            if !slots.iter().any(|s| !lock(s).retired) {
                // Every worker is stuck: what nobody took is skipped.
                loop {
                    let i = queue.next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    decided[i] = Some(Outcome::Skipped);
                    queue.resolved.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        decided
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                d.unwrap_or_else(|| match lock(&queue.results[i]).take() {
                    Some(Some(value)) => Outcome::Done(value),
                    Some(None) => Outcome::Panicked,
                    None => Outcome::Cancelled,
                })
            })
            .collect()
    }

    /// When the earliest running job runs out of time.
    fn next_deadline(&self, slots: &[Arc<Mutex<Slot>>]) -> Option<Instant> {
        slots
            .iter()
            .filter_map(|s| {
                let s = lock(s);
                s.current
                    .filter(|_| !s.retired)
                    .map(|(_, started)| started + self.per_file)
            })
            .min()
    }

    /// Abandons every job past its budget; returns their indexes.
    fn retire_overdue(&self, slots: &[Arc<Mutex<Slot>>]) -> Vec<usize> {
        let now = Instant::now();
        let mut overdue = Vec::new();
        for slot in slots {
            let mut s = lock(slot);
            if let Some((i, started)) = s.current {
                if !s.retired && now.duration_since(started) >= self.per_file {
                    s.retired = true;
                    s.current = None;
                    self.runaway.fetch_add(1, Ordering::SeqCst);
                    overdue.push(i);
                }
            }
        }
        overdue
    }
}

/// Starts one more worker on `queue`; a thread that cannot start is left out.
fn spawn_worker<I, T, F>(
    queue: &Arc<Queue<I, T, F>>,
    done: &mpsc::Sender<()>,
    slots: &mut Vec<Arc<Mutex<Slot>>>,
) where
    I: Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(&I) -> T + Send + Sync + 'static,
{
    let slot = Arc::new(Mutex::new(Slot::default()));
    let (queue, done, mine) = (Arc::clone(queue), done.clone(), Arc::clone(&slot));
    let started = thread::Builder::new()
        .name("feedwright-load".into())
        .spawn(move || work(&queue, &mine, &done));
    if started.is_ok() {
        slots.push(slot);
    }
}

/// One worker: takes jobs until the queue is empty, the load is cancelled or it is retired.
fn work<I, T, F>(queue: &Queue<I, T, F>, slot: &Mutex<Slot>, done: &mpsc::Sender<()>)
where
    F: Fn(&I) -> T,
{
    loop {
        if queue.cancel.load(Ordering::SeqCst) {
            return;
        }
        let i = queue.next.fetch_add(1, Ordering::SeqCst);
        let Some(item) = queue.items.get(i) else {
            return;
        };
        lock(slot).current = Some((i, Instant::now()));
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (queue.job)(item))).ok();
        {
            let mut s = lock(slot);
            if s.retired {
                // Abandoned by the load, which has reported the file already.
                queue.runaway.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            s.current = None;
        }
        *lock(&queue.results[i]) = Some(result);
        if queue.resolved.fetch_add(1, Ordering::SeqCst) + 1 == queue.items.len() {
            let _ = done.send(());
        }
    }
}

fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleepy(ms: u64) -> impl Fn(&u64) -> u64 + Send + Sync + 'static {
        move |x: &u64| {
            if *x == 0 {
                thread::sleep(Duration::from_millis(ms));
            }
            x * 2
        }
    }

    #[test]
    fn budget_runs_every_job_in_order() {
        let budget = FileBudget::new(Duration::from_secs(30));
        let out = budget.run((1..=50).collect(), sleepy(0));
        let values: Vec<u64> = out
            .into_iter()
            .map(|o| match o {
                Outcome::Done(v) => v,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(values, (1..=50).map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn budget_abandons_a_slow_job_and_finishes_the_rest() {
        let budget = FileBudget::new(Duration::from_millis(100));
        let started = Instant::now();
        let out = budget.run(vec![0, 1, 2, 3], sleepy(3_000));
        assert!(started.elapsed() < Duration::from_millis(2_000), "waited");
        assert!(matches!(out[0], Outcome::TimedOut), "{out:?}");
        assert!(matches!(out[3], Outcome::Done(6)), "{out:?}");
        assert_eq!(budget.runaway(), 1);
        thread::sleep(Duration::from_millis(3_200));
        assert_eq!(budget.runaway(), 0, "the abandoned job ended");
    }

    #[test]
    fn budget_bounds_abandoned_jobs_and_skips_when_every_worker_is_stuck() {
        let mut budget = FileBudget::new(Duration::from_millis(50));
        budget.max_runaway = 0;
        // Every job is slow: the first wave is abandoned and not replaced.
        let out = budget.run(vec![0u64; 40], sleepy(500));
        assert!(
            out.iter().any(|o| matches!(o, Outcome::TimedOut)),
            "{out:?}"
        );
        assert!(out.iter().any(|o| matches!(o, Outcome::Skipped)), "{out:?}");
        assert!(budget.runaway() <= 40);
    }

    #[test]
    fn budget_stops_when_cancelled() {
        let flag = Arc::new(AtomicBool::new(true));
        let budget = FileBudget::new(Duration::from_secs(30)).cancelled_by(flag);
        let out = budget.run(vec![1u64, 2], sleepy(0));
        assert!(
            out.iter().all(|o| matches!(o, Outcome::Cancelled)),
            "{out:?}"
        );
    }
}
