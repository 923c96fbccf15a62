//! Cost of one article edit on a large store: the daemon's incremental update
//! (`Site::reload_paths` + `Site::publish`) against a full rebuild (`Site::rescan` + `publish`).
//!
//! ```sh
//! cargo bench --bench reload                      # 10,000 articles, 50 edits per case
//! RELOAD_ARTICLES=1000 cargo bench --bench reload
//! ```
//!
//! | variable          | default | meaning                                                       |
//! |-------------------|---------|---------------------------------------------------------------|
//! | `RELOAD_ARTICLES` | 10000   | corpus size (generated with `bench/gen_corpus.py`)            |
//! | `RELOAD_REPS`     | 50      | timed edits per incremental case                              |
//! | `RELOAD_FULL_REPS`| 10      | timed full rebuilds                                           |
//! | `RELOAD_ALLOC_REPS`| 5      | extra runs per case with allocation counting on               |
//! | `RELOAD_COMPRESS_REPS`| 10  | runs per setting in the compression table                     |
//! | `RELOAD_ONLY_COMPRESSION`| unset | set: only the first load and the compression table       |
//! | `RELOAD_CORPUS`   | temp dir| reuse this corpus dir (must hold `RELOAD_ARTICLES` articles); the edited files are restored at the end |
//!
//! Cases (every edit appends a unique paragraph to one article's body):
//!
//! - `full`: edit an article in the feed window, then `rescan()` + `publish()`;
//! - `edit-in-window`: edit one of the newest 20 (the feed bytes change, so the snapshot is
//!   recompressed), then `reload_paths([it])` + `publish()`;
//! - `edit-outside`: edit an old article (the feed bytes stay the same, so the snapshot
//!   reuses the previous resources), then `reload_paths([it])` + `publish()`.
//!
//! Each case is timed twice: as the real calls (`whole`), and split into the steps of
//! `Site::publish` (a copy of its body below; keep it in sync with src/site/mod.rs and `publish` in src/daemon/mod.rs):
//! `reload`/`rescan`, `published` (`Library::published`), `diagnostics`
//! (`site::all_diagnostics` + error lines), `render` (`feed::render_outputs`) and `snapshot`
//! (`Snapshot::build` + swap + dropping the old one).
//!
//! Last, a table times gzip and brotli on each route's current bytes at the settings
//! src/snapshot/encode.rs uses and at cheaper ones (that is most of `Snapshot::build`).
//!
//! Allocations are counted with `dhat` in separate runs (`RELOAD_ALLOC_REPS`), since dhat
//! captures a backtrace per allocation while it is profiling. `dhat::Alloc` is the global
//! allocator for the whole binary, so even the timed runs pay a global lock per allocation
//! (tens of ns each): the times here are a slight over-estimate of the daemon's.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use feedwright::config::Config;
use feedwright::feed;
use feedwright::http::AppState;
use feedwright::metrics::Metrics;
use feedwright::site::{self, PublishStats, Site};
use feedwright::snapshot::{self, Snapshot};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const PHASES: [&str; 6] = [
    "reload",
    "published",
    "diagnostics",
    "render",
    "snapshot",
    "total",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Full,
    InWindow,
    Outside,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Full => "full rebuild (rescan + publish)",
            Case::InWindow => "edit in window (reload_paths + publish, feed bytes change)",
            Case::Outside => "edit outside window (reload_paths + publish, feed bytes same)",
        }
    }
}

/// One article file and its original bytes; every edit writes original + a unique paragraph.
struct Target {
    source: String,
    path: PathBuf,
    original: Vec<u8>,
}

impl Target {
    fn new(root: &Path, source: &str) -> Target {
        let path = root.join(source);
        let original = std::fs::read(&path).expect("read target article");
        Target {
            source: source.to_string(),
            path,
            original,
        }
    }

    fn edit(&self, n: u64) {
        let mut bytes = self.original.clone();
        bytes.extend_from_slice(format!("\n\nBench edit number {n}.\n").as_bytes());
        std::fs::write(&self.path, bytes).expect("write target article");
    }

    fn restore(&self) {
        let _ = std::fs::write(&self.path, &self.original);
    }
}

struct Bench {
    site: Site,
    state: AppState,
    now: DateTime<Utc>,
    in_window: Target,
    outside: Target,
    counter: u64,
}

impl Bench {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn target(&self, case: Case) -> &Target {
        match case {
            Case::Full | Case::InWindow => &self.in_window,
            Case::Outside => &self.outside,
        }
    }

