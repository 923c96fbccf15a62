//! Cost of rendering articles the way the daemon's first load does for the group feeds:
//! each article's body turned into sanitized content HTML and a summary, then its RSS, Atom
//! and JSON Feed items written (`feedwright::fuzzing::BenchArticle::render_items`). The
//! corpus is `bench/gen_corpus.py`'s (about 6 KiB of Markdown per article); parsing the
//! files is not timed. Prints throughput over the article bodies and the time per article,
//! single-threaded, best of `RENDER_REPS` passes over the corpus, with logging set up as
//! the daemon's. Then the time a few hostile 4 MiB bodies take to render.
//!
//! ```sh
//! cargo bench --bench render
//! RENDER_ARTICLES=500 RENDER_REPS=5 cargo bench --bench render
//! RENDER_CORPUS=/tmp/corpus cargo bench --bench render   # reuse a generated corpus
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use feedwright::fuzzing::{bench_config, BenchArticle};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every `.md` file under `dir`, sorted, as (path relative to `dir`, bytes).
fn read_corpus(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let name = path
                    .strip_prefix(dir)
                    .expect("under the corpus")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((name, std::fs::read(&path).expect("read article")));
            }
        }
    }
    files.sort();
    files
}

fn generate(dir: &Path, articles: usize) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_corpus.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(dir)
        .arg(articles.to_string())
        .args(["--seed", "1", "--tags", "400", "--authors", "20"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run python3 bench/gen_corpus.py");
    assert!(status.success(), "gen_corpus.py failed");
}

fn main() {
    let articles = env_or("RENDER_ARTICLES", 2000);
    let reps = env_or("RENDER_REPS", 3).max(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = match std::env::var_os("RENDER_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = tmp.path().join("content");
            generate(&dir, articles);
            dir
        }
    };
    let config = bench_config();
    // Logging as the daemon sets it up (info, to stderr): html5ever's `log` records cost
    // what they cost there.
    let _log = feedwright::log::init(&config, false).expect("log init");
    let parsed: Vec<BenchArticle> = read_corpus(&dir)
        .iter()
        .filter_map(|(name, bytes)| BenchArticle::parse(name, bytes))
        .collect();
    assert!(!parsed.is_empty(), "no articles in {}", dir.display());
    let body_bytes: usize = parsed.iter().map(BenchArticle::body_len).sum();

    let mut best = Duration::MAX;
    let mut written = 0;
    for _ in 0..reps {
        // Fresh clones: an article keeps its rendered body.
        let fresh = parsed.clone();
        let started = Instant::now();
        written = fresh.iter().map(|a| a.render_items(&config)).sum::<usize>();
        best = best.min(started.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "render {} articles ({:.1} MB of body, {:.1} KB each): {:.1} MB/s, {:.1} µs per article (best of {reps}); {:.1} MB of items written",
        parsed.len(),
        body_bytes as f64 / 1e6,
        body_bytes as f64 / parsed.len() as f64 / 1e3,
        body_bytes as f64 / 1e6 / secs,
        secs * 1e6 / parsed.len() as f64,
        written as f64 / 1e6,
    );
    // Hostile bodies at the largest default file size (issue: each under 1 s).
    let fill = |unit: &str| unit.repeat(4 * 1024 * 1024 / unit.len());
    for (name, html, body) in [
        ("4 MiB of < in Markdown", false, fill("<")),
        ("4 MiB of < in HTML", true, fill("<")),
        ("4 MiB of &# in Markdown", false, fill("&#")),
        (
            "4 MiB of prose",
            false,
            fill("Some *plain* prose, with [a link](x/) in it.\n\n"),
        ),
    ] {
        let started = Instant::now();
        let (content, _) = feedwright::fuzzing::render(&body, html, None, 300);
        println!(
            "{name}: {:.3} s ({} bytes of content)",
            started.elapsed().as_secs_f64(),
            content.len()
        );
    }
}