    /// The real calls, as the daemon makes them.
    fn whole(&mut self, case: Case) -> Duration {
        let n = self.next();
        self.target(case).edit(n);
        let source = self.target(case).source.clone();
        let started = Instant::now();
        match case {
            Case::Full => {
                self.site.rescan().expect("rescan");
            }
            Case::InWindow | Case::Outside => {
                self.site.reload_paths([source.as_str()]);
            }
        }
        publish(&mut self.site, &self.state, self.now);
        started.elapsed()
    }

    /// The same work split into steps; `measure` wraps each step (a timer or an allocation
    /// counter) and returns its figure.
    fn phased<M: Copy, F: FnMut(&mut dyn FnMut()) -> M>(
        &mut self,
        case: Case,
        mut measure: F,
    ) -> [M; 5] {
        let n = self.next();
        self.target(case).edit(n);
        let source = self.target(case).source.clone();
        let site = &mut self.site;
        let state = &self.state;
        let now = self.now;

        let reload = measure(&mut || match case {
            Case::Full => {
                site.rescan().expect("rescan");
            }
            Case::InWindow | Case::Outside => {
                site.reload_paths([source.as_str()]);
            }
        });
        // --- copy of Site::publish (src/site/mod.rs, and `publish` in src/daemon/mod.rs) ---
        let mut published = None;
        let m_published = measure(&mut || published = Some(site.library.published(now)));
        let published = published.expect("published");
        let mut errors = None;
        let m_diag = measure(&mut || {
            let diagnostics = site::all_diagnostics(&site.library, &published);
            errors = Some(
                diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| site::located(&site.config, d))
                    .collect::<Vec<String>>(),
            );
        });
        let errors = errors.expect("errors");
        let mut outputs = None;
        // Includes reading bodies back for articles entering the window and rendering the
        // window (Site::window, FeedWindow::entries).
        let m_render = measure(&mut || {
            let groups = feed::groups(&published.articles, &site.config);
            let window = site.window(&published.articles, now);
            let group_feeds = window.group_feeds(
                &groups,
                &published.articles,
                site.config.feeds.group_limit,
                &vec![false; published.articles.len()],
            );
            outputs = Some(feed::render_outputs(
                &window.entries(&site.config),
                &group_feeds,
                &site.config,
                &|_| None,
            ))
        });
        let outputs = outputs.expect("outputs");
        let mut args = Some((outputs, errors));
        let m_snapshot = measure(&mut || {
            let (outputs, errors) = args.take().expect("once");
            let previous = state.snapshot.load_full();
            let previous = previous.is_ready().then_some(&*previous);
            let snapshot = Snapshot::build(
                &site.config,
                outputs,
                errors,
                published.articles.len(),
                previous,
                now,
            );
            state.snapshot.store(Arc::new(snapshot));
            state.metrics.set_published(published.articles.len());
        });
        [reload, m_published, m_diag, m_render, m_snapshot]
    }

    fn atom_etag(&self) -> String {
        self.state
            .snapshot
            .load()
            .etag(&self.site.config.feeds.atom_path)
            .unwrap_or("")
            .to_string()
    }
}

/// What the daemon does after a reload (`publish` in src/daemon/mod.rs): the new snapshot
/// replaces the served one.
fn publish(site: &mut Site, state: &AppState, now: DateTime<Utc>) -> PublishStats {
    let previous = state.snapshot.load_full();
    let (snapshot, stats) = site.publish(&previous, now);
    state.snapshot.store(Arc::new(snapshot));
    state.metrics.set_published(stats.published);
    state.metrics.set_content_errors(stats.errors);
    state.metrics.observe_build(stats.seconds);
    stats
}

fn timed(f: &mut dyn FnMut()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

#[derive(Clone, Copy, Default)]
struct Allocs {
    blocks: u64,
    bytes: u64,
}

fn counted(f: &mut dyn FnMut()) -> Allocs {
    let before = dhat::HeapStats::get();
    f();
    let after = dhat::HeapStats::get();
    Allocs {
        blocks: after.total_blocks - before.total_blocks,
        bytes: after.total_bytes - before.total_bytes,
    }
}

/// min, median, p99 (nearest rank), max of a sample.
fn summary<T: Copy + Ord>(values: &[T]) -> (T, T, T, T) {
    let mut v = values.to_vec();
    v.sort();
    let n = v.len();
    let p99 = v[((n as f64 * 0.99).ceil() as usize).clamp(1, n) - 1];
    (v[0], v[n / 2], p99, v[n - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn human_bytes(b: u64) -> String {
    if b >= 10 * 1024 * 1024 {
        format!("{:.1} MiB", b as f64 / 1048576.0)
    } else if b >= 10 * 1024 {
        format!("{:.1} KiB", b as f64 / 1024.0)
    } else {
        format!("{b} B")
    }
}

fn run_case(b: &mut Bench, case: Case, reps: usize, alloc_reps: usize) {
    println!("\n== {} ==", case.name());
    if case != Case::Full {
        println!("   file: {}", b.target(case).source);
    }
    // Warm-up (rayon pool, page cache, allocator).
    for _ in 0..2 {
        b.whole(case);
    }

    let before = b.atom_etag();
    let mut whole = Vec::with_capacity(reps);
    let mut changed = 0;
    let mut last = before.clone();
    for _ in 0..reps {
        whole.push(b.whole(case));
        let now = b.atom_etag();
        if now != last {
            changed += 1;
        }
        last = now;
    }
    println!(
        "   atom.xml ETag changed after {changed} of {reps} edits (expected: {})",
        if case == Case::Outside { 0 } else { reps }
    );
    let (min, med, p99, max) = summary(&whole);
    println!(
        "   whole   n={reps:<3} min {:>9} ms  median {:>9} ms  p99 {:>9} ms  max {:>9} ms",
        ms(min),
        ms(med),
        ms(p99),
        ms(max)
    );

    let mut phases: Vec<[Duration; 5]> = Vec::with_capacity(reps);
    for _ in 0..reps {
        phases.push(b.phased(case, timed));
    }
    println!("   steps (ms)     min    median       p99       max");
    for (i, name) in PHASES.iter().enumerate() {
        let col: Vec<Duration> = if i < 5 {
            phases.iter().map(|p| p[i]).collect()
        } else {
            phases.iter().map(|p| p.iter().sum()).collect()
        };
        let (min, med, p99, max) = summary(&col);
        let label = if i == 0 && case == Case::Full {
            "rescan"
        } else {
            name
        };
        println!(
            "   {label:<11} {:>9} {:>9} {:>9} {:>9}",
            ms(min),
            ms(med),
            ms(p99),
            ms(max)
        );
    }

    if alloc_reps > 0 {
        let profiler = dhat::Profiler::builder().testing().build();
        let mut runs: Vec<[Allocs; 5]> = Vec::with_capacity(alloc_reps);
        for _ in 0..alloc_reps {
            runs.push(b.phased(case, counted));
        }
        drop(profiler);
        println!("   allocations per op (median of {alloc_reps} runs)");
        println!("   step            blocks        bytes");
        for (i, name) in PHASES.iter().enumerate() {
            let blocks: Vec<u64> = runs
                .iter()
                .map(|r| {
                    if i < 5 {
                        r[i].blocks
                    } else {
                        r.iter().map(|a| a.blocks).sum()
                    }
                })
                .collect();
            let bytes: Vec<u64> = runs
                .iter()
                .map(|r| {
                    if i < 5 {
                        r[i].bytes
                    } else {
                        r.iter().map(|a| a.bytes).sum()
                    }
                })
                .collect();
            let label = if i == 0 && case == Case::Full {
                "rescan"
            } else {
                name
            };
            println!(
                "   {label:<11} {:>10} {:>12}",
                summary(&blocks).1,
                human_bytes(summary(&bytes).1)
            );
        }
    }
}

/// Where `Snapshot::build` spends its time: gzip and brotli of each route's current bytes as
/// the daemon compresses them (`snapshot::gzip`, `snapshot::brotli`), next to other settings.
fn compression_breakdown(b: &Bench, reps: usize, count_allocs: bool) {
    use std::io::Write;
    let cfg = &b.site.config;
    let snapshot = b.state.snapshot.load_full();
    println!("\n== compression of the current snapshot's routes (median of {reps}) ==");
    println!("   route         bytes  setting                      ms      out bytes   allocated");
    let routes = [
        cfg.feeds.rss_path.as_str(),
        cfg.feeds.atom_path.as_str(),
        cfg.feeds.index_path.as_str(),
    ];
    let gzip = |level: u32| {
        move |body: &[u8]| -> usize {
            let mut e = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 3 + 64),
                flate2::Compression::new(level),
            );
            e.write_all(body).expect("gzip");
            e.finish().expect("gzip").len()
        }
    };
    let brotli = |quality: u32, lgwin: u32| {
        move |body: &[u8]| -> usize {
            let mut w = brotli::CompressorWriter::new(
                Vec::with_capacity(body.len() / 4 + 64),
                4096,
                quality,
                lgwin,
            );
            w.write_all(body).expect("br");
            w.flush().expect("br");
            w.into_inner().len()
        }
    };
    let sha = |body: &[u8]| -> usize {
        use sha2::Digest;
        sha2::Sha256::digest(body).len()
    };
    type Coder<'a> = (&'a str, Box<dyn Fn(&[u8]) -> usize + 'a>);
    let settings: Vec<Coder> = vec![
        ("sha256 (digest)", Box::new(sha)),
        ("gzip 9", Box::new(gzip(9))),
        (
            "gzip (daemon: level 6)",
            Box::new(|body: &[u8]| snapshot::gzip(body).len()),
        ),
        ("brotli q9 lgwin22", Box::new(brotli(9, 22))),
        ("brotli q9 lgwin16", Box::new(brotli(9, 16))),
        ("brotli q6 lgwin22", Box::new(brotli(6, 22))),
        ("brotli q5 lgwin22", Box::new(brotli(5, 22))),
        (
            "brotli (daemon: q5, fitted)",
            Box::new(|body: &[u8]| snapshot::brotli(body).len()),
        ),
    ];
    for route in routes {
        let Some(body) = snapshot.body(route) else {
            continue;
        };
        for (name, coder) in &settings {
            let mut times = Vec::with_capacity(reps);
            let mut out = 0;
            for _ in 0..reps {
                let started = Instant::now();
                out = coder(&body);
                times.push(started.elapsed());
            }
            let allocated = if count_allocs {
                let profiler = dhat::Profiler::builder().testing().build();
                let a = counted(&mut || {
                    coder(&body);
                });
                drop(profiler);
                format!("{} blocks {}", a.blocks, human_bytes(a.bytes))
            } else {
                String::from("-")
            };
            println!(
                "   {route:<10} {:>8}  {name:<27} {:>8}  {out:>10}   {allocated}",
                body.len(),
                ms(summary(&times).1),
            );
        }
    }
}

fn main() {
    let articles = env_usize("RELOAD_ARTICLES", 10_000);
    let reps = env_usize("RELOAD_REPS", 50).max(1);
    let full_reps = env_usize("RELOAD_FULL_REPS", 10).max(1);
    let alloc_reps = env_usize("RELOAD_ALLOC_REPS", 5);

    let mut _tmp = None;
    let root: PathBuf = match std::env::var_os("RELOAD_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let tmp = tempfile::tempdir().expect("temp dir");
            let dir = tmp.path().join("content");
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_corpus.py");
            eprintln!("generating {articles} articles into {}", dir.display());
            let status = Command::new("python3")
                .arg(&script)
                .arg(&dir)
                .arg(articles.to_string())
                .stdout(std::process::Stdio::null())
                .status()
                .expect("run python3 bench/gen_corpus.py");
            assert!(status.success(), "gen_corpus.py failed");
            _tmp = Some(tmp);
            dir
        }
    };

    let mut config = Config::defaults();
    config.content.dir = root.clone();
    let config = Arc::new(config);
    let state = AppState {
        config: Arc::clone(&config),
        snapshot: ArcSwap::from_pointee(Snapshot::starting(&config)),
        metrics: Metrics::new(),
    };
    let now = Utc::now();
    let mut site = Site::new(Arc::clone(&config));
    let started = Instant::now();
    let files = site.rescan().expect("first rescan");
    let stats = publish(&mut site, &state, now);
    let first = started.elapsed();

    let published = site.library.published(now);
    assert!(
        published.articles.len() > config.feeds.limit * 2,
        "corpus too small"
    );
    // An entry in the middle of the feed window, and one far outside it.
    let in_window = published.articles[config.feeds.limit / 2].source.clone();
    let outside = published.articles[published.articles.len() / 2]
        .source
        .clone();
    drop(published);

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "feedwright reload bench: {files} files, {} published, {} content errors; feeds.limit {}; {} cores; load average {}",
        stats.published,
        stats.errors,
        config.feeds.limit,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "first load (rescan + publish, cold renders): {} ms",
        ms(first)
    );

    let mut bench = Bench {
        in_window: Target::new(&root, &in_window),
        outside: Target::new(&root, &outside),
        site,
        state,
        now,
        counter: 0,
    };
    if std::env::var_os("RELOAD_ONLY_COMPRESSION").is_none() {
        run_case(&mut bench, Case::InWindow, reps, alloc_reps);
        run_case(&mut bench, Case::Outside, reps, alloc_reps);
        run_case(&mut bench, Case::Full, full_reps, alloc_reps.min(3));
    }
    compression_breakdown(
        &bench,
        env_usize("RELOAD_COMPRESS_REPS", 10).max(1),
        alloc_reps > 0,
    );
    bench.in_window.restore();
    bench.outside.restore();

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\nload average at end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}
